"""The cXML ingress: `POST /cxml/{partner_key}`, shared by every cXML procurement platform.

It answers what must be answered before (or without) a partner's configuration: unknown partner
keys (exactly like a bad credential, malformed bodies included, so that answers do not reveal
which partner keys exist), bodies too large to read, the store being down, a failure of ours.
Every answer is a cXML Response whose HTTP status mirrors the cXML status class: platforms such
as Coupa decide retries from the HTTP status (5xx retried, 4xx never).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import Any

from connectors.core.contract import ConnectorContext
from connectors.core.errors import (
    AuthenticityError,
    ConnectorError,
    DocumentError,
    UnsupportedDocumentError,
)
from connectors.core.inbound import (
    BodyTooLargeError,
    DocumentProblem,
    InboundBatch,
    InboundDocument,
    InboundRefusal,
    InboundReply,
    InboundRequest,
    InboundUnit,
    Reason,
    StoreUnavailableError,
)
from connectors.cxml_platform.credentials import NOT_AUTHENTIC, check_for_no_partner
from connectors.formats.cxml import (
    DEFAULT_VERSION,
    CxmlDocument,
    CxmlStatus,
    UnreadableAmountError,
    build_response,
    mask_shared_secrets,
    new_payload_id,
    parse_cxml,
    read_order_request,
)
from schemas import PurchaseOrder

CONTENT_TYPE = "text/xml; charset=utf-8"
IDEMPOTENCY_SCOPE = "cxml"


def http_status(status: CxmlStatus) -> int:
    """HTTP status carrying a cXML status: 200 for any 2xx, else the cXML code."""
    return 200 if status.code < 300 else status.code


def refusal_status(error: ConnectorError) -> CxmlStatus:
    """The cXML status answering a refused body."""
    message = str(error)
    if isinstance(error, AuthenticityError):
        return CxmlStatus.unauthorized(message)
    if isinstance(error, BodyTooLargeError):
        return CxmlStatus.request_entity_too_large(message)
    if isinstance(error, DocumentError):
        return CxmlStatus.bad_request(message)
    if isinstance(error, StoreUnavailableError):
        return CxmlStatus.service_unavailable(message)
    return CxmlStatus.internal_server_error("internal error; please retry later")


def is_test_document(document: CxmlDocument) -> bool:
    """True when the platform marked the document as test data (`deploymentMode="test"`)."""
    return (document.deployment_mode or "").strip().lower() == "test"


def order_document(
    document: CxmlDocument,
    *,
    tz: tzinfo,
    kinds: frozenset[str],
    adjust: Callable[[PurchaseOrder, CxmlDocument], PurchaseOrder] | None = None,
) -> InboundDocument:
    """The one document of a cXML body: its purchase order (touched up by the platform's
    `adjust`), or why it cannot be read."""
    payload_id = document.payload_id
    if document.kind not in kinds:
        message = f"{document.kind} is not accepted from this partner at this endpoint"
        return _problem(document, Reason.UNSUPPORTED, message)
    timestamp = document.root.get("timestamp")
    if timestamp is not None and not timestamp.strip():
        message = (
            "cXML@timestamp is empty; cXML requires the time the document was sent, with its "
            "time zone (2025-01-14T09:15:27-08:00)"
        )
        return _problem(document, Reason.MALFORMED, message)
    try:
        order = read_order_request(document, default_tz=tz)
    except UnsupportedDocumentError as error:
        return _problem(document, Reason.UNSUPPORTED, str(error))
    except UnreadableAmountError as error:  # valid cXML our model cannot take: held, not refused
        return _problem(document, Reason.MAPPING, str(error))
    except DocumentError as error:
        return _problem(document, Reason.MALFORMED, str(error))
    if adjust is not None:
        order = adjust(order, document)
    return InboundDocument(kind=document.kind, reference=payload_id, position={}, content=order)


_CURRENCY_FLAGS = (
    ("total", "OrderRequestHeader/Total"),
    ("tax", "OrderRequestHeader/Tax"),
    ("shipping", "OrderRequestHeader/Shipping"),
)


def order_notes(item: InboundDocument) -> list[str]:
    """What the log should say about an order read from valid but unusual cXML: amounts in
    another currency than the order's, a negative total (both kept as sent)."""
    order = item.content
    if not isinstance(order, PurchaseOrder):
        return []
    notes = [
        f"{where} is in {currency}, not in the order currency {order.currency}; kept as sent"
        for name, where in _CURRENCY_FLAGS
        if (currency := getattr(order, f"{name}_currency")) is not None
    ]
    notes += [
        f"ItemOut lineNumber {line.line_number} UnitPrice is in {line.unit_price_currency}, "
        f"not in the order currency {order.currency}; kept as sent"
        for line in order.lines
        if line.unit_price_currency is not None
    ]
    if order.total is not None and order.total < 0:
        notes.append(f"OrderRequestHeader/Total is negative ({order.total}); kept as sent")
    return notes


