"""The 850 fast path (`_850_fast.build_order`) gives exactly what `model_validate` gives.

Every case reads a set twice: as `read_850` does (fast path when the values are plain), and
with the fast path switched off (every order through `PurchaseOrder.model_validate`, as before
the fast path existed). The two must agree completely: the same model types, field values with
their Python types, `Decimal` exponents and `tzinfo`, field order, `model_fields_set`, JSON; or
the same error with the same message, position and 997 codes. Hypothesis generates 850s with
blanks, control characters, non-ASCII and undecodable bytes, bad numbers and dates, duplicate
line numbers and over-long values; the shared samples and hand-picked edge cases run too, and
some cases must take the fast path (a check that cannot be skipped silently).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from connectors.formats.x12 import (
    TransactionSet,
    X12Error,
    X12InboundRules,
    _850,
    _850_fast,
    read_850,
)
from schemas.order import PurchaseOrder
from tests.unit.x12.x12_support import SAMPLES_DIR, events, interchange, order_segments, sets_of

Outcome = PurchaseOrder | X12Error


def _outcome(read: Callable[[], PurchaseOrder]) -> Outcome:
    try:
        return read()
    except X12Error as error:
        return error


def both(
    transaction_set: TransactionSet,
    rules: X12InboundRules | None = None,
    tz: tzinfo = UTC,
    *,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Outcome, Outcome, bool]:
    """(read_850 as shipped, read_850 validating everything, whether the fast path built it)."""
    built: list[PurchaseOrder | None] = []

    def spy(values: dict[str, Any], segments: Any, tz: tzinfo) -> PurchaseOrder | None:
        result = _850_fast.build_order(values, segments, tz)
        built.append(result)
        return result

    with monkeypatch.context() as patch:
        patch.setattr(_850, "build_order", spy)
        fast = _outcome(lambda: read_850(transaction_set, rules, tz=tz))
    with monkeypatch.context() as patch:
        patch.setattr(_850, "build_order", lambda values, segments, tz: None)
        slow = _outcome(lambda: read_850(transaction_set, rules, tz=tz))
    return fast, slow, any(result is not None for result in built)


def assert_same(fast: object, slow: object, where: str = "order") -> None:
    """Equal values of the same types, down to field order, fields set, exponents and zones."""
    assert type(fast) is type(slow), (where, type(fast), type(slow))
    if isinstance(slow, BaseModel):
        assert isinstance(fast, BaseModel)
        assert list(fast.__dict__) == list(slow.__dict__), where
        assert fast.model_fields_set == slow.model_fields_set, where
        assert fast.__pydantic_extra__ == slow.__pydantic_extra__, where
        assert fast.__pydantic_private__ == slow.__pydantic_private__, where
        for name, value in slow.__dict__.items():
            assert_same(fast.__dict__[name], value, f"{where}.{name}")
    elif isinstance(slow, tuple | list):
        assert isinstance(fast, tuple | list)
        assert len(fast) == len(slow), where
        for index, (mine, theirs) in enumerate(zip(fast, slow, strict=True)):
            assert_same(mine, theirs, f"{where}[{index}]")
    elif isinstance(slow, dict):
        assert isinstance(fast, dict)
        assert list(fast) == list(slow), where
        for key, value in slow.items():
            assert_same(fast[key], value, f"{where}[{key!r}]")
    elif isinstance(slow, Decimal):
        assert str(fast) == str(slow), where
    elif isinstance(slow, datetime):
        assert isinstance(fast, datetime)
        assert (fast, fast.tzinfo, fast.utcoffset()) == (slow, slow.tzinfo, slow.utcoffset())
    else:
        assert fast == slow, where


def assert_equivalent(fast: Outcome, slow: Outcome) -> None:
    if isinstance(slow, X12Error):
        assert isinstance(fast, X12Error), fast
        assert type(fast) is type(slow)
        assert str(fast) == str(slow)
        assert fast.position == slow.position
        for code in ("set_code", "segment_code", "element_code", "bad_value"):
            assert getattr(fast, code) == getattr(slow, code), code
        return
    assert isinstance(fast, PurchaseOrder), fast
    assert_same(fast, slow)
    assert fast == slow
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast.model_dump(exclude_unset=True) == slow.model_dump(exclude_unset=True)


def _only_set(data: bytes) -> TransactionSet:
    found = sets_of(events(data))
    assert len(found) == 1
    return found[0]


def test_the_fast_path_is_enabled_for_the_current_model() -> None:
    """Fails when schemas/ changed the order models: review `_850_fast`, then the fingerprint."""
    assert _850_fast.schema_fingerprint().startswith(_850_fast.SCHEMA_FINGERPRINT)
    assert _850_fast.enabled()


@pytest.mark.parametrize("tz", [UTC, ZoneInfo("America/New_York")], ids=["utc", "new-york"])
@pytest.mark.parametrize("usage", ["P", "T"])
def test_plain_orders_take_the_fast_path_and_match_validation(
    monkeypatch: pytest.MonkeyPatch, tz: tzinfo, usage: str
) -> None:
    extra = ["TXI*ST*1.50", "SAC*C*D240***1250", "NTE*GEN*leave at dock", "DTM*010*20260120"]
    line_extra = ["REF*PD*L1", "TC2*UN*43211503", "SCH*1*EA***002*20260210*1015"]
    segments = order_segments(lines=3, extra_header=extra, line_extra=line_extra)
    fast, slow, took_fast_path = both(
        _only_set(interchange([segments], usage=usage)), tz=tz, monkeypatch=monkeypatch
    )
    assert took_fast_path
    assert_equivalent(fast, slow)


EDGE_CASES = {
    "blank around a PO1 id": ("PO1*2*2*EA*1.25**VN* SKU-1 *BP*B-1", None),
    "blank qualifier": ("PO1*2*2*EA*1.25** *SKU-1", None),
    "tab in a description": ("PID*F****WIDGET\tBLUE", None),
    "control character in a part id": ("PO1*2*2*EA*1.25**VN*SKU\x01", None),
    "non-ASCII name": ("N1*BY*M\u00fcller GmbH*92*0001", None),
    "undecodable byte": ("N1*BY*M#FF#LLER*92*0001", None),
    "zero quantity": ("PO1*2*0*EA*1.25**VN*SKU-1", None),
    "negative price": ("PO1*2*2*EA*-1.25**VN*SKU-1", None),
    "duplicate line number": ("PO1*1*2*EA*1.25**VN*SKU-2", "dup"),
    "part id of 256 characters": ("PO1*2*2*EA*1.25**VN*" + "S" * 256, None),
    "unit of 36 characters": ("PO1*2*2*" + "E" * 36 + "*1.25**VN*SKU-1", None),
    "lower-case currency": ("CUR*BY*eur", "header"),
    "three-digit country": ("N4*JOLIET*IL*60431*USA", "header"),
    "order id of 256 characters": ("BEG*00*SA*" + "P" * 256 + "**20260115", "beg"),
    "delete without lines": ("BEG*01*SA*PO-9**20260115", "delete"),
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_cases_give_what_validation_gives(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    segment, kind = EDGE_CASES[name]
    if kind in {"beg", "delete"}:
        segments = order_segments(lines=0 if kind == "delete" else 1, beg=segment)
        if kind == "delete":
            segments = [s for s in segments if not s.startswith(("CTT", "AMT"))]
            segments[-1] = f"SE*{len(segments)}*0001"
    elif kind == "header":
        segments = order_segments(lines=1, extra_header=[segment])
    elif kind == "dup":
        segments = order_segments(lines=1, line_extra=[segment])
        segments = [s for s in segments if not s.startswith("CTT")]
        segments[-1] = f"SE*{len(segments)}*0001"
    else:
        segments = order_segments(lines=1, line_extra=[segment])
        segments = [s for s in segments if not s.startswith("CTT")]
        segments[-1] = f"SE*{len(segments)}*0001"
    data = interchange([segments]).replace(b"#FF#", b"\xff")
    fast, slow, _ = both(_only_set(data), monkeypatch=monkeypatch)
    assert_equivalent(fast, slow)


def test_a_control_character_element_separator_falls_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = interchange([order_segments(lines=2)], element="\x1d")
    fast, slow, took_fast_path = both(_only_set(data), monkeypatch=monkeypatch)
    assert not took_fast_path
    assert isinstance(fast, PurchaseOrder)
    assert_equivalent(fast, slow)


class _NoOffset(tzinfo):
    """A zone that does not know its offset: `AwareDatetime` refuses its dates."""

    def utcoffset(self, dt: datetime | None) -> None:
        return None

    def dst(self, dt: datetime | None) -> None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        return "??"


def test_a_zone_without_offset_gives_what_validation_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = interchange([order_segments(lines=1)])
    fast, slow, took_fast_path = both(_only_set(data), tz=_NoOffset(), monkeypatch=monkeypatch)
    assert not took_fast_path
    assert isinstance(slow, X12Error)
    assert_equivalent(fast, slow)


@pytest.mark.parametrize("sender", ["M\u00fcLLER", "BUY#FF#ER"], ids=["non-ascii", "undecodable"])
def test_odd_isa_ids_give_what_validation_gives(
    monkeypatch: pytest.MonkeyPatch, sender: str
) -> None:
    data = interchange([order_segments(lines=1)], sender=sender).replace(b"#FF#", b"\xff")
    fast, slow, took_fast_path = both(_only_set(data), monkeypatch=monkeypatch)
    assert not took_fast_path
    assert_equivalent(fast, slow)


def test_an_order_type_map_with_blanks_gives_what_validation_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rules = X12InboundRules(order_types={"SA": " stand-alone "})
    fast, slow, took_fast_path = both(
        _only_set(interchange([order_segments(lines=1)])), rules, monkeypatch=monkeypatch
    )
    assert not took_fast_path
    assert isinstance(slow, PurchaseOrder)
    assert slow.order_type == "stand-alone"
    assert_equivalent(fast, slow)


def test_the_shared_samples_give_what_validation_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted(path for path in Path(SAMPLES_DIR).rglob("*") if path.is_file())
    orders = fast_orders = 0
    for path in files:
        try:
            items = events(path.read_bytes())
        except X12Error:
            continue
        for transaction_set in sets_of(items):
            if transaction_set.set_id != "850":
                continue
            orders += 1
            for tz in (UTC, ZoneInfo("America/New_York")):
                fast, slow, took_fast_path = both(transaction_set, tz=tz, monkeypatch=monkeypatch)
                assert_equivalent(fast, slow)
                fast_orders += took_fast_path
    assert orders >= 5
    assert fast_orders > 0


_ODD = "\t\x01\x7f\u00e9\u00a4"
"""Characters that keep an order off the fast path; `\u00a4` becomes the undecodable byte 0xFF."""
_PLAIN_TEXT = st.text(alphabet=st.sampled_from(list("AZaz09.-/# ")), min_size=1, max_size=6)
_ODD_TEXT = st.text(alphabet=st.sampled_from(list("AZaz09 .-/#" + _ODD)), max_size=6)
_GOOD_NUMBER = st.sampled_from(["1", "2", "2.5", ".5", "1.", "007", "12.340"])
_ANY_NUMBER = st.sampled_from(["1", "2", "0", "-1", "2.5", ".5", "1.", "", " 3", "1e3", "x"])
_DATE = st.sampled_from(["20260115", "260115", "20261332", "2026011", "", " 20260115"])
_QUALIFIER = st.sampled_from(["VN", "BP", "UP", "IN", "", " ", "VP", "SK"])


@st.composite
def _orders(draw: st.DrawFn) -> tuple[bytes, str]:
    """An interchange with one 850: plain text and numbers, or anything (then mostly refused
    or validated, which must not change the outcome either)."""
    odd = draw(st.booleans())
    texts, numbers = (_ODD_TEXT, _ANY_NUMBER) if odd else (_PLAIN_TEXT, _GOOD_NUMBER)
    dates = _DATE if odd else st.sampled_from(["20260115", "260115"])
    currencies = ["USD", "eur", "EU", "US D", "ÜSD"] if odd else ["USD", "EUR"]
    units = ["EA", "", "CS", " EA"] if odd else ["EA", "CS"]
    qualifiers = _QUALIFIER if odd else st.sampled_from(["VN", "BP", "UP", "VP", "SK"])

    def text() -> str:
        return draw(texts)

    lines = draw(st.integers(min_value=0 if odd else 1, max_value=4))
    country = draw(st.sampled_from(["US", "us", "U", "USA", ""]))
    header = [
        f"BEG*{draw(st.sampled_from(['00', '01', '05', '07']))}*SA*"
        f"{draw(st.one_of(st.just('PO-1'), texts))}**{draw(dates)}",
        f"CUR*BY*{draw(st.sampled_from(currencies))}",
        f"REF*{text()}*{text()}",
        f"PER*BD*{text()}*TE*{text()}*EM*{text()}",
        f"DTM*{draw(st.sampled_from(['002', '010', '']))}*{draw(dates)}",
        f"N1*{draw(st.sampled_from(['BY', 'ST', 'SU', 'BT']))}*{text()}*92*{text()}",
        f"N3*{text()}*{text()}",
        f"N4*{text()}*{text()}*{text()}*{country}",
        f"NTE*GEN*{text()}",
    ]
    body: list[str] = []
    for number in range(1, lines + 1):
        numbers_seen = [str(number), "1", "0", "", "A1"] if odd else [str(number)]
        line_number = draw(st.sampled_from(numbers_seen))
        pairs = "*".join(f"{draw(qualifiers)}*{text()}" for _ in range(draw(st.integers(0, 3))))
        unit = draw(st.sampled_from(units))
        body += [
            f"PO1*{line_number}*{draw(numbers)}*{unit}*{draw(numbers)}**{pairs}",
            f"PID*F****{text()}",
            f"REF*{text()}*{text()}",
            f"DTM*002*{draw(dates)}",
            f"TC2*{text()}*{text()}",
        ]
    summary = [f"CTT*{lines}", f"AMT*TT*{draw(numbers)}"]
    segments = ["ST*850*0001", *header, *body, *summary]
    segments.append(f"SE*{len(segments) + 1}*0001")
    usage = draw(st.sampled_from(["P", "T"]))
    data = interchange([segments], usage=usage).replace("\u00a4".encode(), b"\xff")
    return data, draw(st.sampled_from(["UTC", "America/Chicago"]))


def test_generated_850s_give_what_validation_gives() -> None:
    took: list[bool] = []

    @settings(max_examples=400, deadline=None)
    @given(_orders())
    def check(case: tuple[bytes, str]) -> None:
        data, zone = case
        tz: tzinfo = UTC if zone == "UTC" else ZoneInfo(zone)
        with pytest.MonkeyPatch.context() as monkeypatch:
            for transaction_set in sets_of(events(data)):
                fast, slow, took_fast_path = both(transaction_set, tz=tz, monkeypatch=monkeypatch)
                assert_equivalent(fast, slow)
                took.append(took_fast_path)

    check()
    assert sum(took) >= 40, f"only {sum(took)} of {len(took)} generated orders took the fast path"
    assert not all(took)
