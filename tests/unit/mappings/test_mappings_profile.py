"""Partner profile validation: every invalid profile is a MappingConfigError naming its file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from mappings.engine import (
    MappingConfigError,
    MappingStore,
    PartnerProfile,
    SecretReference,
    parse_profile,
    parse_secret_reference,
)

FILE = "partners/acme/profile.yaml"


def _profile_yaml(mappings_root: Path) -> str:
    return (mappings_root / FILE).read_text(encoding="utf-8")


def _with(mappings_root: Path, **changes: object) -> bytes:
    document = yaml.safe_load(_profile_yaml(mappings_root))
    for dotted, value in changes.items():
        target = document
        *parents, last = dotted.split("__")
        for parent in parents:
            target = target[parent]
        if value is None:
            del target[last]
        else:
            target[last] = value
    return yaml.safe_dump(document).encode()


def _config_error(data: bytes, folder: str = "acme") -> MappingConfigError:
    with pytest.raises(MappingConfigError) as caught:
        parse_profile(data, FILE, folder)
    assert caught.value.file == FILE
    assert str(caught.value).startswith(f"{FILE}: ")
    return caught.value


def test_valid_profile_parses_with_defaults(mappings_root: Path) -> None:
    profile = parse_profile(_with(mappings_root, units__codelist=None), FILE, "acme")

    assert profile.key == "acme"
    assert profile.enabled is True
    assert profile.demo is False
    assert profile.zone == ZoneInfo("Europe/Istanbul")
    assert profile.documents.inbound == ("OrderRequest",)
    assert profile.units.codelist == "codelists/uom.csv"
    assert profile.units.overrides is None
    assert profile.parts is not None
    assert profile.parts.crossref == "partners/acme/part_xref.csv"
    assert profile.connector_config["buyer"] == {"domain": "NetworkID", "identity": "ACME-BUYER"}


def test_profile_is_frozen(mappings_root: Path) -> None:
    profile = parse_profile(_profile_yaml(mappings_root).encode(), FILE, "acme")
    with pytest.raises(ValueError, match="frozen"):
        profile.key = "other"  # type: ignore[misc]


@pytest.mark.parametrize("key", ["ACME", "acme_corp", "-acme", "acme-", "ac--me", ""])
def test_key_must_be_a_slug(mappings_root: Path, key: str) -> None:
    error = _config_error(_with(mappings_root, key=key))
    assert "key" in error.detail


def test_key_must_equal_folder_name(mappings_root: Path) -> None:
    error = _config_error(_with(mappings_root, key="acme-two"))
    assert "must equal its folder name 'acme'" in error.detail


def test_store_reports_folder_mismatch_with_the_file(
    mappings_root: Path, write_file: Callable[[Path, str], Path]
) -> None:
    write_file(mappings_root / FILE, _with(mappings_root, key="other").decode())
    with pytest.raises(MappingConfigError, match=r"^partners/acme/profile\.yaml: key 'other'"):
        MappingStore(mappings_root).mapping("acme")


@pytest.mark.parametrize(
    "reference",
    ["hunter2", "env:", "env:1BAD", "env:WITH SPACE", "demo:", "vault:kv/acme", "ENV:ACME"],
)
def test_secret_must_be_an_env_or_demo_reference(mappings_root: Path, reference: str) -> None:
    error = _config_error(_with(mappings_root, demo=True, secrets={"shared_secret": reference}))
    assert "secrets" in error.detail


def test_secret_error_does_not_echo_the_value(mappings_root: Path) -> None:
    error = _config_error(_with(mappings_root, secrets={"shared_secret": "s3cr3t-Pa55word"}))
    assert "s3cr3t-Pa55word" not in str(error)


def test_secret_names_are_snake_case(mappings_root: Path) -> None:
    error = _config_error(_with(mappings_root, secrets={"Shared-Secret": "env:X"}))
    assert "lower_snake_case" in error.detail


def test_demo_secret_needs_a_demo_profile(mappings_root: Path) -> None:
    data = _with(mappings_root, secrets={"shared_secret": "demo:public-demo-value"})
    error = _config_error(data)
    assert "demo: true" in error.detail

    profile = parse_profile(_with(mappings_root, demo=True, secrets={"s": "demo:x"}), FILE, "acme")
    assert profile.uses_demo_secrets


def test_secret_references_are_parsed(mappings_root: Path) -> None:
    profile = parse_profile(_profile_yaml(mappings_root).encode(), FILE, "acme")
    assert profile.secret_references() == {
        "shared_secret": SecretReference("env", "ACME_SHARED_SECRET")
    }
    assert not profile.uses_demo_secrets


def test_secret_reference_parsing_and_repr() -> None:
    demo = parse_secret_reference("demo:coupa-demo-secret")
    assert demo.is_demo
    assert demo.value == "coupa-demo-secret"
    assert "coupa-demo-secret" not in repr(demo)
    env = parse_secret_reference("env:COUPA_SECRET")
    assert (env.scheme, env.value, env.is_demo) == ("env", "COUPA_SECRET", False)
    assert str(env) == "env:COUPA_SECRET"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "", "GMT+25"])
def test_timezone_must_be_iana(mappings_root: Path, zone: str) -> None:
    error = _config_error(_with(mappings_root, timezone=zone))
    assert "timezone" in error.detail
    assert "IANA" in error.detail


def test_unknown_fields_are_refused(mappings_root: Path) -> None:
    error = _config_error(_with(mappings_root, shared_secret="oops"))
    assert "shared_secret" in error.detail


@pytest.mark.parametrize(
    "key", ["shared_secret", "password", "client_secret", "api_key", "token", "access_token"]
)
def test_connector_config_refuses_literal_secrets(mappings_root: Path, key: str) -> None:
    config = {"endpoint": {"url": "https://x.example", key: "value"}}
    error = _config_error(_with(mappings_root, connector_config=config))
    assert f"endpoint.{key}" in error.detail
    assert "value" not in error.detail.replace("values", "")


def test_connector_config_allows_secret_looking_urls(mappings_root: Path) -> None:
    config = {"token_url": "https://x.example/token", "secret_ref_name": "shared_secret"}
    profile = parse_profile(_with(mappings_root, connector_config=config), FILE, "acme")
    assert profile.connector_config == config


@pytest.mark.parametrize(
    "path", ["/etc/uom.csv", "../uom.csv", "codelists/../../uom.csv", "codelists\\uom.csv", "a.txt"]
)
def test_mapping_paths_stay_inside_the_root(mappings_root: Path, path: str) -> None:
    error = _config_error(_with(mappings_root, units__codelist=path))
    assert "units.codelist" in error.detail


def test_reject_policy_needs_a_crossref(mappings_root: Path) -> None:
    error = _config_error(_with(mappings_root, parts={"unknown": "reject"}))
    assert "parts.crossref is required" in error.detail

    profile = parse_profile(
        _with(mappings_root, parts={"unknown": "supplier_part_id_is_sku"}), FILE, "acme"
    )
    assert profile.parts.crossref is None


def test_unknown_part_policy_is_a_closed_set(mappings_root: Path) -> None:
    error = _config_error(_with(mappings_root, parts__unknown="guess"))
    assert "parts.unknown" in error.detail


def test_duplicate_document_kinds_are_refused(mappings_root: Path) -> None:
    error = _config_error(_with(mappings_root, documents__inbound=["OrderRequest"] * 2))
    assert "documents.inbound" in error.detail


def test_duplicate_yaml_keys_are_refused(mappings_root: Path) -> None:
    data = (_profile_yaml(mappings_root) + "timezone: UTC\n").encode()
    error = _config_error(data)
    assert "duplicate key 'timezone'" in error.detail


@pytest.mark.parametrize("data", [b"- a list\n", b"just text\n", b"", b"key: [unclosed\n"])
def test_profile_must_be_a_yaml_mapping(data: bytes) -> None:
    _config_error(data)


def test_all_problems_of_a_profile_are_listed(mappings_root: Path) -> None:
    error = _config_error(_with(mappings_root, timezone="Nowhere/Zone", connector=""))
    assert "timezone" in error.detail
    assert "connector" in error.detail


def test_profile_model_has_documented_fields() -> None:
    schema = PartnerProfile.model_json_schema()
    properties = schema["properties"].items()
    undocumented = [name for name, field in properties if not field.get("description")]
    assert undocumented == []


def test_a_partner_that_sends_documents_needs_parts(mappings_root: Path) -> None:
    error = _config_error(_with(mappings_root, parts=None))
    assert "parts is required" in str(error)


def test_a_partner_that_sends_nothing_needs_no_parts(mappings_root: Path) -> None:
    """A cargo carrier never sends us orders: no part cross-reference to give."""
    profile = parse_profile(_with(mappings_root, parts=None, documents__inbound=[]), FILE, "acme")
    assert profile.parts is None
