"""EDIFACT test documents for the demo retailer (`edifact-demo`): ORDERS messages and the
interchanges that carry them, as that retailer would send them."""

from __future__ import annotations

from decimal import Decimal

EDIFACT_DEMO_TOKEN = "edifact-demo-token"  # the demo profile's public demo value
RETAILER_GLN = "5412345000013"
OUR_GLN = "5400110000009"


def orders_message(
    order_id: str,
    parts: list[tuple[str, str, str]],
    *,
    reference: str = "1",
    function: str = "9",
) -> list[str]:
    """UNH..UNT of an ORDERS for `parts` as (our article number (PIA SA), quantity, price)."""
    segments = [
        f"UNH+{reference}+ORDERS:D:96A:UN:EAN008",
        f"BGM+220+{order_id}+{function}",
        "DTM+137:20261120:102",
        f"NAD+BY+{RETAILER_GLN}::9",
        f"NAD+SU+{OUR_GLN}::9",
        "CUX+2:EUR:9",
    ]
    for number, (part, quantity, price) in enumerate(parts, start=1):
        segments += [
            f"LIN+{number}",
            f"PIA+1+{part}:SA",
            f"QTY+21:{quantity}",
            f"PRI+AAA:{price}",
        ]
    segments.append("UNS+S")
    if all(_number(q) and _number(p) for _, q, p in parts):
        total = sum((Decimal(p) * Decimal(q) for _, q, p in parts), Decimal(0))
        segments.append(f"MOA+79:{total}")
    segments.append(f"UNT+{len(segments) + 1}+{reference}")
    return segments


def retailer_interchange(
    *messages: list[str], control: str = "4711", ack: bool = True, count: int | None = None
) -> bytes:
    """An interchange from the demo retailer to us holding `messages` (UNZ counts them, or
    says `count`)."""
    unb = f"UNB+UNOC:3+{RETAILER_GLN}:14+{OUR_GLN}:14+261120:0930+{control}"
    if ack:
        unb += "++++1"
    segments = ["UNA:+.? '", unb + "'"]
    segments += [segment + "'" for message in messages for segment in message]
    segments.append(f"UNZ+{len(messages) if count is None else count}+{control}'")
    return "\n".join(segments).encode("latin-1")


def _number(text: str) -> bool:
    return text.replace(".", "", 1).isdigit()
