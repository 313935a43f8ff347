"""Every DAG run with `dag.test()` against the fakes on 127.0.0.1 and the real database:
documents delivered, files taken, orders pulled, dead letters replayed, bodies purged; a
transient failure retried and an auth failure failing without retries; every job run twice
sends and stores nothing twice; every document a run logged is tagged with its task."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select

from connectors.testing.fake_coupa_rest import FakeCoupaRest
from connectors.testing.fake_logo import FakeLogo
from connectors.testing.fake_platform_server import FakePlatform
from connectors.testing.fake_retailer import FakeRetailer
from gateway_api.demo.carriers import live_carrier
from gateway_api.demo.erp import live_erp
from gateway_api.demo.platforms import point_profile_at
from gateway_api.http.app import create_app
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.services.catalog import CatalogService
from gateway_api.services.sales_orders import document_number
from gateway_api.settings import Settings, get_settings
from gateway_api.store import tables as t
from schemas import Price, Product, StockLevel
from schemas.carrier import TrackingStatus
from tests.dags.conftest import DAGS_DIR
from tests.integration.test_coupa_pull import CLIENT_ID, CLIENT_SECRET, PARTNER
from tests.support.clock import FakeClock
from tests.support.cxml_builder import Line, order_request
from tests.support.paths import SHARED_DIR
from tests.support.platforms import live_platforms
from tests.support.webhook_sink import webhook_sink
from tests.support.x12_documents import order_850, retailer_interchange

pytestmark = pytest.mark.usefixtures("airflow_db")
YURTICI_WSDL = SHARED_DIR / "wsdl" / "yurtici" / "ShippingOrderDispatcherServices.wsdl"


@pytest.fixture(scope="module")
def dags() -> dict[str, Any]:
    """The DAGs as the dag-processor parses them."""
    from airflow.dag_processing.dagbag import BundleDagBag

    bag = BundleDagBag(dag_folder=str(DAGS_DIR), bundle_path=DAGS_DIR)
    assert bag.import_errors == {}
    return dict(bag.dags)


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Iterator[Runtime]:
    """The gateway settings the tasks read (the test database and mappings copy), and a runtime
    on them for the test to look with."""
    monkeypatch.setenv("B2CONNECT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("B2CONNECT_MAPPINGS_DIR", str(settings.mappings_dir))
    monkeypatch.setenv("B2CONNECT_PULL_ATTEMPTS", "1")
    get_settings.cache_clear()
    runtime = build_runtime(settings)
    runtime.sync_partners()
    yield runtime
    runtime.close()
    get_settings.cache_clear()


def run(dag: Any) -> tuple[str, dict[str, tuple[str, int]]]:
    """`dag.test()`; the run's state and each task instance's (state, try number)."""
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    # Airflow 3.3.2's dag.test() reads `dag.deadline` as ids of serialized alerts while the
    # parsed DAG holds the DeadlineAlert objects, and fails the finished run on that; the
    # scheduler works on the serialized DAG. The alerts are checked in test_dag_structure.
    deadline, dag.deadline = dag.deadline, None
    try:
        dag_run = dag.test()
    finally:
        dag.deadline = deadline
    with create_session() as session:
        tis = session.scalars(
            select(TaskInstance).where(
                TaskInstance.dag_id == dag.dag_id, TaskInstance.run_id == dag_run.run_id
            )
        ).all()
        states = {f"{ti.task_id}[{ti.map_index}]": (str(ti.state), ti.try_number) for ti in tis}
    return str(dag_run.state), states


def tagged(runtime: Runtime, dag_id: str) -> list[tuple[str, int, str]]:
    """(task, map index, document kind) of every document tagged with a run of `dag_id`."""
    jrd, doc = t.job_run_documents.c, t.documents.c
    with runtime.engine.connect() as connection:
        rows = connection.execute(
            select(jrd.task_id, jrd.map_index, doc.kind)
            .join(t.documents, doc.id == jrd.document_id)
            .where(jrd.dag_id == dag_id)
            .order_by(doc.created_at)
        )
        return [tuple(row) for row in rows]


# -- outbox_sweep ---------------------------------------------------------------------------


@pytest.fixture
def platforms(mappings_dir: Path, clock: FakeClock) -> Iterator[dict[str, FakePlatform]]:
    with live_platforms(mappings_dir, clock) as running:
        yield running


def test_outbox_sweep_delivers_a_queued_confirmation_once(
    dags: dict[str, Any], platforms: dict[str, FakePlatform], hub: Runtime
) -> None:
    body = order_request(
        partner="coupa-demo", order_id="PO-DAG-1", payload_id="dag-1@buyer", lines=[Line("1001")]
    )
    platforms["coupa-demo"].register_order_request(body)
    with TestClient(create_app(runtime=hub)) as api:
        assert api.post("/cxml/coupa-demo", content=body).status_code == 200
        (order,) = api.get("/orders", params={"partner": "coupa-demo"}).json()
        queued = api.post(f"/orders/{order['id']}/confirmations", json={"type": "accept"})
        assert queued.status_code == 201, queued.text

    state, tasks = run(dags["outbox_sweep"])
    assert state == "success", tasks
    assert [r.kind for r in platforms["coupa-demo"].received] == ["ConfirmationRequest"]
    # The confirmation and the platform's answer are linked to the mapped task that sent them.
    sent = [(task, kind) for task, _index, kind in tagged(hub, "outbox_sweep")]
    assert ("deliver", "ConfirmationRequest") in sent
    assert ("deliver", "Response") in sent

    state, _ = run(dags["outbox_sweep"])  # again: nothing is due, nothing sent twice
    assert state == "success"
    assert len(platforms["coupa-demo"].received) == 1


# -- order_pull: credentials from an Airflow Connection; transient retry; auth failure -----


@pytest.fixture
def coupa(
    clock: FakeClock, mappings_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeCoupaRest]:
    """A fake Coupa REST API; the partner's profile references its secret as an env: variable
    that only the partner's Airflow Connection (AIRFLOW_CONN_*) provides."""
    fake = FakeCoupaRest(clock=clock)
    fake.add_client(CLIENT_ID, CLIENT_SECRET)
    with fake.serve() as base_url:
        folder = mappings_dir / "partners" / PARTNER
        folder.mkdir(parents=True)
        profile = {
            "key": PARTNER,
            "display_name": "ACME on Coupa (REST pull)",
            "connector": "coupa_rest",
            "timezone": "Europe/Istanbul",
            "connector_config": {
                "base_url": base_url,
                "client_id": CLIENT_ID,
                "rules": {"buyer_identity": "acme.coupahost.com", "buyer_name": "ACME"},
            },
            "secrets": {"client_secret": "env:ACME_COUPA_CLIENT_SECRET"},
            "documents": {"inbound": ["purchase_order"]},
            "parts": {"unknown": "supplier_part_id_is_sku"},
        }
        (folder / "profile.yaml").write_text(yaml.safe_dump(profile))
        monkeypatch.delenv("ACME_COUPA_CLIENT_SECRET", raising=False)
        yield fake


