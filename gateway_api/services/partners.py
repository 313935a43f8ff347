"""The partner directory: profiles from `mappings/` turned into configured, ready connectors.

Built once at start-up. Every problem (unknown connector, bad connector config, unresolvable or
demo secret in production) is a `ConfigError` that stops the hub before it takes traffic.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar, cast
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from connectors.core import ConfigError, ConnectorContext, load_connector
from connectors.cxml_platform import CxmlPlatformConnector
from connectors.x12_partner import X12PartnerConnector
from mappings.engine import MappingStore, PartnerMapping, PartnerProfile, parse_secret_reference

logger = logging.getLogger(__name__)


PartnerConnector = CxmlPlatformConnector | X12PartnerConnector
"""The connectors whose partners the hub serves today (cXML platforms, X12 trading partners)."""


C = TypeVar("C", CxmlPlatformConnector, X12PartnerConnector, PartnerConnector)


@dataclass(frozen=True)
class Partner(Generic[C]):
    """One enabled trading partner: its profile, its connector and its local time zone."""

    profile: PartnerProfile
    connector: C
    timezone: ZoneInfo

    @property
    def key(self) -> str:
        """The partner key (`coupa-demo`)."""
        return self.profile.key


def resolve_secret(reference: str, *, production: bool, environ: Mapping[str, str]) -> str:
    """The value behind an `env:` or `demo:` reference; `ConfigError` when it cannot be had."""
    parsed = parse_secret_reference(reference)
    if parsed.is_demo:
        if production:
            msg = "demo secrets are refused in production; reference an env: variable"
            raise ConfigError(msg)
        return parsed.value
    value = environ.get(parsed.value)
    if not value:
        msg = f"environment variable {parsed.value} (secret reference) is not set"
        raise ConfigError(msg)
    return value


class PartnerDirectory:
    """Enabled partners by key, each with a configured connector."""

    def __init__(
        self,
        store: MappingStore,
        *,
        context: ConnectorContext,
        production: bool,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._store = store
        self._partners: dict[str, Partner[PartnerConnector]] = {}
        env = os.environ if environ is None else environ
        for key, profile in store.profiles().items():
            if not profile.enabled:
                continue
            try:
                self._partners[key] = _build(profile, context, production=production, env=env)
            except ConfigError as error:
                msg = f"partner {key!r}: {error}"
                raise ConfigError(msg) from error

    def get(self, key: str) -> Partner[PartnerConnector] | None:
        """The enabled partner with this key, if any."""
        return self._partners.get(key)

    def cxml(self, key: str) -> Partner[CxmlPlatformConnector] | None:
        """The enabled partner with this key if it trades over cXML."""
        partner = self._partners.get(key)
        if partner is None or not isinstance(partner.connector, CxmlPlatformConnector):
            return None
        return cast(Partner[CxmlPlatformConnector], partner)

    def x12(self, key: str) -> Partner[X12PartnerConnector] | None:
        """The enabled partner with this key if it trades in X12."""
        partner = self._partners.get(key)
        if partner is None or not isinstance(partner.connector, X12PartnerConnector):
            return None
        return cast(Partner[X12PartnerConnector], partner)

    def all(self) -> list[Partner[PartnerConnector]]:
        """Every enabled partner, sorted by key."""
        return [self._partners[k] for k in sorted(self._partners)]

    def mapping(self, key: str) -> PartnerMapping:
        """The partner's current mapping (re-read when its files changed)."""
        return self._store.mapping(key)

    def partner_rows(self, now: datetime) -> list[dict[str, Any]]:
        """Rows for the `partners` table."""
        return [
            {
                "key": p.key,
                "connector": p.profile.connector,
                "display_name": p.profile.display_name,
                "enabled": p.profile.enabled,
                "demo": p.profile.demo,
                "profile_sha256": hashlib.sha256(p.profile.model_dump_json().encode()).hexdigest(),
                "updated_at": now,
            }
            for p in self.all()
        ]


def _build(
    profile: PartnerProfile, context: ConnectorContext, *, production: bool, env: Mapping[str, str]
) -> Partner[PartnerConnector]:
    if production and profile.demo:
        msg = "demo partners are refused in production; disable it or remove it"
        raise ConfigError(msg)
    connector_class = load_connector(profile.connector)
    if not issubclass(connector_class, CxmlPlatformConnector | X12PartnerConnector):
        msg = f"connector {profile.connector!r} has no ingress this hub serves"
        raise ConfigError(msg)
    raw: dict[str, Any] = dict(profile.connector_config)
    for name, reference in profile.secrets.items():
        raw[name] = resolve_secret(reference, production=production, environ=env)
    try:
        config = connector_class.config_model.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        msg = f"connector_config is invalid for {profile.connector!r}: {problems}"
        raise ConfigError(msg) from None
    endpoints = getattr(config, "endpoints", {})
    if production:
        plain = sorted(k for k, url in endpoints.items() if url.scheme != "https")
        if plain:
            msg = f"endpoints must use https in production: {', '.join(plain)}"
            raise ConfigError(msg)
    connector = connector_class(config, context)
    logger.info("partner %s ready (connector %s)", profile.key, profile.connector)
    return Partner[PartnerConnector](
        profile=profile, connector=connector, timezone=ZoneInfo(profile.timezone)
    )
