"""Reading `profile.yaml`: strict YAML (no duplicate keys) into a validated `PartnerProfile`."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from mappings.engine.errors import MappingConfigError
from mappings.engine.profile import PartnerProfile

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML that refuses a key given twice (PyYAML silently keeps the last one)."""


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            mark = key_node.start_mark
            msg = f"duplicate key {key!r} at line {mark.line + 1}"
            raise yaml.constructor.ConstructorError(None, None, msg, mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def parse_profile(data: bytes, file: str, folder_key: str) -> PartnerProfile:
    """Validate the bytes of `file` (`partners/<folder_key>/profile.yaml`) as a profile.

    Raises `MappingConfigError` naming `file` for YAML errors, schema errors and a `key` that
    differs from the folder name.
    """
    try:
        document = yaml.load(data, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        raise MappingConfigError(file, f"invalid YAML: {error}") from error
    if not isinstance(document, dict):
        raise MappingConfigError(file, "a profile must be a YAML mapping of fields")
    try:
        profile = PartnerProfile.model_validate(document)
    except ValidationError as error:
        raise MappingConfigError.from_validation_error(file, error) from error
    if profile.key != folder_key:
        detail = f"key {profile.key!r} must equal its folder name {folder_key!r}"
        raise MappingConfigError(file, detail)
    return profile
