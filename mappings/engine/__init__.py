"""The mapping engine: partner profiles, strict two-way code lists, part cross-references.

Use it in two steps. `MappingStore(root).mapping(partner_key)` loads (and keeps fresh) a
partner's `PartnerMapping`; `map_purchase_order(order, mapping)` is a pure function that turns a
decoded order into canonical units and SKUs or raises one `MappingError` listing every problem.
Record `mapping.references` (file + sha256) on the envelope of the translated document.

Errors: `MappingError` (this document cannot be translated; carries `MappingProblem`s) and
`MappingConfigError` (a mapping file is invalid; names the file), with `UnknownPartnerError`
below it. See `mappings.engine.errors` for the tree.
"""

from __future__ import annotations

from mappings.engine.codelists import CODE_LIST_HEADER, CodeList, normalise_code
from mappings.engine.crossref import (
    CROSSREF_HEADER,
    PartCrossReference,
    normalise_part_id,
    resolve_sku,
)
from mappings.engine.errors import (
    MappingConfigError,
    MappingError,
    MappingProblem,
    UnknownPartnerError,
)
from mappings.engine.orders import map_purchase_order
from mappings.engine.partner_mapping import PartnerMapping
from mappings.engine.profile import (
    Deadlines,
    DocumentKinds,
    PartnerProfile,
    PartsPolicy,
    UnitsPolicy,
    UnknownPartPolicy,
)
from mappings.engine.profile_file import parse_profile
from mappings.engine.secret_refs import SecretReference, parse_secret_reference
from mappings.engine.store import MappingStore, default_mappings_root

__all__ = [
    "CODE_LIST_HEADER",
    "CROSSREF_HEADER",
    "CodeList",
    "Deadlines",
    "DocumentKinds",
    "MappingConfigError",
    "MappingError",
    "MappingProblem",
    "MappingStore",
    "PartCrossReference",
    "PartnerMapping",
    "PartnerProfile",
    "PartsPolicy",
    "SecretReference",
    "UnitsPolicy",
    "UnknownPartPolicy",
    "UnknownPartnerError",
    "default_mappings_root",
    "map_purchase_order",
    "normalise_code",
    "normalise_part_id",
    "parse_profile",
    "parse_secret_reference",
    "resolve_sku",
]
