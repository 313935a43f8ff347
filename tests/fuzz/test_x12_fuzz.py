"""Mutated X12 at `POST /edi/x12/{partner}`: a 997/999 or TA1, no 5xx, the bytes kept as sent.

Seeds are the demo retailer's golden 850 and built interchanges (two sets; a TA1 requested).
The mutations change delimiters (element, component, segment, one segment with its own
separator), the ISA's fixed width and values, put non-UTF-8 bytes into elements the 997 echoes,
drop and copy segments, break counts and control numbers, build mailbags, and break bytes.

The retailer takes 997s, so anything whose ISA can be read is answered in X12 (a 997/999 or a
TA1); problem+json is for a body without one readable interchange. The bearer token is a
header: it must never reach the store or the answer.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from hypothesis import given

from gateway_api.runtime import Runtime
from tests.fuzz.conftest import OPERATOR, fuzz_settings, x12_seeds
from tests.fuzz.mutations import Mutant, x12_mutants
from tests.fuzz.properties import (
    raw_bytes_stored,
    reset_store,
    secrets_readable,
    verdict,
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
        *secrets_readable(runtime.engine, [EDI_DEMO_TOKEN], answer=answer),
    ]
    verdict(problems, test=test, steps=[mutant.seed.name, *mutant.steps], body=mutant.body)


def test_every_seed_is_acknowledged_and_stored(client: TestClient, runtime: Runtime) -> None:
    """The seeds themselves are good interchanges (else the fuzzing starts from refusals)."""
    for seed in SEEDS:
        check_x12(client, runtime, Mutant(seed, seed.body), "seed")
        assert client.get("/orders", headers=OPERATOR).json(), seed.name


@fuzz_settings(60)
@given(mutant=x12_mutants(SEEDS))
def test_mutated_x12_is_acknowledged_in_x12_and_stored_as_sent(
    client: TestClient, runtime: Runtime, mutant: Mutant
) -> None:
    check_x12(client, runtime, mutant, "x12")
