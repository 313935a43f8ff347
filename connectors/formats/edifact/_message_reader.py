"""What the INVRPT and PRICAT readers share: refusing a message the syntax checks rejected, and
reading values with positions, so every refusal is an `EdifactSyntaxError` at its segment,
element and component with the 0085 code a CONTRL reports.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal

from pydantic import ValidationError

from connectors.formats.edifact._codes import SyntaxErrorCode
from connectors.formats.edifact._envelope import Message, Segment
from connectors.formats.edifact._errors import EdifactSyntaxError, EdifactUnsupportedError
from connectors.formats.edifact._values import EdifactValueError, parse_dtm, parse_number


def check_message(message: Message, message_type: str) -> None:
    """Refuse another message type, a message with syntax errors, or one in an interchange
    rejected at its UNA/UNB (the CONTRL rejects it; the partner sends it again)."""
    if message.message_type != message_type:
        msg = f"expected a {message_type} message, got {message.message_type!r}"
        where = message.position(0, element=2, component=1)
        raise EdifactUnsupportedError(msg, position=where, code=SyntaxErrorCode.NO_AGREEMENT)
    if message.errors:
        first = message.errors[0]
        msg = f"message {message.reference} failed the syntax checks: {first.message}"
        raise EdifactSyntaxError(
            msg, position=first.position, code=first.code, bad_value=first.bad_value
        )
    rejecting = next((note for note in message.interchange.notes if note.rejecting), None)
    if rejecting is not None:
        msg = f"the interchange is rejected: {rejecting.message}"
        raise EdifactSyntaxError(msg, position=rejecting.position, code=rejecting.code)


class MessageReader:
    """Value access for one pass over a message: `index` is the segment being read."""

    def __init__(self, message: Message, tz: tzinfo) -> None:
        self.message = message
        self.tz = tz
        self.decimal = message.decimal_mark
        self.index = 0

    def fail(
        self,
        text: str,
        element: int | None = None,
        component: int | None = None,
        *,
        code: str | None = None,
        bad_value: str | None = None,
        index: int | None = None,
    ) -> EdifactSyntaxError:
        """An error at segment `index` (the current one by default)."""
        return self.message.error(
            text,
            self.index if index is None else index,
            element=element,
            component=component,
            code=code,
            bad_value=bad_value,
        )

    def required(self, segment: Segment, element: int, component: int, what: str) -> str:
        """A mandatory value, stripped; 0085 13 (missing) at it otherwise."""
        value = segment.get(element, component).strip()
        if not value:
            raise self.fail(
                f"{segment.tag} {what} is required",
                element,
                component,
                code=SyntaxErrorCode.MISSING,
            )
        return value

    def number(self, segment: Segment, element: int, component: int, what: str) -> Decimal:
        """A mandatory number in the interchange's decimal mark."""
        text = self.required(segment, element, component, what)
        try:
            value = parse_number(text, self.decimal)
        except EdifactValueError as problem:
            raise self.fail(
                f"{segment.tag} {what}: {problem}",
                element,
                component,
                code=problem.code,
                bad_value=text,
            ) from None
        assert value is not None  # not empty: checked above
        return value

    def moment(self, segment: Segment) -> datetime:
        """A DTM's C507 value in its format, in the partner's zone when it names none."""
        value, code = segment.get(1, 2), segment.get(1, 3)
        try:
            return parse_dtm(value, code, self.tz)
        except EdifactValueError as problem:
            bad_format = problem.code == SyntaxErrorCode.VALUE_NOT_SUPPORTED
            raise self.fail(
                f"DTM {segment.get(1, 1)}: {problem}",
                1,
                3 if bad_format else 2,
                code=problem.code,
                bad_value=code if bad_format else value,
            ) from None

    def day(self, segment: Segment) -> date:
        """A DTM's C507 value as a calendar date."""
        return self.moment(segment).date()

    def describe(self, error: ValidationError, index: int) -> EdifactSyntaxError:
        """The first model complaint at segment `index` (0085 12, invalid value); a raw
        `ValidationError` never escapes a reader."""
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        return self.fail(
            f"{field}: {problem['msg']}", code=SyntaxErrorCode.INVALID_VALUE, index=index
        )


def item_location(error: ValidationError, origins: list[int]) -> int:
    """The segment index of the item a model complaint is about (the BGM's, 1, otherwise)."""
    location = error.errors()[0]["loc"]
    if len(location) > 1 and location[0] == "items" and isinstance(location[1], int):
        return origins[location[1]]
    return 1
