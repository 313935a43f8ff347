"""Settings refuse what would only fail later, on the first document."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway_api.settings import Settings


def test_a_dtd_directory_that_does_not_exist_is_refused_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="is not a directory"):
        Settings(cxml_dtd_dir=tmp_path / "missing")
    assert Settings(cxml_dtd_dir=tmp_path).cxml_dtd_dir == tmp_path
