"""The EDIFACT ingress: `POST /edi/edifact/{partner_key}` for UN/EDIFACT trading partners.

The body is raw EDIFACT (one interchange or several); the partner authenticates with
`Authorization: Bearer <token>`. Answers are the CONTRL of every readable interchange the
partner wants acknowledged, as `application/edifact`; what cannot be answered in EDIFACT (no
credentials, not one readable interchange, a body too large) is answered with problem+json.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from connectors.core.bearer import NOT_AUTHENTIC, check_for_no_partner
from connectors.core.contract import ConnectorContext
from connectors.core.errors import AuthenticityError, ConnectorError, DocumentError
from connectors.core.inbound import (
    DocumentProblem,
    InboundBatch,
    InboundDocument,
    InboundRefusal,
    InboundReply,
    InboundRequest,
    InboundUnit,
    Reason,
    refusal_problem_reply,
)
from connectors.formats.edifact import (
    EdifactError,
    EdifactInboundRules,
    EdifactUnsupportedError,
    InterchangeFailure,
    Message,
    read_edifact,
    read_orders,
)

CONTENT_TYPE = "application/edifact"
IDEMPOTENCY_SCOPE = "edifact-interchange"
UNKNOWN_PARTNER = NOT_AUTHENTIC
"""The reason of every 401: an unknown key and a wrong token alike (`connectors.core.bearer`)."""
_RECIPIENT_PASSWORD = 6
"""UNB S005 (recipient's reference/password) is the sixth element after the tag."""


def message_reference(message: Message) -> str:
    """The partner's id of one message: `<UNB 0020>/<UNH 0062>`."""
    return f"{message.interchange.control_reference}/{message.reference}"


def message_position(message: Message) -> dict[str, str]:
    """Where a message sits in its body, as data (a dead letter keeps it for replay)."""
    position = {"interchange": message.interchange.control_reference, "message": message.reference}
    if message.group is not None:
        position["group"] = message.group.reference
    return position


def message_document(message: Message, **values: Any) -> InboundDocument:
    """An `InboundDocument` for one message, with its reference, position and label."""
    return InboundDocument(
        kind=message.message_type,
        reference=message_reference(message),
        position=message_position(message),
        label=f"{message.message_type} {message_reference(message)} (UNB/UNH)",
        state=message,
        **values,
    )


def message_problem(
    message: Message, reason: Reason, error: EdifactError | None, text: str | None = None
) -> InboundDocument:
    """A message that cannot be read; `error` (with its position and 0085 code) goes into the
    CONTRL."""
    answered = message.message_type not in {"CONTRL", "APERAK"}  # never acknowledged
    problem = DocumentProblem(reason, text or str(error), error, answered=answered)
    return message_document(message, problem=problem)


def orders_document(message: Message, rules: EdifactInboundRules, *, tz: tzinfo) -> InboundDocument:
    """An ORDERS message read into its purchase order, or why it cannot be."""
    if message.errors:
        shown = "; ".join(str(error) for error in message.errors[:3])
        return message_problem(message, Reason.MALFORMED, None, shown)
    try:
        order = read_orders(message, rules, tz=tz)
    except EdifactUnsupportedError as error:
        return message_problem(message, Reason.UNSUPPORTED, error)
    except EdifactError as error:
        return message_problem(message, Reason.MALFORMED, error)
    return message_document(message, content=order)


def refusal_reply(error: ConnectorError) -> InboundReply:
    """problem+json for a body that gets no acknowledgement."""
    return refusal_problem_reply(error, unreadable="No readable EDIFACT interchange")


def mask_recipient_password(body: bytes) -> bytes:
    """`body` with every UNB's recipient reference/password (S005) replaced by `***`.

    Works on the bytes without the reader, so it also masks what could not be read: the
    separators come from a UNA when there is one, the defaults otherwise.
    """
    out = bytearray()
    position = 0
    while True:
        start = body.find(b"UNB", position)
        if start < 0:
            out += body[position:]
            return bytes(out)
        element, release, terminator = _separators(body[:start])
        end = _segment_end(body, start, terminator, release)
        out += body[position:start]
        out += _masked_unb(body[start:end], element, release)
        position = end


def _separators(before: bytes) -> tuple[int, int | None, int]:
    """(element separator, release character, segment terminator) in force for a UNB: those of
    a UNA directly before it (white space between allowed), else the defaults. A UNA further
    back belongs to another interchange, and `UNA` inside a text is no advice at all."""
    head = before.rstrip(b" \t\r\n")
    if len(head) >= 9 and head[-9:-6] == b"UNA":
        advice = head[-6:]
        release = advice[3] if advice[3] != ord(" ") else None
        return advice[1], release, advice[5]
    return ord("+"), ord("?"), ord("'")


def _segment_end(body: bytes, start: int, terminator: int, release: int | None) -> int:
    index = start
    while index < len(body):
        byte = body[index]
        if release is not None and byte == release:
            index += 2
            continue
        if byte == terminator:
            return index
        index += 1
    return len(body)


def _masked_unb(segment: bytes, element: int, release: int | None) -> bytes:
    parts: list[bytearray] = [bytearray()]
    index = 0
    while index < len(segment):
        byte = segment[index]
        if release is not None and byte == release and index + 1 < len(segment):
            parts[-1] += segment[index : index + 2]
            index += 2
            continue
        if byte == element:
            parts.append(bytearray())
        else:
            parts[-1].append(byte)
        index += 1
    if len(parts) > _RECIPIENT_PASSWORD and parts[_RECIPIENT_PASSWORD]:
        parts[_RECIPIENT_PASSWORD] = bytearray(b"***")
    return bytes([element]).join(bytes(part) for part in parts)


class EdifactIngress:
    """The EDIFACT front door (see the module docstring)."""

    name = "edifact"
    path: str | None = "/edi/edifact/{partner_key}"
    media_type = CONTENT_TYPE
    summary = "Receive UN/EDIFACT interchanges (ORDERS, CONTRL, APERAK) from a trading partner"
    description = (
        "Authenticate (bearer token), store, translate and apply every interchange of the body; "
        "the answer is the CONTRL of each interchange the partner wants acknowledged (UNB 0031, "
        "or always, as its profile says), or 202 with no body. A message that cannot be read is "
        "rejected in its CONTRL with the segment and element; the good messages of the same "
        "interchange are stored."
    )
    refusal_statuses: Mapping[int, str] = {
        202: "Accepted; no CONTRL wanted",
        400: "Not one readable EDIFACT interchange (problem+json)",
        401: "Unknown partner or wrong bearer token (problem+json)",
        413: "Body over the size limit (problem+json)",
        503: "The hub cannot store documents right now; retry (problem+json)",
    }

    def sniff(self, head: bytes) -> bool:
        """EDIFACT starts with `UNA` or `UNB` (after a BOM and white space)."""
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"UNA", b"UNB"))

    def redact(self, body: bytes) -> bytes:
        """The UNB recipient password (S005), which some networks use, masked."""
        return mask_recipient_password(body) if b"UNB" in body else body

    def refuse_unknown(self, request: InboundRequest) -> InboundRefusal:
        """The same 401 as a wrong token, after the same constant-time comparison (against a
        dummy token), so that neither words nor timing tell an unknown key from a known one."""
        check_for_no_partner(request.bearer_token())
        return InboundRefusal(AuthenticityError(UNKNOWN_PARTNER), kind="interchange")

    def reply_refusal(self, refusal: InboundRefusal, context: ConnectorContext) -> InboundReply:
        """problem+json: there is no interchange to answer with a CONTRL."""
        del context
        return refusal_reply(refusal.error)

    def translate(
        self, body: bytes, *, tz: tzinfo, config: Mapping[str, Any] | None = None
    ) -> InboundBatch:
        """Every ORDERS message of every interchange, with a problem for each other message."""
        rules = EdifactInboundRules.model_validate(dict((config or {}).get("inbound") or {}))
        documents: list[InboundDocument] = []
        problems: list[str] = []
        for event in read_edifact(body):
            if isinstance(event, InterchangeFailure):
                problems.append(str(event.error))
            elif isinstance(event, Message):
                if event.message_type == "ORDERS":
                    documents.append(orders_document(event, rules, tz=tz))
                else:
                    text = (
                        f"{event.message_type} message {message_reference(event)} is not "
                        "translated: this hub reads ORDERS messages from EDIFACT partners"
                    )
                    documents.append(message_problem(event, Reason.UNSUPPORTED, None, text))
        if not documents:
            raise DocumentError(problems[0] if problems else "no EDIFACT message in the file")
        unit = InboundUnit(IDEMPOTENCY_SCOPE, "translate", "translate", tuple(documents))
        return InboundBatch("interchange", None, (unit,), tuple(problems))


EDIFACT_INGRESS = EdifactIngress()
"""The EDIFACT ingress every EDIFACT connector declares."""
