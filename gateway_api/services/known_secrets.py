"""Masking the secrets the hub knows, wherever they sit in a refused body: the last safeguard.

A connector's `redact` finds secrets by where its protocol puts them (cXML `<SharedSecret>`).
A refused body can be damaged in any way - tags misspelt on both sides, credential fragments
copied elsewhere, a body re-encoded with a byte lost - and there the search by position can
miss. The partner's own secrets, though, are known values: every copy of one, in every encoding
a body may come in, is replaced by `***` in that encoding before the body is logged.

Hand-written because it is a handful of `bytes.replace` calls; it runs on refused bodies only,
so the accepted hot path pays nothing for it.
"""

from __future__ import annotations

from collections.abc import Iterable

ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "cp037", "cp500")
"""Every encoding a refused body's text may be in (the cXML masking reads the same ones)."""

MIN_LENGTH = 8
"""Shorter values are not searched: they would mask ordinary words, numbers and markup (a
secret `2025` or `Status` would be masked inside our own answer's timestamp or tags), and a
secret that short protects nothing anyway."""

MASK = "***"


def scrub_known_secrets(data: bytes, secrets: Iterable[str]) -> bytes:
    """`data` with every copy of each of `secrets`, in any of `ENCODINGS`, replaced by `***`
    in the same encoding; longer secrets first, so one holding another is masked whole."""
    for secret in _searched(secrets):
        for encoding in ENCODINGS:
            try:
                form = secret.encode(encoding)
            except UnicodeEncodeError:
                continue
            if form in data:
                data = data.replace(form, MASK.encode(encoding))
    return data


def scrub_known_secrets_in_text(text: str, secrets: Iterable[str]) -> str:
    """`text` (a refusal's sentence) with every secret of `secrets` replaced by `***`."""
    for secret in _searched(secrets):
        text = text.replace(secret, MASK)
    return text


def _searched(secrets: Iterable[str]) -> list[str]:
    """The secrets worth searching for (`MIN_LENGTH`), once each, the longest first."""
    return sorted({s for s in secrets if len(s) >= MIN_LENGTH}, key=len, reverse=True)
