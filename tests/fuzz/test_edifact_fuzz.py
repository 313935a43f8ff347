"""Mutated EDIFACT at `POST /edi/edifact/{partner}`: a CONTRL or no body, never a 5xx.

Seeds are the demo retailer's golden ORDERS and a built two-message interchange; mutations
change the UNA service characters, the syntax level, values and segments, and bytes. The answer
is a CONTRL interchange (200), nothing (202, when no CONTRL is wanted) or problem+json for a body
without a readable interchange; the bytes are stored as sent apart from the UNB password (which
the seeds do not carry), and the bearer token is never stored.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import given

from gateway_api.runtime import Runtime
from tests.fuzz.conftest import OPERATOR, edifact_seeds, fuzz_settings
from tests.fuzz.mutations import Mutant, edifact_mutants
from tests.fuzz.properties import (
    problem_json,
    raw_bytes_stored,
    reset_store,
    secrets_readable,
    verdict,
)
from tests.support.edifact_documents import EDIFACT_DEMO_TOKEN

SEEDS = edifact_seeds()


def edifact_answer(status: int, content_type: str, answer: bytes) -> list[str]:
    """A CONTRL interchange, an empty 202, or problem+json."""
    if status >= 500:
        return [f"HTTP {status}: {answer[:160]!r}"]
    if status == 202:
        return [] if not answer else [f"HTTP 202 with a body: {answer[:120]!r}"]
    if status == 200:
        problems = []
        if not content_type.startswith("application/edifact"):
            problems.append(f"HTTP 200 as {content_type!r}, not application/edifact")
        head = answer.lstrip()
        if not head.startswith((b"UNA", b"UNB")) or b"CONTRL" not in answer:
            problems.append(f"HTTP 200 but not a CONTRL interchange: {answer[:160]!r}")
        return problems
    return problem_json(status, content_type, answer)


def check_edifact(client: TestClient, runtime: Runtime, mutant: Mutant, test: str) -> None:
    """Post `mutant` as the demo retailer and check every property."""
    reset_store(runtime.engine)
    response = client.post(
        f"/edi/edifact/{mutant.seed.partner}",
        content=mutant.body,
        headers={
            "Authorization": f"Bearer {EDIFACT_DEMO_TOKEN}",
            "Content-Type": "application/edifact",
        },
    )
    answer = response.content
    content_type = response.headers.get("content-type", "")
    problems = [
        *edifact_answer(response.status_code, content_type, answer),
        # The UNB password may be masked (redact); the seeds carry none, but a mutation can
        # shift an element into its place: the stored body is the one sent with, at most,
        # values replaced by ***.
        *raw_bytes_stored(runtime.engine, mutant.body, masked=b"UNB" in mutant.body),
        *secrets_readable(runtime.engine, [EDIFACT_DEMO_TOKEN], answer=answer),
    ]
    verdict(problems, test=test, steps=[mutant.seed.name, *mutant.steps], body=mutant.body)


def test_every_seed_is_acknowledged_and_stored(client: TestClient, runtime: Runtime) -> None:
    """The seeds themselves are good interchanges."""
    for seed in SEEDS:
        check_edifact(client, runtime, Mutant(seed, seed.body), "seed")
        assert client.get("/orders", headers=OPERATOR).json(), seed.name


def _case(step: str, line: int, at: int, inserted: bytes) -> Mutant:
    seed = SEEDS[1]
    lines = seed.body.split(b"\n")
    lines[line] = lines[line][:at] + inserted + lines[line][at:]
    return Mutant(seed, b"\n".join(lines), (step,))


HARD_CASES = {
    # Found by fuzzing: the CONTRL echoes the syntax identifier it cannot write (HTTP 500,
    # nothing stored).
    "non-UTF-8 in the UNB syntax identifier": _case(
        "UNB+U\\xed\\xa0\\x80NOC", 1, 5, b"\xed\xa0\x80"
    ),
    "Latin-1 byte in the UNB syntax identifier": _case("UNB+U\\xe9NOC", 1, 5, b"\xe9"),
    # Found by fuzzing: the CONTRL's UCM echoes a message identifier holding a control
    # character (HTTP 500, nothing stored); the answer now writes `?` for it.
    "control character in the UNH message version": Mutant(
        SEEDS[1],
        SEEDS[1].body.replace(b"UNH+2+ORDERS:D:96A", b"UNH+2+ORDERS:D\x0b96A"),
        ("UNH+2+ORDERS:D\\x0b96A",),
    ),
}


@pytest.mark.parametrize("name", sorted(HARD_CASES))
def test_hard_cases_found_by_fuzzing(client: TestClient, runtime: Runtime, name: str) -> None:
    check_edifact(client, runtime, HARD_CASES[name], name)


@fuzz_settings(80)
@given(mutant=edifact_mutants(SEEDS))
def test_mutated_edifact_is_answered_and_stored(
    client: TestClient, runtime: Runtime, mutant: Mutant
) -> None:
    check_edifact(client, runtime, mutant, "edifact")
