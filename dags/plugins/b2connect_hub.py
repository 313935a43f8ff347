"""The B2Connect hub inside Airflow's UI: the hub's pages mounted on the api-server at
`/b2connect`, a navigation entry to them, and on every task instance a link to exactly the
documents that run read or sent.

Airflow does not protect a plugin's FastAPI app: every page here checks the caller with
Airflow's own code (the JWT of the `_token` cookie or an `Authorization: Bearer` header, through
`airflow.api_fastapi.core_api.security.get_user`, which asks the configured auth manager) and
asks the auth manager whether the user may see (GET) or act on (POST) the custom view
"B2Connect". The gateway's services are built on the first request, from the gateway settings
(`B2CONNECT_*` environment), never when Airflow imports this module.

Load it with `AIRFLOW__CORE__PLUGINS_FOLDER=<repo>/dags/plugins`.
"""

from __future__ import annotations

from typing import Any

from airflow.plugins_manager import AirflowPlugin

from gateway_api.http.hub import HubAccessError, HubUser, LazyHub, authenticator, create_hub_app

URL_PREFIX = "/b2connect"
RESOURCE = "B2Connect"
"""The custom view the auth manager is asked about (FAB: a permission on this resource)."""


async def airflow_user(request: Any) -> HubUser:
    """The Airflow user behind the request (a Starlette request), or 401/403 exactly as
    Airflow's own API answers."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN
    from airflow.api_fastapi.core_api.security import bearer_scheme, get_user

    credentials = await bearer_scheme(request)
    user = await get_user(request, None, credentials)
    manager = get_auth_manager()
    if not manager.is_authorized_custom_view(method="GET", resource_name=RESOURCE, user=user):
        raise HubAccessError(403, "You may not see the B2Connect hub.")
    session = (
        credentials.credentials if credentials else request.cookies.get(COOKIE_NAME_JWT_TOKEN, "")
    )
    return HubUser(
        name=user.get_name(),
        session=session,
        may_replay=manager.is_authorized_custom_view(
            method="POST", resource_name=RESOURCE, user=user
        ),
    )


def csrf_secret() -> bytes:
    """The api-server's own secret (`[api] secret_key`): the same in every worker process.
    Without one (a bare test configuration), a random secret: tokens then hold per process."""
    import os

    from airflow.configuration import conf

    return conf.get("api", "secret_key", fallback="").encode() or os.urandom(32)


def build_app() -> Any:
    """The hub's pages with Airflow's authentication; the gateway is reached lazily."""
    return create_hub_app(
        LazyHub(),
        authenticator(airflow_user),
        csrf_secret=csrf_secret(),
        login_url="/auth/login",
    )


class B2ConnectHubPlugin(AirflowPlugin):
    """Mounts the hub's pages and links to them from Airflow's navigation and task instances."""

    name = "b2connect_hub"
    # AirflowPlugin declares these as plain class-level lists; a ClassVar would not override them.
    fastapi_apps = [  # noqa: RUF012
        {"app": build_app(), "url_prefix": URL_PREFIX, "name": "B2Connect hub"}
    ]
    external_views = [  # noqa: RUF012
        {
            "name": "B2Connect hub",
            "href": f"{URL_PREFIX}/messages",
            "destination": "nav",
            "url_route": "b2connect",
        },
        {
            "name": "B2Connect documents",
            "href": (
                f"{URL_PREFIX}/task-instance?dag_id={{DAG_ID}}&run_id={{RUN_ID}}"
                "&task_id={TASK_ID}&map_index={MAP_INDEX}"
            ),
            "destination": "task_instance",
            "url_route": "b2connect_documents",
        },
    ]
