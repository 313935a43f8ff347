"""Reading the hub's cXML answers in tests."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from connectors.core.inbound import InboundRequest
from connectors.cxml_platform import CXML_INGRESS
from gateway_api.runtime import Runtime


@dataclass(frozen=True)
class Answer:
    """The Status of a cXML Response."""

    code: int
    text: str
    message: str


def status_of(body: bytes) -> Answer:
    """The Response/Status of a cXML answer (fails the test if it is not one)."""
    root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == "cXML", body[:200]
    status = root.find("Response/Status")
    assert status is not None, body[:300]
    return Answer(int(status.get("code", "0")), status.get("text", ""), (status.text or "").strip())


def receive_cxml(runtime: Runtime, partner_key: str, body: bytes) -> Answer:
    """POST-equivalent: run `body` through the ingest pipeline's cXML ingress, read the answer."""
    request = InboundRequest(body=body, content_type="text/xml; charset=utf-8")
    result = runtime.ingest.receive(partner_key, request, ingress=CXML_INGRESS)
    return status_of(result.reply.body)
