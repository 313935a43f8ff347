"""`SqlUnitOfWork`: the storage port over one SQLAlchemy connection and one transaction.

It is also where the driver's exceptions become the port's (`ports.StoreError` and its three
subclasses), so services never import SQLAlchemy: a failure inside the `with` block leaves it
translated, whichever repository raised it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, NestedTransaction, RootTransaction
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from gateway_api.store.api_key_repository import (
    SqlApiKeyRepository,
    SqlIntegrationCallRepository,
)
from gateway_api.store.catalog_repository import SqlCatalogRepository
from gateway_api.store.control_numbers import SqlControlNumberRepository
from gateway_api.store.fulfilment_repository import SqlFulfilmentRepository
from gateway_api.store.insert_buffer import BufferedConnection
from gateway_api.store.outbox_repository import SqlOutboxRepository
from gateway_api.store.ports import (
    StoreConflictError,
    StoreError,
    StoreUnavailableError,
    StoreValueError,
    UnitOfWork,
)
from gateway_api.store.reconciliation_repository import SqlReconciliationRepository
from gateway_api.store.repositories import (
    SqlCursorRepository,
    SqlDeadLetterRepository,
    SqlDocumentRepository,
    SqlIdempotencyRepository,
    SqlOrderRepository,
    SqlPartnerRepository,
)
from gateway_api.store.shipment_repository import SqlShipmentRepository


class SqlUnitOfWork:
    """`with SqlUnitOfWork(engine) as uow: ...; uow.commit()` - anything not committed rolls
    back; driver errors leave the block as `StoreError` subclasses."""

    connection: Connection
    documents: SqlDocumentRepository
    idempotency: SqlIdempotencyRepository
    orders: SqlOrderRepository
    dead_letters: SqlDeadLetterRepository
    partners: SqlPartnerRepository
    outbox: SqlOutboxRepository
    fulfilment: SqlFulfilmentRepository
    control_numbers: SqlControlNumberRepository
    cursors: SqlCursorRepository
    reconciliation: SqlReconciliationRepository
    shipments: SqlShipmentRepository
    catalog: SqlCatalogRepository
    api_keys: SqlApiKeyRepository
    integration_calls: SqlIntegrationCallRepository

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._transaction: RootTransaction | None = None

    def __enter__(self) -> Self:
        try:
            self.connection = self._engine.connect()
            self._transaction = self.connection.begin()
        except DBAPIError as error:
            raise translate(error) from error
        buffered = BufferedConnection(self.connection)
        self._buffered = buffered
        self.documents = SqlDocumentRepository(buffered)
        self.idempotency = SqlIdempotencyRepository(buffered)
        self.orders = SqlOrderRepository(buffered)
        self.dead_letters = SqlDeadLetterRepository(buffered)
        self.partners = SqlPartnerRepository(buffered)
        self.outbox = SqlOutboxRepository(buffered)
        self.fulfilment = SqlFulfilmentRepository(buffered)
        self.control_numbers = SqlControlNumberRepository(buffered)
        self.cursors = SqlCursorRepository(buffered)
        self.reconciliation = SqlReconciliationRepository(buffered)
        self.shipments = SqlShipmentRepository(buffered)
        self.catalog = SqlCatalogRepository(buffered)
        self.api_keys = SqlApiKeyRepository(buffered)
        self.integration_calls = SqlIntegrationCallRepository(buffered)
        return self

    def commit(self) -> None:
        """Write staged inserts and make everything done in this unit durable."""
        assert self._transaction is not None
        self._buffered.flush()
        self._transaction.commit()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested transaction (SAVEPOINT): an exception in the block undoes only its writes
        (staged inserts included) and propagates - a driver error as the port's `StoreError`,
        so that the caller can refuse the one document and go on with the transaction."""
        try:
            self._buffered.flush()
            nested = self.connection.begin_nested()
        except DBAPIError as error:
            raise translate(error) from error
        try:
            yield
            self._buffered.flush()
        except DBAPIError as error:
            self._rolled_back(nested)
            raise translate(error) from error
        except BaseException:
            self._rolled_back(nested)
            raise
        nested.commit()

    def _rolled_back(self, nested: NestedTransaction) -> None:
        """Undo a savepoint: its staged rows and what the repositories read before it."""
        self._buffered.discard()
        self.idempotency.forget()
        self.orders.forget()
        nested.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._transaction is not None and self._transaction.is_active:
                self._transaction.rollback()
        except DBAPIError:
            if exc is None:
                raise
        finally:
            self.connection.close()
        if isinstance(exc, DBAPIError):
            raise translate(exc) from exc


def translate(error: DBAPIError) -> StoreError:
    """The port's error for a driver error."""
    if isinstance(error, IntegrityError):
        return StoreConflictError(str(error.orig))
    if isinstance(error, DataError):
        return StoreValueError(str(error.orig))
    return StoreUnavailableError(str(error.orig))


def sql_unit_of_work_factory(engine: Engine) -> Callable[[], UnitOfWork]:
    """The `UnitOfWorkFactory` of the SQL store on `engine`."""

    def factory() -> UnitOfWork:
        return SqlUnitOfWork(engine)

    return factory
