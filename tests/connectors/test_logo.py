"""LOGO ERP: the ERP conformance suite against `FakeLogo`, and LOGO's own promises."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import pytest

from connectors.core import PermanentError
from connectors.logo import LogoConfig, LogoConnector
from connectors.logo.api import logo_error_text, model_state
from connectors.logo.connector import filter_equals
from connectors.logo.orders import customer_body, sales_order_body
from connectors.logo.reading import dispatch_from, stock_from, stock_query
from connectors.logo.times import pack_time, unpack_time
from connectors.logo.token import parse_expires, token_expiry
from connectors.logo.units import logo_unit, unece_unit
from connectors.testing.conformance_clock import SettableClock
from connectors.testing.erp_conformance import (
    CUSTOMER_CODE,
    OTHER_SKU,
    SKU,
    ErpConformance,
    ErpUnderTest,
    sales_order_request,
)
from connectors.testing.fake_logo import API_ROOT, FakeLogo
from schemas.order import OrderChange

WAREHOUSES = {0: "IST-MERKEZ", 3: "ANK-DEPO"}


class TestLogoConformance(ErpConformance):
    connector_class = LogoConnector
    config: ClassVar[dict[str, Any]] = {
        "base_url": "http://logo.acme.local:32001",
        "client_id": FakeLogo.CLIENT_ID,
        "client_secret": FakeLogo.CLIENT_SECRET,
        "username": FakeLogo.USERNAME,
        "password": FakeLogo.PASSWORD,
        "firm_number": FakeLogo.FIRM_NUMBER,
        "period_number": FakeLogo.PERIOD_NUMBER,
    }
    secret_fields = ("client_secret", "password")
    refused_credentials: ClassVar[dict[str, Any]] = {"password": "Wrong-Logo-Password-0000x"}
    warehouses: ClassVar[dict[int, str]] = WAREHOUSES

    def make_fake(self, clock: SettableClock) -> FakeLogo:
        fake = FakeLogo(clock=clock)
        fake.add_item(SKU, "Pallet wrap 50 cm")
        fake.add_item(OTHER_SKU, "Pallet wrap 80 cm")
        return fake

    def config_for(self, fake: Any) -> dict[str, Any]:
        assert isinstance(fake, FakeLogo)
        return {**fake.connector_config(), "warehouses": WAREHOUSES}

    # -- LOGO on the wire --------------------------------------------------------------------

    def test_the_token_request_names_the_firm(self, erp: ErpUnderTest) -> None:
        fake = _fake(erp)
        erp.connector.fetch_stock()
        [token] = [r for r in fake.requests if r.path == API_ROOT + "/token"]
        pair = f"{FakeLogo.CLIENT_ID}:{FakeLogo.CLIENT_SECRET}".encode()
        assert token.headers["authorization"] == "Basic " + base64.b64encode(pair).decode()
        assert token.headers["content-type"].startswith("application/x-www-form-urlencoded")
        assert fake.token_forms == [
            {
                "grant_type": "password",
                "username": FakeLogo.USERNAME,
                "firmno": str(FakeLogo.FIRM_NUMBER),
                "password": FakeLogo.PASSWORD,
            }
        ]

    def test_another_firm_is_refused_as_credentials(self, erp: ErpUnderTest) -> None:
        from connectors.core import AuthError

        wrong = self._build(erp.fake, erp.clock, [], firm_number=8)
        with pytest.raises(AuthError, match="firm 8"):
            wrong.fetch_stock()

    def test_a_sales_order_on_the_wire(self, erp: ErpUnderTest) -> None:
        fake = _fake(erp)
        erp.connector.submit_sales_order(sales_order_request("SO-W1"))
        calls = [(r.method, r.path.removeprefix(API_ROOT), r.query.get("q")) for r in fake.requests]
        assert calls == [
            ("POST", "/token", None),
            ("GET", "/salesOrders", "DOC_NUMBER eq 'SO-W1'"),
            ("GET", "/Arps", f"CODE eq '{CUSTOMER_CODE}'"),
            ("POST", "/Arps", None),
            ("POST", "/salesOrders", None),
        ]
        card = fake.customer(CUSTOMER_CODE)
        assert card is not None
        assert (card["ACCOUNT_TYPE"], card["TAXNR"], card["COUNTRYCODE"]) == (3, "1234567890", "TR")
        [order] = fake.orders_with("SO-W1")
        assert (order["TYPE"], order["ORDER_STATUS"], order["ARP_CODE"]) == (1, 4, CUSTOMER_CODE)
        assert order["NOTES1"] == "coupa PO PO-SO-W1"
        first = order["TRANSACTIONS"]["items"][0]
        assert (first["TYPE"], first["MASTER_CODE"], first["UNIT_CODE"]) == (0, SKU, "ADET")
        assert (first["QUANTITY"], first["PRICE"]) == (10, 150.5)
        assert fake.order_posts == 1

    def test_a_note_without_order_lines_is_read_by_its_doc_number(self, erp: ErpUnderTest) -> None:
        fake = _fake(erp)
        erp.connector.submit_sales_order(sales_order_request("SO-W2"))
        fake.dispatch("SO-W2", linked=False, tracking="YK123")
        fake.dispatch("SO-W2", cancelled=True)
        [note] = erp.connector.fetch_dispatches(None).items
        assert (note.document_number, note.tracking_number) == ("SO-W2", "YK123")

    def test_a_note_of_an_order_not_ours_is_skipped(self, erp: ErpUnderTest) -> None:
        fake = _fake(erp)
        erp.connector.submit_sales_order(sales_order_request("SO-W3"))
        fake.sales_orders[0]["DOC_NUMBER"] = ""  # as if typed in LOGO without a number
        fake.dispatch("", [(SKU, 1)])
        page = erp.connector.fetch_dispatches(None)
        assert page.items == ()
        assert page.cursor != "0", "the cursor did not move past the skipped note"


def _fake(erp: ErpUnderTest) -> FakeLogo:
    assert isinstance(erp.fake, FakeLogo)
    return erp.fake


CONFIG = LogoConfig.model_validate(TestLogoConformance.config)


# -- the pieces, without HTTP ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon, 15 Jan 2024 10:20:00 GMT", datetime(2024, 1, 15, 10, 20, tzinfo=UTC)),
        ("Tue, 06 May 2031 04:08:09 GMT", datetime(2031, 5, 6, 4, 8, 9, tzinfo=UTC)),
        ("2024-01-15T10:20:00Z", datetime(2024, 1, 15, 10, 20, tzinfo=UTC)),
        ("2024-01-15T13:20:00+03:00", datetime(2024, 1, 15, 10, 20, tzinfo=UTC)),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_expires_is_read(text: object, expected: datetime | None) -> None:
    assert parse_expires(text) == expected


def test_expiry_falls_back_to_expires_in() -> None:
    now = datetime(2031, 5, 6, 9, 0, tzinfo=UTC)
    assert token_expiry({"expires_in": 1199}, now) == now + timedelta(seconds=1199)
    assert token_expiry({"expires_in": "600", ".expires": "garbled"}, now) == now + timedelta(
        seconds=600
    )
    assert token_expiry({"expires_in": True}, now) is None
    assert token_expiry({}, now) is None


@pytest.mark.parametrize(
    ("unit", "code"), [("C62", "ADET"), ("EA", "ADET"), ("PCE", "ADET"), ("KGM", "KG")]
)
def test_units_to_logo(unit: str, code: str) -> None:
    assert logo_unit(CONFIG, unit, where="line 1") == code


def test_an_unmapped_unit_is_refused_naming_the_line() -> None:
    with pytest.raises(PermanentError, match="line 7: unit 'XYZ'"):
        logo_unit(CONFIG, "XYZ", where="line 7")


@pytest.mark.parametrize(("code", "unit"), [("ADET", "C62"), ("adet", "C62"), ("KG", "KGM")])
def test_units_from_logo(code: str, unit: str) -> None:
    assert unece_unit(CONFIG, code) == unit


def test_unknown_logo_units_read_as_none() -> None:
    assert unece_unit(CONFIG, "KUTU") is None
    assert unece_unit(CONFIG, None) is None


def test_sales_order_fields() -> None:
    request = sales_order_request("SO-F1")
    body = sales_order_body(request, CONFIG, CUSTOMER_CODE)
    assert body["NUMBER"] == "~"
    assert body["DOC_NUMBER"] == "SO-F1"
    assert body["DATE"] == "2031-05-06T00:00:00"  # 07:08 at +05:30 is 04:38 in Istanbul
    assert unpack_time(body["TIME"]).isoformat() == "04:38:09"
    assert [line["MASTER_CODE"] for line in body["TRANSACTIONS"]["items"]] == [SKU, OTHER_SKU]
    assert "CURR_PRICE" not in body["TRANSACTIONS"]["items"][0]


def test_a_foreign_currency_order_names_logos_currency() -> None:
    request = sales_order_request("SO-F2")
    order = request.order.model_copy(update={"currency": "EUR"})
    body = sales_order_body(
        type(request)(request.document_number, order, request.customer, "ariba"),
        CONFIG,
        CUSTOMER_CODE,
    )
    line = body["TRANSACTIONS"]["items"][0]
    assert (line["CURR_PRICE"], line["PC_PRICE"]) == (20, 150.5)
    unknown = request.order.model_copy(update={"currency": "JPY"})
    with pytest.raises(PermanentError, match="JPY"):
        sales_order_body(
            type(request)(request.document_number, unknown, request.customer, "ariba"),
            CONFIG,
            CUSTOMER_CODE,
        )


def test_a_cancellation_is_no_sales_order() -> None:
    request = sales_order_request("SO-F3")
    order = request.order.model_copy(update={"change": OrderChange.DELETE})
    with pytest.raises(PermanentError, match="cancellation"):
        sales_order_body(
            type(request)(request.document_number, order, request.customer, "x12"),
            CONFIG,
            CUSTOMER_CODE,
        )


def test_a_document_number_too_long_for_logo_is_refused() -> None:
    with pytest.raises(PermanentError, match="DOC_NUMBER"):
        sales_order_body(sales_order_request("X" * 33), CONFIG, CUSTOMER_CODE)


def test_a_national_id_goes_to_tckno() -> None:
    customer = sales_order_request("SO-F4").customer.model_copy(update={"tax_id": "12345678901"})
    body = customer_body(customer)
    assert body["TCKNO"] == "12345678901"
    assert "TAXNR" not in body
    assert (body["CITY"], body["EMAILADDR"], body["TAXOFFICE"]) == (
        "ISTANBUL",
        "depo@acme.example",
        "Maslak",
    )


def test_filter_quotes_are_doubled() -> None:
    assert filter_equals("CODE", "O'Brien") == "CODE eq 'O''Brien'"


def test_model_state_messages_are_joined() -> None:
    body = json.dumps(
        {
            "Message": "The request is invalid.",
            "ModelState": {
                "ValError0": ["Cari hesap kodu bulunamadi"],
                "LOError": ["Malzeme yok", "Birim yok"],
                "DBError": [],
            },
        }
    ).encode()
    assert logo_error_text(body) == "Cari hesap kodu bulunamadi; Malzeme yok; Birim yok"
    assert model_state(body)["DBError"] == []
    assert logo_error_text(b'{"error":"invalid_grant","error_description":"Hatali"}') == "Hatali"
    assert logo_error_text(b"<html>Bad Gateway</html>") == "<html>Bad Gateway</html>"


def test_the_stock_query_reads_the_firms_view() -> None:
    sql = stock_query(CONFIG)
    assert "LV_007_02_STINVTOT" in sql
    assert "LG_007_ITEMS" in sql
    assert "INVENNO >= 0" in sql


def test_unlisted_warehouses_are_not_reported() -> None:
    listed = CONFIG.model_copy(update={"warehouses": WAREHOUSES})
    row = {"CODE": SKU, "INVENNO": 5, "ONHAND": 3.0, "UNIT_CODE": "ADET"}
    assert stock_from(row, listed) is None
    level = stock_from(row, CONFIG)
    assert level is not None
    assert level.location == "5"
    assert level.quantity_available is None


def test_dispatch_time_is_unpacked_in_the_configured_zone() -> None:
    moment = datetime(2031, 5, 6, 14, 30, 15, tzinfo=UTC)
    row = {
        "INTERNAL_REFERENCE": 42,
        "TYPE": 8,
        "DATE": "2031-05-06T00:00:00",
        "TIME": pack_time(moment, CONFIG.zone),
        "DOC_NUMBER": "SO-F5",
        "TRANSACTIONS": {
            "items": [{"TYPE": 0, "MASTER_CODE": SKU, "QUANTITY": 2.5, "UNIT_CODE": "KG"}]
        },
    }
    note = dispatch_from(row, CONFIG, {})
    assert note is not None
    assert note.dispatched_at == moment
    assert note.lines[0].quantity == Decimal("2.5")
    assert note.lines[0].unit_of_measure == "KGM"


def test_config_refuses_an_unknown_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        LogoConfig.model_validate({**TestLogoConformance.config, "timezone": "Mars/Base"})
