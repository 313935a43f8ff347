"""The service contract, from a WSDL through zeep: envelopes out, answers in, nothing sent.

zeep is used for the contract only. The WSDL is read from a local file (the minimal one in
`wsdl/`, or the official one an operator points at) once per path, with a zeep transport that
refuses the network, so nothing is ever fetched at run time. Envelopes are built with
`Client.create_message` and answers read with the binding operation's output; sending is the
connector's business, with the hub's HTTP client (`client.py`).

Answers are parsed here with a locked-down lxml parser (no entities, no network, no DTD)
before zeep sees them: anything that is not a SOAP envelope is `NotSoapError`, a SOAP Fault is
returned as a `SoapFault`, and elements a newer service adds at the end of a type are skipped
(zeep `strict=False`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zeep
from lxml import etree
from zeep.exceptions import Error as ZeepError
from zeep.transports import Transport

NAMESPACE = "http://yurticikargo.com.tr/ShippingOrderDispatcherServices"
BINDING = f"{{{NAMESPACE}}}ShippingOrderDispatcherServicesBinding"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SHIPPED_WSDL = Path(__file__).resolve().parent / "wsdl" / "ShippingOrderDispatcherServices.wsdl"
"""B2Connect's own minimal description of the three operations we use."""

_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "dtd_validation": False,
}


class NotSoapError(Exception):
    """The answer is not a SOAP envelope with the operation's answer or a Fault in it."""


@dataclass(frozen=True)
class SoapFault:
    """A SOAP 1.1 Fault; `error_code`/`error_text` from a YurticikargoWSException detail."""

    code: str
    """The faultcode's local part: `Client` or `Server` (other values kept as sent)."""
    text: str
    error_code: int | None = None
    error_text: str | None = None

    def describe(self) -> str:
        """The fault in Yurtici's words, for an error message (no request data in it)."""
        if self.error_code is not None:
            return f"{self.error_code} {self.error_text or self.text}".strip()
        return f"{self.code}: {self.text}".strip()


class _OfflineTransport(Transport):
    """A zeep transport that reads local files only: a WSDL import over HTTP is refused."""

    def load(self, url: str) -> bytes:
        if "://" in url and not url.startswith("file://"):
            msg = f"refusing to fetch {url!r}: the Yurtici WSDL must be self-contained"
            raise ValueError(msg)
        return bytes(super().load(url))  # type: ignore[no-untyped-call]

    def post(self, *args: Any, **kwargs: Any) -> Any:
        msg = "the Yurtici contract never sends; the connector posts with the hub's client"
        raise RuntimeError(msg)

    post_xml = post
    get = post


class ServiceContract:
    """ShippingOrderDispatcherServices as one WSDL describes it."""

    def __init__(self, wsdl_path: Path) -> None:
        settings = zeep.Settings(
            strict=False, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True
        )
        self.wsdl_path = wsdl_path
        transport = _OfflineTransport()  # type: ignore[no-untyped-call]
        self._client = zeep.Client(  # type: ignore[no-untyped-call]
            str(wsdl_path), transport=transport, settings=settings
        )
        self._binding = self._client.wsdl.bindings[BINDING]
        self._service = self._client.create_service(  # type: ignore[no-untyped-call]
            BINDING, "http://localhost/unused"
        )

    def envelope(self, operation: str, **arguments: Any) -> bytes:
        """The SOAP envelope of `operation` called with `arguments` (credentials included:
        never log it)."""
        element = self._client.create_message(  # type: ignore[no-untyped-call]
            self._service, operation, **arguments
        )
        return bytes(etree.tostring(element, xml_declaration=True, encoding="utf-8"))

    def read(self, operation: str, body: bytes) -> Any:
        """The answer of `operation` from `body` (a zeep object), or its `SoapFault`."""
        envelope = parse_envelope(body)
        answer = _body_child(envelope)
        if etree.QName(answer).localname == "Fault":
            return read_fault(answer)
        if etree.QName(answer).localname != f"{operation}Response":
            msg = f"expected {operation}Response, got {etree.QName(answer).localname}"
            raise NotSoapError(msg)
        try:
            return self._binding.get(operation).process_reply(envelope)  # type: ignore[no-untyped-call]
        except (ZeepError, ValueError, TypeError, AttributeError) as error:
            msg = f"{operation}Response does not match the contract ({type(error).__name__})"
            raise NotSoapError(msg) from None


def load_contract(wsdl_path: Path | None = None) -> ServiceContract:
    """The contract of `wsdl_path` (None: the shipped WSDL), loaded once per path."""
    return _cached_contract((wsdl_path or SHIPPED_WSDL).resolve())


@functools.lru_cache(maxsize=8)
def _cached_contract(wsdl_path: Path) -> ServiceContract:
    return ServiceContract(wsdl_path)


def parse_envelope(body: bytes) -> etree._Element:
    """`body` as a SOAP 1.1 envelope; `NotSoapError` for anything else."""
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        msg = "the answer is not XML"
        raise NotSoapError(msg) from None
    if root.getroottree().docinfo.doctype:  # type: ignore[union-attr]
        msg = "the answer carries a DOCTYPE"
        raise NotSoapError(msg)
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        msg = f"the answer is not a SOAP envelope (root {etree.QName(root).localname})"
        raise NotSoapError(msg)
    return root


def _body_child(envelope: etree._Element) -> etree._Element:
    body = envelope.find(f"{{{SOAP_ENV}}}Body")
    children = [] if body is None else [c for c in body if isinstance(c.tag, str)]
    if not children:
        msg = "the SOAP envelope has no body"
        raise NotSoapError(msg)
    return children[0]


def read_fault(fault: etree._Element) -> SoapFault:
    """A SOAP 1.1 Fault element, with Yurtici's YurticikargoWSException detail if present."""
    code = (fault.findtext("faultcode") or "").strip()
    text = (fault.findtext("faultstring") or "").strip()
    error_code: int | None = None
    error_text: str | None = None
    for element in fault.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        value = (element.text or "").strip()
        if name == "errorCode" and value.lstrip("-").isdigit():
            error_code = int(value)
        elif name == "errText" and value:
            error_text = value
    return SoapFault(code.rpartition(":")[2] or "Server", text, error_code, error_text)
