"""How `b2connect serve` logs: our loggers and uvicorn's to stderr at the chosen level.

The CLI's own commands log at WARNING (their output is the answer); the server instead logs one
access line per request (`gateway_api.access`), every refused body (`gateway_api.http`) and
uvicorn's life cycle. uvicorn applies this dict in every worker process, which a root-logger
set-up in the parent would not reach. uvicorn's own access log stays off: ours replaces it
(route templates, durations, control characters escaped, no query strings).
"""

from __future__ import annotations

from typing import Any

LOGGERS = ("gateway_api", "connectors", "mappings", "uvicorn")
"""Loggers the server routes to stderr (`uvicorn.error` and friends propagate to `uvicorn`)."""


def server_log_config(level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` dict sending `LOGGERS` to stderr at `level`."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            name: {"level": level, "handlers": ["stderr"], "propagate": False} for name in LOGGERS
        },
    }
