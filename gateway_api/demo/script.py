"""The scripted demo: three platforms and an X12 retailer order; the hub confirms, ships, invoices;
then a Yurtici Kargo shipment is booked, tracked to delivery and reported to Coupa.

Everything runs for real on 127.0.0.1: the gateway API (uvicorn), one fake platform per demo
partner (Coupa, SAP Ariba, JAGGAER) receiving our documents, and the outbox dispatcher sending
them over HTTP. Only time is simulated: the demo clock jumps ahead so that an hour-long Coupa
outage and the dispatcher's backoff take seconds. The X12 retailer posts an 850 over HTTP, gets
our 997 in the response, and receives 855, 856 and 810 (answering each with its own 997).
A fourth Coupa order ships with Yurtici Kargo: booked through the API with a fake Yurtici
(SOAP, driven through zeep by the WSDL the connector ships), picked up, and the tracking run
sends Coupa the ship notice with Yurtici's tracking number; then it is delivered.
Then the ERP: LOGO (a fake LOGO REST service) pushes products, stock and prices through the
integration API; the retailer gets its stock (846) and price (832) feeds; every order of every
channel becomes a sales order in LOGO, once; and a LOGO delivery note for a fifth Coupa order
comes back as Coupa's ship notice.
Every document the hub received and sent (with the partners' answers) is written to the output
directory from the hub's document log, in conversation order (`gateway_api.demo.files`).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from connectors.core import ConnectorContext
from connectors.cxml_platform import CxmlPlatformConnector
from connectors.formats.x12 import (
    ControlNumbers,
    OutboundGroup,
    OutboundSet,
    X12PartnerSettings,
    build_interchange,
)
from connectors.testing.cxml_documents import LineSpec, TradingPartners
from connectors.testing.fake_carrier import FakeCarrierServer
from connectors.testing.fake_logo import FakeLogo
from connectors.testing.fake_platform import FakeProcurementPlatform
from connectors.testing.fake_platform_server import FakePlatform
from connectors.testing.fake_retailer import BASE_URL as RETAILER_URL
from connectors.testing.fake_retailer import FakeRetailer
from gateway_api.demo.carriers import live_carrier
from gateway_api.demo.erp import ERP_PARTNER, demo_items, live_erp
from gateway_api.demo.files import clear_previous_run, conversation_order, write_documents
from gateway_api.demo.platforms import fake_platform_for, point_profile_at
from gateway_api.http.threaded_server import serve_in_thread
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.services.api_keys import ApiKeyService
from gateway_api.services.jobs import (
    dispatch_outbox,
    pull_from_erp,
    queue_sales_orders,
    sync_inventory,
    sync_prices,
    track_shipments,
)
from gateway_api.services.partners import PartnerDirectory
from gateway_api.services.sales_orders import document_number
from gateway_api.settings import Environment, Settings
from gateway_api.store.engine import build_engine
from gateway_api.store.migrate import upgrade
from mappings.engine import MappingStore, default_mappings_root
from schemas.carrier import TrackingStatus

DEMO_PARTNERS = ("coupa-demo", "ariba-demo", "jaggaer-demo")
EDI_PARTNER = "edi-demo"
CARRIER_PARTNER = "yurtici-demo"
EDI_TOKEN = "edi-demo-token"  # noqa: S105 - the demo profile's public demo value
X12_KINDS = ("855", "856", "810", "846", "832")
Say = Callable[[str], None]


class DemoClock:
    """Real time plus an offset the script moves forward (outages pass in an instant)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        """Jump ahead."""
        self.offset += delta


