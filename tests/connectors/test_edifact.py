"""The EDIFACT trading-partner connector passes the shared suite and keeps its own promises."""

from __future__ import annotations

from datetime import UTC
from typing import Any, ClassVar

from connectors.core import ConnectorContext
from connectors.core.inbound import InboundBatch, InboundRefusal, InboundRequest
from connectors.edifact_partner import EdifactPartnerConfig, EdifactPartnerConnector
from connectors.edifact_partner.ingress import EDIFACT_INGRESS, mask_recipient_password
from connectors.testing.conformance import ConnectorConformance
from tests.support.edifact_documents import OUR_GLN, RETAILER_GLN, orders_message

TOKEN = "EDIFACT-Conformance-Token-81b0"


class TestEdifactConformance(ConnectorConformance):
    connector_class = EdifactPartnerConnector
    config: ClassVar[dict[str, Any]] = {
        "our_id": OUR_GLN,
        "our_qualifier": "14",
        "partner_id": RETAILER_GLN,
        "partner_qualifier": "14",
        "api_token": TOKEN,
    }
    secret_fields = ("api_token",)


def _connector() -> EdifactPartnerConnector:
    config = EdifactPartnerConfig.model_validate(TestEdifactConformance.config)
    return EdifactPartnerConnector(config, ConnectorContext())


def _body(password: str = "") -> bytes:
    message = "'".join(orders_message("PO-1", [("ED-1001", "2", "1.00")]))
    return (
        f"UNA:+.? 'UNB+UNOC:3+{RETAILER_GLN}:14+{OUR_GLN}:14+261120:0930+7+{password}'"
        f"{message}'UNZ+1+7'"
    ).encode()


def test_the_bearer_token_is_checked_and_never_echoed() -> None:
    connector = _connector()
    for wrong in ({}, {"authorization": "Bearer nope"}, {"authorization": f"Basic {TOKEN}"}):
        refused = connector.open(InboundRequest(body=_body(), headers=wrong), tz=UTC)
        assert isinstance(refused, InboundRefusal)
        assert TOKEN not in str(refused.error)
    opened = connector.open(
        InboundRequest(body=_body(), headers={"authorization": f"Bearer {TOKEN}"}), tz=UTC
    )
    assert isinstance(opened, InboundBatch)
    [unit] = opened.units
    [document] = unit.documents
    assert (document.kind, document.reference) == ("ORDERS", "7/1")
    assert document.position == {"interchange": "7", "message": "1"}


def test_the_unb_password_is_masked_for_the_log() -> None:
    body = _body(password="s3cret-pw")
    masked = EDIFACT_INGRESS.redact(body)
    assert b"s3cret-pw" not in masked
    assert b"+7+***'" in masked
    assert mask_recipient_password(_body()) == _body()  # nothing to mask, nothing changed


def test_sniff_tells_edifact_from_x12_and_cxml() -> None:
    assert EDIFACT_INGRESS.sniff(b"UNA:+.? 'UNB+UNOC:3")
    assert EDIFACT_INGRESS.sniff(b"\xef\xbb\xbf\nUNB+UNOA:1")
    assert not EDIFACT_INGRESS.sniff(b"ISA*00*")
    assert not EDIFACT_INGRESS.sniff(b"<?xml version='1.0'?>")
