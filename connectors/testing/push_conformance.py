"""What a cXML platform connector that PUSHes documents owes the core (part of the suite).

Rendering: each outbound kind it declares renders, for its configured endpoint, to a document
valid against the official DTD of its family (the stock and price feeds too, when the platform
declares them: a ProductActivityMessage, and a CatalogUploadRequest whose Index travels in the
same multipart/related body), byte-for-byte the same on every render (so a
retry is recognisably the same document), with our credentials and no secret in any repr.
Reading answers: 2xx is a receipt; 4xx is a permanent refusal carrying the partner's text; 401
is an auth error; 5xx, a non-cXML body and timeouts are transient; 429 carries Retry-After,
read against the injected clock.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from email.utils import format_datetime
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from connectors.core import (
    AuthError,
    Capability,
    ConfigError,
    RateLimitedError,
    RejectedByPartnerError,
    TransientError,
    UnsupportedDocumentError,
)
from connectors.core.push import OutboundDocument, OutboundMessage
from connectors.cxml_platform import CxmlPlatformConfig, CxmlPlatformConnector
from connectors.cxml_platform.connector import OUTBOUND_KINDS
from connectors.formats.cxml import (
    CxmlStatus,
    DtdValidator,
    build_response,
    parse_cxml,
    read_catalog_upload_request,
)
from connectors.testing.conformance_clock import CLOCK_START, SettableClock
from schemas import (
    Identifier,
    InventorySnapshot,
    Invoice,
    InvoiceLine,
    InvoiceOrder,
    OrderConfirmation,
    OrderReference,
    PriceCatalog,
    ShipControl,
    ShipNotice,
    ShipNoticeLine,
    ShipNoticeOrder,
)

PUSH_SECRET = "Push-Secret-b81e55-outbound"  # noqa: S105 - a test value
INVOICING_SECRET = "Invoice-Secret-3c9d71-outbound"  # noqa: S105 - a test value
ENDPOINT_BASE = "https://platform.conformance.test/cxml/"


def sample_outbound_documents() -> list[OrderConfirmation | ShipNotice | Invoice]:
    """One small, valid document of each outbound type, about order PO-1 line 1."""
    order = OrderReference(order_id="PO-1", payload_id="po-1@buyer.test", order_date=CLOCK_START)
    return [
        OrderConfirmation(
            confirmation_id="C-1", type="accept", notice_date=CLOCK_START, order=order
        ),
        ShipNotice(
            shipment_id="S-1",
            notice_date=CLOCK_START,
            shipment_date=CLOCK_START,
            delivery_date=CLOCK_START + timedelta(days=2),
            carriers=(
                ShipControl(
                    carrier=(Identifier(scheme="SCAC", value="UPSN"),),
                    tracking_numbers=("1Z999",),
                ),
            ),
            orders=(
                ShipNoticeOrder(
                    order=order,
                    lines=(
                        ShipNoticeLine(line_number=1, quantity=Decimal(2), unit_of_measure="EA"),
                    ),
                ),
            ),
        ),
        Invoice(
            invoice_id="I-1",
            invoice_date=CLOCK_START,
            currency="USD",
            orders=(
                InvoiceOrder(
                    order=order,
                    lines=(
                        InvoiceLine(
                            invoice_line_number=1,
                            order_line_number=1,
                            quantity=Decimal(2),
                            unit_of_measure="EA",
                            unit_price=Decimal("10.50"),
                            subtotal=Decimal("21.00"),
                        ),
                    ),
                ),
            ),
            subtotal=Decimal("21.00"),
            net_amount=Decimal("21.00"),
            due_amount=Decimal("21.00"),
        ),
    ]


def sample_feed_documents() -> list[InventorySnapshot | PriceCatalog]:
    """One small stock snapshot and one small price catalogue (an upsert with two tiers and a
    withdrawn item)."""
    return [
        InventorySnapshot.model_validate(
            {
                "snapshot_id": "STOCK-1",
                "as_of": CLOCK_START,
                "items": [
                    {
                        "supplier_part_id": "SUP-1",
                        "quantity_on_hand": "12",
                        "quantity_available": "10",
                        "unit_of_measure": "EA",
                        "location": "DC1",
                    }
                ],
            }
        ),
        PriceCatalog.model_validate(
            {
                "catalog_id": "CAT-1",
                "as_of": CLOCK_START,
                "items": [
                    {
                        "supplier_part_id": "SUP-1",
                        "description": "Blue widget",
                        "unit_of_measure": "EA",
                        "prices": [
                            {"unit_price": "10.50", "currency": "USD"},
                            {"unit_price": "9.75", "currency": "USD", "min_quantity": "10"},
                        ],
                    },
                    {
                        "supplier_part_id": "SUP-2",
                        "description": "Old widget",
                        "unit_of_measure": "EA",
                        "change": "delete",
                    },
                ],
            }
        ),
    ]


def _request_part(message: OutboundMessage) -> bytes:
    """The cXML of a rendered document: the body, or a multipart body's root part."""
    if not message.content_type.startswith("multipart/related"):
        return message.body
    boundary = message.content_type.split('boundary="', 1)[1].split('"', 1)[0]
    first = message.body.split(f"--{boundary}".encode())[1]
    return first.partition(b"\r\n\r\n")[2].rstrip(b"\r\n")