@dataclass
class DemoSummary:
    """What the demo did, per partner, and where the documents are."""

    out_dir: Path
    orders: dict[str, str] = field(default_factory=dict)
    received_by_platform: dict[str, list[str]] = field(default_factory=dict)
    failed_attempts: int = 0
    documents_written: int = 0
    dead_letters: int = 0
    shipments: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """Carrier shipments by reference: carrier, tracking number, status, ship notice."""
    erp: dict[str, Any] = field(default_factory=dict)
    """What reached the ERP and came back: rows pushed, feeds, sales orders, delivery note."""

    def as_dict(self) -> dict[str, Any]:
        """JSON form (written as summary.json)."""
        return {
            "out_dir": str(self.out_dir),
            "orders": self.orders,
            "received_by_platform": self.received_by_platform,
            "failed_attempts": self.failed_attempts,
            "documents_written": self.documents_written,
            "dead_letters": self.dead_letters,
            "shipments": self.shipments,
            "erp": self.erp,
        }


def run_demo(out_dir: Path, *, say: Say = print, dtd_dir: Path | None = None) -> DemoSummary:
    """Run the whole scripted exchange in a scratch workspace; write documents to `out_dir`.

    What an earlier run wrote there (its numbered documents and summary.json) is removed first,
    so the directory shows this run only; other files are left alone.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    clear_previous_run(out_dir / "documents")
    (out_dir / "summary.json").unlink(missing_ok=True)
    summary = DemoSummary(out_dir)
    clock = DemoClock()
    with tempfile.TemporaryDirectory(prefix="b2connect-demo-") as scratch, ExitStack() as stack:
        mappings = Path(scratch) / "mappings"
        shutil.copytree(default_mappings_root(), mappings)
        settings = Settings(
            database_url=f"sqlite:///{Path(scratch) / 'demo.db'}",
            mappings_dir=mappings,
            hostname="demo.b2connect.local",
            cxml_dtd_dir=dtd_dir,
            # Its own scratch world: whatever the shell's B2CONNECT_* say about the server.
            environment=Environment.DEVELOPMENT,
            demo_partners=True,
            admin_token=None,
        )
        engine = build_engine(settings.database_url, pool_size=1)
        upgrade(engine)
        engine.dispose()
        platforms = stack.enter_context(_platforms(mappings, clock, dtd_dir))
        yurtici = stack.enter_context(_carrier(mappings, clock))
        logo = stack.enter_context(live_erp(mappings, clock=clock))
        retailer = FakeRetailer()
        point_profile_at(
            mappings, EDI_PARTNER, dict.fromkeys(X12_KINDS, f"{RETAILER_URL}/edi/inbound")
        )
        # Real HTTP to the fake platforms on 127.0.0.1; the fake retailer answers in-process.
        http = httpx.Client(timeout=30.0, mounts={RETAILER_URL: retailer.transport()})
        runtime = build_runtime(settings, clock=clock, http=http)
        runtime.sync_partners()
        queue_sales_orders(runtime)  # LOGO is connected now: every order from here on reaches it
        base_url = stack.enter_context(serve_in_thread(runtime))
        say(f"gateway on {base_url}; fake platforms: {', '.join(platforms)}; fake LOGO")
        _script(
            runtime, base_url=base_url, platforms=platforms, clock=clock, summary=summary, say=say
        )
        _edi_script(runtime, base_url=base_url, clock=clock, summary=summary, say=say)
        _carrier_script(
            runtime,
            base_url=base_url,
            platform=platforms["coupa-demo"],
            carrier=yurtici,
            summary=summary,
            say=say,
        )
        _erp_script(
            runtime,
            base_url=base_url,
            platform=platforms["coupa-demo"],
            erp=logo,
            items=demo_items(mappings),
            summary=summary,
            say=say,
        )
        summary.dead_letters = len(runtime.dead_letters.list(status="open"))
        summary.documents_written = _write_documents(runtime, out_dir)
        summary.received_by_platform = {
            key: [f"{r.kind} {r.payload_id}" for r in platform.received]
            for key, platform in platforms.items()
        }
        summary.received_by_platform[EDI_PARTNER] = [
            f"{s.set_id} ISA13 {s.interchange.control_number}" for s in retailer.received
        ]
    (out_dir / "summary.json").write_text(json.dumps(summary.as_dict(), indent=2) + "\n")
    return summary


@contextmanager
def _platforms(
    mappings: Path, clock: DemoClock, dtd_dir: Path | None
) -> Iterator[dict[str, FakePlatform]]:
    """Start one live fake per demo partner and point the profiles' endpoints at them."""
    directory = PartnerDirectory(
        MappingStore(mappings), context=ConnectorContext(clock=clock), production=False
    )
    with ExitStack() as stack:
        platforms: dict[str, FakePlatform] = {}
        for key in DEMO_PARTNERS:
            partner = directory.get(key)
            assert partner is not None
            assert isinstance(partner.connector, CxmlPlatformConnector)
            platform = fake_platform_for(partner, dtd_dir=dtd_dir, clock=clock)
            base = stack.enter_context(platform.serve())
            point_profile_at(mappings, key, platform.endpoint_urls(base))
            platforms[key] = platform
        yield platforms


