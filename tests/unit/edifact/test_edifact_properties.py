"""Property-based round trips: any value survives build -> read, whatever separators it holds,
in any chunking; and no byte sequence after a valid UNB makes the reader crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.formats.edifact import (
    ControlReferences,
    EdifactPartnerSettings,
    Message,
    OutboundMessage,
    ServiceCharacters,
    build_interchange,
)
from tests.unit.edifact.edifact_support import NOW, events

SERVICE = [
    ServiceCharacters(),
    ServiceCharacters(decimal=","),
    ServiceCharacters(component="=", element="*", release="!", terminator="~", suffix="\n"),
    ServiceCharacters(repetition="*", suffix="\r\n"),
]
VALUES = st.text(alphabet="AZaz09 +:'?*=~!,.-/()éÜß", min_size=1, max_size=30)


def _settings(service: ServiceCharacters, version: str) -> EdifactPartnerSettings:
    return EdifactPartnerSettings(
        our_id="SENDER+1",
        partner_id="RECIPIENT:2",
        syntax_version=version,
        service_characters=service,
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(VALUES, min_size=1, max_size=4),
    service=st.sampled_from(SERVICE),
    version=st.sampled_from(["3", "4"]),
    chunk=st.integers(min_value=1, max_value=64),
)
def test_values_with_separators_and_release_characters_survive(
    values: list[str], service: ServiceCharacters, version: str, chunk: int
) -> None:
    segments = tuple(("FTX", "AAI", "", "", (value, "X")) for value in values)
    message = OutboundMessage("ORDRSP", (("BGM", "231", values[0]), *segments))
    written = build_interchange(
        [message], _settings(service, version), references=ControlReferences("R?'1"), now=NOW
    )
    data = written.data
    pieces = [data[i : i + chunk] for i in range(0, len(data), chunk)]
    read = events(pieces)
    (found,) = [e for e in read if isinstance(e, Message)]
    assert found.accepted, found.errors
    assert found.segments[1].get(2) == values[0]
    assert [s.element(4) for s in found.segments[2:-1]] == [(value, "X") for value in values]
    header = found.interchange
    assert (header.sender_id, header.recipient_id, header.control_reference) == (
        "SENDER+1",
        "RECIPIENT:2",
        "R?'1",
    )
    assert not read[-1].notes  # type: ignore[union-attr]


@settings(max_examples=150, deadline=None)
@given(tail=st.binary(max_size=300))
def test_no_bytes_after_a_valid_unb_crash_the_reader(tail: bytes) -> None:
    data = b"UNA:+.? 'UNB+UNOC:3+S+R+260301:0930+1'UNH+1+ORDERS:D:96A:UN'" + tail
    read = events(data)
    assert read
    assert type(read[0]).__name__ == "InterchangeHeader"
    assert type(read[-1]).__name__ in {"InterchangeEnd", "InterchangeFailure"}
