"""Secret references: how a profile names a secret without containing it.

A profile never holds a real secret. It holds a reference the core resolves at run time:

- `env:VARNAME` - the value of environment variable `VARNAME` (production),
- `demo:<value>` - a literal, publicly documented demo value; allowed only in profiles marked
  `demo: true`, and refused by the core in production.

Parsing lives here so that the profile loader and the core agree on one grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

SecretScheme = Literal["env", "demo"]
"""Where a referenced secret comes from."""


@dataclass(frozen=True, slots=True)
class SecretReference:
    """A parsed `env:` or `demo:` reference; `value` is the variable name or the demo literal."""

    scheme: SecretScheme
    """`env` (read the environment variable `value`) or `demo` (`value` is the secret)."""
    value: str
    """Environment variable name, or the literal demo secret."""

    @property
    def is_demo(self) -> bool:
        """True for `demo:` references, which production must refuse."""
        return self.scheme == "demo"

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"

    def __repr__(self) -> str:
        # Demo values are public, but a repr ends up in logs; never print a literal.
        shown = self.value if self.scheme == "env" else "***"
        return f"SecretReference(scheme={self.scheme!r}, value={shown!r})"


def parse_secret_reference(text: str) -> SecretReference:
    """Parse `env:VARNAME` or `demo:<literal>`; anything else raises `ValueError`.

    The error message never repeats the text, since a malformed reference is often a pasted
    secret.
    """
    scheme, separator, value = text.partition(":")
    if separator and scheme == "env":
        if _ENV_NAME.fullmatch(value):
            return SecretReference("env", value)
        msg = "an env: reference needs an environment variable name, e.g. env:COUPA_SHARED_SECRET"
        raise ValueError(msg)
    if separator and scheme == "demo":
        if value.strip():
            return SecretReference("demo", value)
        msg = "a demo: reference needs a non-empty demo value"
        raise ValueError(msg)
    msg = (
        "a secret must be a reference, 'env:VARNAME' or 'demo:<demo value>'; "
        "literal secrets do not belong in a profile"
    )
    raise ValueError(msg)
