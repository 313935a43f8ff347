"""Feeds end to end: the ERP's stock and prices applied, `FeedService` queues the partner's
documents, the outbox dispatcher delivers them over real HTTP to a fake partner on 127.0.0.1,
and the bytes that arrived are read back by our readers (to exactly the queued canonical
documents) and by an independent parser: pyx12 for X12 (envelope, counts and control numbers:
it has no 846/832 map, see ../shared/reference/x12.md), pydifact for EDIFACT, and for cXML
(SAP Ariba) the official DTD loaded by lxml directly, the catalogue upload's parts split by the
standard library's MIME parser.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

from connectors.edifact_partner import EdifactPartnerConnector
from connectors.formats.cxml import (
    CxmlStatus,
    build_response,
    parse_cxml,
    read_catalog_upload_request,
    read_product_activity_message,
)
from connectors.formats.edifact import Message, read_edifact, read_invrpt, read_pricat
from connectors.formats.x12 import TransactionSet, read_832, read_846, read_x12
from connectors.testing.fake_edifact_partner import TOKEN as EDIFACT_TOKEN
from connectors.testing.fake_edifact_partner import FakeEdifactPartner
from connectors.testing.fake_platform_http import LiveServer, PlatformRequest, Reply
from connectors.testing.fake_retailer import TOKEN as X12_TOKEN
from connectors.testing.fake_retailer import FakeRetailer
from connectors.x12_partner import X12PartnerConnector
from gateway_api.runtime import Runtime
from gateway_api.services.catalog import CatalogService
from gateway_api.services.feeds import Feed, FeedService
from gateway_api.store.records import OutboxRecord
from schemas.catalog import Price, PriceCatalog, Product
from schemas.inventory import InventorySnapshot
from tests.integration.feed_support import level, write_partner
from tests.unit.edifact.edifact_support import pydifact_segments
from tests.unit.x12.x12_support import pyx12_errors

FEEDS: dict[str, Any] = {
    "part_number": "supplier",
    "max_items_per_document": 2,
    "inventory": {"locations": ["WH1", "WH2"]},
    "prices": {"price_list": "default", "currency": "USD"},
}


class RecordingEdifactPartner(FakeEdifactPartner):
    """The fake EDIFACT partner, keeping the raw bodies it was posted."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[bytes] = []

    def answer(self, request: PlatformRequest) -> Reply:
        self.bodies.append(request.body)
        return super().answer(request)


@contextmanager
def x12_retailer_on_a_socket(retailer: FakeRetailer) -> Iterator[tuple[str, list[bytes]]]:
    """The fake X12 retailer (token check, its own reading, a 997 back) on 127.0.0.1; yields
    the URL and the raw bodies posted to it."""
    bodies: list[bytes] = []
    lock = threading.Lock()
    transport = retailer.transport()

    def handle(request: PlatformRequest) -> Reply:
        with lock:
            bodies.append(request.body)
            answer = transport.handle_request(
                httpx.Request(
                    request.method,
                    f"https://retailer.test{request.path}",
                    headers=dict(request.headers),
                    content=request.body,
                )
            )
            return Reply(answer.status_code, answer.read(), answer.headers["content-type"])

    server = LiveServer(handle)
    server.start_listening()
    try:
        yield f"{server.base_url}/edi/inbound", bodies
    finally:
        server.close()


def _seed(runtime: Runtime) -> None:
    catalog = CatalogService(runtime.uow, clock=runtime.clock)
    catalog.apply_products(
        [
            Product(sku="SKU-1", name="Bolt M8", unit_of_measure="EA", gtin="012345678905"),
            Product(sku="SKU-2", name="Nut M8", unit_of_measure="EA"),
        ],
        source="api:erp",
    )
    catalog.apply_prices(
        [
            _price("SKU-1", "2.50"),
            _price("SKU-1", "2.10", min_quantity="100"),
            _price("SKU-2", "0.40"),
            _price("SKU-2", "0.38", currency="EUR"),  # not the partner's currency
        ],
        source="api:erp",
    )
    catalog.apply_stock(
        [
            level("SKU-1", "WH1", "120", "100"),
            level("SKU-1", "WH2", "8"),
            level("SKU-2", "WH1", "0"),
            level("SKU-3", "WH1", "5"),  # not in the cross-reference
        ],
        source="api:erp",
    )


def _price(sku: str, amount: str, **extra: Any) -> Price:
    values = {"sku": sku, "currency": "USD", "unit_price": amount, "unit_of_measure": "EA"}
    return Price.model_validate({**values, **extra})


def _queue(runtime: Runtime, key: str, feeds: tuple[Feed, ...]) -> list[OutboxRecord]:
    service = FeedService(runtime.uow, runtime.directory, clock=runtime.clock)
    for feed in feeds:
        report = service.run(feed, key)
        assert report.problems == [], report.problems
    with runtime.uow() as uow:
        return uow.outbox.query(partner_key=key, limit=100)


