"""The X12 ingress: `POST /edi/x12/{partner_key}` for retailers that trade in ANSI X12.

The body is raw X12 (one interchange or a mailbag); the partner authenticates with
`Authorization: Bearer <token>`. Answers are the 997/999 (and TA1) of every readable
interchange as `application/edi-x12`; what cannot be answered in X12 (no credentials, not one
readable interchange, a body too large) is answered with problem+json, since there is no
interchange to answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from connectors.core.bearer import NOT_AUTHENTIC, check_for_no_partner
from connectors.core.contract import ConnectorContext
from connectors.core.errors import (
    AuthenticityError,
    ConnectorError,
    DocumentError,
)
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
from connectors.formats.x12 import (
    InterchangeFailure,
    TransactionSet,
    X12Error,
    X12InboundRules,
    X12UnsupportedError,
    read_850,
    read_x12,
    readable,
)

CONTENT_TYPE = "application/edi-x12"
IDEMPOTENCY_SCOPE = "x12-interchange"
UNKNOWN_PARTNER = NOT_AUTHENTIC
"""The reason of every 401: an unknown key and a wrong token alike (`connectors.core.bearer`)."""


def set_reference(transaction_set: TransactionSet) -> str:
    """The partner's document id of one set: `ISA13/GS06/ST02`."""
    return "/".join(set_position(transaction_set).values())


def set_position(transaction_set: TransactionSet) -> dict[str, str]:
    """Where a set sits in its body, as data (a dead letter keeps it for replay); a byte the
    partner's encoding cannot decode is spelled `\\xNN`, so every value can be stored."""
    return {
        "interchange": readable(transaction_set.interchange.control_number),
        "group": readable(transaction_set.group.control_number),
        "set": readable(transaction_set.control_number),
    }


def set_label(transaction_set: TransactionSet) -> str:
    """How a held set is named in its dead letter."""
    set_id = readable(transaction_set.set_id)
    return f"{set_id} {set_reference(transaction_set)} (ISA13/GS06/ST02)"


def order_document(
    transaction_set: TransactionSet, rules: X12InboundRules, *, tz: tzinfo
) -> InboundDocument:
    """An 850 read into its purchase order, or the problem that keeps it from being read."""
    try:
        order = read_850(transaction_set, rules, tz=tz)
    except X12UnsupportedError as error:
        return set_problem(transaction_set, Reason.UNSUPPORTED, error)
    except X12Error as error:
        return set_problem(transaction_set, Reason.MALFORMED, error)
    if not transaction_set.ack.accepted:
        codes = ", ".join(transaction_set.ack.codes) or "syntax errors"
        return set_problem(
            transaction_set, Reason.MALFORMED, None, f"the set has syntax errors ({codes})"
        )
    return set_document(transaction_set, content=order)


def set_document(transaction_set: TransactionSet, **values: Any) -> InboundDocument:
    """An `InboundDocument` for one set, with its reference, position and label."""
    return InboundDocument(
        kind=readable(transaction_set.set_id),
        reference=set_reference(transaction_set),
        position=set_position(transaction_set),
        label=set_label(transaction_set),
        state=transaction_set,
        **values,
    )


def set_problem(
    transaction_set: TransactionSet,
    reason: Reason,
    error: X12Error | None,
    message: str | None = None,
) -> InboundDocument:
    """A set that cannot be read; `error` (with its position and codes) goes into the 997 -
    unless the set is an acknowledgement, which no 997 answers (then a person gets it)."""
    text = readable(message or str(error))  # error positions quote element values as sent
    answered = transaction_set.group.functional_id != "FA"
    problem = DocumentProblem(reason, text, error, answered=answered)
    return set_document(transaction_set, problem=problem)


def refusal_reply(error: ConnectorError) -> InboundReply:
    """problem+json for a body that gets no acknowledgement."""
    return refusal_problem_reply(error, unreadable="No readable X12 interchange")


class X12Ingress:
    """The X12 front door (see the module docstring)."""

    name = "x12"
    path: str | None = "/edi/x12/{partner_key}"
    media_type = CONTENT_TYPE
    summary = "Receive X12 interchanges (850 purchase orders) from a trading partner"
    description = (
        "Authenticate (bearer token), store, translate and apply every interchange of the body "
        "(a mailbag is fine); the answer is the 997 (or 999, and a TA1 when asked or when the "
        "interchange is rejected) of each interchange, in the partner's delimiters, or 202 with "
        "no body when the partner takes no acknowledgements. A set that cannot be read is "
        "rejected in its 997 and the good sets of the same interchange are stored; nothing the "
        "997 or TA1 rejects is stored, and test interchanges (ISA15=T) are answered, never "
        "applied."
    )
    refusal_statuses: Mapping[int, str] = {
        202: "Accepted; the partner takes no acknowledgements",
        400: "Not one readable X12 interchange (problem+json)",
        401: "Unknown partner or wrong bearer token (problem+json)",
        413: "Body over the size limit (problem+json)",
        503: "The hub cannot store documents right now; retry (problem+json)",
    }

    def sniff(self, head: bytes) -> bool:
        """X12 starts with `ISA` (after a BOM and white space)."""
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"ISA")

    def redact(self, body: bytes) -> bytes:
        """X12 bodies carry no secret the hub uses (the bearer token is a header)."""
        return body

    def refuse_unknown(self, request: InboundRequest) -> InboundRefusal:
        """The same 401 as a wrong token, after the same constant-time comparison (against a
        dummy token), so that neither words nor timing tell an unknown key from a known one."""
        check_for_no_partner(request.bearer_token())
        return InboundRefusal(AuthenticityError(UNKNOWN_PARTNER), kind="interchange")

    def reply_refusal(self, refusal: InboundRefusal, context: ConnectorContext) -> InboundReply:
        """problem+json: there is no interchange to answer in X12."""
        del context
        return refusal_reply(refusal.error)

    def translate(
        self, body: bytes, *, tz: tzinfo, config: Mapping[str, Any] | None = None
    ) -> InboundBatch:
        """Every 850 of every interchange, with a problem for each set that is not one."""
        rules = X12InboundRules.model_validate(dict((config or {}).get("inbound") or {}))
        documents: list[InboundDocument] = []
        problems: list[str] = []
        for event in read_x12(body):
            if isinstance(event, InterchangeFailure):
                problems.append(str(event.error))
            elif isinstance(event, TransactionSet):
                documents.append(self._translated(event, rules, tz))
        if not documents and problems:
            raise DocumentError(problems[0])
        if not documents:
            msg = "no 850 purchase order in the file"
            raise DocumentError(msg)
        unit = InboundUnit(IDEMPOTENCY_SCOPE, "translate", "translate", tuple(documents))
        return InboundBatch("interchange", None, (unit,), tuple(problems))

    @staticmethod
    def _translated(event: TransactionSet, rules: X12InboundRules, tz: tzinfo) -> InboundDocument:
        if event.set_id != "850":
            message = (
                f"transaction set {event.set_id} ({event.position(0)}) is not translated: "
                "this hub reads 850 purchase orders from X12 partners"
            )
            return set_problem(event, Reason.UNSUPPORTED, None, message)
        return order_document(event, rules, tz=tz)


X12_INGRESS = X12Ingress()
"""The X12 ingress every X12 connector declares."""
