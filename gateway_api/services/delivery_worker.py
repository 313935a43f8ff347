"""The delivery worker: sends queued outbox documents within a second of their commit.

Why a long-running worker and not an Airflow DAG: a DAG run costs the scheduler loop, a task
process and the Task SDK's start (seconds each time, measured in ../shared/reference/airflow.md),
and a run every few seconds would write thousands of DAG runs a day into Airflow's database.
The worker instead asks the outbox's due index once a second when idle (one indexed query) and
keeps going while there is work. Airflow still owns everything on a schedule: its
`outbox_sweep` DAG runs the same dispatcher every few minutes, so documents leave even when the
worker is down, and shows the backlog in its task logs. Both claim with leases, so running
them together never sends a document twice.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from gateway_api.services.outbox_dispatch import OutboxDispatcher
from gateway_api.store.ports import StoreError

logger = logging.getLogger(__name__)

STORE_DOWN_WAIT_SECONDS = 5.0
"""How long the worker waits after the store failed before it asks again."""


class DeliveryWorker:
    """Runs the outbox dispatcher in a loop until `stop` is set."""

    def __init__(
        self,
        dispatcher: OutboxDispatcher,
        *,
        stop: threading.Event,
        idle_seconds: float = 1.0,
        heartbeat: Path | None = None,
    ) -> None:
        self._dispatcher = dispatcher
        self._stop = stop
        self._idle_seconds = idle_seconds
        self._heartbeat = heartbeat

    def run(self) -> int:
        """Deliver until stopped; returns how many documents were delivered."""
        delivered = 0
        while not self._stop.is_set():
            try:
                report = self._dispatcher.run()
            except StoreError as error:
                logger.warning("delivery worker: the store failed, trying again: %s", error)
                self._stop.wait(STORE_DOWN_WAIT_SECONDS)
                continue
            except Exception:  # a bug must not stop delivery for every partner: log, go on
                logger.exception("delivery worker: a dispatcher run failed; trying again")
                self._stop.wait(STORE_DOWN_WAIT_SECONDS)
                continue
            self._beat()
            delivered += report.delivered
            if report.claimed:
                logger.info(
                    "delivery worker: %d delivered, %d retried, %d dead lettered",
                    report.delivered,
                    report.retried,
                    report.dead_lettered,
                )
            else:
                self._stop.wait(self._idle_seconds)
        return delivered

    def _beat(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.parent.mkdir(parents=True, exist_ok=True)
            self._heartbeat.touch()


def heartbeat_is_fresh(heartbeat: Path, *, max_age_seconds: float) -> bool:
    """True when a worker touched `heartbeat` within `max_age_seconds` (the health check)."""
    try:
        age = time.time() - os.stat(heartbeat).st_mtime
    except FileNotFoundError:
        return False
    return age <= max_age_seconds
