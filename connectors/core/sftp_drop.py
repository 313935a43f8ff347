"""An SFTP file drop: the `FileDrop` protocol over a partner's (or our) SFTP server.

Same folders and the same promises as `LocalFileDrop` (`inbound/`, `outbound/`, `archive/`,
`error/`; complete files only; atomic writes through a `.part` name and a POSIX rename), over
paramiko. The server's host key is pinned by its SHA-256 fingerprint (as `ssh-keygen -lf`
prints it): a drop never trusts a server on first use.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import stat
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

import paramiko

from connectors.core.errors import AuthError, TransientError

_IN_PROGRESS = (".part", ".tmp", ".partial")


@dataclass(frozen=True)
class SftpAccount:
    """Where and as whom to connect; the password never shows in `repr`."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)
    host_key_sha256: str
    """`SHA256:...` fingerprint of the server's host key; anything else is refused."""
    root: str = "."
    """The drop's folder on the server."""


class SftpFileDrop:
    """A file drop on an SFTP server; use as a context manager (one connection per run)."""

    def __init__(self, account: SftpAccount) -> None:
        self.account = account
        self._ssh: paramiko.Transport | None = None
        self._sftp: paramiko.SFTPClient | None = None

    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def connect(self) -> None:
        """Open the connection, check the host key, log in, create the folders."""
        account = self.account
        try:
            transport = paramiko.Transport((account.host, account.port))
            transport.start_client(timeout=15)
        except (OSError, paramiko.SSHException) as error:
            msg = f"cannot reach sftp://{account.host}:{account.port}: {error}"
            raise TransientError(msg) from error
        key = transport.get_remote_server_key()
        seen = "SHA256:" + base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode()
        if seen.rstrip("=") != account.host_key_sha256.rstrip("="):
            transport.close()
            msg = f"the SFTP server's host key is {seen}, not the pinned {account.host_key_sha256}"
            raise AuthError(msg)
        try:
            transport.auth_password(account.username, account.password)
        except paramiko.AuthenticationException:
            transport.close()
            msg = f"the SFTP server refused the login of {account.username!r}"
            raise AuthError(msg) from None
        self._ssh = transport
        self._sftp = paramiko.SFTPClient.from_transport(transport)
        for folder in ("inbound", "outbound", "archive", "error"):
            path = self._path(folder)
            try:
                self._client.stat(path)
            except FileNotFoundError:
                self._client.mkdir(path)

    def close(self) -> None:
        """Close the connection (safe to call twice)."""
        if self._sftp is not None:
            self._sftp.close()
        if self._ssh is not None:
            self._ssh.close()
        self._sftp = self._ssh = None

    @property
    def _client(self) -> paramiko.SFTPClient:
        if self._sftp is None:
            self.connect()
        assert self._sftp is not None
        return self._sftp

    def _path(self, folder: str, name: str | None = None) -> str:
        base = posixpath.join(self.account.root, folder)
        return base if name is None else posixpath.join(base, _plain(name))

    def pending(self) -> list[str]:
        """Complete inbound files, oldest first."""
        entries = [
            entry
            for entry in self._client.listdir_attr(self._path("inbound"))
            if stat.S_ISREG(entry.st_mode or 0)
            and not entry.filename.startswith(".")
            and not entry.filename.endswith(_IN_PROGRESS)
        ]
        entries.sort(key=lambda e: (e.st_mtime or 0, e.filename))
        return [e.filename for e in entries]

    def read(self, name: str) -> bytes:
        """The bytes of an inbound file."""
        with self._client.open(self._path("inbound", name), "rb") as handle:
            return bytes(handle.read())

    def archive(self, name: str) -> None:
        """Move a processed file to `archive/` (a repeated name gets a suffix)."""
        self._client.posix_rename(self._path("inbound", name), self._free("archive", name))

    def reject(self, name: str, reason: str) -> None:
        """Move an unreadable file to `error/` and write `<name>.reason.txt` beside it."""
        target = self._free("error", name)
        self._client.posix_rename(self._path("inbound", name), target)
        with self._client.open(target + ".reason.txt", "wb") as handle:
            handle.write((reason + "\n").encode())

    def deliver(self, name: str, data: bytes) -> str:
        """Write `outbound/<name>` through a `.part` name and a rename (readers never see half)."""
        target = self._path("outbound", name)
        part = target + ".part"
        with self._client.open(part, "wb") as handle:
            handle.write(data)
        self._client.posix_rename(part, target)
        return f"sftp://{self.account.host}:{self.account.port}{target}"

    def _free(self, folder: str, name: str) -> str:
        candidate, number = self._path(folder, name), 0
        while True:
            try:
                self._client.stat(candidate)
            except FileNotFoundError:
                return candidate
            number += 1
            candidate = self._path(folder, f"{name}.{number}")


def _plain(name: str) -> str:
    plain = posixpath.basename(name)
    if not plain or plain in {".", ".."} or plain != name:
        msg = f"{name!r} is not a plain file name"
        raise ValueError(msg)
    return plain
