"""The partner directory: profiles from `mappings/` turned into configured connectors, live.

Each profile is built on its own: a profile that cannot be built (unknown connector, bad
connector config, an unresolvable secret, plain HTTP endpoints in production) disables that
partner with its reason - shown by `b2connect partners check`, in
`/health` and as a start-up warning - while the others serve.

Profiles load live: a lookup checks the profile file's stat fingerprint (the mapping store
caches by it) when it was last checked more than `recheck_seconds` (1 s) ago, so a changed
profile is rebuilt on its next use after that and a new partner folder is served on its first
request, in every worker process, without a restart.

Demo partners (`demo: true`, published secrets) are served only when asked: by default in
development, never in production; otherwise they are listed as disabled, with the reason.

The core learns what a partner's connector can do from its declared capabilities, checked
against the capability protocols; it never asks which protocol a connector speaks.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, cast
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from connectors.core import (
    Capability,
    ConfigError,
    Connector,
    ConnectorContext,
    ConnectorError,
    connector_keys,
    load_connector,
)
from connectors.core.carrier import CarrierConnector
from connectors.core.erp import ErpConnector
from connectors.core.inbound import FileDropInbound, InboundConnector, Ingress
from connectors.core.pull import PullConnector
from connectors.core.push import PushConnector
from connectors.core.transport import FileDropLocation, HttpDestination
from mappings.engine import (
    MappingConfigError,
    MappingError,
    MappingStore,
    PartnerMapping,
    PartnerProfile,
    UnknownPartnerError,
    parse_secret_reference,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Partner:
    """One enabled, working trading partner: its profile, its connector and what it can do."""

    profile: PartnerProfile
    connector: Connector
    timezone: ZoneInfo
    inbound: InboundConnector | None = None
    """Set when partners push documents to us through this connector."""
    push: PushConnector | None = None
    """Set when we send this partner documents."""
    pull: PullConnector | None = None
    """Set when we fetch documents from this partner."""
    carrier: CarrierConnector | None = None
    """Set when the partner is a cargo carrier we book and track shipments with."""
    erp: ErpConnector | None = None
    """Set when the partner is the supplier's ERP: it takes every order as a sales order and
    gives items, stock, prices and dispatches."""
    file_drop: FileDropLocation | None = field(default=None, repr=False)
    """The partner's file drop, when its connector and profile have one."""
    file_drop_connector: FileDropInbound | None = field(default=None, repr=False)
    """The connector as a file-drop user (names our answer files), when it is one."""
    secret_values: tuple[str, ...] = field(default=(), repr=False, compare=False)
    """The resolved values of the profile's `secrets`, masked wherever they appear in a body
    refused from this partner (gateway_api/services/known_secrets.py); never shown."""
    key: str = field(init=False)
    """The partner key (`coupa-demo`)."""
    ingress: Ingress | None = field(init=False, repr=False)
    """The front door of the partner's protocol, for INBOUND connectors."""
    protocol: str = field(init=False)
    """The connector's protocol family, as the document log records it."""

    def __post_init__(self) -> None:
        # Plain attributes, not properties: read several times on every request.
        object.__setattr__(self, "key", self.profile.key)
        object.__setattr__(self, "ingress", self.connector.spec.ingress)
        object.__setattr__(self, "protocol", self.connector.spec.protocol)


class PartnerState(StrEnum):
    """Whether a partner profile serves traffic."""

    READY = "ready"
    DISABLED = "disabled"
    """`enabled: false` in its profile."""
    BROKEN = "broken"
    """The profile cannot be built; `reason` says why."""


@dataclass(frozen=True)
class PartnerStatus:
    """One profile's state, for `partners check` and `/health`."""

    key: str
    state: PartnerState
    connector: str | None = None
    reason: str | None = None


