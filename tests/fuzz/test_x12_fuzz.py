"""Mutated X12 at `POST /edi/x12/{partner}`: a 997/999 or TA1, no 5xx, the bytes kept as sent.

Seeds are the demo retailer's golden 850 and built interchanges (two sets; a TA1 requested).
The mutations change delimiters (element, component, segment, one segment with its own
separator), the ISA's fixed width and values, put non-UTF-8 bytes into elements the 997 echoes,
drop and copy segments, break counts and control numbers, build mailbags, and break bytes.

What the 997 says and what is stored agree (a group rejected in AK9 stores no order). The
retailer takes 997s, so anything whose ISA can be read is answered in X12 (a 997/999 or a
TA1); problem+json is for a body without one readable interchange. The bearer token is a
header: it must never reach the store or the answer.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from hypothesis import given

from gateway_api.runtime import Runtime
from tests.fuzz.conftest import OPERATOR, fuzz_settings, x12_seeds
from tests.fuzz.mutations import Mutant, X12Parts, x12_mutants
from tests.fuzz.properties import (
    raw_bytes_stored,
    reset_store,
    secrets_readable,
    verdict,
    x12_ack_agrees_with_store,
    x12_answer,
)
from tests.support.x12_documents import EDI_DEMO_TOKEN

SEEDS = x12_seeds()


def check_x12(client: TestClient, runtime: Runtime, mutant: Mutant, test: str) -> None:
    """Post `mutant` as the demo retailer and check every property."""
    reset_store(runtime.engine)
    response = client.post(
        f"/edi/x12/{mutant.seed.partner}",
        content=mutant.body,
        headers={
            "Authorization": f"Bearer {EDI_DEMO_TOKEN}",
            "Content-Type": "application/edi-x12",
        },
    )
    answer = response.content
    content_type = response.headers.get("content-type", "")
    problems = [
        *x12_answer(response.status_code, content_type, answer, sent=mutant.body),
        *raw_bytes_stored(runtime.engine, mutant.body),
        *x12_ack_agrees_with_store(runtime.engine, answer),
        *secrets_readable(runtime.engine, [EDI_DEMO_TOKEN], answer=answer),
    ]
    verdict(problems, test=test, steps=[mutant.seed.name, *mutant.steps], body=mutant.body)


def test_every_seed_is_acknowledged_and_stored(client: TestClient, runtime: Runtime) -> None:
    """The seeds themselves are good interchanges (else the fuzzing starts from refusals)."""
    for seed in SEEDS:
        check_x12(client, runtime, Mutant(seed, seed.body), "seed")
        assert client.get("/orders", headers=OPERATOR).json(), seed.name


def _case(step: str, change: Callable[[X12Parts], None]) -> Mutant:
    seed = SEEDS[0]
    parts = X12Parts.parse(seed.body)
    change(parts)
    return Mutant(seed, parts.render(), (step,))


def _set(tag: bytes, element: int, value: bytes) -> Callable[[X12Parts], None]:
    def change(parts: X12Parts) -> None:
        parts.segments[parts.find(tag)[0]][element] = value

    return change


def _own_separator(tag: bytes, separator: bytes) -> Callable[[X12Parts], None]:
    def change(parts: X12Parts) -> None:
        parts.own_separator[parts.find(tag)[0]] = separator

    return change


def _component(value: bytes) -> Callable[[X12Parts], None]:
    def change(parts: X12Parts) -> None:
        parts.component = value

    return change


def _repeat_group(parts: X12Parts) -> None:
    parts.segments[1:1] = [list(s) for s in parts.segments[1:15]]


HARD_CASES = {
    # Found by fuzzing; each must keep passing once fixed (issue 9, items 1 and 2 and beyond).
    "non-UTF-8 ST02": _case("ST02 = 0\\xff01", _set(b"ST", 2, b"0\xff01")),
    "non-UTF-8 GS06": _case("GS06 = 1\\xe9", _set(b"GS", 6, b"1\xe9")),
    "non-UTF-8 BEG03": _case("BEG03 = RT-\\xc3\\x28", _set(b"BEG", 3, b"RT-\xc3\x28")),
    "GS with its own separator": _case("GS written with |", _own_separator(b"GS", b"|")),
    "ST with its own separator": _case("ST written with |", _own_separator(b"ST", b"|")),
    "non-ASCII component separator": _case("ISA16 = \\xe9", _component(b"\xe9")),
    "GE02 not GS06": _case("GE02 = 2", _set(b"GE", 2, b"2")),
    "GS..SE repeated inside the group": _case("segments 1..15 copied to 1", _repeat_group),
}


@pytest.mark.parametrize("name", sorted(HARD_CASES))
def test_hard_cases_found_by_fuzzing(client: TestClient, runtime: Runtime, name: str) -> None:
    check_x12(client, runtime, HARD_CASES[name], name)


@fuzz_settings(200)
@given(mutant=x12_mutants(SEEDS))
def test_mutated_x12_is_acknowledged_in_x12_and_stored_as_sent(
    client: TestClient, runtime: Runtime, mutant: Mutant
) -> None:
    check_x12(client, runtime, mutant, "x12")