@contextmanager
def _carrier(mappings: Path, clock: DemoClock) -> Iterator[FakeCarrierServer]:
    """The fake Yurtici Kargo on 127.0.0.1, the demo profile pointed at it."""
    directory = PartnerDirectory(
        MappingStore(mappings), context=ConnectorContext(clock=clock), production=False
    )
    partner = directory.get(CARRIER_PARTNER)
    assert partner is not None
    with live_carrier(mappings, partner, clock=clock) as fake:
        yield fake


def _carrier_script(
    runtime: Runtime,
    *,
    base_url: str,
    platform: FakePlatform,
    carrier: FakeCarrierServer,
    summary: DemoSummary,
    say: Say,
) -> None:
    """A Coupa order shipped with Yurtici: booked, picked up (ship notice), delivered."""
    api = httpx.Client(base_url=base_url, timeout=30.0)
    order_id = "DEMO-004"
    order = _place_order(
        runtime, api, base_url=base_url, platform=platform, key="coupa-demo", order_id=order_id
    )
    _act(api, order, "confirmations", {"type": "accept"})
    booked = api.post(
        f"/orders/{order}/carrier-shipments",
        json={
            "carrier": CARRIER_PARTNER,
            "parcels": [
                {"weight_kg": "8.5", "desi": "3", "content": "Demo item 1001"},
                {"weight_kg": "2", "desi": "1", "content": "Demo item 1002"},
            ],
            "receiver": {
                "name": "ACME Depo Ltd",
                "address": "Eski Buyukdere Cad. 3, Maslak",
                "city": "ISTANBUL",
                "town": "SARIYER",
                "phone": "05551234567",
                "email": "depo@acme.example",
            },
            "waybill_number": "IRS2026000004",
        },
    )
    if booked.status_code != 201:
        msg = f"the Yurtici booking failed: {booked.status_code} {booked.text}"
        raise RuntimeError(msg)
    shipment = booked.json()
    reference = shipment["reference"]
    say(f"coupa-demo: {order_id} confirmed and booked with Yurtici Kargo as {reference}")
    track_shipments(runtime, partner_key=CARRIER_PARTNER)  # nothing happened yet
    carrier.ledger.advance(reference, TrackingStatus.PICKED_UP)
    picked = track_shipments(runtime, partner_key=CARRIER_PARTNER)
    say(f"  Yurtici picked it up; the tracking run queued {picked.ship_notices} ship notice")
    _dispatch(runtime, summary, say)
    carrier.ledger.advance(
        reference,
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.OUT_FOR_DELIVERY,
        TrackingStatus.DELIVERED,
    )
    delivered = track_shipments(runtime, partner_key=CARRIER_PARTNER)
    view = api.get(f"/carrier-shipments/{shipment['id']}").json()
    say(
        f"  delivered ({delivered.delivered} delivered); tracking number "
        f"{view['tracking_number']}, {len(view['events'])} events from Yurtici"
    )
    summary.shipments[reference] = {
        "carrier": CARRIER_PARTNER,
        "order": order_id,
        "tracking_number": view["tracking_number"],
        "status": view["tracking_status"],
        "ship_notice": view["ship_notice_id"],
    }
    api.close()


