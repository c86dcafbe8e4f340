"""The kernel manager the book's runs use: IPC sockets in a private temporary folder.

ipykernel 7 warns on every start when a kernel talks over unencrypted TCP; local runs need no
network at all, and a private folder per kernel keeps two parallel runs from sharing socket names.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from jupyter_client.manager import AsyncKernelManager
from traitlets import default


class LocalKernelManager(AsyncKernelManager):
    transport = "ipc"

    @default("ip")
    def _default_ip(self) -> str:
        self._socket_dir = tempfile.mkdtemp(prefix="book-kernel-")
        return os.path.join(self._socket_dir, "kernel")

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and getattr(self, "_socket_dir", None):
            shutil.rmtree(self._socket_dir, ignore_errors=True)


KERNEL_MANAGER_CLASS = "helpers.book.kernels.LocalKernelManager"
