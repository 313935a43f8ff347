"""The hub's operator pages: server-rendered HTML over the document log, dead letters, partners
and reconciliation findings, mountable inside Airflow's api-server (`dags/plugins`)."""

from gateway_api.http.hub.app import create_hub_app
from gateway_api.http.hub.auth import HubAccessError, HubUser, authenticator
from gateway_api.http.hub.provider import LazyHub, hub_from_settings

__all__ = [
    "HubAccessError",
    "HubUser",
    "LazyHub",
    "authenticator",
    "create_hub_app",
    "hub_from_settings",
]
