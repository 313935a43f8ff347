"""The demo's ERP: a fake LOGO on 127.0.0.1 (`connectors/testing/fake_logo.py`, the shapes the
LOGO connector's conformance suite checks), the copied `logo-demo` profile pointed at it, its
item cards made from the demo catalogue.

The fake accepts the demo profile's own credentials (its defaults are the profile's demo
values), so pointing the profile at it is a matter of `base_url` only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from connectors.core import Clock
from connectors.testing.fake_logo import FakeLogo
from gateway_api.demo.carriers import point_carrier_at

ERP_PARTNER = "logo-demo"
CATALOGUE = Path("partners") / "coupa-demo" / "part_xref.csv"
"""The demo catalogue (our SKUs and names): every demo channel orders from it."""


def demo_items(mappings_dir: Path) -> list[tuple[str, str]]:
    """(sku, name) of every item in the demo catalogue."""
    with (mappings_dir / CATALOGUE).open(encoding="utf-8", newline="") as rows:
        return [(row["sku"], row["description"]) for row in csv.DictReader(rows)]


@contextmanager
def live_erp(mappings_dir: Path, *, clock: Clock) -> Iterator[FakeLogo]:
    """A fake LOGO serving on 127.0.0.1 with the demo items, the copied profile pointed at it."""
    fake = FakeLogo(clock=clock)
    for sku, name in demo_items(mappings_dir):
        fake.add_item(sku, name)
    with fake.serve() as base_url:
        point_carrier_at(mappings_dir, ERP_PARTNER, {"base_url": base_url})
        yield fake