@dataclass
class _Entry:
    profile: PartnerProfile | None
    partner: Partner | None
    status: PartnerStatus
    checked_at: float = float("-inf")
    """When the profile file was last looked at (monotonic seconds)."""
    announced: bool = True
    """False until every `on_change` listener took the (re)built partner; retried on lookups."""


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
    """Partners by key, each built alone and rebuilt when its profile changes."""

    def __init__(
        self,
        store: MappingStore,
        *,
        context: ConnectorContext,
        production: bool,
        environ: Mapping[str, str] | None = None,
        recheck_seconds: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        demo_partners: bool | None = None,
    ) -> None:
        """`demo_partners`: serve `demo: true` profiles (default: outside production only)."""
        self._store = store
        self._demo_partners = not production if demo_partners is None else demo_partners
        self._recheck_seconds = recheck_seconds
        self._monotonic = monotonic
        self._context = context
        self._production = production
        self._environ = os.environ if environ is None else environ
        self._entries: dict[str, _Entry] = {}
        self._mappings: dict[str, tuple[PartnerMapping, float]] = {}
        self._lock = threading.Lock()
        self._listeners: list[Callable[[Partner], None]] = []
        for status in self.statuses():
            if status.state is PartnerState.BROKEN:
                logger.warning("partner %s is disabled: %s", status.key, status.reason)

    def on_change(self, listener: Callable[[Partner], None]) -> None:
        """Call `listener` with every partner built or rebuilt from here on."""
        self._listeners.append(listener)

    def get(self, key: str) -> Partner | None:
        """The partner with this key if it is enabled and works (its profile checked live)."""
        return self._entry(key).partner

    def inbound(self, key: str, ingress: Ingress) -> Partner | None:
        """The partner if it sends documents through `ingress` (else None, like an unknown key)."""
        partner = self.get(key)
        if partner is None or partner.inbound is None or partner.ingress is not ingress:
            return None
        return partner

    def all(self) -> list[Partner]:
        """Every working partner, sorted by key (the partners folder is read again)."""
        partners = (self.get(key) for key in self._store.partner_keys())
        return [partner for partner in partners if partner is not None]

    def statuses(self) -> list[PartnerStatus]:
        """The state of every profile, sorted by key."""
        return [self._entry(key).status for key in self._store.partner_keys()]

    def mapping(self, key: str, *, fresh: bool = False) -> PartnerMapping:
        """The partner's mapping (profile, code lists, cross-reference), its files looked at
        again when that was more than `recheck_seconds` ago, or now when `fresh` (a replay
        right after a fix must see the fix)."""
        now = self._monotonic()
        cached = self._mappings.get(key)
        if not fresh and cached is not None and now - cached[1] < self._recheck_seconds:
            return cached[0]
        mapping = self._store.mapping(key)
        self._mappings[key] = (mapping, now)
        return mapping

    def partner_rows(self, now: datetime) -> list[dict[str, Any]]:
        """Rows for the `partners` table."""
        return [partner_row(p, now) for p in self.all()]

    # -- building ---------------------------------------------------------------------------

    def _entry(self, key: str) -> _Entry:
        entry = self._entries.get(key)
        now = self._monotonic()
        if entry is not None and not entry.announced:
            self._announce(entry)
        if entry is not None and now - entry.checked_at < self._recheck_seconds:
            return entry  # looked at its profile file a moment ago (a stat per request is waste)
        try:
            profile = self._store.profile(key)
        except UnknownPartnerError:
            self._entries.pop(key, None)
            return _Entry(None, None, PartnerStatus(key, PartnerState.BROKEN, reason="unknown"))
        except (MappingConfigError, MappingError) as error:
            status = PartnerStatus(key, PartnerState.BROKEN, reason=str(error))
            return self._remember(key, status)
        if entry is not None and entry.profile is profile:
            entry.checked_at = now
            return entry
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.profile is profile:
                return entry
            entry = self._build_entry(profile)
            entry.checked_at = now
            entry.announced = entry.partner is None or not self._listeners
            self._entries[key] = entry
        if not entry.announced:
            self._announce(entry)
        return entry

    def _announce(self, entry: _Entry) -> None:
        """Tell the listeners about a (re)built partner; a failure is tried again on the next
        lookup (the partners row a new partner's orders point at must get written)."""
        assert entry.partner is not None
        try:
            for listener in self._listeners:
                listener(entry.partner)
        except Exception:
            logger.exception(
                "partner %s: could not record the change; trying again", entry.partner.key
            )
            return
        entry.announced = True

    def _remember(self, key: str, status: PartnerStatus) -> _Entry:
        previous = self._entries.get(key)
        if previous is None or previous.status != status:
            logger.warning("partner %s is disabled: %s", key, status.reason)
        entry = _Entry(None, None, status)
        self._entries[key] = entry
        return entry

    def _build_entry(self, profile: PartnerProfile) -> _Entry:
        key = profile.key
        if not profile.enabled:
            status = PartnerStatus(key, PartnerState.DISABLED, profile.connector, "enabled: false")
            return _Entry(profile, None, status)
        if profile.demo and (self._production or not self._demo_partners):
            reason = (
                "demo partner, not served in production"
                if self._production
                else "demo partner, not served: B2CONNECT_DEMO_PARTNERS=false"
            )
            return _Entry(
                profile, None, PartnerStatus(key, PartnerState.DISABLED, profile.connector, reason)
            )
        try:
            partner = build_partner(
                profile, self._context, production=self._production, environ=self._environ
            )
        except ConnectorError as error:
            status = PartnerStatus(key, PartnerState.BROKEN, profile.connector, str(error))
            logger.warning("partner %s is disabled: %s", key, error)
            return _Entry(profile, None, status)
        logger.info("partner %s ready (connector %s)", key, profile.connector)
        return _Entry(profile, partner, PartnerStatus(key, PartnerState.READY, profile.connector))


