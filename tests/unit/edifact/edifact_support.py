"""Builders and checks shared by the EDIFACT tests: interchange text, reading, canonical
documents to write, and pydifact as an independent parser."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from pydifact.segmentcollection import Interchange

from connectors.formats.edifact import (
    EdifactEvent,
    InterchangeEnd,
    InterchangeFailure,
    InterchangeHeader,
    Message,
    read_edifact,
)
from schemas.confirmation import (
    ConfirmationLine,
    ConfirmationType,
    ConfirmedQuantity,
    LineStatus,
    OrderConfirmation,
)
from schemas.invoice import Invoice, InvoiceLine, InvoiceOrder, TaxDetail
from schemas.party import Party, PostalAddress
from schemas.references import OrderReference
from schemas.shipment import (
    Package,
    ShipControl,
    ShipNotice,
    ShipNoticeLine,
    ShipNoticeOrder,
)
from schemas.types import Identifier

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_DIR = Path(os.environ.get("B2CONNECT_SHARED_DIR", REPO_ROOT.parent / "shared"))
"""Third-party material, read in place and never copied into the repository."""

SAMPLES_DIR = SHARED_DIR / "samples" / "edifact"
"""Real EDIFACT files with their provenance in SOURCES.tsv."""

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
"""The clock of every outbound test document."""


def events(data: bytes | Iterable[bytes], **options: bool) -> list[EdifactEvent]:
    """Every event of `data`, as a list."""
    return list(read_edifact(data, **options))


def messages(data: bytes | Iterable[bytes]) -> list[Message]:
    """The messages of `data`."""
    return [event for event in events(data) if isinstance(event, Message)]


def ends(data: bytes) -> list[InterchangeEnd]:
    """The interchange ends of `data`."""
    return [event for event in events(data) if isinstance(event, InterchangeEnd)]


def headers(data: bytes) -> list[InterchangeHeader]:
    """The interchange headers of `data`."""
    return [event for event in events(data) if isinstance(event, InterchangeHeader)]


def failures(data: bytes) -> list[InterchangeFailure]:
    """The interchange failures of `data`."""
    return [event for event in events(data) if isinstance(event, InterchangeFailure)]


def orders_body(number: str = "PO-1", *, lines: int = 2, extra: Sequence[str] = ()) -> list[str]:
    """Body segments (BGM..CNT) of a small EANCOM D96A ORDERS, elements joined with `+`."""
    body = [
        f"BGM+220+{number}+9",
        "DTM+137:20260301:102",
        "DTM+2:202603101200:203",
        "CUX+2:EUR:9",
        "NAD+BY+5412345000013::9++BUYER NV+MAIN STREET 1+BRUSSELS++1000+BE",
        "CTA+PD+:PURCHASING",
        "COM+buyer@example.com:EM",
        "NAD+SU+8711576000012::9",
        "NAD+DP+5412345000020::9",
        "FTX+PUR+++PLEASE DELIVER IN THE MORNING",
        *extra,
    ]
    for line in range(1, lines + 1):
        body += [
            f"LIN+{line}++540000000000{line}:EN",
            f"PIA+1+BUY-{line}:IN+SUP-{line}:SA",
            f"IMD+F++:::ITEM {line}",
            f"QTY+21:{line * 5}:PCE",
            f"PRI+AAA:{line}.50",
        ]
    body += ["UNS+S", f"CNT+2:{lines}"]
    return body


def interchange(
    *bodies: Sequence[str],
    una: str | None = "UNA:+.? '",
    syntax: str = "UNOC:3",
    reference: str = "1001",
    message_type: str = "ORDERS:D:96A:UN:EAN008",
    end: str = "\n",
    unz: bool = True,
) -> bytes:
    """An interchange with one message per body (segments joined by `'` + `end`)."""
    segments: list[str] = [
        f"UNB+{syntax}+5412345000013:14+8711576000012:14+260301:0930+{reference}"
    ]
    for number, body in enumerate(bodies, start=1):
        segments.append(f"UNH+{number}+{message_type}")
        segments.extend(body)
        segments.append(f"UNT+{len(body) + 2}+{number}")
    if unz:
        segments.append(f"UNZ+{len(bodies)}+{reference}")
    text = (una or "") + ("\n" if una and end else "") + "".join(s + "'" + end for s in segments)
    return text.encode("latin-1")


def pydifact_segments(data: bytes, encoding: str = "latin-1") -> list[tuple[str, list[object]]]:
    """The segments pydifact 0.2.3 reads from `data` (tag, elements), UNB and UNZ excluded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = Interchange.from_str(data.decode(encoding))
        return [(segment.tag, list(segment.elements)) for segment in parsed.segments]


