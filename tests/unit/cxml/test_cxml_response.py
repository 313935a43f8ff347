"""`build_response` output is DTD-valid for every vendored cXML version and parses back exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from connectors.formats.cxml import (
    DEFAULT_VERSION,
    CxmlStatus,
    DtdValidator,
    build_response,
    parse_cxml,
)

NOW = datetime(2026, 11, 22, 10, 30, 0, 123456, tzinfo=UTC)
AWKWARD = "Line 3: <Total> & \"Money\" 'currency' \u00fcber 5\u20ac \u65e5\u672c\tend"
STATUSES = [
    CxmlStatus.ok(),
    CxmlStatus.ok(AWKWARD),
    CxmlStatus.accepted(AWKWARD),
    CxmlStatus.bad_request(AWKWARD),
    CxmlStatus.unauthorized(AWKWARD),
    CxmlStatus.conflict(AWKWARD),
]


def _cxml_versions(dtd_dir: Path) -> list[str]:
    return sorted(p.parent.name for p in dtd_dir.glob("*/cXML.dtd"))


def test_the_shared_dtds_cover_several_versions(dtd_dir: Path) -> None:
    assert len(_cxml_versions(dtd_dir)) >= 7


@pytest.fixture(scope="module")
def cxml_dtds(dtd_dir: Path) -> dict[str, etree.DTD]:
    """Every vendored cXML.dtd by version, loaded once for the module."""
    return {
        version: etree.DTD(str(dtd_dir / version / "cXML.dtd"))
        for version in _cxml_versions(dtd_dir)
    }


@pytest.mark.parametrize("status", STATUSES, ids=lambda s: f"{s.code}-{bool(s.message)}")
def test_response_is_valid_against_every_cxml_dtd(
    cxml_dtds: dict[str, etree.DTD], status: CxmlStatus
) -> None:
    for version, dtd in cxml_dtds.items():
        body = build_response(status, payload_id="1.2.abc@hub", timestamp=NOW, version=version)
        root = parse_cxml(body).root
        assert dtd.validate(root), (version, str(dtd.error_log))


@pytest.mark.parametrize("status", STATUSES, ids=lambda s: f"{s.code}-{bool(s.message)}")
def test_response_parses_back_exactly(status: CxmlStatus) -> None:
    payload_id = 'id-with-"quotes"-<&>@hub'
    body = build_response(status, payload_id=payload_id, timestamp=NOW, lang="de-DE")
    document = parse_cxml(body)
    assert (document.kind, document.header) == ("Response", None)
    assert document.payload_id == payload_id
    assert document.timestamp == NOW.replace(microsecond=0)
    assert (document.version, document.lang) == (DEFAULT_VERSION, "de-DE")
    element = document.root.find("Response/Status")
    assert element is not None
    assert (element.get("code"), element.get("text")) == (str(status.code), status.text)
    assert (element.text or "") == status.message


def test_exact_bytes_of_a_simple_response() -> None:
    body = build_response(
        CxmlStatus.ok(), payload_id="p@h", timestamp=NOW.astimezone(timezone(timedelta(hours=-8)))
    )
    assert body == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.069/cXML.dtd">\n'
        b'<cXML payloadID="p@h" timestamp="2026-11-22T02:30:00-08:00" version="1.2.069"'
        b' xml:lang="en-US">\n'
        b'  <Response>\n    <Status code="200" text="OK" xml:lang="en-US"/>\n  </Response>\n'
        b"</cXML>\n"
    )


def test_characters_xml_cannot_carry_are_replaced() -> None:
    body = build_response(
        CxmlStatus.bad_request("nul\x00 bell\x07 surrogate\ud800 cr\r lf\n"),
        payload_id="p@h",
        timestamp=NOW,
    )
    status = parse_cxml(body).root.find("Response/Status")
    assert status is not None
    assert status.text == "nul\ufffd bell\ufffd surrogate\ufffd cr\r lf\n"


def test_response_validates_with_the_validator_too(dtd_dir: Path) -> None:
    body = build_response(CxmlStatus.conflict(AWKWARD), payload_id="p@h", timestamp=NOW)
    assert DtdValidator(dtd_dir).validate(body) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"version": "1.2"}, "version"),
        ({"version": '1.2.069"><x'}, "version"),
        ({"lang": "en US"}, "xml:lang"),
        ({"payload_id": " "}, "payloadID"),
        ({"timestamp": datetime(2026, 11, 22)}, "aware"),  # noqa: DTZ001 - the point of the test
    ],
)
def test_arguments_no_valid_document_can_carry_are_refused(
    kwargs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {"payload_id": "p@h", "timestamp": NOW, **kwargs}
    with pytest.raises(ValueError, match=message):
        build_response(CxmlStatus.ok(), **arguments)  # type: ignore[arg-type]


def test_status_code_must_have_three_digits() -> None:
    with pytest.raises(ValueError, match="three digits"):
        build_response(CxmlStatus(42, "Odd"), payload_id="p@h", timestamp=NOW)


@pytest.mark.parametrize(
    ("status", "code", "text"),
    [
        (CxmlStatus.ok(), 200, "OK"),
        (CxmlStatus.accepted(), 201, "Accepted"),
        (CxmlStatus.bad_request("m"), 400, "Bad Request"),
        (CxmlStatus.unauthorized("m"), 401, "Unauthorized"),
        (CxmlStatus.forbidden("m"), 403, "Forbidden"),
        (CxmlStatus.not_acceptable("m"), 406, "Not Acceptable"),
        (CxmlStatus.conflict("m"), 409, "Conflict"),
        (CxmlStatus.request_entity_too_large("m"), 413, "Request Entity Too Large"),
        (CxmlStatus.unsupported_media_type("m"), 415, "Unsupported Media Type"),
        (CxmlStatus.internal_server_error(), 500, "Internal Server Error"),
        (CxmlStatus.service_unavailable(), 503, "Service Unavailable"),
        (CxmlStatus.of(417, "m"), 417, "Expectation Failed"),
        (CxmlStatus.of(299), 299, "Status 299"),
    ],
)
def test_status_constructors(status: CxmlStatus, code: int, text: str) -> None:
    assert (status.code, status.text) == (code, text)


def test_status_classes() -> None:
    assert CxmlStatus.accepted().is_success
    assert not CxmlStatus.bad_request("m").is_success
    assert CxmlStatus.service_unavailable().is_retryable
    assert not CxmlStatus.conflict("m").is_retryable
