"""Support for the follow-up document tests: DTD versions on disk, Hypothesis strategies for
valid canonical confirmations, ship notices and invoices, and single mutations of a document.

Each strategy draws only documents the canonical model accepts *and* the cXML builders can carry
(an order reference with the order's payloadID in Fulfill documents, a currency whenever an
amount is stated, at most one package no line names...), so a failing property is a builder or
reader bug, not a refusal. Text includes XML's special characters, newlines, tabs and non-ASCII.
Datetimes are whole seconds (cXML timestamps carry no fractions).
"""

from __future__ import annotations

import copy
import dataclasses
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import strategies as st
from lxml import etree

from connectors.core.errors import DocumentError
from connectors.formats.cxml import CxmlDocument
from schemas import (
    ConfirmationLine,
    ConfirmationOperation,
    ConfirmationType,
    ConfirmedQuantity,
    FulfillmentType,
    Identifier,
    Invoice,
    InvoiceLine,
    InvoiceOperation,
    InvoiceOrder,
    InvoicePurpose,
    LineStatus,
    OrderConfirmation,
    OrderReference,
    Package,
    Party,
    PostalAddress,
    ShipControl,
    ShipmentType,
    ShipNotice,
    ShipNoticeLine,
    ShipNoticeOperation,
    ShipNoticeOrder,
    TaxDetail,
)
from schemas.gs1 import gs1_check_digit, sscc_problem
from tests.support.paths import CXML_DTD_DIR


def family_versions(family: str) -> list[str]:
    """The vendored versions that hold `<family>.dtd`, oldest first."""
    return sorted(path.parent.name for path in CXML_DTD_DIR.glob(f"*/{family}.dtd"))


LATEST_DATE = datetime(2099, 12, 31)  # noqa: DTZ001 - a bound for st.datetimes, zone added there
"""Latest generated date; the property tests' envelopes are stamped after it."""

_ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=-8)), timezone(timedelta(hours=5, minutes=30))]
)
_SPECIAL = st.sampled_from(list("<>&\"'\n\t\r\u00fc\u20ac\u65e5"))
_CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn"))