def party(name: str, gln: str) -> Party:
    """A party with a GLN and an address."""
    return Party(
        name=name,
        identifiers=(Identifier(scheme="GLN", value=gln),),
        address=PostalAddress(
            street=("Main Street 1",), city="Brussels", postal_code="1000", country="BE"
        ),
        email="orders@example.com",
        phone="+32 2 123 45 67",
    )


def confirmation(kind: ConfirmationType = ConfirmationType.DETAIL) -> OrderConfirmation:
    """A confirmation with an accepted line and a partly backordered one."""
    lines: tuple[ConfirmationLine, ...] = ()
    if kind is not ConfirmationType.REJECT:
        backordered = ConfirmedQuantity(status=LineStatus.BACKORDERED, quantity=Decimal(4))
        second = (
            (ConfirmedQuantity(status=LineStatus.ACCEPT, quantity=Decimal(6)), backordered)
            if kind is not ConfirmationType.ACCEPT
            else (ConfirmedQuantity(status=LineStatus.ACCEPT, quantity=Decimal(10)),)
        )
        lines = (
            ConfirmationLine(
                line_number=1,
                quantity=Decimal(8),
                unit_of_measure="EA",
                supplier_part_id="SUP-1",
                statuses=(
                    ConfirmedQuantity(
                        status=LineStatus.ACCEPT,
                        quantity=Decimal(8),
                        unit_price=Decimal("12.50"),
                        delivery_date=datetime(2026, 3, 5, tzinfo=UTC),
                    ),
                ),
            ),
            ConfirmationLine(
                line_number=2, quantity=Decimal(10), unit_of_measure="EA", statuses=second
            ),
        )
    return OrderConfirmation(
        confirmation_id="CONF-1",
        type=kind,
        notice_date=NOW,
        order=OrderReference(order_id="PO-1", order_date=datetime(2026, 2, 27, tzinfo=UTC)),
        currency="EUR",
        comments="Line 2: 4 pieces follow next week",
        lines=lines,
    )


def ship_notice() -> ShipNotice:
    """A shipment of two lines: one packed in an SSCC-labelled pallet, one loose."""
    return ShipNotice(
        shipment_id="SHIP-1",
        notice_date=NOW,
        shipment_date=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        delivery_date=datetime(2026, 3, 4, 12, 0, tzinfo=UTC),
        ship_from=party("Warehouse", "5412345000099"),
        ship_to=party("Buyer DC", "5412345000020"),
        carriers=(
            ShipControl(
                carrier=(Identifier(scheme="SCAC", value="DHLX"),), tracking_numbers=("TRK1",)
            ),
        ),
        packages=(
            Package(
                package_id="354123450000000014",
                is_sscc=True,
                gross_weight=Decimal("120.5"),
                weight_unit="KGM",
            ),
        ),
        orders=(
            ShipNoticeOrder(
                order=OrderReference(order_id="PO-1", order_date=datetime(2026, 2, 27, tzinfo=UTC)),
                lines=(
                    ShipNoticeLine(
                        line_number=1,
                        quantity=Decimal(8),
                        unit_of_measure="EA",
                        supplier_part_id="SUP-1",
                        buyer_part_id="BUY-1",
                        description="Blue widget",
                        package_id="354123450000000014",
                    ),
                    ShipNoticeLine(
                        line_number=2,
                        quantity=Decimal(6),
                        unit_of_measure="EA",
                        supplier_part_id="SUP-2",
                    ),
                ),
            ),
        ),
    )


def invoice() -> Invoice:
    """A two-line VAT invoice with shipping and a 30-day term."""
    vat = TaxDetail(
        category="vat", amount=Decimal("37.80"), rate=Decimal(21), taxable_amount=Decimal(180)
    )
    return Invoice(
        invoice_id="INV-1",
        invoice_date=NOW,
        currency="EUR",
        supplier=party("Seller NV", "8711576000012"),
        bill_to=party("Buyer NV", "5412345000013"),
        payment_terms_days=30,
        orders=(
            InvoiceOrder(
                order=OrderReference(order_id="PO-1"),
                lines=(
                    InvoiceLine(
                        invoice_line_number=1,
                        order_line_number=1,
                        quantity=Decimal(8),
                        unit_of_measure="EA",
                        unit_price=Decimal("12.50"),
                        subtotal=Decimal(100),
                        supplier_part_id="SUP-1",
                        description="Blue widget",
                        ship_notice_id="SHIP-1",
                    ),
                    InvoiceLine(
                        invoice_line_number=2,
                        order_line_number=2,
                        quantity=Decimal(10),
                        unit_of_measure="EA",
                        unit_price=Decimal(8),
                        subtotal=Decimal(80),
                        buyer_part_id="BUY-2",
                    ),
                ),
            ),
        ),
        subtotal=Decimal(180),
        tax=Decimal("37.80"),
        taxes=(vat,),
        shipping=Decimal(10),
        net_amount=Decimal("227.80"),
    )
