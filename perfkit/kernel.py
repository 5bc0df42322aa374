"""The kernel manager papermill uses for batch runs.

Kernels talk to papermill over local IPC sockets rather than TCP: nothing is
exposed on a network port, and ipykernel has no reason to warn about
unencrypted TCP on every run.
"""

from __future__ import annotations

from jupyter_client.manager import AsyncKernelManager
from traitlets import Unicode


class IpcKernelManager(AsyncKernelManager):
    """An asynchronous kernel manager that uses IPC transport."""

    transport = Unicode("ipc")
