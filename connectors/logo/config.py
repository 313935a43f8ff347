"""`LogoConfig`: one LOGO firm (and period) reached through the customer's LOGO REST service."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr, field_validator

DEFAULT_UNIT_CODES: dict[str, str] = {
    "C62": "ADET",
    "EA": "ADET",
    "PCE": "ADET",
    "H87": "ADET",
    "KGM": "KG",
    "GRM": "GR",
    "MTR": "M",
    "LTR": "LT",
    "MTK": "M2",
    "MTQ": "M3",
    "BX": "KOLI",
    "PK": "PAKET",
}
"""UN/ECE Rec 20 -> LOGO unit code of the default unit set (`ADET`, `KG`...). Read backwards
the first UN/ECE code of a LOGO unit wins (`ADET` reads as `C62`)."""

DEFAULT_CURRENCIES: dict[int, str] = {0: "TRY", 160: "TRY", 1: "USD", 17: "GBP", 20: "EUR"}
"""LOGO currency numbers (0 = the firm's local currency) -> ISO 4217 [ASSUME: LOGO's
currency table as commonly installed; set it per site]."""


class LogoConfig(BaseModel):
    """What the hub needs to reach one LOGO firm: the REST service, its client pair, a LOGO user,
    the firm and period, and how LOGO's codes (units, warehouses, currencies) read as ours."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    base_url: HttpUrl
    """The LOGO REST service's root (`http://logo.example.local:32001`); calls go to
    `{base_url}/api/v1/...`."""
    client_id: Annotated[str, Field(min_length=1)]
    """The REST client id configured on the service (HTTP Basic user of `/token`)."""
    client_secret: SecretStr
    """The REST client's secret (HTTP Basic password of `/token`); never logged."""
    username: Annotated[str, Field(min_length=1)]
    """The LOGO user the token is issued for."""
    password: SecretStr
    """That user's LOGO password; never logged."""
    firm_number: Annotated[int, Field(ge=1, le=999)]
    """LOGO firm number (`firmno` of the token; `LG_001_...` tables for firm 1)."""
    period_number: Annotated[int, Field(ge=1, le=99)] = 1
    """LOGO period (dönem) of the stock and order tables (`LG_001_01_...`)."""
    renew_before_seconds: Annotated[int, Field(ge=0)] = 60
    """Renew the token this long before its `.expires` (LOGO issues about 20 minutes)."""
    attempts: Annotated[int, Field(ge=1, le=10)] = 3
    """Tries per call, the first included (timeouts, connection errors, 5xx)."""
    initial_wait_seconds: Annotated[float, Field(gt=0, le=60)] = 1.0
    max_wait_seconds: Annotated[float, Field(gt=0, le=300)] = 30.0
    order_status: Annotated[int, Field(ge=1, le=4)] = 4
    """Sales order `ORDER_STATUS`: 4 approved/shippable, 1 proposal [ASSUME, partners.md §4.1]."""
    source_warehouse: Annotated[int, Field(ge=0)] = 0
    """`SOURCE_WH` of the sales order and its lines."""
    unit_codes: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_UNIT_CODES))
    """UN/ECE unit -> LOGO unit code; an order line in another unit is refused before any call."""
    warehouses: dict[int, str] = Field(default_factory=dict)
    """LOGO warehouse number (`INVENNO`) -> our location code. Empty: every warehouse, named by
    its number; otherwise only the listed ones are reported."""
    currencies: dict[int, str] = Field(default_factory=lambda: dict(DEFAULT_CURRENCIES))
    """LOGO currency number -> ISO 4217."""
    timezone: str = "Europe/Istanbul"
    """Zone of LOGO's zone-less dates and times (dispatch dates)."""
    page_size: Annotated[int, Field(ge=1, le=500)] = 100
    """Rows per page of items, prices and dispatches."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"unknown time zone {value!r}"
            raise ValueError(msg) from None
        return value

    @field_validator("unit_codes")
    @classmethod
    def _units_are_codes(cls, value: dict[str, str]) -> dict[str, str]:
        empty = sorted(k for k, v in value.items() if not k.strip() or not v.strip())
        if empty:
            msg = f"unit codes may not be empty: {empty}"
            raise ValueError(msg)
        return value

    @property
    def zone(self) -> ZoneInfo:
        """`timezone` as a zone."""
        return ZoneInfo(self.timezone)

    @property
    def api_root(self) -> str:
        """`{base_url}/api/v1` without a trailing slash."""
        return str(self.base_url).rstrip("/") + "/api/v1"
