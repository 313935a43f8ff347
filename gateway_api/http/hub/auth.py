"""Who is looking, and whether a form post really comes from our own page.

Authentication is not decided here: `create_hub_app` receives a FastAPI dependency that returns
a `HubUser` or raises (Airflow's JWT check, when mounted by the plugin). It replaces `hub_user`
below, which refuses everyone, so an app assembled without one shows no data.

Cross-site request forgery is stopped twice on every state-changing form (the replay button):
- the `Origin` (or, without one, the `Referer`) must name this server: browsers set it on every
  cross-origin POST and a page cannot forge it;
- the form carries a token, an HMAC of the user's session credential under a server secret, that
  only a page rendered for that session knows (another origin cannot read our pages).
The session cookie Airflow sets is also `SameSite=Lax`, so a cross-site form post arrives without
it in the first place; the two checks cover same-site origins and older browsers.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request, status

CSRF_FIELD = "csrf_token"
"""The form field that carries the token."""


@dataclass(frozen=True)
class HubUser:
    """The signed-in person, as the authentication dependency vouches for them."""

    name: str
    session: str
    """What identifies the sign-in session (the credential itself); tokens are bound to it."""
    may_replay: bool = False
    """Whether this person may change state (replay dead letters)."""


class HubAccessError(Exception):
    """Raised by a sign-in check: who asked may not see the pages (401: unknown, 403: known
    but not allowed)."""

    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(reason)
        self.status_code = status_code
        self.reason = reason


def authenticator(
    check: Callable[[Any], Awaitable[HubUser]],
) -> Callable[[Request], Awaitable[HubUser]]:
    """A FastAPI dependency from `check(request)`, so a caller (the Airflow plugin) plugs its
    sign-in in without importing FastAPI. `check` raises `HubAccessError` (or FastAPI's own
    `HTTPException`, as Airflow's checks do) to refuse."""

    async def dependency(request: Request) -> HubUser:
        try:
            return await check(request)
        except HubAccessError as error:
            raise HTTPException(error.status_code, error.reason) from error

    return dependency


async def hub_user() -> HubUser:
    """The default authentication: nobody. `create_hub_app` overrides it with the real one."""
    raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Not authenticated")


def csrf_token(secret: bytes, user: HubUser) -> str:
    """The form token for `user`'s session."""
    message = f"b2connect-hub|{user.name}|{user.session}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def check_form_post(request: Request, secret: bytes, user: HubUser, presented: str | None) -> None:
    """Refuse (403) a form post that is not from a page of ours rendered for this session."""
    if not _same_origin(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "The form was not sent from this site.")
    expected = csrf_token(secret, user)
    if presented is None or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "The form is older than your sign-in session: reload the page and try again.",
        )


def _same_origin(request: Request) -> bool:
    """The request's `Origin` (or `Referer`) names the host it was sent to."""
    source = request.headers.get("origin") or request.headers.get("referer")
    host = request.headers.get("host")
    if not source or source == "null" or not host:
        return False
    return urlsplit(source).netloc.lower() == host.lower()
