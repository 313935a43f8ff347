"""A refused credential tells a stranger nothing about which partner keys exist.

An unknown partner key and a known key with a bad SharedSecret (or no Header) get the same
cXML 401 with the same words, and both paths compare the presented secret in constant time, so
neither the text nor the work done reveals that a key is configured. Timing is checked
structurally (the same comparison runs on both paths), never with a stopwatch.
"""

from __future__ import annotations

import hmac

import pytest
from fastapi.testclient import TestClient

from connectors.cxml_platform import credentials
from tests.support.cxml_answers import status_of
from tests.support.cxml_builder import order_request

NO_HEADER = (
    b'<?xml version="1.0"?><cXML payloadID="nh@x" timestamp="2025-01-14T09:15:12-08:00">'
    b'<Request><OrderRequest><OrderRequestHeader orderID="1" orderDate="2025-01-14"/>'
    b"</OrderRequest></Request></cXML>"
)


def _answer(client: TestClient, partner: str, body: bytes) -> tuple[int, int, str]:
    response = client.post(f"/cxml/{partner}", content=body)
    answer = status_of(response.content)
    return response.status_code, answer.code, answer.message


@pytest.mark.parametrize(
    "body",
    [
        order_request(secret="guessing-123", payload_id="guess@x"),
        order_request(secret="ariba-demo-secret", payload_id="other@x"),
        order_request(sender_identity="SOMEONE", payload_id="sender@x"),
        NO_HEADER,
    ],
    ids=["wrong secret", "another partner's secret", "unknown Sender identity", "no Header"],
)
def test_a_known_key_with_bad_credentials_reads_exactly_like_an_unknown_key(
    client: TestClient, body: bytes
) -> None:
    known = _answer(client, "coupa-demo", body)
    unknown = _answer(client, "no-such-partner", body)

    assert known == unknown
    assert known == (401, 401, credentials.NOT_AUTHENTIC)


def test_the_answer_is_a_sentence_that_says_what_to_check() -> None:
    assert credentials.NOT_AUTHENTIC == (
        "unknown partner or invalid credentials: check the partner key in the URL and the "
        "Sender Credential with its SharedSecret"
    )


def test_both_paths_compare_the_presented_secret_in_constant_time(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[bytes] = []

    def spy(presented: bytes, expected: bytes) -> bool:
        compared.append(presented)
        return hmac.compare_digest(presented, expected)

    monkeypatch.setattr(credentials, "compare_digest", spy)
    body = order_request(secret="guessing-123", payload_id="timing@x")

    _answer(client, "coupa-demo", body)
    known = list(compared)
    compared.clear()
    _answer(client, "no-such-partner", body)

    assert known == compared == [b"guessing-123"]
