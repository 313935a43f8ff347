"""JAGGAER (formerly SciQuest): purchase orders over cXML."""

from __future__ import annotations

from connectors.core.contract import Capability, ConnectorSpec
from connectors.cxml_platform import CXML_INGRESS, CxmlPlatformConnector


class JaggaerConnector(CxmlPlatformConnector):
    """JAGGAER sends timestamps with milliseconds and date-only values; the cXML reader accepts
    both, and the profile's `timezone` decides what a zoneless value means.

    Outbound: JAGGAER's supplier handbook was not retrievable, so the endpoints per kind are
    whatever the buyer's JAGGAER site tells the supplier (profile data), with the PO identities.
    """

    spec = ConnectorSpec(
        key="jaggaer",
        display_name="JAGGAER",
        protocol="cxml",
        capabilities=frozenset({Capability.INBOUND, Capability.PUSH}),
        inbound_documents=frozenset({"OrderRequest"}),
        outbound_documents=frozenset(
            {"ConfirmationRequest", "ShipNoticeRequest", "InvoiceDetailRequest"}
        ),
        ingress=CXML_INGRESS,
    )
