"""RFC 9457 problem details: every JSON error the API returns has this shape."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class ProblemError(Exception):
    """Raise in a route to answer with a problem+json body."""

    def __init__(self, status: int, title: str, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra


def problem_response(
    status: int, title: str, detail: str | None = None, **extra: Any
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def install_problem_handlers(app: FastAPI) -> None:
    """Route HTTP errors, validation errors and `ProblemError` through problem+json."""

    async def on_problem(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ProblemError)
        return problem_response(error.status, error.title, error.detail, **error.extra)

    async def on_http(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        response = problem_response(error.status_code, str(error.detail))
        if error.headers:
            response.headers.update(error.headers)
        return response

    async def on_validation(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        errors = [
            {"loc": list(e.get("loc", ())), "msg": _message(e), "type": e.get("type", "")}
            for e in error.errors()
        ]
        return problem_response(
            422, "Request validation failed", validation_detail(errors), errors=errors
        )

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)


_DECIMAL_REPR = re.compile(r"Decimal\('([^']*)'\)")
_PLACES = {"body": "", "query": "query parameter ", "path": "path parameter ", "header": "header "}


def _message(error: Any) -> str:
    """pydantic's message without its `Value error, ` prefix and `Decimal('...')` reprs."""
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    return _DECIMAL_REPR.sub(r"\1", message)


def field_name(loc: Sequence[Any]) -> str:
    """`carrier.name`, `tracking_numbers[0]`, `query parameter partner`: where a problem is."""
    if not loc:
        return "the request"
    place = _PLACES.get(str(loc[0]))
    parts = list(loc[1:]) if place is not None else list(loc)
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    if not path:
        return "the request body" if loc[0] == "body" else "the request"
    return f"{place or ''}`{path}`"


def validation_detail(errors: Sequence[dict[str, Any]]) -> str:
    """One sentence naming every field that is wrong and why (each also in `errors`)."""
    parts = [f"{field_name(e['loc'])}: {e['msg']}" for e in errors]
    return "; ".join(parts).rstrip(".") + "." if parts else "The request is not valid."
