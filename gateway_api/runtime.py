"""The composition root: settings in, a wired set of services out. Used by the API and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import Engine

from connectors.core import Clock, ConnectorContext
from connectors.formats.cxml import DtdValidator
from gateway_api.services.cxml_ingest import CxmlIngestService
from gateway_api.services.dead_letters import DeadLetterService
from gateway_api.services.fulfilment import FulfilmentService
from gateway_api.services.outbox_dispatch import OutboxDispatcher
from gateway_api.services.partners import PartnerDirectory
from gateway_api.services.queries import QueryService
from gateway_api.services.retry_policy import RetryPolicy
from gateway_api.services.x12_ingest import X12IngestService
from gateway_api.settings import Settings
from gateway_api.store.engine import build_engine
from gateway_api.store.unit_of_work import UnitOfWork
from mappings.engine import MappingStore


def utc_now() -> datetime:
    """The system clock, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Runtime:
    """Everything a request or a command needs, built once per process."""

    settings: Settings
    engine: Engine
    directory: PartnerDirectory
    cxml_ingest: CxmlIngestService
    x12_ingest: X12IngestService
    dead_letters: DeadLetterService
    queries: QueryService
    fulfilment: FulfilmentService
    dispatcher: OutboxDispatcher
    http: httpx.Client
    clock: Clock

    def sync_partners(self) -> None:
        """Mirror the enabled partner profiles into the `partners` table."""
        with UnitOfWork(self.engine) as uow:
            uow.partners.sync(self.directory.partner_rows(self.clock()))
            uow.commit()

    def close(self) -> None:
        """Release database connections and the outbound HTTP client."""
        self.http.close()
        self.engine.dispose()


def outbound_client(settings: Settings) -> httpx.Client:
    """The HTTP client outbound documents go through: bounded timeouts, TLS verified, no
    redirects (a redirected POST is a misconfigured endpoint, not something to follow)."""
    timeout = httpx.Timeout(settings.outbound_timeout_seconds, connect=10.0)
    limits = httpx.Limits(max_connections=settings.outbox_senders * 2)
    return httpx.Client(timeout=timeout, limits=limits, follow_redirects=False)


def build_runtime(
    settings: Settings, *, clock: Clock = utc_now, http: httpx.Client | None = None
) -> Runtime:
    """Wire the services for `settings`; raises `ConfigError` on a bad partner setup.

    `http` replaces the outbound client (tests pass one bound to a fake platform's transport).
    """
    engine = build_engine(settings.database_url, pool_size=settings.database_pool_size)
    context = ConnectorContext(clock=clock, hostname=settings.hostname)
    directory = PartnerDirectory(
        MappingStore(settings.mappings_dir), context=context, production=settings.is_production
    )
    dtd_validator = DtdValidator(settings.cxml_dtd_dir) if settings.cxml_dtd_dir else None
    client = http or outbound_client(settings)
    dispatcher = OutboxDispatcher(
        engine,
        directory,
        clock=clock,
        http=client,
        policy=RetryPolicy(max_attempts=settings.outbox_max_attempts),
        dtd_validator=dtd_validator,
        senders=settings.outbox_senders,
    )
    return Runtime(
        settings=settings,
        engine=engine,
        directory=directory,
        cxml_ingest=CxmlIngestService(
            engine,
            directory,
            clock=clock,
            hostname=settings.hostname,
            cxml_version=settings.cxml_version,
            dtd_validator=dtd_validator,
        ),
        x12_ingest=X12IngestService(engine, directory, clock=clock),
        dead_letters=DeadLetterService(engine, directory, clock=clock, dispatcher=dispatcher),
        queries=QueryService(engine),
        fulfilment=FulfilmentService(engine, directory, clock=clock, hostname=settings.hostname),
        dispatcher=dispatcher,
        http=client,
        clock=clock,
    )
