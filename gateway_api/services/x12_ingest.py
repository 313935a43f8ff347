"""X12 ingest: authenticate -> read every interchange -> 850s into orders -> 997/999 (+TA1).

One transaction per request body. The body (a mailbag of interchanges is fine) is logged once,
every readable interchange is acknowledged in the partner's own delimiters and version with our
control numbers, and each 850 becomes an order change. An 850 that is syntactically fine but
cannot be applied (unknown part, an update before its order, a duplicate order number) is
accepted in the 997 - a 997 acknowledges syntax, not business - and held as a replayable dead
letter, so nothing the partner sent is lost. A broken interchange in a mailbag is recorded with
its position and does not stop the good ones. A repeated interchange (same ISA sender, receiver
and control number) changes nothing and gets its original acknowledgement again.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from connectors.core import AuthenticityError, Clock
from connectors.formats.x12 import (
    AckCode,
    ControlNumbers,
    GroupAck,
    GroupEnd,
    InterchangeEnd,
    InterchangeFailure,
    SetAck,
    TransactionSet,
    X12Error,
    X12Event,
    X12UnsupportedError,
    count_ack_groups,
    read_acknowledgment,
)
from connectors.x12_partner import X12PartnerConnector
from gateway_api.domain import OrderConflictError, UnknownOrderError
from gateway_api.services.document_log import inbound_record, outbound_record
from gateway_api.services.order_intake import decide_order_change, inbound_order_envelope
from gateway_api.services.partners import Partner, PartnerDirectory
from gateway_api.store.records import (
    DeadLetterRecord,
    DeadLetterStatus,
    DocumentOutcome,
)
from gateway_api.store.unit_of_work import UnitOfWork
from mappings.engine import MappingConfigError, MappingError, map_purchase_order

logger = logging.getLogger(__name__)

PROTOCOL = "x12"
IDEMPOTENCY_SCOPE = "x12-interchange"
CONTENT_TYPE = "application/edi-x12"


class X12AuthenticationError(Exception):
    """The partner is unknown, not an X12 partner, or presented a wrong token (HTTP 401)."""


class X12UnreadableError(Exception):
    """Not one interchange in the body could be read (HTTP 400, with the precise reason)."""


@dataclass(frozen=True)
class X12Answer:
    """What the partner gets back: acknowledgement interchanges, or nothing."""

    body: bytes
    document_id: UUID
    orders: int
    held: int
    rejected_sets: int
    failures: tuple[str, ...] = ()


class X12IngestService:
    """Receives X12 interchanges for the X12 partners of a `PartnerDirectory`."""

    def __init__(self, engine: Engine, directory: PartnerDirectory, *, clock: Clock) -> None:
        self._engine = engine
        self._directory = directory
        self._clock = clock

    def receive(
        self, partner_key: str, body: bytes, *, token: str | None, remote_addr: str | None
    ) -> X12Answer:
        """Process one POSTed body; raises the two errors above for the HTTP layer."""
        partner = self._directory.x12(partner_key)
        try:
            if partner is None:
                msg = "unknown partner or wrong credentials"
                raise AuthenticityError(msg)
            partner.connector.authenticate(token)
        except AuthenticityError:
            self._log_refusal(partner_key, body, remote_addr, "authentication failed", False)
            msg = "unknown partner or wrong credentials"
            raise X12AuthenticationError(msg) from None
        return self._receive_authenticated(partner, body, remote_addr)

    def receive_file(self, partner_key: str, body: bytes, *, name: str) -> X12Answer:
        """A file from the partner's file drop (the folder is the authentication)."""
        partner = self._directory.x12(partner_key)
        if partner is None:
            msg = f"{partner_key!r} is not an enabled X12 partner"
            raise X12AuthenticationError(msg)
        return self._receive_authenticated(partner, body, f"file-drop:{name}")

    def _receive_authenticated(
        self, partner: Partner[X12PartnerConnector], body: bytes, remote_addr: str | None
    ) -> X12Answer:
        connector = partner.connector
        try:
            events = list(connector.events(body))  # the body is in memory already (HTTP)
        except X12Error as error:  # not X12 at all (or EBCDIC, UTF-16): nothing to answer
            self._log_refusal(partner.key, body, remote_addr, str(error), True)
            raise X12UnreadableError(str(error)) from None
        failures = [str(e.error) for e in events if isinstance(e, InterchangeFailure)]
        ends = []
        for end in (e for e in events if isinstance(e, InterchangeEnd)):
            problem = _misaddressed(end, connector)
            if problem is None:
                ends.append(end)
            else:
                failures.append(problem)
        addressed = {id(end.header) for end in ends}
        events = [e for e in events if _interchange_of(e) in addressed]
        if not ends:
            reason = failures[0] if failures else "no X12 interchange in the body"
            self._log_refusal(partner.key, body, remote_addr, reason, True)
            raise X12UnreadableError(reason)
        return self._process(partner, connector, body, events, ends, tuple(failures), remote_addr)

    def _process(  # noqa: PLR0917 - one request's state, passed once
        self,
        partner: Partner[X12PartnerConnector],
        connector: X12PartnerConnector,
        body: bytes,
        events: list[X12Event],
        ends: list[InterchangeEnd],
        failures: tuple[str, ...],
        remote_addr: str | None,
    ) -> X12Answer:
        now = self._clock()
        raw_id = uuid4()
        tally = _Tally()
        replies: list[bytes] = []
        with UnitOfWork(self._engine) as uow:
            seen: dict[int, tuple[UUID, UUID | None] | None] = {}
            first_in_body: dict[str, int] = {}
            for end in ends:
                key = _key(end)
                if key in first_in_body:  # the same interchange twice in one body
                    seen[id(end.header)] = (raw_id, None)
                    continue
                first_in_body[key] = id(end.header)
                seen[id(end.header)] = uow.idempotency.find(partner.key, IDEMPOTENCY_SCOPE, key)
            every_one_seen = all(found is not None for found in seen.values())
            uow.documents.add(
                inbound_record(
                    body,
                    partner_key=partner.key,
                    protocol=PROTOCOL,
                    kind="interchange",
                    outcome=DocumentOutcome.DUPLICATE
                    if every_one_seen
                    else DocumentOutcome.PROCESSED,
                    status_code=200,
                    at=now,
                    authenticated=True,
                    payload_id=ends[0].header.control_number,
                    detail="; ".join(failures) or None,
                    content_type=CONTENT_TYPE,
                    remote_addr=remote_addr,
                    document_id=raw_id,
                )
            )
            results: list[SetAck] = []
            acks: list[GroupAck] = []
            for event in events:
                if isinstance(event, TransactionSet):
                    if seen[id(event.interchange)] is None:
                        results.append(
                            self._apply_set(uow, partner, connector, event, raw_id, now, tally)
                        )
                elif isinstance(event, GroupEnd):
                    # Acknowledgements (FA groups) are never acknowledged themselves.
                    if seen[id(event.group.interchange)] is None and (
                        event.group.functional_id != "FA"
                    ):
                        acks.append(event.acknowledge(results))
                    results = []
                elif isinstance(event, InterchangeEnd):
                    found = seen[id(event.header)]
                    if found is not None:
                        replies.append(_original_answer(uow, found, raw_id))
                    else:
                        replies.append(
                            self._acknowledge(uow, partner, connector, event, acks, raw_id, now)
                        )
                    acks = []
            uow.commit()
        logger.info(
            "x12 from %s: %d orders, %d held, %d sets rejected, %d unreadable interchanges",
            partner.key,
            tally.orders,
            tally.held,
            tally.rejected,
            len(failures),
        )
        return X12Answer(
            b"".join(replies), raw_id, tally.orders, tally.held, tally.rejected, failures
        )

    def _apply_set(  # noqa: PLR0917
        self,
        uow: UnitOfWork,
        partner: Partner[X12PartnerConnector],
        connector: X12PartnerConnector,
        transaction_set: TransactionSet,
        raw_id: UUID,
        now: datetime,
        tally: _Tally,
    ) -> SetAck:
        """Translate and apply one transaction set; its ack (syntax), holding business problems."""
        ack = transaction_set.ack
        enabled = partner.profile.documents.inbound
        if (
            transaction_set.set_id in ACK_SETS
            and transaction_set.set_id in enabled
            and ack.accepted
        ):
            self._apply_acknowledgment(uow, partner, transaction_set, raw_id, now, tally)
            return ack
        if transaction_set.set_id != "850" or transaction_set.set_id not in enabled:
            error = X12UnsupportedError(
                f"transaction set {transaction_set.set_id} is not enabled for this partner",
                position=transaction_set.position(0),
                set_code="1",
            )
            tally.rejected += 1
            return ack.for_error(error)
        try:
            order = connector.read_order(transaction_set, tz=partner.timezone)
        except X12Error as error:
            tally.rejected += 1
            return ack.for_error(error)
        if not ack.accepted:
            tally.rejected += 1
            return ack
        where = held_set_reference(transaction_set)
        try:
            mapping = self._directory.mapping(partner.key)
            mapped = map_purchase_order(order, mapping)
            change = decide_order_change(
                uow,
                inbound_order_envelope(
                    mapped,
                    raw_document_id=raw_id,
                    connector=partner.profile.connector,
                    partner=partner.key,
                    payload_id=set_id(transaction_set),
                    at=now,
                    mapping=mapping.references,
                ),
            )
        except (MappingError, MappingConfigError) as error:
            self._hold(uow, partner, raw_id, "mapping", f"{where}: {error}", now, tally)
        except UnknownOrderError as error:
            self._hold(uow, partner, raw_id, "sequence", f"{where}: {error}", now, tally)
        except OrderConflictError as error:
            self._hold(uow, partner, raw_id, "conflict", f"{where}: {error}", now, tally)
        else:
            change.write(uow)
            tally.orders += 1
        return ack

    def _apply_acknowledgment(  # noqa: PLR0917
        self,
        uow: UnitOfWork,
        partner: Partner[X12PartnerConnector],
        transaction_set: TransactionSet,
        raw_id: UUID,
        now: datetime,
        tally: _Tally,
    ) -> None:
        """The partner's 997/999 about our documents: record it; a rejection dead-letters."""
        try:
            group = read_acknowledgment(transaction_set)
        except X12Error as error:
            self._hold(uow, partner, raw_id, "acknowledgment", f"unreadable: {error}", now, tally)
            return
        for result in group.sets:
            row = uow.outbox.find_x12_document(
                partner.key, _number(group.control_number), _number(result.control_number)
            )
            where = f"{result.set_id} GS06 {group.control_number} ST02 {result.control_number}"
            if row is None:
                logger.warning("x12 ack from %s names no document of ours: %s", partner.key, where)
                continue
            status = _ACK_STATES.get(result.status, "rejected")
            uow.outbox.record_acknowledgment(row.id, status, at=now)
            if status == "rejected":
                codes = ", ".join(result.codes) or "no codes"
                reason = f"the partner's {transaction_set.set_id} rejected our {where} ({codes})"
                uow.outbox.mark_dead(row.id, at=now, error=reason)
                uow.dead_letters.add(
                    DeadLetterRecord(
                        id=uuid4(),
                        document_id=row.last_document_id or raw_id,
                        partner_key=partner.key,
                        stage="acknowledgment",
                        error=reason,
                        status=DeadLetterStatus.OPEN,
                        attempts=row.attempts,
                        created_at=now,
                        updated_at=now,
                        resolved_at=None,
                        outbox_id=row.id,
                    )
                )
                tally.held += 1

    def _hold(  # noqa: PLR0917
        self,
        uow: UnitOfWork,
        partner: Partner[X12PartnerConnector],
        raw_id: UUID,
        stage: str,
        error: str,
        now: datetime,
        tally: _Tally,
    ) -> None:
        tally.held += 1
        logger.warning("x12 set from %s held (%s): %s", partner.key, stage, error)
        uow.dead_letters.add(
            DeadLetterRecord(
                id=uuid4(),
                document_id=raw_id,
                partner_key=partner.key,
                stage=stage,
                error=error,
                status=DeadLetterStatus.OPEN,
                attempts=0,
                created_at=now,
                updated_at=now,
                resolved_at=None,
            )
        )

    def _acknowledge(  # noqa: PLR0917
        self,
        uow: UnitOfWork,
        partner: Partner[X12PartnerConnector],
        connector: X12PartnerConnector,
        end: InterchangeEnd,
        acks: list[GroupAck],
        raw_id: UUID,
        now: datetime,
    ) -> bytes:
        """Our 997/999 (and TA1) for one interchange, with fresh control numbers; logged."""
        header = end.header
        ta1 = end.acknowledge() if connector.wants_ta1(header) else None
        reply = None
        if acks and connector.config.acknowledgment != "none":
            numbers = self._numbers(uow, partner.key, acks, now)
            reply = connector.acknowledge(header, acks, numbers=numbers, now=now, ta1=ta1)
        elif ta1 is not None:
            numbers = self._numbers(uow, partner.key, [], now)
            reply = connector.acknowledge_interchange(end, numbers=numbers, now=now)
        reply_id = None
        if reply is not None:
            reply_id = uuid4()
            uow.documents.add(
                outbound_record(
                    reply.data,
                    partner_key=partner.key,
                    protocol=PROTOCOL,
                    kind=connector.config.acknowledgment if acks else "TA1",
                    at=now,
                    content_type=CONTENT_TYPE,
                    payload_id=reply.interchange_control_number,
                    correlation_id=header.control_number,
                    in_reply_to=raw_id,
                    status_code=200,
                    detail=f"acknowledges ISA13 {header.control_number}",
                    document_id=reply_id,
                )
            )
        uow.idempotency.add(
            partner.key,
            IDEMPOTENCY_SCOPE,
            _key(end),
            document_id=raw_id,
            response_document_id=reply_id,
            at=now,
        )
        return reply.data if reply is not None else b""

    @staticmethod
    def _numbers(
        uow: UnitOfWork, partner_key: str, acks: list[GroupAck], now: datetime
    ) -> ControlNumbers:
        interchange = uow.control_numbers.allocate(partner_key, "interchange", at=now)[0]
        groups = max(1, count_ack_groups(acks))
        group = uow.control_numbers.allocate(partner_key, "group", at=now, count=groups)[0]
        sets = max(1, len(acks))
        first_set = uow.control_numbers.allocate(partner_key, "set", at=now, count=sets)[0]
        return ControlNumbers(interchange=interchange, group=group, transaction_set=first_set)

    def _log_refusal(
        self, partner_key: str, body: bytes, remote_addr: str | None, reason: str, trusted: bool
    ) -> None:
        record = inbound_record(
            body,
            partner_key=partner_key,
            protocol=PROTOCOL,
            kind="interchange",
            outcome=DocumentOutcome.REJECTED,
            status_code=401 if not trusted else 400,
            at=self._clock(),
            authenticated=trusted,
            detail=reason,
            content_type=CONTENT_TYPE,
            remote_addr=remote_addr,
        )
        try:
            with UnitOfWork(self._engine) as uow:
                uow.documents.add(record)
                uow.commit()
        except DBAPIError:
            logger.exception("could not log a refused X12 body from %r", partner_key)


