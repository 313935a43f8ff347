"""Configuration every cXML procurement platform connection needs (validated from a profile)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr, model_validator

from connectors.formats.cxml import (
    FEED_MINIMUM_VERSION,
    FULFILL_MINIMUM_VERSION,
    INVOICE_MINIMUM_VERSION,
)


class CredentialConfig(BaseModel):
    """One cXML credential: a domain (compared case-insensitively) and an identity."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    domain: Annotated[str, Field(min_length=1)]
    """Credential domain, e.g. `NetworkID`, `DUNS`, or a buyer-defined one."""
    identity: Annotated[str, Field(min_length=1)]
    """The identity within that domain."""

    def __str__(self) -> str:
        return f"{self.domain}/{self.identity}"


class InvoicingCredentials(BaseModel):
    """A second credential set some platforms require for invoices (Coupa also for ship notices).

    Coupa's supplier record keeps `cxml-invoice-supplier-domain/identity` and
    `cxml-invoice-buyer-domain/identity` apart from the purchase-order identities, with their own
    secret (`invoicing_shared_secret`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    supplier: CredentialConfig
    """Us, as the platform knows us for invoicing (From and Sender)."""
    buyer: CredentialConfig
    """The buyer for invoicing (To)."""


class CxmlPlatformConfig(BaseModel):
    """Identities, shared secret and endpoints of one buyer on one cXML platform.

    `buyer` is who the documents come From, `supplier` is us as the buyer addresses us (To),
    `sender` is who authenticates with the shared secret (the buyer, or a network such as Ariba).
    """

    # hide_input_in_errors: a validation error must never echo the shared secret it was given.
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    buyer: CredentialConfig
    """The buying organisation's credential (cXML From)."""
    supplier: CredentialConfig
    """Our credential as this buyer knows us (cXML To)."""
    sender: CredentialConfig
    """The authenticating sender (cXML Sender), who must present `shared_secret`."""
    shared_secret: SecretStr
    """The Sender's SharedSecret; resolved by the core from a secret reference, never logged."""
    cxml_version: str = "1.2.069"
    """cXML version of the documents we send this partner."""
    user_agent: str | None = None
    """The UserAgent the platform is known to send; informational, not enforced."""
    endpoints: dict[str, HttpUrl] = Field(default_factory=dict)
    """Where follow-up documents go, by protocol document kind (e.g. `InvoiceDetailRequest`)."""
    outbound_shared_secret: SecretStr | None = None
    """The SharedSecret we present when we send documents; `shared_secret` when not set."""
    invoicing: InvoicingCredentials | None = None
    """Separate identities for invoices (on Coupa also ship notices), when the platform has them."""
    invoicing_shared_secret: SecretStr | None = None
    """The secret that goes with `invoicing`."""
    extrinsics: dict[str, dict[str, str]] = Field(default_factory=dict)
    """Fixed Extrinsic name/value pairs added to every outbound document of a kind."""
    deployment_mode: Literal["production", "test"] = "production"
    """The platform realm of this partnership: `Request@deploymentMode` of the documents we send,
    and what a document marked `deploymentMode="test"` is. In production it is test data,
    answered 200 and logged as `test` but never applied; in test (a platform's test realm, the
    demo partners) it is the partnership's own traffic and stored."""

    @model_validator(mode="after")
    def _version_fits_the_outbound_kinds(self) -> CxmlPlatformConfig:
        # Checked here, at start-up, rather than when the first document fails to render.
        minimum = {
            "ConfirmationRequest": FULFILL_MINIMUM_VERSION,
            "ShipNoticeRequest": FULFILL_MINIMUM_VERSION,
            "InvoiceDetailRequest": INVOICE_MINIMUM_VERSION,
            "ProductActivityMessage": FEED_MINIMUM_VERSION,
            "CatalogUploadRequest": FEED_MINIMUM_VERSION,
        }
        for kind in sorted(self.endpoints):
            floor = minimum.get(kind)
            if floor is not None and _version(self.cxml_version) < _version(floor):
                msg = (
                    f"{kind} needs cxml_version {floor} or later (the oldest DTD we check it "
                    f"against); the profile says {self.cxml_version}"
                )
                raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _invoicing_needs_its_secret(self) -> CxmlPlatformConfig:
        if (self.invoicing is None) != (self.invoicing_shared_secret is None):
            msg = "invoicing credentials and invoicing_shared_secret go together"
            raise ValueError(msg)
        return self


def _version(text: str) -> tuple[int, ...]:
    """`"1.2.069"` as `(1, 2, 69)`; non-numeric parts count as 0."""
    return tuple(int(part) if part.isdigit() else 0 for part in text.split("."))
