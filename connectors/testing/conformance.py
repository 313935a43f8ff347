"""The shared conformance suite: every connector's test inherits it in about three lines.

    from connectors.coupa import CoupaConnector
    from connectors.testing.conformance import CxmlPlatformConformance, cxml_platform_config

    class TestCoupaConformance(CxmlPlatformConformance):
        connector_class = CoupaConnector
        config = cxml_platform_config(
            "NetworkID", buyer="COUPA-DEMO-BUYER", supplier="B2CONNECT-DEMO-SUPPLIER",
            sender="COUPA-DEMO-BUYER",
        )

`ConnectorConformance` holds what every connector owes the core whatever its protocol: a spec
whose key is its entry-point name, declared capabilities, a strict config model, secrets that are
`SecretStr` and never shown, and the registry round trip. `CxmlPlatformConformance` adds what a
cXML procurement platform connector owes: inbound authenticity (and error messages that never
carry the secret), safe decoding, the hard cases of `hard_cases.py`, and answers that re-parse
to the same status and validate against cXML.dtd, timed by the injected clock.

Override points are few on purpose: `connector_class`, `config`, and `cxml_dtd_dir` (defaults to
`$B2CONNECT_SHARED_DIR/cxml/dtd`, else `<repo>/../shared/cxml/dtd`; DTD checks run when that
directory exists).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar

import pytest
from lxml import etree
from pydantic import BaseModel, SecretStr, ValidationError

from connectors.core import (
    ENTRY_POINT_GROUP,
    AuthenticityError,
    Capability,
    ConnectorContext,
    ConnectorSpec,
    DocumentError,
    UnsafeDocumentError,
    UnsupportedDocumentError,
    connector_keys,
    load_connector,
)
from connectors.core.carrier import CarrierConnector
from connectors.core.inbound import (
    InboundBatch,
    InboundConnector,
    InboundRefusal,
    InboundRequest,
    Transport,
)
from connectors.core.pull import PullConnector
from connectors.core.push import PushConnector
from connectors.cxml_platform import CredentialConfig, CxmlPlatformConfig, CxmlPlatformConnector
from connectors.formats.cxml import CxmlStatus, DtdValidator, parse_cxml
from connectors.testing.conformance_clock import CLOCK_START, SettableClock
from connectors.testing.cxml_documents import (
    CxmlParty,
    TradingPartners,
    header_element,
    order_request,
    order_request_element,
    profile_request,
    serialize,
)
from connectors.testing.hard_cases import HARD_CASES, NETWORK_SENDER, HardCase, pluck
from connectors.testing.push_conformance import CxmlPushConformance

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DIR = Path(os.environ.get("B2CONNECT_SHARED_DIR", REPO_ROOT.parent / "shared"))
DEFAULT_DTD_DIR = SHARED_DIR / "cxml" / "dtd"
"""Where the vendored cXML DTDs live: `<dir>/<version>/<Family>.dtd`."""

CONFORMANCE_SECRET = "Conformance-Secret-7d41c9"  # noqa: S105 - a test value, not a credential
"""A shared secret long and odd enough that finding it in a message cannot be a coincidence."""
HOSTNAME = "conformance.b2connect.test"
"""The injected hostname; answers' payloadIDs must end in it."""

_SECRET_LIKE = re.compile(r"secret|password|passwd|token|api_?key|private_key", re.IGNORECASE)
_KEY = re.compile(r"[a-z][a-z0-9_-]*")
_PROTOCOL = re.compile(r"[a-z][a-z0-9_]*")
_PAYLOAD_KIND = re.compile(r"[A-Z][A-Za-z]*(Request|Message)")


def cxml_platform_config(
    domain: str,
    *,
    buyer: str,
    supplier: str,
    sender: str,
    shared_secret: str = CONFORMANCE_SECRET,
    **settings: Any,
) -> dict[str, Any]:
    """A raw cXML platform config (as the core assembles it from a profile) in one domain."""
    return {
        "buyer": {"domain": domain, "identity": buyer},
        "supplier": {"domain": domain, "identity": supplier},
        "sender": {"domain": domain, "identity": sender},
        "shared_secret": shared_secret,
        **settings,
    }


