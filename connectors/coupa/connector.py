"""Coupa: purchase orders over cXML from a Coupa instance; confirmations, ASNs, invoices back."""

from __future__ import annotations

from typing import ClassVar

from pydantic import model_validator

from connectors.core.contract import Capability, ConnectorSpec
from connectors.cxml_platform import CXML_INGRESS, CxmlPlatformConfig, CxmlPlatformConnector
from connectors.cxml_platform.connector import OutboundDocument, OutboundIdentity
from schemas import Invoice

_INVOICING_KINDS = frozenset({"ShipNoticeRequest", "InvoiceDetailRequest"})


class CoupaConfig(CxmlPlatformConfig):
    """Coupa's cXML settings: invoices and ship notices need the invoicing credentials."""

    @model_validator(mode="after")
    def _invoicing_kinds_need_invoicing_credentials(self) -> CoupaConfig:
        wanted = sorted(_INVOICING_KINDS & set(self.endpoints))
        if wanted and self.invoicing is None:
            msg = (
                f"Coupa takes {', '.join(wanted)} only with the supplier's invoicing credentials "
                "(connector_config.invoicing and secrets.invoicing_shared_secret)"
            )
            raise ValueError(msg)
        return self


class CoupaConnector(CxmlPlatformConnector):
    """Coupa sends `new` and `update` OrderRequests and expects an answer within 60 s.

    Coupa retries 5xx answers five times an hour apart and never retries 4xx, so the hub answers
    4xx only for problems a retry cannot fix. Coupa documents custom fields as
    `<Extrinsic name="CustomFields">` with IdReference children for invoices; if purchase orders
    carry them the same way (an assumption, see README.md) the cXML reader keeps them as
    `CustomFields.<field>` extensions.

    Outbound: invoices go to `/cxml/invoices` and ship notices to `/cxml/ship_notice_request`,
    both with the supplier's *invoicing* cXML credentials (Coupa's "post cXML ASN" page);
    confirmations use the purchase-order credentials.
    """

    config_model: ClassVar[type[CoupaConfig]] = CoupaConfig
    spec = ConnectorSpec(
        key="coupa",
        display_name="Coupa",
        protocol="cxml",
        capabilities=frozenset({Capability.INBOUND, Capability.PUSH}),
        inbound_documents=frozenset({"OrderRequest"}),
        outbound_documents=frozenset(
            {"ConfirmationRequest", "ShipNoticeRequest", "InvoiceDetailRequest"}
        ),
        ingress=CXML_INGRESS,
    )

    def adjust_outbound(self, document: OutboundDocument) -> OutboundDocument:
        """Invoices name the Coupa PO number in `OrderReference/DocumentReference@payloadID`.

        Coupa matches a PO-backed invoice by its PO number, and its documented samples carry
        that number where cXML puts the order's payloadID (cxml.md, "Coupa specifics").
        """
        if not isinstance(document, Invoice):
            return document
        portions = tuple(
            portion.model_copy(
                update={
                    "order": portion.order.model_copy(update={"payload_id": portion.order.order_id})
                }
            )
            if portion.order is not None and portion.order.order_id is not None
            else portion
            for portion in document.orders
        )
        return document.model_copy(update={"orders": portions})

    def identity_for(self, kind: str) -> OutboundIdentity:
        """Ship notices travel with the invoicing credentials, like invoices."""
        if kind in _INVOICING_KINDS:
            return self._invoicing_identity()
        return super().identity_for(kind)
