"""The INBOUND capability: partners push bytes to us; the connector reads and answers them.

The core runs one pipeline for every inbound path (HTTP push, file drop, pull, dead-letter
replay) and never looks inside a protocol. What it needs is exchanged as data:

    InboundRequest      the bytes and how they came (headers, transport, remote address)
      -> connector.open  decode + authenticate, in the order the protocol needs
    InboundBatch        what was in the body: units (each answered and deduplicated as a whole:
                        a cXML document, an X12 or EDIFACT interchange), each holding documents
                        (an OrderRequest, an 850, an ORDERS message), each with its canonical
                        content or the problem that keeps it from being read, and its position
      -> core            dedup per unit, map + apply per document, one transaction
    DocumentResult      per document: stored, duplicate, held or refused, and why
      -> connector.acknowledge
    UnitAnswer          the answer of one unit in the partner's protocol (cXML Response,
                        997/999/TA1, CONTRL), numbered from the core's persisted counters
      -> connector.reply
    InboundReply        what goes back on the wire

Refusals before or instead of reading (unknown partner, bad credentials, nothing readable, a body
too large, the store down) are `InboundRefusal` values, answered by the protocol's `Ingress`,
which exists without any partner configuration.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from connectors.core.errors import (
    AuthenticityError,
    ConnectorError,
    DocumentError,
    UnsafeDocumentError,
)
from schemas import PurchaseOrder

if TYPE_CHECKING:
    from connectors.core.contract import ConnectorContext, ConnectorSpec
    from connectors.core.transport import FileDropLocation


class Transport(StrEnum):
    """How an inbound body reached the hub."""

    HTTP = "http"
    """Pushed to an ingress endpoint; the connector authenticates the sender."""
    FILE_DROP = "file-drop"
    """Picked up from the partner's file drop; the drop's access control authenticated it."""
    PULL = "pull"
    """Fetched by us from the partner's API with our credentials."""
    REPLAY = "replay"
    """Read again from the document log (dead-letter replay); authenticated when it arrived."""


@dataclass(frozen=True)
class InboundRequest:
    """Bytes a partner sent, and how they came."""

    body: bytes = field(repr=False)
    """The body as received (may carry a shared secret: never log it unredacted)."""
    transport: Transport = Transport.HTTP
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Request headers with lower-case names (may carry a bearer token: never log them)."""
    remote_addr: str | None = None
    """The peer's address, or `file-drop:<name>` for a file."""
    content_type: str | None = None

    @property
    def trusted(self) -> bool:
        """True when the channel itself authenticated the partner (file drop, pull, replay)."""
        return self.transport is not Transport.HTTP

    def bearer_token(self) -> str | None:
        """The token of an `Authorization: Bearer <token>` header, if there is one."""
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        return token.strip() if scheme.lower() == "bearer" else None


class Reason(StrEnum):
    """Why a document was not simply stored (the core and the connector share these words)."""

    MALFORMED = "malformed"
    """It cannot be read: syntax, a missing or invalid value (the connector found it)."""
    UNSUPPORTED = "unsupported"
    """A kind or variant the connector does not handle."""
    NOT_ENABLED = "not_enabled"
    """The partner's profile does not enable this document kind."""
    VALUE = "value"
    """The store refused one of its values (out of range)."""
    MAPPING = "mapping"
    """A code or part the partner's mapping does not know, or a valid document our model cannot
    take yet: held as a dead letter until the mapping is fixed, never refused (a connector may
    report it as a `DocumentProblem`)."""
    SEQUENCE = "sequence"
    """A change of an order we do not have yet (held until the order arrives)."""
    CONFLICT = "conflict"
    """It contradicts the stored order (an older version, a second `new`)."""
    UNMATCHED = "unmatched"
    """An acknowledgement that names no document of ours."""


