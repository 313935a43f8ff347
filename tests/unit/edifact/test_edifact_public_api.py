"""The facade exports exactly the public API other layers code against, all of it documented."""

from __future__ import annotations

import ast
import inspect

from connectors.formats import edifact

PUBLIC = {
    "DEFAULT_INBOUND_RULES",
    "ActionCode",
    "AperakError",
    "AperakReference",
    "AperakReport",
    "ContrlReport",
    "ControlReferences",
    "EdifactEncodeError",
    "EdifactError",
    "EdifactEvent",
    "EdifactInboundRules",
    "EdifactOutboundRules",
    "EdifactPartnerSettings",
    "EdifactPosition",
    "EdifactReader",
    "EdifactSyntaxError",
    "EdifactUnsupportedError",
    "ElementNote",
    "ElementRef",
    "EnvelopeNote",
    "GroupEnd",
    "GroupHeader",
    "GroupOutcome",
    "InterchangeEnd",
    "InterchangeFailure",
    "InterchangeHeader",
    "InterchangeKey",
    "Message",
    "MessageOutcome",
    "OutboundDocument",
    "OutboundInterchange",
    "OutboundMessage",
    "Segment",
    "SegmentNote",
    "ServiceCharacters",
    "SyntaxErrorCode",
    "build_contrl",
    "build_desadv",
    "build_document",
    "build_interchange",
    "build_invoic",
    "build_invrpt",
    "build_pricat",
    "build_ordrsp",
    "encode_desadv",
    "encode_document",
    "encode_invoic",
    "encode_invrpt",
    "encode_pricat",
    "encode_ordrsp",
    "read_aperak",
    "read_contrl",
    "read_edifact",
    "read_invrpt",
    "read_orders",
    "read_pricat",
}


def test_all_is_the_public_api() -> None:
    assert set(edifact.__all__) == PUBLIC
    assert len(edifact.__all__) == len(PUBLIC)


def test_public_classes_and_functions_are_documented_and_live_in_private_modules() -> None:
    for name in edifact.__all__:
        value = getattr(edifact, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__doc__, name
            assert value.__module__.startswith("connectors.formats.edifact._"), name


def test_errors_belong_to_the_connector_error_tree() -> None:
    from connectors.core.errors import (
        DocumentError,
        MalformedDocumentError,
        PermanentError,
        UnsupportedDocumentError,
    )

    assert issubclass(edifact.EdifactError, DocumentError)
    assert issubclass(edifact.EdifactSyntaxError, MalformedDocumentError)
    assert issubclass(edifact.EdifactUnsupportedError, UnsupportedDocumentError)
    assert issubclass(edifact.EdifactEncodeError, PermanentError)
    error = edifact.EdifactSyntaxError(
        "bad",
        position=edifact.EdifactPosition(
            byte_offset=210,
            interchange="807",
            message="1",
            segment_index=10,
            segment_id="QTY",
            element=1,
            component=2,
        ),
        code="12",
    )
    expected = "interchange 807, message 1, segment 10 (QTY), element 1, component 2, byte 210"
    assert error.location == expected
    assert str(error) == f"bad (at {expected})"
    assert error.code == "12"


def test_the_package_does_no_io_and_imports_only_what_it_may() -> None:
    modules = [
        module
        for name, module in inspect.getmembers(edifact, inspect.ismodule)
        if name.startswith("_")
    ]
    assert len(modules) >= 15
    source = "\n".join(inspect.getsource(module) for module in modules)
    for forbidden in (
        "import pytest",
        "pydifact",
        "open(",
        "os.environ",
        "import logging",
        "socket",
    ):
        assert forbidden not in source, forbidden
    allowed = ("connectors.formats.edifact.", "connectors.core.errors", "schemas.", "pydantic")
    stdlib = {
        "__future__", "collections", "dataclasses", "datetime", "decimal", "enum", "functools",
        "itertools", "re", "typing", "unicodedata",
    }  # fmt: skip
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            assert name.startswith(allowed) or name.split(".")[0] in stdlib, name
