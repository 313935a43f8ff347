"""Pages from Jinja2 templates shipped in the package, with every value escaped.

Documents are partner input: anything they carry (ids, kinds, error text, the raw bytes) reaches
the page only through autoescaping, and the security headers of `app.py` forbid scripts anyway.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined


@functools.cache
def environment() -> Environment:
    """The template environment (built on first use, then shared)."""
    env = Environment(
        loader=PackageLoader("gateway_api.http.hub", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.filters["short"] = short
    env.filters["pretty_json"] = pretty_json
    return env


def page(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """`template` rendered with `context`; `base` is where the app is mounted (links use it)."""
    html = environment().get_template(template).render(base=base_path(request), **context)
    return HTMLResponse(html, status_code=status_code)


def base_path(request: Request) -> str:
    """The path prefix the app is mounted under (`/b2connect` inside Airflow, empty alone)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def when(moment: datetime | None) -> str:
    """A timestamp as people read it, in UTC to the second."""
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def short(identifier: UUID | str | None) -> str:
    """The first eight characters of an id: enough to tell rows apart on a page."""
    return "" if identifier is None else str(identifier)[:8]


def pretty_json(value: Any) -> str:
    """A JSON document indented for reading."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def body_text(body: bytes) -> str:
    """Stored bytes shown as text: UTF-8 where they are, a replacement mark where not."""
    return body.decode("utf-8", errors="replace")
