"""Reconciliation in SQL: one set-based statement per rule, findings kept up to date in place.

Each rule is a SELECT over the whole window (orders, their lines and figures, the outbox,
carrier shipments) that yields one row per subject it finds, with a sentence and the figures it
compared. Its rows go into a temporary table, and four statements bring
`reconciliation_findings` in line with it: open findings found again are touched
(`last_seen_at`, figures), closed ones found again are reopened, new subjects are inserted, and
open findings the rule no longer finds are closed. No row travels to Python, so a run over a
million orders costs what the database's joins cost.

Written once for both backends; where they differ (JSON, UUIDs, decimal text, timestamps as
text) a small helper picks the dialect's function. SQLite keeps decimals as text, so every
comparison is between arithmetic expressions (numbers), never a column and a literal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from typing import cast as cast_type
from uuid import UUID

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Float,
    MetaData,
    Select,
    String,
    Table,
    Text,
    Uuid,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.schema import CreateTable

from gateway_api.domain.line_figures import LineFigures
from gateway_api.store import tables as t
from gateway_api.store.insert_buffer import BufferedConnection
from gateway_api.store.reconciliation_records import (
    FindingRecord,
    FindingStatus,
    PartnerDeadlines,
    ReconciliationScope,
    Rule,
    RuleOutcome,
)
from gateway_api.store.shipment_repository import FINAL_TRACKING
from gateway_api.store.types import UtcDateTime

_F = t.reconciliation_findings.c
_O = t.orders.c
_L = t.order_lines.c
_P = t.order_line_fulfilment.c
_X = t.outbox.c
_D = t.fulfilment_documents.c
_S = t.shipments.c

_TEMPORARY = MetaData()
current = Table(
    "reconciliation_current",
    _TEMPORARY,
    Column("rule", String(48), primary_key=True),
    Column("subject", String(255), primary_key=True),
    Column("partner_key", String(64)),
    Column("order_uuid", Uuid),
    Column("outbox_id", Uuid),
    Column("detail", Text, nullable=False),
    Column("facts", JSON, nullable=False),
    prefixes=["TEMPORARY"],
)
"""What the rule being run finds now (per connection; emptied before each rule)."""
_T = current.c

CONFIRMATION = "order_confirmation"
CANCELLED = "cancelled"
DELIVERED = "delivered"
PENDING = "pending"
DEAD = "dead"
REJECTED = "rejected"
EXCEPTION = "exception"
"""The tracking status of a shipment the carrier reports a problem with."""

Deadline = Callable[[PartnerDeadlines], timedelta | None]


class SqlReconciliationRepository:
    """Per-line figures, the rules as SQL, and the findings table."""

    def __init__(self, connection: BufferedConnection) -> None:
        self._c = connection
        self._pg = connection.dialect_name == "postgresql"

    # -- the write path: figures per order line ------------------------------------------------

    def save_line_figures(
        self, order_uuid: UUID, figures: Sequence[LineFigures], *, at: datetime
    ) -> None:
        """Replace the order's per-line figures (written with the document that changed them)."""
        self._c.execute(delete(t.order_line_fulfilment).where(_P.order_uuid == order_uuid))
        self._c.stage(
            t.order_line_fulfilment,
            [
                {
                    "order_uuid": order_uuid,
                    "line_number": f.line_number,
                    "rejected_quantity": f.rejected,
                    "shipped_quantity": f.shipped,
                    "invoiced_quantity": f.invoiced,
                    "invoiced_amount": f.invoiced_amount,
                    "invoice_lines": f.invoice_lines,
                    "updated_at": at,
                }
                for f in figures
            ],
        )

    def orders_without_figures(self, *, limit: int) -> list[UUID]:
        """Orders with fulfilment documents but no per-line figures: issued before the figures
        were kept (migration 0006), so the reconcile job folds them once."""
        fulfilled = t.fulfilment_documents.c
        rows = self._c.execute(
            select(fulfilled.order_uuid)
            .distinct()
            .where(~select(_P.order_uuid).where(_P.order_uuid == fulfilled.order_uuid).exists())
            .limit(limit)
        )
        return [row.order_uuid for row in rows]

    # -- the rules -----------------------------------------------------------------------------

    def reconcile(self, rule: Rule, scope: ReconciliationScope) -> RuleOutcome:
        """Run `rule` over the scope; bring its findings in line: touch, reopen, insert, close."""
        found = self._current(rule, scope)
        now = literal(scope.now, UtcDateTime())
        same = and_(_F.rule == _T.rule, _F.subject == _T.subject)
        still_open = _count(
            self._c.execute(
                update(t.reconciliation_findings)
                .where(same, _F.status == FindingStatus.OPEN.value)
                .values(last_seen_at=now, detail=_T.detail, facts=_T.facts)
            )
        )
        reopened = _count(
            self._c.execute(
                update(t.reconciliation_findings)
                .where(same, _F.status == FindingStatus.CLOSED.value)
                .values(
                    status=FindingStatus.OPEN.value,
                    first_seen_at=now,
                    last_seen_at=now,
                    closed_at=None,
                    detail=_T.detail,
                    facts=_T.facts,
                )
            )
        )
        inserted = _count(
            self._c.execute(
                insert(t.reconciliation_findings)
                .from_select(
                    [
                        "id",
                        "rule",
                        "subject",
                        "partner_key",
                        "order_uuid",
                        "outbox_id",
                        "detail",
                        "facts",
                        "status",
                        "first_seen_at",
                        "last_seen_at",
                    ],
                    select(
                        self._new_id(),
                        _T.rule,
                        _T.subject,
                        _T.partner_key,
                        _T.order_uuid,
                        _T.outbox_id,
                        _T.detail,
                        _T.facts,
                        literal(FindingStatus.OPEN.value),
                        now,
                        now,
                    ).where(
                        _T.rule == rule.value,
                        ~exists().where(_F.rule == _T.rule, _F.subject == _T.subject),
                    ),
                )
                .execution_options(preserve_rowcount=True)
            )
        )
        closing = [
            _F.rule == rule.value,
            _F.status == FindingStatus.OPEN.value,
            ~exists().where(_T.rule == _F.rule, _T.subject == _F.subject),
        ]
        if scope.partner_key is not None:
            closing.append(_F.partner_key == scope.partner_key)
        closed = _count(
            self._c.execute(
                update(t.reconciliation_findings)
                .where(*closing)
                .values(status=FindingStatus.CLOSED.value, closed_at=now)
            )
        )
        return RuleOutcome(
            found=found, opened=inserted + reopened, still_open=still_open, closed=closed
        )

    def _current(self, rule: Rule, scope: ReconciliationScope) -> int:
        """Fill the temporary table with what `rule` finds now; the number of subjects."""
        query = _RuleQueries(scope, postgres=self._pg).build(rule)
        if self._pg:
            return self._create_current(query)
        self._c.execute(CreateTable(current, if_not_exists=True))
        self._c.execute(delete(current))
        return _count(
            self._c.execute(
                insert(current)
                .from_select([column.name for column in current.columns], query)
                .execution_options(preserve_rowcount=True)
            )
        )

    def _create_current(self, query: Select[Any]) -> int:
        """PostgreSQL: `CREATE TEMP TABLE ... AS SELECT`, dropped at commit. Unlike INSERT ...
        SELECT, which PostgreSQL runs without parallel workers, it may scan and join in
        parallel (docs/benchmarks.md, "Reconciliation")."""
        found = query.subquery()
        typed = select(
            *(
                cast(value, column.type).label(column.name)
                for value, column in zip(found.c, current.columns, strict=True)
            )
        )
        compiled = typed.compile(dialect=self._c.connection.dialect)
        self._c.flush()
        self._c.connection.exec_driver_sql("DROP TABLE IF EXISTS pg_temp.reconciliation_current")
        result = self._c.connection.exec_driver_sql(
            f"CREATE TEMP TABLE reconciliation_current ON COMMIT DROP AS {compiled}",
            compiled.params,
            execution_options={"preserve_rowcount": True},
        )
        self._c.connection.exec_driver_sql(
            "ALTER TABLE reconciliation_current ADD PRIMARY KEY (rule, subject)"
        )
        self._c.connection.exec_driver_sql("ANALYZE reconciliation_current")
        return _count(result)

    def _new_id(self) -> ColumnElement[Any]:
        if self._pg:
            return func.gen_random_uuid()
        return func.lower(func.hex(func.randomblob(16)))

    # -- reading findings ----------------------------------------------------------------------

    def findings(
        self,
        *,
        status: str | None = None,
        rule: str | None = None,
        partner_key: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[FindingRecord]:
        """Findings filtered, most recently seen first (then by rule and subject, stable)."""
        filters: list[ColumnElement[bool]] = []
        for column, value in ((_F.status, status), (_F.rule, rule), (_F.partner_key, partner_key)):
            if value is not None:
                filters.append(column == value)
        rows = self._c.execute(
            select(t.reconciliation_findings)
            .where(and_(True, *filters))
            .order_by(_F.last_seen_at.desc(), _F.rule, _F.subject)
            .limit(limit)
            .offset(offset)
        )
        return [
            FindingRecord(
                **{
                    **dict(row._mapping),
                    "status": FindingStatus(row.status),
                    "facts": dict(row.facts or {}),
                }
            )
            for row in rows
        ]

    def open_counts(self, *, partner_key: str | None = None) -> dict[str, int]:
        """Open findings per rule."""
        query = select(_F.rule, func.count().label("n")).where(
            _F.status == FindingStatus.OPEN.value
        )
        if partner_key is not None:
            query = query.where(_F.partner_key == partner_key)
        rows = self._c.execute(query.group_by(_F.rule))
        return {row.rule: row.n for row in rows}


class _RuleQueries:
    """The SELECT of each rule for one scope, in the dialect at hand."""

    def __init__(self, scope: ReconciliationScope, *, postgres: bool) -> None:
        self.scope = scope
        self.pg = postgres
        # Decimals are exact on PostgreSQL; SQLite computes with the text it stores as floats.
        self.eps: ColumnElement[Any] = literal_column("0" if postgres else "0.000000001")

    def build(self, rule: Rule) -> Select[Any]:
        """The rule's rows: rule, subject, partner_key, order_uuid, outbox_id, detail, facts."""
        builders: dict[Rule, Callable[[], Select[Any]]] = {
            Rule.CONFIRMATION_OVERDUE: self.confirmation_overdue,
            Rule.SHIP_NOTICE_OVERDUE: self.ship_notice_overdue,
            Rule.LINE_MISMATCH: self.line_mismatch,
            Rule.ACKNOWLEDGEMENT_OVERDUE: self.acknowledgement_overdue,
            Rule.ACKNOWLEDGEMENT_REJECTED: self.acknowledgement_rejected,
            Rule.OUTBOX_STUCK: self.outbox_stuck,
            Rule.SHIPMENT_NOT_DELIVERED: self.shipment_not_delivered,
            Rule.SHIPMENT_EXCEPTION: self.shipment_exception,
        }
        return builders[rule]()

    # -- rules over orders ---------------------------------------------------------------------

    def _orders(self) -> list[ColumnElement[bool]]:
        found = [_O.created_at >= literal(self.scope.since, UtcDateTime())]
        if self.scope.partner_key is not None:
            found.append(_O.partner_key == self.scope.partner_key)
        return found

    def confirmation_overdue(self) -> Select[Any]:
        """Orders (not cancelled) with no confirmation at all, received before the cutoff."""
        cutoff = self._cutoff(_O.partner_key, lambda d: d.confirmation)
        hours = self._hours(_O.partner_key, lambda d: d.confirmation)
        return select(
            literal(Rule.CONFIRMATION_OVERDUE.value),
            literal("order:") + cast(_O.id, Text),
            _O.partner_key,
            _O.id,
            literal(None, Uuid()),
            literal("order ")
            + _O.order_id
            + literal(" has no confirmation ")
            + func.coalesce(_text_hours(hours), "")
            + literal(" h after it was received (")
            + self._iso(_O.created_at)
            + literal(")"),
            self._json(
                order_id=_O.order_id,
                received_at=self._iso(_O.created_at),
                deadline_hours=hours,
            ),
        ).where(
            *self._orders(),
            _O.status != CANCELLED,
            _O.created_at < cutoff,
            ~exists().where(_D.order_uuid == _O.id, _D.document_type == CONFIRMATION),
        )

    def ship_notice_overdue(self) -> Select[Any]:
        """Orders (not cancelled) with a line still to ship (ordered, less rejected, less
        shipped) past its requested delivery date plus grace, or, without one, past the
        partner's days from receipt."""
        dated = self._cutoff(_O.partner_key, lambda d: d.ship_notice_grace)
        undated = self._cutoff(_O.partner_key, lambda d: d.ship_notice)
        open_quantity = (
            _L.quantity
            - func.coalesce(_P.rejected_quantity, literal_column("0"))
            - func.coalesce(_P.shipped_quantity, literal_column("0"))
        )
        open_lines = func.count().label("open_lines")
        earliest = func.min(_L.requested_delivery_date)
        return (
            select(
                literal(Rule.SHIP_NOTICE_OVERDUE.value),
                literal("order:") + cast(_O.id, Text),
                _O.partner_key,
                _O.id,
                literal(None, Uuid()),
                literal("order ")
                + _O.order_id
                + literal(": ")
                + cast(open_lines, Text)
                + literal(" line(s) not shipped in full by their due date"),
                self._json(
                    order_id=_O.order_id,
                    received_at=self._iso(_O.created_at),
                    open_lines=open_lines,
                    earliest_requested_delivery=self._iso(earliest),
                ),
            )
            .select_from(
                t.orders.join(t.order_lines, _L.order_uuid == _O.id).outerjoin(
                    t.order_line_fulfilment,
                    and_(_P.order_uuid == _L.order_uuid, _P.line_number == _L.line_number),
                )
            )
            .where(
                *self._orders(),
                _O.status != CANCELLED,
                open_quantity > self.eps,
                or_(
                    and_(
                        _L.requested_delivery_date.is_not(None),
                        _L.requested_delivery_date < dated,
                    ),
                    and_(_L.requested_delivery_date.is_(None), _O.created_at < undated),
                ),
            )
            .group_by(_O.id, _O.partner_key, _O.order_id, _O.created_at)
        )

    def line_mismatch(self) -> Select[Any]:
        """Order lines shipped beyond ordered less rejected, invoiced beyond shipped, invoiced
        at an amount other than quantity x ordered unit price (beyond the cents each invoice
        line may round), or shipped/invoiced on a line the order no longer has."""
        zero: ColumnElement[Any] = literal_column("0")
        ordered = func.coalesce(_L.quantity, zero)
        over_shipped = (_P.shipped_quantity - (ordered - _P.rejected_quantity)) > self.eps
        over_invoiced = (_P.invoiced_quantity - _P.shipped_quantity) > self.eps
        amount_gap = func.abs(_P.invoiced_amount - _P.invoiced_quantity * _L.unit_price)
        mispriced = and_(
            _L.unit_price.is_not(None),
            amount_gap > literal_column("0.005") * _P.invoice_lines + self.eps,
        )
        removed = and_(
            _L.line_number.is_(None),
            or_(
                func.abs(_P.shipped_quantity + zero) > self.eps,
                func.abs(_P.invoiced_quantity + zero) > self.eps,
            ),
        )
        line = cast(_P.line_number, Text)
        return (
            select(
                literal(Rule.LINE_MISMATCH.value),
                literal("line:") + cast(_O.id, Text) + literal(":") + line,
                _O.partner_key,
                _O.id,
                literal(None, Uuid()),
                literal("order ")
                + _O.order_id
                + literal(" line ")
                + line
                + literal(": ordered ")
                + func.coalesce(self._num(_L.quantity), "none")
                + literal(", rejected ")
                + self._num(_P.rejected_quantity)
                + literal(", shipped ")
                + self._num(_P.shipped_quantity)
                + literal(", invoiced ")
                + self._num(_P.invoiced_quantity)
                + literal(" for ")
                + self._num(_P.invoiced_amount),
                self._json(
                    order_id=_O.order_id,
                    line_number=_P.line_number,
                    ordered=self._num(_L.quantity),
                    unit_price=self._num(_L.unit_price),
                    rejected=self._num(_P.rejected_quantity),
                    shipped=self._num(_P.shipped_quantity),
                    invoiced=self._num(_P.invoiced_quantity),
                    invoiced_amount=self._num(_P.invoiced_amount),
                ),
            )
            .select_from(
                t.order_line_fulfilment.join(t.orders, _O.id == _P.order_uuid).outerjoin(
                    t.order_lines,
                    and_(_L.order_uuid == _P.order_uuid, _L.line_number == _P.line_number),
                )
            )
            .where(*self._orders(), or_(over_shipped, over_invoiced, mispriced, removed))
        )

    # -- rules over the outbox -----------------------------------------------------------------

    def _outbox(self) -> list[ColumnElement[bool]]:
        found = [_X.created_at >= literal(self.scope.since, UtcDateTime())]
        if self.scope.partner_key is not None:
            found.append(_X.partner_key == self.scope.partner_key)
        return found

    def _outbox_row(self, rule: Rule, sentence: ColumnElement[str], **facts: Any) -> Select[Any]:
        return select(
            literal(rule.value),
            literal("outbox:") + cast(_X.id, Text),
            _X.partner_key,
            _X.order_uuid,
            _X.id,
            literal("")
            + _X.document_type
            + literal(" ")
            + _X.payload_id
            + literal(" for order ")
            + func.coalesce(_X.correlation_id, "?")
            + sentence,
            self._json(
                kind=_X.kind,
                document_type=_X.document_type,
                payload_id=_X.payload_id,
                order_id=_X.correlation_id,
                queued_at=self._iso(_X.created_at),
                **facts,
            ),
        )

    def acknowledgement_overdue(self) -> Select[Any]:
        """Delivered documents the connector said an acknowledgement would name (`ack_key`),
        with no verdict (or only the rejection of a copy sent before) past the cutoff."""
        cutoff = self._cutoff(_X.partner_key, lambda d: d.acknowledgement)
        return self._outbox_row(
            Rule.ACKNOWLEDGEMENT_OVERDUE,
            literal(" delivered ") + self._iso(_X.delivered_at) + literal(", not acknowledged"),
            delivered_at=self._iso(_X.delivered_at),
            deadline_hours=self._hours(_X.partner_key, lambda d: d.acknowledgement),
        ).where(
            *self._outbox(),
            _X.ack_key.is_not(None),
            _X.status == DELIVERED,
            or_(_X.acknowledgment.is_(None), _X.acknowledgment == REJECTED),
            _X.delivered_at < cutoff,
        )

    def acknowledgement_rejected(self) -> Select[Any]:
        """Documents the partner's acknowledgement rejected, not sent again since (the outbox
        row is dead until its dead letter is replayed)."""
        return self._outbox_row(
            Rule.ACKNOWLEDGEMENT_REJECTED,
            literal(" was rejected by the partner's acknowledgement"),
            last_error=_X.last_error,
        ).where(*self._outbox(), _X.acknowledgment == REJECTED, _X.status == DEAD)

    def outbox_stuck(self) -> Select[Any]:
        """Documents still pending in the outbox, queued before the cutoff."""
        cutoff = self._cutoff(_X.partner_key, lambda d: d.outbox_stuck)
        return self._outbox_row(
            Rule.OUTBOX_STUCK,
            literal(" still waits in the outbox after ")
            + cast(_X.attempts, Text)
            + literal(" attempt(s)"),
            attempts=_X.attempts,
            last_error=_X.last_error,
            next_attempt_at=self._iso(_X.next_attempt_at),
        ).where(*self._outbox(), _X.status == PENDING, _X.created_at < cutoff)

    # -- rules over carrier shipments ----------------------------------------------------------

    def _shipments(self) -> list[ColumnElement[bool]]:
        """Shipments booked in the window, of the scope's partner: the ORDER's partner (the
        carrier is not whom the finding is for)."""
        found = [_S.created_at >= literal(self.scope.since, UtcDateTime())]
        if self.scope.partner_key is not None:
            found.append(_O.partner_key == self.scope.partner_key)
        return found

    def _shipment_row(self, rule: Rule, sentence: ColumnElement[str], **facts: Any) -> Select[Any]:
        """One row per shipment, on its order's partner; the sentence follows
        `shipment <reference> with <carrier> (tracking <number>)`."""
        return select(
            literal(rule.value),
            literal("shipment:") + cast(_S.id, Text),
            _O.partner_key,
            _S.order_uuid,
            literal(None, Uuid()),
            literal("shipment ")
            + _S.reference
            + literal(" with ")
            + _S.carrier_key
            + literal(" (tracking ")
            + func.coalesce(_S.tracking_number, "none")
            + literal(")")
            + sentence,
            self._json(
                order_id=_O.order_id,
                carrier=_S.carrier_key,
                reference=_S.reference,
                tracking_number=_S.tracking_number,
                tracking_status=_S.tracking_status,
                carrier_code=_S.carrier_code,
                **facts,
            ),
        ).select_from(t.shipments.join(t.orders, _O.id == _S.order_uuid))

    def shipment_not_delivered(self) -> Select[Any]:
        """Shipments picked up before the carrier's delivery cutoff and still not delivered,
        returned or cancelled."""
        cutoff = self._cutoff(_S.carrier_key, lambda d: d.delivery)
        days = self._per_partner(_S.carrier_key, lambda d: _days(d.delivery), Float())
        days_text = self._per_partner(_S.carrier_key, lambda d: _days_text(d.delivery), String())
        return self._shipment_row(
            Rule.SHIPMENT_NOT_DELIVERED,
            literal(" picked up ")
            + self._iso(_S.picked_up_at)
            + literal(" is not delivered after ")
            + func.coalesce(days_text, "")
            + literal(" days"),
            picked_up_at=self._iso(_S.picked_up_at),
            deadline_days=days,
        ).where(
            *self._shipments(),
            _S.picked_up_at.is_not(None),
            # Bound one by one: an expanding IN does not survive the PostgreSQL path's
            # compile to `CREATE TEMP TABLE ... AS` text.
            _S.tracking_status.not_in([literal(status) for status in FINAL_TRACKING]),
            _S.picked_up_at < cutoff,
        )

    def shipment_exception(self) -> Select[Any]:
        """Shipments whose carrier reports a problem (damaged, address not found, refused by
        the consignee): found while the tracking status stays `exception`."""
        return self._shipment_row(
            Rule.SHIPMENT_EXCEPTION,
            literal(" reports a problem (carrier status ")
            + func.coalesce(_S.carrier_code, "?")
            + literal(")"),
            picked_up_at=self._iso(_S.picked_up_at),
            last_event_at=self._iso(_S.last_event_at),
        ).where(*self._shipments(), _S.tracking_status == EXCEPTION)

    # -- per-partner deadlines and dialect helpers ---------------------------------------------

    def _per_partner(
        self, column: ColumnElement[str], value: Callable[[PartnerDeadlines], Any], type_: Any
    ) -> ColumnElement[Any]:
        """`value(deadlines)` of the row's partner, as a CASE over the partners the scope
        names (a handful), the default for any other."""
        default = literal(value(self.scope.default), type_)
        if not self.scope.deadlines:
            return default
        whens = {key: literal(value(d), type_) for key, d in self.scope.deadlines.items()}
        return case(whens, value=column, else_=default)

    def _cutoff(self, column: ColumnElement[str], pick: Deadline) -> ColumnElement[Any]:
        """Now less the partner's deadline (NULL, so never passed, when it is switched off)."""
        now = self.scope.now

        def cutoff(d: PartnerDeadlines) -> datetime | None:
            deadline = pick(d)
            return None if deadline is None else now - deadline

        return self._per_partner(column, cutoff, UtcDateTime())

    def _hours(self, column: ColumnElement[str], pick: Deadline) -> ColumnElement[Any]:
        def hours(d: PartnerDeadlines) -> float | None:
            deadline = pick(d)
            return None if deadline is None else deadline.total_seconds() / 3600

        return self._per_partner(column, hours, Float())

    def _iso(self, value: ColumnElement[Any]) -> ColumnElement[str]:
        """A UTC timestamp as ISO 8601 text (`2026-12-06T02:00:00Z`)."""
        if self.pg:
            return func.to_char(func.timezone("UTC", value), literal('YYYY-MM-DD"T"HH24:MI:SS"Z"'))
        return func.strftime("%Y-%m-%dT%H:%M:%SZ", value)

    def _num(self, value: ColumnElement[Any]) -> ColumnElement[str]:
        """A decimal as text without trailing zeros (SQLite stores it as that text)."""
        if self.pg:
            return cast(func.trim_scale(value), Text)
        return cast(value, Text)

    def _json(self, **pairs: Any) -> ColumnElement[Any]:
        arguments: list[Any] = []
        for key, value in pairs.items():
            arguments.extend((literal(key), value))
        if self.pg:
            return func.json_build_object(*arguments, type_=JSON)
        return func.json_object(*arguments, type_=JSON)


def _days(deadline: timedelta | None) -> float | None:
    return None if deadline is None else deadline.total_seconds() / 86400


def _days_text(deadline: timedelta | None) -> str | None:
    """Whole days without a decimal point (`7`, `1.5`): the same text on both backends."""
    days = _days(deadline)
    return None if days is None else f"{days:g}"


def _text_hours(hours: ColumnElement[Any]) -> ColumnElement[str]:
    return cast(hours, Text)


def _count(result: Result[Any]) -> int:
    """Rows a DML statement touched."""
    return int(cast_type("CursorResult[Any]", result).rowcount)
