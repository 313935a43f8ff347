"""Where Coupa, SAP Ariba and JAGGAER take supplier documents, and whose credentials they expect.

Endpoints are facts where a source says so and labelled assumptions where none does
(`/work/shared/reference/partners.md` §1.2, §2.1, §3 and its assumptions register):

| flavour | path | documents | credentials | source |
|---|---|---|---|---|
| coupa | `/cxml/order_confirmation` | Confirmation | PO set | ASSUMED (#3) |
| coupa | `/cxml/ship_notice_request` | ShipNotice | invoicing set | documented |
| coupa | `/cxml/invoices` | InvoiceDetail | invoicing set | documented |
| ariba | `/service/transaction/cxml.asp` | all three | PO set | documented |
| jaggaer | `/apps/Router/CXMLInvoiceImport` | InvoiceDetail | PO set | documented |
| jaggaer | `/apps/Router/CXMLDocumentImport` | Confirmation, ShipNotice | PO set | ASSUMED (#6) |

("#3", "#6": entries of partners.md's assumptions register. Ariba and JAGGAER have one
credential set, called `purchase_orders` ("PO set") here as it is the one their OrderRequests
use.)

Coupa keeps two credential sets per supplier (Suppliers API fields): the purchase-order set
(`cxml-supplier-domain/identity` is us, `cxml-domain/identity` the buyer, `cxml-secret`) and the
invoicing set (`cxml-invoice-supplier-domain/identity`, `cxml-invoice-buyer-domain/identity`,
`cxml-invoice-secret`), which "Post cXML ASN to Coupa" also requires for ship notices.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Literal

from connectors.formats.cxml import Credential, CxmlHeader
from connectors.testing.cxml_documents import CxmlParty

Flavour = Literal["coupa", "ariba", "jaggaer"]
DocumentKind = Literal["ConfirmationRequest", "ShipNoticeRequest", "InvoiceDetailRequest"]
CredentialSet = Literal["purchase_orders", "invoicing"]

CONFIRMATION: DocumentKind = "ConfirmationRequest"
SHIP_NOTICE: DocumentKind = "ShipNoticeRequest"
INVOICE: DocumentKind = "InvoiceDetailRequest"
DOCUMENT_KINDS: frozenset[str] = frozenset({CONFIRMATION, SHIP_NOTICE, INVOICE})

BASE_URLS: dict[Flavour, str] = {
    "coupa": "https://coupa.fake.test",
    "ariba": "https://ariba.fake.test",
    "jaggaer": "https://jaggaer.fake.test",
}
"""Base URL of each platform in in-process mode (`FakePlatform.transport()`)."""


@dataclass(frozen=True)
class ExpectedCredentials:
    """The header a platform accepts on one credential set: From us, To the buyer, Sender us.

    Domains compare case-insensitively, identities exactly, the secret in constant time; the
    secret never shows in `repr`.
    """

    from_: CxmlParty
    """The supplier as the platform knows it (Coupa `cxml-supplier-*`/`cxml-invoice-supplier-*`)."""
    to: CxmlParty
    """The buyer (Coupa `cxml-domain/identity` or `cxml-invoice-buyer-*`)."""
    sender: CxmlParty
    """Who authenticates: the supplier, or the hub as its network."""
    shared_secret: str = field(repr=False)
    """`cxml-secret` or `cxml-invoice-secret` for Coupa; the Ariba or JAGGAER shared secret."""

    def __post_init__(self) -> None:
        if not self.shared_secret:
            msg = "a platform always expects a shared secret"
            raise ValueError(msg)


@dataclass(frozen=True)
class PlatformCredentials:
    """The credential sets of one supplier on one platform.

    `invoicing` is Coupa's separate set for invoices and ship notices, required for Coupa and
    refused for Ariba and JAGGAER, which use `purchase_orders` for every document.
    """

    purchase_orders: ExpectedCredentials
    invoicing: ExpectedCredentials | None = None

    def select(self, name: CredentialSet) -> ExpectedCredentials:
        """The set an endpoint checks."""
        if name == "invoicing" and self.invoicing is not None:
            return self.invoicing
        return self.purchase_orders


@dataclass(frozen=True)
class Endpoint:
    """One URL path of a platform: the documents it takes and the credential set it checks."""

    path: str
    kinds: frozenset[str]
    credentials: CredentialSet
    assumed: bool
    """True when no public source gives this path; the fake uses it until one does."""


def _endpoint(
    path: str, *kinds: DocumentKind, credentials: CredentialSet = "purchase_orders"
) -> Endpoint:
    return Endpoint(path, frozenset(kinds), credentials, assumed=False)


ENDPOINTS: dict[Flavour, tuple[Endpoint, ...]] = {
    "coupa": (
        Endpoint(
            "/cxml/order_confirmation", frozenset({CONFIRMATION}), "purchase_orders", assumed=True
        ),
        _endpoint("/cxml/ship_notice_request", SHIP_NOTICE, credentials="invoicing"),
        _endpoint("/cxml/invoices", INVOICE, credentials="invoicing"),
    ),
    "ariba": (_endpoint("/service/transaction/cxml.asp", CONFIRMATION, SHIP_NOTICE, INVOICE),),
    "jaggaer": (
        _endpoint("/apps/Router/CXMLInvoiceImport", INVOICE),
        Endpoint(
            "/apps/Router/CXMLDocumentImport",
            frozenset({CONFIRMATION, SHIP_NOTICE}),
            "purchase_orders",
            assumed=True,
        ),
    ),
}


def check_flavour_credentials(flavour: Flavour, credentials: PlatformCredentials) -> None:
    """Refuse credential sets that do not fit the platform (`ValueError`)."""
    if flavour == "coupa" and credentials.invoicing is None:
        msg = "Coupa needs the invoicing credential set for invoices and ship notices"
        raise ValueError(msg)
    if flavour != "coupa" and credentials.invoicing is not None:
        msg = f"{flavour} uses one credential set for every document; invoicing is Coupa's"
        raise ValueError(msg)


def credential_problem(header: CxmlHeader | None, expected: ExpectedCredentials) -> str | None:
    """Why `header` is not the expected one (a message naming no secret), or `None` if it is."""
    if header is None:
        return "the document has no Header"
    if not _names(header.from_, expected.from_):
        return f"From is not the registered supplier ({_shown(header.from_)})"
    if not _names(header.to, expected.to):
        return f"To is not this buyer ({_shown(header.to)})"
    senders = [
        c for c in header.sender if c.matches(expected.sender.domain, expected.sender.identity)
    ]
    if not senders:
        return f"Sender is not the registered supplier ({_shown(header.sender)})"
    secret = expected.shared_secret.encode("utf-8")
    if not any(
        c.shared_secret is not None and hmac.compare_digest(c.shared_secret.encode("utf-8"), secret)
        for c in senders
    ):
        return "the Sender SharedSecret is not the one registered for this supplier"
    return None


def _names(credentials: tuple[Credential, ...], party: CxmlParty) -> bool:
    return any(c.matches(party.domain, party.identity) for c in credentials)


def _shown(credentials: tuple[Credential, ...]) -> str:
    return ", ".join(f"{c.domain}/{c.identity}" for c in credentials[:3]) or "no Credential"
