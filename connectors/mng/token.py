"""MNG's JWT: read from `POST /token`, cached, renewed before it expires and once after a 401.

`POST /token` `{"customerNumber", "password", "identityType": 1}` answers
`{"jwt", "refreshToken", "jwtExpireDate", "refreshTokenExpireDate"}` (partners.md §6.3; about
8 hours per client). We ask for a new JWT with the password instead of using
`/refresh/{refreshToken}`: the refresh call's shape is not published (partners.md §9.9) and a
new token costs the same one request.

`jwtExpireDate` comes as ISO 8601 or as `dd.MM.yyyy HH:mm:ss` in public clients, without a
zone (read as Turkey time, `connectors.mng.times`). A date we cannot read leaves the expiry
unknown; the token is then used until MNG refuses it (401), which renews it once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from connectors.core.contract import Clock
from connectors.mng.times import parse_mng_time


@dataclass(frozen=True)
class MngToken:
    """A JWT and when it expires (`None`: unknown)."""

    value: str = field(repr=False)
    expires_at: datetime | None

    def due(self, now: datetime, renew_before: timedelta) -> bool:
        """True when the token should be renewed before it is used at `now`."""
        return self.expires_at is not None and now >= self.expires_at - renew_before


class MngTokenCache:
    """One cached JWT shared by threads; `fetch` obtains a new one (one request)."""

    def __init__(self, *, clock: Clock, renew_before: timedelta) -> None:
        self._clock = clock
        self._renew_before = renew_before
        self._lock = threading.Lock()
        self._token: MngToken | None = None
        self.tokens_fetched = 0
        """How many tokens were obtained so far (renewals included)."""

    def __repr__(self) -> str:
        expires = self._token.expires_at if self._token else None
        return f"MngTokenCache(expires_at={expires!r}, tokens_fetched={self.tokens_fetched})"

    def current(self, fetch: Callable[[], MngToken], *, stale: str | None = None) -> str:
        """The cached JWT, or a new one when there is none, it is due, or it is `stale` (the
        one the API just refused). Another thread's fresh token is reused, not replaced."""
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


def parse_expiry(value: object) -> datetime | None:
    """`jwtExpireDate` as an aware time, or None when it cannot be read (see the module)."""
    return parse_mng_time(value)
