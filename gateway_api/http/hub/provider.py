"""Where the pages get their services: built on the first request, not at import.

Inside Airflow the plugin module is imported by every Airflow process (scheduler, dag-processor,
api-server); only the api-server ever serves a page, and only then should the gateway's settings
be read and its database engine built.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from gateway_api.runtime import build_runtime
from gateway_api.services.hub import HubService
from gateway_api.settings import get_settings
from gateway_api.store.hub_queries import SqlHubReader
from gateway_api.store.migrate import require_head


def hub_from_settings() -> HubService:
    """The hub's services from the gateway settings (`B2CONNECT_*`), on a migrated database."""
    runtime = build_runtime(get_settings())
    try:
        require_head(runtime.engine)
        runtime.sync_partners()  # a replay writes rows that reference the partners table
    except BaseException:
        runtime.close()
        raise
    return HubService(
        SqlHubReader(runtime.engine), runtime.queries, runtime.dead_letters, clock=runtime.clock
    )


class LazyHub:
    """Builds the services once, on first use, under a lock; a failed build is tried again on
    the next request (the database may come up later than Airflow)."""

    def __init__(self, build: Callable[[], HubService] = hub_from_settings) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._hub: HubService | None = None

    def __call__(self) -> HubService:
        """The services, built now if they were not yet."""
        with self._lock:
            if self._hub is None:
                self._hub = self._build()
            return self._hub
