"""DTD choice by payload and version, and validation results on real and broken documents."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from connectors.core.errors import ConfigError, UnsafeDocumentError
from connectors.formats.cxml import DtdValidator, dtd_family, parse_cxml

VALID_ORDER = "friendsofcxml-php/tests__metadata__cxml__samples__OrderRequest.xml"
VALID_SHIP_NOTICE = "friendsofcxml-php/tests__metadata__cxml__samples__ShipNoticeRequest.xml"
VALID_INVOICE = "officeluv-cxml-ruby/invoice_taxes_at_total.xml"
VALID_RESPONSE = "officeluv-cxml-ruby/response_status_400.xml"


@pytest.mark.parametrize(
    ("kind", "family"),
    [
        ("OrderRequest", "cXML"),
        ("PunchOutSetupRequest", "cXML"),
        ("PunchOutOrderMessage", "cXML"),
        ("ProfileRequest", "cXML"),
        ("StatusUpdateRequest", "cXML"),
        ("Response", "cXML"),
        ("CopyRequest", "cXML"),
        ("ConfirmationRequest", "Fulfill"),
        ("ShipNoticeRequest", "Fulfill"),
        ("ReceiptRequest", "Fulfill"),
        ("InvoiceDetailRequest", "InvoiceDetail"),
        ("SomethingNew", "cXML"),
    ],
)
def test_family_by_kind(kind: str, family: str) -> None:
    assert dtd_family(kind) == family


@pytest.fixture(scope="module")
def validator(dtd_dir: Path) -> DtdValidator:
    return DtdValidator(dtd_dir)


def test_version_choice(validator: DtdValidator, dtd_dir: Path) -> None:
    assert validator.dtd_path("OrderRequest", "1.2.020") == dtd_dir / "1.2.020" / "cXML.dtd"
    assert validator.dtd_path("OrderRequest", "1.2.060") == dtd_dir / "1.2.069" / "cXML.dtd"
    assert validator.dtd_path("OrderRequest", None) == dtd_dir / "1.2.069" / "cXML.dtd"
    # 1.2.020 has no Fulfill.dtd: the newest Fulfill is used
    assert validator.dtd_path("ShipNoticeRequest", "1.2.020") == dtd_dir / "1.2.069" / "Fulfill.dtd"
    assert validator.dtd_path("InvoiceDetailRequest", "1.2.037") == (
        dtd_dir / "1.2.037" / "InvoiceDetail.dtd"
    )


@pytest.mark.parametrize("name", [VALID_ORDER, VALID_SHIP_NOTICE, VALID_INVOICE, VALID_RESPONSE])
def test_valid_samples_validate_clean(
    validator: DtdValidator, samples_dir: Path, name: str
) -> None:
    body = (samples_dir / name).read_bytes()
    assert validator.validate(body) == []
    assert validator.validate(parse_cxml(body).root) == []


def test_a_ship_notice_is_invalid_against_cxml_dtd_but_valid_against_fulfill(
    validator: DtdValidator, samples_dir: Path, dtd_dir: Path
) -> None:
    """Why the family matters: each module DTD narrows the allowed requests."""
    from lxml import etree

    root = parse_cxml((samples_dir / VALID_SHIP_NOTICE).read_bytes()).root
    assert not etree.DTD(str(dtd_dir / "1.2.069" / "cXML.dtd")).validate(root)
    assert validator.validate(root) == []


def test_broken_documents_return_errors(validator: DtdValidator) -> None:
    body = (
        b'<cXML payloadID="1@x" timestamp="2026-11-22T10:30:00Z">'
        b'<Response><Status text="OK"/><Bogus/></Response></cXML>'
    )
    errors = validator.validate(body)
    assert errors
    assert any("code" in error for error in errors)
    assert all(error.startswith("line ") for error in errors)


def test_the_chefworks_order_is_reported_invalid(
    validator: DtdValidator, samples_dir: Path
) -> None:
    body = (samples_dir / "chefworks-cxml-tester/p6t__static__cxml__order.xml").read_bytes()
    errors = validator.validate(body)
    assert any("OrderRequest content does not follow the DTD" in error for error in errors)


def test_unsafe_bytes_are_never_validated(validator: DtdValidator) -> None:
    with pytest.raises(UnsafeDocumentError):
        validator.validate(b'<!DOCTYPE cXML [<!ENTITY x "y">]><cXML payloadID="1">&x;</cXML>')


def test_a_missing_family_is_a_config_error(tmp_path: Path, dtd_dir: Path) -> None:
    (tmp_path / "1.2.014").mkdir()
    shutil.copy(dtd_dir / "1.2.014" / "cXML.dtd", tmp_path / "1.2.014")  # a temp dir, not the repo
    (tmp_path / "not-a-version").mkdir()
    validator = DtdValidator(tmp_path)
    assert validator.dtd_path("OrderRequest", "9.9.9") == tmp_path / "1.2.014" / "cXML.dtd"
    with pytest.raises(ConfigError, match=r"no Fulfill\.dtd"):
        validator.dtd_path("ConfirmationRequest", None)


def test_an_unreadable_dtd_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "1.2.069").mkdir()
    (tmp_path / "1.2.069" / "cXML.dtd").write_text("<!ELEMENT broken", encoding="utf-8")
    body = b'<cXML payloadID="1" timestamp="2026-11-22T10:30:00Z"><Response/></cXML>'
    with pytest.raises(ConfigError, match="cannot load"):
        DtdValidator(tmp_path).validate(body)


def test_a_missing_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        DtdValidator(tmp_path / "nowhere")
