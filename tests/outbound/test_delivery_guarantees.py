"""Delivery guarantees: outages, refusals and crashes never lose or duplicate a document."""

from __future__ import annotations

import pytest

from connectors.testing.fake_platform_server import FakePlatform
from gateway_api.runtime import Runtime
from gateway_api.services.jobs import dispatch_outbox
from gateway_api.services.outbox_dispatch import OutboxDispatcher
from tests.outbound.conftest import Buyer
from tests.support.clock import FakeClock

DELIVERY = "2026-12-01T12:00:00+00:00"
SHIPPING = {
    "delivery_date": DELIVERY,
    "carrier": {"scac": "UPSN"},
    "tracking_numbers": ["1Z999AA10123456784"],
}


def test_documents_wait_out_an_outage_of_hours_and_arrive_once(
    buyer: Buyer, runtime: Runtime, platforms: dict[str, FakePlatform], clock: FakeClock
) -> None:
    platform = platforms["coupa-demo"]
    order = buyer.order("coupa-demo", "PO-OUT-1")
    platform.down()
    buyer.act(order, "confirmations", {"type": "accept"})
    buyer.act(order, "shipments", SHIPPING)

    # Three hours of outage, with the dispatcher running every five minutes (no sleeping).
    attempts = 0
    for _ in range(36):
        report = dispatch_outbox(runtime)
        assert report.delivered == report.dead_lettered == 0
        attempts += report.claimed
        clock.advance(minutes=5)
    # Exponential backoff: the confirmation was tried 6-11 times in 36 runs; the ship notice
    # waits behind it (documents of one order go out in order) and was never tried.
    assert 6 <= attempts <= 11
    confirmation, notice = buyer.api.get("/outbox", params={"status": "pending"}).json()
    assert confirmation["kind"] == "ConfirmationRequest"
    assert confirmation["attempts"] == attempts
    assert "connection failed" in confirmation["last_error"]
    assert notice["attempts"] == 0

    platform.up()
    delivered = 0
    for _ in range(15):  # the longest backoff is an hour
        delivered += dispatch_outbox(runtime).delivered
        clock.advance(minutes=5)
    assert delivered == 2
    assert [r.kind for r in platform.received] == ["ConfirmationRequest", "ShipNoticeRequest"]
    assert buyer.api.get("/outbox", params={"status": "delivered"}).json()[0]["attempts"] > 5


def test_platform_errors_and_timeouts_are_retried(
    buyer: Buyer, runtime: Runtime, platforms: dict[str, FakePlatform], clock: FakeClock
) -> None:
    platform = platforms["ariba-demo"]
    order = buyer.order("ariba-demo", "PO-RETRY-1")
    buyer.act(order, "confirmations", {"type": "accept"})
    platform.fail_next(1, status=503)
    platform.timeout_next(1)
    assert dispatch_outbox(runtime).retried == 1  # 503
    clock.advance(minutes=2)
    report = dispatch_outbox(runtime)
    assert report.retried == 1  # timeout
    assert "timed out" in report.errors[0]
    clock.advance(minutes=2)
    assert dispatch_outbox(runtime).delivered == 1
    assert len(platform.received) == 1


def test_a_4xx_is_dead_lettered_and_a_replay_after_the_fix_delivers_it(
    buyer: Buyer, runtime: Runtime, platforms: dict[str, FakePlatform]
) -> None:
    platform = platforms["jaggaer-demo"]
    order = buyer.order("jaggaer-demo", "PO-4XX-1")
    buyer.act(order, "confirmations", {"type": "accept"})
    platform.reject_next(1, code=400, text="Unknown supplier part number CP-1001")

    report = dispatch_outbox(runtime)
    assert (report.delivered, report.retried, report.dead_lettered) == (0, 0, 1)
    (dead,) = buyer.api.get("/dead-letters").json()
    assert dead["stage"] == "delivery"
    assert "400" in dead["error"]
    assert "Unknown supplier part number CP-1001" in dead["error"]
    assert buyer.api.get("/outbox", params={"status": "dead"}).json()[0]["attempts"] == 1
    assert dispatch_outbox(runtime).claimed == 0  # a dead document is not retried by itself
    assert platform.received == []

    # The partner fixed its side; the operator replays.
    assert dead["outbox_id"] is not None
    replayed = buyer.api.post(f"/dead-letters/{dead['id']}/replay")
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["dead_letter_id"] == dead["id"]
    assert [r.kind for r in platform.received] == ["ConfirmationRequest"]
    assert buyer.api.get("/dead-letters", params={"status": "open"}).json() == []
    assert buyer.api.get("/outbox", params={"status": "delivered"}).json()[0]["attempts"] == 1


