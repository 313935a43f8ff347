"""The composition root: settings in, a wired set of services out. Used by the API and the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import Engine

from connectors.core import Clock, ConnectorContext
from connectors.core.http import HttpSettings, build_http_client
from connectors.core.transport import Transports
from gateway_api.services import carrier_exchanges
from gateway_api.services.dead_letters import DeadLetterService
from gateway_api.services.fulfilment import FulfilmentService
from gateway_api.services.ingest import IngestPipeline
from gateway_api.services.outbox_dispatch import OutboxDispatcher
from gateway_api.services.partners import Partner, PartnerDirectory, partner_row
from gateway_api.services.pulls import PullService
from gateway_api.services.queries import QueryService
from gateway_api.services.retry_policy import RetryPolicy
from gateway_api.services.shipments import ShipmentService
from gateway_api.settings import Settings
from gateway_api.store.engine import build_engine
from gateway_api.store.ports import UnitOfWorkFactory
from gateway_api.store.unit_of_work import sql_unit_of_work_factory
from mappings.engine import MappingStore


def utc_now() -> datetime:
    """The system clock, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Runtime:
    """Everything a request or a command needs, built once per process."""

    settings: Settings
    engine: Engine
    uow: UnitOfWorkFactory
    directory: PartnerDirectory
    context: ConnectorContext
    ingest: IngestPipeline
    dead_letters: DeadLetterService
    queries: QueryService
    fulfilment: FulfilmentService
    dispatcher: OutboxDispatcher
    pulls: PullService
    shipments: ShipmentService
    http: httpx.Client
    clock: Clock

    def sync_partners(self) -> None:
        """Mirror the working partner profiles into the `partners` table."""
        with self.uow() as uow:
            uow.partners.sync(self.directory.partner_rows(self.clock()))
            uow.commit()

    def partner_changed(self, partner: Partner) -> None:
        """A profile was added or changed while running: mirror its row (orders point at it).
        A failure raises; the directory tries again on the partner's next lookup."""
        with self.uow() as uow:
            uow.partners.sync([partner_row(partner, self.clock())])
            uow.commit()

    def close(self) -> None:
        """Release database connections and the outbound HTTP client."""
        self.http.close()
        self.engine.dispose()


def http_settings(settings: Settings) -> HttpSettings:
    """How the hub's HTTP client behaves, from the settings."""
    return HttpSettings(
        timeout_seconds=settings.outbound_timeout_seconds,
        max_connections=settings.outbox_senders * 2,
    )


def build_runtime(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    http: httpx.Client | None = None,
    environ: Mapping[str, str] | None = None,
) -> Runtime:
    """Wire the services for `settings`.

    `http` replaces the HTTP client (tests pass one bound to a fake partner's transport).
    `environ` is where `env:` secret references are read (default: the process environment;
    the Airflow tasks add the partners' Airflow Connections to it).
    A partner profile that cannot be built disables that partner (see `PartnerDirectory`).
    """
    engine = build_engine(settings.database_url, pool_size=settings.database_pool_size)
    uow = sql_unit_of_work_factory(engine)
    client = http or build_http_client(http_settings(settings))
    carrier_exchanges.install(client)  # carriers' bookings and cancellations in the log
    context = ConnectorContext(
        clock=clock, hostname=settings.hostname, http=client, schema_dir=settings.cxml_dtd_dir
    )
    directory = PartnerDirectory(
        MappingStore(settings.mappings_dir),
        context=context,
        production=settings.is_production,
        recheck_seconds=settings.profile_recheck_seconds,
        demo_partners=settings.serves_demo_partners,
        environ=environ,
    )
    pipeline = IngestPipeline(uow, directory, clock=clock, context=context)
    dispatcher = OutboxDispatcher(
        uow,
        directory,
        clock=clock,
        transports=Transports(client),
        policy=RetryPolicy(max_attempts=settings.outbox_max_attempts),
        senders=settings.outbox_senders,
    )
    fulfilment = FulfilmentService(uow, directory, clock=clock)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        uow=uow,
        directory=directory,
        context=context,
        ingest=pipeline,
        dead_letters=DeadLetterService(
            uow, directory, pipeline, clock=clock, dispatcher=dispatcher
        ),
        queries=QueryService(uow),
        fulfilment=fulfilment,
        dispatcher=dispatcher,
        pulls=PullService(uow, directory, pipeline, clock=clock, attempts=settings.pull_attempts),
        shipments=ShipmentService(uow, directory, fulfilment, clock=clock),
        http=client,
        clock=clock,
    )
    directory.on_change(runtime.partner_changed)
    return runtime


def configured_partner_keys(settings: Settings) -> tuple[str, ...]:
    """Every partner with a profile folder (enabled or not), without building any partner: a
    scheduler needs the keys to fetch their credentials before the directory resolves them."""
    return MappingStore(settings.mappings_dir).partner_keys()
