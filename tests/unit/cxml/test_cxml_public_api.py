"""The facade exports exactly the public API other layers code against."""

from __future__ import annotations

from connectors.formats import cxml

PUBLIC = {
    "CatalogUpload",
    "FEED_MINIMUM_VERSION",
    "build_catalog_upload_request",
    "build_index",
    "build_product_activity_message",
    "read_catalog_upload_request",
    "read_index",
    "read_product_activity_message",
    "Credential",
    "CxmlDocument",
    "CxmlHeader",
    "CxmlStatus",
    "DEFAULT_VERSION",
    "FULFILL_MINIMUM_VERSION",
    "INVOICE_MINIMUM_VERSION",
    "DtdValidator",
    "MAX_DEPTH",
    "OutboundCredential",
    "OutboundEnvelope",
    "UnreadableAmountError",
    "build_confirmation_request",
    "build_invoice_detail_request",
    "build_response",
    "build_ship_notice_request",
    "dtd_family",
    "format_cxml_datetime",
    "mask_shared_secrets",
    "new_payload_id",
    "parse_cxml",
    "parse_cxml_datetime",
    "read_confirmation_request",
    "read_invoice_detail_request",
    "read_order_request",
    "read_ship_notice_request",
}


def test_all_is_the_public_api() -> None:
    assert set(cxml.__all__) == PUBLIC


def test_every_exported_name_exists_and_is_documented() -> None:
    for name in cxml.__all__:
        value = getattr(cxml, name)
        if callable(value):
            assert value.__doc__, name


def test_public_classes_and_functions_live_in_private_modules() -> None:
    for name in cxml.__all__:
        value = getattr(cxml, name)
        if callable(value):
            assert value.__module__.startswith("connectors.formats.cxml._"), name
