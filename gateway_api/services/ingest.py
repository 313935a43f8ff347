"""The one ingest pipeline: every inbound body, whatever its protocol and however it came.

HTTP push, file drop, pull and dead-letter replay all run through here:

    connector.open              decode + authenticate (or an InboundRefusal, logged and answered
                                by the protocol's ingress)
    per document, no database   refused (the connector could not read it, the profile does not
                                enable its kind), or mapped (a mapping problem holds it)
    one transaction             per unit: a repeated idempotency key gets the original answer;
                                per document: the order rules decide stored, held (a dead letter
                                naming the document's position) or refused; the connector
                                acknowledges each unit with numbers from the persisted counters;
                                raw body, orders, dead letters, answers and keys commit together
    connector.reply             the wire reply

So one bad transaction set or message never takes the good ones of its interchange with it, and
a document whose answer was committed is always in the log: a failure before the commit answered
nothing, and the partner sends again. The store's errors decide the rest: a concurrent twin
(same key) is retried once and becomes a duplicate; a value the store refuses refuses only the
documents that carry one (each retried in a savepoint); the store being down is answered so that
the partner retries (cXML 503, HTTP 503).

The core never looks inside a protocol here: it works on `InboundBatch`, `InboundDocument` and
`DocumentResult` values and on the canonical content (`PurchaseOrder`, `PartnerAcknowledgement`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID, uuid4

from connectors.core import Clock, ConnectorContext, ConnectorError, MalformedDocumentError
from connectors.core.inbound import (
    AcknowledgedDocument,
    AckStatus,
    BodyTooLargeError,
    Disposition,
    DocumentResult,
    InboundBatch,
    InboundDocument,
    InboundRefusal,
    InboundReply,
    InboundRequest,
    InboundUnit,
    Ingress,
    InternalError,
    PartnerAcknowledgement,
    Reason,
    StoreUnavailableError,
    Transport,
    UnitAnswer,
)
from gateway_api.domain import Order, OrderConflictError, StaleVersionError, UnknownOrderError
from gateway_api.services.document_log import inbound_record, outbound_record
from gateway_api.services.known_secrets import scrub_known_secrets, scrub_known_secrets_in_text
from gateway_api.services.order_intake import (
    OrderRepeat,
    decide_order_change,
    inbound_order_envelope,
)
from gateway_api.services.partners import Partner, PartnerDirectory
from gateway_api.store.ports import (
    StoreConflictError,
    StoreError,
    StoreValueError,
    UnitOfWork,
    UnitOfWorkFactory,
)
from gateway_api.store.records import (
    DeadLetterRecord,
    DeadLetterStatus,
    DocumentOutcome,
    DocumentRecord,
    OutboxRecord,
)
from mappings.engine import MappingConfigError, MappingError, map_purchase_order
from schemas import MappingReference, PurchaseOrder

logger = logging.getLogger(__name__)

VALUE_REFUSED = "the document holds a value out of the accepted range or format"
UNAVAILABLE = "temporarily unable to store; retry"


@dataclass(frozen=True)
class IngestResult:
    """What became of one inbound body."""

    reply: InboundReply
    document_id: UUID | None
    """The body in the document log (for a retransmission: the original it repeats)."""
    received_id: UUID | None = None
    """This body's own row in the document log."""
    results: tuple[DocumentResult, ...] = ()
    problems: tuple[str, ...] = ()
    """Parts of the body that were not even a unit (a broken interchange in a mailbag)."""
    refusal: InboundRefusal | None = None
    """Set when the body was refused as a whole."""
    refusal_detail: str | None = None
    """Why, in words fit for a log: the refusal's text with the partner's known secrets masked
    (a parser's message may quote the body)."""

    def count(self, disposition: Disposition) -> int:
        """How many documents ended so."""
        return sum(1 for result in self.results if result.disposition is disposition)


class PartnerNumbers:
    """The `NumberAllocator` a connector numbers its answers and documents with: the partner's
    persisted counters, in the caller's transaction."""

    def __init__(self, uow: UnitOfWork, partner_key: str, now: datetime) -> None:
        self._uow, self._partner_key, self._now = uow, partner_key, now

    def allocate(self, scope: str, count: int = 1) -> int:
        """The first of `count` new numbers in `scope`."""
        numbers = self._uow.control_numbers.allocate(
            self._partner_key, scope, at=self._now, count=count
        )
        return numbers[0]


# -- what to do with a document, decided without the database --------------------------------


@dataclass(frozen=True)
class _Refuse:
    reason: Reason
    message: str


@dataclass(frozen=True)
class _Hold:
    reason: Reason
    error: str
    """For the dead letter (the whole story)."""
    message: str
    """For the partner (lines and values, never our files)."""


