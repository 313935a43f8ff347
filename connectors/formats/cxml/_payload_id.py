"""`new_payload_id`: unique cXML payloadIDs in the recommended `datetime.process.random@host` form.

64 random bits per id make a collision between two ids minted in the same millisecond by the
same process negligible, without shared state between threads or workers.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def new_payload_id(now: datetime, hostname: str) -> str:
    """`<epoch-millis>.<pid>.<random>@<hostname>`; `now` must be aware (the injected clock)."""
    if now.tzinfo is None or now.utcoffset() is None:
        msg = "new_payload_id needs an aware datetime"
        raise ValueError(msg)
    host = hostname.strip()
    if not host or any(c.isspace() or c == "@" for c in host):
        msg = f"hostname must be one word without '@', not {hostname!r}"
        raise ValueError(msg)
    millis = (now - _EPOCH) // _MILLISECOND
    return f"{millis}.{os.getpid()}.{secrets.token_hex(8)}@{host}"
