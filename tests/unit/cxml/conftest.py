"""Fixtures for the cXML format tests: where the shared samples and DTDs are, and an order builder.

Third-party samples and DTDs are read from the shared directory (`B2CONNECT_SHARED_DIR`, default
`<repo>/../shared`), never copied into the repository.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.formats.cxml import DtdValidator, OutboundCredential, OutboundEnvelope
from tests.support.paths import CXML_DTD_DIR

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_DIR = Path(os.environ.get("B2CONNECT_SHARED_DIR", REPO_ROOT.parent / "shared"))

OrderBuilder = Callable[..., bytes]

_ITEM = """
      <ItemOut quantity="{quantity}" lineNumber="{line}">
        <ItemID><SupplierPartID>SKU-{line}</SupplierPartID></ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="{currency}">{price}</Money></UnitPrice>
          <Description xml:lang="en">Item {line}</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
          <Classification domain="UNSPSC">44000000</Classification>
        </ItemDetail>
      </ItemOut>"""

_ORDER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="{payload_id}" timestamp="{timestamp}" xml:lang="en-US">
  <Header>
    <From><Credential domain="NetworkID"><Identity>AN01000000001</Identity></Credential></From>
    <To><Credential domain="DUNS"><Identity>123456789</Identity></Credential></To>
    <Sender>
      <Credential domain="NetworkID">
        <Identity>AN01000000001</Identity>
        <SharedSecret>{secret}</SharedSecret>
      </Credential>
      <UserAgent>Test Buyer 1.0</UserAgent>
    </Sender>
  </Header>
  <Request deploymentMode="{mode}">
    <OrderRequest>
      <OrderRequestHeader {header_attributes}>
        <Total><Money currency="{currency}">100.00</Money></Total>
        {header_children}
      </OrderRequestHeader>{items}
    </OrderRequest>
  </Request>
</cXML>
"""

TEST_SECRET = "s3cr3t-must-not-leak"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared material directory; a clear failure when it is missing."""
    if not SHARED_DIR.is_dir():
        pytest.fail(f"shared material not found at {SHARED_DIR}; set B2CONNECT_SHARED_DIR")
    return SHARED_DIR


@pytest.fixture(scope="session")
def samples_dir(shared_dir: Path) -> Path:
    """Real third-party cXML documents (see its SOURCES.tsv)."""
    return shared_dir / "samples" / "cxml"


@pytest.fixture(scope="session")
def dtd_dir(shared_dir: Path) -> Path:
    """Official cXML DTDs as `<version>/<Family>.dtd`."""
    return shared_dir / "cxml" / "dtd"


def build_order(
    *,
    header_attributes: str = 'orderID="PO-1" orderDate="2026-11-22T10:30:00-08:00" type="new"',
    header_children: str = "",
    items: str | None = None,
    lines: int = 2,
    currency: str = "USD",
    mode: str = "production",
    timestamp: str = "2026-11-22T10:30:00-08:00",
    payload_id: str = "1763835000000.42.abc@buyer.example",
) -> bytes:
    """An OrderRequest with sensible defaults; pass raw XML snippets to vary one part."""
    if items is None:
        items = "".join(
            _ITEM.format(line=n, quantity=n, price=f"{n}.50", currency=currency)
            for n in range(1, lines + 1)
        )
    return _ORDER.format(
        header_attributes=header_attributes,
        header_children=header_children,
        items=items,
        currency=currency,
        mode=mode,
        timestamp=timestamp,
        payload_id=payload_id,
        secret=TEST_SECRET,
    ).encode("utf-8")


@pytest.fixture
def make_order() -> OrderBuilder:
    """`build_order` as a fixture, for tests that vary one part of an OrderRequest."""
    return build_order


@pytest.fixture
def order_secret() -> str:
    """The Sender SharedSecret every `make_order` document carries."""
    return TEST_SECRET


@pytest.fixture(scope="session")
def dtd_validator() -> DtdValidator:
    """Validates against the official DTD of each document's family and version."""
    return DtdValidator(CXML_DTD_DIR)


@pytest.fixture(scope="session")
def envelope() -> OutboundEnvelope:
    """The envelope of the documents the tests build (vary it with `dataclasses.replace`).

    Stamped in 2100, after every generated invoice date (invoiceDate precedes the timestamp).
    """
    return OutboundEnvelope(
        payload_id="1767225600000.42.0123456789abcdef@hub.example",
        timestamp=datetime(2100, 6, 1, 12, 0, 0, tzinfo=UTC),
        from_=(OutboundCredential("DUNS", "123456789"),),
        to=(OutboundCredential("NetworkID", "AN01000000001"),),
        sender=OutboundCredential("DUNS", "123456789"),
        shared_secret=TEST_SECRET,
        user_agent="B2Connect test",
    )
