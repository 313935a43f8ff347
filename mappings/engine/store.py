"""`MappingStore`: partner profiles and mappings read from a mappings tree, kept fresh.

Layout under the mappings root::

    codelists/<name>.csv              shared code lists (uom.csv: UN/ECE Rec 20 units)
    partners/<key>/profile.yaml       one folder per partner; key == folder name
    partners/<key>/*.csv              the partner's cross-reference and overrides

The store parses each file once and re-reads it only when its stat fingerprint changes, so a
lookup on the ingest path costs a few `os.stat` calls. It is safe to share between threads.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from mappings.engine.codelists import CodeList
from mappings.engine.crossref import PartCrossReference
from mappings.engine.errors import MappingConfigError, UnknownPartnerError
from mappings.engine.file_cache import FileCache, LoadedFile, MissingMappingFileError
from mappings.engine.partner_mapping import PartnerMapping
from mappings.engine.profile import SLUG_PATTERN, PartnerProfile
from mappings.engine.profile_file import parse_profile

PARTNERS_DIR = "partners"
"""Folder of partner profiles, relative to the mappings root."""
PROFILE_FILE = "profile.yaml"
"""Name of the profile file in each partner folder."""

_SLUG = re.compile(SLUG_PATTERN)


def default_mappings_root() -> Path:
    """The mappings tree shipped with the installed `mappings` package."""
    return Path(__file__).resolve().parent.parent


def _parse_profile_file(data: bytes, file: str) -> PartnerProfile:
    return parse_profile(data, file, folder_key=file.split("/")[1])


def _parse_unit_list(data: bytes, file: str) -> CodeList:
    return CodeList.from_csv(data, file, label="unit")


class MappingStore:
    """Profiles and partner mappings under `mappings_root`, re-read when their files change."""

    def __init__(self, mappings_root: Path) -> None:
        self._root = Path(mappings_root)
        self._profiles: FileCache[PartnerProfile] = FileCache(_parse_profile_file)
        self._unit_lists: FileCache[CodeList] = FileCache(_parse_unit_list)
        self._crossrefs: FileCache[PartCrossReference] = FileCache(PartCrossReference.from_csv)
        self._mappings: dict[str, tuple[tuple[LoadedFile[object], ...], PartnerMapping]] = {}
        self._paths: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def root(self) -> Path:
        """The mappings root this store reads."""
        return self._root

    def partner_keys(self) -> tuple[str, ...]:
        """Keys of every partner folder that has a profile, sorted."""
        partners = self._root / PARTNERS_DIR
        if not partners.is_dir():
            return ()
        return tuple(
            sorted(
                entry.name
                for entry in partners.iterdir()
                if _SLUG.fullmatch(entry.name) and (entry / PROFILE_FILE).is_file()
            )
        )

    def profiles(self) -> dict[str, PartnerProfile]:
        """Every partner profile by key, sorted by key.

        Strict: a partner folder without a valid `profile.yaml`, or whose name is not a slug,
        raises `MappingConfigError` (folders starting with `.` or `_` are ignored).
        """
        partners = self._root / PARTNERS_DIR
        if not partners.is_dir():
            return {}
        result: dict[str, PartnerProfile] = {}
        for folder in sorted(partners.iterdir(), key=lambda entry: entry.name):
            if not folder.is_dir() or folder.name.startswith((".", "_")):
                continue
            file = f"{PARTNERS_DIR}/{folder.name}"
            if not _SLUG.fullmatch(folder.name):
                raise MappingConfigError(file, "partner folder names must be slugs (a-z, 0-9, -)")
            result[folder.name] = self._profile_entry(folder.name).value
        return result

    def profile(self, partner_key: str) -> PartnerProfile:
        """One partner's profile; `UnknownPartnerError` when there is none."""
        return self._profile_entry(partner_key).value

    def mapping(self, partner_key: str) -> PartnerMapping:
        """The partner's loaded mapping; `UnknownPartnerError` when it has no profile,
        `MappingConfigError` when a file it uses is missing or invalid."""
        profile_entry = self._profile_entry(partner_key)
        profile = profile_entry.value
        unit_list = self._unit_lists.get(self._path(profile.units.codelist), profile.units.codelist)
        sources: list[LoadedFile[object]] = [profile_entry, unit_list]
        overrides = None
        if profile.units.overrides is not None:
            overrides = self._unit_lists.get(
                self._path(profile.units.overrides), profile.units.overrides
            )
            sources.append(overrides)
        crossref = None
        if profile.parts is not None and profile.parts.crossref is not None:
            crossref = self._crossrefs.get(
                self._path(profile.parts.crossref), profile.parts.crossref
            )
            sources.append(crossref)

        key = tuple(sources)
        cached = self._mappings.get(partner_key)
        if cached is not None and _same_objects(cached[0], key):
            return cached[1]
        units = unit_list.value
        if overrides is not None:
            units = units.with_overrides(overrides.value)
        mapping = PartnerMapping(
            profile=profile,
            units=units,
            parts=crossref.value if crossref is not None else None,
            references=tuple(source.reference for source in sources),
        )
        with self._lock:
            self._mappings[partner_key] = (key, mapping)
        return mapping

    def clear(self) -> None:
        """Forget everything parsed; the next lookups read the files again."""
        with self._lock:
            self._mappings.clear()
        for cache in (self._profiles, self._unit_lists, self._crossrefs):
            cache.clear()

    def _profile_entry(self, partner_key: str) -> LoadedFile[PartnerProfile]:
        if not _SLUG.fullmatch(partner_key):
            raise UnknownPartnerError(partner_key, self.partner_keys())
        file = f"{PARTNERS_DIR}/{partner_key}/{PROFILE_FILE}"
        try:
            return self._profiles.get(self._path(file), file)
        except MissingMappingFileError:
            raise UnknownPartnerError(partner_key, self.partner_keys()) from None

    def _path(self, file: str) -> str:
        # Plain strings, built once per file: pathlib would cost more than the stat itself.
        path = self._paths.get(file)
        if path is None:
            path = self._paths[file] = os.path.join(self._root, *file.split("/"))
        return path


def _same_objects(left: tuple[object, ...], right: tuple[object, ...]) -> bool:
    return len(left) == len(right) and all(a is b for a, b in zip(left, right, strict=True))
