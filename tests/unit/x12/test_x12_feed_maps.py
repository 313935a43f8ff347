"""846 and 832 validated by pyx12 against maps of the X12 standard, not only its envelope.

`tests/support/pyx12_maps.py` builds, at test time, pyx12 maps of the 846 and 832 as our writer
emits them (segments, loops, repeats, requirements, data element types and lengths, the codes
we write) for 004010, 004010VICS and 005010. Every sample and every generated feed document is
run through pyx12's `x12n_document`; a clean one must come back accepted (997 `AK5*A` /
`AK9*A`; the error tree's set and group codes `A`). The broken ones below prove the maps fail
what the standard does not allow.

What the canonical model still lets through to the writer (over-long names, a one-character
location, an 846 without items) is spelled out in `known_deviations`: the generated documents
must show exactly those errors and no other, so a new deviation and a fix are both noticed.
The maps found four writer errors, fixed since: CUR before DTM in the 832's CTP loop, N1
before QTY in the 846's LIN loop, `PCB` (no X12 code) as the default price identifier, and
hash totals written as arithmetic sums.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import tzinfo
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.formats.x12 import (
    OutboundGroup,
    X12OutboundRules,
    X12PartnerSettings,
    build_document,
    build_interchange,
    encode_document,
)
from schemas.catalog import PriceCatalog
from schemas.inventory import InventorySnapshot
from tests.support.pyx12_maps import Pyx12Verdict, build_feed_maps, validate
from tests.unit.x12.feed_strategies import catalogs, snapshots, zones
from tests.unit.x12.test_x12_feeds import NUMBERS, VERSIONS, catalog, snapshot
from tests.unit.x12.x12_support import NOW

X12_UNITS = {"KGM": "KG", "H87": "PC", "PCE": "PC", "MTR": "MR"}
"""UN/ECE -> X12 355 units, as a partner profile maps them (the writer passes units as given)."""

PARTNER = X12OutboundRules(units=X12_UNITS)
"""A partner's rules: its unit codes; every other code the writer's default."""


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The feed map directories (one per ISA12), built once for this module."""
    logger = logging.getLogger("pyx12")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # pyx12 logs every error it also reports
    yield build_feed_maps(tmp_path_factory.mktemp("pyx12-maps"))
    logger.setLevel(level)


def _settings(version: tuple[str, str], rules: X12OutboundRules = PARTNER) -> X12PartnerSettings:
    return X12PartnerSettings.model_validate(
        {
            "our_qualifier": "ZZ",
            "our_id": "SELLER",
            "partner_qualifier": "01",
            "partner_id": "123456789",
            "interchange_version": version[0],
            "release": version[1],
            "outbound": rules,
        }
    )


def _pairs(verdict: Pyx12Verdict) -> Counter[tuple[str, str]]:
    return Counter((error.where, error.code) for error in verdict.errors)


def assert_accepted(verdict: Pyx12Verdict, release: str) -> None:
    """pyx12 found nothing: valid, no error anywhere, the set and group accepted."""
    assert verdict.errors == (), verdict.errors
    assert verdict.valid
    assert (verdict.set_codes, verdict.group_codes) == (("A",), ("A",))
    if release.startswith("004010"):
        acks = [s for s in verdict.ack_segments if s.startswith(("AK5", "AK9"))]
        assert acks == ["AK5*A", "AK9*A*1*1*1"], verdict.ack


def assert_rejected(verdict: Pyx12Verdict, *expected: tuple[str, str]) -> None:
    """pyx12 rejected the set and reported each of `expected` (where, code)."""
    assert not verdict.valid
    assert verdict.set_codes == ("R",)
    found = _pairs(verdict)
    for pair in expected:
        assert found[pair], (pair, verdict.errors)


def _segments(data: bytes) -> list[list[str]]:
    text = data.decode()
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


def known_deviations(data: bytes) -> Counter[tuple[str, str]]:
    """The errors pyx12 must report in `data` for what the writer is known to get wrong.

    - 846 without items: no LIN loop, which the 846 requires (3).
    - Values the canonical model allows and the writer passes on: BCT02 (684) over 15, BCT09 /
      PID05 (352) over 80 characters, N104 (67) under 2 (5 too long, 4 too short).

    (The writer's CUR before DTM in the 832's CTP loop, N1 before QTY in the 846's LIN loop, the
    `PCB` price identifier and hash totals that were sums were fixed; the tests above prove it.)
    """
    found: Counter[tuple[str, str]] = Counter()
    set_id, lins = "", 0
    for segment in _segments(data):
        tag = segment[0]
        if tag == "ST":
            set_id, lins = segment[1], 0
        elif tag == "SE" and set_id == "846" and lins == 0:
            found["LIN", "3"] += 1
        elif tag == "LIN":
            lins += 1
        found.update(_value_deviations(segment))
    return found


