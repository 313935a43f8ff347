"""One SOAP call to Yurtici over the hub's HTTP client, classified and retried within bounds.

The envelope comes from the contract (zeep), the bytes go out with the hub's `httpx.Client`
(its timeouts, TLS and connection limits), and what comes back is classified once:

    timeout, connection failure, 5xx without a Fault   TransientError (http.py)
    401/403, other 4xx                                 AuthError, RejectedByPartnerError
    a SOAP Fault (Yurtici sends them with HTTP 500)    outcomes.fault_error
    200 with something that is not the answer          TransientError (a proxy's page, ...)

Every body carries the web-service password: bodies are never logged, and messages name the
operation and the URL only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx

from connectors.core.contract import ConnectorContext
from connectors.core.errors import TransientError
from connectors.core.http import classify_status, describe, send_unchecked
from connectors.core.retrying import call_with_retries
from connectors.yurtici.config import YurticiConfig
from connectors.yurtici.contract import NotSoapError, ServiceContract, SoapFault, load_contract
from connectors.yurtici.outcomes import fault_error

logger = logging.getLogger(__name__)

HEADERS = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
"""SOAP 1.1: the service's soapAction is empty (sent quoted, as the SOAP 1.1 spec writes it)."""


class YurticiSoapClient:
    """Calls ShippingOrderDispatcherServices operations for one account."""

    def __init__(self, config: YurticiConfig, context: ConnectorContext) -> None:
        self._config = config
        self._context = context
        self._url = str(config.base_url)

    def __repr__(self) -> str:
        return f"YurticiSoapClient(url={self._url!r}, username={self._config.username!r})"

    @property
    def contract(self) -> ServiceContract:
        """The WSDL-driven contract (loaded once per path, process-wide)."""
        return load_contract(self._config.wsdl_path)

    def call(self, operation: str, what: str, **arguments: Any) -> Any:
        """`operation` with the account's credentials and `arguments`, retried on transient
        failures; returns the zeep answer object, or raises the classified error."""
        language_field = "wsLanguage" if operation == "queryShipment" else "userLanguage"
        credentials = {
            "wsUserName": self._config.username,
            "wsPassword": self._config.password.get_secret_value(),
            language_field: self._config.language,
        }
        body = self.contract.envelope(operation, **credentials, **arguments)
        attempt: Callable[[], Any] = lambda: self._send(operation, body, what)  # noqa: E731
        return call_with_retries(
            attempt, bounds=self._config.retry_bounds(), sleep=self._context.sleep, what=what
        )

    def _send(self, operation: str, body: bytes, what: str) -> Any:
        request = httpx.Request("POST", self._url, content=body, headers=HEADERS)
        response = send_unchecked(self._context.require_http(), request)
        status = response.status_code
        logger.debug("yurtici %s: HTTP %s from %s", operation, status, describe(request))
        if status == 200 or status >= 500:
            try:
                answer = self.contract.read(operation, response.content)
            except NotSoapError as error:
                if status == 200:
                    msg = f"{what}: the answer is not Yurtici's SOAP ({error})"
                    raise TransientError(msg) from None
                answer = None
            if isinstance(answer, SoapFault):
                raise fault_error(answer, what)
            if status == 200:
                return answer
        # The body is not quoted in the message: an error page may echo the request.
        classify_status(status, b"", response.headers, now=self._context.clock(), what=what)
        msg = f"{what}: unexpected HTTP {status} from Yurtici"
        raise TransientError(msg)
