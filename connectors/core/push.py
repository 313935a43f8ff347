"""The PUSH capability: we send documents to the partner, exactly once, in its protocol.

The core's outbox drives it:

    queue     connector.outbound_kind(document_type)   which protocol kind carries it
              connector.destination(kind)               refused now if it has nowhere to go
              connector.identify(kind, numbers, now)    the id the partner will see (payloadID,
                                                        ISA13/GS06/ST02, UNB/UNH references),
                                                        fixed now so every retry is the same
    dispatch  connector.render(document, identity)      the exact bytes and their destination
              Transports.deliver(...)                   (the core's; HTTP or file drop)
              connector.read_receipt(status, body, hdr) accepted, or the classified error
    later     an acknowledgement arrives inbound        (997/999, CONTRL) naming `ack_key`
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from connectors.core.inbound import AckStatus
from connectors.core.transport import Destination, HttpDestination
from schemas import InventorySnapshot, Invoice, OrderConfirmation, PriceCatalog, ShipNotice

if TYPE_CHECKING:
    from connectors.core.contract import ConnectorSpec
    from connectors.core.inbound import NumberAllocator

OutboundDocument = OrderConfirmation | ShipNotice | Invoice | InventorySnapshot | PriceCatalog
"""The canonical documents the hub sends partners: follow-ups of an order, and the stock and
price feeds."""


@dataclass(frozen=True)
class DocumentIdentity:
    """The id a partner will know one of our documents by, fixed when it is queued."""

    payload_id: str
    """What the document carries as its id (cXML payloadID, `ISA13/GS06/ST02`)."""
    ack_key: str | None = None
    """What the partner's later acknowledgement will name it by (X12 `GS06/ST02`), when its
    protocol acknowledges documents asynchronously."""


@dataclass(frozen=True)
class OutboundMessage:
    """A rendered outbound document: where it goes and the exact bytes to send.

    The core logs `body` (with secrets masked), delivers it with its outbox id as the
    idempotency key, and hands the answer back to the connector to read.
    """

    kind: str
    """Protocol document kind (`ShipNoticeRequest`, `856`)."""
    destination: Destination
    body: bytes = field(repr=False)
    """The bytes to send (may carry a shared secret: never log them unmasked)."""
    content_type: str
    log_body: bytes | None = field(default=None, repr=False)
    """`body` with its secrets masked, for the document log; None when it carries none."""

    @property
    def url(self) -> str:
        """The HTTP endpoint, or a description of the file drop it goes to."""
        return str(self.destination)

    @property
    def headers(self) -> Mapping[str, str]:
        """Extra HTTP headers (e.g. the partner's bearer token: never log them)."""
        if isinstance(self.destination, HttpDestination):
            return self.destination.headers
        return {}


@dataclass(frozen=True)
class Receipt:
    """The partner's acceptance of an outbound document."""

    status_code: int
    """Protocol status (cXML Status@code; HTTP status where the protocol has none)."""
    text: str
    """The partner's status text."""
    acknowledgment: AckStatus | None = None
    """The verdict of a functional acknowledgement that came in the answer itself (an X12
    997/999, an EDIFACT CONTRL): recorded on the outbox row as an asynchronous one would be, so
    reconciliation does not wait for an acknowledgement that already came. None: there was none."""


@runtime_checkable
class PushConnector(Protocol):
    """A connector that sends documents to its partner (`Capability.PUSH`)."""

    spec: ClassVar[ConnectorSpec]

    def outbound_kind(self, document_type: str) -> str:
        """The protocol kind carrying a canonical `document_type`; `UnsupportedDocumentError`
        when this partner does not take it."""
        ...

    def destination(self, kind: str) -> Destination:
        """Where documents of `kind` go; `ConfigError` when the configuration names no place."""
        ...

    def identify(self, kind: str, *, numbers: NumberAllocator, now: datetime) -> DocumentIdentity:
        """A new identity for a document of `kind` being queued now."""
        ...

    def render(
        self, document: OutboundDocument, *, payload_id: str, timestamp: datetime
    ) -> OutboundMessage:
        """The bytes for `document` under the identity it was queued with (the same bytes on
        every call); a `PermanentError` when it cannot be rendered or validated."""
        ...

    def read_receipt(self, status: int, body: bytes, headers: Mapping[str, str], /) -> Receipt:
        """The partner's acceptance, or the classified error (transient, rate limited,
        auth, rejected)."""
        ...
