"""The PULL capability: we fetch documents from the partner's API, a page at a time.

The core owns the loop and the state (dlt's lesson: a connector is a declaration, the framework
owns cursors and dedup):

    cursor = stored cursor of (partner, stream), or None the first time
    page   = connector.fetch(cursor)               one page, oldest first
    each item goes through the inbound pipeline    (connector.open with Transport.PULL), so it
                                                   is stored raw, deduplicated, mapped, held...
    store page.cursor                              only after its items are stored
    connector.confirm(items that were stored)      tell the partner (Coupa: exported=true)
    repeat while page.more

A crash anywhere is answered by the next run: an item fetched again is a duplicate of what was
stored, and confirming it again is harmless. The cursor is opaque to the core.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

if TYPE_CHECKING:
    from connectors.core.contract import ConnectorSpec


@dataclass(frozen=True)
class PulledItem:
    """One document fetched from the partner, as the bytes it came as."""

    body: bytes = field(repr=False)
    content_type: str
    reference: str
    """How the partner names it (`PO 6112 v2`), for logs and reports."""
    key: str
    """What `confirm` needs to tell the partner it was taken (the partner's record id)."""


@dataclass(frozen=True)
class PulledPage:
    """One page of a pull."""

    items: tuple[PulledItem, ...]
    cursor: str | None
    """The cursor to store once these items are stored; the next `fetch` starts from it."""
    more: bool
    """True when the partner may have more right now (the page was full)."""


@runtime_checkable
class PullConnector(Protocol):
    """A connector that fetches documents from its partner (`Capability.PULL`)."""

    spec: ClassVar[ConnectorSpec]
    stream: ClassVar[str]
    """Name of what it pulls (`purchase_orders`); the core keeps one cursor per partner and
    stream."""

    def fetch(self, cursor: str | None) -> PulledPage:
        """The next page after `cursor` (None: from the configured start); classified errors
        (`RateLimitedError` with `retry_after`, `TransientError`, `AuthError`)."""
        ...

    def confirm(self, items: Sequence[PulledItem]) -> None:
        """Tell the partner these items are safely stored (may be called again for the same)."""
        ...
