"""`OutboundEnvelope`: checked when made, written in DTD order, never showing the secret."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from connectors.formats.cxml import (
    Credential,
    OutboundCredential,
    OutboundEnvelope,
    build_confirmation_request,
    parse_cxml,
)
from schemas import ConfirmationType, OrderConfirmation, OrderReference

TOKYO = timezone(timedelta(hours=9))
SECRET = "s3cr3t-must-not-leak"


def _envelope(**changes: object) -> OutboundEnvelope:
    values: dict[str, object] = {
        "payload_id": "1.2.3@hub.example",
        "timestamp": datetime(2026, 12, 1, 18, 30, 5, tzinfo=TOKYO),
        "from_": (OutboundCredential("DUNS", "123456789"), OutboundCredential("NetworkID", "AN9")),
        "to": (OutboundCredential("NetworkID", "AN01000000001"),),
        "sender": OutboundCredential("NetworkID", "AN9"),
        "shared_secret": SECRET,
        "user_agent": "B2Connect 1.0",
    }
    values.update(changes)
    return OutboundEnvelope(**values)  # type: ignore[arg-type]


def _confirmation() -> OrderConfirmation:
    return OrderConfirmation(
        type=ConfirmationType.ACCEPT,
        notice_date=datetime(2026, 12, 1, tzinfo=TOKYO),
        order=OrderReference(order_id="PO-1", payload_id="po-1@buyer"),
    )


def test_the_envelope_reads_back_through_parse_cxml() -> None:
    envelope = _envelope(deployment_mode="test", lang="de-DE")
    document = parse_cxml(build_confirmation_request(_confirmation(), envelope))
    assert (document.payload_id, document.timestamp, document.version, document.lang) == (
        "1.2.3@hub.example",
        datetime(2026, 12, 1, 18, 30, 5, tzinfo=TOKYO),
        "1.2.069",
        "de-DE",
    )
    assert document.root.get("timestamp") == "2026-12-01T18:30:05+09:00"
    assert document.deployment_mode == "test"
    assert document.header is not None
    assert document.header.from_ == (
        Credential("DUNS", "123456789"),
        Credential("NetworkID", "AN9"),
    )
    assert document.header.to == (Credential("NetworkID", "AN01000000001"),)
    assert document.header.sender == (Credential("NetworkID", "AN9", SECRET),)
    assert document.header.user_agent == "B2Connect 1.0"
    assert [child.tag for child in document.root] == ["Header", "Request"]
    assert [child.tag for child in document.root[0]] == ["From", "To", "Sender"]


def test_the_secret_never_shows_in_repr() -> None:
    envelope = _envelope()
    assert SECRET not in repr(envelope)
    assert SECRET not in str(envelope)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"timestamp": datetime(2026, 12, 1)}, "must be aware"),  # noqa: DTZ001 - the point
        ({"payload_id": " "}, "payloadID must be one line"),
        ({"payload_id": "a\nb"}, "payloadID must be one line"),
        ({"payload_id": "x" * 256}, "longer than 255"),
        ({"from_": ()}, "at least one credential"),
        ({"to": ()}, "at least one credential"),
        ({"version": "1.2"}, "version must look like"),
        ({"deployment_mode": "staging"}, "production or test"),
        ({"lang": "en US"}, "xml:lang"),
    ],
)
def test_envelopes_no_document_can_carry_are_refused(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        _envelope(**changes)


def test_credentials_need_a_domain_and_an_identity() -> None:
    with pytest.raises(ValueError, match="needs a domain and an identity"):
        OutboundCredential("", "AN1")
    with pytest.raises(ValueError, match="needs a domain and an identity"):
        OutboundCredential("DUNS", " ")


def test_an_envelope_is_a_frozen_value() -> None:
    envelope = _envelope()
    with pytest.raises(dataclasses.FrozenInstanceError):
        envelope.version = "1.2.050"  # type: ignore[misc]
    assert dataclasses.replace(envelope, version="1.2.050").version == "1.2.050"
