"""LOGO's bearer token: read from `POST /api/v1/token`, cached, renewed before it expires.

The answer is OWIN's (partners.md §4.1): `{"access_token", "token_type", "expires_in",
"userName", ".issued", ".expires"}` with `.expires` as an RFC 1123 date in GMT (`Mon, 15 Jan
2024 10:20:00 GMT`, the format public clients parse). The expiry is `.expires` when it can be
read, else the clock's now plus `expires_in`, else unknown: the token is then used until LOGO
refuses it (401 or a `LoginError`), which renews it once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from connectors.core.contract import Clock


@dataclass(frozen=True)
class LogoToken:
    """An access token and when it expires (`None`: unknown)."""

    value: str = field(repr=False)
    expires_at: datetime | None

    def due(self, now: datetime, renew_before: timedelta) -> bool:
        """True when the token should be renewed before it is used at `now`."""
        return self.expires_at is not None and now >= self.expires_at - renew_before


class LogoTokenCache:
    """One cached token shared by threads; `fetch` obtains a new one (one request)."""

    def __init__(self, *, clock: Clock, renew_before: timedelta) -> None:
        self._clock = clock
        self._renew_before = renew_before
        self._lock = threading.RLock()  # `values` is read while a fetch holds it
        self._token: LogoToken | None = None
        self.tokens_fetched = 0
        """How many tokens were obtained so far (renewals included)."""

    def __repr__(self) -> str:
        expires = self._token.expires_at if self._token else None
        return f"LogoTokenCache(expires_at={expires!r}, tokens_fetched={self.tokens_fetched})"

    def current(self, fetch: Callable[[], LogoToken], *, stale: str | None = None) -> str:
        """The cached token, or a new one when there is none, it is due, or it is `stale` (the
        one LOGO just refused). Another thread's fresh token is reused, not replaced."""
        with self._lock:
            token = self._token
            if (
                token is not None
                and token.value != stale
                and not token.due(self._clock(), self._renew_before)
            ):
                return token.value
            token = fetch()
            self._token = token
            self.tokens_fetched += 1
            return token.value

    def values(self) -> tuple[str, ...]:
        """The cached token's value, if any (to mask it in error text)."""
        with self._lock:
            return (self._token.value,) if self._token is not None else ()


def token_expiry(answer: dict[str, object], now: datetime) -> datetime | None:
    """When the token of `answer` expires: `.expires`, else `now + expires_in`, else None."""
    expires = parse_expires(answer.get(".expires"))
    if expires is not None:
        return expires
    seconds = answer.get("expires_in")
    if isinstance(seconds, bool):
        return None
    if isinstance(seconds, int | float) and seconds > 0:
        return now + timedelta(seconds=float(seconds))
    if isinstance(seconds, str) and seconds.strip().isdigit():
        return now + timedelta(seconds=int(seconds.strip()))
    return None


def parse_expires(value: object) -> datetime | None:
    """`.expires` (RFC 1123, GMT; ISO 8601 tolerated) as an aware time, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def format_expires(moment: datetime) -> str:
    """`moment` the way LOGO writes `.issued` / `.expires` (the fake uses it)."""
    return moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
