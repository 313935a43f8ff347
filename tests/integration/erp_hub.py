"""The hub with a LOGO ERP partner, on the in-memory store, SQLite or PostgreSQL, for the ERP
flow's tests (`test_erp_sales_orders.py`, `test_erp_dispatch_readback.py`).

Two ERP partners are configured, each a `FakeLogo` over real HTTP on 127.0.0.1: `logo-erp`
(the channel orders' customer cards and sales orders the tests look at) and `logo-erp-2` (so
that "one sales order per ERP partner" means something). Both connectors make one attempt per
call (`attempts: 1`): a failure reaches the outbox at once, which is what these tests are
about; the connector's own retries are the conformance suite's (tests/connectors/test_logo.py).
The shipped `logo-demo` profile, if any, is removed from the mappings copy: its address
points at nothing.

The channels are the shipped demo partners: `coupa-demo` (cXML), whose profile here names its
ERP customer card (`erp.customer_code` CUST-COUPA), and `edi-demo` (X12 850), which names none
(so `B2C-EDI-DEMO`).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import httpx
import pytest
import yaml

from connectors.core import ConnectorContext
from connectors.core.inbound import InboundRequest
from connectors.core.transport import Transports
from connectors.cxml_platform import CXML_INGRESS
from connectors.testing.fake_logo import FakeLogo
from connectors.x12_partner import X12_INGRESS
from gateway_api.domain.line_figures import LineFigures
from gateway_api.runtime import build_runtime
from gateway_api.services.erp_dispatches import ErpDispatchReader
from gateway_api.services.fulfilment import FulfilmentService
from gateway_api.services.ingest import IngestPipeline, IngestResult
from gateway_api.services.outbox_dispatch import OutboxDispatcher
from gateway_api.services.partners import PartnerDirectory
from gateway_api.services.retry_policy import RetryPolicy
from gateway_api.services.sales_orders import SALES_ORDER_KIND, SalesOrderQueue
from gateway_api.settings import Settings
from gateway_api.store.ports import ReconciliationRepository, UnitOfWorkFactory
from gateway_api.store.records import DocumentRecord, OutboxRecord
from mappings.engine import MappingStore
from tests.support.clock import FakeClock
from tests.support.cxml_builder import Line, order_request
from tests.support.database import empty_database_url
from tests.support.fake_store import FakeStore, FakeUnitOfWork
from tests.support.x12_documents import EDI_DEMO_TOKEN, order_850, retailer_interchange

ERP = "logo-erp"
OTHER_ERP = "logo-erp-2"
CXML = "coupa-demo"
X12 = "edi-demo"
COUPA_CUSTOMER = "CUST-COUPA"
"""`erp.customer_code` of the cXML channel's profile here."""
X12_CUSTOMER = "B2C-EDI-DEMO"
"""The default card of the X12 channel, whose profile names none."""
SKUS = {"B2C-1001": "Copy paper A4", "B2C-1002": "Ballpoint pen", "B2C-1003": "Stapler"}
"""The items LOGO knows (the demo cross-references' SKUs)."""
TIMEOUT_SECONDS = 0.5
"""The hub's HTTP timeout here: a held answer is a timeout quickly."""
BACKENDS = ("memory", "sqlite", "postgresql")
STORES = [b if b != "postgresql" else pytest.param(b, marks=pytest.mark.postgres) for b in BACKENDS]
"""The `hub` fixtures' parameters (PostgreSQL marked, as `tests/conftest.py` marks it)."""
SQL_STORES = STORES[1:]
"""For a test about concurrent transactions (the in-memory store runs one at a time)."""


