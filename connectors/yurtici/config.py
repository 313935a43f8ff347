"""What one Yurtici Kargo account needs: the endpoint, the web-service user, retry bounds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr

from connectors.core.retrying import RetryBounds

LIVE_URL = "https://ws.yurticikargo.com/KOPSWebServices/ShippingOrderDispatcherServices"
"""The live ShippingOrderDispatcherServices endpoint (researched: public clients)."""
TEST_URL = "https://testws.yurticikargo.com/KOPSWebServices/ShippingOrderDispatcherServices"
"""Yurtici's test endpoint (public test user `YKTEST`)."""


class YurticiConfig(BaseModel):
    """One Yurtici Kargo customer account (the sender) and how hard to try each call."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    base_url: HttpUrl = HttpUrl(LIVE_URL)
    """The ShippingOrderDispatcherServices endpoint we POST to (the WSDL's address is ignored)."""
    username: Annotated[str, Field(min_length=1, max_length=100)]
    """The web-service user (`wsUserName`) Yurtici issued for the account."""
    password: SecretStr
    """Its password (`wsPassword`); sent in every SOAP body, never logged or shown."""
    language: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "TR"
    """`userLanguage` / `wsLanguage`: the language of Yurtici's messages."""
    wsdl_path: Path | None = None
    """A WSDL describing the service; None: the minimal one the connector ships. Read from
    disk once per path, never fetched."""
    attempts: Annotated[int, Field(ge=1, le=10)] = 3
    """Tries per call, the first included (timeouts and 5xx are retried)."""
    initial_wait_seconds: Annotated[float, Field(ge=0, le=60)] = 1.0
    """Wait before the second try; doubles after that, plus jitter."""
    max_wait_seconds: Annotated[float, Field(gt=0, le=300)] = 30.0
    """Longest single wait between tries."""
    history: bool = True
    """Ask queryShipment for the movement history (`addHistoricalData`), so events carry the
    time of pickup; False makes answers smaller and reports only the current status."""
    tax_office_id: Annotated[int, Field(ge=0)] = 0
    """`taxOfficeId` sent with every shipment (a required number; 0 when unused)."""

    def retry_bounds(self) -> RetryBounds:
        """The bounds `call_with_retries` applies to every call."""
        return RetryBounds(
            attempts=self.attempts,
            initial_wait=self.initial_wait_seconds,
            max_wait=self.max_wait_seconds,
        )