texts = (
    st.text(st.one_of(_CHARACTERS, _SPECIAL), min_size=1, max_size=12).map(str.strip).filter(bool)
)
"""Non-empty text as the canonical model keeps it (stripped), XML-hostile characters included."""
ids = (
    st.text(st.one_of(_CHARACTERS, st.sampled_from(list("<>&\"' "))), min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)
"""Document ids and codes: one line, no control characters."""
units = st.sampled_from(["EA", "BX", "KGM", "H87", "CS"])
dates = st.datetimes(
    min_value=datetime(1990, 1, 1),  # noqa: DTZ001 - zone added by `timezones`
    max_value=LATEST_DATE,
    timezones=_ZONES,
).map(lambda value: value.replace(microsecond=0))
currencies = st.sampled_from(["USD", "EUR", "JPY"])
extensions = st.dictionaries(ids, st.one_of(st.just(""), texts), max_size=3)


def _decimals(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, 4).flatmap(
        lambda places: st.decimals(
            min_value=low, max_value=high, places=places, allow_nan=False, allow_infinity=False
        )
    )


money = _decimals(-(10**6), 10**6)
positive = _decimals(0, 10**6).filter(lambda value: value > 0)
non_negative = _decimals(0, 10**6)


@st.composite
def parties(draw: st.DrawFn) -> Party:
    """A party with any mix of name, identifiers, address, e-mail and telephone."""
    identifiers = draw(
        st.lists(
            st.builds(Identifier, scheme=st.one_of(st.just("addressID"), ids), value=ids),
            max_size=3,
        )
    )
    address = draw(
        st.none()
        | st.builds(
            PostalAddress,
            deliver_to=st.lists(texts, max_size=2).map(tuple),
            street=st.lists(texts, max_size=2).map(tuple),
            city=st.none() | texts,
            region=st.none() | texts,
            postal_code=st.none() | ids,
            country=st.none() | st.sampled_from(["US", "DE", "JP"]),
        )
    )
    phone = st.one_of(
        st.none(),
        ids,
        st.builds(
            lambda c, a, n, x: f"+{c} {a} {n}" + (f" x{x}" if x else ""),
            st.integers(1, 999),
            st.integers(10, 999),
            st.integers(1000, 9999999),
            st.none() | st.integers(1, 999),
        ),
    )
    return Party(
        name=draw(st.none() | texts),
        identifiers=tuple(identifiers),
        address=address,
        email=draw(st.none() | ids),
        phone=draw(phone),
    )


def order_references(*, payload_id_required: bool) -> st.SearchStrategy[OrderReference]:
    """Order references; Fulfill documents need the order's payloadID, invoices do not."""
    with_payload = st.builds(
        OrderReference, order_id=st.none() | ids, payload_id=ids, order_date=st.none() | dates
    )
    if payload_id_required:
        return with_payload
    return with_payload | st.builds(
        OrderReference, order_id=ids, payload_id=st.none(), order_date=st.none() | dates
    )


# --- confirmations -----------------------------------------------------------------------------

_STATUSES: dict[ConfirmationType, list[LineStatus]] = {
    ConfirmationType.ACCEPT: [LineStatus.ACCEPT],
    ConfirmationType.BACKORDERED: [LineStatus.BACKORDERED],
    ConfirmationType.DETAIL: [s for s in LineStatus if s is not LineStatus.ALL_DETAIL],
    ConfirmationType.EXCEPT: [s for s in LineStatus if s is not LineStatus.ALL_DETAIL],
    ConfirmationType.ALL_DETAIL: list(LineStatus),
}


@st.composite
def confirmations(draw: st.DrawFn) -> OrderConfirmation:
    """A confirmation of any type and operation the builder can carry."""
    kind = draw(st.sampled_from(list(ConfirmationType)))
    currency = draw(st.none() | currencies)
    priced = st.none() if currency is None else st.none() | money

    def status(allowed: list[LineStatus], line_unit: str) -> st.SearchStrategy[ConfirmedQuantity]:
        return st.builds(
            ConfirmedQuantity,
            status=st.sampled_from(allowed),
            quantity=non_negative,
            unit_of_measure=st.none() | units.filter(lambda unit: unit != line_unit),
            unit_price=priced,
            shipment_date=st.none() | dates,
            delivery_date=st.none() | dates,
            comments=st.none() | texts,
            extensions=extensions.filter(lambda e: "SupplierPartID" not in e),
        ).map(_detail_changes_something)

    lines: list[ConfirmationLine] = []
    if kind is not ConfirmationType.REJECT:
        required = kind in {
            ConfirmationType.DETAIL,
            ConfirmationType.EXCEPT,
            ConfirmationType.ALL_DETAIL,
        }
        numbers = draw(st.sets(st.integers(1, 999), min_size=1 if required else 0, max_size=4))
        for number in sorted(numbers):
            unit = draw(units)
            lines.append(
                ConfirmationLine(
                    line_number=number,
                    quantity=draw(non_negative),
                    unit_of_measure=unit,
                    statuses=tuple(
                        draw(st.lists(status(_STATUSES[kind], unit), min_size=1, max_size=3))
                    ),
                    supplier_part_id=draw(st.none() | ids),
                )
            )
    operation = draw(st.sampled_from(list(ConfirmationOperation)))
    update = operation is ConfirmationOperation.UPDATE
    return OrderConfirmation(
        confirmation_id=draw(ids if update else st.none() | ids),
        operation=operation,
        supersedes=draw(ids) if update else None,
        type=kind,
        notice_date=draw(dates),
        order=draw(order_references(payload_id_required=True)),
        currency=currency,
        total=draw(priced),
        tax=draw(priced),
        shipping=draw(priced),
        invoice_id=draw(st.none() | ids),
        comments=draw(st.none() | texts),
        extensions=draw(extensions),
        lines=tuple(lines),
    )


def _detail_changes_something(status: ConfirmedQuantity) -> ConfirmedQuantity:
    """A `detail` status states what changes; give it a delivery date when it has nothing."""
    unchanged = status.unit_price is None and status.delivery_date is None
    if status.status is LineStatus.DETAIL and unchanged:
        return status.model_copy(update={"delivery_date": datetime(2030, 1, 1, tzinfo=UTC)})
    return status


# --- ship notices ------------------------------------------------------------------------------


ssccs = st.from_regex(r"\A[0-9]{17}\Z").map(lambda digits: f"{digits}{gs1_check_digit(digits)}")
"""SSCC-18 labels with a valid GS1 check digit."""


@st.composite
def ship_notices(draw: st.DrawFn) -> ShipNotice:
    """A ship notice: carriers, packages (at most one no line names), orders and lines."""
    operation = draw(st.sampled_from(list(ShipNoticeOperation)))
    delete = operation is ShipNoticeOperation.DELETE
    package_ids = draw(st.lists(ids | ssccs, unique=True, max_size=4))
    packages = [_package(draw, package_id) for package_id in package_ids]
    orders = []
    payload_ids = draw(st.lists(ids, unique=True, min_size=0 if delete else 1, max_size=3))
    for payload_id in payload_ids:
        numbers = draw(st.sets(st.integers(1, 999), max_size=3))
        lines = tuple(
            ShipNoticeLine(
                line_number=number,
                quantity=draw(positive),
                unit_of_measure=draw(units),
                supplier_part_id=draw(st.none() | ids),
                buyer_part_id=draw(st.none() | ids),
                description=draw(st.none() | texts),
                package_id=draw(st.none() | st.sampled_from(package_ids)) if package_ids else None,
            )
            for number in sorted(numbers)
        )
        reference = OrderReference(
            order_id=draw(st.none() | ids),
            payload_id=payload_id,
            order_date=draw(st.none() | dates),
        )
        orders.append(ShipNoticeOrder(order=reference, lines=lines))
    named = {line.package_id for order in orders for line in order.lines}
    unnamed = [p for p in packages if p.package_id not in named]
    packages = [p for p in packages if p.package_id in named] + unnamed[:1]
    carriers = st.builds(
        ShipControl,
        carrier=st.lists(st.builds(Identifier, scheme=ids, value=ids), min_size=1, max_size=2).map(
            tuple
        ),
        tracking_numbers=st.lists(ids, min_size=1, max_size=2).map(tuple),
    )
    return ShipNotice(
        shipment_id=draw(ids),
        operation=operation,
        supersedes=None if operation is ShipNoticeOperation.NEW else draw(ids),
        notice_date=draw(dates),
        shipment_date=draw(st.none() | dates) if delete else draw(dates),
        delivery_date=draw(st.none() | dates) if delete else draw(dates),
        shipment_type=draw(st.sampled_from(list(ShipmentType))),
        fulfillment=draw(st.none() | st.sampled_from(list(FulfillmentType))),
        ship_from=draw(st.none() | parties()),
        ship_to=draw(st.none() | parties()),
        carriers=tuple(draw(st.lists(carriers, min_size=0 if delete else 1, max_size=2))),
        packages=tuple(packages),
        orders=tuple(orders),
        comments=draw(st.none() | texts),
        extensions=draw(extensions),
    )


def _package(draw: st.DrawFn, package_id: str) -> Package:
    weighed = draw(st.booleans())
    return Package(
        package_id=package_id,
        is_sscc=sscc_problem(package_id) is None and draw(st.booleans()),
        gross_weight=draw(positive) if weighed else None,
        weight_unit=draw(st.sampled_from(["KGM", "LBR"])) if weighed else None,
    )


# --- invoices ----------------------------------------------------------------------------------


@st.composite
def invoices(draw: st.DrawFn) -> Invoice:
    """An invoice, credit or debit memo, line- or header-level, new or cancelled."""
    header_level = draw(st.booleans())
    purposes = (
        [InvoicePurpose.STANDARD, InvoicePurpose.CREDIT_MEMO, InvoicePurpose.DEBIT_MEMO]
        if header_level
        else [
            InvoicePurpose.STANDARD,
            InvoicePurpose.LINE_LEVEL_CREDIT_MEMO,
            InvoicePurpose.LINE_LEVEL_DEBIT_MEMO,
        ]
    )
    purpose = draw(st.sampled_from(purposes))
    sign = -1 if purpose.is_credit else 1
    signed = non_negative.map(lambda value: sign * value)
    operation = draw(st.sampled_from(list(InvoiceOperation)))
    taxes = st.lists(
        st.builds(
            TaxDetail,
            category=ids,
            amount=signed,
            rate=st.none() | non_negative,
            taxable_amount=st.none() | signed,
            description=st.none() | texts,
        ),
        max_size=2,
    ).map(tuple)
    next_line = iter(range(1, 1000))
    orders = []
    for _ in range(draw(st.integers(1, 3))):
        order = draw(st.none() | order_references(payload_id_required=False))
        agreement = draw(ids) if order is None else draw(st.none() | ids)
        if header_level:
            orders.append(InvoiceOrder(order=order, agreement_id=agreement, subtotal=draw(signed)))
            continue
        lines = tuple(
            InvoiceLine(
                invoice_line_number=next(next_line),
                order_line_number=draw(st.integers(1, 999)),
                quantity=draw(signed),
                unit_of_measure=draw(units),
                unit_price=draw(non_negative),
                subtotal=draw(st.none() | signed),
                tax=draw(st.none() | signed),
                taxes=draw(taxes),
                shipping=draw(st.none() | signed),
                supplier_part_id=draw(st.none() | ids),
                buyer_part_id=draw(st.none() | ids),
                description=draw(st.none() | texts),
                ship_notice_id=draw(st.none() | ids),
            )
            for _ in range(draw(st.integers(1, 3)))
        )
        orders.append(InvoiceOrder(order=order, agreement_id=agreement, lines=lines))
    return Invoice(
        invoice_id=draw(ids),
        operation=operation,
        supersedes=draw(ids) if operation is InvoiceOperation.DELETE else None,
        purpose=purpose,
        header_level=header_level,
        invoice_date=draw(dates),
        currency=draw(currencies),
        supplier=draw(st.none() | parties()),
        bill_to=draw(st.none() | parties()),
        remit_to=draw(st.none() | parties()),
        payment_terms_days=draw(st.none() | st.integers(0, 365)),
        orders=tuple(orders),
        subtotal=draw(signed),
        tax=draw(signed),
        taxes=draw(taxes),
        special_handling=draw(st.none() | signed),
        shipping=draw(st.none() | signed),
        discount=draw(st.none() | signed),
        net_amount=draw(signed),
        due_amount=draw(st.none() | signed),
        comments=draw(st.none() | texts),
        extensions=draw(extensions),
    )


# --- mutations ---------------------------------------------------------------------------------


def single_mutations(document: CxmlDocument) -> Iterator[CxmlDocument]:
    """`document` with one change each inside its Request: an element removed, an attribute
    removed, emptied or set to nonsense, a text emptied or set to nonsense.

    Readers must turn every one into a canonical document or a `DocumentError`.
    """
    for position, node in enumerate(_request_nodes(document.root)):
        changes: list[Callable[[etree._Element], None]] = [_set_text(""), _set_text("x")]
        if position:
            changes.append(_remove)
        for name in [str(key) for key in node.attrib]:
            changes += [_drop(name), _set(name, ""), _set(name, "x"), _set(name, "-1")]
        for change in changes:
            root = copy.deepcopy(document.root)
            change(_request_nodes(root)[position])
            yield dataclasses.replace(document, root=root)


def attribute_at(element: etree._Element, path: str, name: str) -> str | None:
    """Attribute `name` of the element at `path` below `element`, which must exist."""
    found = element.find(path)
    assert found is not None, path
    return found.get(name)


def read_or_refuse_all(
    reader: Callable[[CxmlDocument], object], document: CxmlDocument
) -> Counter[str]:
    """How many single mutations of `document` `reader` read, and how many it refused with a
    `DocumentError`; any other exception propagates (and fails the test)."""
    outcomes: Counter[str] = Counter()
    for mutated in single_mutations(document):
        try:
            reader(mutated)
        except DocumentError:
            outcomes["refused"] += 1
        else:
            outcomes["read"] += 1
    return outcomes


def _request_nodes(root: etree._Element) -> list[etree._Element]:
    request = root.find("Request")
    assert request is not None
    return [node for node in request.iter() if isinstance(node.tag, str)]


def _remove(node: etree._Element) -> None:
    parent = node.getparent()
    assert parent is not None
    parent.remove(node)


def _drop(name: str) -> Callable[[etree._Element], None]:
    def change(node: etree._Element) -> None:
        del node.attrib[name]

    return change


def _set(name: str, value: str) -> Callable[[etree._Element], None]:
    def change(node: etree._Element) -> None:
        node.set(name, value)

    return change


def _set_text(value: str) -> Callable[[etree._Element], None]:
    def change(node: etree._Element) -> None:
        node.text = value

    return change


def inbound_document(payload_id: str, timestamp: str, request: str) -> str:
    """A partner's cXML document around `request` (the Request's content), as a format template:
    `request` keeps its `{placeholders}`; the envelope has none."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<cXML payloadID="{payload_id}" timestamp="{timestamp}">\n'
        "  <Header>\n"
        '    <From><Credential domain="DUNS"><Identity>1</Identity></Credential></From>\n'
        '    <To><Credential domain="NetworkID"><Identity>AN1</Identity></Credential></To>\n'
        '    <Sender><Credential domain="DUNS"><Identity>1</Identity></Credential>\n'
        "      <UserAgent>Supplier</UserAgent></Sender>\n"
        "  </Header>\n"
        "  <Request>\n"
        f"{request}\n"
        "  </Request>\n"
        "</cXML>"
    )
