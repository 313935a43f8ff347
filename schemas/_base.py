"""The base every canonical model shares: frozen, closed, documented."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CanonicalModel(BaseModel):
    """Frozen, `extra="forbid"` model whose field docstrings become JSON Schema descriptions.

    Canonical values are facts about a document; nothing mutates them after validation, and an
    unknown key is a contract violation, not something to carry along silently.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        use_attribute_docstrings=True,
        str_strip_whitespace=True,
        validate_default=True,
    )
