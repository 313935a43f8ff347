"""The partner profile: who a trading partner is and which mapping files apply to it.

One `partners/<key>/profile.yaml` per partner. The profile is data only: identities and
endpoints go to the connector (`connector_config`, opaque here), secrets are references
(`env:` / `demo:`), and the unit and part policies name the CSV files the engine loads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from mappings.engine.secret_refs import SecretReference, parse_secret_reference

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
"""Partner keys: lower-case letters and digits in dash-separated words (`coupa-demo`)."""

_SECRET_NAME = re.compile(r"[a-z][a-z0-9_]*")
# Keys that look like a literal secret inside connector_config; secrets go under `secrets:`.
_SECRET_LIKE_KEY = re.compile(
    r"(?:^|_)(?:secret|password|passwd|api_?key|private_key|access_token|refresh_token)$|^token$"
)


def _relative_csv_path(value: str) -> str:
    """A path inside the mappings root: relative, POSIX, no `..`, ending in `.csv`."""
    path = PurePosixPath(value)
    if "\\" in value or path.is_absolute() or ".." in path.parts or not path.parts:
        msg = "must be a POSIX path relative to the mappings root, without '..'"
        raise ValueError(msg)
    if path.suffix != ".csv":
        msg = "must name a .csv file"
        raise ValueError(msg)
    return path.as_posix()


MappingPath = Annotated[
    str, StringConstraints(strip_whitespace=True), AfterValidator(_relative_csv_path)
]
"""A CSV file path relative to the mappings root (`codelists/uom.csv`)."""

DocumentKind = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A protocol document kind as the connector names it (`OrderRequest`, `850`)."""

UnknownPartPolicy = Literal["reject", "supplier_part_id_is_sku"]
"""What to do with an order line whose part ids are not in the cross-reference."""


class _ProfileModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


def _unique(kinds: tuple[str, ...]) -> tuple[str, ...]:
    repeated = sorted({kind for kind in kinds if kinds.count(kind) > 1})
    if repeated:
        msg = f"document kinds must be unique; repeated: {repeated}"
        raise ValueError(msg)
    return kinds


class DocumentKinds(_ProfileModel):
    """Protocol document kinds enabled for the partner, per direction."""

    inbound: Annotated[tuple[DocumentKind, ...], AfterValidator(_unique)] = ()
    """Kinds the partner may send us (e.g. `OrderRequest`); anything else is refused."""
    outbound: Annotated[tuple[DocumentKind, ...], AfterValidator(_unique)] = ()
    """Kinds we send the partner (e.g. `ConfirmationRequest`, `ShipNoticeRequest`)."""


class UnitsPolicy(_ProfileModel):
    """Which unit-of-measure code lists translate the partner's units to UN/ECE Rec 20."""

    codelist: MappingPath = "codelists/uom.csv"
    """The shared code list (relative to the mappings root)."""
    overrides: MappingPath | None = None
    """Partner-specific list, usually in the partner folder; its rows win over the shared list."""


class PartsPolicy(_ProfileModel):
    """How order lines get our SKU."""

    crossref: MappingPath | None = None
    """CSV `partner_part_id,sku,description` (relative to the mappings root)."""
    unknown: UnknownPartPolicy = "reject"
    """`reject`: a part not in the cross-reference is a mapping problem;
    `supplier_part_id_is_sku`: the partner already sends our SKU as its supplier part id."""

    @model_validator(mode="after")
    def _reject_needs_a_crossref(self) -> PartsPolicy:
        if self.crossref is None and self.unknown == "reject":
            msg = (
                "parts.crossref is required when parts.unknown is 'reject' (every line would fail)"
            )
            raise ValueError(msg)
        return self


