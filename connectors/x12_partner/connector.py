"""One retailer that trades in ANSI X12: authenticate its POSTs, read 850s, build 997/999/TA1.

Everything partner-specific is data in the profile (`X12PartnerSettings`: identities, version,
delimiters, qualifiers, code choices) plus how the partner wants its acknowledgements. The
connector is stateless: control numbers come from the core's per-partner counter.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
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
from connectors.core.transport import (
    Destination,
    FileDropLocation,
    PartnerTransportConfig,
    SftpDropConfig,
)
from connectors.formats.x12 import (
    AckCode,
    ControlNumbers,
    EnvelopeNote,
    GroupAck,
    GroupEnd,
    InterchangeAck,
    InterchangeEnd,
    InterchangeFailure,
    InterchangeHeader,
    InterchangeNoteCode,
    OutboundInterchange,
    SetAck,
    TransactionSet,
    X12Error,
    X12Event,
    X12PartnerSettings,
    X12SyntaxError,
    X12UnsupportedError,
    build_997,
    build_999,
    build_document,
    build_ta1,
    count_ack_groups,
    read_850,
    read_acknowledgment,
    read_x12,
    readable,
)
from connectors.x12_partner.ingress import (
    CONTENT_TYPE,
    IDEMPOTENCY_SCOPE,
    UNKNOWN_PARTNER,
    X12_INGRESS,
    order_document,
    set_document,
    set_position,
    set_problem,
)
from schemas import PurchaseOrder

__all__ = [
    "CONTENT_TYPE",
    "OUTBOUND_SETS",
    "SftpDropConfig",
    "X12PartnerConfig",
    "X12PartnerConnector",
    "control_numbers_of",
]


class X12PartnerConfig(X12PartnerSettings, PartnerTransportConfig):
    """The partner's X12 settings, how it authenticates and wants its acknowledgements, and
    where our documents go (`endpoints`, `file_drop` or `sftp`, `outbound_token`)."""

    acknowledgment: Literal["997", "999", "none"] = "997"
    """Functional acknowledgement we answer with: 997, 999 (5010 partners who ask), or none."""
    ta1: Literal["never", "requested", "always"] = "requested"
    """Interchange acknowledgement: when the partner sets ISA14=1 (`requested`), always, never."""
    api_token: SecretStr
    """The bearer token the partner presents on `POST /edi/x12/{partner}`; never logged."""


class X12PartnerConnector:
    """A stateless connector for one X12 trading partner.

    INBOUND: a body holds interchanges (units, deduplicated by ISA05-08 and ISA13), each holding
    transaction sets (documents: 850 orders, 997/999 about our documents); every readable
    interchange is answered with a 997/999 (and TA1) numbered from the core's counters. A set
    that cannot be read is rejected in the 997 while the good ones are stored. PUSH: 855, 856,
    810 and the feeds (846 stock, 832 prices), with ISA13/GS06/ST02 fixed when queued, over HTTP
    or into the partner's file drop.
    """

    spec: ClassVar[ConnectorSpec] = ConnectorSpec(
        key="x12",
        display_name="ANSI X12 trading partner",
        protocol="x12",
        capabilities=frozenset({Capability.INBOUND, Capability.PUSH}),
        inbound_documents=frozenset({"850", "997", "999"}),
        outbound_documents=frozenset({"855", "856", "810", "846", "832"}),
        ingress=X12_INGRESS,
    )
    config_model: ClassVar[type[X12PartnerConfig]] = X12PartnerConfig
    answers_business_problems: ClassVar[bool] = False
    """A 997 acknowledges syntax: business problems are accepted and held for a person."""

    def __init__(self, config: X12PartnerConfig, context: ConnectorContext) -> None:
        self.config = config
        self.context = context

    def authenticate(self, presented: str | None) -> None:
        """Check the bearer token in constant time; `AuthenticityError` in the words an unknown
        partner key gets (`connectors.core.bearer`), naming no secret."""
        if not token_is_valid(presented, self.config.api_token.get_secret_value()):
            raise AuthenticityError(UNKNOWN_PARTNER)  # an unknown key's words (no enumeration)

    def events(self, body: bytes) -> Iterator[X12Event]:
        """The interchanges, groups and transaction sets in `body` (a mailbag is fine)."""
        return read_x12(body, encoding=self.config.encoding)

    def read_order(self, transaction_set: TransactionSet, *, tz: tzinfo) -> PurchaseOrder:
        """The canonical order of an 850 (`X12Error` with a position when it cannot be read)."""
        return read_850(transaction_set, self.config.inbound, tz=tz)

    def wants_ta1(
        self, header: InterchangeHeader, *, rejected: bool = False, empty: bool = False
    ) -> bool:
        """True when this interchange gets a TA1: always, when the partner asks (ISA14=1), and
        whenever its envelope is rejected or it holds no functional group (unless the partner
        takes none): a 997 cannot say an interchange was rejected, an interchange without groups
        has no 997, and without an answer the partner would think it delivered."""
        if self.config.ta1 == "always":
            return True
        asked = header.acknowledgment_requested or rejected or empty
        return self.config.ta1 == "requested" and asked

    def acknowledge_interchange(
        self, end: InterchangeEnd, *, numbers: ControlNumbers, now: datetime
    ) -> OutboundInterchange:
        """A TA1 on its own, for an interchange without groups to acknowledge."""
        return build_ta1(end, numbers=numbers, now=now)

    def build_acknowledgement(
        self,
        header: InterchangeHeader,
        acks: Sequence[GroupAck],
        *,
        numbers: ControlNumbers,
        now: datetime,
        ta1: InterchangeAck | None,
    ) -> OutboundInterchange | None:
        """The 997 (or 999) interchange answering `header`'s groups, in the partner's delimiters."""
        if self.config.acknowledgment == "none" or not acks:
            return None
        build = build_999 if self.config.acknowledgment == "999" else build_997
        return build(header, acks, numbers=numbers, now=now, ta1=ta1)

    # -- INBOUND ----------------------------------------------------------------------------

    def open(self, request: InboundRequest, *, tz: tzinfo) -> InboundBatch | InboundRefusal:
        """Check the token (unless a file drop brought the body), read every interchange."""
        if not request.trusted:
            try:
                self.authenticate(request.bearer_token())
            except AuthenticityError as error:
                return InboundRefusal(error, kind="interchange")
        try:
            events = list(self.events(request.body))  # the body is in memory already
        except X12Error as error:  # not X12 at all (or EBCDIC, UTF-16): nothing to answer
            return InboundRefusal(error, authenticated=True, kind="interchange")
        problems = [readable(str(e.error)) for e in events if isinstance(e, InterchangeFailure)]
        units: list[InboundUnit] = []
        current: list[X12Event] = []
        for event in events:
            if isinstance(event, InterchangeFailure):
                continue
            if isinstance(event, InterchangeEnd):
                end = self._addressed(event)
                current.append(end)
                units.append(self._unit(end, current, tz))
                current = []
            else:
                current.append(event)
        if not units:
            reason = problems[0] if problems else "no X12 interchange in the body"
            return InboundRefusal(DocumentError(reason), authenticated=True, kind="interchange")
        return InboundBatch(
            kind="interchange",
            reference=units[0].reference,
            units=tuple(units),
            problems=tuple(problems),
        )

    def _unit(self, end: InterchangeEnd, events: list[X12Event], tz: tzinfo) -> InboundUnit:
        rejection = end.rejection
        groups = {id(event.group): event for event in events if isinstance(event, GroupEnd)}
        documents = tuple(
            self._document(event, tz, rejection or _group_rejection(groups.get(id(event.group))))
            for event in events
            if isinstance(event, TransactionSet)
        )
        key = end.header.key
        idempotency_key = ":".join(
            (
                key.sender_qualifier,
                key.sender_id,
                key.receiver_qualifier,
                key.receiver_id,
                key.control_number,
            )
        )
        return InboundUnit(
            idempotency_scope=IDEMPOTENCY_SCOPE,
            idempotency_key=readable(idempotency_key),
            reference=readable(end.header.control_number),
            documents=documents,
            state=events,
            rejection=(
                None
                if rejection is None
                else readable(f"interchange {end.header.control_number} rejected: {rejection}")
            ),
            test=self._is_test(end.header),
        )

    def _is_test(self, header: InterchangeHeader) -> bool:
        """Test data sent into a live partnership (ISA15 T or I while the profile's usage is P):
        answered like any interchange, never applied. A partnership in test (usage T) takes
        everything as its own traffic."""
        return self.config.usage == "P" and header.usage in {"T", "I"}

    def _document(
        self, transaction_set: TransactionSet, tz: tzinfo, rejection: str | None = None
    ) -> InboundDocument:
        document = self._read(transaction_set, tz)
        if rejection is None or document.problem is not None:
            return document
        # Its group or interchange is rejected: the 997 rejects it, so nothing is acted on.
        message = f"not processed: its envelope is rejected ({rejection})"
        return set_problem(transaction_set, Reason.MALFORMED, None, readable(message))

    def _read(self, transaction_set: TransactionSet, tz: tzinfo) -> InboundDocument:
        set_id = transaction_set.set_id
        if set_id in ACK_SETS:
            return self._acknowledgement(transaction_set)
        if set_id != "850":
            error = X12UnsupportedError(
                f"transaction set {set_id} is not supported from this partner",
                position=transaction_set.position(0),
                set_code="1",
            )
            return set_problem(transaction_set, Reason.UNSUPPORTED, error)
        return order_document(transaction_set, self.config.inbound, tz=tz)

    @staticmethod
    def _acknowledgement(transaction_set: TransactionSet) -> InboundDocument:
        """The partner's 997/999 about our documents, as acknowledged ack keys."""
        if not transaction_set.ack.accepted:
            codes = ", ".join(transaction_set.ack.codes) or "syntax errors"
            message = f"the acknowledgement has syntax errors ({codes})"
            return set_problem(transaction_set, Reason.MALFORMED, None, message)
        try:
            group = read_acknowledgment(transaction_set)
        except X12Error as error:
            return set_problem(transaction_set, Reason.MALFORMED, error, f"unreadable: {error}")
        documents = tuple(
            AcknowledgedDocument(
                ack_key=ack_key(group.control_number, result.control_number),
                status=_ACK_STATES.get(result.status, AckStatus.REJECTED),
                description=readable(
                    f"{result.set_id} GS06 {group.control_number} ST02 {result.control_number}"
                    + (f" ({', '.join(result.codes)})" if result.codes else "")
                ),
            )
            for result in group.sets
        )
        return set_document(transaction_set, content=PartnerAcknowledgement(documents))

    def _addressed(self, end: InterchangeEnd) -> InterchangeEnd:
        """`end` with a rejecting TA105 note for each of ISA05-08 that is not this partnership's
        (005, 006, 007 and 009: the interchange is not from this partner to us).

        Such an interchange is answered like any other one its envelope rejects (a TA1 R and
        its groups rejected), stored raw and never applied: the partner authenticated with its
        token, so telling it in X12 leaks nothing, and a partner set up for 997s gets an answer
        for anything whose ISA can be read. A field the reader already noted is not noted twice.
        """
        header, config = end.header, self.config
        checks = (
            (5, InterchangeNoteCode.INVALID_SENDER_QUALIFIER, header.sender_qualifier,
             config.partner_qualifier, "the partner's qualifier"),
            (6, InterchangeNoteCode.INVALID_SENDER_ID, header.sender_id,
             config.partner_id, "the partner's id"),
            (7, InterchangeNoteCode.INVALID_RECEIVER_QUALIFIER, header.receiver_qualifier,
             config.our_qualifier, "our qualifier"),
            (8, InterchangeNoteCode.UNKNOWN_RECEIVER_ID, header.receiver_id,
             config.our_id, "our id"),
        )  # fmt: skip
        noted = {note.position.element for note in end.notes if note.position.segment_id == "ISA"}
        position = header.position()
        notes = [
            EnvelopeNote(
                code,
                readable(
                    f"ISA{element:02d} {sent!r} is not {what} ({expected!r}): the interchange is "
                    "not from this partner to us; not processed"
                ),
                replace(position, element=element),
            )
            for element, code, sent, expected, what in checks
            if sent != expected and element not in noted
        ]
        return end.with_notes(*notes) if notes else end

    def _answering(self, end: InterchangeEnd) -> InterchangeEnd:
        """`end` as our answers address it: from our ids to the partner's, as configured - never
        to an ISA06 the body chose (it matched the partner's when the interchange was accepted,
        and a rejected one is still matched by its ISA13 in the TA1) - in the partner's version
        and usage unless the reader could not read them (then in the profile's)."""
        header, config = end.header, self.config
        noted = {note.code for note in end.notes}
        return replace(
            end,
            header=replace(
                header,
                sender_qualifier=config.partner_qualifier,
                sender_id=config.partner_id,
                receiver_qualifier=config.our_qualifier,
                receiver_id=config.our_id,
                version=(
                    config.interchange_version
                    if InterchangeNoteCode.INVALID_VERSION in noted
                    else header.version
                ),
                usage=(
                    config.usage
                    if InterchangeNoteCode.INVALID_TEST_INDICATOR in noted
                    else header.usage
                ),
            ),
        )

    def acknowledge(
        self,
        unit: InboundUnit,
        results: Sequence[DocumentResult],
        *,
        numbers: NumberAllocator,
    ) -> UnitAnswer | None:
        """The 997/999 (and TA1) of one interchange, numbered from the core's counters.

        Sets refused by the core or unreadable are rejected (AK5 R with their codes); stored,
        held and duplicate sets are accepted: a 997 acknowledges syntax, not business.
        Acknowledgements (FA groups) are never acknowledged themselves.
        """
        events = unit.state
        assert isinstance(events, list)
        verdicts = {id(r.document.state): r for r in results}
        set_acks: list[SetAck] = []
        group_acks: list[GroupAck] = []
        end: InterchangeEnd | None = None
        rejected = unit.rejection is not None
        for event in events:
            if isinstance(event, TransactionSet):
                result = verdicts.get(id(event))
                ack = event.ack if result is None else _set_ack(event, result)
                set_acks.append(ack.rejected() if rejected and ack.accepted else ack)
            elif isinstance(event, GroupEnd):
                if event.group.functional_id != "FA":
                    group_acks.append(event.acknowledge(set_acks))
                set_acks = []
            elif isinstance(event, InterchangeEnd):
                end = event
        assert end is not None
        return self._answer(end, group_acks, numbers)

    def _answer(
        self, end: InterchangeEnd, acks: list[GroupAck], numbers: NumberAllocator
    ) -> UnitAnswer | None:
        now = self.context.clock()
        end = self._answering(end)
        header = end.header
        rejected = end.rejection is not None
        empty = end.group_count == 0
        wanted = self.wants_ta1(header, rejected=rejected, empty=empty)
        ta1 = end.acknowledge() if wanted else None
        reply = None
        if acks and self.config.acknowledgment != "none":
            reply = self.build_acknowledgement(
                header, acks, numbers=_numbers(numbers, acks), now=now, ta1=ta1
            )
        elif ta1 is not None:
            reply = self.acknowledge_interchange(end, numbers=_numbers(numbers, []), now=now)
        if reply is None:
            return None
        kind = self.config.acknowledgment if acks else "TA1"
        return UnitAnswer(reply.data, kind, 200, CONTENT_TYPE, reply.interchange_control_number)

    def reply(self, answers: Sequence[UnitAnswer]) -> InboundReply:
        """Every acknowledgement interchange in one body; 202 without a body when none."""
        body = b"".join(answer.body for answer in answers)
        if not body:
            return InboundReply(202)
        return InboundReply(200, body, CONTENT_TYPE)

    def reread(self, body: bytes, position: Mapping[str, str], *, tz: tzinfo) -> InboundDocument:
        """The set at `position` (ISA13, GS06, ST02) of a stored body, read again."""
        wanted = (position.get("interchange"), position.get("group"), position.get("set"))
        for event in self.events(body):
            if isinstance(event, TransactionSet) and tuple(set_position(event).values()) == wanted:
                document = self._document(event, tz)
                if document.problem is not None:
                    raise DocumentError(document.problem.message)
                return document
        msg = f"the stored interchange has no set {'/'.join(map(str, wanted))} (ISA13/GS06/ST02)"
        raise DocumentError(msg)

    # -- file drop --------------------------------------------------------------------------

    def file_drop(self) -> FileDropLocation | None:
        """The partner's drop (a folder or an SFTP account), when the profile names one."""
        return self.config.file_drop_location()

    def answer_file_name(self, document_id: str) -> str:
        """Our acknowledgements of one inbound file go to `outbound/` under this name."""
        return f"997_{document_id}.edi"

    # -- PUSH -------------------------------------------------------------------------------

    def outbound_kind(self, document_type: str) -> str:
        """The transaction set that carries a canonical document type to this partner."""
        kind = OUTBOUND_SETS.get(document_type)
        if kind is None or kind not in self.spec.outbound_documents:
            msg = f"X12 partners do not take {document_type} documents from us"
            raise UnsupportedDocumentError(msg)
        return kind

    def destination(self, kind: str, *, payload_id: str = "") -> Destination:
        """Where `kind` goes: the partner's URL, or its file drop (`<kind>_<numbers>.edi`)."""
        name = f"{kind}_{payload_id.replace('/', '-')}.edi"
        return self.config.destination(kind, file_name=name)

    def identify(self, kind: str, *, numbers: NumberAllocator, now: datetime) -> DocumentIdentity:
        """ISA13/GS06/ST02 from the partner's counters; its 997 will name GS06/ST02."""
        del kind, now
        interchange = numbers.allocate("interchange")
        group = numbers.allocate("group")
        transaction_set = numbers.allocate("set")
        return DocumentIdentity(
            payload_id=f"{interchange}/{group}/{transaction_set}",
            ack_key=ack_key(str(group), str(transaction_set)),
        )

    def render(
        self, document: OutboundDocument, *, payload_id: str, timestamp: datetime
    ) -> OutboundMessage:
        """The interchange carrying `document`, with the control numbers in `payload_id`.

        `payload_id` is `ISA13/GS06/ST02` as allocated when the document was queued, so a
        retry sends the same interchange and the partner's duplicate check recognises it.
        """
        kind = self.outbound_kind(document.document_type)
        numbers = control_numbers_of(payload_id)
        interchange = build_document(
            document, self.config, numbers=numbers, now=timestamp, tz=timestamp.tzinfo or UTC
        )
        return OutboundMessage(
            kind=kind,
            destination=self.destination(kind, payload_id=payload_id),
            body=interchange.data,
            content_type=CONTENT_TYPE,
        )

    def read_receipt(self, http_status: int, body: bytes, headers: Mapping[str, str]) -> Receipt:
        """2xx with no body or an accepting 997/999 is a receipt; a rejecting one is permanent.

        Anything but 2xx is classified as every HTTP answer is (`connectors.core.http`): 5xx,
        408 transient, 429 rate limited with its Retry-After, 401/403 our credentials, other 4xx
        a refusal.
        """
        classify_status(http_status, body, headers, now=self.context.clock(), what="the partner")
        acks = [_ack(e) for e in read_x12(body) if isinstance(e, TransactionSet)] if body else []
        rejected = [ack for ack in acks if not ack.status.is_accepted]
        if rejected:
            codes = ", ".join(
                f"set {s.control_number}: {s.codes}" for r in rejected for s in r.sets
            )
            msg = f"the partner's functional acknowledgement rejected it ({codes})"
            raise RejectedByPartnerError(msg, status_code=http_status)
        text = "accepted in the partner's acknowledgement" if acks else "accepted"
        states = {_ACK_STATES.get(ack.status, AckStatus.ACCEPTED) for ack in acks}
        verdict = (
            None
            if not acks
            else AckStatus.ACCEPTED_WITH_ERRORS
            if AckStatus.ACCEPTED_WITH_ERRORS in states
            else AckStatus.ACCEPTED
        )
        return Receipt(status_code=http_status, text=text, acknowledgment=verdict)


ACK_SETS = frozenset({"997", "999"})
_ACK_STATES = {
    AckCode.ACCEPTED: AckStatus.ACCEPTED,
    AckCode.ACCEPTED_WITH_ERRORS: AckStatus.ACCEPTED_WITH_ERRORS,
    AckCode.PARTIALLY_ACCEPTED: AckStatus.ACCEPTED_WITH_ERRORS,
}


def ack_key(group: str, transaction_set: str) -> str:
    """What a 997 names one of our sets by: GS06/ST02 as integers (`0002` is 2)."""
    return f"{_number(group)}/{_number(transaction_set)}"


def _number(control_number: str) -> int:
    return int(control_number) if control_number.isdigit() else 0


def _group_rejection(end: GroupEnd | None) -> str | None:
    """Why a set's group is rejected as a whole (GE missing, GE02 not GS06...), or None."""
    if end is None or end.rejection is None:
        return None
    return f"group {end.group.control_number} rejected: {end.rejection}"


def _set_ack(transaction_set: TransactionSet, result: DocumentResult) -> SetAck:
    """The AK5 of one set given the core's verdict."""
    ack = transaction_set.ack
    if result.disposition is not Disposition.REFUSED:
        return ack
    problem = result.document.problem
    if problem is not None and isinstance(problem.detail, X12Error):
        return ack.for_error(problem.detail)
    if problem is not None:  # syntax errors already in the set's own ack
        return ack
    position = transaction_set.position(0)
    message = result.message or "refused"
    if result.reason in {Reason.NOT_ENABLED, Reason.UNSUPPORTED}:
        return ack.for_error(X12UnsupportedError(message, position=position, set_code="1"))
    return ack.for_error(X12SyntaxError(message, position=position, set_code="5"))


def _numbers(numbers: NumberAllocator, acks: list[GroupAck]) -> ControlNumbers:
    """ISA13, the first GS06 and the first ST02 of an acknowledgement interchange."""
    interchange = numbers.allocate("interchange")
    group = numbers.allocate("group", max(1, count_ack_groups(acks)))
    first_set = numbers.allocate("set", max(1, len(acks)))
    return ControlNumbers(interchange=interchange, group=group, transaction_set=first_set)


OUTBOUND_SETS: dict[str, str] = {
    "order_confirmation": "855",
    "ship_notice": "856",
    "invoice": "810",
    "inventory_snapshot": "846",
    "price_catalog": "832",
}
"""Transaction set of each outbound canonical document type."""


def control_numbers_of(payload_id: str) -> ControlNumbers:
    """`ControlNumbers` from the `ISA13/GS06/ST02` id a document was queued with."""
    try:
        interchange, group, transaction_set = (int(part) for part in payload_id.split("/"))
    except ValueError:
        msg = f"{payload_id!r} is not ISA13/GS06/ST02"
        raise ConfigError(msg) from None
    return ControlNumbers(interchange=interchange, group=group, transaction_set=transaction_set)


def _ack(transaction_set: TransactionSet) -> GroupAck:
    try:
        return read_acknowledgment(transaction_set)
    except X12Error as error:
        msg = f"the partner answered with an unreadable acknowledgement: {error}"
        raise TransientError(msg) from None
