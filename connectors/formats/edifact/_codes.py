"""Service code lists the reader and CONTRL use: 0085 syntax errors and 0083 actions.

Values are the ISO 9735 code values themselves (`StrEnum`s compare equal to plain strings), taken
from the syntax service code lists (UNSL, syntax versions 3 and 4; the ones the 1997 list marked
for deletion, 1 and 3-11, are not used).
"""

from __future__ import annotations

from enum import StrEnum


class ActionCode(StrEnum):
    """0083 Action, coded: what a CONTRL says about a level of the subject interchange."""

    REJECTED = "4"
    """This level and all lower levels rejected."""
    ACKNOWLEDGED = "7"
    """This level acknowledged; lower levels acknowledged unless explicitly rejected."""
    RECEIVED = "8"
    """Interchange received (UCI only): the rest is answered later, or not at all."""


class SyntaxErrorCode(StrEnum):
    """0085 Syntax error, coded (ISO 9735-4; the subset this hub reports or may read)."""

    SYNTAX_LEVEL_NOT_SUPPORTED = "2"
    """Syntax version or level not supported (UNB S001)."""
    RECIPIENT_NOT_ACTUAL = "7"
    """Interchange recipient (S003) is not the actual recipient."""
    INVALID_VALUE = "12"
    """A value does not conform to its specification (a number, a date, a code)."""
    MISSING = "13"
    """A mandatory segment, data element or component is missing (also a missing trailer)."""
    VALUE_NOT_SUPPORTED = "14"
    """A valid value the recipient does not support in this position (e.g. BGM 1225)."""
    NOT_SUPPORTED_IN_POSITION = "15"
    """The recipient does not support this segment or element type in this position."""
    TOO_MANY_CONSTITUENTS = "16"
    """Too many data elements in a segment, or components in a composite."""
    NO_AGREEMENT = "17"
    """No agreement allows receipt of this interchange, group or message (e.g. a message type
    the partner profile does not enable)."""
    UNSPECIFIED = "18"
    """An error whose nature is not reported."""
    INVALID_DECIMAL_NOTATION = "19"
    """The decimal mark used is not the one UNA advises."""
    INVALID_SERVICE_CHARACTER_ADVICE = "20"
    """A character advised in UNA cannot be a service character."""
    INVALID_CHARACTER = "21"
    """A character outside the repertoire of the syntax identifier in UNB."""
    INVALID_SERVICE_CHARACTER = "22"
    """A service character used is not the one advised or defaulted."""
    UNKNOWN_SENDER = "23"
    """The interchange sender (S002) is unknown."""
    TOO_OLD = "24"
    """The interchange or group is older than agreed."""
    TEST_NOT_SUPPORTED = "25"
    """Test processing cannot be performed."""
    DUPLICATE = "26"
    """Duplicate detected (a reference used twice, or an interchange received before)."""
    REFERENCES_DO_NOT_MATCH = "28"
    """The control reference in the trailer differs from the one in the header."""
    CONTROL_COUNT_MISMATCH = "29"
    """The count in UNZ, UNE or UNT differs from what was received."""
    GROUPS_AND_MESSAGES_MIXED = "30"
    """Functional groups and messages outside groups in one interchange."""
    MORE_THAN_ONE_MESSAGE_TYPE = "31"
    """A functional group holds more than one message type."""
    LOWER_LEVEL_EMPTY = "32"
    """An interchange or group without messages."""
    INVALID_OUTSIDE_MESSAGE = "33"
    """A segment between messages or groups where the envelope allows none."""
    TOO_MANY_REPETITIONS = "35"
    """A data element or segment is repeated too many times."""
    TOO_MANY_GROUP_REPETITIONS = "36"
    """A segment group is repeated too many times."""
    INVALID_TYPE_OF_CHARACTER = "37"
    """Letters in a numeric element, or digits in an alphabetic one."""
    MISSING_DIGIT_BEFORE_DECIMAL = "38"
    """A decimal mark not preceded by a digit."""
    TOO_LONG = "39"
    """A data element longer than its maximum."""
    TOO_SHORT = "40"
    """A data element shorter than its minimum."""
