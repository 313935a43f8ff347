"""A refused bearer token tells a stranger nothing about which X12 or EDIFACT partner keys exist.

An unknown partner key and a known key with a wrong (or no) bearer token get the same 401
problem+json, word for word, and both paths compare the presented token in constant time (a
dummy token stands in when there is no partner), so neither the answer nor the work done reveals
that a key is configured. Timing is checked structurally (the same comparison runs on both
paths), never with a stopwatch.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.support import edifact_documents, x12_documents

EXPECTED = {
    "type": "about:blank",
    "title": "Unauthorized",
    "status": 401,
    "detail": (
        "unknown partner or wrong credentials: send `Authorization: Bearer <token>` as agreed "
        "with the hub"
    ),
}


@dataclass(frozen=True)
class Protocol:
    path: str
    partner: str
    token: str
    body: Callable[[], bytes]
    content_type: str


X12 = Protocol(
    "/edi/x12",
    "edi-demo",
    x12_documents.EDI_DEMO_TOKEN,
    lambda: x12_documents.retailer_interchange(
        x12_documents.order_850("AUTH-1", [("AC-1001", 1, "1.00")])
    ),
    "application/edi-x12",
)
EDIFACT = Protocol(
    "/edi/edifact",
    "edifact-demo",
    edifact_documents.EDIFACT_DEMO_TOKEN,
    lambda: edifact_documents.retailer_interchange(
        edifact_documents.orders_message("AUTH-1", [("ED-1001", "1", "1.00")])
    ),
    "application/edifact",
)
PROTOCOLS = pytest.mark.parametrize("protocol", [X12, EDIFACT], ids=["x12", "edifact"])


def _post(
    client: TestClient, protocol: Protocol, partner: str, token: str | None, body: bytes
) -> tuple[int, str, bytes]:
    headers = {"Content-Type": protocol.content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response = client.post(f"{protocol.path}/{partner}", content=body, headers=headers)
    return response.status_code, response.headers["content-type"], response.content


@PROTOCOLS
@pytest.mark.parametrize(
    "token",
    ["guessing-123", "another-partners-token", None, ""],
    ids=["wrong token", "another partner's token", "no header", "empty token"],
)
def test_a_known_key_with_a_bad_token_reads_exactly_like_an_unknown_key(
    client: TestClient, protocol: Protocol, token: str | None
) -> None:
    body = protocol.body()
    known = _post(client, protocol, protocol.partner, token, body)
    unknown = _post(client, protocol, "no-such-partner", token, body)

    assert known == unknown  # status, content type and body, byte for byte
    status, content_type, content = known
    assert (status, content_type) == (401, "application/problem+json")
    assert json.loads(content) == EXPECTED
    assert protocol.token.encode() not in content


@PROTOCOLS
def test_even_the_real_token_of_a_known_key_reads_like_any_token_at_an_unknown_key(
    client: TestClient, protocol: Protocol
) -> None:
    # A partner's token sent to a key that does not exist says nothing about the token.
    unknown = _post(client, protocol, "no-such-partner", protocol.token, protocol.body())
    wrong = _post(client, protocol, protocol.partner, "guessing-123", protocol.body())
    assert unknown == wrong


@PROTOCOLS
def test_both_paths_compare_the_presented_token_in_constant_time(
    client: TestClient, protocol: Protocol, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, int]] = []
    real = hmac.compare_digest

    def spy(presented: bytes, expected: bytes) -> bool:
        compared.append((bytes(presented), len(expected)))
        return real(presented, expected)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    body = protocol.body()

    _post(client, protocol, protocol.partner, "guessing-123", body)
    known = list(compared)
    compared.clear()
    _post(client, protocol, "no-such-partner", "guessing-123", body)

    assert known, "the known key's token was not compared with hmac.compare_digest"
    assert known == compared  # the same comparison, on values of the same length