def _erp_script(
    runtime: Runtime,
    *,
    base_url: str,
    platform: FakePlatform,
    erp: FakeLogo,
    items: list[tuple[str, str]],
    summary: DemoSummary,
    say: Say,
) -> None:
    """LOGO pushes its catalogue; the feeds go out; orders become sales orders; a delivery
    note becomes a ship notice."""
    key = ApiKeyService(runtime.uow, clock=runtime.clock).create(
        ERP_PARTNER, ["products", "stock", "prices"]
    )
    api = httpx.Client(
        base_url=base_url, timeout=30.0, headers={"Authorization": f"Bearer {key.key}"}
    )
    pushed: dict[str, int] = {}
    rows: dict[str, list[dict[str, str]]] = {
        "products": [{"sku": sku, "name": name, "unit_of_measure": "EA"} for sku, name in items],
        "stock": [
            {
                "sku": sku,
                "location": "MAIN",
                "quantity_on_hand": str(100 * n),
                "unit_of_measure": "EA",
            }
            for n, (sku, _) in enumerate(items, start=1)
        ],
        "prices": [
            {
                "sku": sku,
                "price_list": "default",
                "currency": "USD",
                "unit_price": f"{4 + n}.50",
                "unit_of_measure": "EA",
            }
            for n, (sku, _) in enumerate(items, start=1)
        ],
    }
    for what, batch in rows.items():
        answer = api.post(f"/api/v1/integration/{what}", json={"rows": batch})
        if answer.status_code != 200 or answer.json()["rejected"]:
            msg = f"LOGO's {what} push was refused: {answer.status_code} {answer.text[:300]}"
            raise RuntimeError(msg)
        pushed[what] = answer.json()["applied"]
    say(
        f"{ERP_PARTNER}: pushed {pushed['products']} products, {pushed['stock']} stock levels "
        f"and {pushed['prices']} prices through the integration API"
    )
    stock = sync_inventory(runtime, partner_key=EDI_PARTNER)
    prices = sync_prices(runtime, partner_key=EDI_PARTNER)
    if stock.problems or prices.problems or not stock.documents or not prices.documents:
        msg = f"the feeds to {EDI_PARTNER} failed: {[*stock.problems, *prices.problems]}"
        raise RuntimeError(msg)
    say(
        f"{EDI_PARTNER}: stock feed {stock.items} items (846), price feed {prices.items} items "
        "(832), only the items in its cross-reference, by its part numbers"
    )
    _dispatch(runtime, summary, say)

    order = _place_order(
        runtime,
        httpx.Client(base_url=base_url, timeout=30.0),
        base_url=base_url,
        platform=platform,
        key="coupa-demo",
        order_id="DEMO-005",
    )
    queued = queue_sales_orders(runtime)
    say(f"{ERP_PARTNER}: {queued.queued} orders of every channel queued as sales orders")
    _dispatch(runtime, summary, say)
    number = document_number(UUID(order))
    created = erp.orders_with(number)
    if len(created) != 1:
        msg = f"LOGO holds {len(created)} sales orders numbered {number}, not one"
        raise RuntimeError(msg)
    note = erp.dispatch(number, carrier="YURTICI", tracking="YK-DEMO-005")
    read = pull_from_erp(runtime, partner_key=ERP_PARTNER).as_dict()
    say(
        f"{ERP_PARTNER}: sales order {number} shipped in LOGO (delivery note {note}); "
        f"{read['ship_notices']} ship notice queued for coupa-demo"
    )
    _dispatch(runtime, summary, say)
    summary.erp = {
        "order": "DEMO-005",
        "pushed": pushed,
        "feeds": {EDI_PARTNER: {"846_items": stock.items, "832_items": prices.items}},
        "sales_orders": [o["DOC_NUMBER"] for o in erp.sales_orders],
        "delivery_note": note,
        "ship_notices": read["ship_notices"],
    }
    api.close()


