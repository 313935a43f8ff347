"""Fake Coupa, Ariba and JAGGAER platforms wired to a test's mappings copy and runtime."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from connectors.core import Clock, ConnectorContext
from connectors.testing.fake_platform_server import FakePlatform
from gateway_api.demo.platforms import fake_platform_for, point_profile_at
from gateway_api.services.partners import PartnerDirectory
from mappings.engine import MappingStore
from tests.support.paths import CXML_DTD_DIR

PLATFORM_PARTNERS = ("coupa-demo", "ariba-demo", "jaggaer-demo")


class HostRouter(httpx.BaseTransport):
    """Sends each request to the in-process transport of the platform its host names."""

    def __init__(self, transports: Mapping[str, httpx.BaseTransport]) -> None:
        self._transports = dict(transports)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        transport = self._transports.get(request.url.host)
        if transport is None:
            msg = f"no fake platform at {request.url.host}"
            raise httpx.ConnectError(msg, request=request)
        return transport.handle_request(request)


def in_process_platforms(mappings_dir: Path, clock: Clock) -> dict[str, FakePlatform]:
    """A fake platform per demo partner; the profiles' endpoints now point at them."""
    directory = PartnerDirectory(
        MappingStore(mappings_dir), context=ConnectorContext(clock=clock), production=False
    )
    platforms = {}
    for key in PLATFORM_PARTNERS:
        partner = directory.get(key)
        assert partner is not None
        platform = fake_platform_for(partner, dtd_dir=CXML_DTD_DIR, clock=clock)
        point_profile_at(mappings_dir, key, platform.endpoint_urls())
        platforms[key] = platform
    return platforms


def routed_client(platforms: Mapping[str, FakePlatform]) -> httpx.Client:
    """An httpx client whose requests reach the in-process fakes by host name."""
    transports = {httpx.URL(p.base_url).host: p.transport() for p in platforms.values()}
    return httpx.Client(transport=HostRouter(transports), timeout=30.0)


@contextmanager
def live_platforms(mappings_dir: Path, clock: Clock) -> Iterator[dict[str, FakePlatform]]:
    """The fakes on real sockets on 127.0.0.1; the profiles' endpoints point at them."""
    platforms = in_process_platforms(mappings_dir, clock)
    with ExitStack() as stack:
        for key, platform in platforms.items():
            base_url = stack.enter_context(platform.serve())
            point_profile_at(mappings_dir, key, platform.endpoint_urls(base_url))
        yield platforms
