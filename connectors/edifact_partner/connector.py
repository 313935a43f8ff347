"""One UN/EDIFACT trading partner: ORDERS in, ORDRSP/DESADV/INVOIC out, CONTRL both ways,
APERAK in.

Everything partner-specific is data in the profile (`EdifactPartnerSettings`: identities,
syntax level, directory, association codes, service characters, code choices) plus how the
partner authenticates, wants its CONTRL and takes our documents. The connector is stateless:
interchange and message references come from the core's per-partner counters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import ClassVar, Literal

from pydantic import SecretStr

from connectors.core.bearer import token_is_valid
from connectors.core.contract import Capability, ConnectorContext, ConnectorSpec
from connectors.core.errors import (
    AuthenticityError,
    ConfigError,
    DocumentError,
    RejectedByPartnerError,
    TransientError,
    UnsupportedDocumentError,
)
from connectors.core.http import classify_status
from connectors.core.inbound import (
    AcknowledgedDocument,
    AckStatus,
    Disposition,
    DocumentResult,
    InboundBatch,
    InboundDocument,
    InboundRefusal,
    InboundReply,
    InboundRequest,
    InboundUnit,
    NumberAllocator,
    PartnerAcknowledgement,
    Reason,
    UnitAnswer,
)
from connectors.core.push import DocumentIdentity, OutboundDocument, OutboundMessage, Receipt
from connectors.core.transport import Destination, FileDropLocation, PartnerTransportConfig
from connectors.edifact_partner.ingress import (
    CONTENT_TYPE,
    EDIFACT_INGRESS,
    IDEMPOTENCY_SCOPE,
    UNKNOWN_PARTNER,
    message_document,
    message_problem,
    orders_document,
)
from connectors.formats.edifact import (
    ActionCode,
    ContrlReport,
    ControlReferences,
    EdifactError,
    EdifactEvent,
    EdifactPartnerSettings,
    ElementRef,
    InterchangeEnd,
    InterchangeFailure,
    InterchangeHeader,
    Message,
    MessageOutcome,
    SyntaxErrorCode,
    build_contrl,
    build_document,
    read_aperak,
    read_contrl,
    read_edifact,
)

__all__ = ["OUTBOUND_MESSAGES", "EdifactPartnerConfig", "EdifactPartnerConnector"]

OUTBOUND_MESSAGES: dict[str, str] = {
    "order_confirmation": "ORDRSP",
    "ship_notice": "DESADV",
    "invoice": "INVOIC",
    "inventory_snapshot": "INVRPT",
    "price_catalog": "PRICAT",
}
"""Message type of each outbound canonical document type."""
ACKNOWLEDGEMENTS = frozenset({"CONTRL", "APERAK"})
_UNH_MESSAGE_TYPE = ElementRef(3, 1)
"""UNH S009 0065 (the tag is position 1, 0062 is 2, S009 is 3): where a refused type points."""


class EdifactPartnerConfig(EdifactPartnerSettings, PartnerTransportConfig):
    """The partner's EDIFACT settings, how it authenticates and wants its CONTRL, and where our
    documents go (`endpoints`, `file_drop` or `sftp`, `outbound_token`)."""

    contrl: Literal["always", "requested", "never"] = "requested"
    """When we answer with a CONTRL: when UNB 0031 asks for one (`requested`), always, never."""
    api_token: SecretStr
    """The bearer token the partner presents on `POST /edi/edifact/{partner}`; never logged."""


class EdifactPartnerConnector:
    """A stateless connector for one EDIFACT trading partner.

    INBOUND: a body holds interchanges (units, deduplicated by UNB sender, recipient and 0020),
    each holding messages (documents: ORDERS orders, CONTRL and APERAK about our documents);
    every interchange the partner wants acknowledged gets a CONTRL numbered from the core's
    counters. A message that cannot be read is rejected in the CONTRL while the good ones are
    stored; an interchange rejected as a whole (a UNZ count, a UNB problem) stores nothing. PUSH:
    ORDRSP, DESADV, INVOIC and the feeds (INVRPT stock, PRICAT prices), one message per
    interchange whose UNB 0020 and UNH 0062 are one number fixed when queued, so the partner's
    CONTRL (UCI) and APERAK (RFF+ACW) both name it.
    """

    spec: ClassVar[ConnectorSpec] = ConnectorSpec(
        key="edifact",
        display_name="UN/EDIFACT trading partner",
        protocol="edifact",
        capabilities=frozenset({Capability.INBOUND, Capability.PUSH}),
        inbound_documents=frozenset({"ORDERS", "CONTRL", "APERAK"}),
        outbound_documents=frozenset({"ORDRSP", "DESADV", "INVOIC", "INVRPT", "PRICAT"}),
        ingress=EDIFACT_INGRESS,
    )
    config_model: ClassVar[type[EdifactPartnerConfig]] = EdifactPartnerConfig
    answers_business_problems: ClassVar[bool] = False
    """A CONTRL reports syntax: business problems are acknowledged and held for a person."""

    def __init__(self, config: EdifactPartnerConfig, context: ConnectorContext) -> None:
        self.config = config
        self.context = context

    def authenticate(self, presented: str | None) -> None:
        """Check the bearer token in constant time; `AuthenticityError` in the words an unknown
        partner key gets (`connectors.core.bearer`), naming no secret."""
        if not token_is_valid(presented, self.config.api_token.get_secret_value()):
            raise AuthenticityError(UNKNOWN_PARTNER)  # an unknown key's words (no enumeration)

    # -- INBOUND ----------------------------------------------------------------------------

    def open(self, request: InboundRequest, *, tz: tzinfo) -> InboundBatch | InboundRefusal:
        """Check the token (unless a file drop brought the body), read every interchange."""
        if not request.trusted:
            try:
                self.authenticate(request.bearer_token())
            except AuthenticityError as error:
                return InboundRefusal(error, kind="interchange")
        try:
            events = list(read_edifact(request.body))
        except EdifactError as error:  # not EDIFACT at all, UTF-16, EBCDIC
            return InboundRefusal(error, authenticated=True, kind="interchange")
        problems = [str(e.error) for e in events if isinstance(e, InterchangeFailure)]
        units: list[InboundUnit] = []
        current: list[EdifactEvent] = []
        for event in events:
            if isinstance(event, InterchangeFailure):
                continue
            current.append(event)
            if isinstance(event, InterchangeEnd):
                problem = self._misaddressed(event.header)
                if problem is None:
                    units.append(self._unit(event, current, tz))
                else:
                    problems.append(problem)
                current = []
        if not units:
            reason = problems[0] if problems else "no EDIFACT interchange in the body"
            return InboundRefusal(DocumentError(reason), authenticated=True, kind="interchange")
        return InboundBatch("interchange", units[0].reference, tuple(units), tuple(problems))

    def _unit(self, end: InterchangeEnd, events: list[EdifactEvent], tz: tzinfo) -> InboundUnit:
        header = end.header
        documents = tuple(
            self._document(event, end, tz) for event in events if isinstance(event, Message)
        )
        key = header.key
        idempotency_key = ":".join(
            (
                key.sender_qualifier,
                key.sender_id,
                key.recipient_qualifier,
                key.recipient_id,
                key.control_reference,
            )
        )
        return InboundUnit(
            IDEMPOTENCY_SCOPE,
            idempotency_key,
            header.control_reference,
            documents,
            state=end,
            test=self._is_test(header),
        )

    def _is_test(self, header: InterchangeHeader) -> bool:
        """Test data sent into a live partnership (UNB 0035 = 1 while the profile is not in
        test): answered like any interchange (its CONTRL included), never applied. A
        partnership in test (`test: true`) takes everything as its own traffic."""
        return header.test and not self.config.test

    def _document(self, message: Message, end: InterchangeEnd, tz: tzinfo) -> InboundDocument:
        if end.rejected:
            notes = "; ".join(note.message for note in end.notes if note.rejecting)
            text = f"the interchange is rejected as a whole: {notes}"
            return message_problem(message, Reason.MALFORMED, None, text)
        if message.message_type == "ORDERS":
            return orders_document(message, self.config.inbound, tz=tz)
        if message.message_type in ACKNOWLEDGEMENTS:
            return self._acknowledgement(message, tz)
        text = f"{message.message_type} messages are not taken from this partner"
        return message_problem(message, Reason.UNSUPPORTED, None, text)

    def _acknowledgement(self, message: Message, tz: tzinfo) -> InboundDocument:
        """A CONTRL or APERAK about our interchanges, as acknowledged ack keys."""
        if message.errors:
            shown = "; ".join(str(error) for error in message.errors[:3])
            return message_problem(message, Reason.MALFORMED, None, shown)
        try:
            if message.message_type == "CONTRL":
                documents = _contrl_acknowledged(read_contrl(message))
            else:
                report = read_aperak(message, tz=tz)
                status = AckStatus.REJECTED if report.rejected else AckStatus.ACCEPTED
                errors = ", ".join(e.code for e in report.errors)
                documents = tuple(
                    AcknowledgedDocument(
                        ack_key=_number(reference.value),
                        status=status,
                        description=f"message {reference.value} (APERAK {report.function}"
                        + (f", errors {errors})" if errors else ")"),
                    )
                    for reference in report.references
                    if reference.qualifier == "ACW"
                )
        except EdifactError as error:
            return message_problem(message, Reason.MALFORMED, error)
        return message_document(message, content=PartnerAcknowledgement(documents))

    def _misaddressed(self, header: InterchangeHeader) -> str | None:
        """Why an interchange is not from this partner to us (UNB S002/S003), or None."""
        config = self.config
        if (header.sender_id, header.recipient_id) == (config.partner_id, config.our_id):
            return None
        return (
            f"interchange {header.control_reference} is from {header.sender_id!r} to "
            f"{header.recipient_id!r}; this partner sends as {config.partner_id!r} to "
            f"{config.our_id!r} (UNB S002/S003); not processed"
        )

    def acknowledge(
        self,
        unit: InboundUnit,
        results: Sequence[DocumentResult],
        *,
        numbers: NumberAllocator,
    ) -> UnitAnswer | None:
        """The CONTRL of one interchange, when the partner wants one.

        Messages refused by the core or unreadable are rejected (UCM 4 with UCS/UCD); stored,
        held and duplicate messages are acknowledged: a CONTRL reports syntax, not business.
        An interchange of nothing but CONTRL messages is never answered.
        """
        end = unit.state
        assert isinstance(end, InterchangeEnd)
        header = end.header
        only_contrl = bool(unit.documents) and all(d.kind == "CONTRL" for d in unit.documents)
        if not self._wants_contrl(header) or only_contrl:
            return None
        outcomes = [_outcome(result) for result in results]
        report = end.acknowledge(outcomes)
        references = ControlReferences(
            interchange=numbers.allocate("interchange"), message=numbers.allocate("message")
        )
        built = build_contrl(report, header, references=references, now=self.context.clock())
        return UnitAnswer(built.data, "CONTRL", 200, CONTENT_TYPE, built.interchange_reference)

    def _wants_contrl(self, header: InterchangeHeader) -> bool:
        if self.config.contrl == "always":
            return True
        return self.config.contrl == "requested" and header.acknowledgement_requested

    def reply(self, answers: Sequence[UnitAnswer]) -> InboundReply:
        """Every CONTRL in one body; 202 without a body when none."""
        body = b"".join(answer.body for answer in answers)
        if not body:
            return InboundReply(202)
        return InboundReply(200, body, CONTENT_TYPE)

    def reread(self, body: bytes, position: Mapping[str, str], *, tz: tzinfo) -> InboundDocument:
        """The message at `position` (UNB 0020, UNH 0062) of a stored body, read again."""
        wanted = (position.get("interchange"), position.get("message"))
        end_of: dict[int, InterchangeEnd] = {}
        messages: list[Message] = []
        for event in read_edifact(body):
            if isinstance(event, Message):
                messages.append(event)
            elif isinstance(event, InterchangeEnd):
                for message in messages:
                    end_of[id(message)] = event
        for message in messages:
            if (message.interchange.control_reference, message.reference) == wanted:
                document = self._document(message, end_of[id(message)], tz)
                if document.problem is not None:
                    raise DocumentError(document.problem.message)
                return document
        msg = f"the stored interchange has no message {'/'.join(map(str, wanted))} (UNB/UNH)"
        raise DocumentError(msg)

    # -- file drop --------------------------------------------------------------------------

    def file_drop(self) -> FileDropLocation | None:
        """The partner's drop (a folder or an SFTP account), when the profile names one."""
        return self.config.file_drop_location()

    def answer_file_name(self, document_id: str) -> str:
        """Our CONTRL for one inbound file goes to `outbound/` under this name."""
        return f"CONTRL_{document_id}.edi"

    # -- PUSH -------------------------------------------------------------------------------

    def outbound_kind(self, document_type: str) -> str:
        """The message type that carries a canonical document type to this partner."""
        kind = OUTBOUND_MESSAGES.get(document_type)
        if kind is None or kind not in self.spec.outbound_documents:
            msg = f"EDIFACT partners do not take {document_type} documents from us"
            raise UnsupportedDocumentError(msg)
        return kind

    def destination(self, kind: str, *, payload_id: str = "") -> Destination:
        """Where `kind` goes: the partner's URL, or its file drop (`<type>_<reference>.edi`)."""
        return self.config.destination(kind, file_name=f"{kind}_{payload_id}.edi")

    def identify(self, kind: str, *, numbers: NumberAllocator, now: datetime) -> DocumentIdentity:
        """One number for UNB 0020 and UNH 0062 (one message per interchange): the partner's
        CONTRL names the interchange, its APERAK the message, and both find the document."""
        del kind, now
        reference = str(numbers.allocate("interchange"))
        return DocumentIdentity(payload_id=reference, ack_key=reference)

    def render(
        self, document: OutboundDocument, *, payload_id: str, timestamp: datetime
    ) -> OutboundMessage:
        """The interchange carrying `document`, with the references it was queued with."""
        kind = self.outbound_kind(document.document_type)
        if not payload_id.isdigit():
            msg = f"{payload_id!r} is not an EDIFACT interchange reference"
            raise ConfigError(msg)
        references = ControlReferences(interchange=int(payload_id), message=int(payload_id))
        interchange = build_document(
            document,
            self.config,
            references=references,
            now=timestamp,
            tz=timestamp.tzinfo or UTC,
        )
        return OutboundMessage(
            kind=kind,
            destination=self.destination(kind, payload_id=payload_id),
            body=interchange.data,
            content_type=CONTENT_TYPE,
        )

    def read_receipt(self, http_status: int, body: bytes, headers: Mapping[str, str]) -> Receipt:
        """2xx with no body or an accepting CONTRL is a receipt; a rejecting one is permanent."""
        classify_status(http_status, body, headers, now=self.context.clock(), what="the partner")
        if not body.strip():
            return Receipt(http_status, "accepted")
        try:
            reports = [
                read_contrl(event)
                for event in read_edifact(body)
                if isinstance(event, Message) and event.message_type == "CONTRL"
            ]
        except EdifactError as error:
            msg = f"the partner answered with an unreadable CONTRL: {error}"
            raise TransientError(msg) from None
        rejected = [
            document
            for report in reports
            for document in _contrl_acknowledged(report)
            if document.status is AckStatus.REJECTED
        ]
        if rejected:
            shown = "; ".join(document.description for document in rejected)
            msg = f"the partner's CONTRL rejected it ({shown})"
            raise RejectedByPartnerError(msg, status_code=http_status)
        text = "accepted in the partner's CONTRL" if reports else "accepted"
        states = {d.status for report in reports for d in _contrl_acknowledged(report)}
        verdict = (
            None
            if not reports
            else AckStatus.ACCEPTED_WITH_ERRORS
            if AckStatus.ACCEPTED_WITH_ERRORS in states
            else AckStatus.ACCEPTED
        )
        return Receipt(http_status, text, acknowledgment=verdict)


