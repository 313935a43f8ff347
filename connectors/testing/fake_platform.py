"""`FakeProcurementPlatform`: plays Coupa, SAP Ariba or JAGGAER against a running gateway.

It builds OrderRequests for the identities and shared secret it is given, POSTs them to
`<base_url>/cxml/<partner_key>` as a platform does (`Content-Type: text/xml; charset=UTF-8`),
and reads the cXML answer into a `PlatformAnswer(code, text, message)`. It keeps every exchange,
so a test can retransmit a document the way Coupa does after a 5xx.

The answer is read with its own plain, safe lxml parse, not with the hub's `parse_cxml`: a fake
partner that shares the hub's reader would hide the reader's bugs. No pytest, no gateway imports;
pass an `httpx.Client` (e.g. with a `MockTransport`) to run without a socket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx
from lxml import etree

from connectors.testing.cxml_documents import TradingPartners, new_test_payload_id, order_request

CONTENT_TYPE = "text/xml; charset=UTF-8"
_SHOWN_BYTES = 300


class NotACxmlAnswerError(ValueError):
    """The gateway answered with something that is not a cXML Response/Status."""

    def __init__(self, message: str, *, http_status: int, body: bytes) -> None:
        super().__init__(f"{message} (HTTP {http_status}): {body[:_SHOWN_BYTES]!r}")
        self.http_status = http_status
        self.body = body


@dataclass(frozen=True)
class PlatformAnswer:
    """What the gateway said: the cXML Status, the HTTP status that carried it, the raw bytes."""

    code: int
    text: str
    message: str
    http_status: int
    payload_id: str
    """The answer's own payloadID."""
    body: bytes = field(repr=False)

    @property
    def is_success(self) -> bool:
        """2xx: a platform would not send this document again."""
        return 200 <= self.code < 300

    @property
    def would_retry(self) -> bool:
        """5xx: Coupa resends (5 times, an hour apart); 4xx it never resends."""
        return 500 <= self.code < 600


@dataclass(frozen=True)
class Exchange:
    """One POST: the document sent (its payloadID and bytes) and the answer."""

    partner_key: str
    payload_id: str
    body: bytes = field(repr=False)
    answer: PlatformAnswer


def read_answer(body: bytes, *, http_status: int = 200) -> PlatformAnswer:
    """The `Response/Status` of a cXML answer; `NotACxmlAnswerError` if there is none."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        msg = f"the answer is not XML ({error})"
        raise NotACxmlAnswerError(msg, http_status=http_status, body=body) from None
    status = root.find("Response/Status") if root is not None and root.tag == "cXML" else None
    code = status.get("code", "") if status is not None else ""
    if status is None or root is None or not code.isdigit():
        msg = "the answer is not a cXML Response with a Status code"
        raise NotACxmlAnswerError(msg, http_status=http_status, body=body)
    return PlatformAnswer(
        code=int(code),
        text=status.get("text", ""),
        message="".join(t for t in status.itertext() if isinstance(t, str)).strip(),
        http_status=http_status,
        payload_id=root.get("payloadID", ""),
        body=body,
    )


class FakeProcurementPlatform:
    """A procurement platform that sends purchase orders to one gateway as one buyer."""

    def __init__(
        self,
        partners: TradingPartners,
        base_url: str,
        *,
        client: httpx.Client | None = None,
        timeout: float = 60.0,
    ) -> None:
        """`timeout` defaults to Coupa's: it expects an answer within 60 seconds."""
        self.partners = partners
        self.base_url = base_url.rstrip("/")
        self._client = client or httpx.Client(timeout=timeout)
        self._owns_client = client is None
        self.exchanges: list[Exchange] = []

    def __repr__(self) -> str:
        return f"FakeProcurementPlatform({self.partners!r}, {self.base_url!r})"

    def order_request(self, **document: Any) -> bytes:
        """An OrderRequest from this platform's partners; see `cxml_documents.order_request`."""
        document.setdefault("payload_id", new_test_payload_id("fake-platform.example"))
        return order_request(self.partners, **document)

    def send_order(self, partner_key: str, **document: Any) -> PlatformAnswer:
        """Build an OrderRequest (keywords as for `order_request`) and POST it."""
        return self.post(partner_key, self.order_request(**document))

    def post(self, partner_key: str, body: bytes) -> PlatformAnswer:
        """POST any bytes to `/cxml/<partner_key>` and read the cXML answer."""
        url = f"{self.base_url}/cxml/{quote(partner_key, safe='')}"
        response = self._client.post(url, content=body, headers={"Content-Type": CONTENT_TYPE})
        answer = read_answer(response.content, http_status=response.status_code)
        self.exchanges.append(Exchange(partner_key, _payload_id(body), body, answer))
        return answer

    def retransmit(self, exchange: Exchange | None = None) -> PlatformAnswer:
        """Send a document again, byte for byte (the last one unless told)."""
        sent = exchange or self.exchanges[-1]
        return self.post(sent.partner_key, sent.body)

    def close(self) -> None:
        """Close the HTTP client if this platform created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> FakeProcurementPlatform:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _payload_id(body: bytes) -> str:
    """The payloadID of a document we sent, or "" for bytes that are not cXML."""
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        return ""
    return root.get("payloadID", "") if root is not None else ""