def build_partner(
    profile: PartnerProfile,
    context: ConnectorContext,
    *,
    production: bool,
    environ: Mapping[str, str],
) -> Partner:
    """A configured partner for `profile`; `ConfigError` saying what is wrong."""
    if production and profile.demo:
        msg = "demo partners are refused in production; disable it or remove it"
        raise ConfigError(msg)
    connector_class = load_connector(profile.connector)
    raw: dict[str, Any] = dict(profile.connector_config)
    for name, reference in profile.secrets.items():
        raw[name] = resolve_secret(reference, production=production, environ=environ)
    try:
        config = connector_class.config_model.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        msg = f"connector_config is invalid for {profile.connector!r}: {problems}"
        raise ConfigError(msg) from None
    factory = cast(Callable[[Any, ConnectorContext], Connector], connector_class)
    connector = factory(config, context)
    inbound: InboundConnector | None = _as(connector, Capability.INBOUND, InboundConnector)
    push: PushConnector | None = _as(connector, Capability.PUSH, PushConnector)
    pull: PullConnector | None = _as(connector, Capability.PULL, PullConnector)
    carrier: CarrierConnector | None = _as(connector, Capability.CARRIER, CarrierConnector)
    erp: ErpConnector | None = _as(connector, Capability.ERP, ErpConnector)
    if inbound is not None and connector.spec.ingress is None:
        msg = f"connector {profile.connector!r} declares INBOUND but names no ingress"
        raise ConfigError(msg)
    if production and push is not None:
        _require_https(push, profile)
    drops = connector if isinstance(connector, FileDropInbound) else None
    drop = drops.file_drop() if drops is not None else None
    return Partner(
        profile=profile,
        connector=connector,
        timezone=ZoneInfo(profile.timezone),
        inbound=inbound,
        push=push,
        pull=pull,
        carrier=carrier,
        erp=erp,
        file_drop=drop,
        file_drop_connector=drops,
        secret_values=tuple(
            value for name in profile.secrets if isinstance(value := raw[name], str) and value
        ),
    )


def _as(connector: Connector, capability: Capability, protocol: Any) -> Any:
    """The connector as `protocol` when it declares `capability` (None when it does not);
    `ConfigError` when it declares the capability without implementing the protocol.
    (`protocol` is a runtime-checkable Protocol class, which mypy will not take as `type[P]`;
    the call sites annotate what comes back.)"""
    if capability not in connector.spec.capabilities:
        return None
    if not isinstance(connector, protocol):
        msg = (
            f"connector {connector.spec.key!r} declares {capability.value} but does not "
            f"implement {protocol.__name__}"
        )
        raise ConfigError(msg)
    return connector


def _require_https(push: PushConnector, profile: PartnerProfile) -> None:
    """Production sends over HTTPS only: every HTTP destination of an enabled kind."""
    plain = []
    for kind in profile.documents.outbound:
        try:
            destination = push.destination(kind)
        except ConnectorError:
            continue  # no destination yet: the fulfilment API refuses that kind until there is
        if isinstance(destination, HttpDestination) and not destination.url.startswith("https:"):
            plain.append(kind)
    if plain:
        msg = f"endpoints must use https in production: {', '.join(sorted(plain))}"
        raise ConfigError(msg)


@functools.cache
def registered_ingresses() -> tuple[Ingress, ...]:
    """The ingress of every registered INBOUND connector, each once, in key order."""
    found: list[Ingress] = []
    for key in connector_keys():
        ingress = load_connector(key).spec.ingress
        if ingress is not None and all(ingress is not seen for seen in found):
            found.append(ingress)
    return tuple(found)


def partner_row(partner: Partner, now: datetime) -> dict[str, Any]:
    """The `partners` table row of a partner."""
    profile = partner.profile
    return {
        "key": partner.key,
        "connector": profile.connector,
        "display_name": profile.display_name,
        "enabled": profile.enabled,
        "demo": profile.demo,
        "profile_sha256": hashlib.sha256(profile.model_dump_json().encode()).hexdigest(),
        "updated_at": now,
    }
