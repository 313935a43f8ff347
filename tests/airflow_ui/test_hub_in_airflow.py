"""The hub's pages inside a real Airflow api-server, driven in headless Chromium: refused without
a sign-in, listed by Airflow's plugin API, the message search, the document page, the Replay
button, and the documents of one task instance."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from gateway_api.store.records import DeadLetterStatus
from tests.airflow_ui.browser import Browser
from tests.airflow_ui.conftest import AirflowSite
from tests.airflow_ui.seed import INJECTION, TASK, fix_the_mapping

ROW_IDS = "[...document.querySelectorAll('#{table} tbody tr')].map(r => r.dataset.documentId)"


def test_strangers_see_no_data(airflow_site: AirflowSite) -> None:
    letter = airflow_site.seeded.dead_letter
    for path in ("/messages", f"/documents/{airflow_site.seeded.coupa_order}/raw", "/partners"):
        anonymous = httpx.get(f"{airflow_site.hub}{path}", timeout=10)
        assert anonymous.status_code == 401, path
        assert "PO-HUB" not in anonymous.text
        assert "coupa-demo" not in anonymous.text
        forged = httpx.get(f"{airflow_site.hub}{path}", cookies={"_token": "not.a.jwt"}, timeout=10)
        assert forged.status_code in {401, 403}, path
        assert "coupa-demo" not in forged.text
    posted = httpx.post(f"{airflow_site.hub}/dead-letters/{letter}/replay", timeout=10)
    assert posted.status_code == 401
    bearer = httpx.get(
        f"{airflow_site.hub}/messages",
        headers={"Authorization": f"Bearer {airflow_site.token}"},
        timeout=10,
    )
    assert bearer.status_code == 200
    assert "PO-HUB-1" in bearer.text


def test_airflow_lists_the_navigation_and_task_instance_entries(airflow_site: AirflowSite) -> None:
    answer = httpx.get(
        f"{airflow_site.url}/api/v2/plugins",
        headers={"Authorization": f"Bearer {airflow_site.token}"},
        timeout=10,
    )
    answer.raise_for_status()
    [plugin] = [p for p in answer.json()["plugins"] if p["name"] == "b2connect_hub"]
    assert [a["url_prefix"] for a in plugin["fastapi_apps"]] == ["/b2connect"]
    views = {v["destination"]: v for v in plugin["external_views"]}
    assert views["nav"]["href"] == "/b2connect/messages"
    assert "{RUN_ID}" in views["task_instance"]["href"]
    assert "{MAP_INDEX}" in views["task_instance"]["href"]


def test_message_search(airflow_site: AirflowSite, browser: Browser) -> None:
    runtime, seeded = airflow_site.runtime, airflow_site.seeded
    everything = runtime.queries.documents(limit=1000)
    day = everything[0].created_at.date()

    def search(**fields: str) -> set[UUID]:
        browser.open(f"{airflow_site.hub}/messages")
        fill = "".join(
            f"document.querySelector('#search [name={name}]').value = {json.dumps(value)};"
            for name, value in fields.items()
        )
        browser.submit_and_wait(fill + "document.querySelector('#search').requestSubmit()")
        assert "messages?" in browser.evaluate("location.href")
        return {UUID(i) for i in browser.evaluate(ROW_IDS.format(table="messages"))}

    def ids(**filters: Any) -> set[UUID]:
        return {d.id for d in runtime.queries.documents(limit=1000, **filters)}

    assert search(partner="ariba-demo") == ids(partner_key="ariba-demo")
    assert len(ids(partner_key="ariba-demo")) == 2
    assert search(kind="OrderRequest", outcome="held") == ids(outcome="held")
    assert search(outcome="sent", partner="coupa-demo") == ids(
        outcome="sent", partner_key="coupa-demo"
    )
    assert search(since=day.isoformat(), until=day.isoformat()) == {d.id for d in everything}
    assert search(since=(day + timedelta(days=1)).isoformat()) == set()
    assert search(until=(day - timedelta(days=1)).isoformat()) == set()
    answer = next(d for d in everything if d.in_reply_to == seeded.coupa_order)
    assert search(reference="PO-HUB-1") == {seeded.coupa_order, answer.id}
    assert search(reference="hub-2@ariba") == ids(partner_key="ariba-demo")


def test_document_page_shows_raw_canonical_and_related(
    airflow_site: AirflowSite, browser: Browser
) -> None:
    seeded = airflow_site.seeded
    browser.open(f"{airflow_site.hub}/documents/{seeded.injected}")
    raw = browser.evaluate("document.querySelector('#raw pre').innerText")
    assert f"<!-- {INJECTION} -->" in raw  # the partner's bytes, shown as text
    assert "PO-EVIL" in raw
    assert browser.evaluate("document.querySelectorAll('script').length") == 0
    canonical = json.loads(browser.evaluate("document.querySelector('#canonical pre').innerText"))
    assert canonical["order_id"] == "PO-EVIL"
    related = {UUID(i) for i in browser.evaluate(ROW_IDS.format(table="order-documents"))}
    answer = next(
        d for d in airflow_site.runtime.queries.documents() if d.in_reply_to == seeded.injected
    )
    assert related == {seeded.injected, answer.id}
    assert browser.evaluate("document.querySelectorAll('#events tbody tr').length") == 1
    download = browser.evaluate("document.querySelector('#raw a').getAttribute('href')")
    assert download == f"/b2connect/documents/{seeded.injected}/raw"
    raw_bytes = httpx.get(
        f"{airflow_site.url}{download}", cookies={"_token": airflow_site.token}, timeout=10
    )
    assert raw_bytes.headers["content-disposition"].startswith("attachment")
    assert INJECTION.encode() in raw_bytes.content


def test_a_forged_replay_is_refused(airflow_site: AirflowSite) -> None:
    letter = airflow_site.seeded.dead_letter
    target = f"{airflow_site.hub}/dead-letters/{letter}/replay"
    cookies = {"_token": airflow_site.token}
    from_elsewhere = httpx.post(
        target, cookies=cookies, headers={"Origin": "http://evil.example"}, timeout=10
    )
    assert from_elsewhere.status_code == 403
    without_token = httpx.post(
        target, cookies=cookies, headers={"Origin": airflow_site.url}, timeout=10
    )
    assert without_token.status_code == 403
    assert airflow_site.runtime.dead_letters.get(letter).status is DeadLetterStatus.OPEN


def test_replay_button(airflow_site: AirflowSite, browser: Browser) -> None:
    letter = airflow_site.seeded.dead_letter
    fix_the_mapping(airflow_site.mappings_dir)
    browser.open(f"{airflow_site.hub}/dead-letters")
    button = f"document.querySelector('tr[data-dead-letter-id=\"{letter}\"] button.replay')"
    assert browser.evaluate(f"{button} !== null")
    browser.submit_and_wait(f"{button}.click()")
    assert browser.evaluate("location.href").endswith(f"/dead-letters/{letter}?replay=ok")
    assert browser.evaluate("document.querySelector('#status').innerText") == "replayed"
    assert airflow_site.runtime.dead_letters.get(letter).status is DeadLetterStatus.REPLAYED
    [order] = airflow_site.runtime.queries.orders(order_id="PO-HUB-3")
    assert order.partner_key == "coupa-demo"


def test_task_instance_page_lists_exactly_its_documents(
    airflow_site: AirflowSite, browser: Browser
) -> None:
    # What Airflow's UI does with the plugin's href: every id through encodeURIComponent.
    href = (
        "/b2connect/task-instance?dag_id={DAG_ID}&run_id={RUN_ID}"
        "&task_id={TASK_ID}&map_index={MAP_INDEX}"
    )
    for name, value in (
        ("DAG_ID", TASK.dag_id),
        ("RUN_ID", TASK.run_id),
        ("TASK_ID", TASK.task_id),
    ):
        href = href.replace(f"{{{name}}}", quote(value, safe="!'()*-._~"))
    href = href.replace("{MAP_INDEX}", str(TASK.map_index))
    browser.open(f"{airflow_site.url}{href}")
    listed = [UUID(i) for i in browser.evaluate(ROW_IDS.format(table="messages"))]
    assert sorted(listed, key=str) == airflow_site.seeded.tagged
    assert not set(listed) & set(airflow_site.seeded.other_task)
    assert "%2B00%3A00" in href  # the run id's '+' and ':' travel encoded