class Disposition(StrEnum):
    """What the core did with one inbound document."""

    STORED = "stored"
    DUPLICATE = "duplicate"
    """Sent before: an idempotency key already answered, or an order the hub already holds
    with the same content (answered as accepted; nothing changes)."""
    HELD = "held"
    """Kept as a dead letter, to be replayed after a fix."""
    REFUSED = "refused"
    TEST = "test"
    """Test data of a live partnership (`InboundUnit.test`): read and answered as accepted,
    applied to nothing."""


@dataclass(frozen=True)
class DocumentProblem:
    """Why a connector could not read one document (the others of its unit go on)."""

    reason: Reason
    message: str
    """What is wrong and where, safe to send back to the partner."""
    detail: object = field(default=None, repr=False, compare=False)
    """Connector-private detail for its acknowledgement (an X12 error with its codes)."""
    answered: bool = True
    """False when the partner will not hear of it (acknowledgements are never acknowledged):
    the core then holds the document for a person instead of refusing it."""


class AckStatus(StrEnum):
    """A partner's verdict on one of our documents, in its functional acknowledgement."""

    ACCEPTED = "accepted"
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"
    REJECTED = "rejected"


@dataclass(frozen=True)
class AcknowledgedDocument:
    """One of our documents as a partner's acknowledgement names it."""

    ack_key: str
    """The key the document was queued with (`DocumentIdentity.ack_key`)."""
    status: AckStatus
    description: str
    """How the acknowledgement names it, with its codes (`855 GS06 7 ST02 1 (codes: 5)`)."""


@dataclass(frozen=True)
class PartnerAcknowledgement:
    """A partner's acknowledgement of documents we sent (X12 997/999, EDIFACT CONTRL)."""

    documents: tuple[AcknowledgedDocument, ...]


InboundContent = PurchaseOrder | PartnerAcknowledgement
"""What an inbound document can carry into the core."""


@dataclass(frozen=True)
class InboundDocument:
    """One business document inside an inbound body."""

    kind: str
    """The protocol's name for it (`OrderRequest`, `850`, `ORDERS`, `997`); the profile's
    `documents.inbound` lists the kinds a partner may send."""
    reference: str
    """The partner's id of this document (payloadID, `ISA13/GS06/ST02`, `UNB/UNH` references)."""
    position: Mapping[str, str]
    """Where it sits in the stored body, as data; `Inbound.reread` finds it again from this
    (dead-letter replay). Empty when the body is the document."""
    content: InboundContent | None = None
    problem: DocumentProblem | None = None
    label: str | None = None
    """How a dead letter names it when it is one of several in its body (`850 <reference>`
    by default)."""
    state: object = field(default=None, repr=False, compare=False)
    """Connector-private (the X12 transaction set, to acknowledge it)."""

    @property
    def name(self) -> str:
        """`label`, or the kind and the reference."""
        return self.label or f"{self.kind} {self.reference}"


@dataclass(frozen=True)
class InboundUnit:
    """What the partner expects one answer for, deduplicated as a whole (a cXML document, an
    X12 or EDIFACT interchange)."""

    idempotency_scope: str
    """Namespace of `idempotency_key` (`cxml`, `x12-interchange`)."""
    idempotency_key: str
    """The same key means the same unit sent again: it gets the original answer."""
    reference: str
    """The partner's id of the unit, for the log (payloadID, ISA13)."""
    documents: tuple[InboundDocument, ...]
    state: object = field(default=None, repr=False, compare=False)
    """Connector-private (the X12 interchange's events, to acknowledge them)."""
    rejection: str | None = None
    """Why the unit's envelope is rejected as a whole (an X12 interchange its TA1 rejects), said
    in the unit's answer; the connector gives each of its documents a problem as well, and the
    log keeps this text with the body."""
    test: bool = False
    """The partner marked the unit as test data (X12 ISA15=T, EDIFACT UNB 0035=1, cXML
    `deploymentMode="test"`) where its partnership is live:
    it is read, checked and answered like any other, its body logged, but nothing of it is
    applied (no order, no dead letter) and its idempotency key is kept apart from live ones."""


