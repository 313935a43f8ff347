"""Coupa REST purchase-order pull, end to end: a fake Coupa on 127.0.0.1, the real pipeline,
both databases. The connector is added through its entry point and a profile only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.coupa_rest import CoupaRestConnector
from connectors.testing.fake_coupa_rest import FakeCoupaRest
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.services.pulls import PullReport, PullService
from gateway_api.settings import Settings
from tests.support.clock import FakeClock

PARTNER = "acme-coupa-rest"
CLIENT_ID = "b2connect-hub"
CLIENT_SECRET = "Pull-Secret-5d1e77"  # a demo value, in a demo profile


def write_profile(mappings_dir: Path, base_url: str) -> None:
    """A Coupa REST partner, as a user would add one: a folder with a profile."""
    folder = mappings_dir / "partners" / PARTNER
    folder.mkdir(parents=True, exist_ok=True)
    profile = {
        "key": PARTNER,
        "display_name": "ACME on Coupa (REST pull)",
        "connector": "coupa_rest",
        "demo": True,
        "timezone": "Europe/Istanbul",
        "connector_config": {
            "base_url": base_url,
            "client_id": CLIENT_ID,
            "rules": {"buyer_identity": "acme.coupahost.com", "buyer_name": "ACME"},
        },
        "secrets": {"client_secret": f"demo:{CLIENT_SECRET}"},
        "documents": {"inbound": ["purchase_order"]},
        "parts": {"unknown": "supplier_part_id_is_sku"},
    }
    (folder / "profile.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True))


@pytest.fixture
def coupa(clock: FakeClock) -> Iterator[tuple[FakeCoupaRest, str]]:
    fake = FakeCoupaRest(clock=clock)
    fake.add_client(CLIENT_ID, CLIENT_SECRET)
    with fake.serve() as base_url:
        yield fake, base_url


@pytest.fixture
def pulling(
    settings: Settings, clock: FakeClock, coupa: tuple[FakeCoupaRest, str]
) -> Iterator[Runtime]:
    write_profile(settings.mappings_dir, coupa[1])
    built = build_runtime(settings, clock=clock)
    built.sync_partners()
    yield built
    built.close()


class Waits:
    """Records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def pull(runtime: Runtime, waits: Waits | None = None) -> PullReport:
    service = PullService(
        runtime.uow, runtime.directory, runtime.ingest, clock=runtime.clock, sleep=waits or Waits()
    )
    return service.run(partner_key=PARTNER)


def stored_orders(runtime: Runtime) -> dict[str, Any]:
    with runtime.uow() as uow:
        return {o.order_id: o for o in uow.orders.query(partner_key=PARTNER, limit=10_000)}


def test_250_orders_over_several_pages_are_stored_once_each(
    pulling: Runtime, coupa: tuple[FakeCoupaRest, str]
) -> None:
    fake, _ = coupa
    ids = fake.generate_orders(250)
    report = pull(pulling)
    assert (report.stored, report.duplicates, report.held, report.refused) == (250, 0, 0, 0)
    assert report.confirmed == 250
    assert report.pages >= 5  # 50 a page, and one empty page to learn there is no more
    assert sorted(stored_orders(pulling)) == sorted(str(i) for i in ids)
    assert all(order["exported"] for order in fake.orders())
    lists = [r for r in fake.api_requests() if r.method == "GET"]
    assert all(r.argument("offset") in (None, "0") for r in lists)
    again = pull(pulling)
    assert (again.fetched, again.stored) == (0, 0)
    assert len(stored_orders(pulling)) == 250


def test_a_revised_order_is_stored_as_an_update(
    pulling: Runtime, coupa: tuple[FakeCoupaRest, str], clock: FakeClock
) -> None:
    fake, _ = coupa
    [po_id] = fake.generate_orders(1)
    pull(pulling)
    clock.advance(minutes=5)
    fake.revise(po_id)
    report = pull(pulling)
    assert (report.stored, report.confirmed) == (1, 1)
    order = stored_orders(pulling)[str(po_id)]
    assert order.version == 2
    with pulling.uow() as uow:
        history = uow.orders.history(order.id)
    assert [event.version for event in history] == [1, 2]
    assert history[-1].document["change"] == "update"