@dataclass(frozen=True)
class _Apply:
    order: PurchaseOrder
    mapping: tuple[MappingReference, ...]


@dataclass(frozen=True)
class _Acknowledge:
    acknowledgement: PartnerAcknowledgement
    rows: tuple[OutboxRecord | None, ...] = ()
    """The outbox row each acknowledged document names (None: not ours), found in the
    transaction before the body is logged, so that the log can say when nothing matched."""

    @property
    def unmatched(self) -> tuple[AcknowledgedDocument, ...]:
        """The acknowledged documents that name nothing of ours."""
        return tuple(
            item
            for item, row in zip(self.acknowledgement.documents, self.rows, strict=True)
            if row is None
        )


@dataclass(frozen=True)
class _Test:
    """Test data of a live partnership: answered, applied to nothing."""


_Plan = _Refuse | _Hold | _Apply | _Acknowledge | _Test
_Write = Callable[[UnitOfWork], None]


def _no_write(uow: UnitOfWork) -> None:
    del uow


@dataclass
class _Decision:
    result: DocumentResult
    write: _Write = field(default=_no_write)
    detail: str | None = None
    """What the log keeps about the document when it is the body's only one (the dead
    letter's whole error; the partner's message otherwise)."""


_SAME_BODY = (UUID(int=0), None)
"""Marks a unit repeated within one body: answered once, where it first appears."""


@dataclass(frozen=True)
class OpenedBody:
    """A body read and planned, not stored yet: what `IngestPipeline.open` hands to a writer
    that stores several at once (`process_together`)."""

    partner: Partner
    request: InboundRequest
    batch: InboundBatch
    plans: list[list[_Plan]]
    raw_id: UUID


