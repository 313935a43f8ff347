"""Dead-letter replay: run a held document through decode -> map -> apply again, or send an
undeliverable outbound document once more.

Inbound replay trusts the document's original authentication (it was checked when it arrived;
the stored copy has its SharedSecret masked) and answers nobody: the partner already got its
answer. A replay that fails again keeps the dead letter open with the newest error.

Outbound replay (stage `delivery`) puts the outbox row back in the queue and makes one attempt
right away, with the same payloadID and idempotency key as before: after the partner or the
profile was fixed, the document is delivered; if it fails again, it stays dead with the new
error and the dead letter stays open.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import cast
from uuid import UUID

from sqlalchemy import Engine

from connectors.core import Clock, ConfigError, ConnectorError
from connectors.formats.x12 import TransactionSet
from gateway_api.domain import OrderConflictError, StaleVersionError
from gateway_api.services.order_intake import decide_order_change, inbound_order_envelope
from gateway_api.services.outbox_dispatch import OutboxDispatcher
from gateway_api.services.partners import Partner, PartnerConnector, PartnerDirectory
from gateway_api.services.x12_ingest import held_set_id, set_id
from gateway_api.store.records import DeadLetterRecord, DeadLetterStatus, DocumentRecord
from gateway_api.store.unit_of_work import UnitOfWork
from mappings.engine import MappingConfigError, MappingError, map_purchase_order
from schemas import PurchaseOrder

logger = logging.getLogger(__name__)


class DeadLetterNotFoundError(LookupError):
    """No dead letter has this id."""


class DeadLetterClosedError(Exception):
    """The dead letter was already replayed successfully."""


@dataclass(frozen=True)
class ReplayResult:
    """How a replay went."""

    dead_letter_id: UUID
    succeeded: bool
    error: str | None = None
    order_uuid: UUID | None = None
    order_version: int | None = None


class DeadLetterService:
    """Lists and replays dead letters."""

    def __init__(
        self,
        engine: Engine,
        directory: PartnerDirectory,
        *,
        clock: Clock,
        dispatcher: OutboxDispatcher | None = None,
    ) -> None:
        self._engine = engine
        self._directory = directory
        self._clock = clock
        self._dispatcher = dispatcher

    def list(
        self, *, status: str | None = None, partner_key: str | None = None, limit: int = 100
    ) -> list[DeadLetterRecord]:
        """Dead letters, oldest first."""
        with UnitOfWork(self._engine) as uow:
            return uow.dead_letters.query(status=status, partner_key=partner_key, limit=limit)

    def get(self, dead_letter_id: UUID) -> DeadLetterRecord:
        """One dead letter; `DeadLetterNotFoundError` if unknown."""
        with UnitOfWork(self._engine) as uow:
            record = uow.dead_letters.get(dead_letter_id)
        if record is None:
            raise DeadLetterNotFoundError(str(dead_letter_id))
        return record

    def replay(self, dead_letter_id: UUID) -> ReplayResult:
        """Replay one open dead letter and record the outcome."""
        now = self._clock()
        with UnitOfWork(self._engine) as uow:
            record = uow.dead_letters.get(dead_letter_id, for_update=True)
            if record is None:
                raise DeadLetterNotFoundError(str(dead_letter_id))
            if record.status is DeadLetterStatus.REPLAYED:
                msg = f"dead letter {dead_letter_id} was already replayed at {record.resolved_at}"
                raise DeadLetterClosedError(msg)
            if record.outbox_id is not None:
                uow.outbox.requeue(record.outbox_id, at=now)
                uow.commit()
                return self._redeliver(record)
            stored = uow.documents.get(record.document_id)
            assert stored is not None  # guaranteed by the foreign key
            try:
                partner, order, payload_id = self._held_order(stored, record)
                mapping = self._directory.mapping(partner.key)
                if order.version is None and uow.orders.changed_since(
                    partner.key, order.order_id, record.created_at
                ):
                    # Without a version it would become the next one and undo newer changes.
                    msg = (
                        f"order {order.order_id!r} changed after this document was held, and the "
                        "document carries no orderVersion; it is superseded"
                    )
                    raise StaleVersionError(msg)
                change = decide_order_change(
                    uow,
                    inbound_order_envelope(
                        map_purchase_order(order, mapping),
                        raw_document_id=stored.id,
                        connector=partner.profile.connector,
                        partner=partner.key,
                        payload_id=payload_id,
                        at=now,
                        mapping=mapping.references,
                    ),
                )
                change.write(uow)
                applied = change.order
            except (ConnectorError, MappingError, MappingConfigError, OrderConflictError) as error:
                failure = str(error)  # leaving the block rolls the attempt back
                held = held_set_id(record.error) if stored.protocol == "x12" else None
                if held is not None:  # keep naming the set, so the next replay finds it
                    failure = f"850 {held} (ISA13/GS06/ST02): {failure}"
            else:
                uow.dead_letters.mark_replayed(dead_letter_id, at=now)
                uow.commit()
                logger.info(
                    "dead letter %s replayed into order %s", dead_letter_id, applied.order_id
                )
                return ReplayResult(
                    dead_letter_id, True, order_uuid=applied.id, order_version=applied.version
                )
        return self._record_failure(dead_letter_id, failure)

    def _held_order(
        self, stored: DocumentRecord, record: DeadLetterRecord
    ) -> tuple[Partner[PartnerConnector], PurchaseOrder, str]:
        """The partner, the order and its document id in a held document (cXML or X12)."""
        if stored.protocol == "x12":
            x12 = self._directory.x12(record.partner_key)
            if x12 is None:
                msg = f"partner {record.partner_key!r} is not an enabled X12 partner"
                raise ConfigError(msg)
            wanted = held_set_id(record.error)
            for event in x12.connector.events(stored.body):
                if isinstance(event, TransactionSet) and set_id(event) == wanted:
                    order = x12.connector.read_order(event, tz=x12.timezone)
                    return cast(Partner[PartnerConnector], x12), order, wanted
            msg = f"the held interchange has no 850 {wanted} (ISA13/GS06/ST02)"
            raise ConfigError(msg)
        partner = self._directory.cxml(record.partner_key)
        if partner is None:
            msg = f"partner {record.partner_key!r} is not configured or not enabled"
            raise ConfigError(msg)
        document = partner.connector.decode(stored.body, default_tz=partner.timezone)
        order = partner.connector.read_order(document, default_tz=partner.timezone)
        return cast(Partner[PartnerConnector], partner), order, document.payload_id

    def _redeliver(self, record: DeadLetterRecord) -> ReplayResult:
        """One delivery attempt of a requeued outbox row; the dead letter closes if it lands."""
        assert record.outbox_id is not None
        if self._dispatcher is None:
            msg = "no outbox dispatcher is wired; the document was requeued for the next run"
            return self._record_failure(record.id, msg)
        report = self._dispatcher.run(outbox_id=record.outbox_id, final_attempt=True)
        if report.delivered:
            with UnitOfWork(self._engine) as uow:
                uow.dead_letters.mark_replayed(record.id, at=self._clock())
                uow.commit()
            logger.info("dead letter %s delivered on replay", record.id)
            return ReplayResult(record.id, True)
        error = report.errors[-1] if report.errors else "the document was not due for delivery"
        return self._record_failure(record.id, error)

    def _record_failure(self, dead_letter_id: UUID, error: str) -> ReplayResult:
        with UnitOfWork(self._engine) as uow:
            uow.dead_letters.record_failed_replay(dead_letter_id, error=error, at=self._clock())
            uow.commit()
        logger.warning("replay of dead letter %s failed: %s", dead_letter_id, error)
        return ReplayResult(dead_letter_id, False, error=error)
