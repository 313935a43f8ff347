"""The connector contract: what a connector declares and how the core builds one.

A connector is stateless. It declares its capabilities and its configuration model, and gets
every collaborator injected (clock, HTTP client, file drop). It never reads the environment and
never touches the database: cursors, idempotency, inbox, outbox and dead letters are the core's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel

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


@dataclass(frozen=True)
class ConnectorContext:
    """Collaborators the core injects into a connector."""

    clock: Clock = system_clock
    """Source of the current time."""
    hostname: str = "b2connect.local"
    """Host part of the ids we mint (cXML payloadIDs)."""


@runtime_checkable
class Connector(Protocol):
    """What every connector class offers; capability-specific methods live in sub-protocols."""

    spec: ClassVar[ConnectorSpec]
    config_model: ClassVar[type[BaseModel]]


@dataclass(frozen=True)
class OutboundMessage:
    """A rendered outbound document: where it goes and the exact bytes to send.

    The core logs `body` (with secrets masked), sends it with its outbox id as the idempotency
    key, and hands the answer back to the connector to read.
    """

    kind: str
    """Protocol document kind (`ShipNoticeRequest`)."""
    url: str
    """Where the partner takes this kind."""
    body: bytes = field(repr=False)
    """The bytes to send (may carry a shared secret: never log them unmasked)."""
    content_type: str
    """HTTP Content-Type of `body`."""
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Extra HTTP headers (e.g. the partner's bearer token: never log them)."""


@dataclass(frozen=True)
class Receipt:
    """The partner's acceptance of an outbound document."""

    status_code: int
    """Protocol status (cXML Status@code; HTTP status where the protocol has none)."""
    text: str
    """The partner's status text."""