class IngestPipeline:
    """Runs inbound bodies into the store for the partners of a directory."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        directory: PartnerDirectory,
        *,
        clock: Clock,
        context: ConnectorContext,
    ) -> None:
        self._uow = uow
        self._directory = directory
        self._clock = clock
        self._context = context

    # -- entry points -------------------------------------------------------------------------

    def receive(
        self, partner_key: str, request: InboundRequest, *, ingress: Ingress
    ) -> IngestResult:
        """A body POSTed to `ingress` for `partner_key`."""
        opened = self.open(partner_key, request, ingress=ingress)
        if isinstance(opened, IngestResult):
            return opened
        return self._store(opened)

    def open(
        self, partner_key: str, request: InboundRequest, *, ingress: Ingress
    ) -> OpenedBody | IngestResult:
        """Everything before the transaction: who sent it, can it be read, what each document
        becomes (no database), or the refusal of the whole body, already logged and answered.

        `process_together` stores opened bodies; `receive` is `open` then store.
        """
        partner = self._directory.inbound(partner_key, ingress)
        if partner is None or partner.inbound is None:
            # Answered exactly as a known partner with a bad credential would be.
            return self._refuse(partner_key, request, ingress.refuse_unknown(request), ingress)
        opened = partner.inbound.open(request, tz=partner.timezone)
        if isinstance(opened, InboundRefusal):
            return self._refuse(partner.key, request, opened, ingress, partner=partner)
        return self._opened(partner, request, opened)

    def receive_from(self, partner: Partner, request: InboundRequest) -> IngestResult:
        """A body the hub fetched itself (file drop, pull): the channel authenticated it."""
        assert partner.inbound is not None
        assert partner.ingress is not None
        opened = partner.inbound.open(request, tz=partner.timezone)
        if isinstance(opened, InboundRefusal):
            return self._refuse(partner.key, request, opened, partner.ingress, partner=partner)
        return self.process(partner, request, opened)

    def refuse_oversized(
        self, partner_key: str, request: InboundRequest, *, size: int, limit: int, ingress: Ingress
    ) -> IngestResult:
        """A body over the size limit: its first bytes are kept as an audit trace."""
        refusal = InboundRefusal(BodyTooLargeError(size, limit))
        return self._refuse(partner_key, request, refusal, ingress, declared_size=size)

    def internal_error(self, ingress: Ingress) -> InboundReply:
        """The answer for a failure of ours (retried by the partner): cXML 500, HTTP 500."""
        refusal = InboundRefusal(InternalError("internal error; please retry later"))
        return ingress.reply_refusal(refusal, self._context)

    # -- a readable body ----------------------------------------------------------------------

    def process(
        self, partner: Partner, request: InboundRequest, batch: InboundBatch
    ) -> IngestResult:
        """Store an opened batch: dedup, map, apply, acknowledge, in one transaction."""
        return self._store(self._opened(partner, request, batch))

    def process_together(self, bodies: Sequence[OpenedBody]) -> list[IngestResult | Exception]:
        """Store several opened bodies in ONE transaction (group commit), each answered as if
        it had been stored alone.

        Group commit is the ingest path's throughput lever: concurrent requests share one
        BEGIN, one multi-row INSERT statement and one COMMIT (one WAL flush), and their
        duplicate checks and order locks are read for the whole group in two statements
        (`prefetch`). Nothing is answered before its own rows are durable: the caller sends
        each result only after this returns, i.e. after the shared COMMIT.

        If the shared transaction fails for any reason (a concurrent twin, a value the store
        refuses, a deadlock, a bug of ours on one body), nothing of it was committed and every
        body is stored again on its own, through the same path as `process` (retry on a
        conflict, isolation of refused values): one body's trouble never becomes another's.
        A body's own failure is returned in its place, never raised.
        """
        if len(bodies) == 1:
            return [_attempt(self._store, bodies[0])]
        try:
            with self._uow() as uow:
                _prefetch(uow, bodies)
                results = [self._write(uow, body, isolate=False) for body in bodies]
                uow.commit()
        except Exception as error:  # any failure: each body alone, as before
            logger.info("a group of %d bodies is stored one by one: %s", len(bodies), error)
            return [_attempt(self._store, body) for body in bodies]
        for body, result in zip(bodies, results, strict=True):
            _log(body.partner, body.batch, result)
        return list(results)

    def _opened(self, partner: Partner, request: InboundRequest, batch: InboundBatch) -> OpenedBody:
        # A pulled document has nobody to answer: what would be refused is held for a person.
        pulled = request.transport is Transport.PULL
        plans = [
            [
                self._plan(partner, document, pulled=pulled, test=unit.test)
                for document in unit.documents
            ]
            for unit in batch.units
        ]
        return OpenedBody(partner, request, batch, plans, uuid4())

    def _store(self, body: OpenedBody) -> IngestResult:
        """One opened body in its own transaction, with the store's errors handled."""
        partner, request, batch = body.partner, body.request, body.batch
        try:
            try:
                return self._commit(body, isolate=False)
            except StoreConflictError:
                # A concurrent twin (same key, or a `new` for the same order) committed first;
                # a second attempt sees it and answers as a duplicate or a conflict.
                return self._commit(body, isolate=False)
            except StoreValueError as error:
                logger.warning(
                    "a body from %s holds a value the store refused: %s", partner.key, error
                )
                try:
                    return self._commit(body, isolate=True)
                except StoreValueError:
                    # Not one document's value (the body's own record, say): refused whole,
                    # kept in the log, answered as unreadable - never a 503 resent forever.
                    assert partner.ingress is not None
                    refusal = InboundRefusal(
                        MalformedDocumentError(VALUE_REFUSED), authenticated=True, kind=batch.kind
                    )
                    return self._refuse(
                        partner.key, request, refusal, partner.ingress, partner=partner
                    )
        except StoreError:
            logger.exception("could not store a body from %s", partner.key)
            assert partner.ingress is not None
            refusal = InboundRefusal(StoreUnavailableError(UNAVAILABLE), authenticated=True)
            return IngestResult(
                partner.ingress.reply_refusal(refusal, self._context), None, refusal=refusal
            )

    def _plan(
        self, partner: Partner, document: InboundDocument, *, pulled: bool, test: bool
    ) -> _Plan:
        """Everything that needs no database: can it be read, is it enabled, does it map.

        A test unit's documents are checked like any (the partner tests its syntax and gets the
        same refusals), and what would be applied or held is only answered.
        """
        plan = self._plan_live(partner, document, pulled=pulled)
        if test and not isinstance(plan, _Refuse):
            return _Test()
        return plan

    def _plan_live(  # noqa: PLR0911 - one return per verdict
        self, partner: Partner, document: InboundDocument, *, pulled: bool
    ) -> _Plan:
        refusal: _Refuse | None = None
        answered = not pulled
        if document.problem is not None:
            problem = document.problem
            if problem.reason is Reason.MAPPING:  # readable, but not into our model: a fix and
                return _Hold(problem.reason, problem.message, problem.message)  # a replay
            refusal = _Refuse(problem.reason, problem.message)
            answered = answered and problem.answered
        elif document.kind not in partner.profile.documents.inbound:
            message = f"{document.kind} is not accepted from this partner at this endpoint"
            refusal = _Refuse(Reason.NOT_ENABLED, message)
        if refusal is not None:
            if not answered:  # nobody will tell the partner: a person looks at it instead
                return _Hold(refusal.reason, refusal.message, refusal.message)
            return refusal
        content = document.content
        if isinstance(content, PartnerAcknowledgement):
            return _Acknowledge(content)
        if not isinstance(content, PurchaseOrder):
            return _Refuse(Reason.UNSUPPORTED, f"{document.kind} carries nothing this hub takes")
        try:
            mapping = self._directory.mapping(partner.key)
            mapped = map_purchase_order(content, mapping)
        except (MappingError, MappingConfigError) as error:
            return _Hold(Reason.MAPPING, str(error), for_partner(error))
        return _Apply(mapped, tuple(mapping.references))

    def _commit(self, body: OpenedBody, *, isolate: bool) -> IngestResult:
        with self._uow() as uow:
            result = self._write(uow, body, isolate=isolate)
            uow.commit()
        _log(body.partner, body.batch, result)
        return result

    def _write(self, uow: UnitOfWork, body: OpenedBody, *, isolate: bool) -> IngestResult:
        """Dedup, decide and stage every write of one body in `uow`; the caller commits."""
        partner, request, batch, raw_id = body.partner, body.request, body.batch, body.raw_id
        inbound = partner.inbound
        assert inbound is not None
        now = self._clock()
        pulled = request.transport is Transport.PULL
        found = self._lookup(uow, partner, batch.units)
        originals: list[UnitAnswer | None] = [None] * len(found)
        if any(f is not None for f in found):
            originals = [self._original(uow, f) for f in found]
        plans = [
            unit_plans if seen is not None else [_matched(uow, partner, p) for p in unit_plans]
            for unit_plans, seen in zip(body.plans, found, strict=True)
        ]
        single = len(batch.units) == 1 and found[0] is None and len(batch.units[0].documents) == 1
        raw: DocumentRecord | None = None
        if not single:
            raw = self._raw(
                partner,
                request,
                batch,
                raw_id,
                now,
                found=found,
                originals=originals,
                plans=plans,
            )
            uow.documents.add(raw)
        answers: list[UnitAnswer] = []
        every_result: list[DocumentResult] = []
        numbers = PartnerNumbers(uow, partner.key, now)
        for unit, unit_plans, seen, original in zip(
            batch.units, plans, found, originals, strict=True
        ):
            if seen is not None:
                every_result.extend(
                    DocumentResult(d, Disposition.DUPLICATE) for d in unit.documents
                )
                if original is not None:
                    answers.append(original)
                continue
            decisions = [
                self._decide_and_write(
                    uow,
                    partner,
                    d,
                    p,
                    raw_id,
                    now,
                    single=single,
                    isolate=isolate,
                    pulled=pulled,
                )
                for d, p in zip(unit.documents, unit_plans, strict=True)
            ]
            results = [decision.result for decision in decisions]
            answer = inbound.acknowledge(unit, results, numbers=numbers)
            reply = self._answer_record(partner, unit, answer, raw_id, now)
            replies = (reply,) if reply is not None else ()
            if single:
                raw = self._raw(
                    partner,
                    request,
                    batch,
                    raw_id,
                    now,
                    result=results[0],
                    answer=answer,
                    detail=decisions[0].detail,
                )
                # Body and answer in one staged group: one INSERT of documents per order.
                uow.documents.add(raw, *replies)
                decisions[0].write(uow)
            else:
                uow.documents.add(*replies)
            reply_id = reply.id if reply is not None else None
            if answer is not None:
                answers.append(answer)
            uow.idempotency.add(
                partner.key,
                _scope(unit),
                stored_key(unit.idempotency_key),
                document_id=raw_id,
                response_document_id=reply_id,
                at=now,
            )
            every_result.extend(results)
        first = found[0]
        repeated = len(found) == 1 and first is not None
        return IngestResult(
            inbound.reply(answers),
            first[0] if repeated and first is not None else raw_id,
            raw_id,
            tuple(every_result),
            batch.problems,
        )

    def _lookup(
        self, uow: UnitOfWork, partner: Partner, units: Sequence[InboundUnit]
    ) -> list[tuple[UUID, UUID | None] | None]:
        """For each unit, the (document, answer) it repeats, if it was received before."""
        found: list[tuple[UUID, UUID | None] | None] = []
        in_body: set[tuple[str, str]] = set()
        for unit in units:
            key = (_scope(unit), stored_key(unit.idempotency_key))
            if key in in_body:
                found.append(_SAME_BODY)
                continue
            in_body.add(key)
            found.append(uow.idempotency.find(partner.key, *key))
        return found

    @staticmethod
    def _original(uow: UnitOfWork, found: tuple[UUID, UUID | None] | None) -> UnitAnswer | None:
        """The answer we gave the first time (none for a unit repeated in the same body)."""
        if found is None or found is _SAME_BODY or found[1] is None:
            return None
        stored = uow.documents.get(found[1])
        if stored is None:
            return None
        return UnitAnswer(
            stored.body,
            stored.kind,
            stored.status_code or 200,
            stored.content_type or "",
            stored.payload_id,
        )

    def _decide_and_write(  # noqa: PLR0917
        self,
        uow: UnitOfWork,
        partner: Partner,
        document: InboundDocument,
        plan: _Plan,
        raw_id: UUID,
        now: datetime,
        *,
        single: bool,
        isolate: bool,
        pulled: bool,
    ) -> _Decision:
        """One document's verdict; its writes are done now, or by the caller once the raw body
        is staged (a lone document, whose outcome the body record carries)."""
        if isolate and single:
            # The lone document is what the store refused.
            return self._value_refused(partner, document, raw_id, now, pulled=pulled)
        if not isolate:
            decision = self._decide(uow, partner, document, plan, raw_id, now)
            if not single:
                decision.write(uow)
            return decision
        try:
            with uow.savepoint():
                decision = self._decide(uow, partner, document, plan, raw_id, now)
                decision.write(uow)
        except StoreValueError:
            refused = self._value_refused(partner, document, raw_id, now, pulled=pulled)
            refused.write(uow)  # a dead letter, when pulled: none of the refused values
            return refused
        return decision

    def _value_refused(
        self,
        partner: Partner,
        document: InboundDocument,
        raw_id: UUID,
        now: datetime,
        *,
        pulled: bool,
    ) -> _Decision:
        """A document whose values the store refused: refused in the answer, or held when
        nobody would read the answer (pulled)."""
        if pulled:
            return self._hold(partner, document, raw_id, now, Reason.VALUE, VALUE_REFUSED)
        return _Decision(DocumentResult(document, Disposition.REFUSED, Reason.VALUE, VALUE_REFUSED))

    def _decide(  # noqa: PLR0911, PLR0917 - one return per verdict
        self,
        uow: UnitOfWork,
        partner: Partner,
        document: InboundDocument,
        plan: _Plan,
        raw_id: UUID,
        now: datetime,
    ) -> _Decision:
        """The domain's verdict on one document (reads and locks, writes nothing yet)."""
        if isinstance(plan, _Refuse):
            return _Decision(
                DocumentResult(document, Disposition.REFUSED, plan.reason, plan.message)
            )
        if isinstance(plan, _Hold):
            return self._hold(partner, document, raw_id, now, plan.reason, plan.error, plan.message)
        if isinstance(plan, _Acknowledge):
            return self._acknowledgement(partner, document, plan, raw_id, now)
        if isinstance(plan, _Test):
            return _Decision(DocumentResult(document, Disposition.TEST, message=TEST_DATA))
        envelope = inbound_order_envelope(
            plan.order,
            raw_document_id=raw_id,
            connector=partner.profile.connector,
            partner=partner.key,
            payload_id=document.reference[:ID_LIMIT],
            at=now,
            mapping=plan.mapping,
        )
        try:
            change = decide_order_change(uow, envelope)
        except UnknownOrderError as error:
            return self._hold(partner, document, raw_id, now, Reason.SEQUENCE, str(error))
        except OrderConflictError as error:
            assert partner.inbound is not None
            if partner.inbound.answers_business_problems:
                return _Decision(
                    DocumentResult(document, Disposition.REFUSED, Reason.CONFLICT, str(error))
                )
            return self._hold(partner, document, raw_id, now, Reason.CONFLICT, str(error))
        if isinstance(change, OrderRepeat):
            return _Decision(
                DocumentResult(document, Disposition.DUPLICATE, message=change.message)
            )
        return _Decision(DocumentResult(document, Disposition.STORED), change.write)

    def _hold(  # noqa: PLR0917
        self,
        partner: Partner,
        document: InboundDocument,
        raw_id: UUID,
        now: datetime,
        reason: Reason,
        error: str,
        message: str | None = None,
    ) -> _Decision:
        """Keep the document as a dead letter that names where it sits in the body."""
        text = named(document, error)
        letter = DeadLetterRecord(
            id=uuid4(),
            document_id=raw_id,
            partner_key=partner.key,
            stage=reason.value,
            error=text,
            status=DeadLetterStatus.OPEN,
            attempts=0,
            created_at=now,
            updated_at=now,
            resolved_at=None,
            position=dict(document.position) or None,
        )
        logger.warning("%s from %s held (%s): %s", document.kind, partner.key, reason, text)

        def write(uow: UnitOfWork) -> None:
            uow.dead_letters.add(letter)

        result = DocumentResult(document, Disposition.HELD, reason, message or error)
        return _Decision(result, write, text)

    @staticmethod
    def _acknowledgement(
        partner: Partner,
        document: InboundDocument,
        plan: _Acknowledge,
        raw_id: UUID,
        now: datetime,
    ) -> _Decision:
        """A partner's verdict on documents we sent: recorded on their outbox rows; a rejection
        dead-letters the document (replay sends it again). What names nothing of ours is said
        in the result, and so in the document log."""
        acknowledgement = plan.acknowledgement
        matched = [
            (row, item)
            for item, row in zip(acknowledgement.documents, plan.rows, strict=True)
            if row is not None
        ]
        unmatched = plan.unmatched
        if unmatched:
            logger.warning(
                "an acknowledgement from %s names no document of ours: %s",
                partner.key,
                "; ".join(item.description for item in unmatched),
            )

        def write(uow: UnitOfWork) -> None:
            for row, item in matched:
                uow.outbox.record_acknowledgment(row.id, item.status.value, at=now)
                if item.status is not AckStatus.REJECTED:
                    continue
                reason = f"the partner's {document.kind} rejected our {item.description}"
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

        if unmatched:
            message = named(document, unmatched_text(unmatched))
            result = DocumentResult(document, Disposition.STORED, Reason.UNMATCHED, message)
        else:
            result = DocumentResult(document, Disposition.STORED)
        return _Decision(result, write)

    # -- the document log ---------------------------------------------------------------------

    def _raw(
        self,
        partner: Partner,
        request: InboundRequest,
        batch: InboundBatch,
        raw_id: UUID,
        now: datetime,
        *,
        result: DocumentResult | None = None,
        answer: UnitAnswer | None = None,
        detail: str | None = None,
        found: Sequence[tuple[UUID, UUID | None] | None] = (),
        originals: Sequence[UnitAnswer | None] = (),
        plans: Sequence[Sequence[_Plan]] = (),
    ) -> DocumentRecord:
        """The log record of the body: a lone document's outcome, or the body's summary."""
        correlation = None
        if result is not None:
            outcome = _OUTCOMES[result.disposition]
            if result.reason is Reason.UNMATCHED:
                outcome = DocumentOutcome.UNMATCHED
            status = answer.status_code if answer is not None else 200
            detail = detail or _detail(result, batch)
            content = result.document.content
            if isinstance(content, PurchaseOrder):
                correlation = content.order_id
        elif all(f is not None for f in found):
            outcome, status = DocumentOutcome.DUPLICATE, 200
            first = found[0]
            if len(found) == 1 and first is not None:
                original = originals[0]
                status = original.status_code if original is not None else 200
                detail = f"retransmission of document {first[0]}; original answer repeated"
            else:
                detail = "retransmission of units already answered"
        else:
            outcome, status = _summary(batch, found, plans), 200
            detail = _summary_detail(batch, found, plans)
        assert partner.ingress is not None
        return inbound_record(
            request.body,
            redacted=partner.ingress.redact(request.body),
            partner_key=partner.key,
            protocol=partner.protocol,
            kind=batch.kind,
            outcome=outcome,
            status_code=status,
            at=now,
            authenticated=True,
            payload_id=batch.reference,
            correlation_id=correlation,
            detail=detail,
            content_type=request.content_type,
            remote_addr=request.remote_addr,
            document_id=raw_id,
        )

    @staticmethod
    def _answer_record(
        partner: Partner,
        unit: InboundUnit,
        answer: UnitAnswer | None,
        raw_id: UUID,
        now: datetime,
    ) -> DocumentRecord | None:
        """The log record of our answer to a unit (None when the protocol answered nothing)."""
        if answer is None:
            return None
        return outbound_record(
            answer.body,
            partner_key=partner.key,
            protocol=partner.protocol,
            kind=answer.kind,
            at=now,
            content_type=answer.content_type,
            payload_id=answer.reference,
            correlation_id=unit.reference,
            in_reply_to=raw_id,
            status_code=answer.status_code,
        )

    def _refuse(
        self,
        partner_key: str,
        request: InboundRequest,
        refusal: InboundRefusal,
        ingress: Ingress,
        *,
        declared_size: int | None = None,
        partner: Partner | None = None,
    ) -> IngestResult:
        """Refused as a whole: an audit row (truncated when unauthenticated) and the answer.

        A refused body may be damaged where the protocol's redaction looks for secrets, so the
        secrets of the partner it was sent to (when the key is one) are masked wherever they
        are, in the body and in the refusal's sentence."""
        known = partner.secret_values if partner is not None else ()
        detail = scrub_known_secrets_in_text(str(refusal.error), known)
        reply = ingress.reply_refusal(refusal, self._context)
        if known and reply.body:
            reply = replace(reply, body=scrub_known_secrets(reply.body, known))
        now = self._clock()
        inbound = inbound_record(
            request.body,
            redacted=scrub_known_secrets(ingress.redact(request.body), known),
            partner_key=partner_key,
            protocol=ingress.name,
            kind=refusal.kind,
            outcome=DocumentOutcome.REJECTED,
            status_code=reply.status,
            at=now,
            authenticated=refusal.authenticated,
            payload_id=refusal.reference,
            detail=detail,
            content_type=request.content_type,
            remote_addr=request.remote_addr,
            declared_size=declared_size,
        )
        records = [inbound]
        if reply.body:
            records.append(
                outbound_record(
                    reply.body,
                    partner_key=inbound.partner_key,
                    protocol=ingress.name,
                    kind=reply.kind or "reply",
                    at=now,
                    content_type=reply.content_type,
                    in_reply_to=inbound.id,
                    status_code=reply.status,
                )
            )
        try:
            with self._uow() as uow:
                uow.documents.add(*records)
                uow.commit()
        except StoreError:
            logger.exception("could not log a refused body for %r", partner_key)
        logger.info("refused a body for %r: %s %s", partner_key, reply.status, detail)
        return IngestResult(reply, inbound.id, inbound.id, refusal=refusal, refusal_detail=detail)

    # -- dead-letter replay -------------------------------------------------------------------

    def replay(
        self, uow: UnitOfWork, partner: Partner, stored: DocumentRecord, letter: DeadLetterRecord
    ) -> Order:
        """Read a held document again from its stored body and apply it, in `uow`.

        The connector finds it from the position the dead letter keeps. Raises what keeps it
        from applying (`ConnectorError`, a mapping or order error), naming the document when it
        is one of several in its body.
        """
        if partner.inbound is None:
            msg = f"partner {partner.key!r} no longer receives documents through its connector"
            raise ReplayError(msg)
        document = partner.inbound.reread(stored.body, letter.position or {}, tz=partner.timezone)
        try:
            return self._apply_again(uow, partner, document, stored, letter)
        except (ConnectorError, MappingError, MappingConfigError, OrderConflictError) as error:
            raise ReplayError(named(document, str(error))) from error

    def _apply_again(
        self,
        uow: UnitOfWork,
        partner: Partner,
        document: InboundDocument,
        stored: DocumentRecord,
        letter: DeadLetterRecord,
    ) -> Order:
        order = document.content
        if not isinstance(order, PurchaseOrder):
            msg = f"{document.kind} {document.reference} holds no order to apply"
            raise ReplayError(msg)
        if document.kind not in partner.profile.documents.inbound:
            msg = f"{document.kind} is not enabled for this partner (profile documents.inbound)"
            raise ReplayError(msg)
        if order.version is None and uow.orders.changed_since(
            partner.key, order.order_id, letter.created_at
        ):
            # Without a version it would become the next one and undo newer changes.
            msg = (
                f"order {order.order_id!r} changed after this document was held, and the "
                "document carries no orderVersion; it is superseded"
            )
            raise StaleVersionError(msg)
        mapping = self._directory.mapping(partner.key, fresh=True)
        change = decide_order_change(
            uow,
            inbound_order_envelope(
                map_purchase_order(order, mapping),
                raw_document_id=stored.id,
                connector=partner.profile.connector,
                partner=partner.key,
                payload_id=document.reference[:ID_LIMIT],
                at=self._clock(),
                mapping=mapping.references,
            ),
        )
        change.write(uow)
        return change.order


