"""The kernels papermill uses for batch runs.

Kernels talk to papermill over local IPC sockets rather than TCP: nothing is
exposed on a network port, and ipykernel has no reason to warn about
unencrypted TCP on every run.

A batch worker keeps one kernel for the reports it runs (:class:`WorkerKernel`):
starting a kernel and importing polars and perfkit into it takes longer
than a report's own work.

A kernel dies with the process that started it (:func:`die_with_parent`,
through :meth:`IpcKernelManager.format_kernel_cmd`), as a batch's workers die
with the batch: a batch killed with ``kill -9`` leaves nothing running that
could still write a report.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Unicode

KERNEL_NAME = "python3"
START_TIMEOUT = 120
"""Seconds a new kernel has to start and import the report's modules."""
EMPTY_NAMESPACE = "%reset -f"
"""What empties a kernel between two reports: every name the notebook made, its outputs and history."""


PR_SET_PDEATHSIG = 1
"""Linux ``prctl`` option: the signal a process gets when the thread that started it ends."""
WATCHDOG_SECONDS = 0.2
"""Where ``prctl`` is not available: how often a process looks whether its parent is still there."""


def die_with_parent(parent: int | None = None) -> str:
    """Make this process die (SIGKILL) as soon as its parent process ``parent`` (default: the current one) does.

    On Linux the kernel does it: ``prctl(PR_SET_PDEATHSIG, SIGKILL)``. Strictly
    that fires when the *thread* that started this process ends: batch workers
    are started by the batch's own thread, kernels by their worker's main
    thread, and both live as long as their process. Elsewhere a daemon thread
    looks every :data:`WATCHDOG_SECONDS` whether the parent has changed
    (``os.getppid()``) and ends this process if so. A parent already gone
    before either is in place ends this process at once. Returns how this
    process is tied to its parent: ``"prctl"`` or ``"watchdog"``.
    """
    import os
    import signal
    import sys

    parent = os.getppid() if parent is None else parent
    how = "watchdog"
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0:
                how = "prctl"
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before this process was tied to it
        os._exit(1)
    if how == "watchdog":
        import threading
        import time

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(WATCHDOG_SECONDS)
            os._exit(1)

        threading.Thread(target=watch, name="perfkit-die-with-parent", daemon=True).start()
    return how


KERNEL_LAUNCH = (
    "import os; from perfkit.pipeline.kernels import die_with_parent; "
    "die_with_parent(int(os.environ.get('JPY_PARENT_PID') or 0) or None); "
    "import runpy; runpy.run_module('ipykernel_launcher', run_name='__main__', alter_sys=True)"
)
"""What a report kernel's Python runs instead of ``-m ipykernel_launcher``: the same kernel, tied to its parent first.

``JPY_PARENT_PID`` is the pid of the process that launched the kernel (jupyter_client sets it)."""


class IpcKernelManager(AsyncKernelManager):
    """An asynchronous kernel manager that uses IPC transport, whose kernels die with the process that starts them."""

    transport = Unicode("ipc")

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernel's command, ``python -m ipykernel_launcher ...`` run as ``python -c KERNEL_LAUNCH ...``.

        The kernel then runs in the same process as before, after
        :func:`die_with_parent` has tied it to the worker that launched it. A
        kernel spec that does not start ipykernel so is left as it is.
        """
        command = super().format_kernel_cmd(extra_arguments)
        if len(command) >= 3 and command[1:3] == ["-m", "ipykernel_launcher"]:
            return [command[0], "-c", KERNEL_LAUNCH, *command[3:]]
        return command


class SharedKernelManager(IpcKernelManager):
    """The manager of a kernel that runs many reports: it keeps the clients papermill makes, to close them.

    Papermill opens a client for each notebook and, when the kernel is not its
    own, leaves its channels open. Each open client would go on receiving
    every later report's outputs; :meth:`close_clients` closes them.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._clients: list = []

    def client(self, **kwargs):
        made = super().client(**kwargs)
        self._clients.append(made)
        return made

    def close_clients(self) -> None:
        for client in self._clients:
            client.stop_channels()
        self._clients = []


