"""`ArasConfig`: one customer account at Aras Kargo and the two SOAP endpoints it uses."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr

SHIPMENT_URL = "https://customerws.araskargo.com.tr/arascargoservice.asmx"
"""The shipment service (SetOrder, GetOrderWithIntegrationCode, CancelDispatch), live."""
SHIPMENT_TEST_URL = (
    "https://customerservicestest.araskargo.com.tr/arascargoservice/arascargoservice.asmx"
)
QUERY_URL = (
    "https://customerservices.araskargo.com.tr/ArasCargoCustomerIntegrationService/"
    "ArasCargoIntegrationService.svc"
)
"""The query service (GetQueryJSON), live."""
QUERY_TEST_URL = "https://customerservicestest.araskargo.com.tr/ArasCargoIntegrationService.svc"


class ArasConfig(BaseModel):
    """The account Aras gave the customer for integration, and where its services are."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    shipment_url: HttpUrl = HttpUrl(SHIPMENT_URL)
    """The ASMX shipment service (`SHIPMENT_TEST_URL` for Aras' test system)."""
    query_url: HttpUrl = HttpUrl(QUERY_URL)
    """The WCF query service (`QUERY_TEST_URL` for Aras' test system)."""
    username: Annotated[str, Field(min_length=1)]
    password: SecretStr
    """The shipment service's password; never logged."""
    customer_code: Annotated[str, Field(min_length=1)]
    """The customer code the query service's LoginInfo names."""
    query_username: str | None = None
    """The query service's user, when Aras gave a separate one (default: `username`)."""
    query_password: SecretStr | None = None
    """Its password (default: `password`); never logged."""
    payor_type_code: Literal[1, 2] = 1
    """`PayorTypeCode`: 1 the sender pays, 2 the receiver pays."""
    sender_account_address_id: str | None = None
    """`SenderAccountAddressId`: the pickup address registered at Aras, when not the default."""
    attempts: Annotated[int, Field(ge=1, le=10)] = 3
    """Tries per call, the first included (timeouts, 5xx, answers that are not SOAP)."""
    initial_wait_seconds: Annotated[float, Field(gt=0, le=60)] = 1.0
    max_wait_seconds: Annotated[float, Field(gt=0, le=300)] = 30.0