class ConnectorConformance:
    """What every connector owes the core, whatever its protocol."""

    connector_class: ClassVar[type[Any]]
    """The connector under test, as registered in the `b2connect.connectors` entry points."""
    config: ClassVar[Mapping[str, Any]]
    """A valid raw config for it, secrets included (as the core resolves them)."""
    secret_fields: ClassVar[tuple[str, ...]] = ()
    """Config fields that hold secrets."""

    # -- helpers ---------------------------------------------------------------------------

    def validated_config(self) -> BaseModel:
        """`config` validated by the connector's own model."""
        model: type[BaseModel] = self.connector_class.config_model
        return model.model_validate(self.config)

    def make_connector(
        self, config: BaseModel | None = None, clock: SettableClock | None = None
    ) -> Any:
        """A connector built the way the core builds one: `(config, ConnectorContext)`."""
        context = ConnectorContext(clock=clock or SettableClock(CLOCK_START), hostname=HOSTNAME)
        return self.connector_class(config or self.validated_config(), context)

    # -- spec ------------------------------------------------------------------------------

    def test_spec_is_a_connector_spec_with_a_name(self) -> None:
        spec = self.connector_class.spec
        assert isinstance(spec, ConnectorSpec)
        assert _KEY.fullmatch(spec.key), f"key {spec.key!r} is not a lower-case slug"
        assert spec.display_name.strip() != ""
        assert _PROTOCOL.fullmatch(spec.protocol), (
            f"protocol {spec.protocol!r} is not a family name"
        )

    def test_spec_key_is_its_entry_point_name(self) -> None:
        spec: ConnectorSpec = self.connector_class.spec
        named = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == spec.key]
        assert len(named) == 1, (
            f"{self.connector_class.__name__} declares key {spec.key!r}, but the "
            f"{ENTRY_POINT_GROUP!r} entry points named so are {[ep.value for ep in named]}"
        )
        assert named[0].load() is self.connector_class

    def test_registry_round_trip(self) -> None:
        key = self.connector_class.spec.key
        assert key in connector_keys()
        assert load_connector(key) is self.connector_class

    def test_capabilities_are_declared(self) -> None:
        spec: ConnectorSpec = self.connector_class.spec
        assert isinstance(spec.capabilities, frozenset)
        assert spec.capabilities, "a connector that can do nothing"
        assert all(isinstance(c, Capability) for c in spec.capabilities)
        if Capability.INBOUND in spec.capabilities:
            assert spec.inbound_documents, "INBOUND declared, but no inbound document kinds"
        else:
            assert not spec.inbound_documents, "inbound document kinds without INBOUND"
        if Capability.PUSH in spec.capabilities:
            assert spec.outbound_documents, "PUSH declared, but no outbound document kinds"

    # -- config ----------------------------------------------------------------------------

    def test_config_is_valid(self) -> None:
        assert isinstance(self.validated_config(), self.connector_class.config_model)

    def test_config_model_rejects_unknown_keys(self) -> None:
        model: type[BaseModel] = self.connector_class.config_model
        attempts: list[tuple[str, dict[str, Any]]] = [
            ("unexpected_key", {**self.config, "unexpected_key": "x"})
        ]
        validated = self.validated_config()
        for name in type(validated).model_fields:
            nested = getattr(validated, name)
            if isinstance(nested, BaseModel):
                raw = {**nested.model_dump(), "unexpected_key": "x"}
                attempts.append((f"{name}.unexpected_key", {**self.config, name: raw}))
        for where, raw_config in attempts:
            with pytest.raises(ValidationError) as info:
                model.model_validate(raw_config)
            problems = [
                ".".join(str(part) for part in e["loc"])
                for e in info.value.errors()
                if e["type"] == "extra_forbidden"
            ]
            assert problems == [where], f"{where} was not refused as an unknown key"

    def test_secret_looking_fields_are_secret_str(self) -> None:
        model: type[BaseModel] = self.connector_class.config_model
        for name, info in model.model_fields.items():
            if _SECRET_LIKE.search(name) or name in self.secret_fields:
                assert info.annotation in (SecretStr, SecretStr | None), (
                    f"config field {name!r} holds a secret but is typed {info.annotation}"
                )

    # -- capabilities ----------------------------------------------------------------------

    def test_declared_capabilities_are_implemented(self) -> None:
        connector = self.make_connector()
        spec: ConnectorSpec = connector.spec
        if Capability.INBOUND in spec.capabilities:
            assert isinstance(connector, InboundConnector), "INBOUND without the protocol"
            assert isinstance(type(connector).answers_business_problems, bool)
            assert spec.ingress is not None, "INBOUND connectors name their protocol's ingress"
            assert _KEY.fullmatch(spec.ingress.name)
            path = spec.ingress.path
            assert path is None or (path.startswith("/") and "{partner_key}" in path)
        else:
            assert spec.ingress is None, "an ingress without INBOUND"
        if Capability.PUSH in spec.capabilities:
            assert isinstance(connector, PushConnector), "PUSH without the protocol"
        if Capability.PULL in spec.capabilities:
            assert isinstance(connector, PullConnector), "PULL without the protocol"
            assert _KEY.fullmatch(type(connector).stream)
        if Capability.CARRIER in spec.capabilities:
            assert isinstance(connector, CarrierConnector), "CARRIER without the protocol"

    def test_open_never_raises_on_hostile_bodies(self) -> None:
        """Bad input is a refusal or a document with a problem, whatever the transport."""
        if Capability.INBOUND not in self.connector_class.spec.capabilities:
            return
        connector = self.make_connector()
        for body in HOSTILE_BODIES:
            for transport in (Transport.HTTP, Transport.FILE_DROP, Transport.PULL):
                request = InboundRequest(body=body, transport=transport)
                opened = connector.open(request, tz=UTC)
                assert isinstance(opened, InboundBatch | InboundRefusal), (body[:40], opened)

    def test_secrets_never_show_in_config_or_connector(self) -> None:
        config = self.validated_config()
        connector = self.make_connector(config)
        for name in self.secret_fields:
            value = getattr(config, name)
            assert isinstance(value, SecretStr), f"{name} is not a SecretStr"
            secret = value.get_secret_value()
            assert secret == self.config[name]
            shown = {
                "repr(config)": repr(config),
                "str(config)": str(config),
                "config.model_dump_json()": config.model_dump_json(),
                "str(config.model_dump())": str(config.model_dump()),
                "repr(connector)": repr(connector),
                "str(connector)": str(connector),
                "repr(vars(connector))": repr(vars(connector)),
            }
            leaks = [where for where, text in shown.items() if secret in text]
            assert leaks == [], f"the {name} shows in {leaks}"


