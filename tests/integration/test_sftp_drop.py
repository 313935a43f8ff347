"""The SFTP file drop against a real SFTP server on 127.0.0.1: same behaviour as a local folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from connectors.core import AuthError
from connectors.core.sftp_drop import SftpAccount, SftpFileDrop
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.services.jobs import JOBS
from gateway_api.settings import Settings
from tests.support.clock import FakeClock
from tests.support.sftp_server import PASSWORD, USER, RunningSftp, sftp_server
from tests.support.x12_documents import order_850, retailer_interchange


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, RunningSftp]]:
    root = tmp_path / "sftp-root"
    (root / "acme").mkdir(parents=True)
    with sftp_server(root) as running:
        yield root / "acme", running


def _account(running: RunningSftp, **changes: object) -> SftpAccount:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": running.port,
        "username": USER,
        "password": PASSWORD,
        "host_key_sha256": running.host_key_sha256,
        "root": "/acme",
    }
    values.update(changes)
    return SftpAccount(**values)  # type: ignore[arg-type]


def test_the_sftp_drop_moves_and_writes_files(served: tuple[Path, RunningSftp]) -> None:
    folder, running = served
    with SftpFileDrop(_account(running)) as drop:
        assert drop.pending() == []  # folders created on the server
        (folder / "inbound" / "po.edi").write_bytes(b"ISA...")
        (folder / "inbound" / "half.edi.part").write_bytes(b"IS")
        assert drop.pending() == ["po.edi"]
        assert drop.read("po.edi") == b"ISA..."
        drop.archive("po.edi")
        where = drop.deliver("997_1.edi", b"ISA*997")
    assert (folder / "archive" / "po.edi").read_bytes() == b"ISA..."
    assert (folder / "outbound" / "997_1.edi").read_bytes() == b"ISA*997"
    assert where.endswith("/acme/outbound/997_1.edi")
    assert not list((folder / "outbound").glob("*.part"))


def test_a_wrong_host_key_or_password_is_refused(served: tuple[Path, RunningSftp]) -> None:
    _, running = served
    with pytest.raises(AuthError, match="host key"):
        SftpFileDrop(_account(running, host_key_sha256="SHA256:not-this-one")).connect()
    with pytest.raises(AuthError, match="refused the login"):
        SftpFileDrop(_account(running, password="wrong")).connect()


@pytest.fixture
def runtime(
    settings: Settings,
    clock: FakeClock,
    mappings_dir: Path,
    served: tuple[Path, RunningSftp],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Runtime]:
    _, running = served
    path = mappings_dir / "partners" / "edi-demo" / "profile.yaml"
    profile = yaml.safe_load(path.read_text())
    profile["connector_config"]["sftp"] = {
        "host": "127.0.0.1",
        "port": running.port,
        "username": USER,
        "host_key_sha256": running.host_key_sha256,
        "root": "/acme",
    }
    profile["secrets"]["sftp_password"] = "demo:" + PASSWORD
    path.write_text(yaml.safe_dump(profile))
    built = build_runtime(settings, clock=clock)
    built.sync_partners()
    yield built
    built.close()


def test_the_poll_job_reads_the_partners_sftp_drop(
    runtime: Runtime, served: tuple[Path, RunningSftp]
) -> None:
    folder, _ = served
    assert JOBS["poll-file-drops"](runtime).as_dict()["files"] == 0
    (folder / "inbound" / "po.edi").write_bytes(
        retailer_interchange(order_850("SF-1", [("AC-1001", 1, "1")]))
    )
    report = JOBS["poll-file-drops"](runtime).as_dict()
    assert (report["files"], report["archived"], report["acknowledgements"]) == (1, 1, 1)
    assert (folder / "archive" / "po.edi").exists()
    (ack,) = (folder / "outbound").iterdir()
    assert b"AK9*A*1*1*1~" in ack.read_bytes()
