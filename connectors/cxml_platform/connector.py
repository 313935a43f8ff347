"""Behaviour every cXML procurement platform shares: decode, authenticate, read, answer.

Coupa, SAP Ariba and JAGGAER speak the same cXML; they differ in credential conventions,
extrinsics and where follow-up documents go. Those differences live in their own packages as
small overrides of this class and as data in their profiles.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, ClassVar

from lxml import etree

from connectors.core.contract import ConnectorContext, ConnectorSpec
from connectors.core.errors import (
    AuthenticityError,
    ConfigError,
    DocumentError,
    PermanentError,
    UnsupportedDocumentError,
)
from connectors.core.inbound import (
    Disposition,
    DocumentResult,
    InboundBatch,
    InboundDocument,
    InboundRefusal,
    InboundReply,
    InboundRequest,
    InboundUnit,
    NumberAllocator,
    Reason,
    UnitAnswer,
)
from connectors.core.push import DocumentIdentity, OutboundDocument, OutboundMessage, Receipt
from connectors.core.transport import HttpDestination
from connectors.cxml_platform.config import CredentialConfig, CxmlPlatformConfig
from connectors.cxml_platform.credentials import NOT_AUTHENTIC, sender_is_authentic
from connectors.cxml_platform.delivery import read_receipt
from connectors.cxml_platform.ingress import (
    CONTENT_TYPE,
    http_status,
    is_test_document,
    joined_note,
    order_document,
    order_notes,
    single_batch,
)
from connectors.formats.cxml import (
    Credential,
    CxmlDocument,
    CxmlStatus,
    DtdValidator,
    OutboundCredential,
    OutboundEnvelope,
    build_catalog_upload_request,
    build_confirmation_request,
    build_invoice_detail_request,
    build_product_activity_message,
    build_response,
    build_ship_notice_request,
    mask_shared_secrets,
    new_payload_id,
    parse_cxml,
    read_order_request,
)
from schemas import InventorySnapshot, PriceCatalog, PurchaseOrder

__all__ = ["OUTBOUND_KINDS", "CxmlPlatformConnector", "OutboundDocument", "OutboundIdentity"]

OUTBOUND_KINDS: Mapping[str, str] = {
    "order_confirmation": "ConfirmationRequest",
    "ship_notice": "ShipNoticeRequest",
    "invoice": "InvoiceDetailRequest",
    "inventory_snapshot": "ProductActivityMessage",
    "price_catalog": "CatalogUploadRequest",
}
"""cXML kind of each outbound canonical document type. A platform takes the feeds
(ProductActivityMessage, CatalogUploadRequest) only when its `spec.outbound_documents` lists
them: whether it accepts them is a fact about the platform."""

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


@functools.cache
def _dtd_validator(directory: Path) -> DtdValidator:
    """One validator per DTD directory, shared by every partner (it caches parsed DTDs)."""
    return DtdValidator(directory)


class CxmlPlatformConnector:
    """A stateless connector for one buyer on a cXML procurement platform.

    INBOUND: one body is one document (an OrderRequest), deduplicated by its payloadID and
    answered with a cXML Response. PUSH: confirmations, ship notices and invoices, each with a
    payloadID fixed when it is queued, POSTed to the platform's endpoint for its kind.
    """

    spec: ClassVar[ConnectorSpec]
    config_model: ClassVar[type[CxmlPlatformConfig]] = CxmlPlatformConfig
    answers_business_problems: ClassVar[bool] = True
    """A cXML Response can carry a 409: the buyer sees a conflicting change refused."""

    def __init__(self, config: CxmlPlatformConfig, context: ConnectorContext) -> None:
        self.config = config
        self.context = context

    # -- INBOUND ----------------------------------------------------------------------------

    def open(self, request: InboundRequest, *, tz: tzinfo) -> InboundBatch | InboundRefusal:
        """Parse safely, authenticate (unless the channel did), read the OrderRequest."""
        try:
            document = self.decode(request.body, default_tz=tz)
        except DocumentError as error:
            return InboundRefusal(error)
        if not request.trusted:
            try:
                self.authenticate(document)
            except AuthenticityError as error:
                return InboundRefusal(error, kind=document.kind, reference=document.payload_id)
        item = order_document(
            document, tz=tz, kinds=self.spec.inbound_documents, adjust=self.adjust_order
        )
        note = joined_note(*order_notes(item), self._dtd_note(document))
        return single_batch(document, item, note, test=self._is_test(document))

    def _is_test(self, document: CxmlDocument) -> bool:
        """Test data sent into a live partnership (`deploymentMode="test"` while the profile's
        `deployment_mode` is production): answered 200 and logged as test, never applied. A
        partnership in the platform's test realm takes test documents as its own traffic."""
        return is_test_document(document) and self.config.deployment_mode == "production"

    def acknowledge(
        self,
        unit: InboundUnit,
        results: Sequence[DocumentResult],
        *,
        numbers: NumberAllocator,
    ) -> UnitAnswer:
        """The cXML Response for the body's one document."""
        del unit, numbers  # cXML answers carry a fresh payloadID, not a counter
        status = answer_status(results[0])
        return UnitAnswer(self.answer(status), "Response", status.code, CONTENT_TYPE)

    def reply(self, answers: Sequence[UnitAnswer]) -> InboundReply:
        """The one Response, with the HTTP status mirroring its cXML status class."""
        (answer,) = answers
        return InboundReply(
            http_status(CxmlStatus.of(answer.status_code)), answer.body, CONTENT_TYPE
        )

    def reread(self, body: bytes, position: Mapping[str, str], *, tz: tzinfo) -> InboundDocument:
        """The stored body's document again (its SharedSecret is masked; it is not checked)."""
        del position  # the body is the document
        document = self.decode(body, default_tz=tz)
        item = order_document(
            document, tz=tz, kinds=self.spec.inbound_documents, adjust=self.adjust_order
        )
        if item.problem is not None:
            raise DocumentError(item.problem.message)
        return item

    def _dtd_note(self, document: CxmlDocument) -> str | None:
        """A note on DTD deviations, when a DTD directory is configured (read tolerantly)."""
        if self.context.schema_dir is None:
            return None
        problems = _dtd_validator(self.context.schema_dir).validate(document.root)
        if not problems:
            return None
        return (
            f"not valid against the cXML DTD ({len(problems)} problem(s)), read tolerantly; "
            f"first: {problems[0]}"
        )

    def decode(self, body: bytes, *, default_tz: tzinfo) -> CxmlDocument:
        """Parse inbound bytes safely; `DocumentError` subclasses say what is wrong."""
        return parse_cxml(body, default_tz=default_tz)

    def authenticate(self, document: CxmlDocument) -> None:
        """Check Sender (identity + SharedSecret, constant time), From and To credentials.

        Raises `AuthenticityError` with a message safe to send back: it names identities,
        never secrets.
        """
        header = document.header
        # No Header and a bad Sender read exactly like an unknown partner key (the ingress's
        # `refuse_unknown`), so that answers do not reveal which keys are configured.
        if header is None or not self._sender_is_authentic(header.sender):
            raise AuthenticityError(NOT_AUTHENTIC)
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

    def destination(self, kind: str) -> HttpDestination:
        """The platform's endpoint for `kind`, as a destination."""
        return HttpDestination(self.endpoint(kind))

    def identify(self, kind: str, *, numbers: NumberAllocator, now: datetime) -> DocumentIdentity:
        """A fresh payloadID; cXML acknowledges synchronously, so there is no ack key."""
        del kind, numbers
        return DocumentIdentity(new_payload_id(now, self.context.hostname))

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
        """The cXML document carrying `document`, for this platform's endpoint and credentials.

        `payload_id` and `timestamp` are fixed when the document is queued, so every retry sends
        the same bytes and the platform can recognise a retransmission. A price catalogue goes
        as a multipart/related CatalogUploadRequest with its Index attached (`content_type`
        carries the boundary); every cXML part is checked against its DTD when the context
        names the DTD directory.
        """
        kind = self.outbound_kind(document.document_type)
        url = self.endpoint(kind)
        document = self.adjust_outbound(document)
        envelope = self._envelope(kind, payload_id, timestamp)
        if isinstance(document, PriceCatalog):
            upload = build_catalog_upload_request(document, envelope)
            self._validate(kind, upload.request)
            self._validate("Index", etree.fromstring(upload.index), version=envelope.version)
            return OutboundMessage(
                kind=kind,
                destination=HttpDestination(url),
                body=upload.body,
                content_type=upload.content_type,
                log_body=upload.log_body,
            )
        if isinstance(document, InventorySnapshot):
            body = build_product_activity_message(document, envelope)
        else:
            extra = self.config.extrinsics.get(kind)
            if extra:
                extensions = {**extra, **document.extensions}
                document = document.model_copy(update={"extensions": extensions})
            body = _BUILDERS[kind](document, envelope)
        self._validate(kind, body)
        return OutboundMessage(
            kind=kind,
            destination=HttpDestination(url),
            body=body,
            content_type=CONTENT_TYPE,
            log_body=mask_shared_secrets(body),
        )

    def _envelope(self, kind: str, payload_id: str, timestamp: datetime) -> OutboundEnvelope:
        identity = self.identity_for(kind)
        return OutboundEnvelope(
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

    def _validate(
        self, kind: str, body: bytes | etree._Element, *, version: str | None = None
    ) -> None:
        """`PermanentError` when a rendered part is not valid against its official DTD."""
        if self.context.schema_dir is None:
            return
        problems = _dtd_validator(self.context.schema_dir).validate(body, version=version)
        if problems:
            msg = f"rendered {kind} is not valid against its DTD: {problems[0]}"
            raise PermanentError(msg)

    def adjust_outbound(self, document: OutboundDocument) -> OutboundDocument:
        """Platform-specific touch-ups before rendering; the shared behaviour changes nothing."""
        return document

    def read_receipt(self, http_status: int, body: bytes, headers: Mapping[str, str]) -> Receipt:
        """The platform's acceptance, or the classified error (see `delivery.read_receipt`)."""
        return read_receipt(http_status, body, headers, now=self.context.clock())

    def _sender_is_authentic(self, senders: tuple[Credential, ...]) -> bool:
        sender = self.config.sender
        secret = self.config.shared_secret.get_secret_value().encode()
        return sender_is_authentic(
            senders, domain=sender.domain, identity=sender.identity, secret=secret
        )


_ACCEPTED = frozenset({Disposition.STORED, Disposition.DUPLICATE, Disposition.TEST})
"""What the core did with a document the sender need not hear more about than 200."""


def answer_status(result: DocumentResult) -> CxmlStatus:
    """The cXML status telling the sender what became of its document.

    A duplicate (the order is already stored with this content) and test data of a live
    partnership are accepted: 200 with the core's words, so the platform neither retries nor
    shows its buyer an error for a document that needs nothing more.
    """
    message = result.message or ""
    if result.disposition in _ACCEPTED:
        return CxmlStatus.ok(message)
    if result.disposition is Disposition.HELD:
        if result.reason is Reason.SEQUENCE:
            return CxmlStatus.conflict(message)
        return CxmlStatus.accepted(f"accepted and held for review: {message}")
    if result.reason in {Reason.UNSUPPORTED, Reason.NOT_ENABLED}:
        return CxmlStatus.not_acceptable(message)
    if result.reason is Reason.CONFLICT:
        return CxmlStatus.conflict(message)
    return CxmlStatus.bad_request(message)


def _any_matches(credentials: tuple[Credential, ...], expected: CredentialConfig) -> bool:
    return any(c.matches(expected.domain, expected.identity) for c in credentials)


def _describe(credentials: tuple[Credential, ...]) -> str:
    if not credentials:
        return "(none)"
    return ", ".join(f"{c.domain}/{c.identity}" for c in credentials)
