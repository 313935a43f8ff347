"""Masking the secrets a cXML document carries, for logs and the document store.

Works on bytes, without parsing, so that it also masks documents that are not well-formed (a
refused body still goes to the log): every `<SharedSecret>` value becomes `***`, including one cut
off at the end of a truncated body.
"""

from __future__ import annotations

import re

_SHARED_SECRET = re.compile(rb"(<SharedSecret\b[^>]*>)(.*?)(</SharedSecret\s*>)", re.DOTALL)
_CUT_SHARED_SECRET = re.compile(rb"(<SharedSecret\b[^>]*>)(?:(?!</SharedSecret).)*\Z", re.DOTALL)


def mask_shared_secrets(body: bytes) -> bytes:
    """`body` with every SharedSecret value replaced by `***`, also one cut off at the end."""
    if b"SharedSecret" not in body:
        return body
    return _CUT_SHARED_SECRET.sub(rb"\1***", _SHARED_SECRET.sub(rb"\1***\3", body))