LIMITS = {("BCT", 2): 15, ("BCT", 9): 80, ("PID", 5): 80}
"""Maximum lengths of the elements the canonical model lets grow longer."""


def _value_deviations(segment: list[str]) -> list[tuple[str, str]]:
    tag = segment[0]
    found = [
        (f"{tag}{index:02d}", "5")
        for (limited, index), limit in LIMITS.items()
        if tag == limited and len(segment) > index and len(segment[index]) > limit
    ]
    if tag == "N1" and len(segment) > 4 and len(segment[4]) < 2:
        found.append(("N104", "4"))
    return found


def _check(verdict: Pyx12Verdict, data: bytes, release: str) -> None:
    expected = known_deviations(data)
    assert _pairs(verdict) == expected, (verdict.errors, data.decode())
    if not expected:
        assert_accepted(verdict, release)


# --- the samples ---------------------------------------------------------------------------


def clean_catalog() -> PriceCatalog:
    """The sample catalogue without the tier the writer gets wrong (a second currency with a
    validity period): tiers in the header currency with and without a period, a tier in a
    second currency without one, a withdrawn item."""
    document = catalog()
    tiers = [
        {"unit_price": "9.50", "currency": "EUR"},
        {
            "unit_price": "8.75",
            "currency": "EUR",
            "min_quantity": "10",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
        },
        {"unit_price": "9.95", "currency": "USD"},
    ]
    item = {**document.items[0].model_dump(), "prices": tiers}
    return PriceCatalog.model_validate(
        {**document.model_dump(), "items": [item, document.items[1].model_dump()]}
    )


@pytest.mark.parametrize("version", VERSIONS, ids=[v[1] for v in VERSIONS])
@pytest.mark.parametrize("make", [clean_catalog, snapshot])
def test_the_samples_pass_the_standard(
    maps: dict[str, Path],
    make: Callable[[], PriceCatalog | InventorySnapshot],
    version: tuple[str, str],
) -> None:
    data = build_document(make(), _settings(version), numbers=NUMBERS, now=NOW).data
    assert_accepted(validate(data, maps), version[1])


def test_a_5010_set_with_st03_gets_an_accepting_999(maps: dict[str, Path]) -> None:
    """pyx12's 999 writer needs ST03 (shared/reference/x12.md §1.4); with it the 999 accepts."""
    settings_ = _settings(("00501", "005010"))
    body = dataclasses.replace(
        encode_document(snapshot(), settings_.outbound), implementation_reference="005010"
    )
    data = build_interchange(
        [OutboundGroup("IB", (body,))], settings_, numbers=NUMBERS, now=NOW
    ).data
    verdict = validate(data, maps)
    assert_accepted(verdict, "005010")
    assert [s for s in verdict.ack_segments if s.startswith(("AK2", "IK5", "AK9"))] == [
        "AK2*846*0007*005010",
        "IK5*A",
        "AK9*A*1*1*1",
    ]


def test_the_sample_catalogue_with_a_dated_second_currency_tier(maps: dict[str, Path]) -> None:
    data = build_document(catalog(), _settings(VERSIONS[0]), numbers=NUMBERS, now=NOW).data
    assert_accepted(validate(data, maps), VERSIONS[0][1])


def test_the_sample_snapshot_with_n1_locations(maps: dict[str, Path]) -> None:
    rules = PARTNER.model_copy(update={"location_style": "N1"})
    data = build_document(snapshot(), _settings(VERSIONS[0], rules), numbers=NUMBERS, now=NOW)
    assert_accepted(validate(data.data, maps), VERSIONS[0][1])


def test_the_default_rules_write_a_valid_price_identifier(maps: dict[str, Path]) -> None:
    rules = X12OutboundRules(units=X12_UNITS)
    data = build_document(clean_catalog(), _settings(VERSIONS[0], rules), numbers=NUMBERS, now=NOW)
    assert_accepted(validate(data.data, maps), VERSIONS[0][1])


