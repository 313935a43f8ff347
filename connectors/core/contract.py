"""The connector contract: what a connector declares and how the core builds one.

A connector is stateless. It declares its capabilities and its configuration model, and gets
every collaborator injected (clock, HTTP client, file drop). It never reads the environment and
never touches the database: cursors, idempotency, inbox, outbox and dead letters are the core's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

import httpx
from pydantic import BaseModel

from connectors.core.inbound import Ingress
from connectors.core.push import OutboundMessage, Receipt

__all__ = [
    "Capability",
    "Clock",
    "Connector",
    "ConnectorContext",
    "ConnectorSpec",
    "OutboundMessage",
    "Receipt",
    "system_clock",
]

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware. Injected so that tests control time."""


def system_clock() -> datetime:
    """The real clock, in UTC."""
    return datetime.now(UTC)


class Capability(StrEnum):
    """What a connector can do for the core."""

    INBOUND = "inbound"
    """Partners push documents to us; the connector authenticates and decodes them."""
    PUSH = "push"
    """We send documents to the partner."""
    PULL = "pull"
    """We fetch documents or data from the partner on a schedule."""
    CARRIER = "carrier"
    """We book, cancel and track shipments with the partner (a cargo carrier)."""
    ERP = "erp"
    """The supplier's ERP: sales orders in, items, stock, prices and dispatches out."""


@dataclass(frozen=True)
class ConnectorSpec:
    """The static declaration of a connector, readable without building one."""

    key: str
    """Registry key, equal to the entry-point name."""
    display_name: str
    """Human name for logs and the operator surface."""
    protocol: str
    """Wire protocol family: `cxml`, `x12`, `rest`, `soap`."""
    capabilities: frozenset[Capability]
    """What the connector can do."""
    inbound_documents: frozenset[str] = field(default_factory=frozenset)
    """Protocol document kinds it accepts (e.g. `OrderRequest`)."""
    outbound_documents: frozenset[str] = field(default_factory=frozenset)
    """Protocol document kinds it emits."""
    ingress: Ingress | None = None
    """The protocol's inbound front door (HTTP path, refusals, sniffing), for INBOUND
    connectors; connectors of one protocol share it."""


@dataclass(frozen=True)
class ConnectorContext:
    """Collaborators the core injects into a connector."""

    clock: Clock = system_clock
    """Source of the current time."""
    hostname: str = "b2connect.local"
    """Host part of the ids we mint (cXML payloadIDs)."""
    http: httpx.Client | None = field(default=None, repr=False)
    """The hub's HTTP client (`connectors.core.http.build_http_client`), for connectors that
    call their partner themselves (pull); None where no HTTP is wired (offline tools, tests)."""
    schema_dir: Path | None = None
    """Directory of official schemas to validate documents against (cXML DTDs,
    `<version>/<Family>.dtd`), when configured."""
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    """How a connector waits between retries; tests pass one that records and returns."""

    def require_http(self) -> httpx.Client:
        """The HTTP client; `ConfigError` when the core wired none."""
        if self.http is None:
            from connectors.core.errors import ConfigError  # noqa: PLC0415 - avoids a cycle

            msg = "this connector needs an HTTP client, and none was provided"
            raise ConfigError(msg)
        return self.http


@runtime_checkable
class Connector(Protocol):
    """What every connector class offers; capability-specific methods live in sub-protocols."""

    spec: ClassVar[ConnectorSpec]
    config_model: ClassVar[type[BaseModel]]