@dataclass
class ErpHub:
    """The services of the ERP flow over one store, and the two fake LOGOs."""

    backend: str
    uow: UnitOfWorkFactory
    directory: PartnerDirectory
    ingest: IngestPipeline
    fulfilment: FulfilmentService
    dispatcher: OutboxDispatcher
    queue: SalesOrderQueue
    reader: ErpDispatchReader
    clock: FakeClock
    logo: FakeLogo
    other_logo: FakeLogo

    # -- orders in ---------------------------------------------------------------------------

    def receive_cxml(self, order_id: str, lines: list[Line] | None = None) -> UUID:
        """A Coupa OrderRequest through the ingest pipeline; our id of the stored order."""
        body = order_request(partner=CXML, order_id=order_id, lines=lines or [Line("1002")])
        request = InboundRequest(body=body, content_type="text/xml; charset=utf-8")
        result = self.ingest.receive(CXML, request, ingress=CXML_INGRESS)
        assert result.reply.status == 200, result.reply.body[:500]
        return self.order_uuid(CXML, order_id)

    def receive_x12(
        self, order_id: str, parts: list[tuple[str, int, str]], *, control: str
    ) -> UUID:
        """An X12 850 of the demo retailer (`parts` as (VN part, quantity, price)); our id."""
        body = retailer_interchange(order_850(order_id, parts), control=control)
        request = InboundRequest(
            body=body,
            headers={"authorization": f"Bearer {EDI_DEMO_TOKEN}"},
            content_type="application/edi-x12",
        )
        result: IngestResult = self.ingest.receive(X12, request, ingress=X12_INGRESS)
        assert 200 <= result.reply.status < 300, result.reply.body[:500]
        return self.order_uuid(X12, order_id)

    def order_uuid(self, partner_key: str, order_id: str) -> UUID:
        """Our id of a stored order (fails when it was not stored)."""
        with self.uow() as uow:
            (found,) = uow.orders.query(partner_key=partner_key, order_id=order_id)
        return found.id

    # -- what the store holds ----------------------------------------------------------------

    def sales_order_rows(self, erp: str = ERP) -> list[OutboxRecord]:
        """The ERP partner's sales-order outbox rows, oldest first."""
        with self.uow() as uow:
            rows = uow.outbox.query(partner_key=erp, limit=10_000)
        found = [r for r in rows if r.kind == SALES_ORDER_KIND]
        return sorted(found, key=lambda r: (r.created_at, str(r.id)))

    def row(self, outbox_id: UUID) -> OutboxRecord:
        """One outbox row as stored now."""
        with self.uow() as uow:
            found = uow.outbox.get(outbox_id)
        assert found is not None
        return found

    def outbox_of(self, order_uuid: UUID, partner_key: str) -> list[OutboxRecord]:
        """The order's outbox rows for one partner, oldest first."""
        with self.uow() as uow:
            rows = uow.outbox.query(order_uuid=order_uuid, limit=10_000)
        found = [r for r in rows if r.partner_key == partner_key]
        return sorted(found, key=lambda r: (r.created_at, str(r.id)))

    def document(self, document_id: UUID | None) -> DocumentRecord:
        """A document of the log."""
        assert document_id is not None
        with self.uow() as uow:
            found = uow.documents.get(document_id)
        assert found is not None
        return found

    def replies_to(self, document_id: UUID) -> list[DocumentRecord]:
        """The logged answers to a document we sent."""
        with self.uow() as uow:
            return uow.documents.replies_to(document_id)

    def documents(self, partner_key: str, kind: str) -> list[DocumentRecord]:
        """The log's documents of one partner and kind."""
        with self.uow() as uow:
            return uow.documents.query(partner_key=partner_key, kind=kind, limit=1000)

    def dead_letters(self, partner_key: str) -> list[Any]:
        """The partner's dead letters."""
        with self.uow() as uow:
            return uow.dead_letters.query(partner_key=partner_key, limit=1000)

    def cursor(self, partner_key: str, stream: str) -> str | None:
        """A stored cursor."""
        with self.uow() as uow:
            return uow.cursors.get(partner_key, stream)


def fake_logo(clock: FakeClock) -> FakeLogo:
    """A fake LOGO that knows the demo SKUs."""
    fake = FakeLogo(clock=clock)
    for sku, name in SKUS.items():
        fake.add_item(sku, name)
    return fake


def prepare_mappings(mappings_dir: Path, logos: dict[str, FakeLogo]) -> None:
    """The mappings copy as the module docstring says: ERP profiles pointing at the fakes (which
    must be serving), the cXML channel's customer card, no `logo-demo`."""
    partners = mappings_dir / "partners"
    for folder in partners.iterdir():
        profile = folder / "profile.yaml"
        if profile.is_file() and yaml.safe_load(profile.read_text()).get("connector") == "logo":
            shutil.rmtree(folder)
    for key, fake in logos.items():
        config = fake.connector_config()
        secrets = {
            "client_secret": f"demo:{config.pop('client_secret')}",
            "password": f"demo:{config.pop('password')}",
        }
        config.update(attempts=1, initial_wait_seconds=0.01, max_wait_seconds=0.05)
        erp_profile = {
            "key": key,
            "display_name": f"LOGO test firm {key}",
            "connector": "logo",
            "enabled": True,
            "demo": True,
            "timezone": "Europe/Istanbul",
            "connector_config": config,
            "secrets": secrets,
        }
        (partners / key).mkdir()
        (partners / key / "profile.yaml").write_text(yaml.safe_dump(erp_profile))
    coupa = partners / CXML / "profile.yaml"
    text = coupa.read_text()
    assert "\nerp:" not in text
    coupa.write_text(text + f"\nerp:\n  customer_code: {COUPA_CUSTOMER}\n")


