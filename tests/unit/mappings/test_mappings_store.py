"""MappingStore: profiles, assembled mappings with hashed references, reload on file change."""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from mappings.engine import (
    MappingConfigError,
    MappingError,
    MappingStore,
    UnknownPartnerError,
    default_mappings_root,
    map_purchase_order,
)
from schemas import MappingReference, OrderLine, PurchaseOrder

Write = Callable[[Path, str], Path]
LineFactory = Callable[..., OrderLine]
OrderFactory = Callable[..., PurchaseOrder]

PROFILE = "partners/acme/profile.yaml"
XREF = "partners/acme/part_xref.csv"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_default_root_is_the_installed_package() -> None:
    import mappings

    root = default_mappings_root()
    assert root == Path(mappings.__file__).resolve().parent
    assert (root / "codelists" / "uom.csv").is_file()


def test_references_carry_sha256_of_the_actual_bytes(mappings_root: Path) -> None:
    mapping = MappingStore(mappings_root).mapping("acme")

    assert mapping.key == "acme"
    assert mapping.references == (
        MappingReference(file=PROFILE, sha256=_sha(mappings_root / PROFILE)),
        MappingReference(
            file="codelists/uom.csv", sha256=_sha(mappings_root / "codelists/uom.csv")
        ),
        MappingReference(file=XREF, sha256=_sha(mappings_root / XREF)),
    )


def test_overrides_take_part_and_win(mappings_root: Path, write_file: Write) -> None:
    override = write_file(
        mappings_root / "partners/acme/uom.csv",
        "partner_code,canonical_code,description\nPCS,EA,acme means each\n",
    )
    profile = (
        (mappings_root / PROFILE)
        .read_text()
        .replace(
            "  codelist: codelists/uom.csv\n",
            "  codelist: codelists/uom.csv\n  overrides: partners/acme/uom.csv\n",
        )
    )
    write_file(mappings_root / PROFILE, profile)

    mapping = MappingStore(mappings_root).mapping("acme")

    assert mapping.units.to_canonical("PCS") == "EA"
    assert mapping.units.to_canonical("H87") == "H87"
    assert [ref.file for ref in mapping.references] == [
        PROFILE,
        "codelists/uom.csv",
        "partners/acme/uom.csv",
        XREF,
    ]
    assert mapping.references[2].sha256 == _sha(override)


def test_profiles_are_all_profiles_sorted(mappings_root: Path, write_file: Write) -> None:
    source = (mappings_root / PROFILE).read_text()
    write_file(mappings_root / "partners/aardvark/profile.yaml", source.replace("acme", "aardvark"))
    (mappings_root / "partners/_template").mkdir()
    (mappings_root / "partners/.git-keep").mkdir()

    store = MappingStore(mappings_root)
    profiles = store.profiles()

    assert list(profiles) == ["aardvark", "acme"]
    assert profiles["acme"].display_name == "ACME Procurement"
    assert store.partner_keys() == ("aardvark", "acme")
    assert store.profile("acme") is profiles["acme"]


def test_profiles_are_strict_about_partner_folders(mappings_root: Path) -> None:
    (mappings_root / "partners/half-done").mkdir()
    with pytest.raises(MappingConfigError) as caught:
        MappingStore(mappings_root).profiles()
    assert caught.value.file == "partners/half-done/profile.yaml"

    (mappings_root / "partners/half-done").rmdir()
    (mappings_root / "partners/Bad_Name").mkdir()
    with pytest.raises(MappingConfigError, match="partners/Bad_Name: partner folder names"):
        MappingStore(mappings_root).profiles()


def test_empty_root_has_no_profiles(tmp_path: Path) -> None:
    assert MappingStore(tmp_path).profiles() == {}
    assert MappingStore(tmp_path).partner_keys() == ()


@pytest.mark.parametrize("key", ["nobody", "../acme", "ACME", ""])
def test_unknown_partner(mappings_root: Path, key: str) -> None:
    store = MappingStore(mappings_root)
    with pytest.raises(UnknownPartnerError) as caught:
        store.mapping(key)
    assert isinstance(caught.value, KeyError)
    assert isinstance(caught.value, MappingConfigError)
    assert caught.value.partner_key == key
    assert caught.value.known == ("acme",)
    assert "known partners: acme" in str(caught.value)
    restored = pickle.loads(pickle.dumps(caught.value))  # noqa: S301 - our own object
    assert str(restored) == str(caught.value)


