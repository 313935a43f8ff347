"""Reading request bodies under a size limit, without buffering what we will refuse."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

AUDIT_HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class LimitedBody:
    """The body, or its first bytes and its size when it was over the limit."""

    data: bytes
    oversized: bool
    size: int


async def read_limited_body(request: Request, limit: int) -> LimitedBody:
    """Read at most `limit` bytes; a larger body is cut off after `AUDIT_HEAD_BYTES`.

    A declared Content-Length over the limit is refused before reading anything; a chunked body
    is read until it crosses the limit.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return LimitedBody(b"", oversized=True, size=int(declared))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            head = b"".join([*chunks, chunk])[:AUDIT_HEAD_BYTES]
            return LimitedBody(head, oversized=True, size=size)
        chunks.append(chunk)
    return LimitedBody(b"".join(chunks), oversized=False, size=size)
