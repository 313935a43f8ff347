"""`b2connect api-keys create|list|revoke`: the key printed once, never listed, revocable."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from gateway_api.cli import app
from gateway_api.runtime import Runtime
from gateway_api.services.api_keys import ApiKeyService, hash_key
from gateway_api.settings import Settings, get_settings

runner = CliRunner()


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, runtime: Runtime
) -> Iterator[Runtime]:
    """The CLI on the test database (migrated; partners mirrored by `runtime`)."""
    monkeypatch.setenv("B2CONNECT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("B2CONNECT_MAPPINGS_DIR", str(settings.mappings_dir))
    get_settings.cache_clear()
    yield runtime
    get_settings.cache_clear()


def test_create_prints_the_key_once_and_stores_only_its_hash(cli_env: Runtime) -> None:
    made = runner.invoke(
        app,
        [
            "api-keys",
            "create",
            "--name",
            "logo-prod",
            "--scope",
            "stock",
            "--scope",
            "prices:write",
        ],
    )
    assert made.exit_code == 0, made.output
    key = made.stdout.strip().splitlines()[-1]
    assert key.startswith("b2c_")
    records = ApiKeyService(cli_env.uow, clock=cli_env.clock).list()
    assert [(r.name, r.scopes, r.key_hash) for r in records] == [
        ("logo-prod", ("stock:write", "prices:write"), hash_key(key))
    ]
    assert ApiKeyService(cli_env.uow, clock=cli_env.clock).authenticate(key) is not None
    listed = runner.invoke(app, ["api-keys", "list", "--json"])
    assert listed.exit_code == 0
    [row] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["name"] == "logo-prod"
    assert row["scopes"] == ["stock:write", "prices:write"]
    assert row["revoked_at"] is None
    assert key not in listed.stdout
    assert records[0].key_hash not in listed.stdout
    table = runner.invoke(app, ["api-keys", "list"])
    assert row["prefix"] in table.stdout
    assert key not in table.stdout


def test_revoke_refuses_the_key_from_then_on(cli_env: Runtime) -> None:
    created = ApiKeyService(cli_env.uow, clock=cli_env.clock).create("logo-test", ["stock"])
    revoked = runner.invoke(app, ["api-keys", "revoke", created.record.prefix])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in revoked.stdout
    assert ApiKeyService(cli_env.uow, clock=cli_env.clock).authenticate(created.key) is None
    listed = json.loads(runner.invoke(app, ["api-keys", "list", "--json"]).stdout)
    assert listed["revoked_at"] is not None


def test_an_unknown_scope_name_or_prefix_is_one_sentence_and_exit_2(cli_env: Runtime) -> None:
    bad_scope = runner.invoke(app, ["api-keys", "create", "--name", "logo", "--scope", "orders"])
    assert bad_scope.exit_code == 2
    assert "unknown scope 'orders'" in bad_scope.stderr
    bad_name = runner.invoke(app, ["api-keys", "create", "--name", "Logo Prod", "--scope", "stock"])
    assert bad_name.exit_code == 2
    unknown = runner.invoke(app, ["api-keys", "revoke", "deadbeef"])
    assert unknown.exit_code == 2
    assert "No API key 'deadbeef'" in unknown.stderr
    assert ApiKeyService(cli_env.uow, clock=cli_env.clock).list() == []
