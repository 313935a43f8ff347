"""Behaviour every cXML procurement platform shares: decode, authenticate, read, answer.

Coupa, SAP Ariba and JAGGAER speak the same cXML; they differ in credential conventions,
extrinsics and where follow-up documents go. Those differences live in their own packages as
small overrides of this class and as data in their profiles.
"""

from __future__ import annotations

import hmac
from datetime import tzinfo
from typing import ClassVar

from connectors.core.contract import ConnectorContext, ConnectorSpec
from connectors.core.errors import AuthenticityError, UnsupportedDocumentError
from connectors.cxml_platform.config import CredentialConfig, CxmlPlatformConfig
from connectors.formats.cxml import (
    Credential,
    CxmlDocument,
    CxmlStatus,
    build_response,
    new_payload_id,
    parse_cxml,
    read_order_request,
)
from schemas import PurchaseOrder


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
