"""INVRPT and PRICAT out and back: exact segments, our readers' round trip (property-based,
whatever separators and decimal mark the partner uses), and pydifact as an independent parser.

pydifact 0.2.3 parses every interchange we write (UNA, release characters, composites); its
segments (tag, elements, components) must equal what our reader split, and the values the
feeds are about (ids, quantities, prices, dates) are checked in its output directly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.formats.edifact import (
    ControlReferences,
    EdifactOutboundRules,
    EdifactPartnerSettings,
    EdifactSyntaxError,
    EdifactUnsupportedError,
    Message,
    ServiceCharacters,
    build_document,
    encode_pricat,
    read_invrpt,
    read_pricat,
)
from schemas.catalog import PriceCatalog
from schemas.inventory import InventorySnapshot
from tests.unit.edifact.edifact_support import NOW, interchange, messages, pydifact_segments
from tests.unit.x12.feed_strategies import catalogs, snapshots, zones
from tests.unit.x12.test_x12_feeds import catalog, snapshot

REFERENCES = ControlReferences(interchange=42, message=42)
SERVICE = [
    ServiceCharacters(),
    ServiceCharacters(decimal=","),
    ServiceCharacters(component="=", element="*", release="!", terminator="~", suffix="\n"),
]


def _settings(**overrides: object) -> EdifactPartnerSettings:
    values: dict[str, object] = {
        "our_id": "8711576000012",
        "our_qualifier": "14",
        "partner_id": "5412345000013",
        "partner_qualifier": "14",
    }
    values.update(overrides)
    return EdifactPartnerSettings.model_validate(values)


def _message(data: bytes) -> Message:
    (message,) = messages(data)
    assert message.accepted, message.errors
    return message


def _as_pydifact(message: Message) -> list[tuple[str, list[object]]]:
    """Our reader's segments in pydifact's shape: a simple element is a string, a composite a
    list of its components."""
    return [
        (s.tag, [c[0] if len(c) == 1 else list(c) for c in s.elements]) for s in message.segments
    ]


def _independently_parsed(data: bytes) -> list[tuple[str, list[object]]]:
    parsed = pydifact_segments(data)
    ours = _as_pydifact(_message(data))
    assert parsed == ours
    return parsed


def test_pricat_segments() -> None:
    data = build_document(catalog(), _settings(), references=REFERENCES, now=NOW).data
    body = data.decode().split("'")
    assert body[2:-2] == [
        "UNH+42+PRICAT:D:96A:UN",
        "BGM+9+CAT-1+9",
        "DTM+137:202603010930:203",
        "FTX+ZZZ+++Spring prices",
        "CUX+2:EUR:8",
        "LIN+1+1+012345678905:EN",
        "PIA+5+SKU-1:SK+V-1:SA",
        "IMD+F++:::Blue widget",
        "QTY+59:1:EA",
        "PRI+AAA:9.5::::EA",
        "QTY+53:1:EA",
        "PRI+AAA:8.75::::EA",
        "QTY+53:10:EA",
        "CUX+2:USD:8",
        "DTM+194:20260101:102",
        "DTM+206:20261231:102",
        "LIN+2+2",
        "PIA+5+B-2:IN",
        "IMD+F++:::Old widget",
        "QTY+59:1:KGM",
        "CNT+2:2",
        "UNT+22+42",
    ]


def test_invrpt_segments() -> None:
    data = build_document(snapshot(), _settings(), references=REFERENCES, now=NOW).data
    assert data.decode().split("'")[3:-3] == [
        "BGM+35+STOCK-1+9",
        "DTM+137:202603010930:203",
        "LIN+1",
        "PIA+5+SKU-1:SK",
        "LOC+18+DC1",
        "QTY+145:12:EA",
        "QTY+198:10:EA",
        "LIN+2",
        "PIA+5+SKU-1:SK",
        "LOC+18+DC2",
        "QTY+145:3:EA",
        "LIN+3",
        "PIA+5+B-9:IN",
        "QTY+145:-1.5:KGM",
        "CNT+2:3",
    ]


def test_changes_only_catalogue_long_texts_and_partner_codes() -> None:
    rules = EdifactOutboundRules(units={"KGM": "KG"}, gtin_type="SRV", item_deleted_code="3")
    rules = rules.model_copy(update={"item_changed_code": "4"})
    long_name = "Seasonal prices for the northern region " * 10
    changes = catalog().model_copy(update={"full": False, "name": long_name.strip()})
    segments = encode_pricat(changes, _settings(outbound=rules)).segments
    assert segments[0] == ("BGM", ("9",), "CAT-1", "4")
    assert [s[0] for s in segments].count("FTX") == 2
    assert ("LIN", "1", "4", ("012345678905", "SRV")) in segments
    data = build_document(changes, _settings(outbound=rules), references=REFERENCES, now=NOW).data
    assert read_pricat(_message(data), rules) == changes


@pytest.mark.parametrize("service", SERVICE)
@pytest.mark.parametrize("make", [catalog, snapshot])
def test_feeds_read_back_and_parse_with_pydifact(
    make: Callable[[], PriceCatalog | InventorySnapshot], service: ServiceCharacters
) -> None:
    document = make()
    data = build_document(
        document, _settings(service_characters=service), references=REFERENCES, now=NOW
    ).data
    parsed = _independently_parsed(data)
    if isinstance(document, PriceCatalog):
        assert read_pricat(_message(data)) == document
        prices = [str(e[0][1]) for tag, e in parsed if tag == "PRI"]  # type: ignore[index]
        assert [p.replace(",", ".") for p in prices] == ["9.5", "8.75"]
    else:
        assert read_invrpt(_message(data)) == document
        quantities = [e[0] for tag, e in parsed if tag == "QTY"]
        on_hand = [str(q[1]) for q in quantities if q[0] == "145"]  # type: ignore[index]
        assert [q.replace(",", ".") for q in on_hand] == ["12", "3", "-1.5"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=catalogs(), tz=zones, service=st.sampled_from(SERVICE))
def test_any_catalogue_round_trips_and_pydifact_agrees(
    document: PriceCatalog, tz: tzinfo, service: ServiceCharacters
) -> None:
    settings_ = _settings(service_characters=service)
    data = build_document(document, settings_, references=REFERENCES, now=NOW, tz=tz).data
    assert read_pricat(_message(data), tz=tz) == document
    parsed = _independently_parsed(data)
    assert sum(tag == "LIN" for tag, _ in parsed) == len(document.items)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=snapshots(), service=st.sampled_from(SERVICE))
def test_any_snapshot_round_trips_and_pydifact_agrees(
    document: InventorySnapshot, service: ServiceCharacters
) -> None:
    rules = EdifactOutboundRules(units={"KGM": "KG"})
    settings_ = _settings(service_characters=service, outbound=rules)
    data = build_document(document, settings_, references=REFERENCES, now=NOW).data
    assert read_invrpt(_message(data), rules) == document
    parsed = _independently_parsed(data)
    assert sum(tag == "LIN" for tag, _ in parsed) == len(document.items)


def _read(*body: str, message_type: str = "PRICAT:D:96A:UN") -> Message:
    return _message(interchange(list(body), message_type=message_type))


def test_readers_refuse_other_messages_and_say_where() -> None:
    with pytest.raises(EdifactUnsupportedError, match="expected a INVRPT"):
        read_invrpt(_read("BGM+9+C-1+9"))
    with pytest.raises(EdifactSyntaxError, match="not a number") as bad:
        read_pricat(
            _read(
                "BGM+9+C-1+9",
                "DTM+137:202603010930:203",
                "CUX+2:EUR:8",
                "LIN+1+1",
                "PIA+5+A:SK",
                "IMD+F++:::Thing",
                "PRI+AAA:9X",
            )
        )
    assert (bad.value.position.segment_index, bad.value.position.element) == (8, 1)
    with pytest.raises(EdifactSyntaxError, match="CNT 2 says 2"):
        read_invrpt(
            _read(
                "BGM+35+S-1+9",
                "DTM+137:202603010930:203",
                "LIN+1",
                "PIA+5+A:SK",
                "QTY+145:1:EA",
                "CNT+2:2",
                message_type="INVRPT:D:96A:UN",
            )
        )


def test_model_refusals_are_located_at_the_item() -> None:
    with pytest.raises(EdifactSyntaxError, match="at least one price") as priceless:
        read_pricat(
            _read(
                "BGM+9+C-1+9",
                "DTM+137:202603010930:203",
                "LIN+1+1",
                "PIA+5+A:SK",
                "IMD+F++:::A",
                "QTY+59:1:EA",
            )
        )
    assert priceless.value.position.segment_index == 4
    with pytest.raises(EdifactSyntaxError, match="names its item"):
        read_invrpt(
            _read(
                "BGM+35+S-1+9",
                "DTM+137:202603010930:203",
                "LIN+1",
                "QTY+145:1:EA",
                message_type="INVRPT:D:96A:UN",
            )
        )