HOSTILE_BODIES: tuple[bytes, ...] = (
    b"",
    b"\x00" * 64,
    b"\xff\xfe<\x00?\x00",
    b"{}",
    b"[1, 2, 3]",
    b'{"po-number": 1, "version": "x"}',
    b"<?xml version='1.0'?><cXML/>",
    b"ISA*00*",
    b"UNB+UNOA:3+X+Y+200101:1200+1'",
    b"UNA:+.? 'UNB+UNOC:3+S:14+R:14+010101:0000+1'UNH+1+ORDERS:D:96A:UN'UNT+9+1'",
    bytes(range(256)),
)
"""Bodies every INBOUND connector's `open` must survive without raising."""


TamperEdit = Callable[[etree._Element, TradingPartners], str | None]
"""Changes the `cXML` root of an authentic OrderRequest; returns the secret it now presents."""


@dataclass(frozen=True)
class Tamper:
    """A change to an authentic OrderRequest that must make it inauthentic."""

    name: str
    edit: TamperEdit


# -- tampers ------------------------------------------------------------------------------


def _sender_credential(root: etree._Element) -> etree._Element:
    found = root.find("Header/Sender/Credential")
    assert found is not None
    return found


def _present_secret(value: str) -> TamperEdit:
    def edit(root: etree._Element, partners: TradingPartners) -> str | None:
        del partners
        secret = _sender_credential(root).find("SharedSecret")
        assert secret is not None
        secret.text = value
        return value

    return edit


def _secret_from(change: Callable[[str], str]) -> TamperEdit:
    def edit(root: etree._Element, partners: TradingPartners) -> str | None:
        return _present_secret(change(partners.shared_secret))(root, partners)

    return edit


def _same_length(secret: str) -> str:
    last = "x" if secret[-1] != "x" else "y"
    return secret[:-1] + last


def _drop(path: str) -> TamperEdit:
    def edit(root: etree._Element, partners: TradingPartners) -> str | None:
        del partners
        for element in root.findall(path):
            parent = element.getparent()
            assert parent is not None
            parent.remove(element)
        return None

    return edit


