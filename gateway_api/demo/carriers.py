"""Fake cargo carriers for a demo or a test: one per carrier profile, on 127.0.0.1, with the
profile's own credentials, and the (copied) profile pointed at it.

The fakes speak each carrier's real protocol (`connectors/testing/fake_*.py`); the Yurtici fake
is driven by a WSDL through zeep: the official one where the caller has it (tests read it from
the shared reference material), otherwise the minimal one the connector ships.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import yaml

from connectors.core import Clock
from connectors.testing.fake_carrier import FakeCarrierServer
from gateway_api.services.partners import Partner


def fake_carrier_for(
    partner: Partner, *, clock: Clock, yurtici_wsdl: Path | None = None
) -> FakeCarrierServer:
    """A fake of `partner`'s carrier that accepts the partner's credentials."""
    config: Any = getattr(partner.connector, "config", None)
    key = partner.connector.spec.key
    if key == "yurtici":
        from connectors.testing.fake_yurtici import FakeYurtici  # noqa: PLC0415
        from connectors.yurtici.contract import SHIPPED_WSDL  # noqa: PLC0415

        return FakeYurtici(
            wsdl_path=yurtici_wsdl or SHIPPED_WSDL,
            username=config.username,
            password=config.password.get_secret_value(),
            clock=clock,
        )
    if key == "mng":
        from connectors.testing.fake_mng import FakeMng  # noqa: PLC0415

        return FakeMng(
            clock=clock,
            client_id=config.client_id,
            client_secret=config.client_secret.get_secret_value(),
            customer_number=config.customer_number,
            password=config.password.get_secret_value(),
        )
    if key == "aras":
        from connectors.testing.fake_aras import FakeAras  # noqa: PLC0415

        query_password = config.query_password or config.password
        if (config.query_username or config.username) != config.username or (
            query_password.get_secret_value() != config.password.get_secret_value()
        ):
            msg = "the fake Aras serves one user for both services"
            raise ValueError(msg)
        return FakeAras(
            clock=clock,
            username=config.username,
            password=config.password.get_secret_value(),
            customer_code=config.customer_code,
        )
    msg = f"no fake carrier for connector {key!r}"
    raise ValueError(msg)


def point_carrier_at(mappings_dir: Path, partner_key: str, config: dict[str, Any]) -> None:
    """Merge `config` into `connector_config` of a carrier profile in a (copied) tree."""
    path = mappings_dir / "partners" / partner_key / "profile.yaml"
    profile = cast(dict[str, Any], yaml.safe_load(path.read_text(encoding="utf-8")))
    profile.setdefault("connector_config", {}).update(config)
    path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")


@contextmanager
def live_carrier(
    mappings_dir: Path, partner: Partner, *, clock: Clock, yurtici_wsdl: Path | None = None
) -> Iterator[FakeCarrierServer]:
    """`partner`'s fake carrier serving on 127.0.0.1, the copied profile pointed at it."""
    fake = fake_carrier_for(partner, clock=clock, yurtici_wsdl=yurtici_wsdl)
    with fake.serve():
        point_carrier_at(mappings_dir, partner.key, fake.connector_config())
        yield fake
