"""Checking a cXML Sender credential, the same way whether or not the partner key exists.

A stranger probing `POST /cxml/{key}` must not learn which keys are configured: an unknown key
and a known key with a bad credential get the same words (`NOT_AUTHENTIC`) and do the same work,
a constant-time comparison of every presented SharedSecret (against a dummy secret when there is
no partner).
"""

from __future__ import annotations

import secrets
from hmac import compare_digest

from connectors.formats.cxml import Credential

NOT_AUTHENTIC = (
    "unknown partner or invalid credentials: check the partner key in the URL and the "
    "Sender Credential with its SharedSecret"
)
"""The one answer to a body whose sender cannot be authenticated, whatever the reason."""

_NO_PARTNER_SECRET = secrets.token_urlsafe(24).encode()
"""Compared against when there is no partner: random, so no presented secret ever matches."""
_NO_PARTNER = ("", "")


def sender_is_authentic(
    senders: tuple[Credential, ...], *, domain: str, identity: str, secret: bytes
) -> bool:
    """True when one Sender credential is (domain, identity) with `secret`.

    Every presented secret is compared, in constant time, whether or not its identity matches,
    so timing reveals neither which part failed nor how many parts were right.
    """
    authentic = False
    for credential in senders:
        presented = (credential.shared_secret or "").encode()
        secret_ok = compare_digest(presented, secret)
        identity_ok = credential.matches(domain, identity)
        authentic |= secret_ok and identity_ok
    return authentic


def check_for_no_partner(senders: tuple[Credential, ...]) -> None:
    """The work `sender_is_authentic` does for a partner, for a key that names none."""
    domain, identity = _NO_PARTNER
    sender_is_authentic(senders, domain=domain, identity=identity, secret=_NO_PARTNER_SECRET)


__all__ = ["NOT_AUTHENTIC", "check_for_no_partner", "sender_is_authentic"]