class CxmlPushConformance:
    """Mixed into `CxmlPlatformConformance`; every test skips for connectors without PUSH."""

    connector_class: ClassVar[type[CxmlPlatformConnector]]
    config: ClassVar[Any]

    def dtd_validator(self) -> DtdValidator | None:  # provided by CxmlPlatformConformance
        raise NotImplementedError

    def push_config(self) -> CxmlPlatformConfig:
        """`config` plus an endpoint per outbound kind, our own secret and invoicing credentials."""
        raw: dict[str, Any] = dict(self.config)
        raw["endpoints"] = {
            kind: f"{ENDPOINT_BASE}{kind}" for kind in self.connector_class.spec.outbound_documents
        }
        raw["outbound_shared_secret"] = PUSH_SECRET
        supplier, buyer = raw["supplier"], raw["buyer"]
        raw["invoicing"] = {
            "supplier": {**supplier, "identity": f"{supplier['identity']}-INV"},
            "buyer": {**buyer, "identity": f"{buyer['identity']}-INV"},
        }
        raw["invoicing_shared_secret"] = INVOICING_SECRET
        model: type[BaseModel] = self.connector_class.config_model
        config = model.model_validate(raw)
        assert isinstance(config, CxmlPlatformConfig)
        return config

    def pushing_connector(self, clock: SettableClock | None = None) -> CxmlPlatformConnector:
        """The connector with `push_config`."""
        from connectors.core import ConnectorContext  # noqa: PLC0415

        context = ConnectorContext(clock=clock or SettableClock(CLOCK_START))
        return self.connector_class(self.push_config(), context)

    @pytest.fixture(autouse=True)
    def _only_for_push(self, request: pytest.FixtureRequest) -> None:
        if request.node.name.startswith("test_push_") and (
            Capability.PUSH not in self.connector_class.spec.capabilities
        ):
            pytest.skip("the connector does not push documents")

    def declared_documents(self) -> list[OutboundDocument]:
        """The sample documents (follow-ups and feeds) of the kinds the connector declares."""
        declared = self.connector_class.spec.outbound_documents
        documents: list[OutboundDocument] = [
            *sample_outbound_documents(),
            *sample_feed_documents(),
        ]
        return [d for d in documents if OUTBOUND_KINDS.get(d.document_type) in declared]

    def test_push_renders_each_kind_valid_and_stable(self) -> None:
        connector = self.pushing_connector()
        validator = self.dtd_validator()
        kinds = set()
        for document in self.declared_documents():
            kind = connector.outbound_kind(document.document_type)
            kinds.add(kind)
            message = connector.render(document, payload_id="p-1@hub.test", timestamp=CLOCK_START)
            again = connector.render(document, payload_id="p-1@hub.test", timestamp=CLOCK_START)
            assert message.body == again.body, "a retry must send the same bytes"
            assert message.kind == kind
            assert message.url == f"{ENDPOINT_BASE}{kind}"
            if isinstance(document, PriceCatalog):
                assert message.content_type.startswith("multipart/related")
                read = read_catalog_upload_request(message.body, message.content_type)
                assert read == document
            else:
                assert message.content_type.startswith("text/xml")
            request = _request_part(message)
            parsed = parse_cxml(request)
            assert (parsed.kind, parsed.payload_id) == (kind, "p-1@hub.test")
            assert parsed.timestamp == CLOCK_START
            if validator is not None:
                assert validator.validate(request) == [], kind
            for secret in (PUSH_SECRET, INVOICING_SECRET):
                assert secret not in repr(message)
                assert secret.encode() not in (message.log_body or b"")
        assert kinds == set(self.connector_class.spec.outbound_documents)

    def test_push_sends_our_credentials_with_one_of_our_secrets(self) -> None:
        connector = self.pushing_connector()
        config = self.push_config()
        ours = {config.supplier.identity}
        if config.invoicing is not None:
            ours.add(config.invoicing.supplier.identity)
        for document in sample_outbound_documents():
            message = connector.render(document, payload_id="p@hub.test", timestamp=CLOCK_START)
            header = parse_cxml(message.body).header
            assert header is not None
            assert {c.identity for c in header.from_} <= ours
            (sender,) = header.sender
            assert sender.identity in ours
            assert sender.shared_secret in {PUSH_SECRET, INVOICING_SECRET}

    def test_push_without_an_endpoint_is_a_config_error(self) -> None:
        raw = dict(self.config)
        model: type[BaseModel] = self.connector_class.config_model
        config = model.model_validate(raw)
        from connectors.core import ConnectorContext  # noqa: PLC0415

        connector = self.connector_class(config, ConnectorContext())  # type: ignore[arg-type]
        with pytest.raises(ConfigError, match="no endpoint"):
            connector.render(
                sample_outbound_documents()[0], payload_id="p@hub.test", timestamp=CLOCK_START
            )

    def test_push_refuses_kinds_it_does_not_send(self) -> None:
        with pytest.raises(UnsupportedDocumentError):
            self.pushing_connector().outbound_kind("purchase_order")

    @pytest.mark.parametrize("code", [200, 201, 204])
    def test_push_2xx_is_a_receipt(self, code: int) -> None:
        answer = _answer(CxmlStatus.of(code, "OK"))
        receipt = self.pushing_connector().read_receipt(200, answer, {})
        assert receipt.status_code == code

    @pytest.mark.parametrize(
        ("code", "text"), [(400, "Unknown PO 4711"), (406, "Bad"), (409, "Dup")]
    )
    def test_push_4xx_is_a_permanent_refusal_with_their_text(self, code: int, text: str) -> None:
        answer = _answer(CxmlStatus.of(code, text))
        for http_status in (200, code):  # cXML 4xx may travel in an HTTP 200
            with pytest.raises(RejectedByPartnerError, match=text) as raised:
                self.pushing_connector().read_receipt(http_status, answer, {})
            assert raised.value.status_code == code

    def test_push_4xx_without_cxml_keeps_what_they_said(self) -> None:
        with pytest.raises(RejectedByPartnerError, match="No such endpoint") as raised:
            self.pushing_connector().read_receipt(404, b"<html>No such endpoint</html>", {})
        assert raised.value.status_code == 404

    def test_push_401_is_an_auth_error(self) -> None:
        with pytest.raises(AuthError):
            self.pushing_connector().read_receipt(
                401, _answer(CxmlStatus.of(401, "Unauthorized")), {}
            )

    @pytest.mark.parametrize(
        ("http_status", "body"),
        [
            (500, b""),
            (503, b"<html>maintenance</html>"),
            (200, b"<html>login</html>"),
            (502, b"Bad gateway"),
        ],
    )
    def test_push_5xx_and_non_cxml_answers_are_transient(
        self, http_status: int, body: bytes
    ) -> None:
        with pytest.raises(TransientError) as raised:
            self.pushing_connector().read_receipt(http_status, body, {})
        assert not isinstance(raised.value, RateLimitedError)

    def test_push_5xx_is_transient_even_with_a_cxml_200(self) -> None:
        with pytest.raises(TransientError):
            self.pushing_connector().read_receipt(503, _answer(CxmlStatus.ok()), {})

    def test_push_429_carries_retry_after_read_against_the_injected_clock(self) -> None:
        clock = SettableClock(CLOCK_START)
        connector = self.pushing_connector(clock)
        answer = _answer(CxmlStatus.of(429, "Too Many Requests"))
        with pytest.raises(RateLimitedError) as in_seconds:
            connector.read_receipt(429, answer, {"Retry-After": "120"})
        assert in_seconds.value.retry_after == 120
        later = format_datetime(CLOCK_START + timedelta(minutes=5), usegmt=False)
        with pytest.raises(RateLimitedError) as as_date:
            connector.read_receipt(429, answer, {"retry-after": later})
        assert as_date.value.retry_after == 300


def _answer(status: CxmlStatus) -> bytes:
    return build_response(status, payload_id="answer@platform.test", timestamp=CLOCK_START)
