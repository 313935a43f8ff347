"""Every date/time form real senders use is read as an aware datetime; nonsense is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from connectors.core.errors import MalformedDocumentError
from connectors.formats.cxml import format_cxml_datetime, parse_cxml_datetime

PST = timezone(timedelta(hours=-8))
CET = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "2024-01-15T10:30:00-08:00", datetime(2024, 1, 15, 10, 30, tzinfo=PST), id="iso-offset"
        ),
        pytest.param(
            "2024-01-15T10:30:00-0800", datetime(2024, 1, 15, 10, 30, tzinfo=PST), id="no-colon"
        ),
        pytest.param("2024-01-15T18:30:00Z", datetime(2024, 1, 15, 18, 30, tzinfo=UTC), id="z"),
        pytest.param(
            "2024-01-15t18:30:00z", datetime(2024, 1, 15, 18, 30, tzinfo=UTC), id="lower-case-t-z"
        ),
        pytest.param(
            "2024-01-15T18:30:00.123Z",
            datetime(2024, 1, 15, 18, 30, 0, 123000, tzinfo=UTC),
            id="milliseconds",
        ),
        pytest.param(
            "2024-01-15T18:30:00.1234567+01:00",
            datetime(2024, 1, 15, 18, 30, 0, 123456, tzinfo=CET),
            id="seven-fraction-digits",
        ),
        pytest.param(
            "2024-01-15 10:30:00-08:00",
            datetime(2024, 1, 15, 10, 30, tzinfo=PST),
            id="space-instead-of-t",
        ),
        pytest.param(
            "2020-09-25 15:30:43", datetime(2020, 9, 25, 15, 30, 43, tzinfo=UTC), id="space-no-zone"
        ),
        pytest.param(
            "2016-04-12T10:35:27", datetime(2016, 4, 12, 10, 35, 27, tzinfo=UTC), id="no-zone"
        ),
        pytest.param("2020-02-28", datetime(2020, 2, 28, tzinfo=UTC), id="bare-date"),
        pytest.param(
            "  2024-01-15T10:30:00+01:00\n", datetime(2024, 1, 15, 10, 30, tzinfo=CET), id="padded"
        ),
    ],
)
def test_tolerated_forms(text: str, expected: datetime) -> None:
    parsed = parse_cxml_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


def test_naive_values_take_the_default_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    parsed = parse_cxml_datetime("2024-07-01T12:00:00", default_tz=berlin)
    assert parsed.tzinfo is berlin
    assert parsed.utcoffset() == timedelta(hours=2)
    assert parse_cxml_datetime("2024-07-01", default_tz=berlin) == datetime(
        2024, 7, 1, tzinfo=berlin
    )


def test_an_explicit_zone_wins_over_the_default() -> None:
    parsed = parse_cxml_datetime("2024-07-01T12:00:00Z", default_tz=ZoneInfo("Asia/Tokyo"))
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text", ["", "   ", "yesterday", "2024-13-01", "2024-01-15T25:00:00Z", "15/01/2024", "?"]
)
def test_nonsense_is_refused(text: str) -> None:
    with pytest.raises(MalformedDocumentError, match="is not a date"):
        parse_cxml_datetime(text)


def test_refusal_cuts_long_values() -> None:
    with pytest.raises(MalformedDocumentError) as caught:
        parse_cxml_datetime("x" * 10_000)
    assert len(str(caught.value)) < 200


def test_format_writes_offset_and_seconds() -> None:
    value = datetime(2026, 11, 22, 10, 30, 0, 987654, tzinfo=UTC)
    assert format_cxml_datetime(value) == "2026-11-22T10:30:00+00:00"
    assert format_cxml_datetime(value.astimezone(PST)) == "2026-11-22T02:30:00-08:00"


def test_format_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_cxml_datetime(datetime(2026, 11, 22, 10, 30))  # noqa: DTZ001 - the point of the test
