"""The envelope `parse_cxml` reads: ids, header credentials, payload kind; secrets stay hidden."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from connectors.formats.cxml import Credential, CxmlHeader, parse_cxml


def test_order_request_envelope(make_order: Callable[..., bytes], order_secret: str) -> None:
    document = parse_cxml(make_order(mode="test"))
    assert document.payload_id == "1763835000000.42.abc@buyer.example"
    assert document.timestamp == datetime(
        2026, 11, 22, 10, 30, tzinfo=timezone(timedelta(hours=-8))
    )
    assert (document.kind, document.deployment_mode) == ("OrderRequest", "test")
    assert (document.version, document.lang) == (None, "en-US")
    assert document.root.tag == "cXML"
    assert document.header == CxmlHeader(
        from_=(Credential("NetworkID", "AN01000000001"),),
        to=(Credential("DUNS", "123456789"),),
        sender=(Credential("NetworkID", "AN01000000001", order_secret),),
        user_agent="Test Buyer 1.0",
    )
    assert order_secret not in repr(document)


def test_credential_repr_hides_the_secret() -> None:
    credential = Credential("NetworkID", "AN01", "hunter2")
    assert "hunter2" not in repr(credential)
    assert "hunter2" not in str(credential)
    assert credential.shared_secret == "hunter2"


@pytest.mark.parametrize(
    ("domain", "identity", "expected"),
    [
        ("NetworkID", "AN01", True),
        ("networkid", "AN01", True),
        ("NETWORKID ", " AN01", True),
        ("NetworkID", "an01", False),
        ("DUNS", "AN01", False),
    ],
)
def test_credential_matches_domain_case_insensitively(
    domain: str, identity: str, expected: bool
) -> None:
    assert Credential("NetworkId", "AN01").matches(domain, identity) is expected


def test_missing_timestamp_is_none_and_naive_timestamp_takes_default_zone() -> None:
    body = b'<cXML payloadID="1"><Response><Status code="200" text="OK"/></Response></cXML>'
    assert parse_cxml(body).timestamp is None
    body = body.replace(b'payloadID="1"', b'payloadID="1" timestamp="2026-11-22 10:30:00"')
    tz = timezone(timedelta(hours=3))
    assert parse_cxml(body, default_tz=tz).timestamp == datetime(2026, 11, 22, 10, 30, tzinfo=tz)
    assert parse_cxml(body).timestamp == datetime(2026, 11, 22, 10, 30, tzinfo=UTC)


def test_message_kind_skips_the_status() -> None:
    body = (
        b'<cXML payloadID="1" timestamp="2026-11-22T10:30:00Z"><Header/>'
        b'<Message deploymentMode="test"><Status code="200" text="OK"/>'
        b"<PunchOutOrderMessage/></Message></cXML>"
    )
    document = parse_cxml(body)
    assert (document.kind, document.deployment_mode) == ("PunchOutOrderMessage", "test")
    assert document.header == CxmlHeader(from_=(), to=(), sender=(), user_agent=None)


@pytest.mark.parametrize(
    ("name", "kind", "has_header"),
    [
        ("officeluv-cxml-ruby/response_status_400.xml", "Response", False),
        ("officeluv-cxml-ruby/request_doc.xml", "ConfirmationRequest", True),
        ("officeluv-cxml-ruby/invoice_taxes_at_total.xml", "InvoiceDetailRequest", True),
        ("hscheffknecht-cxml-php/sample-PunchOutOrderMessage.xml", "PunchOutOrderMessage", True),
        (
            "carewell-punchout/tests__Fixtures__Cxml__setup_request.xml",
            "PunchOutSetupRequest",
            True,
        ),
    ],
)
def test_sample_kinds(samples_dir: Path, name: str, kind: str, has_header: bool) -> None:
    document = parse_cxml((samples_dir / name).read_bytes())
    assert document.kind == kind
    assert (document.header is not None) is has_header
