"""DAG `track_shipments`: every 30 minutes, follow every open carrier shipment, one mapped task
per cargo carrier (Yurtici, MNG, Aras).

Each task asks its carrier about its open shipments in the carrier's batch size (the
connector's `track_batch_size`) and stores each new event once. The first event that says the
goods left sends the buyer's ship notice (cXML ShipNoticeRequest, X12 856, EDIFACT DESADV)
through the outbox, with the carrier's tracking number; delivery and exceptions update the
shipment, shown on the order, and reconciliation reports shipments picked up but never
delivered. A booking left unconfirmed by a crash or a timeout is booked again here, under the
same reference, so the carrier books it once. Carriers publish no webhooks, so polling is the
only way (30 minutes: the carriers' own guidance is 15-60, and they publish no rate limit).
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from hub_tasks import hub_dag, partners_for, run_job

JOB = "track-shipments"


@dag(
    dag_id="track_shipments",
    schedule=timedelta(minutes=30),
    tags=["b2connect", "carriers", "pull"],
    doc_md=__doc__,
    **hub_dag("track_shipments"),
)
def track_shipments() -> None:
    """One mapped task per cargo carrier."""

    @task
    def partners() -> list[str]:
        """The cargo carriers with a working profile (resolved when the run starts)."""
        return partners_for(JOB)

    @task(max_active_tis_per_dagrun=3)
    def track(partner_key: str) -> dict[str, object]:
        """Poll this carrier's open shipments once each."""
        return run_job(JOB, partner_key)

    track.expand(partner_key=partners())


track_shipments()
