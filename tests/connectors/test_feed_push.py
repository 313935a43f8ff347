"""The stock and price feeds through the X12 and EDIFACT push connectors: the kind each takes,
the rendered interchange read back by our own readers, and its destination.

(The cXML platforms' feeds are tested with their format in `tests/connectors/test_cxml_feeds.py`.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.core import ConnectorContext, UnsupportedDocumentError
from connectors.core.transport import FileDropDestination, HttpDestination
from connectors.edifact_partner import EdifactPartnerConfig, EdifactPartnerConnector
from connectors.formats.edifact import Message, read_edifact, read_invrpt, read_pricat
from connectors.formats.x12 import TransactionSet, read_832, read_846, read_x12
from connectors.x12_partner import X12PartnerConfig, X12PartnerConnector
from tests.unit.x12.test_x12_feeds import catalog, snapshot

QUEUED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
TOKEN = "Feed-Push-Token-5e1c"
X12_CONFIG: dict[str, Any] = {
    "our_qualifier": "ZZ",
    "our_id": "SELLER",
    "partner_qualifier": "ZZ",
    "partner_id": "BUYER",
    "api_token": TOKEN,
}
EDIFACT_CONFIG: dict[str, Any] = {
    "our_id": "8711576000012",
    "our_qualifier": "14",
    "partner_id": "5412345000013",
    "partner_qualifier": "14",
    "api_token": TOKEN,
}


def _x12(**changes: Any) -> X12PartnerConnector:
    config = X12PartnerConfig.model_validate({**X12_CONFIG, **changes})
    return X12PartnerConnector(config, ConnectorContext())


def _edifact(**changes: Any) -> EdifactPartnerConnector:
    config = EdifactPartnerConfig.model_validate({**EDIFACT_CONFIG, **changes})
    return EdifactPartnerConnector(config, ConnectorContext())


def test_x12_partners_take_846_and_832() -> None:
    connector = _x12(endpoints={"846": "https://retailer.test/846", "832": "file_drop"})
    assert connector.outbound_kind("inventory_snapshot") == "846"
    assert connector.outbound_kind("price_catalog") == "832"
    assert {"846", "832"} <= connector.spec.outbound_documents
    with pytest.raises(UnsupportedDocumentError):
        connector.outbound_kind("purchase_order")


def test_x12_renders_the_feeds_with_the_queued_numbers(tmp_path: Path) -> None:
    connector = _x12(
        endpoints={"846": "https://retailer.test/846", "832": "file_drop"},
        file_drop=str(tmp_path),
        outbound={"units": {"KGM": "KG"}, "gtin_qualifier": "EN"},
    )
    stock = connector.render(snapshot(), payload_id="11/12/13", timestamp=QUEUED)
    prices = connector.render(catalog(), payload_id="14/15/16", timestamp=QUEUED)
    assert stock.kind == "846"
    assert isinstance(stock.destination, HttpDestination)
    assert isinstance(prices.destination, FileDropDestination)
    assert prices.destination.name == "832_14-15-16.edi"
    assert prices.body == connector.render(catalog(), payload_id="14/15/16", timestamp=QUEUED).body
    rules = connector.config.outbound
    (stock_set,) = [e for e in read_x12(stock.body) if isinstance(e, TransactionSet)]
    (price_set,) = [e for e in read_x12(prices.body) if isinstance(e, TransactionSet)]
    assert (stock_set.interchange.control_number, stock_set.control_number) == ("000000011", "0013")
    assert read_846(stock_set, rules) == snapshot()
    assert read_832(price_set, rules) == catalog()
    assert b"EN*012345678905" in prices.body


def test_edifact_partners_take_invrpt_and_pricat() -> None:
    connector = _edifact(
        endpoints={"INVRPT": "https://retailer.test/invrpt", "PRICAT": "https://retailer.test/p"}
    )
    assert connector.outbound_kind("inventory_snapshot") == "INVRPT"
    assert connector.outbound_kind("price_catalog") == "PRICAT"
    stock = connector.render(snapshot(), payload_id="77", timestamp=QUEUED)
    prices = connector.render(catalog(), payload_id="78", timestamp=QUEUED)
    (stock_message,) = [e for e in read_edifact(stock.body) if isinstance(e, Message)]
    (price_message,) = [e for e in read_edifact(prices.body) if isinstance(e, Message)]
    assert (stock_message.interchange.control_reference, stock_message.reference) == ("77", "77")
    assert read_invrpt(stock_message, connector.config.outbound) == snapshot()
    assert read_pricat(price_message, connector.config.outbound) == catalog()
    assert prices.kind == "PRICAT"
    assert prices.url == "https://retailer.test/p"
