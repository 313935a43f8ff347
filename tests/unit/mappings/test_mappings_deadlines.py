"""A profile's `deadlines:` section and the values reconciliation makes of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from gateway_api.services.reconciliation import partner_deadlines
from gateway_api.store.reconciliation_records import PartnerDeadlines
from mappings.engine import Deadlines


def test_the_profile_defaults_are_the_stores_defaults() -> None:
    assert partner_deadlines(Deadlines()) == PartnerDeadlines()
    assert PartnerDeadlines().delivery == timedelta(days=7)


def test_a_carriers_delivery_days_become_its_delivery_deadline() -> None:
    assert partner_deadlines(Deadlines(delivery_days=1.5)).delivery == timedelta(hours=36)
    assert partner_deadlines(Deadlines(delivery_days=None)).delivery is None  # switched off


@pytest.mark.parametrize("days", [0, -1])
def test_a_delivery_deadline_must_be_positive(days: float) -> None:
    with pytest.raises(ValidationError, match="delivery_days"):
        Deadlines(delivery_days=days)
