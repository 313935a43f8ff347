"""Airflow for the DAG tests: a private AIRFLOW_HOME and SQLite metadata database, configured
before anything imports Airflow (Airflow reads its configuration once, at import)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

DAGS_DIR = REPO_ROOT / "dags"
_HOME = Path(tempfile.mkdtemp(prefix="b2connect-airflow-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(DAGS_DIR / "plugins"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_HOME}/airflow.db",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        # Retries in tests wait 1 s, 2 s... instead of 30 s, 1 min...
        "B2CONNECT_DAG_RETRY_DELAY_SECONDS": "1",
    }
)


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Airflow's metadata tables, created once per session."""
    from airflow.utils import db

    db.resetdb()
