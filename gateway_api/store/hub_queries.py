"""`SqlHubReader`: the hub pages' read model in SQL (the adapter of `hub_ports.HubReader`).

Read-only: each method opens a connection, reads, and lets go; nothing here writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Select, false, func, or_, select, union
from sqlalchemy.engine import Connection, Row

from gateway_api.store import tables as t
from gateway_api.store.hub_ports import (
    FindingRow,
    MessageRow,
    MessageSearch,
    OrderRef,
    OrderRelations,
    PartnerStatus,
)
from gateway_api.store.records import (
    DeadLetterStatus,
    DocumentOutcome,
    FulfilmentRecord,
    FulfilmentStatus,
    JobRunTag,
    OutboxRecord,
    OutboxStatus,
    StoredEvent,
)

_D = t.documents.c
_MESSAGE_COLUMNS = (
    _D.id,
    _D.created_at,
    _D.partner_key,
    _D.direction,
    _D.kind,
    _D.outcome,
    _D.payload_id,
    _D.correlation_id,
    _D.status_code,
    _D.size,
    _D.in_reply_to,
)
_ERROR_OUTCOMES = (DocumentOutcome.REJECTED.value, DocumentOutcome.HELD.value)


class SqlHubReader:
    """The hub's read model over the gateway database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def messages(self, search: MessageSearch) -> list[MessageRow]:
        """The message log, newest first, filtered as `search` says."""
        query = select(*_MESSAGE_COLUMNS)
        for column, value in (
            (_D.partner_key, search.partner_key),
            (_D.kind, search.kind),
            (_D.outcome, search.outcome),
            (_D.direction, search.direction),
        ):
            if value is not None:
                query = query.where(column == value)
        if search.since is not None:
            query = query.where(_D.created_at >= search.since)
        if search.until is not None:
            query = query.where(_D.created_at < search.until)
        if search.reference is not None:
            query = query.where(_carries_reference(search.reference))
        query = query.order_by(_D.created_at.desc(), _D.id).limit(search.limit)
        with self._engine.connect() as connection:
            return [_message(row) for row in connection.execute(query)]

    def canonical(self, document_id: UUID) -> dict[str, Any] | None:
        """The order snapshot this document produced, or the canonical document we sent in it."""
        e, o = t.order_events.c, t.outbox.c
        with self._engine.connect() as connection:
            event = connection.execute(
                select(e.document).where(e.document_id == document_id).order_by(e.version.desc())
            ).first()
            if event is not None:
                return dict(event.document)
            sent = connection.execute(
                select(o.document).where(o.last_document_id == document_id)
            ).first()
            return None if sent is None else dict(sent.document)

    def order_of(self, document_id: UUID) -> UUID | None:
        """The order a document belongs to: through its order event, the outbox row that sent
        it, or the document it answers."""
        with self._engine.connect() as connection:
            return _order_of(connection, document_id, hops=2)

    def order_relations(self, order_uuid: UUID) -> OrderRelations | None:
        """An order with its events, outbox rows, fulfilment documents and logged documents."""
        o, e, x, f = t.orders.c, t.order_events.c, t.outbox.c, t.fulfilment_documents.c
        with self._engine.connect() as connection:
            row = connection.execute(
                select(o.id, o.partner_key, o.order_id, o.status, o.version).where(
                    o.id == order_uuid
                )
            ).one_or_none()
            if row is None:
                return None
            order = OrderRef(row.id, row.partner_key, row.order_id, row.status, row.version)
            events = [
                StoredEvent(
                    version=r.version,
                    kind=r.kind,
                    status=r.status,
                    document_id=r.document_id,
                    payload_id=r.payload_id,
                    document=r.document,
                    created_at=r.created_at,
                )
                for r in connection.execute(
                    select(t.order_events).where(e.order_uuid == order_uuid).order_by(e.version)
                )
            ]
            outbox = [
                _outbox(r)
                for r in connection.execute(
                    select(t.outbox).where(x.order_uuid == order_uuid).order_by(x.created_at)
                )
            ]
            fulfilment = [
                _fulfilment(r)
                for r in connection.execute(
                    select(t.fulfilment_documents)
                    .where(f.order_uuid == order_uuid)
                    .order_by(f.created_at)
                )
            ]
            documents = [
                _message(r)
                for r in connection.execute(
                    select(*_MESSAGE_COLUMNS)
                    .where(_about_order(order, events, outbox))
                    .order_by(_D.created_at, _D.id)
                )
            ]
        return OrderRelations(order, events, outbox, fulfilment, documents)

    def partner_board(
        self, *, errors_since: datetime, acknowledgement_due_before: datetime
    ) -> list[PartnerStatus]:
        """Per partner: the last message, recent errors, dead letters, delivery backlog, dead
        deliveries, overdue acknowledgements and open reconciliation findings."""
        p, x = t.partners.c, t.outbox.c
        counts: dict[str, dict[str, Any]] = {}

        def gather(name: str, query: Select[Any]) -> None:
            for key, value in connection.execute(query):
                counts.setdefault(key, {})[name] = value

        with self._engine.connect() as connection:
            gather(
                "last_message_at",
                select(_D.partner_key, func.max(_D.created_at)).group_by(_D.partner_key),
            )
            gather(
                "errors",
                select(_D.partner_key, func.count())
                .where(_D.outcome.in_(_ERROR_OUTCOMES), _D.created_at >= errors_since)
                .group_by(_D.partner_key),
            )
            dl = t.dead_letters.c
            gather(
                "open_dead_letters",
                select(dl.partner_key, func.count())
                .where(dl.status == DeadLetterStatus.OPEN.value)
                .group_by(dl.partner_key),
            )
            for name, status in (
                ("backlog", OutboxStatus.PENDING),
                ("dead_deliveries", OutboxStatus.DEAD),
            ):
                gather(
                    name,
                    select(x.partner_key, func.count())
                    .where(x.status == status.value)
                    .group_by(x.partner_key),
                )
            gather(
                "overdue_acknowledgements",
                select(x.partner_key, func.count())
                .where(
                    x.status == OutboxStatus.DELIVERED.value,
                    x.ack_key.is_not(None),
                    x.acknowledgment.is_(None),
                    x.delivered_at < acknowledgement_due_before,
                )
                .group_by(x.partner_key),
            )
            rf = t.reconciliation_findings.c
            gather(
                "open_findings",
                select(rf.partner_key, func.count())
                .where(rf.status == "open", rf.partner_key.is_not(None))
                .group_by(rf.partner_key),
            )
            partners = connection.execute(
                select(p.key, p.display_name, p.enabled).order_by(p.key)
            ).all()
        return [
            PartnerStatus(
                partner_key=row.key,
                display_name=row.display_name,
                enabled=row.enabled,
                last_message_at=counts.get(row.key, {}).get("last_message_at"),
                **{
                    name: int(counts.get(row.key, {}).get(name, 0))
                    for name in (
                        "errors",
                        "open_dead_letters",
                        "backlog",
                        "dead_deliveries",
                        "overdue_acknowledgements",
                        "open_findings",
                    )
                },
            )
            for row in partners
        ]

    def findings(self, *, status: str | None, limit: int) -> list[FindingRow]:
        """Reconciliation findings, most recently seen first."""
        rf = t.reconciliation_findings.c
        query = select(t.reconciliation_findings)
        if status is not None:
            query = query.where(rf.status == status)
        query = query.order_by(rf.last_seen_at.desc(), rf.id).limit(limit)
        with self._engine.connect() as connection:
            return [
                FindingRow(**{**dict(r._mapping), "facts": dict(r.facts or {})})
                for r in connection.execute(query)
            ]

    def task_instance_documents(self, key: JobRunTag) -> list[MessageRow]:
        """The documents tagged with exactly this task instance (all four ids), oldest first."""
        j = t.job_run_documents.c
        query = (
            select(*_MESSAGE_COLUMNS)
            .join(t.job_run_documents, j.document_id == _D.id)
            .where(
                j.dag_id == key.dag_id,
                j.run_id == key.run_id,
                j.task_id == key.task_id,
                j.map_index == key.map_index,
            )
            .order_by(_D.created_at, _D.id)
        )
        with self._engine.connect() as connection:
            return [_message(row) for row in connection.execute(query)]