def test_missing_crossref_names_the_file(mappings_root: Path) -> None:
    (mappings_root / XREF).unlink()
    with pytest.raises(MappingConfigError) as caught:
        MappingStore(mappings_root).mapping("acme")
    assert not isinstance(caught.value, UnknownPartnerError)
    assert str(caught.value) == "partners/acme/part_xref.csv: file not found"


def test_unchanged_files_are_not_reparsed(mappings_root: Path) -> None:
    store = MappingStore(mappings_root)
    first = store.mapping("acme")
    assert store.mapping("acme") is first
    assert store.profile("acme") is first.profile


def test_a_fixed_crossref_is_picked_up_without_restart(
    mappings_root: Path, write_file: Write, line: LineFactory, order: OrderFactory
) -> None:
    store = MappingStore(mappings_root)
    incoming = order(line(1, "EA", supplier_part_id="NEW-9"))
    with pytest.raises(MappingError, match=r"part 'NEW-9' is not in partners/acme/part_xref\.csv"):
        map_purchase_order(incoming, store.mapping("acme"))
    before = store.mapping("acme")

    xref = mappings_root / XREF
    write_file(xref, xref.read_text() + "NEW-9,B2C-1009,added by an engineer\n")

    after = store.mapping("acme")
    assert after is not before
    assert map_purchase_order(incoming, after).lines[0].sku == "B2C-1009"
    assert after.references[2].sha256 == _sha(xref) != before.references[2].sha256
    assert after.references[:2] == before.references[:2]
    assert after.profile is before.profile, "untouched files are not re-parsed"


def test_same_size_edit_is_noticed(mappings_root: Path, write_file: Write) -> None:
    store = MappingStore(mappings_root)
    assert store.mapping("acme").parts is not None
    xref = mappings_root / XREF
    write_file(xref, xref.read_text().replace("B2C-1001", "B2C-1011"))

    parts = store.mapping("acme").parts
    assert parts is not None
    assert parts.find("ACME-1") == "B2C-1011"


def test_a_changed_profile_is_picked_up(mappings_root: Path, write_file: Write) -> None:
    store = MappingStore(mappings_root)
    assert store.mapping("acme").profile.timezone == "Europe/Istanbul"
    profile = mappings_root / PROFILE
    write_file(profile, profile.read_text().replace("Europe/Istanbul", "UTC"))
    assert store.mapping("acme").profile.timezone == "UTC"
    assert store.profiles()["acme"].timezone == "UTC"


def test_a_broken_file_fails_until_fixed(mappings_root: Path, write_file: Write) -> None:
    store = MappingStore(mappings_root)
    store.mapping("acme")
    xref = mappings_root / XREF
    good = xref.read_text()

    write_file(xref, good + "ACME-1,B2C-9999,conflicting row\n")
    with pytest.raises(MappingConfigError, match="'ACME-1' maps to both"):
        store.mapping("acme")
    with pytest.raises(MappingConfigError):
        store.mapping("acme")  # never falls back to the stale good copy

    write_file(xref, good + "ACME-3,B2C-1003,fixed\n")
    parts = store.mapping("acme").parts
    assert parts is not None
    assert parts.find("ACME-3") == "B2C-1003"


def test_clear_forgets_parsed_files(mappings_root: Path) -> None:
    store = MappingStore(mappings_root)
    first = store.mapping("acme")
    store.clear()
    second = store.mapping("acme")
    assert second is not first
    assert second.references == first.references


def _replace_atomically(path: Path, text: str) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def test_concurrent_lookups_during_reloads(mappings_root: Path) -> None:
    store = MappingStore(mappings_root)
    xref = mappings_root / XREF
    errors: list[BaseException] = []
    start = threading.Barrier(9)

    def look_up() -> None:
        start.wait()
        try:
            for _ in range(200):
                mapping = store.mapping("acme")
                assert mapping.parts is not None
                assert mapping.parts.find("ACME-1") == "B2C-1001"
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=look_up) for _ in range(8)]
    for thread in threads:
        thread.start()
    start.wait()
    for number in range(20):
        _replace_atomically(xref, xref.read_text() + f"EXTRA-{number},B2C-2{number:03d},more\n")
    for thread in threads:
        thread.join()

    assert errors == []
    parts = store.mapping("acme").parts
    assert parts is not None
    assert parts.find("EXTRA-19") == "B2C-2019"
