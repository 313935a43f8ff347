"""The pages as a FastAPI app of their own (`create_hub_app`), mounted by the Airflow plugin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.resources import files

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway_api.http.hub import routes_log, routes_ops
from gateway_api.http.hub.auth import HubUser, hub_user
from gateway_api.http.hub.render import base_path, page
from gateway_api.services.hub import HubService

SECURITY_HEADERS = {
    # No script runs on these pages; styles come from our own stylesheet; forms post only to us;
    # only pages of the same origin (Airflow's UI) may frame them.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def create_hub_app(
    hub: Callable[[], HubService],
    authenticate: Callable[..., HubUser | Awaitable[HubUser]],
    *,
    csrf_secret: bytes,
    login_url: str | None = None,
) -> FastAPI:
    """The pages over `hub()` (called per request, so it may build lazily).

    `authenticate` is a FastAPI dependency returning the signed-in `HubUser` or raising
    `HTTPException` (401/403); every page and the stylesheet aside depends on it.
    `csrf_secret` signs the form tokens (the same in every worker process).
    `login_url` is offered to a visitor who is not signed in.
    """
    if not csrf_secret:
        msg = "the hub needs a non-empty csrf_secret"
        raise ValueError(msg)
    app = FastAPI(title="B2Connect hub", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.hub = hub
    app.state.csrf_secret = csrf_secret
    app.dependency_overrides[hub_user] = authenticate
    app.include_router(routes_log.router)
    app.include_router(routes_ops.router)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def error_page(request: Request, error: StarletteHTTPException) -> Response:
        """Errors as a small page that shows no data: the reason, and a way to sign in."""
        if "text/html" not in request.headers.get("accept", "text/html"):
            return await http_exception_handler(request, error)
        return page(
            request,
            "error.html",
            status_code=error.status_code,
            user=None,
            status=error.status_code,
            reason=str(error.detail),
            login_url=login_url if error.status_code in {401, 403} else None,
        )

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> RedirectResponse:
        return RedirectResponse(f"{base_path(request)}/messages", status_code=303)

    @app.get("/hub.css", include_in_schema=False)
    async def stylesheet() -> Response:
        """The stylesheet (no data in it, so no sign-in needed)."""
        css = files("gateway_api.http.hub").joinpath("static/hub.css").read_bytes()
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    return app