@dataclass(frozen=True)
class InboundBatch:
    """Everything an inbound body held."""

    kind: str
    """What the log calls the body: the document kind when it is one document, else
    `interchange` or the like."""
    reference: str | None
    """The partner's id of the body (payloadID, the first ISA13)."""
    units: tuple[InboundUnit, ...]
    problems: tuple[str, ...] = ()
    """Parts that could not be read into a unit at all (a broken interchange in a mailbag, one
    addressed to someone else), each with its position; recorded with the body."""
    note: str | None = None
    """Something worth keeping with the body (DTD deviations of a document read tolerantly)."""


@dataclass(frozen=True)
class DocumentResult:
    """The core's verdict on one inbound document, handed back for the acknowledgement."""

    document: InboundDocument
    disposition: Disposition
    reason: Reason | None = None
    message: str | None = None
    """What the partner may read about it (never our file paths or internals)."""


@dataclass(frozen=True)
class UnitAnswer:
    """Our answer to one unit, in the partner's protocol."""

    body: bytes = field(repr=False)
    kind: str
    """`Response`, `997`, `999`, `TA1`, `CONTRL`."""
    status_code: int
    """The protocol's status (cXML Status@code); 200 for EDI acknowledgements."""
    content_type: str
    reference: str | None = None
    """Our id of the answer (its payloadID, ISA13, UNB reference)."""


@dataclass(frozen=True)
class InboundReply:
    """What goes back on the wire for one inbound body."""

    status: int
    """HTTP status."""
    body: bytes = field(default=b"", repr=False)
    content_type: str | None = None
    kind: str | None = None
    """What the log calls the reply when it is not one of the units' answers (a refusal's
    `Response`, a `problem`)."""


PROBLEM_JSON = "application/problem+json"


def problem_reply(status: int, title: str, detail: str) -> InboundReply:
    """An RFC 9457 problem+json reply, for protocols that cannot answer a refusal in their own
    terms (no interchange to acknowledge, no credentials)."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return InboundReply(status, json.dumps(body).encode(), PROBLEM_JSON, kind="problem")


def refusal_problem_reply(error: ConnectorError, *, unreadable: str) -> InboundReply:
    """problem+json for a body refused as a whole, for protocols whose acknowledgements answer
    only what they could read (X12, EDIFACT); `unreadable` titles "nothing readable"."""
    if isinstance(error, AuthenticityError):
        detail = f"{error}: send `Authorization: Bearer <token>` as agreed with the hub"
        return problem_reply(401, "Unauthorized", detail)
    if isinstance(error, BodyTooLargeError):
        detail = f"{error.size} bytes; this gateway takes at most {error.limit}"
        return problem_reply(413, "Body too large", detail)
    if isinstance(error, DocumentError):
        return problem_reply(400, unreadable, str(error))
    if isinstance(error, StoreUnavailableError):
        return problem_reply(503, "Service unavailable", str(error))
    return problem_reply(500, "Internal error", "internal error; please retry later")


class BodyTooLargeError(UnsafeDocumentError):
    """A body over the ingress's size limit; only its first bytes were read."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the body is {size} bytes; this endpoint accepts at most {limit}")
        self.size = size
        self.limit = limit


class InternalError(ConnectorError):
    """A failure of ours while handling a body (answered so that the partner retries)."""


class StoreUnavailableError(ConnectorError):
    """The hub could not store the body just now (answered so that the partner retries)."""


@dataclass(frozen=True)
class InboundRefusal:
    """A body refused as a whole, before or instead of reading its documents."""

    error: ConnectorError
    """`AuthenticityError`, a `DocumentError` (nothing readable, `BodyTooLargeError`),
    `StoreUnavailableError` or `InternalError`; its text is safe to send back."""
    authenticated: bool = False
    """False: the body is kept only as a truncated audit trace."""
    kind: str = "unknown"
    reference: str | None = None


class NumberAllocator(Protocol):
    """Persisted counters of the core, per partner and scope, in the current transaction."""

    def allocate(self, scope: str, count: int = 1) -> int:
        """The first of `count` consecutive new numbers in `scope` (`interchange`, `group`...);
        never reused, given back if the transaction rolls back."""
        ...


