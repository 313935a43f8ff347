"""Alerts for people: a failed scheduled flow or a missed deadline.

Airflow calls these through its notifiers and deadline callbacks (dags/hub_tasks.py); they do
not import Airflow, so they run wherever the callback runs (a task, the triggerer, the
executor). An alert is always logged at ERROR; when `B2CONNECT_ALERT_WEBHOOK` is set it is also
posted there as JSON `{"text": ...}`, the shape Slack, Mattermost and Teams incoming webhooks
take. A webhook that fails is logged, never raised: an alert must not fail the flow it reports.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import httpx

logger = logging.getLogger("b2connect.alerts")

WEBHOOK_ENV = "B2CONNECT_ALERT_WEBHOOK"


def send_alert(title: str, text: str, *, webhook_url: str | None = None) -> bool:
    """Log the alert and post it to the webhook (argument or environment); True if posted."""
    message = f"{title}: {text}"
    logger.error("ALERT %s", message)
    url = webhook_url or os.environ.get(WEBHOOK_ENV)
    if not url:
        return False
    try:
        response = httpx.post(url, json={"text": message}, timeout=10.0)
        response.raise_for_status()
    except httpx.HTTPError as error:
        logger.error("alert webhook failed: %s", error)
        return False
    return True


def deadline_missed(flow: str, deadline: str, **_context: Any) -> None:
    """Deadline callback: flow `flow` did not finish within `deadline`."""
    send_alert(
        f"b2connect {flow} missed its deadline",
        f"the {flow} run did not finish within {deadline}; documents may be late",
    )