def joined_note(*notes: str | None) -> str | None:
    """One log note from several; `None` when there are none."""
    return "; ".join(note for note in notes if note) or None


def _problem(document: CxmlDocument, reason: Reason, message: str) -> InboundDocument:
    return InboundDocument(
        kind=document.kind,
        reference=document.payload_id,
        position={},
        problem=DocumentProblem(reason, message),
    )


def single_batch(
    document: CxmlDocument, item: InboundDocument, note: str | None, *, test: bool = False
) -> InboundBatch:
    """A cXML body is one unit holding one document, deduplicated by its payloadID; `test`
    when it is test data the partnership must answer but never apply."""
    unit = InboundUnit(
        idempotency_scope=IDEMPOTENCY_SCOPE,
        idempotency_key=document.payload_id,
        reference=document.payload_id,
        documents=(item,),
        test=test,
    )
    return InboundBatch(kind=document.kind, reference=document.payload_id, units=(unit,), note=note)


class CxmlIngress:
    """The cXML front door (see the module docstring)."""

    name = "cxml"
    path: str | None = "/cxml/{partner_key}"
    media_type = "text/xml"
    summary = "Receive a cXML document (OrderRequest) from a procurement platform"
    description = (
        "Authenticate (Sender SharedSecret, From and To), store, translate and apply one cXML "
        "document; the answer is a cXML Response whose Status says what happened (200 stored, "
        "201 held for review, 4xx refused with the reason). The HTTP status mirrors the cXML "
        "status class, because platforms decide retries from it."
    )
    refusal_statuses: Mapping[int, str] = {
        400: "Not well-formed, unsafe, or not readable as cXML",
        401: "Unknown partner or invalid credentials",
        406: "A document kind this partner may not send here",
        409: "A change that conflicts with the stored order (or arrived before it)",
        413: "Body over the size limit",
        503: "The hub cannot store documents right now; retry",
    }

    def sniff(self, head: bytes) -> bool:
        """XML: starts with `<` after a BOM and white space."""
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")

    def redact(self, body: bytes) -> bytes:
        """Every SharedSecret masked."""
        return mask_shared_secrets(body)

    def refuse_unknown(self, request: InboundRequest) -> InboundRefusal:
        """A malformed body is a 400 whoever sends it; anything else is the bad-credential 401."""
        try:
            document = parse_cxml(request.body)
        except DocumentError as error:
            return InboundRefusal(error)
        # The work a partner's connector does before refusing a bad secret, so that timing
        # does not tell an unknown key from a known one either.
        check_for_no_partner(document.header.sender if document.header else ())
        return InboundRefusal(
            AuthenticityError(NOT_AUTHENTIC), kind=document.kind, reference=document.payload_id
        )

    def reply_refusal(self, refusal: InboundRefusal, context: ConnectorContext) -> InboundReply:
        """A cXML Response with the refusal's status, in our default cXML version."""
        status = refusal_status(refusal.error)
        now = context.clock()
        body = build_response(
            status,
            payload_id=new_payload_id(now, context.hostname),
            timestamp=now,
            version=DEFAULT_VERSION,
        )
        return InboundReply(http_status(status), body, CONTENT_TYPE, kind="Response")

    def translate(
        self, body: bytes, *, tz: tzinfo, config: Mapping[str, Any] | None = None
    ) -> InboundBatch:
        """The OrderRequest in `body` (no credentials checked)."""
        del config  # cXML reading has no per-partner rules
        document = parse_cxml(body, default_tz=tz)
        if document.kind != "OrderRequest":
            message = (
                f"{document.kind} is not translated: this hub reads OrderRequest documents "
                "from cXML partners"
            )
            return single_batch(document, _problem(document, Reason.UNSUPPORTED, message), None)
        kinds = frozenset({"OrderRequest"})
        item = order_document(document, tz=tz, kinds=kinds)
        return single_batch(document, item, joined_note(*order_notes(item)))


CXML_INGRESS = CxmlIngress()
"""The one cXML ingress object every cXML platform connector declares."""

__all__ = [
    "CONTENT_TYPE",
    "CXML_INGRESS",
    "IDEMPOTENCY_SCOPE",
    "CxmlIngress",
    "http_status",
    "is_test_document",
    "joined_note",
    "order_document",
    "order_notes",
    "refusal_status",
    "single_batch",
]