def test_a_crash_between_storing_and_marking_exported_duplicates_nothing(
    pulling: Runtime, coupa: tuple[FakeCoupaRest, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, _ = coupa
    fake.generate_orders(60)

    def crash(self: CoupaRestConnector, items: object) -> None:
        raise RuntimeError("the process died here")

    with monkeypatch.context() as patch:
        patch.setattr(CoupaRestConnector, "confirm", crash)
        with pytest.raises(RuntimeError, match="died"):
            pull(pulling)
    assert len(stored_orders(pulling)) == 50  # the first page was stored
    assert not any(order["exported"] for order in fake.orders())
    report = pull(pulling)
    assert (report.duplicates, report.stored) == (50, 10)
    assert report.confirmed == 60
    assert len(stored_orders(pulling)) == 60
    assert all(order["exported"] for order in fake.orders())


def test_an_expired_token_is_renewed_once(
    pulling: Runtime, coupa: tuple[FakeCoupaRest, str]
) -> None:
    fake, _ = coupa
    fake.generate_orders(3)
    pull(pulling)
    assert fake.tokens_issued == 1
    fake.revoke_tokens()
    fake.generate_orders(2)
    report = pull(pulling)
    assert report.stored == 2
    assert fake.tokens_issued == 2
    refused = [r for r in fake.api_requests() if not r.token_valid]
    assert len(refused) == 1  # one 401, then the renewed token


def test_a_429_waits_for_retry_after(pulling: Runtime, coupa: tuple[FakeCoupaRest, str]) -> None:
    fake, _ = coupa
    fake.generate_orders(5)
    fake.rate_limit_next(1, retry_after=7)
    waits = Waits()
    report = pull(pulling, waits)
    assert waits.seconds == [7.0]
    assert report.stored == 5


def test_5xx_is_retried_within_bounds_and_a_lasting_outage_loses_nothing(
    pulling: Runtime, coupa: tuple[FakeCoupaRest, str]
) -> None:
    fake, _ = coupa
    fake.generate_orders(4)
    fake.fail_next(2, status=503)
    waits = Waits()
    assert pull(pulling, waits).stored == 4
    assert len(waits.seconds) == 2
    assert all(0 < s <= 31 for s in waits.seconds)

    fake.generate_orders(3)
    fake.fail_next(50, status=502)
    down = pull(pulling, Waits())
    assert down.stored == 0
    assert down.errors  # the run says why it stopped
    assert "502" in down.errors[0]


def test_an_order_that_cannot_be_read_is_held_and_taken(
    pulling: Runtime, coupa: tuple[FakeCoupaRest, str]
) -> None:
    fake, _ = coupa
    [po_id] = fake.generate_orders(1)
    bad = fake.order(po_id)
    bad["id"], bad["po-number"] = po_id + 1000, str(po_id + 1000)
    bad["order-lines"][0]["quantity"] = "a lot"
    fake.add_order(bad)
    report = pull(pulling)
    assert (report.stored, report.held) == (1, 1)
    assert report.confirmed == 2  # held orders are ours now: a person fixes and replays them
    with pulling.uow() as uow:
        [letter] = uow.dead_letters.query(partner_key=PARTNER)
    assert letter.stage == "malformed"
    assert "order-lines[0].quantity" in letter.error


def test_an_order_whose_values_the_store_refuses_is_held_not_lost(
    pulling: Runtime, coupa: tuple[FakeCoupaRest, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import DataError

    from gateway_api.services import ingest

    fake, _ = coupa
    [good, refused] = fake.generate_orders(2)
    decide = ingest.decide_order_change

    def refuse_one(uow: Any, envelope: Any) -> Any:
        if envelope.document.order_id == str(refused):
            raise DataError("INSERT ...", {}, ValueError("numeric field overflow"))
        return decide(uow, envelope)

    monkeypatch.setattr(ingest, "decide_order_change", refuse_one)
    report = pull(pulling)
    assert (report.stored, report.held) == (1, 1)
    assert sorted(stored_orders(pulling)) == [str(good)]
    with pulling.uow() as uow:
        [letter] = uow.dead_letters.query(partner_key=PARTNER)
    assert letter.stage == "value"
    again = pull(pulling)  # the held one is ours now (exported), nothing comes back
    assert again.fetched == 0


def test_the_cursor_never_skips_an_order_the_hub_could_not_take(
    pulling: Runtime, coupa: tuple[FakeCoupaRest, str], clock: FakeClock
) -> None:
    fake, _ = coupa
    [first] = fake.generate_orders(1)
    unreadable = fake.order(first)
    unreadable["version"] = "not a number"  # no idempotency key: refused whole
    fake.add_order(unreadable)
    clock.advance(minutes=1)
    [later] = fake.generate_orders(1)
    report = pull(pulling)
    assert report.refused == 1
    assert sorted(stored_orders(pulling)) == [str(later)]
    with pulling.uow() as uow:
        assert uow.cursors.get(PARTNER, "purchase_orders") is None  # not past the refused one
    fixed = fake.order(first)
    fixed["version"] = 1
    fake.add_order(fixed)
    assert pull(pulling).stored == 1
    assert sorted(stored_orders(pulling)) == sorted([str(first), str(later)])
