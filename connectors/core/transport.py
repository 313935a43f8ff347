"""Transports: how our bytes reach a partner, chosen by the connector, carried out here.

A connector renders an `OutboundMessage` whose `destination` says where it goes: an HTTP(S)
endpoint, or a partner's file drop (a local folder or an SFTP account). The core hands the
message to `Transports.deliver` and the answer back to the connector; it never calls httpx or
touches a path itself. AS2 would be one more destination type and one more branch here.

EDI connectors share `PartnerTransportConfig`: where each outbound kind goes (`endpoints`), the
partner's file drop (`file_drop` folder or `sftp` account), and the bearer token we present.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import httpx
from pydantic import BaseModel, ConfigDict, HttpUrl, SecretStr, model_validator

from connectors.core.errors import ConfigError, TransientError
from connectors.core.files import FileDrop, LocalFileDrop
from connectors.core.http import send_unchecked
from connectors.core.sftp_drop import SftpAccount, SftpFileDrop


@dataclass(frozen=True)
class LocalDropLocation:
    """A file drop in a local (or mounted) folder."""

    root: Path


@dataclass(frozen=True)
class SftpDropLocation:
    """A file drop on an SFTP server."""

    account: SftpAccount


FileDropLocation = LocalDropLocation | SftpDropLocation


def open_file_drop(location: FileDropLocation) -> FileDrop:
    """The `FileDrop` at `location` (close it when done)."""
    if isinstance(location, LocalDropLocation):
        return LocalFileDrop(location.root)
    return SftpFileDrop(location.account)


@dataclass(frozen=True)
class HttpDestination:
    """POST the body to `url`."""

    url: str
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Extra headers (a bearer token: never logged)."""

    def __str__(self) -> str:
        return self.url


@dataclass(frozen=True)
class FileDropDestination:
    """Write the body as `outbound/<name>` in the partner's file drop."""

    location: FileDropLocation
    name: str

    def __str__(self) -> str:
        return f"file drop: outbound/{self.name}"


Destination = HttpDestination | FileDropDestination


@dataclass(frozen=True)
class TransportAnswer:
    """What came back: an HTTP answer, or the file drop's confirmation (status 200, no body)."""

    status: int
    body: bytes = field(default=b"", repr=False)
    headers: Mapping[str, str] = field(default_factory=dict)
    where: str = ""
    """Where the bytes went (the URL, or the file's path)."""


class Transports:
    """Carries bytes to destinations: HTTP through one shared client, files through drops."""

    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    @property
    def http(self) -> httpx.Client:
        """The shared HTTP client (connection pools per host live here)."""
        return self._http

    def deliver(
        self,
        destination: Destination,
        body: bytes,
        *,
        content_type: str,
        idempotency_key: str,
        now: datetime,
    ) -> TransportAnswer:
        """Send `body`; network and file-system failures raise `TransientError` (or the drop's
        `AuthError`), any HTTP status is returned for the connector to read."""
        del now  # kept for transports that sign with a timestamp (AS2)
        if isinstance(destination, FileDropDestination):
            return _write_file(destination, body)
        request = self._http.build_request(
            "POST",
            destination.url,
            content=body,
            headers={
                **destination.headers,
                "Content-Type": content_type,
                "Idempotency-Key": idempotency_key,
            },
        )
        response = send_unchecked(self._http, request)
        return TransportAnswer(
            response.status_code, response.content, dict(response.headers), destination.url
        )


def _write_file(destination: FileDropDestination, body: bytes) -> TransportAnswer:
    """Write the file; a retry rewrites the same name (the partner sees one file)."""
    drop = open_file_drop(destination.location)
    try:
        where = drop.deliver(destination.name, body)
    except OSError as error:
        msg = f"cannot write {destination.name}: {error}"
        raise TransientError(msg) from None
    finally:
        drop.close()
    return TransportAnswer(200, where=where)


class SftpDropConfig(BaseModel):
    """An SFTP account whose folder is the partner's file drop."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str
    port: int = 22
    username: str
    host_key_sha256: str
    """The server's host key fingerprint, `SHA256:...` as `ssh-keygen -lf` prints it (pinned)."""
    root: str = "."
    """The drop's folder on the server."""


FILE_DROP = "file_drop"
"""The `endpoints` value that sends a kind to the partner's file drop instead of over HTTP."""


class PartnerTransportConfig(BaseModel):
    """Where an EDI partner takes our documents, and its file drop (part of its config)."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    endpoints: dict[str, HttpUrl | Literal["file_drop"]] = {}
    """Where our documents go, by kind (`855`, `ORDRSP`): an HTTP(S) URL, or `file_drop` for
    the `outbound/` folder of the partner's file drop."""
    file_drop: Path | None = None
    """Root of the partner's file drop (`inbound/`, `outbound/`, `archive/`, `error/`): files it
    puts in `inbound/` are picked up by the `poll-file-drops` job; our answers and documents for
    `file_drop` endpoints are written to `outbound/`."""
    sftp: SftpDropConfig | None = None
    """The partner's SFTP server as its file drop (instead of a local `file_drop` folder)."""
    sftp_password: SecretStr | None = None
    """Password of the SFTP account; never logged."""
    outbound_token: SecretStr | None = None
    """Bearer token we present to the partner's endpoints, when it wants one."""

    @model_validator(mode="after")
    def _one_file_drop(self) -> PartnerTransportConfig:
        if self.sftp is not None and self.file_drop is not None:
            msg = "a partner has one file drop: set file_drop (a folder) or sftp, not both"
            raise ValueError(msg)
        if (self.sftp is None) != (self.sftp_password is None):
            msg = "sftp and secrets.sftp_password go together"
            raise ValueError(msg)
        return self

    def file_drop_location(self) -> FileDropLocation | None:
        """The partner's file drop, if the config names one."""
        if self.file_drop is not None:
            return LocalDropLocation(Path(self.file_drop))
        if self.sftp is not None and self.sftp_password is not None:
            sftp = self.sftp
            return SftpDropLocation(
                SftpAccount(
                    host=sftp.host,
                    port=sftp.port,
                    username=sftp.username,
                    password=self.sftp_password.get_secret_value(),
                    host_key_sha256=sftp.host_key_sha256,
                    root=sftp.root,
                )
            )
        return None

    def destination(self, kind: str, *, file_name: str) -> Destination:
        """Where documents of `kind` go; `ConfigError` when the config names no place."""
        target = self.endpoints.get(kind)
        if target is None:
            msg = f"no endpoint configured for {kind} (connector_config.endpoints.{kind})"
            raise ConfigError(msg)
        if target == FILE_DROP:
            location = self.file_drop_location()
            if location is None:
                msg = f"{kind} goes to the file drop, but connector_config.file_drop is not set"
                raise ConfigError(msg)
            return FileDropDestination(location, file_name)
        headers = {}
        if self.outbound_token is not None:
            headers["Authorization"] = f"Bearer {self.outbound_token.get_secret_value()}"
        return HttpDestination(str(target), headers)

    def http_endpoints(self) -> dict[str, str]:
        """The HTTP endpoints by kind (for the production https check)."""
        return {kind: str(url) for kind, url in self.endpoints.items() if url != FILE_DROP}