def _delivered(runtime: Runtime, key: str, expected: int) -> None:
    report = runtime.dispatcher.run(partner_key=key)
    assert (report.delivered, report.retried, report.dead_lettered) == (expected, 0, 0), report
    with runtime.uow() as uow:
        assert {r.status.value for r in uow.outbox.query(partner_key=key)} == {"delivered"}


def test_x12_846_and_832_arrive_readable_by_us_and_by_pyx12(
    runtime: Runtime, mappings_dir: Path
) -> None:
    retailer = FakeRetailer()
    with x12_retailer_on_a_socket(retailer) as (url, bodies):
        write_partner(mappings_dir, "feed-x12", feeds=FEEDS, endpoint=url, token=X12_TOKEN)
        _seed(runtime)
        queued = _queue(runtime, "feed-x12", ("inventory", "prices"))
        # Stock: SKU-1 at two locations and SKU-2, two per document; prices: two items.
        assert sorted(r.kind for r in queued) == ["832", "846", "846"]
        _delivered(runtime, "feed-x12", 3)

    assert len(bodies) == len(retailer.received) == 3
    partner = runtime.directory.get("feed-x12")
    assert partner is not None
    assert isinstance(partner.push, X12PartnerConnector)
    rules = partner.push.config.outbound
    for body in bodies:
        assert pyx12_errors(body) == []
        (transaction_set,) = [e for e in read_x12(body) if isinstance(e, TransactionSet)]
        row = _row_of(queued, transaction_set.interchange.control_number)
        if row.kind == "846":
            assert read_846(transaction_set, rules) == _to_the_minute(row.document)
        else:
            assert read_832(transaction_set, rules) == _to_the_minute(row.document)
    stock = [InventorySnapshot.model_validate(r.document) for r in queued if r.kind == "846"]
    items = sorted(
        (i.supplier_part_id, i.location, i.quantity_on_hand) for s in stock for i in s.items
    )
    assert [(p, loc, str(q)) for p, loc, q in items] == [
        ("BP-1", "WH1", "120"),
        ("BP-1", "WH2", "8"),
        ("BP-2", "WH1", "0"),
    ]


def _to_the_minute(document: dict[str, Any]) -> InventorySnapshot | PriceCatalog:
    """The queued document as the partner can read it: X12 DTM and EDIFACT DTM 203 carry the
    feed's moment to the minute."""
    model = InventorySnapshot if document["document_type"] == "inventory_snapshot" else PriceCatalog
    parsed = model.model_validate(document)
    return parsed.model_copy(update={"as_of": parsed.as_of.replace(second=0, microsecond=0)})


def _row_of(queued: list[OutboxRecord], interchange: str) -> OutboxRecord:
    """The outbox row delivered in `interchange`: its payload id starts with the interchange
    control number it was queued with (X12 `ISA13/GS06/ST02`, EDIFACT the UNB reference)."""
    (row,) = [r for r in queued if int(r.payload_id.split("/")[0]) == int(interchange)]
    return row


def test_edifact_invrpt_and_pricat_arrive_readable_by_us_and_by_pydifact(
    runtime: Runtime, mappings_dir: Path
) -> None:
    partner = RecordingEdifactPartner()
    with partner.serve() as url:
        write_partner(
            mappings_dir,
            "feed-edifact",
            feeds=FEEDS,
            connector="edifact",
            endpoint=url,
            token=EDIFACT_TOKEN,
        )
        _seed(runtime)
        queued = _queue(runtime, "feed-edifact", ("inventory", "prices"))
        assert sorted(r.kind for r in queued) == ["INVRPT", "INVRPT", "PRICAT"]
        _delivered(runtime, "feed-edifact", 3)

    assert len(partner.bodies) == len(partner.received) == 3
    built = runtime.directory.get("feed-edifact")
    assert built is not None
    assert isinstance(built.push, EdifactPartnerConnector)
    rules = built.push.config.outbound
    for body in partner.bodies:
        (message,) = [e for e in read_edifact(body) if isinstance(e, Message)]
        row = _row_of(queued, message.interchange.control_reference)
        segments = pydifact_segments(body)
        tags = [tag for tag, _ in segments]
        assert tags[0] == "UNH"
        assert tags[-1] == "UNT"
        unh, unt = segments[0][1], segments[-1][1]
        assert unt == [str(len(segments)), unh[0]]  # UNT counts UNH..UNT, names UNH's reference
        message_type = unh[1]
        assert isinstance(message_type, list)
        if row.kind == "INVRPT":
            snapshot = InventorySnapshot.model_validate(row.document)
            assert read_invrpt(message, rules) == _to_the_minute(row.document)
            assert message_type[:4] == ["INVRPT", "D", "96A", "UN"]
            assert tags.count("LIN") == len(snapshot.items)  # one per item and location
        else:
            catalog = PriceCatalog.model_validate(row.document)
            assert read_pricat(message, rules) == _to_the_minute(row.document)
            assert message_type[:4] == ["PRICAT", "D", "96A", "UN"]
            assert tags.count("LIN") == len(catalog.items)


