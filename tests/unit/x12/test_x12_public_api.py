"""The facade exports exactly the public API other layers code against, all of it documented."""

from __future__ import annotations

import inspect

from connectors.formats import x12

PUBLIC = {
    "DEFAULT_INBOUND_RULES",
    "DEFAULT_OUTBOUND_RULES",
    "FUNCTIONAL_IDS",
    "IMPLEMENTATION_999",
    "AckCode",
    "ControlNumbers",
    "Delimiters",
    "ElementErrorCode",
    "ElementNote",
    "EnvelopeNote",
    "GroupAck",
    "GroupEnd",
    "GroupErrorCode",
    "GroupHeader",
    "InterchangeAck",
    "InterchangeEnd",
    "InterchangeFailure",
    "InterchangeHeader",
    "InterchangeKey",
    "InterchangeNoteCode",
    "OutboundDocument",
    "OutboundGroup",
    "OutboundInterchange",
    "OutboundSet",
    "ReceivedTa1",
    "SegmentErrorCode",
    "SegmentNote",
    "SetAck",
    "SetErrorCode",
    "TransactionSet",
    "X12EncodeError",
    "X12Error",
    "X12Event",
    "X12InboundRules",
    "X12OutboundRules",
    "X12PartnerSettings",
    "X12Position",
    "X12Reader",
    "X12SyntaxError",
    "X12UnsupportedError",
    "build_997",
    "build_999",
    "build_document",
    "build_interchange",
    "build_ta1",
    "count_ack_groups",
    "encode_810",
    "encode_832",
    "encode_846",
    "encode_855",
    "encode_856",
    "encode_document",
    "read_832",
    "read_846",
    "read_850",
    "read_acknowledgment",
    "read_x12",
    "readable",
}


def test_all_is_the_public_api() -> None:
    assert set(x12.__all__) == PUBLIC


def test_public_classes_and_functions_are_documented_and_live_in_private_modules() -> None:
    for name in x12.__all__:
        value = getattr(x12, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__doc__, name
            assert value.__module__.startswith("connectors.formats.x12._"), name


def test_errors_belong_to_the_connector_error_tree() -> None:
    from connectors.core.errors import (
        DocumentError,
        MalformedDocumentError,
        PermanentError,
        UnsupportedDocumentError,
    )

    assert issubclass(x12.X12Error, DocumentError)
    assert issubclass(x12.X12SyntaxError, MalformedDocumentError)
    assert issubclass(x12.X12UnsupportedError, UnsupportedDocumentError)
    assert issubclass(x12.X12EncodeError, PermanentError)
    error = x12.X12SyntaxError(
        "bad",
        position=x12.X12Position(
            byte_offset=12, interchange="000000001", segment_index=3, segment_id="PO1", element=2
        ),
    )
    assert error.location == "interchange 000000001, segment 3 (PO1), element 02, byte 12"
    assert str(error) == "bad (at interchange 000000001, segment 3 (PO1), element 02, byte 12)"


def test_the_package_does_no_io_and_imports_no_test_tools() -> None:
    source = "\n".join(
        inspect.getsource(module)
        for name, module in inspect.getmembers(x12, inspect.ismodule)
        if name.startswith("_")
    )
    for forbidden in (
        "import pytest",
        "import pyx12",
        "open(",
        "os.environ",
        "import logging",
        "socket",
    ):
        assert forbidden not in source, forbidden
