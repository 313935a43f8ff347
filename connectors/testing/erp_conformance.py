"""The ERP conformance suite: what every ERP connector owes the core, over real HTTP.

An ERP's test subclasses `ErpConformance` with its connector, its fake and how to point a
config at the fake:

    class TestLogoConformance(ErpConformance):
        connector_class = LogoConnector
        config = {...}                      # a valid config (any base URL), secrets included
        secret_fields = ("client_secret", "password")
        refused_credentials = {"password": "Wrong-Password-0000"}

        def make_fake(self, clock): return FakeLogo(clock=clock)
        def config_for(self, fake): return {**fake.connector_config(), "warehouses": {...}}

Every test starts the fake on 127.0.0.1 and builds the connector the way the core does, with
the hub's HTTP client (short timeouts) and a `sleep` that records instead of waiting. It checks:

- the token: issued once and reused, renewed before it expires (the fake's clock), renewed
  once when refused (401, or the ERP's own "session lost"), and an `AuthError` when refused
  again or when the credentials are wrong, never retried;
- sales orders: created once; submitted again, found (`created=False`), never a second; an
  answer lost after the ERP created it (connection closed, or a timeout) is answered by the
  look-up, never by a second POST; the customer card created when missing, found when present;
  the ERP's refusal of the data is a `RejectedByPartnerError` with its words, not retried; a
  line without SKU or in an unmapped unit is a `PermanentError` before any call; what
  `render_sales_order` renders is what is sent;
- retries: 5xx retried with waits and bounded, timeouts retried, then `TransientError`;
- pull mode: pages of products and prices resume from a cursor; stock per warehouse;
  delivery notes after a cursor, oldest first, with carrier and tracking number;
- secrets: never in logs (DEBUG, every library), reprs, or error messages.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any, ClassVar, Protocol

import pytest

from connectors.core import (
    AuthError,
    ConnectorContext,
    ConnectorError,
    PermanentError,
    RejectedByPartnerError,
    TransientError,
)
from connectors.core.contract import Capability
from connectors.core.erp import ErpConnector, SalesOrderReceipt, SalesOrderRequest
from connectors.core.http import HttpSettings, build_http_client
from connectors.testing.conformance import _SECRET_LIKE, ConnectorConformance
from connectors.testing.conformance_clock import CLOCK_START, SettableClock
from connectors.testing.fake_carrier import CarrierFault, LateAnswer, Unavailable
from schemas.catalog import Customer
from schemas.order import OrderLine, PurchaseOrder
from schemas.party import Party, PostalAddress

CLIENT_TIMEOUT_SECONDS = 0.5
"""The suite's HTTP timeout: short, so a late answer is a timeout within the test."""
SKU = "PW-50"
OTHER_SKU = "PW-80"
CUSTOMER_CODE = "120.01.0042"


class ErpFake(Protocol):
    """What the suite asks of an ERP's fake (`connectors/testing/fake_logo.py` is one)."""

    tokens_issued: int
    refused_bearers: int
    token_lifetime: timedelta

    def serve(self) -> AbstractContextManager[str]: ...
    def fail_next(self, *faults: CarrierFault) -> None: ...
    def drop_answer_next(self, count: int = 1, *, late_seconds: float | None = None) -> None: ...
    def login_error_next(self, count: int = 1) -> None: ...
    def revoke_tokens(self) -> None: ...
    def issued_tokens(self) -> list[str]: ...
    def add_item(self, code: str, name: str) -> object: ...
    def add_price(self, item_code: str, price: Decimal | int | str) -> object: ...
    def set_stock(
        self,
        item_code: str,
        warehouse: int,
        on_hand: Decimal | int | str,
        *,
        reserved: Decimal | int | str = 0,
    ) -> None: ...
    def dispatch(
        self,
        document_number: str,
        lines: Sequence[tuple[str, Decimal | int | str]] | None = None,
        *,
        carrier: str | None = None,
        tracking: str | None = None,
    ) -> str: ...
    def orders_with(self, document_number: str) -> list[dict[str, Any]]: ...
    def customer(self, code: str) -> dict[str, Any] | None: ...
    def add_customer(self, code: str, title: str) -> object: ...
    def business_requests(self) -> Sequence[Any]: ...