class ReplayError(Exception):
    """A held document could not be applied again; the message says why (and which one)."""


ID_LIMIT = 255
"""Longest partner id or idempotency key the store keeps as it is (its columns are 255 long;
the raw body keeps the whole)."""


def stored_key(key: str) -> str:
    """An idempotency key as stored: itself, or its SHA-256 when a partner's references make it
    longer than the store's column (the same key always maps to the same value)."""
    if len(key) <= ID_LIMIT:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def named(document: InboundDocument, error: str) -> str:
    """`error`, prefixed with the document's name when it is one of several in its body."""
    return f"{document.name}: {error}" if document.position else error


def for_partner(error: MappingError | MappingConfigError) -> str:
    """What the sender may read about a mapping failure: its lines and values, not our files."""
    if isinstance(error, MappingConfigError):
        return "the supplier's mapping for this buyer is being corrected"
    problems = [
        f"line {p.line_number}: {p.field} {p.value!r} is not known"
        if p.line_number is not None
        else f"{p.field} {p.value!r} is not known"
        for p in error.problems
    ]
    return "; ".join(problems)


_OUTCOMES = {
    Disposition.STORED: DocumentOutcome.PROCESSED,
    Disposition.HELD: DocumentOutcome.HELD,
    Disposition.REFUSED: DocumentOutcome.REJECTED,
    Disposition.DUPLICATE: DocumentOutcome.DUPLICATE,
    Disposition.TEST: DocumentOutcome.TEST,
}