class Deadlines(_ProfileModel):
    """How long the partner may wait for each of our steps before reconciliation reports it.

    Reconciliation (`b2connect jobs run reconcile`) compares the data with these; a value of
    null switches that check off for the partner (a retailer that never sends functional
    acknowledgements). The defaults are the hub's service levels.
    """

    confirmation_hours: Annotated[float, Field(gt=0)] | None = 24
    """An order must be confirmed (accepted, rejected or detailed) within this many hours."""
    ship_notice_days: Annotated[float, Field(gt=0)] | None = 14
    """A line without a requested delivery date must ship within this many days of receipt."""
    ship_notice_grace_hours: Annotated[float, Field(ge=0)] = 0
    """A line with a requested delivery date must ship by that date plus this many hours."""
    acknowledgement_hours: Annotated[float, Field(gt=0)] | None = 24
    """A delivered document the partner acknowledges (its connector says so) must be
    acknowledged within this many hours of delivery."""
    outbox_stuck_minutes: Annotated[float, Field(gt=0)] | None = 60
    """A document still waiting in the outbox this many minutes after it was queued is stuck."""
    delivery_days: Annotated[float, Field(gt=0)] | None = 7
    """Read from a cargo carrier's profile: a shipment it picked up must be delivered (or
    returned, or cancelled) within this many days of pickup."""


def _unique_locations(locations: tuple[str, ...]) -> tuple[str, ...]:
    repeated = sorted({location for location in locations if locations.count(location) > 1})
    if repeated:
        msg = f"locations must be unique; repeated: {repeated}"
        raise ValueError(msg)
    return locations


class InventoryFeed(_ProfileModel):
    """What the partner's stock feed shows (X12 846, EDIFACT INVRPT, cXML
    ProductActivityMessage)."""

    locations: Annotated[
        tuple[Annotated[str, StringConstraints(min_length=1)], ...],
        AfterValidator(_unique_locations),
    ] = ()
    """Our stock locations the partner sees (one figure per item and location); empty: every
    location."""


class PriceFeed(_ProfileModel):
    """What the partner's price and catalogue feed shows (X12 832, EDIFACT PRICAT, cXML
    CatalogUploadRequest)."""

    price_list: Annotated[str, StringConstraints(min_length=1)] = "default"
    """The ERP price list the partner buys from."""
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    """Only prices in this currency; null: every currency on the price list."""


class Feeds(_ProfileModel):
    """The stock and price feeds we send the partner: deltas since its last feed."""

    items: Literal["crossref", "all"] = "crossref"
    """`crossref`: only items in the partner's part cross-reference (the catalogue it buys
    from); `all`: every item, named by our SKU where it has no part number of its own."""
    part_number: Literal["buyer", "supplier"] = "buyer"
    """Which id the cross-reference's partner part number is on the partner's side: the
    buyer's own part number (X12 BP, cXML BuyerPartID) or our part number as the buyer knows
    it (X12 VN, cXML SupplierPartID)."""
    max_items_per_document: Annotated[int, Field(ge=1, le=100_000)] = 5_000
    """A larger delta is split over several documents (partners cap document sizes)."""
    inventory: InventoryFeed | None = None
    """The stock feed; null: the partner takes none."""
    prices: PriceFeed | None = None
    """The price feed; null: the partner takes none."""

    @model_validator(mode="after")
    def _takes_a_feed(self) -> Feeds:
        # `feeds:` naming neither feed sends nothing: almost surely a forgotten `inventory: {}`
        # or `prices: {}`, refused so that it is found when the profile is loaded.
        if self.inventory is None and self.prices is None:
            msg = "feeds must name inventory, prices or both (remove feeds for no feed)"
            raise ValueError(msg)
        return self


class ErpCustomer(_ProfileModel):
    """Who this partner's orders are for in the supplier's ERP."""

    customer_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    """The ERP's customer card code (LOGO `ARP_CODE`) the partner's sales orders are booked
    to; the card is created from the order's buyer when the ERP has none."""
    customer_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = (
        None
    )
    """The card's name when it has to be created; default: the order's buyer, else the
    partner's display name."""


def _valid_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        msg = f"{value!r} is not an IANA time zone name (e.g. 'UTC', 'America/New_York')"
        raise ValueError(msg) from error
    return value


def _valid_secrets(secrets: dict[str, str]) -> dict[str, str]:
    for name, reference in secrets.items():
        if not _SECRET_NAME.fullmatch(name):
            msg = f"secret name {name!r} must be lower_snake_case"
            raise ValueError(msg)
        try:
            parse_secret_reference(reference)
        except ValueError as error:
            msg = f"secret {name!r}: {error}"
            raise ValueError(msg) from None
    return secrets