class Ingress(Protocol):
    """A protocol's inbound front door, usable without any partner's configuration.

    Several connectors may share one (Coupa, Ariba and JAGGAER share the cXML ingress). The
    core mounts `path` as an HTTP endpoint, answers unknown partners and refusals through it,
    and lets `translate` pick it by `sniff`.
    """

    name: str
    """Short name (`cxml`, `x12`, `edifact`, `coupa-rest`)."""
    path: str | None
    """HTTP path with a `{partner_key}` parameter (`/cxml/{partner_key}`), or None when
    partners never push (a pull-only connector)."""
    media_type: str
    """Content type of the bodies it takes and of its answers."""
    summary: str
    """One line for the OpenAPI operation."""
    description: str
    """What the endpoint does and how it answers (OpenAPI)."""
    refusal_statuses: Mapping[int, str]
    """HTTP statuses a refusal can have, with what each means (OpenAPI)."""

    def sniff(self, head: bytes) -> bool:
        """True when `head` (the first bytes of a file) looks like this protocol."""
        ...

    def redact(self, body: bytes) -> bytes:
        """`body` with every secret it may carry masked, for the document log."""
        ...

    def refuse_unknown(self, request: InboundRequest) -> InboundRefusal:
        """The refusal for a partner key we do not serve, indistinguishable from a bad
        credential (so that answers do not reveal which partner keys exist)."""
        ...

    def reply_refusal(self, refusal: InboundRefusal, context: ConnectorContext) -> InboundReply:
        """The refusal in the protocol's own terms (cXML Status 4xx/5xx, problem+json...)."""
        ...

    def translate(
        self, body: bytes, *, tz: tzinfo, config: Mapping[str, Any] | None = None
    ) -> InboundBatch:
        """Every document of `body` read without credentials or addressing checks (offline
        translation); `config` is a partner's raw `connector_config` for its reading rules.
        Raises a `DocumentError` when nothing in it is readable."""
        ...


@runtime_checkable
class InboundConnector(Protocol):
    """A connector whose partners send us documents (`Capability.INBOUND`)."""

    spec: ClassVar[ConnectorSpec]
    answers_business_problems: ClassVar[bool]
    """True when the protocol's answer can tell the sender about a business problem (cXML's
    409): a conflicting document is then refused and the partner corrects it. False for
    syntax-level acknowledgements (997, CONTRL) and pulls: it is held for a person instead."""

    def open(self, request: InboundRequest, *, tz: tzinfo) -> InboundBatch | InboundRefusal:
        """Decode and (unless `request.trusted`) authenticate `request`; read every document.

        Never raises for bad input: a body that cannot be taken at all is an `InboundRefusal`,
        a document that cannot be read carries its `DocumentProblem`.
        """
        ...

    def acknowledge(
        self,
        unit: InboundUnit,
        results: Sequence[DocumentResult],
        *,
        numbers: NumberAllocator,
    ) -> UnitAnswer | None:
        """Our answer to `unit` given the core's verdicts (None: the protocol answers nothing)."""
        ...

    def reply(self, answers: Sequence[UnitAnswer]) -> InboundReply:
        """The wire reply carrying the answers of every unit of one body."""
        ...

    def reread(self, body: bytes, position: Mapping[str, str], *, tz: tzinfo) -> InboundDocument:
        """The document at `position` in a stored body (dead-letter replay); raises a
        `DocumentError` when it is not there or cannot be read."""
        ...


@runtime_checkable
class FileDropInbound(Protocol):
    """A connector whose partner can exchange files through a drop (polled by the core)."""

    def file_drop(self) -> FileDropLocation | None:
        """The partner's drop, if its profile names one."""
        ...

    def answer_file_name(self, document_id: str) -> str:
        """The name under which our answer to one inbound file (the stored body `document_id`)
        goes to `outbound/`."""
        ...
