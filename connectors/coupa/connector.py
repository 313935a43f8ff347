"""Coupa: purchase orders over cXML from a Coupa instance."""

from __future__ import annotations

from connectors.core.contract import Capability, ConnectorSpec
from connectors.cxml_platform import CxmlPlatformConnector


class CoupaConnector(CxmlPlatformConnector):
    """Coupa sends `new` and `update` OrderRequests and expects an answer within 60 s.

    Coupa retries 5xx answers five times an hour apart and never retries 4xx, so the hub answers
    4xx only for problems a retry cannot fix. Coupa documents custom fields as
    `<Extrinsic name="CustomFields">` with IdReference children for invoices; if purchase orders
    carry them the same way (an assumption, see README.md) the cXML reader keeps them as
    `CustomFields.<field>` extensions.
    """

    spec = ConnectorSpec(
        key="coupa",
        display_name="Coupa",
        protocol="cxml",
        # Outbound documents (confirmations, ship notices, invoices) arrive with PUSH support.
        capabilities=frozenset({Capability.INBOUND}),
        inbound_documents=frozenset({"OrderRequest"}),
    )
