"""Fixtures for the mapping engine tests: a writable mappings tree and order builders."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from schemas import OrderLine, Party, PurchaseOrder

UOM_CSV = """\
partner_code,canonical_code,description
EA,EA,each
H87,H87,piece
BX,BX,box
KGM,KGM,kilogram
EACH,EA,each (alias)
PCS,H87,piece (alias)
BOX,BX,box (alias)
KG,KGM,kilogram (alias)
"""

XREF_CSV = """\
partner_part_id,sku,description
ACME-1,B2C-1001,Copy paper
ACME-2,B2C-1002,Ballpoint pen
BUY-7,B2C-1007,Cable ties (buyer number)
"""

PROFILE_YAML = """\
key: acme
display_name: ACME Procurement
connector: coupa
timezone: Europe/Istanbul
connector_config:
  buyer: {domain: NetworkID, identity: ACME-BUYER}
  token_url: https://acme.example/oauth/token
secrets:
  shared_secret: env:ACME_SHARED_SECRET
documents:
  inbound: [OrderRequest]
  outbound: [ConfirmationRequest]
units:
  codelist: codelists/uom.csv
parts:
  crossref: partners/acme/part_xref.csv
  unknown: reject
"""


def write(path: Path, text: str) -> Path:
    """Write `text` to `path` (creating folders) and move its mtime forward.

    The explicit mtime bump makes "the file changed" visible even on file systems with coarse
    timestamps, where two writes in one tick would otherwise share an mtime.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists()
    previous = path.stat().st_mtime_ns if existed else 0
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    if existed:
        bumped = max(path.stat().st_mtime_ns, previous + 1_000_000_000)
        os.utime(path, ns=(bumped, bumped))
    return path


@pytest.fixture
def mappings_root(tmp_path: Path) -> Path:
    """A small valid mappings tree with one partner, `acme`."""
    root = tmp_path / "mappings"
    write(root / "codelists" / "uom.csv", UOM_CSV)
    write(root / "partners" / "acme" / "profile.yaml", PROFILE_YAML)
    write(root / "partners" / "acme" / "part_xref.csv", XREF_CSV)
    return root


def make_line(line_number: int, unit: str = "EA", **fields: Any) -> OrderLine:
    """An order line as a decoder would produce it (partner unit, no SKU yet)."""
    return OrderLine(
        line_number=line_number,
        quantity=Decimal("2"),
        unit_of_measure=unit,
        unit_price=Decimal("1.50"),
        **fields,
    )


def make_order(*lines: OrderLine, **fields: Any) -> PurchaseOrder:
    """A minimal purchase order around `lines`."""
    values: dict[str, Any] = {
        "order_id": "PO-1",
        "order_date": datetime(2025, 1, 14, 9, 15, tzinfo=UTC),
        "currency": "USD",
        "buyer": Party(name="ACME"),
        "supplier": Party(name="B2Connect"),
        "lines": lines,
    }
    values.update(fields)
    return PurchaseOrder(**values)


@pytest.fixture
def line() -> Callable[..., OrderLine]:
    """Builder for order lines."""
    return make_line


@pytest.fixture
def order() -> Callable[..., PurchaseOrder]:
    """Builder for purchase orders."""
    return make_order


@pytest.fixture
def write_file() -> Callable[[Path, str], Path]:
    """`write(path, text)`: write a file and make the change visible to stat checks."""
    return write
