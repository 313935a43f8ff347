"""X12 test documents: the format package's envelope builder, and 850s for the demo retailer.

The envelope builders live with the X12 format tests (`tests/unit/x12/x12_support.py`); this
module is the one place other suites import them from.
"""

from __future__ import annotations

from decimal import Decimal

from tests.unit.x12.x12_support import NOW, interchange, isa, order_segments

EDI_DEMO_TOKEN = "edi-demo-token"  # the demo profile's public demo value
EDI_DEMO = {"sender": "ACMERETAIL", "receiver": "B2CONNECT"}
"""ISA06/ISA08 of what the demo retailer sends."""


def order_850(
    order_id: str,
    parts: list[tuple[str, int, str]],
    *,
    purpose: str = "00",
    control: str = "0001",
) -> list[str]:
    """ST..SE of an 850 for `parts` as (our catalogue number (VN), quantity, unit price)."""
    segments = [
        f"ST*850*{control}",
        f"BEG*{purpose}*SA*{order_id}**20261120",
        "CUR*BY*USD",
        "N1*BY*ACME RETAIL*92*0001",
        "N1*ST*ACME DC 7*92*0007",
        "N3*99 WAREHOUSE RD",
        "N4*JOLIET*IL*60431*US",
    ]
    for number, (part, quantity, price) in enumerate(parts, start=1):
        segments += [f"PO1*{number}*{quantity}*EA*{price}**VN*{part}", f"PID*F****ITEM {part}"]
    total = sum(Decimal(q) * Decimal(p) for _, q, p in parts)
    segments += [f"CTT*{len(parts)}", f"AMT*TT*{total}"]
    segments.append(f"SE*{len(segments) + 1}*{control}")
    return segments


def retailer_interchange(*sets: list[str], control: str = "000000101", ack: str = "0") -> bytes:
    """An interchange from the demo retailer to us holding `sets`."""
    return interchange(list(sets), control=control, ack=ack, **EDI_DEMO)


__all__ = [
    "EDI_DEMO",
    "EDI_DEMO_TOKEN",
    "NOW",
    "interchange",
    "isa",
    "order_850",
    "order_segments",
    "retailer_interchange",
]
