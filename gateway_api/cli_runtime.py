"""The runtime a CLI command works with, refused early when the database cannot serve it."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gateway_api.runtime import Runtime


def open_runtime(environ: Mapping[str, str] | None = None) -> Runtime:
    """Settings, services and a migrated database; `DatabaseNotMigratedError` (a sentence) when
    the schema is not the code's, instead of `no such table` on the first query."""
    from gateway_api.runtime import build_runtime  # noqa: PLC0415 - the CLI starts fast
    from gateway_api.settings import get_settings  # noqa: PLC0415
    from gateway_api.store.migrate import require_head  # noqa: PLC0415

    runtime = build_runtime(get_settings(), environ=environ)
    try:
        require_head(runtime.engine)
        runtime.sync_partners()  # replays write rows that reference the partners table
    except BaseException:
        runtime.close()
        raise
    # What start-up built lives as long as the command: keep it out of the cyclic garbage
    # collector's scans (jobs allocate a lot per document; measured in docs/benchmarks.md).
    gc.freeze()
    return runtime


def known_partner(runtime: Runtime, key: str | None) -> str | None:
    """`key` when a profile folder of that name exists (enabled or not); a `CliError` naming
    the known keys otherwise, so a typo is not answered with an empty list."""
    from gateway_api.cli_errors import CliError  # noqa: PLC0415

    if key is None:
        return None
    keys = [status.key for status in runtime.directory.statuses()]
    if key not in keys:
        msg = f"No partner {key!r}; the partners are: {', '.join(keys) or 'none'}."
        raise CliError(msg)
    return key