@contextmanager
def erp_hub_for(
    request: pytest.FixtureRequest, *, mappings_dir: Path, clock: FakeClock, tmp_path: Path
) -> Iterator[ErpHub]:
    """`erp_hub` on the store a fixture is parametrised with (`STORES`), on an empty database."""
    backend: str = request.param
    url = None if backend == "memory" else empty_database_url(request, backend, tmp_path)
    with erp_hub(backend, mappings_dir=mappings_dir, clock=clock, database_url=url) as built:
        yield built


@contextmanager
def erp_hub(
    backend: str,
    *,
    mappings_dir: Path,
    clock: FakeClock,
    database_url: str | None = None,
) -> Iterator[ErpHub]:
    """The hub on `backend` ("memory" or a database URL's backend) with the fakes serving."""
    logo, other = fake_logo(clock), fake_logo(clock)
    with ExitStack() as stack:
        stack.enter_context(logo.serve())
        stack.enter_context(other.serve())
        prepare_mappings(mappings_dir, {ERP: logo, OTHER_ERP: other})
        if backend == "memory":
            yield stack.enter_context(_memory_hub(mappings_dir, clock, logo, other))
            return
        assert database_url is not None
        settings = Settings(
            database_url=database_url,
            mappings_dir=mappings_dir,
            hostname="test.b2connect.local",
            database_pool_size=4,
            profile_recheck_seconds=0,
            outbound_timeout_seconds=TIMEOUT_SECONDS,
        )
        runtime = build_runtime(settings, clock=clock)
        stack.callback(runtime.close)
        runtime.sync_partners()
        yield ErpHub(
            backend=backend,
            uow=runtime.uow,
            directory=runtime.directory,
            ingest=runtime.ingest,
            fulfilment=runtime.fulfilment,
            dispatcher=runtime.dispatcher,
            queue=SalesOrderQueue(runtime.uow, runtime.directory, clock=clock),
            reader=ErpDispatchReader(runtime.uow, runtime.fulfilment, clock=clock),
            clock=clock,
            logo=logo,
            other_logo=other,
        )


class _LineFigures:
    """The one reconciliation call fulfilment makes (per-line figures), kept in memory: the
    in-memory store models no reconciliation, and nothing here reads the figures back."""

    def __init__(self) -> None:
        self.saved: dict[UUID, list[LineFigures]] = {}

    def save_line_figures(
        self, order_uuid: UUID, figures: Sequence[LineFigures], *, at: datetime
    ) -> None:
        self.saved[order_uuid] = list(figures)


class _UnitOfWork(FakeUnitOfWork):
    """The in-memory unit of work, with the line figures fulfilment saves."""

    def __init__(self, store: FakeStore, figures: _LineFigures) -> None:
        super().__init__(store)
        self._figures = figures

    @property
    def reconciliation(self) -> ReconciliationRepository:
        return cast(ReconciliationRepository, self._figures)


@contextmanager
def _memory_hub(
    mappings_dir: Path, clock: FakeClock, logo: FakeLogo, other: FakeLogo
) -> Iterator[ErpHub]:
    store, figures = FakeStore(), _LineFigures()

    def uow() -> _UnitOfWork:
        return _UnitOfWork(store, figures)

    with httpx.Client(timeout=TIMEOUT_SECONDS) as client:
        context = ConnectorContext(clock=clock, hostname="test.b2connect.local", http=client)
        directory = PartnerDirectory(MappingStore(mappings_dir), context=context, production=False)
        fulfilment = FulfilmentService(uow, directory, clock=clock)
        yield ErpHub(
            backend="memory",
            uow=uow,
            directory=directory,
            ingest=IngestPipeline(uow, directory, clock=clock, context=context),
            fulfilment=fulfilment,
            dispatcher=OutboxDispatcher(
                uow, directory, clock=clock, transports=Transports(client), policy=RetryPolicy()
            ),
            queue=SalesOrderQueue(uow, directory, clock=clock),
            reader=ErpDispatchReader(uow, fulfilment, clock=clock),
            clock=clock,
            logo=logo,
            other_logo=other,
        )


def quantity(value: object) -> Decimal:
    """A JSON number as a decimal (LOGO sends floats)."""
    return Decimal(str(value))
