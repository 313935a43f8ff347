"""Sans-I/O cXML: parse untrusted bytes safely, read documents into the canonical model, and
build documents and answers in exact DTD order. No network, no database, no environment; see
README.md.

    document = parse_cxml(body)                  # safe parse + envelope (credentials, kind)
    order = read_order_request(document)         # -> schemas.PurchaseOrder
    answer = build_response(CxmlStatus.ok(), payload_id=new_payload_id(now, host), timestamp=now)

    read_confirmation_request(document)          # -> schemas.OrderConfirmation
    read_ship_notice_request(document)           # -> schemas.ShipNotice
    read_invoice_detail_request(document)        # -> schemas.Invoice
    build_ship_notice_request(notice, OutboundEnvelope(...))   # -> bytes (also confirmations,
                                                               #    invoices)

Errors are those of `connectors.core.errors`: `MalformedDocumentError`, `UnsafeDocumentError`,
`UnsupportedDocumentError` (with `location`), and `ConfigError` from `DtdValidator`. Builders
raise `ValueError` for a canonical document cXML cannot carry.
"""

from __future__ import annotations

from connectors.formats.cxml._amounts import UnreadableAmountError
from connectors.formats.cxml._catalog_upload import (
    CatalogUpload,
    build_catalog_upload_request,
    build_index,
    read_catalog_upload_request,
    read_index,
)
from connectors.formats.cxml._confirmation import (
    build_confirmation_request,
    read_confirmation_request,
)
from connectors.formats.cxml._datetime import format_cxml_datetime, parse_cxml_datetime
from connectors.formats.cxml._dtd import DtdValidator, dtd_family
from connectors.formats.cxml._envelope import Credential, CxmlDocument, CxmlHeader, parse_cxml
from connectors.formats.cxml._invoice import (
    build_invoice_detail_request,
    read_invoice_detail_request,
)
from connectors.formats.cxml._order_request import read_order_request
from connectors.formats.cxml._outbound import (
    FEED_MINIMUM_VERSION,
    FULFILL_MINIMUM_VERSION,
    INVOICE_MINIMUM_VERSION,
    OutboundCredential,
    OutboundEnvelope,
)
from connectors.formats.cxml._parser import MAX_DEPTH
from connectors.formats.cxml._payload_id import new_payload_id
from connectors.formats.cxml._product_activity import (
    build_product_activity_message,
    read_product_activity_message,
)
from connectors.formats.cxml._redact import mask_shared_secrets
from connectors.formats.cxml._response import DEFAULT_VERSION, build_response
from connectors.formats.cxml._ship_notice import build_ship_notice_request, read_ship_notice_request
from connectors.formats.cxml._status import CxmlStatus

__all__ = [
    "DEFAULT_VERSION",
    "FEED_MINIMUM_VERSION",
    "FULFILL_MINIMUM_VERSION",
    "INVOICE_MINIMUM_VERSION",
    "MAX_DEPTH",
    "CatalogUpload",
    "Credential",
    "CxmlDocument",
    "CxmlHeader",
    "CxmlStatus",
    "DtdValidator",
    "OutboundCredential",
    "OutboundEnvelope",
    "UnreadableAmountError",
    "build_catalog_upload_request",
    "build_confirmation_request",
    "build_index",
    "build_invoice_detail_request",
    "build_product_activity_message",
    "build_response",
    "build_ship_notice_request",
    "dtd_family",
    "format_cxml_datetime",
    "mask_shared_secrets",
    "new_payload_id",
    "parse_cxml",
    "parse_cxml_datetime",
    "read_catalog_upload_request",
    "read_confirmation_request",
    "read_index",
    "read_invoice_detail_request",
    "read_order_request",
    "read_product_activity_message",
    "read_ship_notice_request",
]