@dataclass
class _Tally:
    orders: int = 0
    held: int = 0
    rejected: int = 0


ACK_SETS = frozenset({"997", "999"})
_ACK_STATES = {
    AckCode.ACCEPTED: "accepted",
    AckCode.ACCEPTED_WITH_ERRORS: "accepted_with_errors",
    AckCode.PARTIALLY_ACCEPTED: "accepted_with_errors",
}


def _number(control_number: str) -> int:
    """A control number as the integer our ids carry (`0002` -> 2); 0 when not numeric."""
    return int(control_number) if control_number.isdigit() else 0


def _misaddressed(end: InterchangeEnd, connector: X12PartnerConnector) -> str | None:
    """Why an interchange is not from this partner to us (ISA06/ISA08), or None."""
    header, config = end.header, connector.config
    if (header.sender_id, header.receiver_id) == (config.partner_id, config.our_id):
        return None
    return (
        f"interchange {header.control_number} is from {header.sender_id!r} to "
        f"{header.receiver_id!r}; this partner sends as {config.partner_id!r} to "
        f"{config.our_id!r} (ISA06/ISA08); not processed"
    )


def _interchange_of(event: X12Event) -> int | None:
    """`id()` of the interchange header an event belongs to."""
    if isinstance(event, TransactionSet):
        return id(event.interchange)
    if isinstance(event, GroupEnd):
        return id(event.group.interchange)
    if isinstance(event, InterchangeEnd):
        return id(event.header)
    return None


