"""The ERP jobs end to end on both databases, with LOGO a fake over real HTTP on 127.0.0.1 and the
X12 retailer answering in-process: an 850 becomes one sales order in LOGO, LOGO's delivery note
becomes the retailer's 856; a pull-mode ERP's items, prices and stock land in the catalogue
like a push; the feed jobs serve exactly the partners that take a feed."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from connectors.testing.fake_logo import FakeLogo
from connectors.testing.fake_retailer import BASE_URL, FakeRetailer
from gateway_api.demo.erp import ERP_PARTNER, live_erp
from gateway_api.demo.platforms import point_profile_at
from gateway_api.http.app import create_app
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.services.job_problems import JobFailedError
from gateway_api.services.jobs import (
    SCOPES,
    dispatch_outbox,
    pull_from_erp,
    queue_sales_orders,
    run_scheduled,
)
from gateway_api.services.sales_orders import document_number
from gateway_api.settings import Settings
from gateway_api.store import tables as t
from tests.support.clock import FakeClock
from tests.support.x12_documents import EDI_DEMO_TOKEN, order_850, retailer_interchange


def _edit_profile(mappings_dir: Path, key: str, **changes: Any) -> None:
    path = mappings_dir / "partners" / key / "profile.yaml"
    profile = cast(dict[str, Any], yaml.safe_load(path.read_text(encoding="utf-8")))
    profile.update(changes)
    path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")


def _change_rows(hub: Runtime) -> int:
    """Rows in the change log (its seq comes from a sequence PostgreSQL does not reset between
    tests, so the count, not the last number, says how many changes there were)."""
    with hub.engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(t.catalog_changes)).scalar_one()
        )


@pytest.fixture
def retailer() -> FakeRetailer:
    return FakeRetailer()


@pytest.fixture
def logo(mappings_dir: Path, clock: FakeClock) -> Iterator[FakeLogo]:
    """The fake LOGO with the demo items, the copied logo-demo profile pointed at it."""
    with live_erp(mappings_dir, clock=clock) as fake:
        yield fake


@pytest.fixture
def hub(
    settings: Settings, clock: FakeClock, mappings_dir: Path, retailer: FakeRetailer, logo: FakeLogo
) -> Iterator[Runtime]:
    del logo  # started (and the profile pointed at it) before the runtime reads the profiles
    point_profile_at(
        mappings_dir,
        "edi-demo",
        dict.fromkeys(("855", "856", "810", "846", "832"), f"{BASE_URL}/edi/inbound"),
    )
    http = httpx.Client(timeout=10.0, mounts={BASE_URL: retailer.transport()})
    built = build_runtime(settings, clock=clock, http=http)
    built.sync_partners()
    yield built
    built.close()


def test_an_850_becomes_one_sales_order_and_the_delivery_note_the_retailers_856(
    hub: Runtime, logo: FakeLogo, retailer: FakeRetailer, clock: FakeClock
) -> None:
    assert queue_sales_orders(hub).queued == 0  # LOGO is connected now: the watermark is set
    clock.advance(seconds=1)
    with TestClient(create_app(runtime=hub)) as api:
        body = retailer_interchange(
            order_850("RT-ERP-1", [("AC-1001", 10, "4.50"), ("AC-1003", 4, "12.00")])
        )
        answer = api.post(
            "/edi/x12/edi-demo", content=body, headers={"Authorization": f"Bearer {EDI_DEMO_TOKEN}"}
        )
        assert answer.status_code == 200
        (order,) = api.get("/orders", params={"partner": "edi-demo"}).json()

        assert queue_sales_orders(hub, partner_key=ERP_PARTNER).queued == 1
        assert queue_sales_orders(hub).queued == 0  # queued once
        report = dispatch_outbox(hub, partner_key=ERP_PARTNER)
        assert (report.delivered, report.dead_lettered) == (1, 0)
        number = document_number(UUID(order["id"]))
        (created,) = logo.orders_with(number)
        assert created["ARP_CODE"] == "B2C-EDI-DEMO"
        lines = created["TRANSACTIONS"]["items"]
        assert [(line["MASTER_CODE"], line["QUANTITY"]) for line in lines] == [
            ("B2C-1001", 10),
            ("B2C-1003", 4),
        ]
        assert logo.customer("B2C-EDI-DEMO") is not None  # the card was made for the channel

        # LOGO ships the stapler only; the retailer gets an 856 for what left, once.
        note = logo.dispatch(number, [("B2C-1003", 4)], carrier="YURTICI", tracking="YK-77")
        pulled = pull_from_erp(hub).as_dict()
        assert (pulled["dispatches"], pulled["ship_notices"]) == (1, 1)
        assert pull_from_erp(hub).as_dict()["ship_notices"] == 0  # nothing new
        dispatch_outbox(hub)
        ((notice),) = [s for s in retailer.received if s.set_id == "856"]
        assert f"BSN*00*{note}*" in notice.text
        assert "YK-77" in notice.text
        assert "AC-1003" in notice.text
        assert "AC-1001" not in notice.text
        shipped = api.get(f"/orders/{order['id']}/fulfilment").json()
    figures = {line["line_number"]: line for line in shipped["lines"]}
    assert Decimal(str(figures[2]["shipped"])) == Decimal(4)
    assert Decimal(str(figures[1]["shipped"])) == Decimal(0)
    assert len(logo.orders_with(number)) == 1  # after every run, still one sales order


def test_a_pull_mode_erp_fills_the_catalogue_like_a_push_and_reads_only_whats_new(
    hub: Runtime, logo: FakeLogo, mappings_dir: Path
) -> None:
    _edit_profile(mappings_dir, ERP_PARTNER, catalog_pull=["products", "prices", "stock"])
    logo.add_price("B2C-1001", "12.50")
    logo.set_stock("B2C-1001", 0, 40, reserved=5)

    first = pull_from_erp(hub, partner_key=ERP_PARTNER)
    assert not first.problems
    pulled = first.as_dict()
    assert pulled["pulled"] == {"products": 10, "prices": 1, "stock": 1}
    assert pulled["applied"] == {"products": 10, "prices": 1, "stock": 1}
    with hub.uow() as uow:
        products = uow.catalog.products(["B2C-1001", "B2C-1007"])
        (level,) = uow.catalog.stock_levels([("B2C-1001", "MAIN")]).values()
        changes = uow.catalog.last_change_seq()
    assert set(products) == {"B2C-1001", "B2C-1007"}
    assert (level.quantity_on_hand, level.quantity_available) == (Decimal(40), Decimal(35))
    assert _change_rows(hub) == 12  # ten items, one price, one stock level: each a change

    again = pull_from_erp(hub, partner_key=ERP_PARTNER).as_dict()
    # Items and prices are read from their cursors (nothing new); the stock view is read
    # whole and is unchanged, so nothing is applied and nothing goes to the feeds.
    assert again["pulled"] == {"stock": 1}
    assert again["applied"] == {"stock": 0}
    with hub.uow() as uow:
        assert uow.catalog.last_change_seq() == changes
    assert _change_rows(hub) == 12

    logo.set_stock("B2C-1001", 0, 30, reserved=5)
    moved = pull_from_erp(hub, partner_key=ERP_PARTNER).as_dict()
    assert moved["applied"] == {"stock": 1}


def test_an_erp_that_pushes_is_not_read_for_its_catalogue(hub: Runtime, logo: FakeLogo) -> None:
    pull_from_erp(hub, partner_key=ERP_PARTNER)
    paths = {r.path.rsplit("/", 1)[-1] for r in logo.business_requests()}
    assert paths == {"salesDispatches"}  # only its delivery notes


def test_the_erp_jobs_refuse_a_partner_that_is_no_erp(hub: Runtime) -> None:
    with pytest.raises(JobFailedError, match="not an enabled ERP partner") as refused:
        run_scheduled("erp-pull", hub, partner_key="coupa-demo")
    assert not refused.value.retryable


def test_each_job_serves_the_partners_it_has_work_for(hub: Runtime) -> None:
    partners = hub.directory.all()

    def served(job: str) -> list[str]:
        return [p.key for p in partners if SCOPES[job].serves(p)]

    assert served("erp-pull") == served("queue-sales-orders") == [ERP_PARTNER]
    assert served("sync-inventory") == served("sync-prices") == ["edi-demo"]
    assert ERP_PARTNER in served("dispatch-outbox")  # its sales orders leave through the outbox
    # With nothing changed in the catalogue, a feed run over every partner sends nothing.
    assert run_scheduled("sync-inventory", hub)["documents"] == 0
