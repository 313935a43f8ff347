"""Coupa REST purchase-order pull: the connector the core runs (PULL and INBOUND).

PULL: `fetch(cursor)` asks Coupa for the next page of orders not yet exported, oldest
`updated-at` first, from the cursor on; each order becomes one `PulledItem` (its JSON, a
document of its own); the cursor is the newest `updated-at` of the page. `confirm(items)` marks
them exported, one request each. INBOUND: the core runs each pulled order through the ingest
pipeline with `open` (transport PULL), deduplicated by (`id`, `version`); a new version of an
order reads as an update.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, HttpUrl, SecretStr

from connectors.core.contract import Capability, ConnectorContext, ConnectorSpec
from connectors.core.errors import AuthenticityError, DocumentError, MalformedDocumentError
from connectors.core.inbound import (
    DocumentResult,
    InboundBatch,
    InboundDocument,
    InboundRefusal,
    InboundReply,
    InboundRequest,
    InboundUnit,
    NumberAllocator,
    UnitAnswer,
)
from connectors.core.oauth2 import OAuth2ClientCredentials
from connectors.core.pull import PulledItem, PulledPage
from connectors.coupa_rest.api import (
    DEFAULT_SCOPES,
    MAX_PAGE_SIZE,
    TOKEN_PATH,
    CoupaPurchaseOrderApi,
)
from connectors.coupa_rest.ingress import (
    COUPA_REST_INGRESS,
    DOCUMENT_KIND,
    IDEMPOTENCY_SCOPE,
    purchase_order_document,
)
from connectors.coupa_rest.purchase_order import (
    CoupaRestRules,
    purchase_order_id,
    purchase_order_key,
    purchase_order_updated_at,
)

CONTENT_TYPE = "application/json"


class CoupaRestConfig(BaseModel):
    """One customer's Coupa instance and our integration client on it."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    base_url: HttpUrl
    """The instance, `https://{instance}.coupahost.com` (a fake's URL in tests)."""
    client_id: Annotated[str, Field(min_length=1)]
    """The OAuth2 client (OpenID Connect client) Coupa's administrator created for us."""
    client_secret: SecretStr
    """Its secret, from a secret reference; never logged."""
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    """Scopes asked for (the client must have them on the instance)."""
    start: AwareDatetime | None = None
    """Before the first page: take only orders updated since then (None: every unexported)."""
    page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = MAX_PAGE_SIZE
    """Orders asked for per page (Coupa returns at most 50)."""
    renew_before_seconds: Annotated[int, Field(ge=0)] = 300
    """Renew the 24-hour token this long before it expires."""
    rules: CoupaRestRules
    """How this instance's JSON fills the canonical order (buyer identity, units, parts)."""


