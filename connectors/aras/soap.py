"""SOAP 1.1 by hand: envelopes built with lxml, answers read with a hardened parser.

Aras publishes no WSDL we could use (partners.md §6.2), so requests are written here: the
operation element in `http://tempuri.org/` (ASMX and WCF defaults, as Aras' services use),
user data only ever set as element text, so lxml escapes `<`, `&` and `>` (never string
concatenation). Answers are parsed without entities, network or DTDs (`SAFE_PARSER`).

`SoapCaller.call` sends one request and returns the operation's response element:

    timeout, reset, 5xx without a SOAP fault     TransientError (connectors.core.http)
    401, 403                                     AuthError
    other 4xx                                    RejectedByPartnerError
    SOAP fault, faultcode Client                 RejectedByPartnerError with the faultstring
    SOAP fault, faultcode Server (or other)      TransientError with the faultstring
    2xx that is not a SOAP envelope              TransientError (a proxy or maintenance page)

Messages name the operation and the URL without its query, never a header or a body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import httpx
from lxml import etree

from connectors.core.contract import Clock
from connectors.core.errors import RejectedByPartnerError, TransientError
from connectors.core.http import classify_status, without_query

__all__ = [
    "SAFE_PARSER",
    "SOAP_ENV",
    "TEMPURI",
    "SoapCaller",
    "child_text",
    "envelope",
    "operation",
    "parse_xml",
    "q",
]

logger = logging.getLogger(__name__)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TEMPURI = "http://tempuri.org/"
CONTENT_TYPE = "text/xml; charset=utf-8"
_SHOWN = 300

SAFE_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)
"""No entity expansion, no network, no DTD: an answer cannot make us fetch or expand anything."""


def q(name: str) -> str:
    """`{http://tempuri.org/}name`."""
    return f"{{{TEMPURI}}}{name}"


def operation(name: str) -> etree._Element:
    """`<name xmlns="http://tempuri.org/">`: the operation element, default namespace as .NET
    writes it."""
    nsmap: Any = {None: TEMPURI}  # lxml-stubs types the keys as str; None is the default
    return etree.Element(q(name), nsmap=nsmap)


def parse_xml(body: bytes) -> etree._Element | None:
    """`body` parsed with `SAFE_PARSER`, or None when it is not well-formed XML."""
    try:
        return etree.fromstring(body, SAFE_PARSER)
    except etree.XMLSyntaxError:
        return None


def child_text(element: etree._Element | None, name: str) -> str | None:
    """The stripped text of `element`'s child `name` (any namespace), if there is one."""
    if element is None:
        return None
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return (child.text or "").strip()
    return None


def envelope(operation: etree._Element) -> bytes:
    """`operation` in a SOAP 1.1 envelope, UTF-8 with an XML declaration."""
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    body = etree.SubElement(root, f"{{{SOAP_ENV}}}Body")
    body.append(operation)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


class SoapCaller:
    """Sends envelopes over the hub's HTTP client and reads the answers (module docstring)."""

    def __init__(self, client: httpx.Client, *, clock: Clock, secrets: Iterable[str]) -> None:
        self._client = client
        self._clock = clock
        self._secrets = tuple(s for s in secrets if s)

    def __repr__(self) -> str:
        return "SoapCaller()"

    def call(self, url: str, action: str, operation: etree._Element) -> etree._Element:
        """Send `operation` to `url` with `SOAPAction: "action"`; its `<Op>Response` element."""
        name = etree.QName(operation).localname
        what = f"{name} at {without_query(url)}"
        request = self._client.build_request(
            "POST",
            url,
            content=envelope(operation),
            headers={"Content-Type": CONTENT_TYPE, "SOAPAction": f'"{action}"'},
        )
        try:
            response = self._client.send(request)
        except httpx.TimeoutException as error:
            msg = f"{what}: timed out ({type(error).__name__})"
            raise TransientError(msg) from None
        except httpx.TransportError as error:
            msg = f"{what}: connection failed ({type(error).__name__})"
            raise TransientError(msg) from None
        root = parse_xml(response.content)
        body = _soap_body(root)
        if body is not None:
            _raise_fault(body, what, self.hide)
        if not response.is_success:
            classify_status(
                response.status_code,
                self.hide(response.content[:_SHOWN].decode("utf-8", "replace")).encode(),
                response.headers,
                now=self._clock(),
                what=what,
            )
        if body is None:
            content_type = response.headers.get("Content-Type", "no Content-Type")
            msg = f"{what}: HTTP {response.status_code} but not a SOAP envelope ({content_type})"
            raise TransientError(msg)
        answer = body.find(q(f"{name}Response"))
        if answer is None:
            msg = f"{what}: the SOAP body has no {name}Response"
            raise TransientError(msg)
        logger.debug("aras: %s answered", what)
        return answer

    def hide(self, text: str) -> str:
        """`text` with our passwords masked, should Aras ever echo one back."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


def _soap_body(root: etree._Element | None) -> etree._Element | None:
    if root is None or root.tag != f"{{{SOAP_ENV}}}Envelope":
        return None
    return root.find(f"{{{SOAP_ENV}}}Body")


def _raise_fault(body: etree._Element, what: str, hide: Callable[[str], str]) -> None:
    fault = body.find(f"{{{SOAP_ENV}}}Fault")
    if fault is None:
        return
    code = child_text(fault, "faultcode") or ""
    text = child_text(fault, "faultstring") or "no faultstring"
    shown = hide(text[:_SHOWN])
    msg = f"{what}: SOAP fault {code}: {shown}"
    if code.rpartition(":")[2] == "Client":
        raise RejectedByPartnerError(msg)
    raise TransientError(msg)
