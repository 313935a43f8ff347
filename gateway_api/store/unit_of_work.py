"""Unit of work: one connection, one transaction, every repository on it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, RootTransaction

from gateway_api.store.control_numbers import ControlNumberRepository
from gateway_api.store.fulfilment_repository import FulfilmentRepository
from gateway_api.store.insert_buffer import BufferedConnection
from gateway_api.store.outbox_repository import OutboxRepository
from gateway_api.store.repositories import (
    DeadLetterRepository,
    DocumentRepository,
    IdempotencyRepository,
    OrderRepository,
    PartnerRepository,
)


class UnitOfWork:
    """`with UnitOfWork(engine) as uow: ...; uow.commit()` - anything not committed rolls back."""

    connection: Connection
    documents: DocumentRepository
    idempotency: IdempotencyRepository
    orders: OrderRepository
    dead_letters: DeadLetterRepository
    partners: PartnerRepository
    outbox: OutboxRepository
    fulfilment: FulfilmentRepository
    control_numbers: ControlNumberRepository

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._transaction: RootTransaction | None = None

    def __enter__(self) -> Self:
        self.connection = self._engine.connect()
        self._transaction = self.connection.begin()
        buffered = BufferedConnection(self.connection)
        self._buffered = buffered
        self.documents = DocumentRepository(buffered)
        self.idempotency = IdempotencyRepository(buffered)
        self.orders = OrderRepository(buffered)
        self.dead_letters = DeadLetterRepository(buffered)
        self.partners = PartnerRepository(buffered)
        self.outbox = OutboxRepository(buffered)
        self.fulfilment = FulfilmentRepository(buffered)
        self.control_numbers = ControlNumberRepository(buffered)
        return self

    def commit(self) -> None:
        """Write staged inserts and make everything done in this unit durable."""
        assert self._transaction is not None
        self._buffered.flush()
        self._transaction.commit()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._transaction is not None and self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self.connection.close()