TEST_DATA = "test data: acknowledged, not applied"


def _attempt(
    store: Callable[[OpenedBody], IngestResult], body: OpenedBody
) -> IngestResult | Exception:
    """`store(body)`, or the exception it raised (a bug of ours on this body alone)."""
    try:
        return store(body)
    except Exception as error:  # handed to this body's caller, who answers it
        return error


def _prefetch(uow: UnitOfWork, bodies: Sequence[OpenedBody]) -> None:
    """Read the group's idempotency keys and lock its orders in two statements per partner,
    instead of two per body; the repositories answer `find` and `get_for_update` from what
    was read (and what the group itself writes after)."""
    keys: dict[str, list[tuple[str, str]]] = {}
    orders: dict[str, list[str]] = {}
    for body in bodies:
        partner_key = body.partner.key
        keys.setdefault(partner_key, []).extend(
            (_scope(unit), stored_key(unit.idempotency_key)) for unit in body.batch.units
        )
        orders.setdefault(partner_key, []).extend(
            plan.order.order_id
            for unit_plans in body.plans
            for plan in unit_plans
            if isinstance(plan, _Apply)
        )
    for partner_key in sorted(keys):
        uow.idempotency.prefetch(partner_key, keys[partner_key])
        if orders[partner_key]:
            uow.orders.prefetch_for_update(partner_key, orders[partner_key])


