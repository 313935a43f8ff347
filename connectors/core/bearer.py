"""Checking a partner's bearer token, the same way whether or not the partner key exists.

A stranger probing `POST /edi/x12/{key}` or `POST /edi/edifact/{key}` must not learn which keys
are configured: an unknown key and a known key with a wrong (or no) token get the same words
(`NOT_AUTHENTIC`) and do the same work, one constant-time comparison of the presented token
(against a random dummy token when there is no partner). Both sides are hashed first, so the
comparison runs on values of one length and does not reveal the configured token's length
either.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

NOT_AUTHENTIC = "unknown partner or wrong credentials"
"""The one reason given for a body whose bearer token cannot be accepted, whatever the cause."""

_NO_PARTNER_TOKEN = secrets.token_urlsafe(32)
"""Compared against when there is no partner: random, so no presented token ever matches."""


def token_is_valid(presented: str | None, expected: str) -> bool:
    """True when `presented` is `expected`; constant time, and an absent token is compared too
    (as the empty string), so that every refusal does the same work."""
    # hmac.compare_digest is looked up on the module at each call: a test spy can see it run.
    return hmac.compare_digest(_digest(presented or ""), _digest(expected))


def check_for_no_partner(presented: str | None) -> None:
    """The work `token_is_valid` does for a partner, for a key that names none."""
    token_is_valid(presented, _NO_PARTNER_TOKEN)


def _digest(token: str) -> bytes:
    # surrogatepass: a header decoded by any server never makes the check raise.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


__all__ = ["NOT_AUTHENTIC", "check_for_no_partner", "token_is_valid"]
