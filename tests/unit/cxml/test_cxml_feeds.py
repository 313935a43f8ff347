"""ProductActivityMessage and CatalogUploadRequest (with its Index attachment) out and back:
valid against every official cXML.dtd that has them (lxml, from shared/cxml/dtd), read back
equal by our readers (property-based), and the multipart body as MIME readers see it."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from connectors.core.errors import MalformedDocumentError
from connectors.formats.cxml import (
    OutboundCredential,
    OutboundEnvelope,
    build_catalog_upload_request,
    build_product_activity_message,
    parse_cxml,
    read_catalog_upload_request,
    read_product_activity_message,
)
from schemas.catalog import PriceCatalog
from schemas.inventory import InventorySnapshot
from tests.unit.x12.feed_strategies import catalogs, snapshots, zones
from tests.unit.x12.test_x12_feeds import catalog, snapshot

DTD_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "cxml" / "dtd"
FEED_VERSIONS = ["1.2.036", "1.2.050", "1.2.053", "1.2.063", "1.2.069"]
SECRET = "Feed-Secret-91ac4e"


def _envelope(version: str = "1.2.069") -> OutboundEnvelope:
    return OutboundEnvelope(
        payload_id="feed-1@hub.test",
        timestamp=datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
        from_=(OutboundCredential("DUNS", "123456789"),),
        to=(OutboundCredential("NetworkID", "AN01000000001"),),
        sender=OutboundCredential("DUNS", "123456789"),
        shared_secret=SECRET,
        user_agent="B2Connect tests",
        version=version,
    )


def _dtd_errors(data: bytes, version: str) -> list[str]:
    dtd = etree.DTD(str(DTD_DIR / version / "cXML.dtd"))
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    if dtd.validate(root):
        return []
    return [str(entry) for entry in dtd.error_log]  # type: ignore[attr-defined]


@pytest.mark.parametrize("version", FEED_VERSIONS)
def test_both_feeds_are_valid_against_every_dtd_that_has_them(version: str) -> None:
    activity = build_product_activity_message(snapshot(), _envelope(version))
    upload = build_catalog_upload_request(catalog(), _envelope(version))
    assert _dtd_errors(activity, version) == []
    assert _dtd_errors(upload.request, version) == []
    assert _dtd_errors(upload.index, version) == []
    assert read_product_activity_message(parse_cxml(activity)) == snapshot()
    assert read_catalog_upload_request(upload.body, upload.content_type) == catalog()


def test_the_upload_is_multipart_related_with_the_index_behind_its_cid() -> None:
    upload = build_catalog_upload_request(catalog(), _envelope())
    again = build_catalog_upload_request(catalog(), _envelope())
    assert upload.body == again.body, "a retry must send the same bytes"
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {upload.content_type}\r\n\r\n".encode() + upload.body
    )
    assert message.get_content_type() == "multipart/related"
    assert message.get_param("type") == "text/xml"
    request_part, index_part = message.iter_parts()
    assert request_part["Content-ID"] == message.get_param("start")
    request = parse_cxml(request_part.get_payload(decode=True))  # type: ignore[arg-type]
    assert request.kind == "CatalogUploadRequest"
    url = request.root.findtext("Request/CatalogUploadRequest/Attachment/URL")
    assert url == f"cid:{str(index_part['Content-ID'])[1:-1]}"
    assert index_part.get_content_disposition() == "attachment"
    index = etree.fromstring(index_part.get_payload(decode=True))  # type: ignore[arg-type]
    assert index.tag == "Index"
    assert index.get("loadmode") == "Full"
    assert [e.tag for e in index.iter("IndexItemAdd", "IndexItemDelete")] == [
        "IndexItemAdd",
        "IndexItemDelete",
    ]
    assert SECRET.encode() in upload.body
    assert SECRET.encode() not in upload.log_body
    assert SECRET not in repr(upload)


def test_a_changes_only_catalogue_is_an_incremental_update() -> None:
    changes = catalog().model_copy(update={"full": False})
    upload = build_catalog_upload_request(changes, _envelope())
    request = parse_cxml(upload.request).root
    assert request.find("Request/CatalogUploadRequest").get("operation") == "update"  # type: ignore[union-attr]
    assert b'loadmode="Incremental"' in upload.index
    assert read_catalog_upload_request(upload.body, upload.content_type) == changes


def test_what_cxml_cannot_carry_is_refused() -> None:
    with pytest.raises(ValueError, match=r"1\.2\.036"):
        build_product_activity_message(snapshot(), _envelope("1.2.020"))
    with pytest.raises(ValueError, match=r"1\.2\.036"):
        build_catalog_upload_request(catalog(), _envelope("1.2.014"))
    empty = snapshot().model_copy(update={"items": ()})
    with pytest.raises(ValueError, match="at least one stock level"):
        build_product_activity_message(empty, _envelope())
    with pytest.raises(ValueError, match="at least one item"):
        build_catalog_upload_request(catalog().model_copy(update={"items": ()}), _envelope())


def test_readers_say_where_a_document_is_wrong() -> None:
    activity = build_product_activity_message(snapshot(), _envelope())
    broken = activity.replace(
        b'StockOnHandQuantity quantity="3"', b'StockOnHandQuantity quantity="x"'
    )
    with pytest.raises(MalformedDocumentError) as bad:
        read_product_activity_message(parse_cxml(broken))
    assert bad.value.location == "ProductActivityDetails[2]/Inventory/StockOnHandQuantity@quantity"
    upload = build_catalog_upload_request(catalog(), _envelope())
    with pytest.raises(MalformedDocumentError, match="multipart"):
        read_catalog_upload_request(upload.request, "text/xml")
    elsewhere = upload.body.replace(b"cid:catalog.", b"cid:other.")
    with pytest.raises(MalformedDocumentError, match="not a part of this body"):
        read_catalog_upload_request(elsewhere, upload.content_type)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    document=snapshots().filter(lambda d: bool(d.items)),
    version=st.sampled_from(FEED_VERSIONS),
    tz=zones,
)
def test_any_snapshot_is_valid_and_round_trips(
    document: InventorySnapshot, version: str, tz: tzinfo
) -> None:
    data = build_product_activity_message(document, _envelope(version))
    assert _dtd_errors(data, version) == []
    assert read_product_activity_message(parse_cxml(data), default_tz=tz) == document


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=catalogs().filter(lambda d: bool(d.items)), version=st.sampled_from(FEED_VERSIONS))
def test_any_catalogue_is_valid_and_round_trips(document: PriceCatalog, version: str) -> None:
    upload = build_catalog_upload_request(document, _envelope(version))
    assert _dtd_errors(upload.request, version) == []
    assert _dtd_errors(upload.index, version) == []
    assert read_catalog_upload_request(upload.body, upload.content_type) == document
