"""The stock and price feeds through the cXML platform connector.

Whether a platform takes the feed kinds is a fact about the platform, said in its spec: Ariba
declares them (Ariba Network takes ProductActivityMessage and CatalogUploadRequest), Coupa and
JAGGAER do not. A platform that does passes the PUSH part of the conformance suite, which renders
every declared kind valid against the official DTD (the Index attachment too) and byte-stable.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import ValidationError

from connectors.ariba import AribaConnector
from connectors.core import ConnectorContext, PermanentError, UnsupportedDocumentError
from connectors.core.contract import ConnectorSpec
from connectors.coupa import CoupaConnector
from connectors.cxml_platform import CxmlPlatformConfig
from connectors.formats.cxml import (
    DtdValidator,
    parse_cxml,
    read_catalog_upload_request,
    read_product_activity_message,
)
from connectors.testing.conformance import cxml_platform_config
from connectors.testing.push_conformance import CxmlPushConformance, sample_feed_documents

DTD_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "cxml" / "dtd"
QUEUED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


class FeedPlatformConnector(AribaConnector):
    """Ariba, declaring the stock and price feeds as a platform that takes them would."""

    spec: ClassVar[ConnectorSpec] = ConnectorSpec(
        key="ariba-feeds",
        display_name="SAP Ariba with feeds",
        protocol="cxml",
        capabilities=AribaConnector.spec.capabilities,
        inbound_documents=AribaConnector.spec.inbound_documents,
        outbound_documents=AribaConnector.spec.outbound_documents
        | {"ProductActivityMessage", "CatalogUploadRequest"},
        ingress=AribaConnector.spec.ingress,
    )


CONFIG = cxml_platform_config(
    "NetworkID", buyer="AN01000000001-T", supplier="AN01000000002-T", sender="AN01000000001-T"
)


class TestFeedPlatformPush(CxmlPushConformance):
    """The PUSH part of the conformance suite (the rest needs a registered connector)."""

    connector_class = FeedPlatformConnector
    config = CONFIG

    def dtd_validator(self) -> DtdValidator | None:
        return DtdValidator(DTD_DIR)


def _connector(version: str = "1.2.069") -> FeedPlatformConnector:
    config = CxmlPlatformConfig.model_validate(
        {
            **CONFIG,
            "cxml_version": version,
            "endpoints": {
                "ProductActivityMessage": "https://platform.test/cxml",
                "CatalogUploadRequest": "https://platform.test/catalog",
            },
        }
    )
    return FeedPlatformConnector(config, ConnectorContext(schema_dir=DTD_DIR))


@pytest.mark.parametrize("version", ["1.2.036", "1.2.069"])
def test_feeds_render_read_back_and_mask_the_secret(version: str) -> None:
    connector = _connector(version)
    snapshot, catalog = sample_feed_documents()
    stock = connector.render(snapshot, payload_id="s-1@hub.test", timestamp=QUEUED)
    prices = connector.render(catalog, payload_id="c-1@hub.test", timestamp=QUEUED)
    assert (stock.kind, stock.url) == ("ProductActivityMessage", "https://platform.test/cxml")
    assert stock.content_type.startswith("text/xml")
    assert read_product_activity_message(parse_cxml(stock.body)) == snapshot
    assert prices.kind == "CatalogUploadRequest"
    assert prices.content_type.startswith('multipart/related; boundary="')
    assert read_catalog_upload_request(prices.body, prices.content_type) == catalog
    secret = connector.config.shared_secret.get_secret_value()
    for message in (stock, prices):
        assert secret.encode() in message.body
        assert secret.encode() not in (message.log_body or b"")


def test_platforms_that_do_not_declare_the_feeds_refuse_them() -> None:
    config = CoupaConnector.config_model.model_validate(
        cxml_platform_config("DUNS", buyer="1", supplier="2", sender="1")
    )
    coupa = CoupaConnector(config, ConnectorContext())
    for document_type in ("inventory_snapshot", "price_catalog"):
        with pytest.raises(UnsupportedDocumentError):
            coupa.outbound_kind(document_type)


def test_a_profile_asking_for_feeds_in_an_old_version_fails_at_start() -> None:
    with pytest.raises(ValidationError, match="ProductActivityMessage needs cxml_version"):
        CxmlPlatformConfig.model_validate(
            {
                **CONFIG,
                "cxml_version": "1.2.020",
                "endpoints": {"ProductActivityMessage": "https://platform.test/cxml"},
            }
        )


def test_a_document_cxml_cannot_carry_is_a_permanent_error() -> None:
    snapshot, _ = sample_feed_documents()
    with pytest.raises((PermanentError, ValueError), match="at least one stock level"):
        _connector().render(
            snapshot.model_copy(update={"items": ()}), payload_id="e@hub.test", timestamp=QUEUED
        )
