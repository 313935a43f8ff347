"""The DTD check of a document we have just rendered looks at the tree we built, not at our own
bytes parsed back: the verdict must be the one the bytes get, and a failure must read exactly
as the bytes' errors (line numbers included)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.formats.cxml import (
    DtdValidator,
    OutboundEnvelope,
    build_confirmation_request,
    build_invoice_detail_request,
    build_ship_notice_request,
)
from connectors.formats.cxml._outbound import built_tree, new_document, serialize
from tests.unit.cxml.cxml_outbound_support import confirmations, invoices, ship_notices


def _copy(body: bytes) -> bytes:
    """Equal bytes, another object: `validate` parses these (no built tree matches them)."""
    return bytes(bytearray(body))


def _check(
    build: Callable[[Any, OutboundEnvelope], bytes],
    document: object,
    envelope: OutboundEnvelope,
    validator: DtdValidator,
) -> None:
    body = build(document, envelope)
    parsed_verdict = validator.validate(_copy(body))
    assert parsed_verdict == []
    body = build(document, envelope)
    assert validator.validate(body) == parsed_verdict  # the built tree's verdict
    assert built_tree(body) is None  # consumed by that check


documents = st.one_of(
    st.tuples(st.just(build_confirmation_request), confirmations()),
    st.tuples(st.just(build_ship_notice_request), ship_notices()),
    st.tuples(st.just(build_invoice_detail_request), invoices()),
)


@settings(max_examples=90, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=documents)
def test_built_tree_and_parsed_bytes_agree(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator, case: tuple[Any, Any]
) -> None:
    build, document = case
    _check(build, document, envelope, dtd_validator)


def test_only_the_very_bytes_just_serialized_use_the_tree(envelope: OutboundEnvelope) -> None:
    root, _ = new_document(envelope, "ConfirmationRequest")
    body = serialize(root, envelope, "Fulfill")
    assert built_tree(_copy(body)) is None
    assert built_tree(body) is root
    assert built_tree(body) is None  # handed out once


def test_an_invalid_built_tree_reports_the_errors_of_its_bytes(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> None:
    root, _ = new_document(envelope, "ConfirmationRequest")  # the payload left empty
    body = serialize(root, envelope, "Fulfill")
    expected = dtd_validator.validate(_copy(body))
    assert expected  # ConfirmationRequest needs its header and order reference
    assert all(not problem.startswith("line 0:") for problem in expected)
    assert dtd_validator.validate(body) == expected
