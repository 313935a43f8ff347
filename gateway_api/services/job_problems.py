"""Why a job could not do its work, classified so a scheduler knows whether to retry.

Jobs keep going past one partner's failure and report it (`JobReport.problems`); the caller
decides what the run as a whole means. Airflow retries a task with backoff only when every
problem is transient (a partner or the database was unreachable); a rejected credential or a
broken configuration fails the task at once, because retrying cannot fix it and only delays
the notification a person needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from connectors.core import AuthenticityError, AuthError, ConfigError, TransientError
from gateway_api.store.ports import StoreUnavailableError


class ProblemKind(StrEnum):
    """What kind of failure stopped part of a job."""

    AUTH = "auth"
    """The partner refused our credentials (or we refused theirs): a person fixes them."""
    CONFIG = "config"
    """A profile or setting is wrong or missing: a person fixes it."""
    TRANSIENT = "transient"
    """Unreachable, timed out, rate limited, 5xx, database down: trying later may work."""
    PERMANENT = "permanent"
    """The partner refused a document for good; it is a dead letter already."""


def classify(error: BaseException) -> ProblemKind:
    """The kind of `error`, from the connector error tree and the store's errors."""
    if isinstance(error, AuthError | AuthenticityError):
        return ProblemKind.AUTH
    if isinstance(error, ConfigError):
        return ProblemKind.CONFIG
    if isinstance(error, TransientError | StoreUnavailableError):
        return ProblemKind.TRANSIENT
    return ProblemKind.PERMANENT


@dataclass(frozen=True)
class JobProblem:
    """One failure a job ran into, for one partner (or none)."""

    partner_key: str | None
    kind: ProblemKind
    message: str

    @classmethod
    def of(cls, partner_key: str | None, error: BaseException) -> JobProblem:
        """The problem `error` means."""
        return cls(partner_key, classify(error), str(error))


class JobFailedError(Exception):
    """A job run that must be reported as failed; `retryable` says whether trying again may
    help (every problem transient)."""

    def __init__(self, job: str, problems: Sequence[JobProblem]) -> None:
        self.job = job
        self.problems = tuple(problems)
        lines = "; ".join(f"{p.partner_key or '-'} ({p.kind}): {p.message}" for p in problems)
        super().__init__(f"{job}: {lines}")

    @property
    def retryable(self) -> bool:
        """True when every problem is transient."""
        return all(p.kind is ProblemKind.TRANSIENT for p in self.problems)
