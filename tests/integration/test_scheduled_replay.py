"""The scheduled dead-letter replay: due ones replayed, failures rescheduled further out each
time, parked after the limit; parked ones wait for a person, whose replay still works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from connectors.testing.fake_platform_server import FakePlatform
from gateway_api.http.app import create_app
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.services.jobs import JOBS
from gateway_api.settings import Settings
from tests.support.clock import FakeClock
from tests.support.cxml_builder import Line, order_request
from tests.support.platforms import live_platforms


@pytest.fixture
def platforms(mappings_dir: Path, clock: FakeClock) -> Iterator[dict[str, FakePlatform]]:
    with live_platforms(mappings_dir, clock) as running:
        yield running


@pytest.fixture
def hub(
    platforms: dict[str, FakePlatform], settings: Settings, clock: FakeClock
) -> Iterator[Runtime]:
    """Two scheduled replays allowed; one confirmation dead-lettered by the platform."""
    built = build_runtime(settings.model_copy(update={"dead_letter_replays": 2}), clock=clock)
    built.sync_partners()
    coupa = platforms["coupa-demo"]
    body = order_request(
        partner="coupa-demo", order_id="PO-SR-1", payload_id="sr-1@buyer", lines=[Line("1001")]
    )
    coupa.register_order_request(body)
    with TestClient(create_app(runtime=build_runtime(settings, clock=clock))) as api:
        assert api.post("/cxml/coupa-demo", content=body).status_code == 200
        (order,) = api.get("/orders").json()
        assert api.post(f"/orders/{order['id']}/confirmations", json={"type": "accept"}).is_success
    coupa.reject_next(1, code=400, text="Unknown PO")
    assert JOBS["dispatch-outbox"](built).as_dict()["dead_lettered"] == 1
    yield built
    built.close()


def replay(runtime: Runtime) -> dict[str, object]:
    return JOBS["replay-dead-letters"](runtime).as_dict()


def test_failures_back_off_then_park_and_a_person_can_still_replay(
    hub: Runtime, platforms: dict[str, FakePlatform], clock: FakeClock
) -> None:
    coupa = platforms["coupa-demo"]
    (letter,) = hub.dead_letters.list(status="open")
    coupa.reject_next(5, code=400, text="Still unknown")

    first = replay(hub)
    assert (first["due"], first["rescheduled"], first["parked"]) == (1, 1, 0)
    rescheduled = hub.dead_letters.get(letter.id)
    assert rescheduled.scheduled_replays == 1
    assert rescheduled.next_attempt_at is not None
    wait = rescheduled.next_attempt_at - clock()
    assert 5 * 60 <= wait.total_seconds() <= 6 * 60  # 5 minutes, plus up to 1 of jitter

    assert replay(hub)["due"] == 0  # not due yet: nothing is sent
    clock.advance(minutes=15)
    second = replay(hub)
    assert (second["due"], second["rescheduled"], second["parked"]) == (1, 0, 1)
    parked = hub.dead_letters.get(letter.id)
    assert (parked.status, parked.next_attempt_at) == ("parked", None)
    clock.advance(days=1)
    assert replay(hub)["due"] == 0  # parked: the schedule leaves it alone

    coupa.clear_faults()
    result = hub.dead_letters.replay(letter.id)  # the person's replay
    assert result.succeeded
    assert hub.dead_letters.get(letter.id).status == "replayed"
    assert [r.kind for r in coupa.received].count("ConfirmationRequest") == 1
