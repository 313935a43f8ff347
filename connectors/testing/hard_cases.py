"""Hard-case inputs every cXML platform connector must survive (decode, authenticate, read).

Real traffic deviates from the DTD in harmless ways (cxml.md §2): timestamps with `-0800`, `Z`,
milliseconds, bare dates or no zone; credential domains in any case; element order shuffled;
a Sender that is a network rather than the buyer. Each `HardCase` bends one such thing in an
otherwise plain OrderRequest and says what the canonical order must then contain.

The cases are data, shared by the conformance suite and by anyone else who wants to throw them at
a connector (the API tests, the fake platform). `expected` maps a path into the `PurchaseOrder`
(`/`-separated attribute names, mapping keys and list indexes; see `pluck`) to its value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from lxml import etree

from connectors.testing.cxml_documents import (
    XML_LANG,
    CxmlParty,
    TradingPartners,
    order_request_element,
    serialize,
)

Edit = Callable[[etree._Element], None]
"""Changes the `cXML` root of the plain OrderRequest in place."""
RawEdit = Callable[[bytes], bytes]
"""Changes the serialized bytes (byte order marks, line endings)."""

PST = timezone(timedelta(hours=-8))
NEW_YORK = ZoneInfo("America/New_York")
ISTANBUL = ZoneInfo("Europe/Istanbul")
NETWORK_SENDER = CxmlParty("NetworkId", "relay@procurement-network.example")
"""A network that relays the buyer's documents and authenticates in its own name."""


def _unchanged(root: etree._Element) -> None:
    del root


def _same_bytes(body: bytes) -> bytes:
    return body


@dataclass(frozen=True)
class HardCase:
    """One awkward but legitimate OrderRequest and what its canonical order must say."""

    name: str
    why: str
    edit: Edit = _unchanged
    raw: RawEdit = _same_bytes
    sender: CxmlParty | None = None
    """When set, the document's Sender and the connector's configured sender are this party."""
    default_tz: tzinfo = UTC
    """The partner time zone the connector is given for values without an offset."""
    doctype_version: str | None = "1.2.069"
    expected: Mapping[str, object] = field(default_factory=dict)

    def partners(self, configured: TradingPartners) -> TradingPartners:
        """The trading partners of this case, given those the connector is configured for."""
        return configured if self.sender is None else replace(configured, sender=self.sender)

    def document(self, configured: TradingPartners) -> bytes:
        """The bytes of this case's OrderRequest for a connector configured for `configured`."""
        root = order_request_element(self.partners(configured))
        self.edit(root)
        return self.raw(serialize(root, doctype_version=self.doctype_version))


def pluck(value: object, path: str) -> object:
    """The value at `path` in `value`: `lines/0/quantity`, `extensions/CustomFields.cost-center`."""
    current = value
    for part in path.split("/"):
        if isinstance(current, Mapping):
            current = current[part]
        elif isinstance(current, (list, tuple)):
            current = current[int(part)]
        else:
            current = getattr(current, part)
    return current


# -- tree edits ---------------------------------------------------------------------------


def _one(root: etree._Element, path: str) -> etree._Element:
    found = root.find(path)
    if found is None:
        msg = f"the plain OrderRequest has no {path}"
        raise LookupError(msg)
    return found


def _set(path: str, **attributes: str) -> Edit:
    def edit(root: etree._Element) -> None:
        element = root if path == "." else _one(root, path)
        for name, value in attributes.items():
            element.set(name, value)

    return edit


def _dates(*, timestamp: str, order_date: str, delivery: str | None = None) -> Edit:
    def edit(root: etree._Element) -> None:
        root.set("timestamp", timestamp)
        _one(root, "Request/OrderRequest/OrderRequestHeader").set("orderDate", order_date)
        if delivery is not None:
            for item in root.iterfind("Request/OrderRequest/ItemOut"):
                item.set("requestedDeliveryDate", delivery)

    return edit


def _all(*edits: Edit) -> Edit:
    def edit(root: etree._Element) -> None:
        for each in edits:
            each(root)

    return edit


