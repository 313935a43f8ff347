"""Group commit for the ingest endpoints: a few writer threads per process store every body
that is waiting, in one transaction.

Why: an order's own work (read the XML, validate, map, build rows) is a fraction of a
millisecond, while a transaction of its own costs round trips, a COMMIT and a WAL flush, and
handing each request to a thread of its own costs futex wake-ups on both sides. Concurrent
requests therefore share: a request coroutine queues its body and awaits a future; a writer
thread takes every body queued (up to `max_group`), opens each (decode, authenticate, read,
map: no database), stores them with `IngestPipeline.process_together` (one BEGIN, two
prefetch statements, one INSERT statement, one COMMIT) and settles all their futures with one
call into the event loop. The busier the endpoint, the larger the groups and the cheaper each
order; an idle endpoint stores each body alone, at once.

The guarantee is unchanged: a future is settled only after the COMMIT that made its own rows
durable, so an answer never precedes its order's durability; a group that fails is stored again
body by body (`process_together`), so one body's trouble is never another's.

Why hand-written: group commit sits between asyncio and a synchronous SQLAlchemy unit of work;
no library we use offers it (databases do it inside the server, for a single connection's
WAL flushes only).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from gateway_api.services.ingest import IngestPipeline, IngestResult, OpenedBody

logger = logging.getLogger(__name__)

Work = Callable[[], OpenedBody | IngestResult]
"""What a request asks of a writer: open its body (`IngestPipeline.open`), or answer it
without opening (`refuse_oversized`); an `IngestResult` is final, an `OpenedBody` is stored."""

Outcome = IngestResult | BaseException


@dataclass(frozen=True)
class _Job:
    work: Work
    future: asyncio.Future[IngestResult]
    loop: asyncio.AbstractEventLoop


class IngestWriter:
    """`threads` writer threads storing queued bodies in groups of at most `max_group`;
    `observe_group` sees the size of each group stored (the metrics' histogram)."""

    def __init__(
        self,
        pipeline: IngestPipeline,
        *,
        threads: int,
        max_group: int,
        observe_group: Callable[[int], object] = lambda size: None,
    ) -> None:
        self._pipeline = pipeline
        self._observe_group = observe_group
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._max_group = max_group
        self._threads = [
            threading.Thread(target=self._run, name=f"ingest-writer-{n}", daemon=True)
            for n in range(threads)
        ]

    def start(self) -> None:
        """Start the writer threads."""
        for thread in self._threads:
            thread.start()

    def close(self, timeout: float = 30.0) -> None:
        """Store what is queued, then stop the threads (each takes one stop mark)."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout)

    async def submit(self, work: Work) -> IngestResult:
        """Run `work` on a writer and return its result once stored and durable."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[IngestResult] = loop.create_future()
        self._queue.put(_Job(work, future, loop))
        return await future

    # -- the writer threads -------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            jobs, stop = self._group(job)
            try:
                outcomes = self._store(jobs)
            except Exception as error:  # a bug of ours: answered (a 500 the partner retries),
                logger.exception("the ingest writer failed on a group")  # never left hanging
                outcomes = [error] * len(jobs)
            self._settle(jobs, outcomes)
            if stop:
                return

    def _group(self, first: _Job) -> tuple[list[_Job], bool]:
        """`first` and whatever else is queued, up to `max_group`; True when a stop mark was
        taken (this thread ends after storing the group)."""
        jobs = [first]
        while len(jobs) < self._max_group:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None:
                return jobs, True
            jobs.append(job)
        return jobs, False

    def _store(self, jobs: list[_Job]) -> list[Outcome]:
        outcomes: list[Outcome | None] = []
        opened: list[OpenedBody] = []
        places: list[int] = []
        for job in jobs:
            try:
                result = job.work()
            except Exception as error:  # a bug of ours on this body: its own request answers it
                outcomes.append(error)
                continue
            if isinstance(result, OpenedBody):
                places.append(len(outcomes))
                opened.append(result)
                outcomes.append(None)
            else:
                outcomes.append(result)
        if opened:
            self._observe_group(len(opened))
            for place, stored in zip(places, self._pipeline.process_together(opened), strict=True):
                outcomes[place] = stored
        done = [outcome for outcome in outcomes if outcome is not None]
        assert len(done) == len(jobs), "every job has its outcome"  # zip(strict) fills them all
        return done

    @staticmethod
    def _settle(jobs: list[_Job], outcomes: list[Outcome]) -> None:
        """Hand every outcome to its request, with one wake-up of each event loop."""
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Job, Outcome]]] = {}
        for job, outcome in zip(jobs, outcomes, strict=True):
            by_loop.setdefault(job.loop, []).append((job, outcome))
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_resolve, settled)
            except RuntimeError:  # the loop is closed: nobody waits for these answers
                logger.warning("%d stored bodies had no request left to answer", len(settled))


def _resolve(settled: list[tuple[_Job, Outcome]]) -> None:
    for job, outcome in settled:
        if job.future.done():  # the request was cancelled (client gone); the body is stored
            continue
        if isinstance(outcome, BaseException):
            job.future.set_exception(outcome)
        else:
            job.future.set_result(outcome)
