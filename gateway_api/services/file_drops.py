"""File drops: pick up partners' inbound files, put our answers back - for any protocol.

`poll_file_drops` is a job (the CLI's `jobs run poll-file-drops`, an Airflow task): every
complete file in the `inbound/` folder of each partner whose connector has a file drop goes
through the same ingest pipeline as an HTTP POST (the folder stands in for the credentials), the
connector's answer (997/999, CONTRL) is written to `outbound/`, and the file is archived - or moved
to `error/` with the reason when nothing in it could be read. A file is archived only after its
transaction committed, so a crash in between leaves it in `inbound/`, and the next run answers it
from the duplicate check: nothing is lost or applied twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from connectors.core.errors import ConnectorError, TransientError
from connectors.core.files import FileDrop
from connectors.core.inbound import InboundRequest, StoreUnavailableError, Transport
from connectors.core.transport import open_file_drop
from gateway_api.services.ingest import IngestPipeline
from gateway_api.services.job_problems import JobProblem
from gateway_api.services.partners import Partner, PartnerDirectory

logger = logging.getLogger(__name__)


@dataclass
class FileDropReport:
    """What one polling run did."""

    files: int = 0
    archived: int = 0
    rejected: int = 0
    acknowledgements: int = 0
    errors: list[str] = field(default_factory=list)
    problems: list[JobProblem] = field(default_factory=list)
    """The errors, classified (a scheduler retries only transient ones)."""

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


def poll_file_drops(
    directory: PartnerDirectory, pipeline: IngestPipeline, *, partner_key: str | None = None
) -> FileDropReport:
    """Process every complete inbound file of every partner with a file drop."""
    report = FileDropReport()
    for partner in directory.all():
        if partner.file_drop is None or partner.inbound is None:
            continue
        if partner_key is not None and partner.key != partner_key:
            continue
        try:
            drop = open_file_drop(partner.file_drop)
        except ConnectorError as error:
            report.errors.append(f"{partner.key}: {error}")
            report.problems.append(JobProblem.of(partner.key, error))
            continue
        try:
            _poll_one(drop, partner, pipeline, report)
        except (ConnectorError, OSError) as error:  # unreachable or refusing us: next run
            report.errors.append(f"{partner.key}: {error}")
            unreachable = TransientError(str(error)) if isinstance(error, OSError) else error
            report.problems.append(JobProblem.of(partner.key, unreachable))
            logger.warning("file drop of %s not polled: %s", partner.key, error)
        finally:
            drop.close()
    return report


def _poll_one(
    drop: FileDrop, partner: Partner, pipeline: IngestPipeline, report: FileDropReport
) -> None:
    """Every complete inbound file of one drop: ingest, answer back, archive (or error/)."""
    for name in drop.pending():
        report.files += 1
        request = InboundRequest(
            body=drop.read(name), transport=Transport.FILE_DROP, remote_addr=f"file-drop:{name}"
        )
        result = pipeline.receive_from(partner, request)
        if result.refusal is not None and isinstance(result.refusal.error, StoreUnavailableError):
            # Nothing was stored: leave this file and the rest in inbound/ for the next run.
            report.errors.append(f"{partner.key} {name}: {result.refusal.error}")
            report.problems.append(JobProblem.of(partner.key, result.refusal.error))
            logger.warning("file drop of %s left for the next run: the store is down", partner.key)
            return
        if result.refusal is not None:
            drop.reject(name, str(result.refusal.error))
            report.rejected += 1
            report.errors.append(f"{partner.key} {name}: {result.refusal.error}")
            logger.warning(
                "file %s of %s moved to error/: %s", name, partner.key, result.refusal.error
            )
            continue
        names = partner.file_drop_connector
        if result.reply.body and names is not None:
            drop.deliver(names.answer_file_name(str(result.received_id)), result.reply.body)
            report.acknowledgements += 1
        drop.archive(name)
        report.archived += 1
