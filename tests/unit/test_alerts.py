"""Alerts: logged always, posted to the webhook when one is set, never raised."""

from __future__ import annotations

import logging

import pytest

from gateway_api.services.alerts import WEBHOOK_ENV, deadline_missed, send_alert
from tests.support.webhook_sink import webhook_sink


def test_a_missed_deadline_is_logged_and_posted(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with webhook_sink() as (url, posted):
        monkeypatch.setenv(WEBHOOK_ENV, url)
        with caplog.at_level(logging.ERROR, logger="b2connect.alerts"):
            deadline_missed(flow="outbox_sweep", deadline="15 minutes", dag_run="ignored")
    assert posted == [
        {
            "text": "b2connect outbox_sweep missed its deadline: the outbox_sweep run did not "
            "finish within 15 minutes; documents may be late"
        }
    ]
    assert "ALERT b2connect outbox_sweep missed its deadline" in caplog.text


def test_an_unreachable_webhook_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="b2connect.alerts"):
        posted = send_alert("t", "x", webhook_url="http://127.0.0.1:9/nothing-listens")
    assert posted is False
    assert "alert webhook failed" in caplog.text