def _script(
    runtime: Runtime,
    *,
    base_url: str,
    platforms: dict[str, FakePlatform],
    clock: DemoClock,
    summary: DemoSummary,
    say: Say,
) -> None:
    api = httpx.Client(base_url=base_url, timeout=30.0)
    order_uuids = {}
    for number, key in enumerate(DEMO_PARTNERS, start=1):
        order_id = f"DEMO-{number:03d}"
        order_uuids[key] = _place_order(
            runtime, api, base_url=base_url, platform=platforms[key], key=key, order_id=order_id
        )
        summary.orders[key] = order_id
        say(f"{key}: {order_id} received and stored")

    delivery = (clock() + timedelta(days=3)).isoformat()
    carrier = {"carrier": {"scac": "UPSN", "name": "UPS"}}
    for key, order in order_uuids.items():
        if key == "ariba-demo":
            body: dict[str, Any] = {
                "type": "detail",
                "lines": [
                    {"line_number": 1, "accepted": "10"},
                    {"line_number": 2, "accepted": "2", "backordered": "2"},
                ],
            }
        else:
            body = {"type": "accept", "delivery_date": delivery}
        _act(api, order, "confirmations", body)
        _act(
            api,
            order,
            "shipments",
            {
                "delivery_date": delivery,
                "lines": [{"line_number": 1, "quantity": "6"}],
                "tracking_numbers": [f"1Z{key[:3].upper()}0001"],
                **carrier,
            },
        )
    say("confirmed all three orders and shipped part of each; Coupa is down")
    platforms["coupa-demo"].down()
    _dispatch(runtime, summary, say)

    clock.advance(timedelta(minutes=45))
    platforms["coupa-demo"].up()
    say("45 minutes later Coupa is back")
    for _ in range(6):  # the dispatcher runs every few minutes; backoff decides who is due
        _dispatch(runtime, summary, say)
        clock.advance(timedelta(minutes=10))

    for key, order in order_uuids.items():
        _act(
            api,
            order,
            "shipments",
            {
                "delivery_date": delivery,
                "tracking_numbers": [f"1Z{key[:3].upper()}0002"],
                **carrier,
            },
        )
        _act(api, order, "invoices", {"tax_rate": "8.25", "payment_terms_days": 30})
    say("shipped the rest and invoiced every order")
    _dispatch(runtime, summary, say)
    api.close()


def _edi_script(
    runtime: Runtime, *, base_url: str, clock: DemoClock, summary: DemoSummary, say: Say
) -> None:
    """The X12 retailer: an 850 over HTTP, our 997 back; then 855, 856 and 810 to it."""
    api = httpx.Client(base_url=base_url, timeout=30.0)
    order_id = "DEMO-850-001"
    answer = api.post(
        f"/edi/x12/{EDI_PARTNER}",
        content=_retailer_850(order_id, clock()),
        headers={"Authorization": f"Bearer {EDI_TOKEN}", "Content-Type": "application/edi-x12"},
    )
    if answer.status_code != 200 or "AK9*A" not in answer.text:
        msg = f"the X12 order was not accepted: {answer.status_code} {answer.text[:300]}"
        raise RuntimeError(msg)
    summary.orders[EDI_PARTNER] = order_id
    say(f"{EDI_PARTNER}: 850 {order_id} received and stored; our 997 went back in the response")
    listed = api.get("/orders", params={"partner": EDI_PARTNER, "order_id": order_id}).json()
    order = listed[0]["id"]
    delivery = (clock() + timedelta(days=2)).isoformat()
    _act(api, order, "confirmations", {"type": "accept"})
    _act(
        api,
        order,
        "shipments",
        {
            "delivery_date": delivery,
            "carrier": {"scac": "UPSN"},
            "tracking_numbers": ["1ZEDI0001"],
            "packages": [{"package_id": "000123450000000010", "is_sscc": True}],
        },
    )
    _act(api, order, "invoices", {"tax_rate": "8.25", "payment_terms_days": 30})
    say(f"{EDI_PARTNER}: confirmed (855), shipped (856) and invoiced (810)")
    _dispatch(runtime, summary, say)
    api.close()


