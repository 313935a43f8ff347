"""`MngConfig`: one customer account at MNG Kargo and the apizone application we call it with."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr

PRODUCTION_BASE_URL = "https://api.mngkargo.com.tr/mngapi/api"
SANDBOX_BASE_URL = "https://testapi.mngkargo.com.tr/mngapi/api"


class MngConfig(BaseModel):
    """Two credential pairs, both required by MNG: the API gateway's application (client id
    and secret, sent on every call) and the cargo account (customer number and password,
    exchanged for a JWT)."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    base_url: HttpUrl = HttpUrl(PRODUCTION_BASE_URL)
    """`.../mngapi/api`; the sandbox is `SANDBOX_BASE_URL` (a fake's URL in tests)."""
    client_id: Annotated[str, Field(min_length=1)]
    """The apizone application's client id (`X-IBM-Client-Id`)."""
    client_secret: SecretStr
    """Its secret (`X-IBM-Client-Secret`); never logged."""
    customer_number: Annotated[str, Field(min_length=1)]
    """The MNG customer (cari) number the token is issued for."""
    password: SecretStr
    """The customer's API password; never logged."""
    api_version: Annotated[str, Field(min_length=1)] = "1.0"
    """Sent as `x-api-version` on every call."""
    renew_before_seconds: Annotated[int, Field(ge=0)] = 600
    """Renew the JWT this long before its `jwtExpireDate` (clocks drift; MNG's zone is not
    stated)."""
    attempts: Annotated[int, Field(ge=1, le=10)] = 3
    """Tries per call, the first included (timeouts, 5xx)."""
    initial_wait_seconds: Annotated[float, Field(gt=0, le=60)] = 1.0
    max_wait_seconds: Annotated[float, Field(gt=0, le=300)] = 30.0
    shipment_service_type: int = 1
    """MNG `shipmentServiceType` (1: standard delivery)."""
    packaging_type: int = 3
    """MNG `packagingType` (1 file, 2 parcel-bag, 3 box) [ASSUME codes]."""
    payment_type: Literal[1, 2] = 1
    """MNG `paymentType`: 1 the sender pays, 2 the receiver pays."""
    delivery_type: int = 1
    """MNG `deliveryType` (1: to the address)."""