def connect(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    """The partner's Airflow Connection, as a deployment sets it."""
    extra = {"ACME_COUPA_CLIENT_SECRET": secret}
    monkeypatch.setenv(
        "AIRFLOW_CONN_B2CONNECT_ACME_COUPA_REST",
        json.dumps({"conn_type": "http", "extra": extra}),
    )


def stored_orders(runtime: Runtime) -> list[str]:
    with runtime.uow() as uow:
        return sorted(o.order_id for o in uow.orders.query(partner_key=PARTNER, limit=100))


def test_order_pull_retries_a_transient_failure_and_stores_each_order_once(
    dags: dict[str, Any], hub: Runtime, coupa: FakeCoupaRest, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect(monkeypatch, CLIENT_SECRET)
    ids = coupa.generate_orders(3)
    coupa.fail_next(1, status=503)  # the first try of the pull task meets a 503

    state, tasks = run(dags["order_pull"])
    assert state == "success", tasks
    assert tasks["pull[0]"] == ("success", 2)  # failed once, retried once
    assert stored_orders(hub) == sorted(str(i) for i in ids)
    pulled = tagged(hub, "order_pull")
    assert [(task, index) for task, index, _ in pulled] == [("pull", 0)] * 3

    state, tasks = run(dags["order_pull"])  # again: nothing new
    assert state == "success"
    assert stored_orders(hub) == sorted(str(i) for i in ids)
    assert len(tagged(hub, "order_pull")) == 3


def test_order_pull_fails_without_retrying_when_the_credential_is_refused(
    dags: dict[str, Any], hub: Runtime, coupa: FakeCoupaRest, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect(monkeypatch, "a-rotated-but-wrong-secret")
    coupa.generate_orders(1)

    with webhook_sink() as (url, alerts):
        monkeypatch.setenv("B2CONNECT_ALERT_WEBHOOK", url)
        state, tasks = run(dags["order_pull"])
    assert state == "failed"
    assert tasks["pull[0]"] == ("failed", 1)  # retries=3, none used
    assert stored_orders(hub) == []
    # The failure notifier told a person, naming the task and the partner's refusal.
    (alert,) = alerts
    assert "order_pull.pull failed" in alert["text"]
    assert "acme-coupa-rest (auth)" in alert["text"]
    assert "a-rotated-but-wrong-secret" not in alert["text"]


# -- file_drop_poll ---------------------------------------------------------------------------


def test_file_drop_poll_takes_a_file_once(
    dags: dict[str, Any], hub: Runtime, mappings_dir: Path, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    path = mappings_dir / "partners" / "edi-demo" / "profile.yaml"
    profile = yaml.safe_load(path.read_text())
    profile["connector_config"]["file_drop"] = str(drop)
    path.write_text(yaml.safe_dump(profile))
    (drop / "inbound").mkdir(parents=True)
    interchange = retailer_interchange(order_850("FD-DAG-1", [("AC-1001", 2, "4.50")]))
    (drop / "inbound" / "po-1.edi").write_bytes(interchange)

    state, tasks = run(dags["file_drop_poll"])
    assert state == "success", tasks
    assert (drop / "archive" / "po-1.edi").exists()
    (drop / "inbound" / "po-1.edi").write_bytes(interchange)  # the partner sends it again
    state, _ = run(dags["file_drop_poll"])
    assert state == "success"
    with hub.uow() as uow:
        orders = uow.orders.query(partner_key="edi-demo", limit=10)
    assert [o.order_id for o in orders] == ["FD-DAG-1"]
    assert [kind for _, _, kind in tagged(hub, "file_drop_poll")].count("997") >= 1


# -- dead_letter_replay and raw_document_retention --------------------------------------------


def place_and_confirm(api: TestClient, platform: FakePlatform, order_id: str) -> None:
    """An order from Coupa, and its confirmation queued."""
    body = order_request(
        partner="coupa-demo",
        order_id=order_id,
        payload_id=f"{order_id}@buyer",
        lines=[Line("1001")],
    )
    platform.register_order_request(body)
    assert api.post("/cxml/coupa-demo", content=body).status_code == 200
    orders = api.get("/orders", params={"partner": "coupa-demo"}).json()
    (order,) = [o for o in orders if o["order_id"] == order_id]
    assert api.post(f"/orders/{order['id']}/confirmations", json={"type": "accept"}).is_success


def test_dead_letter_replay_delivers_a_refused_document_once_the_partner_takes_it(
    dags: dict[str, Any], platforms: dict[str, FakePlatform], hub: Runtime
) -> None:
    coupa = platforms["coupa-demo"]
    with TestClient(create_app(runtime=hub)) as api:
        place_and_confirm(api, coupa, "PO-DL-1")
    coupa.reject_next(1, code=400, text="Unknown PO")
    state, _ = run(dags["outbox_sweep"])
    assert state == "success"
    (letter,) = hub.dead_letters.list(status="open")

    state, tasks = run(dags["dead_letter_replay"])
    assert state == "success", tasks
    assert hub.dead_letters.get(letter.id).status == "replayed"
    assert [r.kind for r in coupa.received].count("ConfirmationRequest") == 1
    state, _ = run(dags["dead_letter_replay"])  # again: nothing due, nothing sent
    assert [r.kind for r in coupa.received].count("ConfirmationRequest") == 1


def test_retention_empties_old_bodies_but_keeps_what_a_dead_letter_needs(
    dags: dict[str, Any],
    platforms: dict[str, FakePlatform],
    hub: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    coupa = platforms["coupa-demo"]
    with TestClient(create_app(runtime=hub)) as api:
        place_and_confirm(api, coupa, "PO-RT-1")
    coupa.reject_next(1, code=400, text="Unknown PO")
    run(dags["outbox_sweep"])
    (letter,) = hub.dead_letters.list(status="open")
    with hub.engine.begin() as connection:  # everything so far was logged two years ago
        connection.execute(
            t.documents.update().values(created_at=datetime.now(UTC) - timedelta(days=730))
        )
    monkeypatch.setenv("B2CONNECT_RETENTION_DAYS", "365")
    get_settings.cache_clear()

    state, tasks = run(dags["raw_document_retention"])
    assert state == "success", tasks
    doc = t.documents.c
    with hub.engine.connect() as connection:
        rows = connection.execute(select(doc.id, doc.body, doc.body_purged_at, doc.size)).all()
    kept = [r for r in rows if r.body_purged_at is None]
    assert [r.id for r in kept] == [letter.document_id]
    assert all(r.body == b"" and r.size > 0 for r in rows if r.body_purged_at is not None)
    state, _ = run(dags["raw_document_retention"])  # again: nothing left to purge
    with hub.engine.connect() as connection:
        again = connection.execute(select(doc.id, doc.body_purged_at)).all()
    assert sorted(again) == sorted((r.id, r.body_purged_at) for r in rows)


# -- reconciliation ---------------------------------------------------------------------------


def test_reconciliation_finds_an_unconfirmed_order_once_and_closes_it_when_confirmed(
    dags: dict[str, Any], platforms: dict[str, FakePlatform], hub: Runtime
) -> None:
    coupa = platforms["coupa-demo"]
    body = order_request(
        partner="coupa-demo", order_id="PO-RC-1", payload_id="rc-1@buyer", lines=[Line("1001")]
    )
    coupa.register_order_request(body)
    with TestClient(create_app(runtime=hub)) as api:
        assert api.post("/cxml/coupa-demo", content=body).status_code == 200
    with hub.engine.begin() as connection:  # it arrived two days ago, past the 24 h deadline
        connection.execute(
            t.orders.update().values(created_at=datetime.now(UTC) - timedelta(days=2))
        )

    def findings() -> list[tuple[str, str]]:
        f = t.reconciliation_findings.c
        with hub.engine.connect() as connection:
            return sorted(connection.execute(select(f.rule, f.status)).all())

    state, tasks = run(dags["reconciliation"])
    assert state == "success", tasks
    assert ("confirmation_overdue", "open") in findings()
    first = findings()
    state, _ = run(dags["reconciliation"])  # again: the same findings, no second row
    assert findings() == first

    with TestClient(create_app(runtime=hub)) as api:
        (order,) = api.get("/orders", params={"partner": "coupa-demo"}).json()
        assert api.post(f"/orders/{order['id']}/confirmations", json={"type": "accept"}).is_success
        state, _ = run(dags["reconciliation"])
        assert state == "success"
        assert ("confirmation_overdue", "closed") in findings()
        listed = api.get("/reconciliation", params={"status": "closed"}).json()
    assert "confirmation_overdue" in str(listed)


# -- track_shipments ----------------------------------------------------------------------------


def test_track_shipments_sends_the_ship_notice_at_pickup_once(
    dags: dict[str, Any],
    platforms: dict[str, FakePlatform],
    hub: Runtime,
    mappings_dir: Path,
    clock: FakeClock,
) -> None:
    partner = hub.directory.get("yurtici-demo")
    assert partner is not None
    with live_carrier(mappings_dir, partner, clock=clock, yurtici_wsdl=YURTICI_WSDL) as yurtici:
        body = order_request(
            partner="coupa-demo",
            order_id="PO-DAG-CARGO",
            payload_id="cargo@buyer",
            lines=[Line("1001")],
        )
        platforms["coupa-demo"].register_order_request(body)
        with TestClient(create_app(runtime=hub)) as api:
            assert api.post("/cxml/coupa-demo", content=body).status_code == 200
            (order,) = api.get("/orders", params={"order_id": "PO-DAG-CARGO"}).json()
            assert (
                api.post(
                    f"/orders/{order['id']}/confirmations", json={"type": "accept"}
                ).status_code
                == 201
            )
            booked = api.post(
                f"/orders/{order['id']}/carrier-shipments",
                json={
                    "carrier": "yurtici-demo",
                    "parcels": [{"weight_kg": "3", "desi": "2"}],
                    "receiver": {
                        "name": "ACME Depo",
                        "address": "Maslak 3",
                        "city": "ISTANBUL",
                        "phone": "05551234567",
                    },
                },
            )
            assert booked.status_code == 201, booked.text
        shipment = booked.json()
        yurtici.ledger.advance(shipment["reference"], TrackingStatus.PICKED_UP)

        state, tasks = run(dags["track_shipments"])
        assert state == "success", tasks
        assert tasks["track[0]"] == ("success", 1)
        tracked = hub.shipments.view(UUID(shipment["id"])).shipment
        assert tracked.tracking_status == "picked_up"
        assert tracked.ship_notice_id == shipment["reference"]

        state, _ = run(dags["track_shipments"])  # again: nothing new, no second notice
        assert state == "success"
    with hub.uow() as uow:
        issued = uow.fulfilment.for_order(UUID(order["id"]))
    assert [d.document_type for d in issued] == ["order_confirmation", "ship_notice"]


# -- erp_pull, sync_inventory, sync_prices --------------------------------------------------------


@pytest.fixture
def logo(mappings_dir: Path) -> Iterator[FakeLogo]:
    """The fake LOGO on 127.0.0.1 with the demo items; the copied logo-demo profile points at
    it (the tasks build their own runtime from the profiles)."""
    with live_erp(mappings_dir, clock=FakeClock()) as fake:
        yield fake


@pytest.fixture
def live_retailer(mappings_dir: Path) -> Iterator[FakeRetailer]:
    """The X12 retailer over real HTTP, the edi-demo profile's endpoints pointed at it."""
    retailer = FakeRetailer()
    with retailer.serve() as base_url:
        kinds = ("855", "856", "810", "846", "832")
        point_profile_at(mappings_dir, "edi-demo", dict.fromkeys(kinds, f"{base_url}/edi"))
        yield retailer


def test_erp_pull_makes_one_sales_order_and_turns_the_delivery_note_into_a_ship_notice(
    dags: dict[str, Any], hub: Runtime, logo: FakeLogo
) -> None:
    state, tasks = run(dags["erp_pull"])  # LOGO is connected: from now on every order goes
    assert state == "success", tasks
    with TestClient(create_app(runtime=hub)) as api:
        body = retailer_interchange(order_850("ERP-DAG-1", [("AC-1001", 3, "4.50")]))
        headers = {"Authorization": "Bearer edi-demo-token"}
        assert api.post("/edi/x12/edi-demo", content=body, headers=headers).status_code == 200
        (order,) = api.get("/orders", params={"partner": "edi-demo"}).json()

    state, tasks = run(dags["erp_pull"])
    assert state == "success", tasks
    for step in ("queue_sales_orders", "deliver_sales_orders", "read_erp"):
        assert tasks[f"{step}[0]"] == ("success", 1), tasks
    number = document_number(UUID(order["id"]))
    assert len(logo.orders_with(number)) == 1

    note = logo.dispatch(number, carrier="YURTICI", tracking="YK-DAG-1")
    state, tasks = run(dags["erp_pull"])
    assert state == "success", tasks
    state, _ = run(dags["erp_pull"])  # again: nothing new, nothing twice
    assert state == "success"
    assert len(logo.orders_with(number)) == 1
    with hub.uow() as uow:
        issued = uow.fulfilment.for_order(UUID(order["id"]))
    assert [(d.document_type, d.business_id) for d in issued] == [("ship_notice", note)]
    sent = {(task, kind) for task, _index, kind in tagged(hub, "erp_pull")}
    assert ("deliver_sales_orders", "SalesOrder") in sent
    assert ("read_erp", "SalesDispatch") in sent


def test_sync_inventory_and_prices_send_the_retailer_only_what_changed(
    dags: dict[str, Any], hub: Runtime, live_retailer: FakeRetailer
) -> None:
    catalog = CatalogService(hub.uow, clock=hub.clock)
    catalog.apply_stock(
        [
            StockLevel(
                sku=sku, location="MAIN", quantity_on_hand=Decimal(qty), unit_of_measure="EA"
            )
            for sku, qty in (("B2C-1001", 40), ("B2C-1002", 7), ("B2C-1009", 3))
        ],
        source="logo-demo",
    )
    catalog.apply_products(
        [Product(sku="B2C-1001", name="Copy paper A4", unit_of_measure="EA")], source="logo-demo"
    )
    catalog.apply_prices(
        [
            Price(
                sku="B2C-1001",
                price_list="default",
                currency="USD",
                unit_price=Decimal("4.50"),
                unit_of_measure="EA",
            )
        ],
        source="logo-demo",
    )

    for dag_id, set_id in (("sync_inventory", "846"), ("sync_prices", "832")):
        state, tasks = run(dags[dag_id])
        assert state == "success", tasks
        assert tasks["queue_feed[0]"] == ("success", 1)
        assert tasks["deliver[0]"] == ("success", 1)
        state, _ = run(dags[dag_id])  # nothing changed since: nothing sent
        assert state == "success"
        (feed,) = [s for s in live_retailer.received if s.set_id == set_id]
        assert "*VN*AC-1001" in feed.text
    stock = next(s for s in live_retailer.received if s.set_id == "846")
    assert "*VN*AC-1002" in stock.text
    assert "B2C-1009" not in stock.text  # not in the retailer's cross-reference
    assert [s.set_id for s in live_retailer.received] == ["846", "832"]
