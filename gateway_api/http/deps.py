"""Request dependencies as `Annotated` aliases."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway_api.http.problems import ProblemError
from gateway_api.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    """The process's wired services (built by `create_app`).

    `async` so FastAPI calls it on the event loop instead of handing it to a thread.
    """
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

_bearer = HTTPBearer(auto_error=False, description="B2CONNECT_ADMIN_TOKEN")


def require_operator(
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Operator endpoints need the admin bearer token when one is configured."""
    token = runtime.settings.admin_token
    if token is None:
        return
    presented = credentials.credentials.encode() if credentials else b""
    if not hmac.compare_digest(presented, token.get_secret_value().encode()):
        raise ProblemError(
            401,
            "Unauthorized",
            "operator endpoints need `Authorization: Bearer <B2CONNECT_ADMIN_TOKEN>`",
        )