def _set_credential(
    part: str, *, domain: str | None = None, identity: str | None = None
) -> TamperEdit:
    def edit(root: etree._Element, partners: TradingPartners) -> str | None:
        del partners
        credential = root.find(f"Header/{part}/Credential")
        assert credential is not None
        if domain is not None:
            credential.set("domain", domain)
        if identity is not None:
            identity_element = credential.find("Identity")
            assert identity_element is not None
            identity_element.text = identity
        return None

    return edit


def _with_suffix(part: str) -> TamperEdit:
    def edit(root: etree._Element, partners: TradingPartners) -> str | None:
        identity = root.find(f"Header/{part}/Credential/Identity")
        assert identity is not None
        identity.text = f"{identity.text}-X"
        del partners
        return None

    return edit


def _to_is_the_buyer(root: etree._Element, partners: TradingPartners) -> str | None:
    return _set_credential("To", identity=partners.buyer.identity)(root, partners)


def _secret_in_from(root: etree._Element, partners: TradingPartners) -> str | None:
    sender = _sender_credential(root)
    secret = sender.find("SharedSecret")
    assert secret is not None
    sender.remove(secret)
    from_credential = root.find("Header/From/Credential")
    assert from_credential is not None
    from_credential.append(secret)
    del partners
    return None


def _network_sender_not_configured(root: etree._Element, partners: TradingPartners) -> str | None:
    header = root.find("Header")
    assert header is not None
    root.replace(header, header_element(_replace_sender(partners, NETWORK_SENDER)))
    return None


def _secret_on_another_sender_credential(
    root: etree._Element, partners: TradingPartners
) -> str | None:
    """Sender has the configured identity without the secret, and a stranger with it."""
    sender = root.find("Header/Sender")
    assert sender is not None
    genuine = _sender_credential(root)
    secret = genuine.find("SharedSecret")
    assert secret is not None
    genuine.remove(secret)
    stranger = etree.Element("Credential", domain=partners.sender.domain)
    etree.SubElement(stranger, "Identity").text = f"{partners.sender.identity}-stranger"
    stranger.append(secret)
    genuine.addnext(stranger)
    return None


def _replace_sender(partners: TradingPartners, sender: CxmlParty) -> TradingPartners:
    return TradingPartners(partners.buyer, partners.supplier, sender, partners.shared_secret)


TAMPERS: tuple[Tamper, ...] = (
    Tamper("wrong-secret", _secret_from(lambda s: "Wr0ng-" + s[::-1])),
    Tamper("secret-right-length-last-char-wrong", _secret_from(_same_length)),
    Tamper("secret-right-length-first-char-wrong", _secret_from(lambda s: "~" + s[1:])),
    Tamper("secret-in-the-wrong-case", _secret_from(str.swapcase)),
    Tamper("secret-cut-short", _secret_from(lambda s: s[:-1])),
    Tamper("secret-with-a-character-added", _secret_from(lambda s: s + s[-1])),
    Tamper("empty-shared-secret", _present_secret("")),
    Tamper("no-shared-secret", _drop("Header/Sender/Credential/SharedSecret")),
    Tamper("secret-in-from-instead-of-sender", _secret_in_from),
    Tamper("secret-on-another-sender-credential", _secret_on_another_sender_credential),
    Tamper("wrong-sender-identity", _with_suffix("Sender")),
    Tamper("wrong-sender-domain", _set_credential("Sender", domain="SomeOtherDomain")),
    Tamper("network-sender-not-configured", _network_sender_not_configured),
    Tamper("no-sender", _drop("Header/Sender")),
    Tamper("no-header", _drop("Header")),
    Tamper("wrong-from-identity", _with_suffix("From")),
    Tamper("wrong-from-domain", _set_credential("From", domain="SomeOtherDomain")),
    Tamper("no-from-credential", _drop("Header/From/Credential")),
    Tamper("wrong-to-identity", _with_suffix("To")),
    Tamper("wrong-to-domain", _set_credential("To", domain="SomeOtherDomain")),
    Tamper("to-names-the-buyer", _to_is_the_buyer),
    Tamper("no-to-credential", _drop("Header/To/Credential")),
)
"""Changes that must each make an authentic OrderRequest inauthentic."""


def _truncated_after(plain: bytes, secret: bytes) -> bytes:
    return plain[: plain.index(secret) + len(secret)]


def _bad_utf8_inside(plain: bytes, secret: bytes) -> bytes:
    at = plain.index(secret) + len(secret) // 2
    return plain[:at] + b"\xff" + plain[at:]


