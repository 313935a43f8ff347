"""payloadIDs: the recommended form, unique, and refusing what would make them ambiguous."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from connectors.formats.cxml import new_payload_id

NOW = datetime(2026, 11, 22, 10, 30, 0, 123456, tzinfo=UTC)


def test_form() -> None:
    payload_id = new_payload_id(NOW, "hub.example.com")
    millis = int(NOW.timestamp() * 1000)
    assert re.fullmatch(rf"{millis}\.{os.getpid()}\.[0-9a-f]{{16}}@hub\.example\.com", payload_id)


def test_the_offset_does_not_change_the_epoch() -> None:
    local = NOW.astimezone(timezone(timedelta(hours=-8)))
    assert new_payload_id(local, "h").split(".")[0] == new_payload_id(NOW, "h").split(".")[0]


def test_unique_over_ten_thousand_calls_in_the_same_millisecond() -> None:
    ids = {new_payload_id(NOW, "hub") for _ in range(10_000)}
    assert len(ids) == 10_000


@pytest.mark.parametrize("hostname", ["", "  ", "two words", "a@b"])
def test_bad_hostnames_are_refused(hostname: str) -> None:
    with pytest.raises(ValueError, match="hostname"):
        new_payload_id(NOW, hostname)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        new_payload_id(datetime(2026, 11, 22), "hub")  # noqa: DTZ001 - the point of the test