def _key(end: InterchangeEnd) -> str:
    """Duplicate-detection key: ISA05/06 (sender), ISA07/08 (receiver), ISA13."""
    key = end.header.key
    return ":".join(
        (
            key.sender_qualifier,
            key.sender_id,
            key.receiver_qualifier,
            key.receiver_id,
            key.control_number,
        )
    )


_HELD_SET = re.compile(r"^850 (\S+) \(ISA13/GS06/ST02\)")


def held_set_reference(transaction_set: TransactionSet) -> str:
    """How a held 850 is named at the start of its dead letter's error (replay finds it so)."""
    return f"850 {set_id(transaction_set)} (ISA13/GS06/ST02)"


def held_set_id(error: str) -> str | None:
    """The ISA13/GS06/ST02 of the held 850 a dead letter's error names, if it names one."""
    match = _HELD_SET.match(error)
    return match.group(1) if match else None


def set_id(transaction_set: TransactionSet) -> str:
    """The partner's document id of one set: ISA13/GS06/ST02."""
    return "/".join(
        (
            transaction_set.interchange.control_number,
            transaction_set.group.control_number,
            transaction_set.control_number,
        )
    )


def _original_answer(uow: UnitOfWork, found: tuple[UUID, UUID | None], raw_id: UUID) -> bytes:
    """The acknowledgement we sent the first time (nothing if there was none, or if the first
    copy is in this same body and was acknowledged there)."""
    original_id, reply_id = found
    if original_id == raw_id:
        return b""
    reply = uow.documents.get(reply_id) if reply_id is not None else None
    return reply.body if reply is not None else b""
