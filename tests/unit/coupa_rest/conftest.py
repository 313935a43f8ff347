"""Fixtures for the Coupa REST tests: a fake Coupa, and the API wired to it in-process or live."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr

from connectors.core.http import HttpSettings, build_http_client
from connectors.core.oauth2 import OAuth2ClientCredentials
from connectors.coupa_rest.api import DEFAULT_SCOPES, TOKEN_PATH, CoupaPurchaseOrderApi
from connectors.testing.fake_coupa_rest import FAKE_BASE_URL, FakeCoupaRest
from tests.support.clock import FakeClock

CLIENT_ID = "b2connect-hub"
CLIENT_SECRET = "s3cr3t-Do-Not-Leak-7f9a"  # a value no message may ever contain
FAST = HttpSettings(timeout_seconds=2.0, connect_timeout_seconds=1.0)


@dataclass
class Wired:
    """The API, its auth and client, wired to a fake Coupa."""

    api: CoupaPurchaseOrderApi
    auth: OAuth2ClientCredentials
    client: httpx.Client
    base_url: str


def wire(
    coupa: FakeCoupaRest,
    clock: FakeClock,
    base_url: str = FAKE_BASE_URL,
    *,
    live: bool = False,
    secret: str = CLIENT_SECRET,
    scopes: tuple[str, ...] = DEFAULT_SCOPES,
    settings: HttpSettings = FAST,
    renew_before: timedelta = timedelta(minutes=5),
) -> Wired:
    """An API on its own client: over the fake's transport, or over the network when `live`."""
    client = build_http_client(settings, transport=None if live else coupa.transport())
    auth = OAuth2ClientCredentials(
        f"{base_url}{TOKEN_PATH}",
        client_id=CLIENT_ID,
        client_secret=SecretStr(secret),
        scopes=scopes,
        clock=clock,
        renew_before=renew_before,
    )
    api = CoupaPurchaseOrderApi(client, base_url=base_url, auth=auth, clock=clock)
    return Wired(api, auth, client, base_url)


@pytest.fixture
def clock() -> FakeClock:
    """Test time (also defined by the suite's root conftest; here so this folder stands alone)."""
    return FakeClock()


@pytest.fixture
def coupa(clock: FakeClock) -> FakeCoupaRest:
    """A fake Coupa that knows our OAuth2 client; no orders yet."""
    fake = FakeCoupaRest(clock=clock)
    fake.add_client(CLIENT_ID, CLIENT_SECRET)
    return fake


@pytest.fixture
def wired(coupa: FakeCoupaRest, clock: FakeClock) -> Iterator[Wired]:
    """The API on the fake, in-process."""
    built = wire(coupa, clock)
    yield built
    built.client.close()


@pytest.fixture(params=["in-process", "live"])
def both(request: pytest.FixtureRequest, coupa: FakeCoupaRest, clock: FakeClock) -> Iterator[Wired]:
    """The API on the fake, in-process and over real HTTP on 127.0.0.1."""
    if request.param == "in-process":
        built = wire(coupa, clock)
        yield built
        built.client.close()
        return
    with coupa.serve() as base_url:
        built = wire(coupa, clock, base_url, live=True)
        yield built
        built.client.close()
