"""File-drop transport for X12 partners: pick up inbound files, write acknowledgements back.

`poll_file_drops` is a job (the CLI's `jobs run poll-file-drops`, an Airflow task later): every
complete file in a partner's `inbound/` goes through the same X12 ingest as an HTTP POST (the
folder stands in for the bearer token), its 997/999 is written to `outbound/`, and the file is
archived - or moved to `error/` with the reason when not one interchange in it is readable. A
file is archived only after its transaction committed, so a crash in between leaves it in
`inbound/`, and the next run answers it from the duplicate check (same ISA13): nothing is lost or
applied twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from connectors.core.errors import ConnectorError
from connectors.core.files import FileDrop, LocalFileDrop
from connectors.core.sftp_drop import SftpAccount, SftpFileDrop
from connectors.x12_partner import X12PartnerConnector
from gateway_api.services.partners import Partner, PartnerConnector, PartnerDirectory
from gateway_api.services.x12_ingest import X12IngestService, X12UnreadableError

logger = logging.getLogger(__name__)


@dataclass
class FileDropReport:
    """What one polling run did."""

    files: int = 0
    archived: int = 0
    rejected: int = 0
    acknowledgements: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Items a person has to look at (exit status 1 in the CLI)."""
        return self.rejected

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "files": self.files,
            "archived": self.archived,
            "rejected": self.rejected,
            "acknowledgements": self.acknowledgements,
            "errors": list(self.errors),
        }


def file_drop_of(partner: Partner[PartnerConnector]) -> FileDrop | None:
    """The partner's file drop (a local folder or an SFTP account), when its profile names one."""
    connector = partner.connector
    if not isinstance(connector, X12PartnerConnector):
        return None
    config = connector.config
    if config.file_drop is not None:
        return LocalFileDrop(Path(config.file_drop))
    if config.sftp is not None and config.sftp_password is not None:
        sftp = config.sftp
        return SftpFileDrop(
            SftpAccount(
                host=sftp.host,
                port=sftp.port,
                username=sftp.username,
                password=config.sftp_password.get_secret_value(),
                host_key_sha256=sftp.host_key_sha256,
                root=sftp.root,
            )
        )
    return None


def poll_file_drops(
    directory: PartnerDirectory, ingest: X12IngestService, *, partner_key: str | None = None
) -> FileDropReport:
    """Process every complete inbound file of every X12 partner with a file drop."""
    report = FileDropReport()
    for partner in directory.all():
        drop = file_drop_of(partner)
        if drop is None or (partner_key is not None and partner.key != partner_key):
            continue
        try:
            _poll_one(drop, partner, ingest, report)
        except (ConnectorError, OSError) as error:  # unreachable or refusing us: next run
            report.errors.append(f"{partner.key}: {error}")
            logger.warning("file drop of %s not polled: %s", partner.key, error)
        finally:
            drop.close()
    return report


def _poll_one(
    drop: FileDrop,
    partner: Partner[PartnerConnector],
    ingest: X12IngestService,
    report: FileDropReport,
) -> None:
    """Every complete inbound file of one drop: ingest, 997 back, archive (or error/)."""
    for name in drop.pending():
        report.files += 1
        try:
            answer = ingest.receive_file(partner.key, drop.read(name), name=name)
        except X12UnreadableError as error:
            drop.reject(name, str(error))
            report.rejected += 1
            report.errors.append(f"{partner.key} {name}: {error}")
            logger.warning("file %s of %s moved to error/: %s", name, partner.key, error)
            continue
        if answer.body:
            drop.deliver(f"997_{answer.document_id}.edi", answer.body)
            report.acknowledgements += 1
        drop.archive(name)
        report.archived += 1
