"""The outbox dispatcher: claim due documents, render, send, read the answer, record the outcome.

One dispatcher run works in batches, each in four short steps (the next batch is claimed,
rendered and logged while the current one is being sent):

1. **Claim** (one transaction, one statement on PostgreSQL): due rows are leased (`FOR UPDATE
   SKIP LOCKED` on PostgreSQL) and their attempt counted.
2. **Render** (no transaction): each row by its partner's connector (with its DTD check when
   configured); then, in one more short transaction, the exact bytes are logged (secrets masked)
   and each row pointed at its log entry, before anything leaves.
3. **Send** (no transaction): through the transport the connector chose (HTTPS, or the partner's
   file drop), concurrently, with the outbox id as `Idempotency-Key`. The payloadID and timestamp
   were fixed when the document was queued, so a retry is byte-for-byte the same document and
   the partner can recognise it.
4. **Record** (one transaction): the answer's bytes, then delivered (2xx), rescheduled with
   backoff (5xx, 429, timeouts, connection errors) or dead-lettered (4xx, refused credentials,
   out of attempts) with the partner's status text.

A dispatcher that dies after 1 leaves the lease to expire; the next run sends the same document
with the same idempotency key, so the partner answers as before and records nothing new. No step
holds a database transaction open across rendering or the network.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from connectors.core import (
    AuthError,
    Clock,
    ConnectorError,
    RateLimitedError,
    TransientError,
)
from connectors.core.erp import SalesOrderRequest
from connectors.core.push import OutboundMessage, Receipt
from connectors.core.transport import TransportAnswer, Transports
from gateway_api.services.document_log import inbound_record, outbound_record
from gateway_api.services.job_problems import JobProblem
from gateway_api.services.partners import Partner, PartnerDirectory
from gateway_api.services.retry_policy import RetryPolicy
from gateway_api.services.sales_orders import SALES_ORDER_KIND, sales_order_request
from gateway_api.store.ports import UnitOfWork, UnitOfWorkFactory
from gateway_api.store.records import (
    DeadLetterRecord,
    DeadLetterStatus,
    DocumentOutcome,
    DocumentRecord,
    OutboxRecord,
)
from schemas import (
    DOCUMENT_ADAPTER,
    InventorySnapshot,
    Invoice,
    OrderConfirmation,
    PriceCatalog,
    PurchaseOrder,
    ShipNotice,
)

logger = logging.getLogger(__name__)

_DELIVERABLE = (OrderConfirmation, ShipNotice, Invoice, InventorySnapshot, PriceCatalog)
"""The canonical documents push connectors render (ERP sales orders go their own way)."""

DELIVERY_STAGE = "delivery"
"""Dead-letter stage of outbound documents that could not be delivered."""


@dataclass
class DispatchReport:
    """What one dispatcher run did (the job's typed result, shown in the CLI and Airflow)."""

    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead_lettered: int = 0
    errors: list[str] = field(default_factory=list)
    """One line per failed attempt: outbox id, partner, kind and why."""
    problems: list[JobProblem] = field(default_factory=list)
    """The failed attempts, classified (transient ones are the outbox's to retry)."""

    @property
    def failed(self) -> int:
        """Items a person has to look at (exit status 1 in the CLI)."""
        return self.dead_lettered

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (Airflow XCom, CLI `--json`)."""
        return {
            "claimed": self.claimed,
            "delivered": self.delivered,
            "retried": self.retried,
            "dead_lettered": self.dead_lettered,
            "errors": list(self.errors),
        }


@dataclass(frozen=True)
class _Prepared:
    record: OutboxRecord
    partner: Partner | None
    message: OutboundMessage | None
    sent_document_id: UUID
    failure: ConnectorError | None = None
    """Set when the document could not even be rendered (or failed DTD validation)."""
    sales_order: SalesOrderRequest | None = None
    """Set for a sales order to an ERP partner, which its connector delivers itself (look up,
    then create) instead of a transport; `sales_order_body` is what it will send."""
    sales_order_body: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class _Outcome:
    prepared: _Prepared
    answer: TransportAnswer | None
    receipt: Receipt | None
    error: ConnectorError | None


class OutboxDispatcher:
    """Delivers outbox rows to partners; safe to run in several processes at once."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        directory: PartnerDirectory,
        *,
        clock: Clock,
        transports: Transports,
        policy: RetryPolicy | None = None,
        senders: int = 8,
    ) -> None:
        self._uow = uow
        self._directory = directory
        self._clock = clock
        self._transports = transports
        self.policy = policy or RetryPolicy()
        self._senders = senders

    def run(
        self,
        *,
        max_documents: int | None = None,
        partner_key: str | None = None,
        outbox_id: UUID | None = None,
        final_attempt: bool = False,
    ) -> DispatchReport:
        """Deliver due documents until none is due (or `max_documents` were claimed).

        `final_attempt` (dead-letter replay) dead-letters a transient failure instead of
        rescheduling it: the operator asked for one attempt now.
        """
        report = DispatchReport()

        def claim_next() -> list[_Prepared]:
            limit = self.policy.batch_size
            if max_documents is not None:
                limit = min(limit, max_documents - report.claimed)
            if limit <= 0:
                return []
            claimed = self._claim(limit, partner_key=partner_key, outbox_id=outbox_id)
            report.claimed += len(claimed)
            return claimed

        with ThreadPoolExecutor(self._senders, thread_name_prefix="outbox-send") as pool:
            batch = claim_next()
            while batch:
                sending = self._start_sending(pool, batch)
                # Claim and render the next batch while this one is on the wire. Its rows are
                # still pending, so a later document of the same order is not claimed yet.
                upcoming = claim_next()
                self._record(sending(), report, final_attempt=final_attempt)
                # Recording may have freed the next document of an order: look once more.
                batch = upcoming or claim_next()
        return report

    # -- 1. claim, 2. render and log -----------------------------------------------------------

    def _claim(
        self, limit: int, *, partner_key: str | None, outbox_id: UUID | None
    ) -> list[_Prepared]:
        """Lease up to `limit` due rows, render them, log what will be sent.

        Two short transactions: the claim (which also reads the stored order of an ERP sales
        order), then the log of the rendered bytes; rendering runs between them, holding no
        transaction and no row lock.
        """
        now = self._clock()
        lease = now + timedelta(seconds=self.policy.lease_seconds)
        with self._uow() as uow:
            claimed = uow.outbox.claim_due(
                now=now,
                lease_until=lease,
                limit=limit,
                partner_key=partner_key,
                outbox_id=outbox_id,
            )
            sales_orders = {
                record.id: self._prepare_sales_order(uow, record)
                for record in claimed
                if record.kind == SALES_ORDER_KIND
            }
            uow.commit()
        if not claimed:
            return []
        try:
            prepared = [sales_orders.get(record.id) or self._prepare(record) for record in claimed]
            self._log_sent(prepared, now)
        except Exception:
            # A bug in a renderer (or the store failing): nothing was sent, so give the rows
            # back as the claim found them, as when rendering ran inside the claim's
            # transaction. (A process that dies here leaves the lease to expire instead.)
            self._release(claimed, lease_until=lease, at=now)
            raise
        return prepared

    def _release(self, claimed: list[OutboxRecord], *, lease_until: datetime, at: datetime) -> None:
        """Undo the claim of `claimed` (best effort: the lease expires should this fail too)."""
        try:
            with self._uow() as uow:
                ids = [record.id for record in claimed]
                uow.outbox.release(ids, lease_until=lease_until, at=at)
                uow.commit()
        except Exception:
            logger.exception("outbox: could not release %d claimed rows", len(claimed))

    def _log_sent(self, prepared: list[_Prepared], now: datetime) -> None:
        """Log the bytes about to be sent and point each row at its entry (one transaction)."""
        with self._uow() as uow:
            uow.documents.add(*(self._sent_record(item, now) for item in prepared))
            uow.outbox.record_sent_documents(
                [(item.record.id, item.sent_document_id) for item in prepared]
            )
            uow.commit()

    def _prepare(self, record: OutboxRecord) -> _Prepared:
        partner = self._directory.get(record.partner_key)
        try:
            if partner is None or partner.push is None:
                msg = f"partner {record.partner_key!r} is not configured or not enabled"
                raise AuthError(msg)
            document = DOCUMENT_ADAPTER.validate_python(record.document)
            if not isinstance(document, _DELIVERABLE):
                msg = f"{record.document_type} is not a document we deliver"
                raise ConnectorError(msg)
            message = partner.push.render(
                document, payload_id=record.payload_id, timestamp=record.created_at
            )
        except (ConnectorError, ValueError) as error:
            failure = error if isinstance(error, ConnectorError) else ConnectorError(str(error))
            return _Prepared(record, partner, None, uuid4(), failure=failure)
        return _Prepared(record, partner, message, uuid4())

    def _prepare_sales_order(self, uow: UnitOfWork, record: OutboxRecord) -> _Prepared:
        """A sales order for the ERP (a row `SalesOrderQueue` queued): the order as queued, its
        channel's customer card, and the exact JSON the connector will send (for the log).

        Routed here by the row's kind, before `_prepare` (which keeps its one-argument form):
        the channel is read from the stored order, in the claim's transaction.
        """
        partner = self._directory.get(record.partner_key)
        try:
            if partner is None or partner.erp is None:
                msg = f"ERP partner {record.partner_key!r} is not configured or not enabled"
                raise AuthError(msg)
            document = DOCUMENT_ADAPTER.validate_python(record.document)
            stored = uow.orders.get(record.order_uuid) if record.order_uuid is not None else None
            if not isinstance(document, PurchaseOrder) or stored is None:
                msg = f"{record.document_type} row {record.id} is not a stored order for the ERP"
                raise ConnectorError(msg)
            request = sales_order_request(
                document,
                document_number=record.payload_id,
                channel=stored[0].partner_key,
                directory=self._directory,
            )
            body = partner.erp.render_sales_order(request)
        except (ConnectorError, ValueError) as error:
            failure = error if isinstance(error, ConnectorError) else ConnectorError(str(error))
            return _Prepared(record, partner, None, uuid4(), failure=failure)
        return _Prepared(record, partner, None, uuid4(), sales_order=request, sales_order_body=body)

    def _sent_record(self, item: _Prepared, now: datetime) -> DocumentRecord:
        record, message = item.record, item.message
        redacted = None
        if item.sales_order is not None:
            body, content_type, kind = item.sales_order_body, "application/json", record.kind
            detail = f"attempt {record.attempts}: sales order {item.sales_order.document_number}"
        elif message is not None:
            body, content_type, kind = message.body, message.content_type, message.kind
            redacted = message.log_body
            detail = f"attempt {record.attempts} to {message.url}"
        else:  # nothing to send: keep the canonical document, for the dead letter to point at
            body = DOCUMENT_ADAPTER.dump_json(DOCUMENT_ADAPTER.validate_python(record.document))
            content_type, kind = "application/json", record.kind
            detail = f"attempt {record.attempts}: not sent: {item.failure}"
        return outbound_record(
            body,
            partner_key=record.partner_key,
            protocol=_protocol(item),
            kind=kind,
            at=now,
            content_type=content_type,
            payload_id=record.payload_id,
            correlation_id=record.correlation_id,
            detail=detail,
            document_id=item.sent_document_id,
            redacted=redacted,
        )

    # -- 3. send ------------------------------------------------------------------------------

    def _start_sending(
        self, pool: ThreadPoolExecutor, batch: list[_Prepared]
    ) -> Callable[[], list[_Outcome]]:
        """Send `batch` on the pool's threads; returns what waits for the outcomes (in order).

        One task per sender thread, each taking the next unsent document until none is left,
        instead of one task per document: the same concurrency, without a future, a queue
        hand-off and a wake-up of the waiting thread for every document.
        """
        outcomes: list[_Outcome | None] = [None] * len(batch)
        todo = iter(enumerate(batch))
        lock = threading.Lock()

        def sender() -> None:
            while True:
                with lock:
                    position, item = next(todo, (-1, None))
                if item is None:
                    return
                outcomes[position] = self._send(item)

        tasks = [pool.submit(sender) for _ in range(min(self._senders, len(batch)))]

        def wait() -> list[_Outcome]:
            for task in tasks:
                task.result()  # re-raises what a sender raised, as one task per document did
            return [outcome for outcome in outcomes if outcome is not None]

        return wait

    def _send(self, item: _Prepared) -> _Outcome:
        if item.sales_order is not None:
            return self._submit_sales_order(item, item.sales_order)
        if item.failure is not None or item.message is None or item.partner is None:
            return _Outcome(item, None, None, item.failure)
        assert item.partner.push is not None
        message = item.message
        try:
            answer = self._transports.deliver(
                message.destination,
                message.body,
                content_type=message.content_type,
                idempotency_key=str(item.record.id),
                now=self._clock(),
            )
        except ConnectorError as error:  # network or drop failures, classified
            return _Outcome(item, None, None, error)
        try:
            receipt = item.partner.push.read_receipt(answer.status, answer.body, answer.headers)
        except ConnectorError as error:
            return _Outcome(item, _logged(answer), None, error)
        return _Outcome(item, _logged(answer), receipt, None)

    def _submit_sales_order(self, item: _Prepared, request: SalesOrderRequest) -> _Outcome:
        """The ERP connector delivers it (look up by document number, then create); its
        receipt is logged as the answer."""
        assert item.partner is not None
        assert item.partner.erp is not None
        try:
            created = item.partner.erp.submit_sales_order(request)
        except ConnectorError as error:
            return _Outcome(item, None, None, error)
        verb = "created" if created.created else "already there, nothing created"
        text = f"sales order {created.document_number} ({created.erp_reference}): {verb}"
        body = json.dumps(
            {
                "document_number": created.document_number,
                "erp_reference": created.erp_reference,
                "created": created.created,
            }
        ).encode()
        answer = TransportAnswer(
            status=200, body=body, headers={"content-type": "application/json"}
        )
        return _Outcome(item, answer, Receipt(200, text), None)

    # -- 4. record ----------------------------------------------------------------------------

    def _record(
        self, outcomes: Iterable[_Outcome], report: DispatchReport, *, final_attempt: bool
    ) -> None:
        now = self._clock()
        outcomes = list(outcomes)
        with self._uow() as uow:
            answers = [self._answer_record(o, now) for o in outcomes if o.answer is not None]
            uow.documents.add(*answers)
            delivered = [o.prepared.record.id for o in outcomes if o.receipt is not None]
            uow.outbox.mark_delivered(delivered, at=now)
            for outcome in outcomes:
                if outcome.receipt is not None and outcome.receipt.acknowledgment is not None:
                    verdict = outcome.receipt.acknowledgment.value
                    uow.outbox.record_acknowledgment(outcome.prepared.record.id, verdict, at=now)
            report.delivered += len(delivered)
            for outcome in outcomes:
                record = outcome.prepared.record
                if outcome.receipt is not None:
                    continue
                error = outcome.error or TransientError("no answer")
                text = str(error)
                line = f"{record.id} {record.partner_key} {record.kind}: {text}"
                report.errors.append(line)
                report.problems.append(JobProblem.of(record.partner_key, error))
                logger.warning("outbox attempt %d failed: %s", record.attempts, line)
                retry = isinstance(error, TransientError) and not final_attempt
                if retry and not self.policy.gives_up(record.attempts):
                    after = error.retry_after if isinstance(error, RateLimitedError) else None
                    uow.outbox.reschedule(
                        record.id,
                        at=now,
                        next_attempt_at=now + self.policy.wait_after(record.attempts, after),
                        error=text,
                    )
                    report.retried += 1
                    continue
                report.dead_lettered += 1
                if final_attempt:  # a replay: the dead letter being replayed records the error
                    uow.outbox.mark_dead(record.id, at=now, error=text)
                    continue
                if isinstance(error, TransientError):
                    text = f"gave up after {record.attempts} attempts: {text}"
                self._dead_letter(uow, outcome.prepared, text, now)
            uow.commit()

    def _answer_record(self, outcome: _Outcome, now: datetime) -> DocumentRecord:
        assert outcome.answer is not None
        answer, record = outcome.answer, outcome.prepared.record
        status = outcome.receipt.status_code if outcome.receipt else answer.status
        detail = (
            f"HTTP {answer.status}: {outcome.receipt.text}"
            if outcome.receipt
            else f"HTTP {answer.status}: {outcome.error}"
        )
        return inbound_record(
            answer.body,
            partner_key=record.partner_key,
            protocol=_protocol(outcome.prepared),
            kind="Response",
            outcome=DocumentOutcome.PROCESSED,
            status_code=status,
            at=now,
            authenticated=True,
            correlation_id=record.correlation_id,
            detail=detail,
            content_type=_header(answer.headers, "content-type"),
            in_reply_to=outcome.prepared.sent_document_id,
        )

    def _dead_letter(self, uow: UnitOfWork, item: _Prepared, error: str, now: datetime) -> None:
        record = item.record
        uow.outbox.mark_dead(record.id, at=now, error=error)
        uow.dead_letters.add(
            DeadLetterRecord(
                id=uuid4(),
                document_id=item.sent_document_id,
                partner_key=record.partner_key,
                stage=DELIVERY_STAGE,
                error=error,
                status=DeadLetterStatus.OPEN,
                attempts=record.attempts,
                created_at=now,
                updated_at=now,
                resolved_at=None,
                outbox_id=record.id,
            )
        )


def _protocol(item: _Prepared) -> str:
    return item.partner.protocol if item.partner is not None else "unknown"


def _logged(answer: TransportAnswer) -> TransportAnswer | None:
    """An answer worth logging: one that came back over the wire (a file drop returns none)."""
    return answer if answer.body or answer.headers else None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)
