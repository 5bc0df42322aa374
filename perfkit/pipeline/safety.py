"""What keeps a batch safe to stop at any moment: one batch per folder, private scratch, workers tied to it.

A second batch into the same folder is refused (:func:`folder_lock`);
unsuppressed figures live in a private scratch folder removed on every way
out (:func:`scratch_folder`, :func:`sigterm_as_exit`); the workers die with
the batch (:func:`tie_to_batch`, :func:`stop_workers`); a report is written
whole or not at all (:func:`atomic_write_text`, :func:`remove_partial_writes`).
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from perfkit.errors import BatchBusy, SettingsError

LOCK_FILE = ".perfkit.lock"
"""In the output folder: held (``flock``) by the batch writing there, and holding its pid."""
SCRATCH_FOLDER = ".scratch"
"""In the output folder: the private folder of the running batch's unsuppressed intermediates."""


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def tie_to_batch(batch: int | None = None) -> None:
    """A pool's initializer: this worker process dies (SIGKILL) when the batch process ``batch`` does.

    A batch killed with ``kill -9`` runs no clean-up: without this, its workers
    would go on running the reports already handed to them, and write them,
    after the batch is gone. The worker's kernels die with the worker in turn
    (:class:`perfkit.pipeline.kernels.IpcKernelManager`). See :func:`perfkit.pipeline.kernels.die_with_parent`:
    ``prctl(PR_SET_PDEATHSIG)`` on Linux, a thread watching the parent elsewhere.
    """
    from perfkit.pipeline.kernels import die_with_parent

    die_with_parent(batch)


@contextmanager
def folder_lock(folder: Path):
    """Hold ``<folder>/.perfkit.lock`` for as long as the block runs, or refuse at once with :class:`BatchBusy`.

    The lock is ``fcntl.flock`` on the file, exclusive, not waited for: two
    batches writing into one folder would leave a mix of both runs' reports
    and index, so the second is refused, its message naming the folder and
    the pid of the batch that holds the lock (written in the file). The lock
    belongs to the open file, which no worker or kernel inherits: it is
    released when the batch ends, however it ends (``kill -9`` included), and
    the file is left in place (empty) for the next batch. Where ``fcntl`` is
    not available (Windows) nothing is locked.
    """
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux or macOS
        yield None
        return
    path = folder / LOCK_FILE
    handle = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode("ascii", "replace").strip()
            raise BatchBusy(f"{folder}: another perfkit batch (pid {holder if holder.isdigit() else 'unknown'}) is "
                            "writing reports into this folder: wait for it to end, or give another --out") from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(handle, 0)
    finally:
        os.close(handle)  # releases the lock


@contextmanager
def sigterm_as_exit():
    """While the block runs, SIGTERM raises ``SystemExit(143)`` in the main thread, so that ``finally`` blocks run.

    By default SIGTERM ends a process at once: the batch's scratch folder of
    unsuppressed figures would be left behind and its workers left running.
    A second SIGTERM while the first is handled is ignored, so that the clean-up
    is not cut short. Outside the main thread (where Python cannot set a
    handler) nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def private_folder(path: Path) -> Path:
    """``path`` as a folder only its owner can enter (mode 0700), made if need be; never a symbolic link."""
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise SettingsError(f"{path}: expected a folder of perfkit's own here, found "
                      f"{'a symbolic link' if stat.S_ISLNK(info.st_mode) else 'a file'}: remove it")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise SettingsError(f"{path}: belongs to another user (uid {info.st_uid}): expected a folder of this user's own")
    os.chmod(path, 0o700)
    return path


@contextmanager
def scratch_folder(out: Path):
    """A new private folder for one batch's unsuppressed figures, ``<out>/.scratch/run-*``, removed when the block ends.

    The aggregates the workers compute (counts before suppression), the
    published figures they read and the executed notebooks are kept there:
    inside the output folder, on the same disk, not in a shared ``/tmp``;
    ``.scratch`` and the run's folder are mode 0700. Call with the folder's
    lock held (:func:`folder_lock`): no other batch is then writing into
    ``out``, so anything already in ``.scratch`` was left by a batch killed
    outright and is removed first (each run's folder holds its pid, in ``pid``,
    for whoever looks).
    """
    area = private_folder(out / SCRATCH_FOLDER)
    for leftover in area.iterdir():  # the lock is ours: no batch still uses these
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="run-", dir=area))  # 0700
    try:
        (scratch / "pid").write_text(f"{os.getpid()}\n", encoding="ascii")
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        try:
            area.rmdir()
        except OSError:
            pass


def remove_partial_writes(*folders: Path) -> None:
    """Remove the temporary files of reports being written when their worker was stopped (:func:`atomic_write_text`)."""
    for folder in folders:
        for partial in folder.glob(".*.tmp") if folder.is_dir() else []:
            partial.unlink(missing_ok=True)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's workers now (their kernels die with them) and drop the work not yet done: the batch is stopping.

    ``shutdown`` alone would wait for every report already handed to the
    workers, which go on writing while the batch is meant to be ending.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        try:
            process.kill()
        except (OSError, ValueError):  # already gone
            pass
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.join(timeout=10)
        except (OSError, ValueError, AssertionError):
            pass