class WorkerKernel:
    """One kernel running a worker's reports one after another.

    The kernel starts when asked (:meth:`start`: a batch worker asks while it
    computes its figures) or with the first report. After each report that runs
    through, its namespace is emptied (``%reset -f``): every variable,
    output and history entry the notebook made is gone, and the next report
    starts from the parameters papermill injects, as in a new kernel. After
    a report that fails, or a kernel that does not answer, the kernel is shut
    down and the next report gets a new one.

    The modules the notebook imported stay imported; that is the time saved.
    No perfkit module keeps an authority's figures between calls (its caches
    hold the catalogue, bank holidays and chart forms), and a test shows a
    report run after another authority's in the same kernel is byte for byte
    the report a new kernel gives.

    Examples
    --------
    >>> kernel = WorkerKernel()
    >>> kernel.running
    False
    >>> kernel.shut_down()  # nothing to do
    """

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self._env = env
        self._manager: SharedKernelManager | None = None
        self._client = None
        self._folder: Path | None = None
        self._pending: str | None = None

    @property
    def running(self) -> bool:
        return self._manager is not None

    def start(self, imports: str = "") -> None:
        """Start the kernel and ask it to run ``imports``, without waiting for either.

        The kernel starts and imports in its own process while the caller goes
        on; :meth:`manager` waits for it. The names ``imports`` binds are
        forgotten before the first report.
        """
        if self._manager is not None:
            return
        import os

        from jupyter_core.utils import run_sync

        # the sockets live in the kernel's own folder: a relative socket path would be read
        # from the worker's working folder, which is not the kernel's
        self._folder = Path(tempfile.mkdtemp(prefix="perfkit-kernel-"))
        manager = SharedKernelManager(kernel_name=KERNEL_NAME, ip=str(self._folder / "kernel-ipc"))
        run_sync(manager.start_kernel)(cwd=str(self._folder), env={**os.environ, **(self._env or {})})
        self._manager = manager
        # the shell channel only: replies to this client's own requests, none of the reports' outputs
        client = manager.blocking_client()
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        self._client = client
        self._pending = client.execute(imports or "pass", silent=True, store_history=False)

    def manager(self) -> SharedKernelManager:
        """The running kernel's manager, for ``papermill.execute_notebook(km=...)``; started if need be."""
        self.start()
        if self._pending is not None:
            if not self._settled(self._pending):
                self.shut_down()
                raise RuntimeError("the report kernel did not start: it did not answer within "
                                   f"{START_TIMEOUT} seconds or failed to import what reports need")
            self._pending = None
            self.empty()
        assert self._manager is not None
        return self._manager

    def _settled(self, request: str, timeout: float = START_TIMEOUT) -> bool:
        """Wait for the reply to ``request``; True if it ran without error."""
        import queue
        import time

        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                reply = self._client.get_shell_msg(timeout=left)
            except queue.Empty:
                break
            if reply["parent_header"].get("msg_id") == request:
                return reply["content"]["status"] == "ok"
        return False

    def empty(self) -> None:
        """Forget everything the last notebook defined; a kernel that cannot is shut down."""
        if self._client is None:
            return
        self._manager.close_clients()
        if not self._settled(self._client.execute(EMPTY_NAMESPACE, silent=True, store_history=False), timeout=60):
            self.shut_down()

    def shut_down(self) -> None:
        """Stop the kernel (the next :meth:`manager` starts a new one)."""
        from jupyter_core.utils import run_sync

        manager, client, folder = self._manager, self._client, self._folder
        self._manager = self._client = self._folder = self._pending = None
        if client is not None:
            client.stop_channels()
        if manager is not None:
            manager.close_clients()
            try:
                run_sync(manager.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 - already gone
                pass
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
