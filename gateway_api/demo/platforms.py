"""Fake procurement platforms configured like the real ones a partner profile describes.

A platform knows a supplier by what the supplier registered with it; the demo and the tests
take those values from the partner's profile (the same identities and secrets the hub uses),
and point the profile's endpoints at the fake (`point_profile_at`). The fake's own rules - which
endpoint checks which credential set, what a valid document is - stay the fake's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import yaml

from connectors.cxml_platform import CredentialConfig, CxmlPlatformConfig, CxmlPlatformConnector
from connectors.testing.cxml_documents import CxmlParty
from connectors.testing.fake_platform_flavours import (
    ExpectedCredentials,
    Flavour,
    PlatformCredentials,
)
from connectors.testing.fake_platform_server import FakePlatform
from gateway_api.services.partners import Partner

FLAVOURS: dict[str, Flavour] = {"coupa": "coupa", "ariba": "ariba", "jaggaer": "jaggaer"}
"""Fake flavour by connector key."""


def _party(credential: CredentialConfig) -> CxmlParty:
    return CxmlParty(credential.domain, credential.identity)


def platform_credentials(config: CxmlPlatformConfig) -> PlatformCredentials:
    """What the platform has on record for the supplier, from the partner's connector config."""
    secret = config.outbound_shared_secret or config.shared_secret
    purchase_orders = ExpectedCredentials(
        from_=_party(config.supplier),
        to=_party(config.buyer),
        sender=_party(config.supplier),
        shared_secret=secret.get_secret_value(),
    )
    invoicing = None
    if config.invoicing is not None and config.invoicing_shared_secret is not None:
        invoicing = ExpectedCredentials(
            from_=_party(config.invoicing.supplier),
            to=_party(config.invoicing.buyer),
            sender=_party(config.invoicing.supplier),
            shared_secret=config.invoicing_shared_secret.get_secret_value(),
        )
    return PlatformCredentials(purchase_orders=purchase_orders, invoicing=invoicing)


def fake_platform_for(partner: Partner, *, dtd_dir: Path | None, **options: Any) -> FakePlatform:
    """A fake of the partner's platform that knows the supplier as the profile describes it."""
    flavour = FLAVOURS.get(partner.profile.connector)
    if flavour is None or not isinstance(partner.connector, CxmlPlatformConnector):
        msg = f"no fake platform for connector {partner.profile.connector!r}"
        raise ValueError(msg)
    config = partner.connector.config
    return FakePlatform(
        flavour,
        credentials=platform_credentials(config),
        dtd_dir=dtd_dir,
        default_tz=partner.timezone,
        **options,
    )


def point_profile_at(mappings_dir: Path, partner_key: str, endpoints: dict[str, str]) -> None:
    """Rewrite `connector_config.endpoints` of a profile in a (copied) mappings tree."""
    path = mappings_dir / "partners" / partner_key / "profile.yaml"
    profile = cast(dict[str, Any], yaml.safe_load(path.read_text(encoding="utf-8")))
    profile.setdefault("connector_config", {})["endpoints"] = dict(endpoints)
    path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
