"""What the store keeps of integration API keys and of the calls made with an Idempotency-Key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class ApiKeyRecord:
    """A key a calling system (the ERP) presents; the key itself is never stored."""

    id: UUID
    name: str
    """The calling system (`logo-prod`); the message log's partner for its calls."""
    prefix: str
    """The public part of the key: how it is found, listed and revoked."""
    key_hash: str
    """SHA-256 of the whole key, hex."""
    scopes: tuple[str, ...]
    """What it may do: `products:write`, `stock:write`, `prices:write`, `customers:write`."""
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


@dataclass(frozen=True)
class IntegrationCallRecord:
    """A call made with an Idempotency-Key: what was asked (its hash) and what was answered."""

    api_key_id: UUID
    idempotency_key: str
    endpoint: str
    request_sha256: str
    status_code: int
    response: dict[str, Any]
    created_at: datetime
