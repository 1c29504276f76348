"""Domain errors: each carries a user-safe message, an HTTP status and a stable CLI exit code, mapped in one place."""

from __future__ import annotations

from dataclasses import dataclass, field


class DemineError(Exception):
    """Base of every error Demine reports to a user."""

    http_status = 400
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(DemineError):
    http_status = 500
    exit_code = 3


class NotFound(DemineError):
    http_status = 404
    exit_code = 4


class InvalidTransition(DemineError):
    http_status = 409
    exit_code = 5


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding about one row of an input file: where it is, which field, and why."""

    file: str
    row: int | None  # 1-based line in a CSV (header is line 1), row in a sheet, or feature number
    field: str | None
    reason: str
    severity: str = "error"  # "error" rejects the file; "warning" is stored and flagged for review

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        what = f", field '{self.field}'" if self.field else ""
        return f"{where}{what}: {self.reason}"


@dataclass
class ValidationFailed(DemineError):
    """An input was rejected: nothing was written."""

    issues: list[Issue] = field(default_factory=list)
    http_status = 422
    exit_code = 2

    def __post_init__(self) -> None:
        errors = [i for i in self.issues if i.severity == "error"]
        first = str(errors[0]) if errors else "invalid input"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{first}{more}; nothing was written")
