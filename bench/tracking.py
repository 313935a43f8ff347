"""Carrier tracking benchmark: one `track_shipments` DAG run over 10,000 open shipments.

    .venv/bin/python -m bench.tracking                     # 10,000 shipments (a few minutes)
    .venv/bin/python -m bench.tracking --shipments 3000    # a quick look

The target (the carrier issue): tracking 10,000 open shipments against the fake carriers in one
DAG run, with the carriers' batch sizes, in under 60 s.

What one run does:

1. Drops and recreates the `public` schema of the benchmark database (its name must contain
   `bench`; `bench.reconciliation.reset`), migrates it, copies the shipped mappings to a
   temporary directory, starts the three fake carriers (Yurtici SOAP through zeep, MNG REST,
   Aras SOAP) on 127.0.0.1 with `live_carrier`, which points the copied profiles at them, builds
   the runtime on the copy and mirrors the partners.
2. Fill, not timed: `--shipments / 10` Coupa orders of 10 lines through the cXML ingest
   service (`bench.orders`), each accepted through `FulfilmentService.confirm`; then the
   shipments, dealt round-robin to `yurtici-demo`, `mng-demo` and `aras-demo` (shipment i of
   an order carries one unit of its line i, so every pickup may send a ship notice), stored
   `booked` under a reference of 10 characters and booked in the fake's ledger directly
   (`CarrierLedger.book`, no HTTP; MNG's barcode is marked too, as its booking makes one).
   A tenth of them already left the dock (picked up and in transit at the carrier).
3. Baseline poll, not the target: one DAG run as below. It is every shipment's first poll
   (each stores its first event) and sends the ship notices of the tenth already on its way,
   so that afterwards the hub holds what a poll 30 minutes earlier would have left.
4. Since that poll, at the carriers, per carrier (by `(i // 3) % 100`): 10% picked up, 5%
   delivered and 1% exception (both out of the tenth already in transit), the rest unchanged.
5. Timed: one DAG run, the target: `run_scheduled("track-shipments", runtime, partner_key=key)`
   for the three carriers at once, each in its own thread with its own runtime (Airflow runs
   the mapped tasks in parallel processes, each building its runtime; here they share one
   interpreter, and the fakes answer from threads of the same process). Wall time of the run
   and of each carrier's task, requests each fake received, batches, ship notices, events.
6. A second run at once: nothing changed at the carriers, so no event and no ship notice.
7. Checks: every open shipment polled; ship notices == pickups, one `ship_notice` fulfilment
   document each; delivered and exception counts and the statuses stored == seeded; events
   stored == events reported; no failure; the second run changes nothing.

Prints the target as met or missed, each check, one JSON line (`--json PATH` also writes it);
exit 1 on a missed target or a failed check. `--profile KEY` adds, after the checks, that
carrier's task alone twice (nothing changed at the carrier: the polling itself, without ship
notices): once timed, once under cProfile (its thread only, not the fakes' server threads);
the `.prof` file goes to the temporary directory's parent (`/tmp/bench-tracking-KEY.prof`).
The figures include `process_cpu_seconds`: near the wall time, the run is bound by the one
interpreter that the three tasks and the three fakes share here.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from bench.orders import order_request
from bench.reconciliation import DEFAULT_URL, reset
from connectors.core import ConnectorContext
from connectors.core.inbound import InboundRequest
from connectors.cxml_platform import CXML_INGRESS
from connectors.testing.fake_carrier import BookingFields, FakeCarrierServer
from connectors.testing.fake_mng import FakeMng
from gateway_api.demo.carriers import live_carrier
from gateway_api.domain.fulfilment import ConfirmCommand
from gateway_api.runtime import Runtime, build_runtime, utc_now
from gateway_api.services.jobs import run_scheduled
from gateway_api.services.partners import PartnerDirectory
from gateway_api.settings import Settings
from gateway_api.store import tables as t
from gateway_api.store.engine import build_engine
from gateway_api.store.shipment_records import ShipmentRecord, ShipmentState
from mappings.engine import MappingStore, default_mappings_root
from schemas.carrier import BookingRequest, Parcel, ShipmentContact, TrackingStatus

TARGET_SECONDS = 60.0
CARRIERS = ("yurtici-demo", "mng-demo", "aras-demo")
"""Shipment i goes to `CARRIERS[i % 3]`."""
SHIPMENTS_PER_ORDER = 10
"""One per order line: shipment i of an order ships one unit of line i."""
RUN = "TRK"
"""Order ids `TRK-000001`...; references `T<i:09d>` (10 characters, the limit is 20)."""
RECEIVER = ShipmentContact(
    name="ACME Depo Ltd",
    address="Eski Buyukdere Cad. 3, Maslak",
    city="ISTANBUL",
    town="SARIYER",
    phone="05551234567",
)
PARCEL = Parcel(weight_kg=Decimal("8.5"), desi=Decimal(3), content="Bench goods")


class Fate:
    """What happens to a shipment, by `(i // 3) % 100` (so each carrier gets the same mix)."""

    PICKED_UP = range(10)
    """Created at the last poll, picked up since: a ship notice is due."""
    DELIVERED = range(10, 15)
    """In transit at the last poll, delivered since."""
    EXCEPTION = range(15, 16)
    """In transit at the last poll, an exception since."""
    IN_TRANSIT = range(10, 20)
    """Left the dock before the baseline poll (its ship notice went then)."""

    @staticmethod
    def of(index: int) -> int:
        """The shipment's slot, 0-99."""
        return (index // len(CARRIERS)) % 100


def reference(index: int) -> str:
    """Our reference at the carrier for shipment `index`."""
    return f"T{index:09d}"


@dataclass
class Seeded:
    """What the fill planted, per carrier."""

    shipments: dict[str, int] = field(default_factory=dict)
    in_transit: dict[str, int] = field(default_factory=dict)
    picked_up: dict[str, int] = field(default_factory=dict)
    delivered: dict[str, int] = field(default_factory=dict)
    exceptions: dict[str, int] = field(default_factory=dict)


@dataclass
class DagRun:
    """One DAG run: every carrier's task at once."""

    seconds: float
    task_seconds: dict[str, float]
    task_cpu_seconds: dict[str, float]
    """CPU time of each task's own thread (the hub's work for that carrier)."""
    process_cpu_seconds: float
    """CPU time of this whole process (the three tasks, the fakes' server threads) over the
    run: near the wall time means the run waits on the one interpreter lock."""
    reports: dict[str, dict[str, Any]]
    requests: dict[str, int]
    """HTTP requests each fake received during the run (token calls included)."""
    errors: dict[str, str]
    ship_notice_documents: int
    """`ship_notice` fulfilment documents written during the run."""
    events_stored: int
    """`shipment_events` rows written during the run."""

    def total(self, name: str) -> int:
        """A report count summed over the carriers."""
        return sum(int(r.get(name, 0)) for r in self.reports.values())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the times, per carrier what its report and its fake said."""
        counts = ("polled", "batches", "changed", "events", "picked_up", "delivered")
        more = ("exceptions", "ship_notices", "not_found", "failed")
        return {
            "seconds": round(self.seconds, 2),
            "shipments_per_second": round(self.total("polled") / self.seconds, 1)
            if self.seconds
            else None,
            "task_seconds": {k: round(s, 2) for k, s in self.task_seconds.items()},
            "task_cpu_seconds": {k: round(s, 2) for k, s in self.task_cpu_seconds.items()},
            "process_cpu_seconds": round(self.process_cpu_seconds, 2),
            "per_carrier": {
                key: {
                    **{name: report.get(name) for name in (*counts, *more)},
                    "requests": self.requests.get(key, 0),
                }
                for key, report in self.reports.items()
            },
            "requests": sum(self.requests.values()),
            "ship_notice_documents": self.ship_notice_documents,
            "events_stored": self.events_stored,
            "errors": self.errors,
        }


def count(engine: Engine, sql: str) -> int:
    """One number from the database."""
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


def place_orders(runtime: Runtime, orders: int) -> list[UUID]:
    """`orders` Coupa orders through the cXML ingest service, each accepted; their ids."""
    delivery = utc_now() + timedelta(days=5)
    for number in range(1, orders + 1):
        request = InboundRequest(
            body=order_request(RUN, number),
            remote_addr="127.0.0.1",
            content_type="text/xml; charset=utf-8",
        )
        reply = runtime.ingest.receive("coupa-demo", request, ingress=CXML_INGRESS).reply
        if reply.status != 200:
            raise SystemExit(f"order {number} refused: {reply.body[:400]!r}")
    with runtime.engine.connect() as connection:
        uuids = list(
            connection.execute(
                select(t.orders.c.id)
                .where(t.orders.c.order_id.like(f"{RUN}-%"))
                .order_by(t.orders.c.order_id)
            ).scalars()
        )
    for uuid in uuids:
        runtime.fulfilment.confirm(uuid, ConfirmCommand(type="accept", delivery_date=delivery))
    return uuids


def book_shipments(
    runtime: Runtime, fakes: dict[str, FakeCarrierServer], orders: Sequence[UUID], shipments: int
) -> Seeded:
    """Store `shipments` booked shipments and book each in its fake's ledger; the tenth that
    left the dock before the baseline poll is picked up and in transit at the carrier."""
    seeded = Seeded()
    now = runtime.clock()
    with runtime.uow() as uow:
        for index in range(shipments):
            key = CARRIERS[index % len(CARRIERS)]
            fake = fakes[key]
            ref = reference(index)
            order_number = f"{RUN}-{index // SHIPMENTS_PER_ORDER + 1:06d}"
            held = fake.ledger.book(
                BookingFields(
                    reference=ref,
                    receiver_name=RECEIVER.name,
                    receiver_address=RECEIVER.address,
                    receiver_phone=RECEIVER.phone,
                    receiver_city=RECEIVER.city,
                    parcels=1,
                    weight_kg=PARCEL.weight_kg,
                    desi=PARCEL.desi,
                    order_number=order_number,
                )
            )
            if isinstance(fake, FakeMng):
                # MNG tracks only a barcoded shipment; its booking makes the barcode. The fake
                # has no public way to seed one without HTTP.
                fake._barcoded.add(ref)
            booking = BookingRequest(
                reference=ref, receiver=RECEIVER, parcels=(PARCEL,), order_number=order_number
            )
            uow.shipments.add(
                ShipmentRecord(
                    id=uuid4(),
                    order_uuid=orders[index // SHIPMENTS_PER_ORDER],
                    carrier_key=key,
                    reference=ref,
                    state=ShipmentState.BOOKED,
                    tracking_status=TrackingStatus.CREATED.value,
                    request=booking.model_dump(mode="json"),
                    lines=[{"line_number": index % SHIPMENTS_PER_ORDER + 1, "quantity": "1"}],
                    barcodes=[],
                    created_at=now,
                    updated_at=now,
                    carrier_shipment_id=held.carrier_shipment_id,
                    tracking_number=held.tracking_number,
                    booked_at=now,
                )
            )
            seeded.shipments[key] = seeded.shipments.get(key, 0) + 1
            if Fate.of(index) in Fate.IN_TRANSIT:
                fake.ledger.advance(ref, TrackingStatus.PICKED_UP, TrackingStatus.IN_TRANSIT)
                seeded.in_transit[key] = seeded.in_transit.get(key, 0) + 1
        uow.commit()
    return seeded


def move_since_last_poll(fakes: dict[str, FakeCarrierServer], seeded: Seeded) -> None:
    """What happened at the carriers between the baseline poll and the timed one."""
    for key, fake in fakes.items():
        for ref in fake.ledger.references():
            slot = Fate.of(int(ref[1:]))
            if slot in Fate.PICKED_UP:
                fake.ledger.advance(ref, TrackingStatus.PICKED_UP)
                seeded.picked_up[key] = seeded.picked_up.get(key, 0) + 1
            elif slot in Fate.DELIVERED:
                fake.ledger.advance(ref, TrackingStatus.OUT_FOR_DELIVERY, TrackingStatus.DELIVERED)
                seeded.delivered[key] = seeded.delivered.get(key, 0) + 1
            elif slot in Fate.EXCEPTION:
                fake.ledger.advance(ref, TrackingStatus.EXCEPTION)
                seeded.exceptions[key] = seeded.exceptions.get(key, 0) + 1


def dag_run(
    runtimes: dict[str, Runtime], fakes: dict[str, FakeCarrierServer], engine: Engine
) -> DagRun:
    """The carriers' mapped tasks, all at once, one thread each; timed."""
    notices_sql = "SELECT count(*) FROM fulfilment_documents WHERE document_type = 'ship_notice'"
    notices_before = count(engine, notices_sql)
    events_before = count(engine, "SELECT count(*) FROM shipment_events")
    requests_before = {key: len(fake.requests) for key, fake in fakes.items()}
    reports: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    start = threading.Barrier(len(runtimes) + 1)

    def task(key: str) -> None:
        start.wait()
        began, began_cpu = time.perf_counter(), time.thread_time()
        try:
            reports[key] = run_scheduled("track-shipments", runtimes[key], partner_key=key)
        except Exception as error:  # reported as a failed check
            errors[key] = f"{type(error).__name__}: {error}"
        seconds[key] = time.perf_counter() - began
        cpu[key] = time.thread_time() - began_cpu

    threads = [threading.Thread(target=task, args=(key,), name=key) for key in runtimes]
    for thread in threads:
        thread.start()
    start.wait()
    began, began_cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return DagRun(
        seconds=wall,
        task_seconds=seconds,
        task_cpu_seconds=cpu,
        process_cpu_seconds=time.process_time() - began_cpu,
        reports=reports,
        requests={key: len(fake.requests) - requests_before[key] for key, fake in fakes.items()},
        errors=errors,
        ship_notice_documents=count(engine, notices_sql) - notices_before,
        events_stored=count(engine, "SELECT count(*) FROM shipment_events") - events_before,
    )


def profile_one(runtime: Runtime, key: str, out: Path) -> str:
    """One carrier's task alone, first timed without and then under cProfile (the fakes'
    server threads are not profiled, only the task's thread); the top of the listings."""
    began = time.perf_counter()
    run_scheduled("track-shipments", runtime, partner_key=key)
    alone = time.perf_counter() - began
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.runcall(run_scheduled, "track-shipments", runtime, partner_key=key)
    seconds = time.perf_counter() - began
    profiler.dump_stats(out)
    text_out = io.StringIO()
    stats = pstats.Stats(profiler, stream=text_out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    return (
        f"{key} alone, nothing changed: {alone:.1f} s; under cProfile {seconds:.1f} s ({out})\n"
        + text_out.getvalue()
    )


@contextmanager
def carriers(mappings: Path) -> Iterator[dict[str, FakeCarrierServer]]:
    """The three fake carriers serving on 127.0.0.1, the copied profiles pointed at them."""
    directory = PartnerDirectory(
        MappingStore(mappings), context=ConnectorContext(clock=utc_now), production=False
    )
    with ExitStack() as stack:
        fakes: dict[str, FakeCarrierServer] = {}
        for key in CARRIERS:
            partner = directory.get(key)
            if partner is None:
                raise SystemExit(f"partner {key} is not enabled in the shipped mappings")
            fakes[key] = stack.enter_context(live_carrier(mappings, partner, clock=utc_now))
        yield fakes


def status_counts(engine: Engine) -> dict[str, dict[str, int]]:
    """Stored shipments per carrier and tracking status."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(t.shipments.c.carrier_key, t.shipments.c.tracking_status, func.count()).group_by(
                t.shipments.c.carrier_key, t.shipments.c.tracking_status
            )
        )
        found: dict[str, dict[str, int]] = {}
        for carrier, status, number in rows:
            found.setdefault(carrier, {})[status] = int(number)
    return found


def peak_rss_mb() -> float:
    """Peak resident memory of this process (hub, fakes and all) in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0915 - a script
    """Fill, poll once as the baseline, move the carriers on, time two DAG runs, check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shipments", type=int, default=10_000)
    parser.add_argument(
        "--database-url", default=os.environ.get("B2CONNECT_BENCH_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument(
        "--profile",
        choices=CARRIERS,
        help="after the checks, one more run of this carrier alone under cProfile",
    )
    options = parser.parse_args(argv)
    if options.shipments < SHIPMENTS_PER_ORDER * len(CARRIERS):
        parser.error(f"--shipments must be at least {SHIPMENTS_PER_ORDER * len(CARRIERS)}")

    url = make_url(options.database_url).render_as_string(hide_password=False)
    engine = build_engine(url, pool_size=2)
    reset(engine)
    orders = -(-options.shipments // SHIPMENTS_PER_ORDER)
    results: dict[str, Any] = {"shipments": options.shipments, "orders": orders}
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="b2connect-bench-tracking-") as scratch:
        mappings = Path(scratch) / "mappings"
        shutil.copytree(default_mappings_root(), mappings)
        with carriers(mappings) as fakes, ExitStack() as stack:
            settings = Settings(database_url=url, mappings_dir=mappings, demo_partners=True)

            def runtime() -> Runtime:
                built = build_runtime(settings)
                stack.callback(built.close)
                return built

            hub = runtime()
            hub.sync_partners()
            began = time.perf_counter()
            print(f"placing and accepting {orders:,} orders ...", flush=True)
            uuids = place_orders(hub, orders)
            timings["orders"] = time.perf_counter() - began
            began = time.perf_counter()
            print(f"booking {options.shipments:,} shipments ...", flush=True)
            seeded = book_shipments(hub, fakes, uuids, options.shipments)
            timings["shipments"] = time.perf_counter() - began
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
            # One runtime per mapped task, as each Airflow task process builds its own.
            tasks = {key: runtime() for key in CARRIERS}
            print("baseline poll (every shipment's first) ...", flush=True)
            baseline = dag_run(tasks, fakes, engine)
            print("baseline:", json.dumps(baseline.as_dict()), flush=True)
            move_since_last_poll(fakes, seeded)
            print("timed DAG run ...", flush=True)
            first = dag_run(tasks, fakes, engine)
            print("first:", json.dumps(first.as_dict()), flush=True)
            second = dag_run(tasks, fakes, engine)
            print("second:", json.dumps(second.as_dict()), flush=True)
            statuses = status_counts(engine)
            profile = (
                profile_one(
                    tasks[options.profile],
                    options.profile,
                    Path(scratch).parent / f"bench-tracking-{options.profile}.prof",
                )
                if options.profile
                else None
            )
    engine.dispose()

    want_open = {key: seeded.shipments[key] for key in CARRIERS}
    delivered = {key: seeded.delivered.get(key, 0) for key in CARRIERS}

    def per(run: DagRun, name: str) -> dict[str, int]:
        return {key: int(run.reports.get(key, {}).get(name, -1)) for key in CARRIERS}

    def stored(status: str) -> dict[str, int]:
        return {key: statuses.get(key, {}).get(status, 0) for key in CARRIERS}

    zero = dict.fromkeys(CARRIERS, 0)
    checks: dict[str, bool] = {
        "no task failed": not (baseline.errors or first.errors or second.errors)
        and all(per(run, "failed") == zero for run in (baseline, first, second)),
        "baseline: every shipment polled, its pickups notified": per(baseline, "polled")
        == want_open
        and baseline.ship_notice_documents == sum(seeded.in_transit.values()),
        "polled == shipments": per(first, "polled") == want_open,
        "ship notices == picked up": per(first, "ship_notices")
        == {key: seeded.picked_up.get(key, 0) for key in CARRIERS}
        and per(first, "picked_up") == {key: seeded.picked_up.get(key, 0) for key in CARRIERS}
        and first.ship_notice_documents == sum(seeded.picked_up.values()),
        "delivered == seeded": per(first, "delivered") == delivered
        and stored("delivered") == delivered,
        "exceptions == seeded": per(first, "exceptions")
        == {key: seeded.exceptions.get(key, 0) for key in CARRIERS}
        and stored("exception") == {key: seeded.exceptions.get(key, 0) for key in CARRIERS},
        "events stored == events reported": first.events_stored == first.total("events")
        and baseline.events_stored == baseline.total("events"),
        "second run changes nothing": per(second, "polled")
        == {key: want_open[key] - delivered[key] for key in CARRIERS}
        and second.total("events") == 0
        and second.total("changed") == 0
        and second.total("ship_notices") == 0
        and second.events_stored == 0
        and second.ship_notice_documents == 0,
    }
    met = first.seconds < TARGET_SECONDS
    results.update(
        setup_seconds={k: round(s, 1) for k, s in timings.items()},
        seeded={
            "in_transit_before": seeded.in_transit,
            "picked_up": seeded.picked_up,
            "delivered": seeded.delivered,
            "exceptions": seeded.exceptions,
        },
        baseline=baseline.as_dict(),
        first=first.as_dict(),
        second=second.as_dict(),
        stored_statuses=statuses,
        peak_rss_mb=peak_rss_mb(),
        checks=checks,
        target_seconds=TARGET_SECONDS,
        met=met,
    )
    if profile is not None:
        print("\n" + profile)
    for name, ok in checks.items():
        print(f"check {name}: {'ok' if ok else 'FAILED'}")
    tasks_text = ", ".join(f"{k} {s:.1f} s" for k, s in first.task_seconds.items())
    print(
        f"target one DAG run < {TARGET_SECONDS:.0f} s over {first.total('polled'):,} open "
        f"shipments: {first.seconds:.1f} s ({tasks_text}); second run "
        f"{second.seconds:.1f} s: {'met' if met else 'MISSED'}"
    )
    line = json.dumps(results)
    print(line)
    if options.json:
        Path(options.json).write_text(line + "\n", encoding="utf-8")
    return 0 if met and all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