def _domains(
    from_: Callable[[str], str], to: Callable[[str], str], sender: Callable[[str], str]
) -> Edit:
    def edit(root: etree._Element) -> None:
        for part, change in (("From", from_), ("To", to), ("Sender", sender)):
            for credential in root.iterfind(f"Header/{part}/Credential"):
                credential.set("domain", change(credential.get("domain", "")))

    return edit


def _reverse_children(path: str) -> Edit:
    def edit(root: etree._Element) -> None:
        element = _one(root, path)
        children = list(element)
        for child in children:
            element.remove(child)
        for child in reversed(children):
            element.append(child)

    return edit


def _shared_secret_first(root: etree._Element) -> None:
    credential = _one(root, "Header/Sender/Credential")
    secret = _one(credential, "SharedSecret")
    credential.remove(secret)
    credential.insert(0, secret)


def _pad_credential_text(root: etree._Element) -> None:
    for element in root.iterfind("Header//Credential/*"):
        element.text = f"\n          {element.text}\n        "


def _extra_credential(part: str, party: CxmlParty) -> Edit:
    def edit(root: etree._Element) -> None:
        holder = _one(root, f"Header/{part}")
        credential = etree.Element("Credential", domain=party.domain)
        etree.SubElement(credential, "Identity").text = party.identity
        holder.insert(0, credential)

    return edit


def _xml_comments_in_header(root: etree._Element) -> None:
    for credential in root.iterfind("Header//Credential"):
        credential.insert(0, etree.Comment(" same as the supplier record "))
        credential.append(etree.Comment(" does not change "))


def _custom_fields(root: etree._Element) -> None:
    head = _one(root, "Request/OrderRequest/OrderRequestHeader")
    fields = etree.SubElement(head, "Extrinsic", name="CustomFields")
    etree.SubElement(fields, "IdReference", domain="cost-center", identifier="CC-4410")
    described = etree.SubElement(fields, "IdReference", domain="CustomFields", identifier="po-ref")
    etree.SubElement(described, "Description").text = "Facilities 2025"
    etree.SubElement(head, "Extrinsic", name="Requester").text = "dana@example.com"


def _line_extrinsics(root: etree._Element) -> None:
    detail = _one(root, "Request/OrderRequest/ItemOut/ItemDetail")
    etree.SubElement(detail, "Extrinsic", name="CFVALUE_PROJECT").text = "P-17"
    etree.SubElement(detail, "Extrinsic", name="CFVALUE_GL").text = "6100"


def _drop_line_numbers(root: etree._Element) -> None:
    for item in root.iterfind("Request/OrderRequest/ItemOut"):
        del item.attrib["lineNumber"]


def _line_money_without_currency(root: etree._Element) -> None:
    del _one(root, "Request/OrderRequest/ItemOut/ItemDetail/UnitPrice/Money").attrib["currency"]


def _unknown_elements(root: etree._Element) -> None:
    etree.SubElement(_one(root, "Header"), "FutureHeaderThing").text = "x"
    etree.SubElement(_one(root, "Request/OrderRequest/OrderRequestHeader"), "FutureField")
    etree.SubElement(_one(root, "Request/OrderRequest/ItemOut"), "FutureLineField").text = "y"


def _comments_with_attachment(root: etree._Element) -> None:
    comments = _one(root, "Request/OrderRequest/OrderRequestHeader/Comments")
    comments.text = "Leave at dock 4. "
    attachment = etree.SubElement(comments, "Attachment")
    etree.SubElement(attachment, "URL").text = "cid:drawing-17@buyer.example"
    attachment.tail = "Call ahead."


_TURKISH_TEXT = "\u00c7ay barda\u011f\u0131 & tabak <6'l\u0131 set> \u2014 \u0130stanbul"
"""Dotless and dotted i, cedilla, breve, an em dash and markup characters, as text."""


def _unicode_text(root: etree._Element) -> None:
    description = _one(root, "Request/OrderRequest/ItemOut/ItemDetail/Description")
    description.text = _TURKISH_TEXT
    name = _one(root, "Request/OrderRequest/OrderRequestHeader/ShipTo/Address/Name")
    name.set(XML_LANG, "tr-TR")
    name.text = "Şişli Depo"