def _scope(unit: InboundUnit) -> str:
    """A unit's idempotency scope: a test unit's key never answers for a live one."""
    return f"{unit.idempotency_scope}:test" if unit.test else unit.idempotency_scope


def _matched(uow: UnitOfWork, partner: Partner, plan: _Plan) -> _Plan:
    """An acknowledgement's plan with the outbox rows it names (one lookup per document)."""
    if not isinstance(plan, _Acknowledge):
        return plan
    rows = tuple(
        uow.outbox.find_by_ack_key(partner.key, item.ack_key)
        for item in plan.acknowledgement.documents
    )
    return _Acknowledge(plan.acknowledgement, rows)


def unmatched_text(items: Sequence[AcknowledgedDocument]) -> str:
    """What the log says about acknowledged documents that are not ours."""
    return "names no document of ours: " + "; ".join(item.description for item in items)


def _unit_outcome(unit: InboundUnit, plans: Sequence[_Plan]) -> DocumentOutcome:
    """What became of one new unit of a body of many, known before its documents are written:
    rejected (its envelope, or every document refused), test, unmatched (only acknowledgements
    naming nothing of ours), or processed."""
    if unit.rejection is not None or (plans and all(isinstance(p, _Refuse) for p in plans)):
        return DocumentOutcome.REJECTED
    if unit.test:
        return DocumentOutcome.TEST
    acknowledgements = [p for p in plans if isinstance(p, _Acknowledge)]
    if (
        acknowledgements
        and len(acknowledgements) == len(plans)
        and all(a.rows and len(a.unmatched) == len(a.rows) for a in acknowledgements)
    ):
        return DocumentOutcome.UNMATCHED
    return DocumentOutcome.PROCESSED


