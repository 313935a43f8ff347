"""Mutated cXML at `POST /cxml/{partner}`: a cXML answer, no 5xx, the bytes kept, no secret.

Seeds are the demo platforms' golden cases and built orders; the mutations re-encode them
(UTF-16/32, Latin-1, EBCDIC, with lying or missing declarations), damage the `<SharedSecret>`
tag, change values and elements, and break bytes. Each example runs against an emptied store.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from hypothesis import given

from gateway_api.runtime import Runtime
from tests.fuzz.conftest import CXML_SECRETS, OPERATOR, cxml_seeds, fuzz_settings
from tests.fuzz.mutations import Mutant, cxml_mutants
from tests.fuzz.properties import (
    cxml_answer,
    raw_bytes_stored,
    reset_store,
    secrets_readable,
    verdict,
)

SEEDS = cxml_seeds()
CONTENT_TYPES = {
    "utf-8": "text/xml; charset=utf-8",
    "utf-8-sig": "text/xml; charset=utf-8",
}


def check_cxml(client: TestClient, runtime: Runtime, mutant: Mutant, test: str) -> None:
    """Post `mutant` as its seed's partner and check every property."""
    reset_store(runtime.engine)
    if mutant.seed.before is not None:
        first = client.post(
            f"/cxml/{mutant.seed.partner}",
            content=mutant.seed.before,
            headers={"Content-Type": "text/xml"},
        )
        assert first.status_code == 200, first.text
    content_type = CONTENT_TYPES.get(mutant.encoding, "text/xml")
    response = client.post(
        f"/cxml/{mutant.seed.partner}", content=mutant.body, headers={"Content-Type": content_type}
    )
    answer = response.content
    secrets = sorted(set(CXML_SECRETS.values()))
    problems = [
        *cxml_answer(response.status_code, response.headers.get("content-type", ""), answer),
        *raw_bytes_stored(runtime.engine, mutant.body, secrets=secrets),
        *secrets_readable(runtime.engine, secrets, encodings=[mutant.encoding], answer=answer),
    ]
    verdict(problems, test=test, steps=[mutant.seed.name, *mutant.steps], body=mutant.body)


def test_every_seed_is_accepted_as_is(client: TestClient, runtime: Runtime) -> None:
    """The seeds themselves are good orders (else the fuzzing starts from refusals)."""
    for seed in SEEDS:
        check_cxml(client, runtime, Mutant(seed, seed.body), "seed")
        (stored,) = client.get("/orders", headers=OPERATOR).json()
        assert stored["partner"] == seed.partner, seed.name


@fuzz_settings(60)
@given(mutant=cxml_mutants(SEEDS))
def test_mutated_cxml_is_answered_in_cxml_stored_and_masked(
    client: TestClient, runtime: Runtime, mutant: Mutant
) -> None:
    check_cxml(client, runtime, mutant, "cxml")