def _secret_like_keys(value: object, path: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _SECRET_LIKE_KEY.search(key.lower()):
                found.append(where)
            found.extend(_secret_like_keys(item, where))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found.extend(_secret_like_keys(item, f"{path}[{index}]"))
    return found


def _no_literal_secrets(config: dict[str, Any]) -> dict[str, Any]:
    suspects = _secret_like_keys(config)
    if suspects:
        msg = (
            f"keys that look like secrets ({', '.join(suspects)}) do not belong in "
            "connector_config; reference them under 'secrets:' as env:VARNAME"
        )
        raise ValueError(msg)
    return config


class PartnerProfile(_ProfileModel):
    """A trading partner: identity, connector, secret references and mapping policies.

    Loaded from `partners/<key>/profile.yaml`; the key must equal the folder name.
    """

    key: Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
    """Partner key, a slug equal to the profile's folder name (`coupa-demo`)."""
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    """Human name for logs and the operator surface."""
    connector: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    """Registry key of the connector that speaks this partner's protocol (`coupa`, `ariba`)."""
    enabled: bool = True
    """Disabled partners keep their profile but the core refuses their traffic."""
    demo: bool = False
    """A documented demo partner with public demo secrets; refused in production."""
    timezone: Annotated[str, AfterValidator(_valid_timezone)] = "UTC"
    """IANA zone applied to timestamps the partner sends without an offset (date-only dates)."""
    connector_config: Annotated[dict[str, Any], AfterValidator(_no_literal_secrets)] = Field(
        default_factory=dict
    )
    """Connector settings (identities, endpoints, versions); validated by the connector's own
    config model, opaque to the mapping engine. Never secrets."""
    secrets: Annotated[dict[str, str], AfterValidator(_valid_secrets)] = Field(default_factory=dict)
    """Secret references by name: `env:VARNAME`, or `demo:<value>` in demo profiles only."""
    documents: DocumentKinds = Field(default_factory=DocumentKinds)
    """Protocol document kinds enabled per direction."""
    units: UnitsPolicy = Field(default_factory=UnitsPolicy)
    """Unit-of-measure code lists."""
    parts: PartsPolicy | None = None
    """Part cross-reference and the policy for unknown parts; required for partners that send
    us orders, absent for those that never do (a cargo carrier)."""
    deadlines: Deadlines = Field(default_factory=Deadlines)
    """Service levels reconciliation checks (confirmation, shipping, acknowledgement, outbox)."""
    feeds: Feeds | None = None
    """The stock and price feeds the partner takes; null: none."""
    erp: ErpCustomer | None = None
    """The ERP customer card the partner's orders are booked to; null: a card named after the
    partner key (`B2C-<KEY>`, upper case), created from the order's buyer when missing."""
    catalog_pull: tuple[Literal["products", "prices", "stock"], ...] = ()
    """For an ERP partner that cannot push to the integration API: what the `erp_pull` DAG
    reads from it instead (items and prices from a cursor, the whole stock view), applied
    like a push. Empty: the ERP pushes (or the partner is no ERP)."""

    @model_validator(mode="after")
    def _order_senders_say_how_parts_map(self) -> PartnerProfile:
        if self.documents.inbound and self.parts is None:
            msg = "parts is required for a partner that sends us documents (documents.inbound)"
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _demo_secrets_only_in_demo_profiles(self) -> PartnerProfile:
        demo_refs = sorted(name for name, ref in self.secret_references().items() if ref.is_demo)
        if demo_refs and not self.demo:
            msg = (
                f"secrets {demo_refs} use demo: references, which only demo profiles "
                "(demo: true) may use; reference real secrets as env:VARNAME"
            )
            raise ValueError(msg)
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The partner's time zone as a `ZoneInfo` (cached by `zoneinfo`)."""
        return ZoneInfo(self.timezone)

    def secret_references(self) -> dict[str, SecretReference]:
        """Every secret reference, parsed; the core resolves them (and refuses demo ones in
        production)."""
        return {name: parse_secret_reference(ref) for name, ref in self.secrets.items()}

    @property
    def uses_demo_secrets(self) -> bool:
        """True when any secret is a `demo:` reference."""
        return any(ref.is_demo for ref in self.secret_references().values())