def _retailer_850(order_id: str, now: datetime) -> bytes:
    """An 850 as the demo retailer sends it, written with the hub's own X12 writer."""
    retailer = X12PartnerSettings(
        our_qualifier="ZZ", our_id="ACMERETAIL", partner_qualifier="ZZ", partner_id="B2CONNECT"
    )
    body: tuple[tuple[str, ...], ...] = (
        ("BEG", "00", "SA", order_id, "", now.strftime("%Y%m%d")),
        ("CUR", "BY", "USD"),
        ("N1", "BY", "ACME RETAIL", "92", "0001"),
        ("N1", "ST", "ACME DC 7", "92", "0007"),
        ("N3", "99 WAREHOUSE RD"),
        ("N4", "JOLIET", "IL", "60431", "US"),
        ("PO1", "1", "10", "EA", "4.50", "", "VN", "AC-1001"),
        ("PID", "F", "", "", "", "COPY PAPER A4"),
        ("PO1", "2", "4", "EA", "12.00", "", "VN", "AC-1003"),
        ("PID", "F", "", "", "", "STAPLER"),
        ("CTT", "2"),
    )
    group = OutboundGroup("PO", (OutboundSet("850", body),))
    numbers = ControlNumbers(interchange=501, group=501, transaction_set=1)
    return build_interchange([group], retailer, numbers=numbers, now=now).data


def _place_order(
    runtime: Runtime,
    api: httpx.Client,
    *,
    base_url: str,
    platform: FakePlatform,
    key: str,
    order_id: str,
) -> str:
    partner = runtime.directory.get(key)
    assert partner is not None
    assert isinstance(partner.connector, CxmlPlatformConnector)
    buyer = FakeProcurementPlatform(TradingPartners.from_config(partner.connector.config), base_url)
    ariba = key == "ariba-demo"
    prefix = {"coupa-demo": "CP-", "ariba-demo": "AR-PN-", "jaggaer-demo": "JG-"}[key]
    lines = tuple(
        LineSpec(
            supplier_part_id=f"S-{part}" if ariba else f"{prefix}{part}",
            buyer_part_id=f"{prefix}{part}" if ariba else None,
            quantity=quantity,
            unit_of_measure="EA",
            unit_price=price,
            description=f"Demo item {part}",
        )
        for part, quantity, price in (
            (1001, Decimal(10), Decimal("10.50")),
            (1002, Decimal(4), Decimal("3.25")),
        )
    )
    body = buyer.order_request(order_id=order_id, lines=lines, payload_id=f"{order_id}@{key}")
    platform.register_order_request(body)
    answer = buyer.post(key, body)
    buyer.close()
    if not answer.is_success:
        msg = f"{key} order {order_id} was refused: {answer.code} {answer.text} {answer.message}"
        raise RuntimeError(msg)
    listed = api.get("/orders", params={"partner": key, "order_id": order_id}).json()
    order_uuid: str = listed[0]["id"]
    return order_uuid


def _act(api: httpx.Client, order: str, action: str, body: dict[str, Any]) -> None:
    response = api.post(f"/orders/{order}/{action}", json=body)
    if response.status_code != 201:
        msg = f"{action} for order {order} failed: {response.status_code} {response.text}"
        raise RuntimeError(msg)


def _dispatch(runtime: Runtime, summary: DemoSummary, say: Say) -> None:
    report = dispatch_outbox(runtime)
    if report.claimed:
        summary.failed_attempts += report.retried + report.dead_lettered
        say(
            f"  dispatcher: {report.delivered} delivered, {report.retried} to retry, "
            f"{report.dead_lettered} dead-lettered"
        )


def _write_documents(runtime: Runtime, out_dir: Path) -> int:
    """Every logged document in conversation order (see `gateway_api.demo.files`)."""
    with runtime.uow() as uow:
        listed = uow.documents.query(limit=100_000)
        issued = {
            (row.partner_key, row.payload_id): row.created_at
            for row in uow.outbox.query(limit=100_000)
        }
        records = [uow.documents.get(d.id) for d in conversation_order(listed, issued)]
    return write_documents([r for r in records if r is not None], out_dir / "documents")
