"""Behaviour every cXML procurement platform shares: decode, authenticate, read, answer.

Coupa, SAP Ariba and JAGGAER speak the same cXML; they differ in credential conventions,
extrinsics and where follow-up documents go. Those differences live in their own packages as
small overrides of this class and as data in their profiles.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, ClassVar

from connectors.core.contract import ConnectorContext, ConnectorSpec, OutboundMessage, Receipt
from connectors.core.errors import AuthenticityError, ConfigError, UnsupportedDocumentError
from connectors.cxml_platform.config import CredentialConfig, CxmlPlatformConfig
from connectors.cxml_platform.delivery import read_receipt
from connectors.formats.cxml import (
    Credential,
    CxmlDocument,
    CxmlStatus,
    OutboundCredential,
    OutboundEnvelope,
    build_confirmation_request,
    build_invoice_detail_request,
    build_response,
    build_ship_notice_request,
    new_payload_id,
    parse_cxml,
    read_order_request,
)
from schemas import Invoice, OrderConfirmation, PurchaseOrder, ShipNotice

OutboundDocument = OrderConfirmation | ShipNotice | Invoice
"""The canonical documents a cXML platform receives from us."""

OUTBOUND_KINDS: Mapping[str, str] = {
    "order_confirmation": "ConfirmationRequest",
    "ship_notice": "ShipNoticeRequest",
    "invoice": "InvoiceDetailRequest",
}
"""cXML request kind of each outbound canonical document type."""

CONTENT_TYPE = "text/xml; charset=utf-8"
USER_AGENT = "B2Connect procurement gateway"


_BUILDERS: Mapping[str, Callable[[Any, OutboundEnvelope], bytes]] = {
    "ConfirmationRequest": build_confirmation_request,
    "ShipNoticeRequest": build_ship_notice_request,
    "InvoiceDetailRequest": build_invoice_detail_request,
}


@dataclass(frozen=True)
class OutboundIdentity:
    """Who a document we send is From, To and sent by, and the secret that proves it."""

    from_: CredentialConfig
    to: CredentialConfig
    sender: CredentialConfig
    shared_secret: str = field(repr=False)


class CxmlPlatformConnector:
    """A stateless connector for one buyer on a cXML procurement platform."""

    spec: ClassVar[ConnectorSpec]
    config_model: ClassVar[type[CxmlPlatformConfig]] = CxmlPlatformConfig

    def __init__(self, config: CxmlPlatformConfig, context: ConnectorContext) -> None:
        self.config = config
        self.context = context

    def decode(self, body: bytes, *, default_tz: tzinfo) -> CxmlDocument:
        """Parse inbound bytes safely; `DocumentError` subclasses say what is wrong."""
        return parse_cxml(body, default_tz=default_tz)

    def authenticate(self, document: CxmlDocument) -> None:
        """Check Sender (identity + SharedSecret, constant time), From and To credentials.

        Raises `AuthenticityError` with a message safe to send back: it names identities,
        never secrets.
        """
        header = document.header
        if header is None:
            msg = "the document has no Header, so its sender cannot be authenticated"
            raise AuthenticityError(msg)
        if not self._sender_is_authentic(header.sender):
            msg = "the Sender credential or its SharedSecret is not valid for this partner"
            raise AuthenticityError(msg)
        if not _any_matches(header.from_, self.config.buyer):
            msg = (
                f"From credential {_describe(header.from_)} is not the buyer configured "
                "for this partner"
            )
            raise AuthenticityError(msg)
        if not _any_matches(header.to, self.config.supplier):
            msg = (
                f"the document is addressed To {_describe(header.to)}, which is not this "
                f"supplier's identity for this partner ({self.config.supplier})"
            )
            raise AuthenticityError(msg)

    def read_order(self, document: CxmlDocument, *, default_tz: tzinfo) -> PurchaseOrder:
        """The canonical purchase order of an OrderRequest, with this platform's adjustments."""
        if document.kind != "OrderRequest":
            msg = f"{document.kind} is not a purchase order"
            raise UnsupportedDocumentError(msg)
        return self.adjust_order(read_order_request(document, default_tz=default_tz), document)

    def adjust_order(self, order: PurchaseOrder, document: CxmlDocument) -> PurchaseOrder:
        """Platform-specific touch-ups of a decoded order; the shared behaviour changes nothing."""
        del document
        return order

    def answer(self, status: CxmlStatus) -> bytes:
        """A cXML Response carrying `status`, in this partner's cXML version."""
        now = self.context.clock()
        return build_response(
            status,
            payload_id=new_payload_id(now, self.context.hostname),
            timestamp=now,
            version=self.config.cxml_version,
        )

    # -- outbound -------------------------------------------------------------------------

    def outbound_kind(self, document_type: str) -> str:
        """The cXML kind that carries a canonical `document_type` to this platform."""
        kind = OUTBOUND_KINDS.get(document_type)
        if kind is None or kind not in self.spec.outbound_documents:
            msg = f"{self.spec.display_name} does not take {document_type} documents from us"
            raise UnsupportedDocumentError(msg)
        return kind

    def endpoint(self, kind: str) -> str:
        """Where this platform takes documents of `kind`; `ConfigError` when not configured."""
        url = self.config.endpoints.get(kind)
        if url is None:
            msg = f"no endpoint configured for {kind} (connector_config.endpoints.{kind})"
            raise ConfigError(msg)
        return str(url)

    def identity_for(self, kind: str) -> OutboundIdentity:
        """The credentials we send `kind` with: invoices use the invoicing set when there is one."""
        config = self.config
        if kind == "InvoiceDetailRequest" and config.invoicing is not None:
            return self._invoicing_identity()
        secret = config.outbound_shared_secret or config.shared_secret
        return OutboundIdentity(
            from_=config.supplier,
            to=config.buyer,
            sender=config.supplier,
            shared_secret=secret.get_secret_value(),
        )

    def _invoicing_identity(self) -> OutboundIdentity:
        invoicing, secret = self.config.invoicing, self.config.invoicing_shared_secret
        if invoicing is None or secret is None:
            msg = "invoicing credentials are not configured (connector_config.invoicing)"
            raise ConfigError(msg)
        return OutboundIdentity(
            from_=invoicing.supplier,
            to=invoicing.buyer,
            sender=invoicing.supplier,
            shared_secret=secret.get_secret_value(),
        )

    def render(
        self, document: OutboundDocument, *, payload_id: str, timestamp: datetime
    ) -> OutboundMessage:
        """The cXML request carrying `document`, for this platform's endpoint and credentials.

        `payload_id` and `timestamp` are fixed when the document is queued, so every retry sends
        the same bytes and the platform can recognise a retransmission.
        """
        kind = self.outbound_kind(document.document_type)
        url = self.endpoint(kind)
        document = self.adjust_outbound(document)
        extra = self.config.extrinsics.get(kind)
        if extra:
            document = document.model_copy(update={"extensions": {**extra, **document.extensions}})
        identity = self.identity_for(kind)
        envelope = OutboundEnvelope(
            payload_id=payload_id,
            timestamp=timestamp,
            from_=(OutboundCredential(identity.from_.domain, identity.from_.identity),),
            to=(OutboundCredential(identity.to.domain, identity.to.identity),),
            sender=OutboundCredential(identity.sender.domain, identity.sender.identity),
            shared_secret=identity.shared_secret,
            user_agent=USER_AGENT,
            version=self.config.cxml_version,
            deployment_mode=self.config.deployment_mode,
        )
        body = _BUILDERS[kind](document, envelope)
        return OutboundMessage(kind=kind, url=url, body=body, content_type=CONTENT_TYPE)

    def adjust_outbound(self, document: OutboundDocument) -> OutboundDocument:
        """Platform-specific touch-ups before rendering; the shared behaviour changes nothing."""
        return document

    def read_receipt(self, http_status: int, body: bytes, headers: Mapping[str, str]) -> Receipt:
        """The platform's acceptance, or the classified error (see `delivery.read_receipt`)."""
        return read_receipt(http_status, body, headers, now=self.context.clock())

    def _sender_is_authentic(self, senders: tuple[Credential, ...]) -> bool:
        expected = self.config.shared_secret.get_secret_value().encode()
        authentic = False
        # Compare every presented secret, so timing does not reveal which part failed.
        for credential in senders:
            presented = (credential.shared_secret or "").encode()
            secret_ok = hmac.compare_digest(presented, expected)
            identity_ok = credential.matches(self.config.sender.domain, self.config.sender.identity)
            authentic |= secret_ok and identity_ok
        return authentic


def _any_matches(credentials: tuple[Credential, ...], expected: CredentialConfig) -> bool:
    return any(c.matches(expected.domain, expected.identity) for c in credentials)


def _describe(credentials: tuple[Credential, ...]) -> str:
    if not credentials:
        return "(none)"
    return ", ".join(f"{c.domain}/{c.identity}" for c in credentials)