def sales_order_request(number: str, **line_changes: Any) -> SalesOrderRequest:
    """A plain order of two lines for customer `CUSTOMER_CODE`, as the core queues it."""
    first: dict[str, Any] = {
        "line_number": 1,
        "sku": SKU,
        "quantity": Decimal(10),
        "unit_of_measure": "C62",
        "unit_price": Decimal("150.50"),
    }
    lines = (
        OrderLine(**{**first, **line_changes}),
        OrderLine(
            line_number=2,
            sku=OTHER_SKU,
            quantity=Decimal(4),
            unit_of_measure="C62",
            unit_price=Decimal(210),
        ),
    )
    order = PurchaseOrder(
        order_id=f"PO-{number}",
        order_date=CLOCK_START,
        currency="TRY",
        buyer=Party(name="ACME Depo Ltd"),
        supplier=Party(name="B2Connect Demo Supplier"),
        lines=lines,
    )
    customer = Customer(
        code=CUSTOMER_CODE,
        name="ACME Depo Ltd",
        tax_id="1234567890",
        tax_office="Maslak",
        address=PostalAddress(street=("Eski Buyukdere Cad. 3",), city="ISTANBUL", country="TR"),
        email="depo@acme.example",
    )
    return SalesOrderRequest(
        document_number=number, order=order, customer=customer, channel="coupa"
    )


@dataclass
class ErpUnderTest:
    """A fake ERP on a socket and a connector pointed at it."""

    fake: ErpFake
    connector: Any
    clock: SettableClock
    waits: list[float] = field(default_factory=list)


