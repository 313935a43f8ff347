"""`CatalogUploadRequest` both ways: a canonical `PriceCatalog` as a cXML catalogue upload.

The request (cXML.dtd: `CatalogName, Description, Attachment, Commodities?, AutoPublish?,
Notification`) points with `Attachment/URL` at a `cid:` MIME part holding the catalogue itself,
a cXML `Index` document (root `Index`, validated against the same cXML.dtd), and both travel as
one `multipart/related` body, as cXML attachments do. The MIME is built and parsed with the
standard library's `email` package (policy `HTTP`: CRLF, no line folding) rather than by hand,
so boundaries, parameters and part headers are quoted and parsed the way every MIME reader
expects; the boundary and Content-IDs are derived from the payloadID, so a retry sends the same
bytes.

Index mapping: `Index@loadmode` Full for a complete catalogue, Incremental for changes only;
`SupplierID` = our From credentials; `Comments` = the catalogue id and as-of time (two lines,
how our reader gets them back: the DTD has no other place). One `IndexItem` per item, in order:
`IndexItemAdd(ItemID, ItemDetail, IndexItemDetail)` for an upsert, `IndexItemDelete(ItemID)` for
a withdrawn item. `ItemID` = SupplierPartID (empty when none), BuyerPartID, `IdReference`s for
the SKU and the GTIN (and for a withdrawn item, which has no ItemDetail, its description and
unit). `ItemDetail` = UnitPrice (the first tier), Description, UnitOfMeasure, an empty
`Classification domain="UNSPSC"` (required; the canonical item has none), and every tier as
`<Extrinsic name="priceTier">` with nested `minQuantity`, `unitPrice`, `currency`, `validFrom`,
`validTo` Extrinsics (ItemDetail has one UnitPrice; the DTD leaves tiers to extrinsics).
`IndexItemDetail` = an empty LeadTime (required, unknown), the first tier's ExpirationDate and
EffectiveDate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, tzinfo
from email import policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from typing import Any

from lxml import etree
from pydantic import ValidationError

from connectors.core.errors import MalformedDocumentError, UnsupportedDocumentError
from connectors.formats.cxml._datetime import format_cxml_datetime
from connectors.formats.cxml._emit import amount, localized, sub
from connectors.formats.cxml._envelope import parse_cxml, payload_element
from connectors.formats.cxml._outbound import (
    FEED_MINIMUM_VERSION,
    OutboundEnvelope,
    new_document,
    require_version,
    serialize,
)
from connectors.formats.cxml._parser import parse_xml
from connectors.formats.cxml._prescan import check_encoding, check_no_entities
from connectors.formats.cxml._product_activity import SKU_DOMAIN, item_id, item_ids
from connectors.formats.cxml._redact import mask_shared_secrets
from connectors.formats.cxml._values import datetime_at, decimal_at
from connectors.formats.cxml._xml import attribute, child, elements, full_text
from schemas.catalog import CatalogItem, CatalogPrice, PriceCatalog

GTIN_DOMAIN = "GTIN"
DESCRIPTION_DOMAIN = "description"
UNIT_DOMAIN = "unitOfMeasure"
TIER = "priceTier"
CLASSIFICATION_DOMAIN = "UNSPSC"
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class CatalogUpload:
    """A rendered catalogue upload: the multipart body and the `Content-Type` to send it with
    (`multipart/related; boundary=...; type="text/xml"; start=...`), its two parts, and the body
    with the shared secret masked for the document log."""

    body: bytes = field(repr=False)
    content_type: str
    request: bytes = field(repr=False)
    """The cXML CatalogUploadRequest part."""
    index: bytes
    """The cXML Index part (the catalogue)."""
    log_body: bytes = field(repr=False)


def build_catalog_upload_request(
    catalog: PriceCatalog, envelope: OutboundEnvelope
) -> CatalogUpload:
    """The CatalogUploadRequest and its Index for `catalog` (cXML.dtd, 1.2.036 and later).

    A catalogue without items cannot be written (`IndexItem+`): `ValueError`.
    """
    require_version(envelope, FEED_MINIMUM_VERSION, "CatalogUploadRequest")
    if not catalog.items:
        msg = "a catalogue upload needs at least one item (Index requires IndexItem+)"
        raise ValueError(msg)
    token = hashlib.sha256(envelope.payload_id.encode()).hexdigest()[:32]
    start, attachment = f"<request.{token}@b2connect>", f"<catalog.{token}@b2connect>"
    index = build_index(catalog, envelope)
    root, request = new_document(envelope, "CatalogUploadRequest")
    request.set("operation", "new" if catalog.full else "update")
    localized(request, "CatalogName", catalog.name, envelope.lang)
    localized(request, "Description", f"{catalog.name} ({catalog.catalog_id})", envelope.lang)
    sub(sub(request, "Attachment"), "URL", f"cid:{attachment[1:-1]}")
    etree.SubElement(request, "Notification")
    cxml = serialize(root, envelope, "cXML")
    content_type, body = _multipart(cxml, index, token, start, attachment)
    _, log_body = _multipart(mask_shared_secrets(cxml), index, token, start, attachment)
    return CatalogUpload(body, content_type, cxml, index, log_body)


def build_index(catalog: PriceCatalog, envelope: OutboundEnvelope) -> bytes:
    """The cXML `Index` document of `catalog` (its own DOCTYPE naming cXML.dtd)."""
    root = etree.Element("Index")
    root.set("loadmode", "Full" if catalog.full else "Incremental")
    for credential in envelope.from_:
        sub(root, "SupplierID", credential.identity, domain=credential.domain)
    localized(
        root,
        "Comments",
        f"{catalog.catalog_id}\n{format_cxml_datetime(catalog.as_of)}",
        envelope.lang,
    )
    for item in catalog.items:
        holder = etree.SubElement(root, "IndexItem")
        if item.change == "delete":
            _item_id(etree.SubElement(holder, "IndexItemDelete"), item, withdrawn=True)
        else:
            _add(etree.SubElement(holder, "IndexItemAdd"), item, envelope.lang)
    doctype = (
        f'<!DOCTYPE Index SYSTEM "http://xml.cxml.org/schemas/cXML/{envelope.version}/cXML.dtd">\n'
    ).encode("ascii")
    return _DECLARATION + doctype + etree.tostring(root, encoding="UTF-8", pretty_print=True)


def _item_id(parent: etree._Element, item: CatalogItem, *, withdrawn: bool) -> None:
    element = item_id(parent, item.supplier_part_id, item.buyer_part_id, item.sku)
    if item.gtin:
        sub(element, "IdReference", identifier=item.gtin, domain=GTIN_DOMAIN)
    if withdrawn:
        sub(element, "IdReference", identifier=item.description, domain=DESCRIPTION_DOMAIN)
        sub(element, "IdReference", identifier=item.unit_of_measure, domain=UNIT_DOMAIN)


def _add(add: etree._Element, item: CatalogItem, lang: str) -> None:
    _item_id(add, item, withdrawn=False)
    first = item.prices[0]
    detail = etree.SubElement(add, "ItemDetail")
    sub(
        etree.SubElement(detail, "UnitPrice"),
        "Money",
        amount(first.unit_price),
        currency=first.currency,
    )
    localized(detail, "Description", item.description, lang)
    sub(detail, "UnitOfMeasure", item.unit_of_measure)
    sub(detail, "Classification", domain=CLASSIFICATION_DOMAIN)
    for price in item.prices:
        _tier(detail, price)
    index_detail = etree.SubElement(add, "IndexItemDetail")
    etree.SubElement(index_detail, "LeadTime")
    if first.valid_to is not None:
        sub(index_detail, "ExpirationDate", first.valid_to.isoformat())
    if first.valid_from is not None:
        sub(index_detail, "EffectiveDate", first.valid_from.isoformat())


def _tier(detail: etree._Element, price: CatalogPrice) -> None:
    tier = sub(detail, "Extrinsic", name=TIER)
    values = {
        "minQuantity": amount(price.min_quantity),
        "unitPrice": amount(price.unit_price),
        "currency": price.currency,
        "validFrom": price.valid_from.isoformat() if price.valid_from else None,
        "validTo": price.valid_to.isoformat() if price.valid_to else None,
    }
    for name, value in values.items():
        if value is not None:
            sub(tier, "Extrinsic", value, name=name)


def _multipart(
    request: bytes, index: bytes, token: str, start: str, attachment: str
) -> tuple[str, bytes]:
    """(Content-Type, body) of the multipart/related message holding both parts."""
    root = EmailMessage(policy=policy.HTTP)
    first = EmailMessage(policy=policy.HTTP)
    first.set_content(request, "text", "xml", cte="binary", params={"charset": "UTF-8"})
    first["Content-ID"] = start
    second = EmailMessage(policy=policy.HTTP)
    second.set_content(
        index,
        "text",
        "xml",
        cte="binary",
        params={"charset": "UTF-8"},
        disposition="attachment",
        filename="catalog.xml",
    )
    second["Content-ID"] = attachment
    root.set_type("multipart/related")
    root.set_param("boundary", f"=_b2connect_{token}")
    root.set_param("type", "text/xml")
    root.set_param("start", start)
    root.set_payload([first, second])
    data = root.as_bytes(policy=policy.HTTP)
    body = data.partition(b"\r\n\r\n")[2]
    return str(root["Content-Type"]), body


def read_catalog_upload_request(
    body: bytes, content_type: str, *, default_tz: tzinfo = UTC
) -> PriceCatalog:
    """The canonical catalogue of a multipart CatalogUploadRequest (the HTTP body and its
    Content-Type). The request part is found by the `start` parameter (else it is the first),
    the Index by the request's `Attachment/URL` cid; both are parsed with `parse_cxml`'s safety
    checks. `MalformedDocumentError` names what is missing or unreadable."""
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        msg = "a CatalogUploadRequest travels as multipart/related with its catalogue attached"
        raise MalformedDocumentError(msg)
    parts = {str(part["Content-ID"] or "").strip(): part for part in message.iter_parts()}
    start = str(message.get_param("start", "") or "")
    first = parts.get(start) or next(iter(message.iter_parts()), None)
    if first is None:
        msg = "the multipart body has no parts"
        raise MalformedDocumentError(msg)
    document = parse_cxml(_payload(first), default_tz=default_tz)
    if document.kind != "CatalogUploadRequest":
        msg = f"{document.kind} is not a CatalogUploadRequest"
        raise UnsupportedDocumentError(msg)
    request = payload_element(document)
    url = full_text(child(child(request, "Attachment"), "URL"))
    cid = url.removeprefix("cid:")
    attached = parts.get(f"<{cid}>")
    if not url.startswith("cid:") or attached is None:
        msg = f"the attachment {url!r} is not a part of this body"
        raise MalformedDocumentError(msg, location="CatalogUploadRequest/Attachment/URL")
    name = full_text(child(request, "CatalogName"))
    return read_index(_payload(attached), name=name or None, default_tz=default_tz)


def _payload(part: MIMEPart) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def read_index(body: bytes, *, name: str | None = None, default_tz: tzinfo = UTC) -> PriceCatalog:
    """A cXML `Index` document written by `build_index` as a `PriceCatalog` (`name` from the
    request's CatalogName)."""
    check_encoding(body)
    check_no_entities(body)
    root = parse_xml(body)
    if root.tag != "Index":
        msg = f"not a cXML Index: root element is <{root.tag}>"
        raise MalformedDocumentError(msg)
    comment = full_text(child(root, "Comments")).splitlines()
    if len(comment) != 2:
        msg = "Index/Comments must hold the catalogue id and its as-of time on two lines"
        raise MalformedDocumentError(msg, location="Index/Comments")
    items = [
        _read_item(holder, f"IndexItem[{number}]")
        for number, holder in enumerate((e for e in elements(root) if e.tag == "IndexItem"), 1)
    ]
    values: dict[str, Any] = {
        "catalog_id": comment[0].strip(),
        "as_of": datetime_at(comment[1], "Index/Comments", default_tz),
        "full": attribute(root, "loadmode") != "Incremental",
        "items": items,
    }
    if name:
        values["name"] = name
    try:
        return PriceCatalog.model_validate(values)
    except ValidationError as error:
        problem = error.errors()[0]
        location = problem["loc"]
        place = (
            f"IndexItem[{int(location[1]) + 1}]"
            if len(location) > 1 and location[0] == "items"
            else "Index"
        )
        field_name = ".".join(str(part) for part in location)
        raise MalformedDocumentError(f"{field_name}: {problem['msg']}", location=place) from None


def _references(item: etree._Element | None) -> dict[str, str]:
    return {
        attribute(r, "domain"): attribute(r, "identifier")
        for r in (elements(item) if item is not None else ())
        if r.tag == "IdReference" and attribute(r, "domain") != SKU_DOMAIN
    }


def _read_item(holder: etree._Element, where: str) -> dict[str, Any]:
    delete = child(holder, "IndexItemDelete")
    add = child(holder, "IndexItemAdd")
    entry = delete if delete is not None else add
    if entry is None:
        msg = "an IndexItem needs an IndexItemAdd or IndexItemDelete"
        raise MalformedDocumentError(msg, location=where)
    item_element = child(entry, "ItemID")
    references = _references(item_element)
    item: dict[str, Any] = item_ids(item_element)
    if GTIN_DOMAIN in references:
        item["gtin"] = references[GTIN_DOMAIN]
    if delete is not None:
        item.update(
            change="delete",
            description=references.get(DESCRIPTION_DOMAIN, ""),
            unit_of_measure=references.get(UNIT_DOMAIN, ""),
        )
        return item
    detail = child(entry, "ItemDetail")
    item["description"] = full_text(child(detail, "Description"))
    item["unit_of_measure"] = full_text(child(detail, "UnitOfMeasure"))
    tiers = [
        e
        for e in (elements(detail) if detail is not None else ())
        if e.tag == "Extrinsic" and attribute(e, "name") == TIER
    ]
    if tiers:
        item["prices"] = [_read_tier(tier, f"{where}/ItemDetail/Extrinsic") for tier in tiers]
    else:
        money = child(child(detail, "UnitPrice"), "Money")
        item["prices"] = [
            {
                "unit_price": decimal_at(full_text(money), f"{where}/ItemDetail/UnitPrice"),
                "currency": attribute(money, "currency"),
            }
        ]
    return item


def _read_tier(tier: etree._Element, where: str) -> dict[str, Any]:
    values = {attribute(e, "name"): full_text(e) for e in elements(tier) if e.tag == "Extrinsic"}
    price: dict[str, Any] = {
        "unit_price": decimal_at(values.get("unitPrice", ""), f"{where}/unitPrice"),
        "min_quantity": decimal_at(values.get("minQuantity", ""), f"{where}/minQuantity"),
        "currency": values.get("currency", ""),
    }
    for key, name in (("valid_from", "validFrom"), ("valid_to", "validTo")):
        if values.get(name):
            try:
                price[key] = date.fromisoformat(values[name])
            except ValueError:
                msg = f"{values[name]!r} is not a date"
                raise MalformedDocumentError(msg, location=f"{where}/{name}") from None
    return price
