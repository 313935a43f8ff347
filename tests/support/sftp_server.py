"""A real SFTP server on 127.0.0.1 for tests (asyncssh), serving a local folder as its root."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh

USER, PASSWORD = "acme", "sftp-test-password"


class _Server(asyncssh.SSHServer):
    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return (username, password) == (USER, PASSWORD)


@dataclass(frozen=True)
class RunningSftp:
    """Where the server listens and the fingerprint of its host key."""

    port: int
    host_key_sha256: str


@contextmanager
def sftp_server(root: Path) -> Iterator[RunningSftp]:
    """An SFTP server chrooted to `root`, in a background event loop; stopped on exit."""
    loop = asyncio.new_event_loop()
    key = asyncssh.generate_private_key("ssh-ed25519")
    public = key.export_public_key("openssh").split()[1]
    digest = hashlib.sha256(base64.b64decode(public)).digest()
    fingerprint = "SHA256:" + base64.b64encode(digest).decode().rstrip("=")

    def factory(channel: Any) -> asyncssh.SFTPServer:
        return asyncssh.SFTPServer(channel, chroot=str(root).encode())

    async def start() -> Any:
        return await asyncssh.listen(
            "127.0.0.1",
            0,
            server_host_keys=[key],
            server_factory=_Server,
            sftp_factory=factory,
        )

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    port = server.sockets[0].getsockname()[1]
    try:
        yield RunningSftp(port, fingerprint)
    finally:
        # Closed on the loop's own thread: asyncio's Server is not thread-safe, and closing it
        # from here raced the loop (a teardown error once in a full run).
        async def stop() -> None:
            server.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
