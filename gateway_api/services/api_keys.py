"""Integration API keys: made (shown once), listed, revoked, and checked on every call.

A key is `b2c_<prefix>_<secret>`: the prefix (8 hex characters) is public and finds the row,
the secret is `secrets.token_urlsafe(32)` (256 random bits). Only a SHA-256 of the whole key is
stored. A fast hash is right here, unlike for passwords: slow hashes (bcrypt, argon2) exist to
make guessing low-entropy passwords expensive, and nobody can guess 256 random bits however
fast the hash is, so SHA-256 loses nothing and keeps each call's check to a microsecond. The
stored and presented hashes are compared in constant time (`hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

from connectors.core import Clock
from gateway_api.store.api_key_records import ApiKeyRecord
from gateway_api.store.ports import StoreConflictError, UnitOfWorkFactory

SCOPES = ("products:write", "stock:write", "prices:write", "customers:write")
"""What a key may be allowed: one scope per integration endpoint."""

KEY_PATTERN = re.compile(r"^b2c_([0-9a-f]{8})_[A-Za-z0-9_-]{32,}$")
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
TOUCH_INTERVAL = timedelta(minutes=1)
"""`last_used_at` is written at most this often per key (not one write per call)."""


class ApiKeyError(ValueError):
    """A key cannot be made or revoked as asked (the message says why)."""


class UnknownApiKeyError(LookupError):
    """No key with that prefix."""


@dataclass(frozen=True)
class CreatedApiKey:
    """A new key: the record and the key itself, which is shown once and never again."""

    record: ApiKeyRecord
    key: str


def hash_key(key: str) -> str:
    """SHA-256 of the key, hex (see the module doc for why a fast hash)."""
    return hashlib.sha256(key.encode()).hexdigest()


def normalise_scopes(scopes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """`stock` or `stock:write` -> `stock:write`; an unknown scope is an `ApiKeyError`."""
    chosen: list[str] = []
    for scope in scopes:
        full = scope if ":" in scope else f"{scope}:write"
        if full not in SCOPES:
            msg = f"unknown scope {scope!r}; the scopes are: {', '.join(SCOPES)}"
            raise ApiKeyError(msg)
        if full not in chosen:
            chosen.append(full)
    if not chosen:
        msg = f"a key needs at least one scope: {', '.join(SCOPES)}"
        raise ApiKeyError(msg)
    return tuple(chosen)


class ApiKeyService:
    """Create, list, revoke and authenticate integration API keys."""

    def __init__(self, uow: UnitOfWorkFactory, *, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def create(self, name: str, scopes: list[str] | tuple[str, ...]) -> CreatedApiKey:
        """A new key for the system `name` (lower-case letters, digits, `.`, `_`, `-`)."""
        if not NAME_PATTERN.fullmatch(name):
            msg = (
                f"the name {name!r} is not usable: up to 64 lower-case letters, digits, '.', "
                "'_' or '-', starting with a letter or digit"
            )
            raise ApiKeyError(msg)
        chosen = normalise_scopes(scopes)
        for _ in range(5):  # a prefix collision (1 in 4 billion per key) draws again
            prefix = secrets.token_hex(4)
            key = f"b2c_{prefix}_{secrets.token_urlsafe(32)}"
            record = ApiKeyRecord(
                id=uuid4(),
                name=name,
                prefix=prefix,
                key_hash=hash_key(key),
                scopes=chosen,
                created_at=self._clock(),
            )
            try:
                with self._uow() as uow:
                    uow.api_keys.add(record)
                    uow.commit()
            except StoreConflictError:
                continue
            return CreatedApiKey(record, key)
        msg = "could not draw an unused key prefix"
        raise ApiKeyError(msg)

    def list(self) -> list[ApiKeyRecord]:
        """Every key, oldest first (hashes included: callers show only what they should)."""
        with self._uow() as uow:
            return uow.api_keys.all()

    def revoke(self, prefix: str) -> ApiKeyRecord:
        """Revoke the key; revoking a revoked key changes nothing. `UnknownApiKeyError`."""
        with self._uow() as uow:
            record = uow.api_keys.by_prefix(prefix)
            if record is None:
                raise UnknownApiKeyError(prefix)
            uow.api_keys.revoke(prefix, at=self._clock())
            uow.commit()
            revoked = uow.api_keys.by_prefix(prefix)
        assert revoked is not None
        return revoked

    def authenticate(self, presented: str) -> ApiKeyRecord | None:
        """The live key `presented` is, or None (malformed, unknown, wrong secret, revoked).
        Records the use (at most once per `TOUCH_INTERVAL`)."""
        match = KEY_PATTERN.fullmatch(presented)
        if match is None:
            return None
        with self._uow() as uow:
            record = uow.api_keys.by_prefix(match.group(1))
            if record is None or not hmac.compare_digest(
                record.key_hash.encode(), hash_key(presented).encode()
            ):
                return None
            if record.revoked_at is not None:
                return None
            now = self._clock()
            if record.last_used_at is None or now - record.last_used_at >= TOUCH_INTERVAL:
                uow.api_keys.touch(record.id, at=now)
                uow.commit()
        return record