def test_a_replay_that_fails_again_keeps_the_dead_letter_open(
    buyer: Buyer, runtime: Runtime, platforms: dict[str, FakePlatform]
) -> None:
    platform = platforms["coupa-demo"]
    order = buyer.order("coupa-demo", "PO-4XX-2")
    buyer.act(order, "confirmations", {"type": "accept"})
    platform.reject_next(2, code=400, text="Still wrong")
    dispatch_outbox(runtime)
    (dead,) = buyer.api.get("/dead-letters").json()
    result = buyer.api.post(f"/dead-letters/{dead['id']}/replay")
    assert result.status_code == 409
    assert "Still wrong" in result.json()["detail"]
    (still,) = buyer.api.get("/dead-letters", params={"status": "open"}).json()
    assert (still["id"], still["attempts"]) == (dead["id"], 2)
    assert buyer.api.get("/outbox", params={"status": "dead"}).json()[0]["status"] == "dead"


def test_out_of_attempts_becomes_a_dead_letter(
    buyer: Buyer, runtime: Runtime, platforms: dict[str, FakePlatform], clock: FakeClock
) -> None:
    platform = platforms["ariba-demo"]
    order = buyer.order("ariba-demo", "PO-GIVEUP-1")
    buyer.act(order, "confirmations", {"type": "accept"})
    platform.down()
    for _ in range(runtime.dispatcher.policy.max_attempts):
        dispatch_outbox(runtime)
        clock.advance(hours=2)
    (dead,) = buyer.api.get("/dead-letters").json()
    assert dead["error"].startswith("gave up after 12 attempts")
    assert dead["attempts"] == 12


def test_a_crash_between_send_and_record_sends_no_second_document(
    buyer: Buyer,
    runtime: Runtime,
    platforms: dict[str, FakePlatform],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    platform = platforms["coupa-demo"]
    order = buyer.order("coupa-demo", "PO-CRASH-1")
    buyer.act(order, "confirmations", {"type": "accept"})

    def crash(*_args: object, **_kwargs: object) -> None:
        msg = "the dispatcher process died after the send"
        raise SystemExit(msg)

    with monkeypatch.context() as patch:
        patch.setattr(OutboxDispatcher, "_record", crash)
        with pytest.raises(SystemExit):
            dispatch_outbox(runtime)
    assert len(platform.received) == 1  # the platform did get it

    # Still leased: another dispatcher right now does not touch it.
    assert dispatch_outbox(runtime).claimed == 0
    clock.advance(seconds=runtime.dispatcher.policy.lease_seconds + 1)
    report = dispatch_outbox(runtime)
    assert (report.claimed, report.delivered) == (1, 1)

    assert len(platform.received) == 1  # no second business document
    first, second = platform.exchanges
    assert first.idempotency_key == second.idempotency_key
    assert first.request == second.request  # byte for byte the same document
    assert second.replayed


def test_a_crash_between_claim_and_send_sends_the_document_once_later(
    buyer: Buyer,
    runtime: Runtime,
    platforms: dict[str, FakePlatform],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rendering runs after the claim's transaction has committed: a dispatcher that dies
    there (before the bytes are logged) has sent nothing; the lease runs out and the next
    run sends the document once, as its second attempt."""
    platform = platforms["coupa-demo"]
    order = buyer.order("coupa-demo", "PO-CRASH-2")
    buyer.act(order, "confirmations", {"type": "accept"})

    def crash(*_args: object, **_kwargs: object) -> None:
        msg = "the dispatcher process died while rendering"
        raise SystemExit(msg)

    with monkeypatch.context() as patch:
        patch.setattr(OutboxDispatcher, "_log_sent", crash)
        with pytest.raises(SystemExit):
            dispatch_outbox(runtime)
    assert platform.received == []

    assert dispatch_outbox(runtime).claimed == 0  # still leased
    clock.advance(seconds=runtime.dispatcher.policy.lease_seconds + 1)
    report = dispatch_outbox(runtime)
    assert (report.claimed, report.delivered) == (1, 1)
    assert len(platform.received) == 1
    (row,) = buyer.api.get("/outbox").json()
    assert (row["status"], row["attempts"]) == ("delivered", 2)


def test_a_renderer_bug_gives_the_claim_back(
    buyer: Buyer,
    runtime: Runtime,
    platforms: dict[str, FakePlatform],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An exception while rendering (a bug, not a classified refusal) leaves the row as the
    claim found it, as when rendering ran inside the claim's transaction: not leased, the
    attempt not counted, so the next run (after the fix) delivers it at once."""
    platform = platforms["coupa-demo"]
    order = buyer.order("coupa-demo", "PO-BUG-1")
    buyer.act(order, "confirmations", {"type": "accept"})

    def bug(*_args: object, **_kwargs: object) -> None:
        msg = "a renderer bug"
        raise RuntimeError(msg)

    with monkeypatch.context() as patch:
        patch.setattr(OutboxDispatcher, "_prepare", bug)
        with pytest.raises(RuntimeError, match="a renderer bug"):
            dispatch_outbox(runtime)
    (row,) = buyer.api.get("/outbox").json()
    assert (row["status"], row["attempts"]) == ("pending", 0)

    report = dispatch_outbox(runtime)
    assert (report.claimed, report.delivered) == (1, 1)
    assert len(platform.received) == 1
