"""Configuration every cXML procurement platform connection needs (validated from a profile)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr


class CredentialConfig(BaseModel):
    """One cXML credential: a domain (compared case-insensitively) and an identity."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    domain: Annotated[str, Field(min_length=1)]
    """Credential domain, e.g. `NetworkID`, `DUNS`, or a buyer-defined one."""
    identity: Annotated[str, Field(min_length=1)]
    """The identity within that domain."""

    def __str__(self) -> str:
        return f"{self.domain}/{self.identity}"


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
