"""Request dependencies as `Annotated` aliases."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from gateway_api.http.problems import ProblemError
from gateway_api.runtime import Runtime
from gateway_api.services.api_keys import ApiKeyService
from gateway_api.store.api_key_records import ApiKeyRecord
from gateway_api.store.ports import StoreError

logger = logging.getLogger(__name__)


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


# --- The integration API (ERP -> hub): per-system API keys with scopes ---

_integration_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="IntegrationKey",
    description="An integration API key (`b2connect api-keys create`): `Authorization: Bearer "
    "<key>` (or the `X-API-Key` header)",
)
_integration_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="IntegrationKeyHeader",
    description="The same key in `X-API-Key`, for clients that cannot set Authorization",
)


def require_scope(scope: str) -> Callable[..., Awaitable[ApiKeyRecord]]:
    """A dependency: the live API key the request presents, which must carry `scope`.

    401 when no key, a malformed, unknown or revoked key is presented
    (the same answer for each, so a caller learns nothing about which keys exist); 403 when the
    key lacks the scope.
    """

    async def api_key(
        request: Request,
        runtime: RuntimeDep,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_integration_bearer)],
        header: Annotated[str | None, Depends(_integration_header)],
    ) -> ApiKeyRecord:
        presented = bearer.credentials if bearer is not None else header
        record = None
        if presented:
            service = ApiKeyService(runtime.uow, clock=runtime.clock)
            try:
                record = await run_in_threadpool(service.authenticate, presented)
            except StoreError:
                raise ProblemError(
                    503, "Service unavailable", "the database is unavailable; retry later"
                ) from None
        if record is None:
            # A refused call leaves a trace (no key material in it): an ERP whose key was
            # revoked or mistyped shows up in the log, not only in its own error handling.
            logger.warning(
                "integration API refused %s %s from %s: %s",
                request.method,
                request.url.path,
                request.client.host if request.client else "?",
                "no API key" if not presented else "unknown, malformed or revoked API key",
            )
            raise ProblemError(
                401,
                "Unauthorized",
                "the integration API needs a live API key: `Authorization: Bearer <key>` "
                "(or `X-API-Key: <key>`); `b2connect api-keys create` makes one",
            )
        if scope not in record.scopes:
            logger.warning(
                "integration API refused %s %s: key %s (%s) lacks the scope %s",
                request.method,
                request.url.path,
                record.prefix,
                record.name,
                scope,
            )
            raise ProblemError(
                403,
                "Forbidden",
                f"the API key {record.prefix} ({record.name}) does not have the scope {scope}",
            )
        return record

    return api_key