BREAKAGES: dict[str, Callable[[bytes, bytes], bytes]] = {
    "truncated-after-the-secret": _truncated_after,
    "mismatched-end-tag": lambda plain, _: plain.replace(b"</SharedSecret>", b"</SharedSecrt>"),
    "bad-utf8-inside-the-secret": _bad_utf8_inside,
    "bare-ampersand-after-the-secret": lambda plain, s: plain.replace(s, s + b" & more"),
    "markup-after-the-secret": lambda plain, s: plain.replace(s, s + b"<"),
    "no-payload": lambda plain, _: plain.replace(b"Request", b"Nothing"),
}
"""Broken documents whose secret sits right where the parser gives up."""


ANSWER_CASES = (
    pytest.param(CxmlStatus.ok(), "", id="200-ok"),
    pytest.param(CxmlStatus.accepted("held for review"), "held for review", id="201-held"),
    pytest.param(CxmlStatus.bad_request("ItemOut[2]@quantity is required"), None, id="400"),
    pytest.param(CxmlStatus.unauthorized("the Sender is not valid"), None, id="401"),
    pytest.param(CxmlStatus.not_acceptable("ProfileRequest is not accepted"), None, id="406"),
    pytest.param(CxmlStatus.conflict("version 3 is older than 4"), None, id="409"),
    pytest.param(CxmlStatus.internal_server_error(), "", id="500-no-message"),
    pytest.param(CxmlStatus.service_unavailable("unable to store; retry"), None, id="503"),
    pytest.param(CxmlStatus.of(475, "signature required"), None, id="475-no-standard-text"),
    pytest.param(
        CxmlStatus.bad_request('<b>&amp; "q" \u00fcn\u00efc\u00f6d\u00e9'), None, id="markup"
    ),
    pytest.param(
        CxmlStatus.bad_request("control \x01 byte"), "control \ufffd byte", id="control-char"
    ),
)
"""(status, the message the answer must carry, or None for the status's own message)."""


