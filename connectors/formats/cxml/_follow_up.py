"""Reading helpers shared by the follow-up documents: confirmations, ship notices and invoices.

They answer the same questions the same way: which payload is this, what do the order
references say, which currency do the amounts use, what does an enumerated attribute mean, and
how is a canonical-model refusal reported. Every failure is a `DocumentError` with a
`location`; a pydantic `ValidationError` never leaves a reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from lxml import etree
from pydantic import ValidationError

from connectors.core.errors import MalformedDocumentError, UnsupportedDocumentError
from connectors.formats.cxml._envelope import CxmlDocument, payload_element
from connectors.formats.cxml._values import decimal_at, optional_datetime_at, positive_int, shown
from connectors.formats.cxml._xml import Index, attribute, child, full_text, optional, own_text

E = TypeVar("E", bound=StrEnum)

_COMMENTS_SKIP = frozenset({"Attachment", "AttachmentReference"})
_SHOWN_PROBLEMS = 3


def expect_payload(document: CxmlDocument, kind: str) -> etree._Element:
    """The payload element of a document of `kind`; `UnsupportedDocumentError` for any other."""
    if document.kind != kind:
        article = "an" if kind[0] in "AEIOU" else "a"
        msg = f"expected {article} {kind}, got {shown(document.kind)}"
        raise UnsupportedDocumentError(msg)
    return payload_element(document)


def required_child(parts: Index, tag: str, where: str) -> etree._Element:
    """The first child `tag`; `MalformedDocumentError` naming `where` when there is none."""
    bucket = parts.get(tag)
    if not bucket:
        msg = f"{where} has no {tag}"
        raise MalformedDocumentError(msg, location=f"{where}/{tag}")
    return bucket[0]


def required_attribute(element: etree._Element, name: str, where: str) -> str:
    """A non-blank attribute; `MalformedDocumentError` at `where/@name` otherwise."""
    value = attribute(element, name)
    if not value:
        msg = f"{where}@{name} is required"
        raise MalformedDocumentError(msg, location=f"{where}/@{name}")
    return value


def decimal_attribute(element: etree._Element, name: str, where: str) -> Decimal:
    """A required decimal attribute (`quantity`), located on failure."""
    return decimal_at(required_attribute(element, name, where), f"{where}/@{name}")


def line_number(element: etree._Element, name: str, where: str) -> int:
    """A required positive line number: it points into another document, so it is never guessed."""
    text = required_attribute(element, name, where)
    number = positive_int(text)
    if number is None:
        msg = f"{where}@{name} {shown(text)} is not a positive integer below 10^9"
        raise MalformedDocumentError(msg, location=f"{where}/@{name}")
    return number


def choice(
    text: str,
    choices: type[E],
    where: str,
    *,
    default: E | None = None,
    unsupported: frozenset[str] = frozenset(),
) -> E:
    """An enumerated attribute, case-insensitively; blank gives `default` when there is one.

    A value the DTD allows but the canonical model has no room for (`unsupported`) is
    `UnsupportedDocumentError`; anything else unknown is `MalformedDocumentError`.
    """
    if not text and default is not None:
        return default
    folded = text.casefold()
    for member in choices:
        if member.value.casefold() == folded:
            return member
    if folded in {value.casefold() for value in unsupported}:
        msg = f"{where} {shown(text)} is not supported"
        raise UnsupportedDocumentError(msg, location=where)
    allowed = ", ".join(member.value for member in choices)
    msg = f"{where} {shown(text)} is not one of {allowed}"
    raise MalformedDocumentError(msg, location=where)


def referenced_document(parts: Index) -> str | None:
    """`DocumentReference@payloadID` among `parts`, `None` when absent or empty."""
    bucket = parts.get("DocumentReference")
    return optional(attribute(bucket[0], "payloadID")) if bucket else None


def order_reference_values(
    element: etree._Element, where: str, default_tz: tzinfo
) -> dict[str, Any] | None:
    """An `OrderReference` (or `OrderIDInfo`) as canonical `OrderReference` values.

    `orderID=""` and `payloadID=""` mean "not given"; `None` when neither id is given.
    """
    order_id = optional(attribute(element, "orderID"))
    payload_id = optional(attribute(child(element, "DocumentReference"), "payloadID"))
    if order_id is None and payload_id is None:
        return None
    return {
        "order_id": order_id,
        "payload_id": payload_id,
        "order_date": optional_datetime_at(
            attribute(element, "orderDate"), f"{where}/@orderDate", default_tz
        ),
    }


def comments_text(parts: Index) -> str | None:
    """All `Comments` among `parts`, own text only (no attachment URLs), one per line."""
    texts = (own_text(c, skip=_COMMENTS_SKIP) for c in parts.get("Comments", ()))
    return optional("\n".join(text for text in texts if text))


class Amounts:
    """The amounts of one document and their currency.

    The first `Money@currency` met is the document's currency and every other must equal it.
    A `Money` without a currency is taken in the document currency; an empty `Money` (real
    senders write `<Money currency="USD"/>`) is "no amount", not zero.
    """

    def __init__(self, document: str) -> None:
        self.document = document
        self.currency: str | None = None
        self._where = ""

    def of(self, holder: etree._Element | None, where: str) -> Decimal | None:
        """The amount of `holder/Money`; `None` when there is no Money or it is empty."""
        money = child(holder, "Money")
        if money is None:
            return None
        location = f"{where}/Money"
        code = attribute(money, "currency").upper()
        if code and self.currency is None:
            self.currency, self._where = code, location
        elif code and code != self.currency:
            msg = (
                f"{location}@currency {shown(code)} differs from the {self.document} currency "
                f'"{self.currency}" of {self._where}; every Money must use one currency'
            )
            raise MalformedDocumentError(msg, location=f"{location}/@currency")
        text = full_text(money)
        return decimal_at(text, location) if text else None

    def required(self, holder: etree._Element | None, where: str) -> Decimal:
        """Like `of`, but a missing or empty amount is `MalformedDocumentError`."""
        value = self.of(holder, where)
        if value is None:
            msg = f"{where}/Money is required and must hold an amount"
            raise MalformedDocumentError(msg, location=f"{where}/Money")
        return value


def model_error(
    error: ValidationError, what: str, where: str, places: Mapping[str, str]
) -> MalformedDocumentError:
    """A readable refusal for values the canonical model does not accept.

    `places` maps the first field of an error's path (`lines`, `orders`...) to the element it
    came from, so `("lines", 1, "quantity")` is reported as `ConfirmationItem[2].quantity`.
    """
    problems = error.errors(include_url=False)
    parts = []
    for problem in problems[:_SHOWN_PROBLEMS]:
        path = _path(problem["loc"], places)
        reason = str(problem["msg"]).removeprefix("Value error, ")
        value = problem.get("input")
        if isinstance(value, str):
            reason = f"{reason} (got {shown(value)})"
        parts.append(f"{path}: {reason}" if path else reason)
    if len(problems) > _SHOWN_PROBLEMS:
        parts.append(f"and {len(problems) - _SHOWN_PROBLEMS} more")
    location = _path(problems[0]["loc"][:2], places) if problems else ""
    msg = f"the document does not fit the canonical {what}: " + "; ".join(parts)
    return MalformedDocumentError(msg, location=location if "[" in location else where)


def _path(loc: tuple[int | str, ...], places: Mapping[str, str]) -> str:
    if len(loc) > 1 and isinstance(loc[1], int) and str(loc[0]) in places:
        head = f"{places[str(loc[0])]}[{loc[1] + 1}]"
        return ".".join([head, *(str(part) for part in loc[2:])])
    return ".".join(str(part) for part in loc)
