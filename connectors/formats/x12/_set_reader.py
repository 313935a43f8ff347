"""What the 846 and 832 readers share: refusing a set the envelope rejected, and reading
elements with positions, so every refusal is an `X12SyntaxError` at its segment and element.

The 850 reader (`_850.py`) has the same habits on its hot path; the feed readers are not on a hot
path, so they share this small base instead of copying it.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal

from pydantic import ValidationError

from connectors.formats.x12._acks import ElementErrorCode
from connectors.formats.x12._envelope import TransactionSet
from connectors.formats.x12._errors import X12SyntaxError, X12UnsupportedError
from connectors.formats.x12._values import X12ValueError, parse_date, parse_real


def check_set(transaction_set: TransactionSet, set_id: str) -> None:
    """Refuse a set of another type, or one that failed the reader's envelope checks (the 997
    rejects it, so acting on it would duplicate what the partner sends again)."""
    if transaction_set.set_id != set_id:
        msg = f"expected an {set_id}, got {transaction_set.set_id!r}"
        raise X12UnsupportedError(msg, position=transaction_set.position(0))
    if transaction_set.errors:
        first = transaction_set.errors[0]
        msg = f"the transaction set failed the envelope checks: {first.message}"
        raise X12SyntaxError(
            msg,
            position=first.position,
            set_code=first.set_code,
            segment_code=first.segment_code,
            element_code=first.element_code,
            bad_value=first.bad_value,
        )


class SetReader:
    """Element access for one pass over a set: `index` is the segment being read."""

    def __init__(self, transaction_set: TransactionSet, tz: tzinfo) -> None:
        self.ts = transaction_set
        self.tz = tz
        self.index = 0

    def fail(
        self,
        message: str,
        element: int | None = None,
        *,
        element_code: str | None = None,
        bad_value: str | None = None,
        index: int | None = None,
    ) -> X12SyntaxError:
        """An error at segment `index` (the current one by default) and `element`."""
        return self.ts.error(
            message,
            self.index if index is None else index,
            element=element,
            element_code=element_code,
            bad_value=bad_value,
        )

    @staticmethod
    def text(elements: list[str], position: int) -> str:
        """Element `position` stripped, `""` when the segment stops before it."""
        return elements[position].strip() if position < len(elements) else ""

    def required(self, elements: list[str], position: int, what: str) -> str:
        """A mandatory element's value, or AK403 1 at it."""
        value = self.text(elements, position)
        if not value:
            raise self.fail(
                f"{elements[0]}{position:02d} ({what}) is required",
                position,
                element_code=ElementErrorCode.MANDATORY_MISSING,
            )
        return value

    def real(self, elements: list[str], position: int, what: str) -> Decimal:
        """A mandatory R element."""
        text = self.required(elements, position, what)
        try:
            value = parse_real(text)
        except X12ValueError as problem:
            raise self.fail(
                f"{elements[0]}{position:02d}: {problem}",
                position,
                element_code=problem.code,
                bad_value=text,
            ) from None
        assert value is not None  # not empty: checked above
        return value

    def moment(self, elements: list[str], position: int, time: int) -> datetime:
        """A DT element with the TM element at `time`, in the partner's zone."""
        text = self.required(elements, position, "date")
        clock = self.text(elements, time)
        try:
            return parse_date(text, self.tz, clock)
        except X12ValueError as problem:
            at = position if problem.code == "8" else time
            raise self.fail(
                f"{elements[0]}{at:02d}: {problem}",
                at,
                element_code=problem.code,
                bad_value=text if at == position else clock,
            ) from None

    def day(self, elements: list[str], position: int) -> date:
        """A DT element as a calendar date."""
        return self.moment(elements, position, len(elements)).date()

    def describe(self, error: ValidationError, index: int) -> X12SyntaxError:
        """The first model complaint, located at segment `index` (the item or header it came
        from); a raw `ValidationError` never escapes a reader."""
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        return self.fail(f"{field}: {problem['msg']}", index=index)