class ErpConformance(ConnectorConformance):
    """The shared suite plus the ERP promises, against the ERP's fake."""

    refused_credentials: ClassVar[Mapping[str, Any]]
    """Config changes the fake refuses as bad credentials."""
    warehouses: ClassVar[Mapping[int, str]]
    """Warehouse numbers `config_for` maps, with their location codes."""
    attempts: ClassVar[int] = 3
    """The connector's retry attempts as configured by `config_for` (its default)."""

    def make_fake(self, clock: SettableClock) -> ErpFake:
        """The ERP's fake (not yet serving), with its items `SKU` and `OTHER_SKU`."""
        raise NotImplementedError

    def config_for(self, fake: ErpFake) -> dict[str, Any]:
        """`config` pointed at `fake` while it serves, mapping `warehouses`."""
        raise NotImplementedError

    # -- fixtures ----------------------------------------------------------------------------

    def _build(
        self, fake: ErpFake, clock: SettableClock, waits: list[float], **changes: Any
    ) -> Any:
        config = self.connector_class.config_model.model_validate(
            {**self.config_for(fake), **changes}
        )
        http = build_http_client(HttpSettings(timeout_seconds=CLIENT_TIMEOUT_SECONDS))
        self.__dict__.setdefault("_clients", []).append(http)
        return self.connector_class(
            config, ConnectorContext(clock=clock, http=http, sleep=waits.append)
        )

    @pytest.fixture
    def erp(self) -> Iterator[ErpUnderTest]:
        clock = SettableClock(CLOCK_START)
        fake = self.make_fake(clock)
        waits: list[float] = []
        with fake.serve():
            yield ErpUnderTest(fake, self._build(fake, clock, waits), clock, waits)

    @pytest.fixture(autouse=True)
    def _close_http_clients(self) -> Iterator[None]:
        yield
        for client in self.__dict__.pop("_clients", []):
            client.close()

    # -- capability --------------------------------------------------------------------------

    def test_declares_and_implements_erp(self) -> None:
        connector = self.make_connector()
        assert Capability.ERP in connector.spec.capabilities
        assert isinstance(connector, ErpConnector)

    # -- the token ---------------------------------------------------------------------------

    def test_the_token_is_issued_once_and_reused(self, erp: ErpUnderTest) -> None:
        erp.connector.submit_sales_order(sales_order_request("SO-T1"))
        erp.connector.fetch_stock()
        assert erp.fake.tokens_issued == 1
        assert erp.fake.refused_bearers == 0

    def test_the_token_is_renewed_before_it_expires(self, erp: ErpUnderTest) -> None:
        erp.connector.fetch_stock()
        erp.clock.now += erp.fake.token_lifetime / 2
        erp.connector.fetch_stock()
        assert erp.fake.tokens_issued == 1
        erp.clock.now += erp.fake.token_lifetime / 2 - timedelta(seconds=1)
        erp.connector.fetch_stock()
        assert erp.fake.tokens_issued == 2
        assert erp.fake.refused_bearers == 0, "the token was used until the ERP refused it"

    def test_a_refused_token_is_renewed_once(self, erp: ErpUnderTest) -> None:
        erp.connector.fetch_stock()
        erp.fake.revoke_tokens()
        erp.connector.fetch_stock()
        assert erp.fake.refused_bearers == 1
        assert erp.fake.tokens_issued == 2
        assert erp.waits == []

    def test_a_lost_session_renews_the_token_once(self, erp: ErpUnderTest) -> None:
        erp.connector.fetch_stock()
        erp.fake.login_error_next()
        erp.connector.fetch_stock()
        assert erp.fake.tokens_issued == 2
        assert erp.waits == []

    def test_a_second_refusal_is_an_auth_error(self, erp: ErpUnderTest) -> None:
        erp.fake.login_error_next(2)
        with pytest.raises(AuthError):
            erp.connector.fetch_stock()
        assert erp.fake.tokens_issued == 2
        assert erp.waits == [], "a refused token was retried"

    def test_refused_credentials_are_an_auth_error(self, erp: ErpUnderTest) -> None:
        waits: list[float] = []
        wrong = self._build(erp.fake, erp.clock, waits, **self.refused_credentials)
        with pytest.raises(AuthError) as info:
            wrong.submit_sales_order(sales_order_request("SO-T2"))
        assert waits == []
        assert erp.fake.orders_with("SO-T2") == []
        for secret in _secret_values(self.refused_credentials, self.config_for(erp.fake)):
            assert secret not in str(info.value)

    # -- sales orders ------------------------------------------------------------------------

    def test_a_sales_order_is_created_once(self, erp: ErpUnderTest) -> None:
        receipt = erp.connector.submit_sales_order(sales_order_request("SO-0001"))
        assert isinstance(receipt, SalesOrderReceipt)
        assert (receipt.document_number, receipt.created) == ("SO-0001", True)
        assert receipt.erp_reference
        [held] = erp.fake.orders_with("SO-0001")
        assert str(held["INTERNAL_REFERENCE"]) == receipt.erp_reference
        assert erp.fake.customer(CUSTOMER_CODE) is not None

    def test_what_is_rendered_is_what_is_sent(self, erp: ErpUnderTest) -> None:
        request = sales_order_request("SO-0002")
        rendered = json.loads(erp.connector.render_sales_order(request))
        erp.connector.submit_sales_order(request)
        [held] = erp.fake.orders_with("SO-0002")
        sent = {k: v for k, v in held.items() if k in rendered}
        assert sent.keys() == rendered.keys()
        assert sent["TRANSACTIONS"]["items"][0]["MASTER_CODE"] == SKU

    def test_submitted_twice_is_one_order(self, erp: ErpUnderTest) -> None:
        first = erp.connector.submit_sales_order(sales_order_request("SO-0003"))
        again = erp.connector.submit_sales_order(sales_order_request("SO-0003"))
        assert len(erp.fake.orders_with("SO-0003")) == 1
        assert not again.created
        assert again.erp_reference == first.erp_reference

    def test_an_answer_lost_after_the_create_is_found_not_repeated(self, erp: ErpUnderTest) -> None:
        erp.connector.ensure_customer(sales_order_request("SO-0004").customer)
        erp.fake.drop_answer_next()
        receipt = erp.connector.submit_sales_order(sales_order_request("SO-0004"))
        [held] = erp.fake.orders_with("SO-0004")
        assert receipt.erp_reference == str(held["INTERNAL_REFERENCE"])
        assert len(erp.waits) >= 1, "the lost answer was not retried after a wait"

    def test_a_create_that_times_out_is_looked_up_not_repeated(self, erp: ErpUnderTest) -> None:
        erp.connector.ensure_customer(sales_order_request("SO-0005").customer)
        erp.fake.drop_answer_next(late_seconds=CLIENT_TIMEOUT_SECONDS * 4)
        receipt = erp.connector.submit_sales_order(sales_order_request("SO-0005"))
        assert len(erp.fake.orders_with("SO-0005")) == 1
        assert receipt.erp_reference

    def test_a_crash_after_sending_is_answered_by_the_next_submit(self, erp: ErpUnderTest) -> None:
        erp.connector.ensure_customer(sales_order_request("SO-0006").customer)
        erp.fake.drop_answer_next()
        crashed = self._build(erp.fake, erp.clock, [], attempts=1)
        with pytest.raises(TransientError):
            crashed.submit_sales_order(sales_order_request("SO-0006"))
        receipt = erp.connector.submit_sales_order(sales_order_request("SO-0006"))
        assert not receipt.created
        assert len(erp.fake.orders_with("SO-0006")) == 1

    def test_the_customer_is_created_when_missing(self, erp: ErpUnderTest) -> None:
        customer = sales_order_request("SO-0007").customer
        assert erp.connector.ensure_customer(customer) == CUSTOMER_CODE
        card = erp.fake.customer(CUSTOMER_CODE)
        assert card is not None
        assert erp.connector.ensure_customer(customer) == CUSTOMER_CODE
        assert erp.fake.customer(CUSTOMER_CODE) == card

    def test_an_existing_customer_is_found_not_created(self, erp: ErpUnderTest) -> None:
        erp.fake.add_customer(CUSTOMER_CODE, "ACME (typed in the ERP)")
        erp.connector.submit_sales_order(sales_order_request("SO-0008"))
        card = erp.fake.customer(CUSTOMER_CODE)
        assert card is not None
        assert card.get("TITLE") == "ACME (typed in the ERP)"

    def test_a_refusal_of_the_data_carries_the_erps_words(self, erp: ErpUnderTest) -> None:
        request = sales_order_request("SO-0009", sku="NO-SUCH-ITEM")
        with pytest.raises(RejectedByPartnerError) as info:
            erp.connector.submit_sales_order(request)
        assert "NO-SUCH-ITEM" in str(info.value), "the ERP's own words were not kept"
        assert erp.waits == [], "a refusal of the data was retried"
        assert erp.fake.orders_with("SO-0009") == []

    @pytest.mark.parametrize("change", [{"sku": None}, {"unit_of_measure": "XYZ"}])
    def test_an_order_the_erp_cannot_take_fails_before_any_call(
        self, erp: ErpUnderTest, change: dict[str, Any]
    ) -> None:
        request = sales_order_request("SO-0010", **change)
        with pytest.raises(PermanentError) as rendered:
            erp.connector.render_sales_order(request)
        assert "line 1" in str(rendered.value)
        with pytest.raises(PermanentError):
            erp.connector.submit_sales_order(request)
        assert erp.fake.business_requests() == []
        assert erp.fake.tokens_issued == 0

    # -- retries -----------------------------------------------------------------------------

    def test_5xx_is_retried_with_waits(self, erp: ErpUnderTest) -> None:
        erp.fake.fail_next(Unavailable(), Unavailable())
        receipt = erp.connector.submit_sales_order(sales_order_request("SO-0011"))
        assert receipt.created
        assert len(erp.fake.orders_with("SO-0011")) == 1
        assert len(erp.waits) == 2
        assert all(0 < w <= 31 for w in erp.waits)

    def test_retries_are_bounded(self, erp: ErpUnderTest) -> None:
        erp.fake.fail_next(*[Unavailable()] * (self.attempts + 5))
        with pytest.raises(TransientError):
            erp.connector.submit_sales_order(sales_order_request("SO-0012"))
        assert len(erp.fake.business_requests()) == self.attempts
        assert len(erp.waits) == self.attempts - 1
        assert erp.fake.orders_with("SO-0012") == []

    def test_timeouts_are_retried_within_bounds(self, erp: ErpUnderTest) -> None:
        erp.fake.fail_next(*[LateAnswer(CLIENT_TIMEOUT_SECONDS * 4)] * (self.attempts + 5))
        with pytest.raises(TransientError):
            erp.connector.fetch_stock()
        assert len(erp.waits) == self.attempts - 1

    # -- pull mode ---------------------------------------------------------------------------

    def test_product_pages_resume_from_the_cursor(self, erp: ErpUnderTest) -> None:
        for n in range(3):
            erp.fake.add_item(f"EXTRA-{n}", f"Extra item {n}")
        connector = self._build(erp.fake, erp.clock, [], page_size=2)
        first = connector.fetch_products(None)
        assert first.more
        assert len(first.items) == 2
        second = connector.fetch_products(first.cursor)
        third = connector.fetch_products(second.cursor)
        assert not third.more
        skus = [p.sku for page in (first, second, third) for p in page.items]
        assert sorted(skus) == sorted([SKU, OTHER_SKU, "EXTRA-0", "EXTRA-1", "EXTRA-2"])
        assert connector.fetch_products(second.cursor).items == third.items
        assert all(p.unit_of_measure == "C62" for p in first.items)

    def test_price_pages_resume_from_the_cursor(self, erp: ErpUnderTest) -> None:
        erp.fake.add_price(SKU, "150.50")
        erp.fake.add_price(OTHER_SKU, 210)
        erp.fake.add_price(SKU, "140")
        connector = self._build(erp.fake, erp.clock, [], page_size=2)
        first = connector.fetch_prices(None)
        second = connector.fetch_prices(first.cursor)
        assert first.more
        assert not second.more
        prices = [*first.items, *second.items]
        assert [(p.sku, p.unit_price) for p in prices] == [
            (SKU, Decimal("150.50")),
            (OTHER_SKU, Decimal(210)),
            (SKU, Decimal(140)),
        ]
        assert {p.currency for p in prices} == {"TRY"}

    def test_stock_per_warehouse(self, erp: ErpUnderTest) -> None:
        numbers = list(self.warehouses)
        erp.fake.set_stock(SKU, numbers[0], 40, reserved=5)
        erp.fake.set_stock(SKU, numbers[1], 12)
        erp.fake.set_stock(OTHER_SKU, numbers[0], 3)
        levels = {(s.sku, s.location): s for s in erp.connector.fetch_stock()}
        assert set(levels) == {
            (SKU, self.warehouses[numbers[0]]),
            (SKU, self.warehouses[numbers[1]]),
            (OTHER_SKU, self.warehouses[numbers[0]]),
        }
        main = levels[(SKU, self.warehouses[numbers[0]])]
        assert (main.quantity_on_hand, main.quantity_available) == (Decimal(40), Decimal(35))
        assert main.unit_of_measure == "C62"

    def test_dispatches_after_the_cursor_oldest_first(self, erp: ErpUnderTest) -> None:
        erp.connector.submit_sales_order(sales_order_request("SO-0013"))
        erp.connector.submit_sales_order(sales_order_request("SO-0014"))
        first_ref = erp.fake.dispatch("SO-0013", [(SKU, 6)], carrier="MNG", tracking="MNG00042")
        page = erp.connector.fetch_dispatches(None)
        [note] = page.items
        assert (note.reference, note.document_number) == (first_ref, "SO-0013")
        assert (note.carrier, note.tracking_number) == ("MNG", "MNG00042")
        assert note.dispatched_at.tzinfo is not None
        assert note.dispatched_at == erp.clock.now
        assert [(line.sku, line.quantity, line.unit_of_measure) for line in note.lines] == [
            (SKU, Decimal(6), "C62")
        ]
        assert json.loads(note.raw)
        erp.clock.now += timedelta(hours=2)
        second_ref = erp.fake.dispatch("SO-0014")
        third_ref = erp.fake.dispatch("SO-0013", [(SKU, 4)])
        later = erp.connector.fetch_dispatches(page.cursor)
        assert [(d.reference, d.document_number) for d in later.items] == [
            (second_ref, "SO-0014"),
            (third_ref, "SO-0013"),
        ]
        assert later.items[0].carrier is None
        assert erp.connector.fetch_dispatches(later.cursor).items == ()

    # -- secrets -----------------------------------------------------------------------------

    def test_secrets_never_reach_logs_or_errors(
        self, erp: ErpUnderTest, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        messages: list[str] = []
        erp.fake.fail_next(Unavailable(), LateAnswer(CLIENT_TIMEOUT_SECONDS * 4))
        erp.connector.submit_sales_order(sales_order_request("SO-0015"))
        erp.fake.revoke_tokens()
        erp.connector.fetch_stock()
        erp.fake.login_error_next()
        erp.connector.fetch_stock()
        erp.fake.login_error_next(2)
        for call in (
            erp.connector.fetch_stock,
            lambda: erp.connector.submit_sales_order(sales_order_request("SO-16", sku="NOPE")),
        ):
            try:
                call()
            except ConnectorError as error:
                messages.append(repr(error) + str(error))
        wrong = self._build(erp.fake, erp.clock, [], **self.refused_credentials)
        try:
            wrong.fetch_stock()
        except ConnectorError as error:
            messages.append(repr(error) + str(error))
        assert len(messages) == 3
        shown = "\n".join([caplog.text, *messages, repr(erp.connector), repr(wrong)])
        secrets = [
            *_secret_values(self.refused_credentials, self.config_for(erp.fake)),
            *erp.fake.issued_tokens(),
        ]
        assert len(secrets) >= 3, "the suite found no secret to look for"
        leaks = [s for s in secrets if s in shown]
        assert leaks == [], "a credential or token was logged or shown"


def _secret_values(*configs: Mapping[str, Any]) -> list[str]:
    return [
        value
        for config in configs
        for name, value in config.items()
        if _SECRET_LIKE.search(name) and isinstance(value, str) and len(value) >= 6
    ]