def _outcome(result: DocumentResult) -> MessageOutcome:
    """A message's UCM given the core's verdict."""
    message = result.document.state
    assert isinstance(message, Message)
    outcome = message.outcome
    if result.disposition is not Disposition.REFUSED:
        return outcome
    problem = result.document.problem
    if problem is not None and isinstance(problem.detail, EdifactError):
        return outcome.for_error(problem.detail)
    if problem is not None and problem.reason is Reason.MALFORMED:
        return outcome.rejected(SyntaxErrorCode.UNSPECIFIED)  # already rejected by the reader
    if result.reason in {Reason.NOT_ENABLED, Reason.UNSUPPORTED}:
        return outcome.rejected(
            SyntaxErrorCode.NO_AGREEMENT, service_segment="UNH", element=_UNH_MESSAGE_TYPE
        )
    return outcome.rejected(SyntaxErrorCode.INVALID_VALUE)


def _contrl_acknowledged(report: ContrlReport) -> tuple[AcknowledgedDocument, ...]:
    """What a partner's CONTRL says about our interchange (one message per interchange)."""
    actions = [report.action, *(m.action for m in report.all_messages())]
    rejected = ActionCode.REJECTED in actions
    codes = [
        code for code in (report.code, *(m.code for m in report.all_messages())) if code is not None
    ]
    status = AckStatus.REJECTED if rejected else AckStatus.ACCEPTED
    what = "received" if report.action is ActionCode.RECEIVED else status.value
    description = f"interchange {report.interchange_reference} ({what}"
    description += f", codes {', '.join(codes)})" if codes else ")"
    return (
        AcknowledgedDocument(
            ack_key=_number(report.interchange_reference), status=status, description=description
        ),
    )


def _number(reference: str) -> str:
    """A reference as the ack key our documents were queued with (`0007` is `7`)."""
    text = reference.strip()
    return str(int(text)) if text.isdigit() else text
