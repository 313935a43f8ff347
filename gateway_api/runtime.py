"""The composition root: settings in, a wired set of services out. Used by the API and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from connectors.core import Clock, ConnectorContext
from connectors.formats.cxml import DtdValidator
from gateway_api.services.cxml_ingest import CxmlIngestService
from gateway_api.services.dead_letters import DeadLetterService
from gateway_api.services.partners import PartnerDirectory
from gateway_api.services.queries import QueryService
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
    dead_letters: DeadLetterService
    queries: QueryService
    clock: Clock

    def sync_partners(self) -> None:
        """Mirror the enabled partner profiles into the `partners` table."""
        with UnitOfWork(self.engine) as uow:
            uow.partners.sync(self.directory.partner_rows(self.clock()))
            uow.commit()

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()


def build_runtime(settings: Settings, *, clock: Clock = utc_now) -> Runtime:
    """Wire the services for `settings`; raises `ConfigError` on a bad partner setup."""
    engine = build_engine(settings.database_url, pool_size=settings.database_pool_size)
    context = ConnectorContext(clock=clock, hostname=settings.hostname)
    directory = PartnerDirectory(
        MappingStore(settings.mappings_dir), context=context, production=settings.is_production
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
            dtd_validator=DtdValidator(settings.cxml_dtd_dir) if settings.cxml_dtd_dir else None,
        ),
        dead_letters=DeadLetterService(engine, directory, clock=clock),
        queries=QueryService(engine),
        clock=clock,
    )