def _carries_reference(reference: str) -> Any:
    """Documents that name `reference` themselves, that created or changed an order whose
    order id is `reference`, or that the outbox sent about such an order; and our answers to
    any of those."""
    o, e, x = t.orders.c, t.order_events.c, t.outbox.c
    named = t.documents.alias("named")
    orders = select(o.id).where(o.order_id == reference)
    ids = select(named.c.id).where(
        or_(
            named.c.payload_id == reference,
            named.c.correlation_id == reference,
            named.c.id.in_(select(e.document_id).where(e.order_uuid.in_(orders))),
            named.c.id.in_(select(x.last_document_id).where(x.order_uuid.in_(orders))),
        )
    )
    return or_(_D.id.in_(ids), _D.in_reply_to.in_(ids))


def _about_order(order: OrderRef, events: list[StoredEvent], outbox: list[OutboxRecord]) -> Any:
    """Every logged document about the order: the documents behind its events, the documents
    the outbox sent for it, documents of the partner naming it or one of those payloadIDs, and
    the answers to any of them."""
    direct = {ev.document_id for ev in events if ev.document_id is not None}
    direct |= {row.last_document_id for row in outbox if row.last_document_id is not None}
    payload_ids = {ev.payload_id for ev in events if ev.payload_id} | {
        row.payload_id for row in outbox
    }
    naming = (
        or_(_D.correlation_id == order.order_id, _D.payload_id.in_(payload_ids))
        if payload_ids
        else _D.correlation_id == order.order_id
    )
    named = select(_D.id).where(_D.partner_key == order.partner_key, naming)
    about = union(select(_D.id).where(_D.id.in_(direct) if direct else false()), named)
    ids = select(about.subquery().c.id)
    return or_(_D.id.in_(ids), _D.in_reply_to.in_(ids))


def _order_of(connection: Connection, document_id: UUID, *, hops: int) -> UUID | None:
    e, x = t.order_events.c, t.outbox.c
    found = connection.execute(
        select(e.order_uuid).where(e.document_id == document_id).limit(1)
    ).scalar_one_or_none()
    if found is None:
        found = connection.execute(
            select(x.order_uuid).where(x.last_document_id == document_id).limit(1)
        ).scalar_one_or_none()
    if found is not None or hops == 0:
        return found
    parent = connection.execute(
        select(_D.in_reply_to).where(_D.id == document_id)
    ).scalar_one_or_none()
    return None if parent is None else _order_of(connection, parent, hops=hops - 1)


def _message(row: Row[*tuple[Any, ...]]) -> MessageRow:
    return MessageRow(**row._mapping)


def _outbox(row: Row[Any]) -> OutboxRecord:
    values = dict(row._mapping)
    values["status"] = OutboxStatus(values["status"])
    return OutboxRecord(**values)


def _fulfilment(row: Row[Any]) -> FulfilmentRecord:
    values = dict(row._mapping)
    values["status"] = FulfilmentStatus(values["status"])
    return FulfilmentRecord(**values)