class CoupaRestConnector:
    """Purchase orders pulled from a Coupa instance's Core API (see the module docstring)."""

    spec: ClassVar[ConnectorSpec] = ConnectorSpec(
        key="coupa_rest",
        display_name="Coupa (REST purchase-order pull)",
        protocol="rest",
        capabilities=frozenset({Capability.INBOUND, Capability.PULL}),
        inbound_documents=frozenset({DOCUMENT_KIND}),
        ingress=COUPA_REST_INGRESS,
    )
    config_model: ClassVar[type[CoupaRestConfig]] = CoupaRestConfig
    answers_business_problems: ClassVar[bool] = False
    """Nobody reads an answer to a pulled order: what cannot be applied is held."""
    stream: ClassVar[str] = "purchase_orders"

    def __init__(self, config: CoupaRestConfig, context: ConnectorContext) -> None:
        self.config = config
        self.context = context
        base_url = str(config.base_url).rstrip("/")
        self._auth = OAuth2ClientCredentials(
            base_url + TOKEN_PATH,
            client_id=config.client_id,
            client_secret=config.client_secret,
            scopes=config.scopes,
            clock=context.clock,
            renew_before=timedelta(seconds=config.renew_before_seconds),
        )
        self._base_url = base_url

    def __repr__(self) -> str:
        return (
            f"CoupaRestConnector(base_url={self._base_url!r}, client_id={self.config.client_id!r})"
        )

    @property
    def tokens_fetched(self) -> int:
        """OAuth2 tokens obtained so far (renewals included)."""
        return self._auth.tokens_fetched

    def _api(self) -> CoupaPurchaseOrderApi:
        return CoupaPurchaseOrderApi(
            self.context.require_http(),
            base_url=self._base_url,
            auth=self._auth,
            clock=self.context.clock,
        )

    # -- PULL -------------------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> PulledPage:
        """The next page of unexported orders updated at or after `cursor`."""
        since = _moment(cursor) if cursor is not None else self.config.start
        orders = self._api().list_unexported(updated_since=since, limit=self.config.page_size)
        items = tuple(_item(order) for order in orders)
        newest = cursor
        for order in orders:
            try:
                moment = purchase_order_updated_at(order, tz=UTC)
            except DocumentError:
                continue  # the order itself is stored and held; the cursor just skips it
            if newest is None or moment > _moment(newest):
                newest = moment.isoformat()
        return PulledPage(items, newest, more=len(orders) >= self.config.page_size)

    def confirm(self, items: Sequence[PulledItem]) -> None:
        """Mark each order exported (Coupa then stops offering it until a new version)."""
        api = self._api()
        for item in items:
            api.mark_exported(int(item.key))

    # -- INBOUND ----------------------------------------------------------------------------

    def open(self, request: InboundRequest, *, tz: tzinfo) -> InboundBatch | InboundRefusal:
        """One pulled order; partners never push to this connector."""
        if not request.trusted:
            return InboundRefusal(AuthenticityError("Coupa orders are pulled, never pushed"))
        try:
            data = _json_object(request.body)
            key = purchase_order_key(data)
        except DocumentError as error:
            return InboundRefusal(error, authenticated=True, kind=DOCUMENT_KIND)
        document = purchase_order_document(data, tz=tz, rules=self.config.rules, key=key)
        unit = InboundUnit(IDEMPOTENCY_SCOPE, key, document.reference, (document,))
        return InboundBatch(DOCUMENT_KIND, document.reference, (unit,))

    def acknowledge(
        self,
        unit: InboundUnit,
        results: Sequence[DocumentResult],
        *,
        numbers: NumberAllocator,
    ) -> UnitAnswer | None:
        """Coupa is told through `confirm`, not with an answer."""
        del unit, results, numbers
        return None

    def reply(self, answers: Sequence[UnitAnswer]) -> InboundReply:
        """Nothing goes back on a wire."""
        del answers
        return InboundReply(200)

    def reread(self, body: bytes, position: Mapping[str, str], *, tz: tzinfo) -> InboundDocument:
        """The stored order again (dead-letter replay)."""
        del position  # the body is the order
        data = _json_object(body)
        document = purchase_order_document(
            data, tz=tz, rules=self.config.rules, key=purchase_order_key(data)
        )
        if document.problem is not None:
            raise DocumentError(document.problem.message)
        return document


def _json_object(body: bytes) -> dict[str, Any]:
    """A pulled order's JSON (decimals as `Decimal`)."""
    try:
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        msg = f"not JSON: {error}"
        raise MalformedDocumentError(msg, location="$") from None
    if not isinstance(data, dict):
        msg = "a Coupa purchase order is a JSON object"
        raise MalformedDocumentError(msg, location="$")
    return data


def _item(order: dict[str, Any]) -> PulledItem:
    """One order as the bytes the core stores: its JSON object, decimals kept as text."""
    body = json.dumps(order, default=_decimal_text, ensure_ascii=False, sort_keys=False)
    try:
        po_id = str(purchase_order_id(order))
    except DocumentError:
        po_id = "0"
    number = order.get("po-number")
    version = order.get("version")
    return PulledItem(
        body=body.encode(),
        content_type=CONTENT_TYPE,
        reference=f"PO {number} v{version} (id {po_id})",
        key=po_id,
    )


def _decimal_text(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    msg = f"{type(value).__name__} is not JSON"
    raise TypeError(msg)


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        msg = f"cursor {text!r} has no offset"
        raise ValueError(msg)
    return moment


__all__ = ["CONTENT_TYPE", "CoupaRestConfig", "CoupaRestConnector"]