@pytest.mark.parametrize("connector", ["x12", "edifact"])
def test_a_second_run_after_delivery_sends_only_the_change(
    runtime: Runtime, mappings_dir: Path, connector: str
) -> None:
    retailer, edifact = FakeRetailer(), RecordingEdifactPartner()
    with (
        x12_retailer_on_a_socket(retailer) as (x12_url, x12_bodies),
        edifact.serve() as edifact_url,
    ):
        x12 = connector == "x12"
        write_partner(
            mappings_dir,
            "feed-p",
            feeds=FEEDS,
            connector=connector,
            endpoint=x12_url if x12 else edifact_url,
            token=X12_TOKEN if x12 else EDIFACT_TOKEN,
        )
        _seed(runtime)
        _queue(runtime, "feed-p", ("inventory",))
        _delivered(runtime, "feed-p", 2)
        CatalogService(runtime.uow, clock=runtime.clock).apply_stock(
            [level("SKU-2", "WH1", "40")], source="api:erp"
        )
        _queue(runtime, "feed-p", ("inventory",))
        assert runtime.dispatcher.run(partner_key="feed-p").delivered == 1
    last = (x12_bodies if x12 else edifact.bodies)[-1]
    assert b"BP-2" in last
    assert b"BP-1" not in last


DTD_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "cxml" / "dtd"


@contextmanager
def cxml_platform_on_a_socket() -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
    """A platform endpoint on 127.0.0.1 that keeps (Content-Type, body) of every POST and
    answers a cXML 200 Response."""
    received: list[tuple[str, bytes]] = []
    lock = threading.Lock()

    def handle(request: PlatformRequest) -> Reply:
        with lock:
            received.append((request.headers.get("content-type", ""), request.body))
        now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
        answer = build_response(CxmlStatus.ok(), payload_id="answer@platform.test", timestamp=now)
        return Reply(200, answer, "text/xml; charset=utf-8")

    server = LiveServer(handle)
    server.start_listening()
    try:
        yield f"{server.base_url}/cxml", received
    finally:
        server.close()


def _official_dtd_errors(root: etree._Element, version: str) -> list[str]:
    dtd = etree.DTD(str(DTD_DIR / version / "cXML.dtd"))
    if dtd.validate(root):
        return []
    return [str(entry) for entry in dtd.error_log]  # type: ignore[attr-defined]


def _xml(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)


def test_cxml_product_activity_and_catalog_upload_arrive_dtd_valid(
    runtime: Runtime, mappings_dir: Path
) -> None:
    """Ariba, which declares both feed kinds."""
    # This test found that the upload's multipart Content-Type (153 characters) did not fit
    # `documents.content_type` VARCHAR(100) on PostgreSQL (migration 0010 widened it).
    with cxml_platform_on_a_socket() as (url, received):
        write_partner(mappings_dir, "feed-ariba", feeds=FEEDS, connector="ariba", endpoint=url)
        _seed(runtime)
        queued = _queue(runtime, "feed-ariba", ("inventory", "prices"))
        assert sorted(r.kind for r in queued) == [
            "CatalogUploadRequest",
            "ProductActivityMessage",
            "ProductActivityMessage",
        ]
        _delivered(runtime, "feed-ariba", 3)

    assert len(received) == 3
    by_payload = {r.payload_id: r for r in queued}
    for content_type, body in received:
        if content_type.startswith("multipart/related"):
            mime = BytesParser(policy=policy.HTTP).parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + body
            )
            request_part, index_part = mime.iter_parts()
            upload = _xml(request_part.get_payload(decode=True))  # type: ignore[arg-type]
            index = _xml(index_part.get_payload(decode=True))  # type: ignore[arg-type]
            assert _official_dtd_errors(upload, "1.2.069") == []
            assert _official_dtd_errors(index, "1.2.069") == []
            row = by_payload[str(upload.get("payloadID"))]
            assert row.kind == "CatalogUploadRequest"
            assert read_catalog_upload_request(body, content_type) == _cxml_seconds(row.document)
        else:
            assert content_type.startswith("text/xml")
            root = _xml(body)
            assert _official_dtd_errors(root, "1.2.069") == []
            row = by_payload[str(root.get("payloadID"))]
            assert row.kind == "ProductActivityMessage"
            assert read_product_activity_message(parse_cxml(body)) == _cxml_seconds(row.document)


def _cxml_seconds(document: dict[str, Any]) -> InventorySnapshot | PriceCatalog:
    """The queued document as cXML carries it: its moment to the second."""
    model = InventorySnapshot if document["document_type"] == "inventory_snapshot" else PriceCatalog
    parsed = model.model_validate(document)
    return parsed.model_copy(update={"as_of": parsed.as_of.replace(microsecond=0)})