def _update_of(previous: str) -> Edit:
    def edit(root: etree._Element) -> None:
        head = _one(root, "Request/OrderRequest/OrderRequestHeader")
        head.set("type", "update")
        head.set("orderVersion", "2")
        reference = etree.Element("DocumentReference", payloadID=previous)
        _one(head, "Comments").addnext(reference)

    return edit


def _no_header_lang(root: etree._Element) -> None:
    del root.attrib[XML_LANG]
    del root.attrib["version"]


def _with_bom(body: bytes) -> bytes:
    return b"\xef\xbb\xbf" + body


def _crlf(body: bytes) -> bytes:
    return body.replace(b"\n", b"\r\n")


_HEADER = "Request/OrderRequest/OrderRequestHeader"

HARD_CASES: tuple[HardCase, ...] = (
    HardCase(
        "offset-without-colon",
        "ISO 8601 basic offsets (-0800) are common in real traffic (cxml.md §2)",
        edit=_dates(timestamp="2025-01-14T09:15:27-0800", order_date="2025-01-14T09:15:12-0800"),
        expected={"order_date": datetime(2025, 1, 14, 9, 15, 12, tzinfo=PST)},
    ),
    HardCase(
        "zulu-time",
        "UTC written as Z",
        edit=_dates(timestamp="2025-01-14T17:15:27Z", order_date="2025-01-14T17:15:12Z"),
        expected={"order_date": datetime(2025, 1, 14, 17, 15, 12, tzinfo=UTC)},
    ),
    HardCase(
        "milliseconds",
        "JAGGAER sends milliseconds (FriendsOfCXML JmsDateTimeHandler, cxml.md §3)",
        edit=_dates(
            timestamp="2025-01-14T09:15:27.250-08:00", order_date="2025-01-14T09:15:12.345-08:00"
        ),
        expected={"order_date": datetime(2025, 1, 14, 9, 15, 12, 345000, tzinfo=PST)},
    ),
    HardCase(
        "seven-fraction-digits",
        ".NET senders write seven fractional digits",
        edit=_dates(
            timestamp="2025-01-14T17:15:27.1234567Z", order_date="2025-01-14T17:15:12.1234567Z"
        ),
        expected={"order_date": datetime(2025, 1, 14, 17, 15, 12, 123456, tzinfo=UTC)},
    ),
    HardCase(
        "bare-dates",
        "JAGGAER sends date-only values; they mean midnight in the partner's zone",
        edit=_dates(timestamp="2025-01-14", order_date="2025-01-14", delivery="2025-01-24"),
        default_tz=NEW_YORK,
        expected={
            "order_date": datetime(2025, 1, 14, tzinfo=NEW_YORK),
            "lines/0/requested_delivery_date": datetime(2025, 1, 24, tzinfo=NEW_YORK),
        },
    ),
    HardCase(
        "no-zone",
        "Oracle Supplier Network sends timestamps without a zone (FriendsOfCXML issue #15)",
        edit=_dates(timestamp="2025-01-14T09:15:27", order_date="2025-01-14T09:15:12"),
        default_tz=ISTANBUL,
        expected={"order_date": datetime(2025, 1, 14, 9, 15, 12, tzinfo=ISTANBUL)},
    ),
    HardCase(
        "space-instead-of-t",
        "some senders separate date and time with a space",
        edit=_dates(timestamp="2025-01-14 09:15:27-08:00", order_date="2025-01-14 09:15:12-08:00"),
        expected={"order_date": datetime(2025, 1, 14, 9, 15, 12, tzinfo=PST)},
    ),
    HardCase(
        "credential-domain-case",
        "NetworkID/NetworkId/networkid and DUNS/duns name the same domain (cxml.md §4)",
        edit=_domains(str.lower, str.upper, str.swapcase),
    ),
    HardCase(
        "header-order-shuffled",
        "element-order errors are the most common DTD invalidity (cxml.md §2)",
        edit=_reverse_children("Header"),
    ),
    HardCase(
        "shared-secret-before-identity",
        "children of a Credential in the wrong order",
        edit=_shared_secret_first,
    ),
    HardCase(
        "order-header-and-line-shuffled",
        "OrderRequestHeader, ItemOut and ItemDetail children in reverse order",
        edit=_all(
            _reverse_children(_HEADER),
            _reverse_children("Request/OrderRequest/ItemOut"),
            _reverse_children("Request/OrderRequest/ItemOut/ItemDetail"),
        ),
        expected={"total": Decimal("43.50"), "lines/0/supplier_part_id": "SP-1001"},
    ),
    HardCase(
        "sender-is-a-network",
        "a network relays the order: From is the buyer, Sender (with the secret) is the network",
        sender=NETWORK_SENDER,
    ),
    HardCase(
        "padded-credentials",
        "pretty-printers put newlines around Identity and SharedSecret text",
        edit=_pad_credential_text,
    ),
    HardCase(
        "several-credentials-per-party",
        "From and To are Credential+; parties often carry more than one identity",
        edit=_all(
            _extra_credential("From", CxmlParty("PrivateID", "buyer-internal-77")),
            _extra_credential("To", CxmlParty("VendorID", "V-000123")),
        ),
    ),
    HardCase(
        "xml-comments-in-credentials",
        "Coupa's annotated sample PO carries comments inside Sender (officeluv sample)",
        edit=_xml_comments_in_header,
    ),
    HardCase(
        "no-doctype",
        "most SAP CIG payloads have no DOCTYPE (cxml.md §1)",
        doctype_version=None,
    ),
    HardCase(
        "older-cxml-version",
        "Coupa's annotated sample PO is cXML 1.2.014",
        edit=_set(".", version="1.2.014"),
        doctype_version="1.2.014",
    ),
    HardCase(
        "no-version-no-lang",
        "cXML@version and xml:lang are optional",
        edit=_no_header_lang,
    ),
    HardCase(
        "utf8-byte-order-mark",
        "Windows tools prefix UTF-8 with a byte order mark",
        raw=_with_bom,
    ),
    HardCase(
        "crlf-line-endings",
        "documents written on Windows",
        raw=_crlf,
    ),
    HardCase(
        "test-deployment",
        'test accounts send Request@deploymentMode="test"; the order is flagged, not refused',
        edit=_set("Request", deploymentMode="test"),
        expected={"is_test": True},
    ),
    HardCase(
        "update-with-reference",
        "Coupa sends new and update; an update points back to the previous OrderRequest",
        edit=_update_of("1736874927.4500012.1@buyer.example"),
        expected={
            "change": "update",
            "version": 2,
            "supersedes": "1736874927.4500012.1@buyer.example",
        },
    ),
    HardCase(
        "custom-fields-extrinsic",
        "Coupa custom fields: <Extrinsic name=CustomFields> with IdReference children",
        edit=_custom_fields,
        expected={
            "extensions/CustomFields.cost-center": "CC-4410",
            "extensions/CustomFields.po-ref": "Facilities 2025",
            "extensions/Requester": "dana@example.com",
        },
    ),
    HardCase(
        "line-extrinsics",
        "line-level custom fields as Extrinsic (JAGGAER CFVALUE_*, unverified)",
        edit=_line_extrinsics,
        expected={
            "lines/0/extensions/CFVALUE_PROJECT": "P-17",
            "lines/0/extensions/CFVALUE_GL": "6100",
        },
    ),
    HardCase(
        "no-line-numbers",
        "ItemOut@lineNumber is optional; position counts from 1",
        edit=_drop_line_numbers,
        expected={"lines/0/line_number": 1, "lines/1/line_number": 2},
    ),
    HardCase(
        "money-without-currency",
        "a Money without currency is taken in the order currency",
        edit=_line_money_without_currency,
        expected={"currency": "USD", "lines/0/unit_price": Decimal("12.50")},
    ),
    HardCase(
        "unknown-elements",
        "newer cXML versions add elements; readers must ignore what they do not know",
        edit=_unknown_elements,
    ),
    HardCase(
        "comments-with-attachment",
        "Comments mix text and Attachment URLs; the URL is not comment text",
        edit=_comments_with_attachment,
        expected={"comments": "Leave at dock 4. Call ahead."},
    ),
    HardCase(
        "unicode-and-markup-in-text",
        "non-ASCII text and escaped markup characters survive as text",
        edit=_unicode_text,
        expected={
            "lines/0/description": _TURKISH_TEXT,
            "ship_to/name": "Şişli Depo",
        },
    ),
)
"""Every hard case, in a stable order (test ids are the names)."""
