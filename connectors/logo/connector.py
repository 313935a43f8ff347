"""LOGO ERP (Tiger, GO): the ERP connector the core runs, over the on-premises LOGO REST service.

    sales orders  `submit_sales_order` looks the order up by `DOC_NUMBER` first
                  (`GET salesOrders?q=DOC_NUMBER eq '...'`): found, it is returned with
                  `created=False`. Otherwise the customer card is made sure of
                  (`ensure_customer`) and the order is sent once (`POST salesOrders`). LOGO
                  itself happily stores a second order with the same `DOC_NUMBER`, so a POST
                  whose answer was lost (timeout, reset, 5xx) is never repeated blindly: the
                  next attempt looks the number up again and only posts when LOGO has none.
    customers     `ensure_customer`: `GET Arps?q=CODE eq '...'`, else `POST Arps`, with the same
                  look-up-before-repeating rule.
    pull mode     `fetch_products` / `fetch_prices` page `items` / `salesItemPrices` by offset
                  (the cursor is the next offset); `fetch_stock` reads the stock view through
                  `queries?tsql=` per item and warehouse.
    dispatches    `fetch_dispatches` reads `salesDispatches` after the last `INTERNAL_REFERENCE`
                  seen (the cursor), oldest first; the sales order each ships is found from its
                  lines' `ORDER_REFERENCE` with one `queries?tsql=` per page.

Every call is retried on timeouts, connection errors and 5xx within `attempts`
(`connectors.core.retrying`, the context's `sleep`); LOGO's refusals of the data
(`RejectedByPartnerError` with its own words) and of the credentials (`AuthError`) are not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from connectors.core.contract import Capability, ConnectorContext, ConnectorSpec
from connectors.core.erp import ErpDispatch, ErpPage, SalesOrderReceipt, SalesOrderRequest
from connectors.core.errors import PermanentError, TransientError
from connectors.core.retrying import RetryBounds, call_with_retries
from connectors.logo.api import LogoApi
from connectors.logo.config import LogoConfig
from connectors.logo.orders import customer_body, render, sales_order_body
from connectors.logo.reading import (
    dispatch_from,
    order_lines_query,
    order_references,
    price_from,
    product_from,
    stock_from,
    stock_query,
)
from schemas.catalog import Customer, Price, Product
from schemas.inventory import StockLevel

__all__ = ["LogoConnector", "filter_equals"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

SALES_ORDERS = "salesOrders"
ARPS = "Arps"
ITEMS = "items"
SALES_PRICES = "salesItemPrices"
SALES_DISPATCHES = "salesDispatches"
LOOKUP_LIMIT = 10


class LogoConnector:
    """The supplier's LOGO ERP (see the module docstring)."""

    spec: ClassVar[ConnectorSpec] = ConnectorSpec(
        key="logo",
        display_name="LOGO ERP (Tiger, GO)",
        protocol="rest",
        capabilities=frozenset({Capability.ERP}),
    )
    config_model: ClassVar[type[LogoConfig]] = LogoConfig

    def __init__(self, config: LogoConfig, context: ConnectorContext) -> None:
        self.config = config
        self.context = context
        self._api: LogoApi | None = None
        self._bounds = RetryBounds(
            attempts=config.attempts,
            initial_wait=config.initial_wait_seconds,
            max_wait=config.max_wait_seconds,
        )

    def __repr__(self) -> str:
        return (
            f"LogoConnector(base_url={str(self.config.base_url)!r}, "
            f"username={self.config.username!r}, firm_number={self.config.firm_number})"
        )

    @property
    def tokens_fetched(self) -> int:
        """Tokens obtained so far (renewals included)."""
        return self._api.tokens.tokens_fetched if self._api is not None else 0

    # -- sales orders ------------------------------------------------------------------------

    def render_sales_order(self, request: SalesOrderRequest) -> bytes:
        """The exact JSON `submit_sales_order` posts for `request` (no secret in it)."""
        return render(sales_order_body(request, self.config, request.customer.code))

    def submit_sales_order(self, request: SalesOrderRequest) -> SalesOrderReceipt:
        """Create the sales order once (see the module docstring)."""
        number = request.document_number
        body = sales_order_body(request, self.config, request.customer.code)
        existing = self._retry(lambda: self._find_order(number), f"find sales order {number}")
        if existing is not None:
            logger.info("logo: sales order %s exists (%s); nothing created", number, existing)
            return SalesOrderReceipt(document_number=number, erp_reference=existing, created=False)
        self.ensure_customer(request.customer)
        reference = self._create_once(
            SALES_ORDERS, body, lambda: self._find_order(number), f"sales order {number}"
        )
        return SalesOrderReceipt(document_number=number, erp_reference=reference, created=True)

    def ensure_customer(self, customer: Customer) -> str:
        """The customer's code, after creating its `Arps` card when LOGO has none."""
        code = customer.code
        if self._retry(lambda: self._find_customer(code), f"find customer {code}") is None:
            self._create_once(
                ARPS, customer_body(customer), lambda: self._find_customer(code), f"customer {code}"
            )
            logger.info("logo: customer card %s ready", code)
        return code

    # -- pull mode ---------------------------------------------------------------------------

    def fetch_products(self, cursor: str | None) -> ErpPage[Product]:
        """The next page of item cards, from offset `cursor`."""
        return self._page(ITEMS, cursor, lambda row: product_from(row, self.config))

    def fetch_prices(self, cursor: str | None) -> ErpPage[Price]:
        """The next page of sales price cards, from offset `cursor`."""
        return self._page(SALES_PRICES, cursor, lambda row: price_from(row, self.config))

    def fetch_stock(self) -> tuple[StockLevel, ...]:
        """Stock per item and warehouse from the stock view (units as UN/ECE)."""
        api = self._logo()
        rows = self._retry(lambda: api.query(stock_query(self.config)), "stock query")
        return tuple(level for row in rows if (level := stock_from(row, self.config)) is not None)

    def fetch_dispatches(self, cursor: str | None) -> ErpPage[ErpDispatch]:
        """Sales delivery notes after `cursor` (an `INTERNAL_REFERENCE`), oldest first."""
        api = self._logo()
        after = _cursor_number(cursor, "dispatch")
        size = self.config.page_size
        rows = self._retry(
            lambda: api.list_page(
                SALES_DISPATCHES,
                limit=size,
                q=f"INTERNAL_REFERENCE gt {after}",
                expand=True,
            ),
            f"salesDispatches after {after}",
        )
        numbered = sorted(
            ((ref, row) for row in rows if (ref := _reference(row)) > after), key=lambda p: p[0]
        )
        references = [r for _, row in numbered for r in order_references(row)]
        orders: dict[int, str] = {}
        if references:
            found = self._retry(
                lambda: api.query(order_lines_query(self.config, references)), "order lines query"
            )
            orders = {
                int(row["LINEREF"]): str(row["DOC_NUMBER"]).strip()
                for row in found
                if str(row.get("LINEREF", "")).isdigit()
                and str(row.get("DOC_NUMBER") or "").strip()
            }
        dispatches = tuple(
            dispatch
            for _, row in numbered
            if (dispatch := dispatch_from(row, self.config, orders)) is not None
        )
        last = numbered[-1][0] if numbered else after
        return ErpPage(items=dispatches, cursor=str(last), more=len(rows) >= size)

    # -- plumbing ----------------------------------------------------------------------------

    def _find_order(self, number: str) -> str | None:
        rows = self._logo().list_page(
            SALES_ORDERS, limit=LOOKUP_LIMIT, q=filter_equals("DOC_NUMBER", number)
        )
        matches = sorted(_reference(row) for row in rows if row.get("DOC_NUMBER") == number)
        if len(matches) > 1:
            logger.warning(
                "logo: %d sales orders carry DOC_NUMBER %s; using the first", len(matches), number
            )
        return str(matches[0]) if matches else None

    def _find_customer(self, code: str) -> str | None:
        rows = self._logo().list_page(ARPS, limit=LOOKUP_LIMIT, q=filter_equals("CODE", code))
        return next((code for row in rows if row.get("CODE") == code), None)

    def _create_once(
        self,
        resource: str,
        body: dict[str, Any],
        find: Callable[[], str | None],
        what: str,
    ) -> str:
        """POST `body` at most until LOGO has it: after a failed POST, every further attempt
        looks the object up first (the POST may have been done, its answer lost), and a refused
        POST looks it up too (another delivery may have created it meanwhile)."""
        api = self._logo()
        sent = False

        def attempt() -> str:
            nonlocal sent
            if sent:
                found = find()
                if found is not None:
                    logger.info("logo: %s was created by an earlier attempt (%s)", what, found)
                    return found
            sent = True
            try:
                answer = api.create(resource, body)
            except PermanentError:
                # Refused, perhaps because it exists: two deliveries raced past the look-up
                # (two sales orders of a new channel both create its card, and LOGO answers
                # "... zaten var" to the second). Then it is there, which is all this promises;
                # any other refusal stands.
                found = find()
                if found is None:
                    raise
                logger.info("logo: %s was created meanwhile (%s)", what, found)
                return found
            reference = answer.get("INTERNAL_REFERENCE") or answer.get("CODE")
            if reference is not None:
                return str(reference)
            found = find()
            if found is None:
                msg = f"POST {resource}: LOGO answered without INTERNAL_REFERENCE and has no {what}"
                raise TransientError(msg)
            return found

        return self._retry(attempt, f"create {what}")

    def _page(
        self, resource: str, cursor: str | None, read: Callable[[dict[str, Any]], T | None]
    ) -> ErpPage[T]:
        api = self._logo()
        offset = _cursor_number(cursor, resource)
        size = self.config.page_size
        rows = self._retry(
            lambda: api.list_page(resource, offset=offset, limit=size, expand=True),
            f"{resource} from {offset}",
        )
        items = tuple(item for row in rows if (item := read(row)) is not None)
        return ErpPage(items=items, cursor=str(offset + len(rows)), more=len(rows) >= size)

    def _logo(self) -> LogoApi:
        if self._api is None:
            http = self.context.require_http()
            self._api = LogoApi(http, config=self.config, clock=self.context.clock)
        return self._api

    def _retry(self, call: Callable[[], T], what: str) -> T:
        return call_with_retries(
            call, bounds=self._bounds, sleep=self.context.sleep, what=f"logo {what}"
        )


def filter_equals(field: str, value: str) -> str:
    """LOGO's list filter `FIELD eq 'value'` (a quote in the value doubled) [ASSUME: the `q`
    syntax of public clients, `CARD_TYPE eq 1 or ...`]."""
    return f"{field} eq '{value.replace(chr(39), chr(39) * 2)}'"


def _reference(row: dict[str, Any]) -> int:
    try:
        return int(str(row.get("INTERNAL_REFERENCE")))
    except ValueError:
        return 0


def _cursor_number(cursor: str | None, what: str) -> int:
    if cursor is None or cursor == "":
        return 0
    if not cursor.isdigit():
        msg = f"logo {what}: cursor {cursor!r} is not one this connector gave"
        raise PermanentError(msg)
    return int(cursor)