class CxmlPlatformConformance(CxmlPushConformance, ConnectorConformance):
    """What a cXML procurement platform connector (Coupa, Ariba, JAGGAER...) owes the core."""

    connector_class: ClassVar[type[CxmlPlatformConnector]]
    secret_fields: ClassVar[tuple[str, ...]] = ("shared_secret",)
    cxml_dtd_dir: ClassVar[Path] = DEFAULT_DTD_DIR
    """The vendored DTDs; answers and declared document kinds are checked when it exists."""

    # -- helpers ---------------------------------------------------------------------------

    def platform_config(self) -> CxmlPlatformConfig:
        """`config` validated by the connector's model."""
        return self.connector_class.config_model.model_validate(self.config)

    def partners(self) -> TradingPartners:
        """The buyer, supplier and sender the configured connector expects."""
        return TradingPartners.from_config(self.platform_config())

    def cxml_connector(
        self, config: CxmlPlatformConfig | None = None, clock: SettableClock | None = None
    ) -> CxmlPlatformConnector:
        """The connector under test with the suite's clock and hostname."""
        connector: CxmlPlatformConnector = self.make_connector(
            config or self.platform_config(), clock
        )
        return connector

    def dtd_validator(self) -> DtdValidator | None:
        """A validator over `cxml_dtd_dir`, or None when the DTDs are not there."""
        return _validator(self.cxml_dtd_dir)

    def secret(self) -> str:
        """The configured shared secret."""
        return self.platform_config().shared_secret.get_secret_value()

    def assert_secret_not_in(self, error: BaseException, *presented: str | None) -> None:
        """Neither our secret nor any secret the sender presented shows in `error`."""
        texts = [str(error), repr(error), *(str(arg) for arg in error.args)]
        texts.append(str(getattr(error, "location", "") or ""))
        for which, secret in (("our", self.secret()), *(("the presented", p) for p in presented)):
            if secret:
                # The failure message must not print the secret either.
                assert not any(secret in text for text in texts), (
                    f"{which} secret shows in a {type(error).__name__}"
                )

    # -- what it is ------------------------------------------------------------------------

    def test_is_a_cxml_platform_connector(self) -> None:
        assert issubclass(self.connector_class, CxmlPlatformConnector)
        assert issubclass(self.connector_class.config_model, CxmlPlatformConfig)
        spec = self.connector_class.spec
        assert spec.protocol == "cxml"
        assert Capability.INBOUND in spec.capabilities
        assert "OrderRequest" in spec.inbound_documents
        if Capability.PUSH in spec.capabilities:
            assert spec.outbound_documents, "PUSH declared, but no follow-up document kinds"

    def test_declared_kinds_are_payloads_their_dtd_allows(self) -> None:
        spec = self.connector_class.spec
        kinds = sorted(spec.inbound_documents | spec.outbound_documents)
        for kind in kinds:
            assert _PAYLOAD_KIND.fullmatch(kind), f"{kind!r} is not a cXML Request or Message"
        validator = self.dtd_validator()
        if validator is None:
            return  # without the DTDs the names are all we can check
        version = self.platform_config().cxml_version
        for kind in kinds:
            path = validator.dtd_path(kind, version)
            assert kind in _payloads_allowed_by(path), f"{path} does not allow a {kind} payload"

    def test_suite_secret_is_distinctive(self) -> None:
        """The secret checks below mean something only for a secret that cannot occur by chance."""
        secret, config = self.secret(), self.platform_config()
        assert len(secret) >= 12, "use a shared secret of 12 characters or more in the suite"
        assert secret.swapcase() != secret, "use a shared secret with letters in the suite"
        for party in (config.buyer, config.supplier, config.sender):
            assert secret not in f"{party.domain} {party.identity}"

    # -- inbound authenticity --------------------------------------------------------------

    def test_right_credentials_pass(self) -> None:
        connector = self.cxml_connector()
        document = connector.decode(order_request(self.partners()), default_tz=UTC)
        connector.authenticate(document)

    @pytest.mark.parametrize("part", ["From", "To", "Sender"])
    @pytest.mark.parametrize(
        "change", [str.lower, str.upper, str.swapcase], ids=lambda f: f.__name__
    )
    def test_domains_compare_case_insensitively(
        self, part: str, change: Callable[[str], str]
    ) -> None:
        root = order_request_element(self.partners())
        credential = root.find(f"Header/{part}/Credential")
        assert credential is not None
        domain = credential.get("domain", "")
        credential.set("domain", change(domain))
        connector = self.cxml_connector()
        connector.authenticate(connector.decode(serialize(root), default_tz=UTC))

    @pytest.mark.parametrize("tamper", [pytest.param(t, id=t.name) for t in TAMPERS])
    def test_inauthentic_documents_are_refused(self, tamper: Tamper) -> None:
        partners = self.partners()
        root = order_request_element(partners)
        presented = tamper.edit(root, partners)
        connector = self.cxml_connector()
        document = connector.decode(serialize(root), default_tz=UTC)
        with pytest.raises(AuthenticityError) as info:
            connector.authenticate(document)
        assert str(info.value).strip(), "an AuthenticityError must say what is wrong"
        self.assert_secret_not_in(info.value, presented)

    # -- decoding --------------------------------------------------------------------------

    @pytest.mark.parametrize("breakage", sorted(BREAKAGES))
    def test_decode_errors_never_echo_the_secret(self, breakage: str) -> None:
        plain = order_request(self.partners())
        secret = self.secret().encode()
        assert secret in plain
        body = BREAKAGES[breakage](plain, secret)
        with pytest.raises(DocumentError) as info:
            self.cxml_connector().decode(body, default_tz=UTC)
        self.assert_secret_not_in(info.value)

    @pytest.mark.parametrize(
        "body",
        [
            pytest.param(
                b'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY a "aaaaaaaaaa">'
                b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><cXML payloadID="x">&b;</cXML>',
                id="entity-expansion",
            ),
            pytest.param(
                b'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<cXML payloadID="x"><Response><Status code="200" text="&x;"/></Response></cXML>',
                id="external-entity",
            ),
        ],
    )
    def test_decode_refuses_entities(self, body: bytes) -> None:
        with pytest.raises(UnsafeDocumentError):
            self.cxml_connector().decode(body, default_tz=UTC)

    # -- reading ---------------------------------------------------------------------------

    def test_reads_the_plain_order(self) -> None:
        partners = self.partners()
        connector = self.cxml_connector()
        document = connector.decode(order_request(partners, order_id="PO-77"), default_tz=UTC)
        connector.authenticate(document)
        order = connector.read_order(document, default_tz=UTC)
        assert order.order_id == "PO-77"
        assert order.currency == "USD"
        assert [(line.line_number, line.supplier_part_id) for line in order.lines] == [
            (1, "SP-1001"),
            (2, "SP-1002"),
        ]
        assert [(i.scheme, i.value) for i in order.buyer.identifiers] == [
            (partners.buyer.domain, partners.buyer.identity)
        ]
        assert [(i.scheme, i.value) for i in order.supplier.identifiers] == [
            (partners.supplier.domain, partners.supplier.identity)
        ]

    def test_read_order_refuses_other_kinds(self) -> None:
        connector = self.cxml_connector()
        document = connector.decode(profile_request(self.partners()), default_tz=UTC)
        connector.authenticate(document)
        with pytest.raises(UnsupportedDocumentError) as info:
            connector.read_order(document, default_tz=UTC)
        self.assert_secret_not_in(info.value)

    @pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in HARD_CASES])
    def test_survives_hard_case(self, case: HardCase) -> None:
        configured = self.partners()
        config = self.platform_config()
        if case.sender is not None:
            sender = CredentialConfig(domain=case.sender.domain, identity=case.sender.identity)
            config = config.model_copy(update={"sender": sender})
        partners = case.partners(configured)
        clock = SettableClock(CLOCK_START)
        connector = self.cxml_connector(config, clock)

        document = connector.decode(case.document(configured), default_tz=case.default_tz)
        connector.authenticate(document)
        order = connector.read_order(document, default_tz=case.default_tz)

        assert order.order_id == "PO-1001"
        assert len(order.lines) == 2
        assert _identifies(order.buyer.identifiers, partners.buyer)
        assert _identifies(order.supplier.identifiers, partners.supplier)
        if partners.sender != partners.buyer:
            assert not _identifies(order.buyer.identifiers, partners.sender)
        for path, expected in case.expected.items():
            assert pluck(order, path) == expected, path

        clock.now = CLOCK_START + timedelta(days=1, seconds=1)
        answer = parse_cxml(connector.answer(CxmlStatus.ok()))
        assert answer.timestamp == clock.now

    # -- answers ---------------------------------------------------------------------------

    @pytest.mark.parametrize(("status", "message"), ANSWER_CASES)
    def test_answer_round_trips(self, status: CxmlStatus, message: str | None) -> None:
        config = self.platform_config()
        body = self.cxml_connector().answer(status)
        answer = parse_cxml(body)
        assert answer.kind == "Response"
        element = answer.root.find("Response/Status")
        assert element is not None
        assert int(element.get("code", "0")) == status.code
        assert element.get("text") == status.text
        assert (element.text or "") == (status.message if message is None else message)
        assert answer.version == config.cxml_version
        assert answer.timestamp == CLOCK_START
        assert answer.payload_id.endswith(f"@{HOSTNAME}")
        validator = self.dtd_validator()
        if validator is not None:
            assert validator.validate(body) == []

    def test_answer_time_and_id_come_from_the_context(self) -> None:
        clock = SettableClock(CLOCK_START)
        connector = self.cxml_connector(clock=clock)
        first = parse_cxml(connector.answer(CxmlStatus.ok()))
        clock.now = datetime(2032, 2, 29, 23, 59, 59, tzinfo=UTC)
        second = parse_cxml(connector.answer(CxmlStatus.ok()))
        assert first.timestamp == CLOCK_START
        assert first.root.get("timestamp") == "2031-05-06T07:08:09+05:30"
        assert second.timestamp == clock.now
        assert first.payload_id != second.payload_id


def _identifies(identifiers: tuple[Any, ...], party: CxmlParty) -> bool:
    return any(
        i.value == party.identity and i.scheme.casefold() == party.domain.casefold()
        for i in identifiers
    )


@functools.cache
def _validator(dtd_dir: Path) -> DtdValidator | None:
    return DtdValidator(dtd_dir) if dtd_dir.is_dir() else None


@functools.cache
def _payloads_allowed_by(dtd_path: Path) -> frozenset[str]:
    """Element names a `Request` or `Message` may contain under the DTD at `dtd_path`."""
    dtd: Any = etree.DTD(str(dtd_path))  # lxml-stubs do not describe DTD introspection
    declarations = {element.name: element for element in dtd.iterelements()}
    names: set[str] = set()
    for container in ("Request", "Message"):
        declaration = declarations.get(container)
        if declaration is not None:
            names |= _content_names(declaration.content)
    return frozenset(names)


def _content_names(content: Any) -> set[str]:
    if content is None:
        return set()
    own = {content.name} if content.name else set()
    return own | _content_names(content.left) | _content_names(content.right)