def _summary(
    batch: InboundBatch,
    found: Sequence[tuple[UUID, UUID | None] | None],
    plans: Sequence[Sequence[_Plan]],
) -> DocumentOutcome:
    """The outcome of a body of many: its new units' common outcome, else processed."""
    outcomes = {
        _unit_outcome(unit, unit_plans)
        for unit, unit_plans, seen in zip(batch.units, plans, found, strict=True)
        if seen is None
    }
    return outcomes.pop() if len(outcomes) == 1 else DocumentOutcome.PROCESSED


def _summary_detail(
    batch: InboundBatch,
    found: Sequence[tuple[UUID, UUID | None] | None],
    plans: Sequence[Sequence[_Plan]],
) -> str | None:
    """What the log keeps about a body of many: unreadable parts, rejected envelopes, test
    units, acknowledgements naming nothing of ours (each document's own fate is its order,
    dead letter or answer)."""
    parts = list(batch.problems)
    for unit, unit_plans, seen in zip(batch.units, plans, found, strict=True):
        if seen is not None:
            continue
        if unit.rejection is not None:
            parts.append(unit.rejection)
        elif unit.test:
            parts.append(f"{unit.reference}: {TEST_DATA}")
        for document, plan in zip(unit.documents, unit_plans, strict=True):
            if isinstance(plan, _Acknowledge) and plan.unmatched:
                parts.append(named(document, unmatched_text(plan.unmatched)))
    return "; ".join(parts) or batch.note


def _detail(result: DocumentResult, batch: InboundBatch) -> str | None:
    """What the log keeps about a lone document: why it was not stored, or the batch's note."""
    if result.disposition is Disposition.STORED and result.reason is None:
        return batch.note
    return result.message or batch.note


def _log(partner: Partner, batch: InboundBatch, result: IngestResult) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    logger.info(
        "%s from %s: %d stored, %d held, %d refused, %d duplicate, %d unreadable parts",
        batch.kind,
        partner.key,
        result.count(Disposition.STORED),
        result.count(Disposition.HELD),
        result.count(Disposition.REFUSED),
        result.count(Disposition.DUPLICATE),
        len(batch.problems),
    )