# --- every generated document --------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=catalogs(), tz=zones, version=st.sampled_from(VERSIONS))
def test_any_catalogue_passes_but_for_the_known_deviations(
    maps: dict[str, Path], document: PriceCatalog, tz: tzinfo, version: tuple[str, str]
) -> None:
    data = build_document(document, _settings(version), numbers=NUMBERS, now=NOW, tz=tz).data
    _check(validate(data, maps), data, version[1])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    document=snapshots(), style=st.sampled_from(["REF", "N1"]), version=st.sampled_from(VERSIONS)
)
def test_any_snapshot_passes_but_for_the_known_deviations(
    maps: dict[str, Path], document: InventorySnapshot, style: str, version: tuple[str, str]
) -> None:
    rules = PARTNER.model_copy(update={"location_style": style})
    data = build_document(document, _settings(version, rules), numbers=NUMBERS, now=NOW).data
    _check(validate(data, maps), data, version[1])


# --- the maps fail what the standard does not allow ---------------------------------------


def _broken(document: PriceCatalog | InventorySnapshot, old: str, new: str, **kw: str) -> bytes:
    version = (kw.get("icvn", "00401"), kw.get("release", "004010"))
    data = build_document(document, _settings(version), numbers=NUMBERS, now=NOW).data.decode()
    assert old in data
    return data.replace(old, new, 1).encode()


@pytest.mark.parametrize("version", VERSIONS, ids=[v[1] for v in VERSIONS])
def test_a_broken_846_is_rejected(maps: dict[str, Path], version: tuple[str, str]) -> None:
    icvn, release = version
    no_id = _broken(snapshot(), "LIN*2*SK*SKU-1~", "LIN*2~", icvn=icvn, release=release)
    assert_rejected(validate(no_id, maps), ("LIN02", "1"), ("LIN03", "1"))
    bad_code = _broken(snapshot(), "QTY*33*10*EA", "QTY*99*10*EA", icvn=icvn, release=release)
    # a loop's first segment is matched by its qualifier code: QTY*99 is no QTY of the map
    assert_rejected(validate(bad_code, maps), ("QTY", "1"))
    bad_unit = _broken(snapshot(), "QTY*17*3*EA", "QTY*17*3*KGM", icvn=icvn, release=release)
    assert_rejected(validate(bad_unit, maps), ("QTY03-01", "5"), ("QTY03-01", "7"))
    # a QTY in the header, before any LIN
    data = build_document(snapshot(), _settings(version), numbers=NUMBERS, now=NOW).data.decode()
    header_dtm = next(s for s in data.split("~") if s.strip().startswith("DTM*"))
    qty_first = data.replace(header_dtm, header_dtm + "~QTY*17*1*EA", 1)
    qty_first = qty_first.replace("SE*14*", "SE*15*")
    assert_rejected(validate(qty_first.encode(), maps), ("QTY", "1"))


@pytest.mark.parametrize("version", VERSIONS, ids=[v[1] for v in VERSIONS])
def test_a_broken_832_is_rejected(maps: dict[str, Path], version: tuple[str, str]) -> None:
    icvn, release = version
    sample = clean_catalog()
    bad_purpose = _broken(sample, "BCT*PC*", "BCT*ZZ*", icvn=icvn, release=release)
    # pyx12 matches a set's first segment by its code: BCT*ZZ is no BCT, so the header is missing
    assert_rejected(validate(bad_purpose, maps), ("BCT", "1"), ("BCT", "3"))
    no_currency = _broken(sample, "CUR*SE*EUR", "CUR*SE", icvn=icvn, release=release)
    assert_rejected(validate(no_currency, maps), ("CUR02", "1"))
    bad_currency = _broken(sample, "CUR*SE*EUR", "CUR*SE*EUX", icvn=icvn, release=release)
    assert_rejected(validate(bad_currency, maps), ("CUR02", "7"))
    bad_price = _broken(sample, "CTP**PBQ*9.5", "CTP**PCB*9.5", icvn=icvn, release=release)
    assert_rejected(validate(bad_price, maps), ("CTP02", "7"))
    long_id = _broken(
        sample, "BCT*PC*CAT-1*", "BCT*PC*CAT-1234567890123*", icvn=icvn, release=release
    )
    assert_rejected(validate(long_id, maps), ("BCT02", "5"))
    pid_after_po4 = _broken(
        sample,
        "PID*F****Old widget~PO4*1*1*KG",
        "PO4*1*1*KG~PID*F****Old widget",
        icvn=icvn,
        release=release,
    )
    assert_rejected(validate(pid_after_po4, maps), ("PID", "1"))


def test_an_846_without_items_is_rejected(maps: dict[str, Path]) -> None:
    empty = InventorySnapshot.model_validate({"snapshot_id": "S-0", "as_of": NOW, "items": []})
    data = build_document(empty, _settings(VERSIONS[0]), numbers=NUMBERS, now=NOW).data
    assert_rejected(validate(data, maps), ("LIN", "3"))
    assert known_deviations(data) == Counter({("LIN", "3"): 1})
