"""The cXML envelope: `parse_cxml` turns untrusted bytes into a `CxmlDocument`.

The envelope is what every cXML document shares (payloadID, timestamp, From/To/Sender, the
payload's kind); readers such as `read_order_request` take it from there. Only the envelope is
interpreted here, so authentication can run before any business content is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from lxml import etree

from connectors.core.errors import DocumentError, MalformedDocumentError
from connectors.formats.cxml._datetime import parse_cxml_datetime
from connectors.formats.cxml._parser import parse_xml
from connectors.formats.cxml._prescan import UTF8_BOM, check_encoding, check_no_entities
from connectors.formats.cxml._xml import (
    Index,
    attribute,
    child,
    elements,
    first,
    full_text,
    index,
    shorten,
)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Credential:
    """One `Credential` of From, To or Sender; the shared secret never shows in `repr`."""

    domain: str
    identity: str
    shared_secret: str | None = field(default=None, repr=False)

    def matches(self, domain: str, identity: str) -> bool:
        """Same party: domain case-insensitively (`NetworkID`/`NetworkId`), identity exactly."""
        return (
            self.domain.strip().casefold() == domain.strip().casefold()
            and self.identity.strip() == identity.strip()
        )


@dataclass(frozen=True)
class CxmlHeader:
    """The `Header`: who sends (From), to whom (To), through whom (Sender, with the secret)."""

    from_: tuple[Credential, ...]
    to: tuple[Credential, ...]
    sender: tuple[Credential, ...]
    user_agent: str | None


@dataclass(frozen=True)
class CxmlDocument:
    """A parsed, safe, well-formed cXML document with its envelope read."""

    payload_id: str
    timestamp: datetime | None
    version: str | None
    lang: str | None
    header: CxmlHeader | None
    """`None` for documents without a Header (a Response)."""
    kind: str
    """Tag of the payload: `OrderRequest`, `ConfirmationRequest`, `PunchOutOrderMessage`...;
    `Response` for every Response document."""
    deployment_mode: str | None
    """`Request@deploymentMode` (or `Message@deploymentMode`) as sent."""
    root: etree._Element
    """The parsed tree, for readers."""


MAX_PAYLOAD_ID_LENGTH = 255
"""Longest payloadID accepted: real ones are under 100 characters; ids are stored and indexed."""


def parse_cxml(body: bytes, *, default_tz: tzinfo = UTC) -> CxmlDocument:
    """Check, parse and read the envelope of untrusted bytes.

    Raises `MalformedDocumentError` (empty, not UTF-8, not XML, not cXML, no payloadID, bad
    timestamp) or `UnsafeDocumentError` (entities, DOCTYPE internal subset, too deep, too large).
    """
    content = body[len(UTF8_BOM) :] if body.startswith(UTF8_BOM) else body
    if not content or content.isspace():
        msg = "empty body"
        raise MalformedDocumentError(msg)
    check_encoding(body)
    check_no_entities(body)
    root = parse_xml(body)
    if root.tag != "cXML":
        msg = f"not a cXML document: root element is <{shorten(str(root.tag))}>"
        raise MalformedDocumentError(msg)
    payload_id = attribute(root, "payloadID")
    if not payload_id:
        msg = "cXML@payloadID is required"
        raise MalformedDocumentError(msg, location="cXML/@payloadID")
    if any(ord(character) < 32 or ord(character) == 127 for character in payload_id):
        msg = "cXML@payloadID contains control characters (newline, tab...)"
        raise MalformedDocumentError(msg, location="cXML/@payloadID")
    if len(payload_id) > MAX_PAYLOAD_ID_LENGTH:
        msg = (
            f"cXML@payloadID is {len(payload_id)} characters long; at most "
            f"{MAX_PAYLOAD_ID_LENGTH} are accepted"
        )
        raise MalformedDocumentError(msg, location="cXML/@payloadID")
    kind, deployment_mode = payload_kind(root)
    kind = shorten(kind, 60)  # a namespaced or absurd tag is still reported, within reason
    header = child(root, "Header")
    return CxmlDocument(
        payload_id=payload_id,
        timestamp=_timestamp(root, default_tz),
        version=attribute(root, "version") or None,
        lang=attribute(root, XML_LANG) or None,
        header=None if header is None else _read_header(header),
        kind=kind,
        deployment_mode=deployment_mode,
        root=root,
    )


def payload_kind(root: etree._Element) -> tuple[str, str | None]:
    """The payload's kind and deployment mode, read from a `cXML` root element."""
    container, payload = _locate_payload(root)
    if container.tag == "Response":
        return "Response", None
    return str(payload.tag), attribute(container, "deploymentMode") or None


def payload_element(document: CxmlDocument) -> etree._Element:
    """The payload element (`OrderRequest`, ...; the `Response` itself for a Response)."""
    return _locate_payload(document.root)[1]


def _locate_payload(root: etree._Element) -> tuple[etree._Element, etree._Element]:
    """(Request|Message|Response container, payload element) of a `cXML` root."""
    for container in elements(root):
        tag = container.tag
        if tag == "Response":
            return container, container
        if tag in ("Request", "Message"):
            payload = next((e for e in elements(container) if e.tag != "Status"), None)
            if payload is None:
                msg = f"{tag} has no payload element"
                raise MalformedDocumentError(msg, location=f"cXML/{tag}")
            return container, payload
    msg = "cXML document has no Request, Message or Response"
    raise MalformedDocumentError(msg, location="cXML")


def _timestamp(root: etree._Element, default_tz: tzinfo) -> datetime | None:
    text = attribute(root, "timestamp")
    if not text:
        return None
    try:
        return parse_cxml_datetime(text, default_tz=default_tz)
    except DocumentError as error:
        raise MalformedDocumentError(
            f"cXML@timestamp: {error}", location="cXML/@timestamp"
        ) from None


def _read_header(header: etree._Element) -> CxmlHeader:
    parts = index(header)
    sender = index(first(parts, "Sender"))
    return CxmlHeader(
        from_=_credentials(index(first(parts, "From"))),
        to=_credentials(index(first(parts, "To"))),
        sender=_credentials(sender),
        user_agent=full_text(first(sender, "UserAgent")) or None,
    )


def _credentials(party: Index) -> tuple[Credential, ...]:
    return tuple(_credential(element) for element in party.get("Credential", ()))


def _credential(element: etree._Element) -> Credential:
    parts = index(element)
    secret = first(parts, "SharedSecret")
    return Credential(
        domain=attribute(element, "domain"),
        identity=full_text(first(parts, "Identity")),
        shared_secret=None if secret is None else full_text(secret),
    )
