"""The hub pages in process on both databases: every page renders over seeded data, an app
without a sign-in check refuses everyone, partner input is escaped, forms are checked."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gateway_api.http.hub import HubUser, LazyHub, create_hub_app
from gateway_api.http.hub.auth import hub_user
from gateway_api.runtime import Runtime
from gateway_api.services.hub import HubService
from gateway_api.store.hub_queries import SqlHubReader
from gateway_api.store.records import JobRunTag
from tests.airflow_ui.seed import INJECTION, TASK, seed

OPERATOR = HubUser(name="operator", session="session-1", may_replay=True)


def _hub(runtime: Runtime) -> HubService:
    return HubService(
        SqlHubReader(runtime.engine), runtime.queries, runtime.dead_letters, clock=runtime.clock
    )


def test_every_page_renders_and_escapes(runtime: Runtime) -> None:
    seeded = seed(runtime)
    hub = _hub(runtime)
    client = TestClient(create_hub_app(lambda: hub, lambda: OPERATOR, csrf_secret=b"s"))
    ti = f"dag_id={TASK.dag_id}&run_id={TASK.run_id.replace('+', '%2B')}&task_id={TASK.task_id}"
    for path in (
        "/messages",
        "/messages?reference=PO-HUB-1&since=2000-01-01&outcome=processed",
        f"/documents/{seeded.coupa_order}",
        f"/documents/{seeded.injected}",
        "/dead-letters?status=all",
        f"/dead-letters/{seeded.dead_letter}",
        "/partners",
        "/findings?status=all",
        f"/task-instance?{ti}&map_index=0",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "<script" not in page.text, path
        assert "default-src 'none'" in page.headers["content-security-policy"]
    log = client.get("/messages").text
    assert "&lt;script&gt;alert(&#39;hub&#39;)&lt;/script&gt;" in log
    assert INJECTION not in log
    assert len(hub.task_instance_documents(JobRunTag(**vars(TASK)))) == len(seeded.tagged)
    assert client.get("/messages?since=yesterday").status_code == 200


def test_without_a_sign_in_check_nobody_sees_anything(runtime: Runtime) -> None:
    seed(runtime)
    built: list[HubService] = []

    def build() -> HubService:
        built.append(_hub(runtime))
        return built[-1]

    client = TestClient(create_hub_app(LazyHub(build), hub_user, csrf_secret=b"s"))
    page = client.get("/messages")
    assert page.status_code == 401
    assert "PO-HUB" not in page.text
    assert built == []  # a stranger never makes the app reach the database


def test_a_replay_needs_our_origin_and_the_session_token(runtime: Runtime) -> None:
    seeded = seed(runtime)
    hub = _hub(runtime)
    client = TestClient(create_hub_app(lambda: hub, lambda: OPERATOR, csrf_secret=b"s"))
    target = f"/dead-letters/{seeded.dead_letter}/replay"
    page = client.get("/dead-letters").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    same = {"Origin": "http://testserver"}
    assert client.post(target, data={"csrf_token": token}).status_code == 403  # no Origin
    evil = {"Origin": "http://evil.example"}
    assert client.post(target, data={"csrf_token": token}, headers=evil).status_code == 403
    assert client.post(target, data={"csrf_token": "x"}, headers=same).status_code == 403
    replayed = client.post(target, data={"csrf_token": token}, headers=same, follow_redirects=False)
    assert replayed.status_code == 303
    assert replayed.headers["location"].endswith("?replay=failed")  # the part is still unmapped
