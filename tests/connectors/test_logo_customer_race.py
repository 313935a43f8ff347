"""Two sales orders of a new channel delivered in parallel both miss its customer card and both
create it; LOGO refuses the second create, and that delivery must use the card, not fail."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from connectors.core import ConnectorContext, PermanentError
from connectors.logo import LogoConfig, LogoConnector
from connectors.testing.fake_logo import FakeLogo
from schemas.catalog import Customer

CODE = "B2C-RACE"


@pytest.fixture
def logo() -> Iterator[tuple[FakeLogo, LogoConnector]]:
    fake = FakeLogo()
    with fake.serve(), httpx.Client(timeout=10.0) as http:
        config = LogoConfig.model_validate({**fake.connector_config(), "attempts": 1})
        yield fake, LogoConnector(config, ConnectorContext(http=http))


def _cards(fake: FakeLogo, code: str) -> int:
    return sum(1 for card in fake.arps if card.get("CODE") == code)


def _card_posts(fake: FakeLogo) -> int:
    return sum(1 for r in fake.business_requests() if r.method == "POST" and "Arps" in r.path)


def test_a_card_created_meanwhile_by_a_parallel_delivery_is_used(
    logo: tuple[FakeLogo, LogoConnector], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, connector = logo
    fake.add_customer(CODE, "Made by the other delivery")
    real_find = connector._find_customer
    looks: list[str] = []

    def first_look_misses(code: str) -> str | None:
        """The first look-up ran before the other delivery created the card."""
        looks.append(code)
        return None if len(looks) == 1 else real_find(code)

    monkeypatch.setattr(connector, "_find_customer", first_look_misses)
    assert connector.ensure_customer(Customer(code=CODE, name="ACME")) == CODE
    assert _card_posts(fake) == 1  # the create was tried and refused ("... zaten var")
    assert _cards(fake, CODE) == 1
    assert len(looks) == 2


def test_a_refused_card_that_does_not_exist_stays_refused(
    logo: tuple[FakeLogo, LogoConnector], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, connector = logo
    monkeypatch.setattr(connector, "_find_customer", lambda _code: None)
    fake.add_customer(CODE, "Exists, but the look-ups cannot see it")
    with pytest.raises(PermanentError, match="zaten var"):
        connector.ensure_customer(Customer(code=CODE, name="ACME"))
    assert _cards(fake, CODE) == 1
