"""Reading the planner's TOML files: every wrong value is reported with the file, the key and the reason."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from demine.errors import Issue, ValidationFailed


class TomlSection:
    """Typed access to one table of a TOML file, with errors that name the file and the dotted key."""

    def __init__(self, file: str, data: dict[str, Any], prefix: str = "") -> None:
        self.file, self.data, self.prefix = file, data, prefix

    @classmethod
    def read(cls, path: Path) -> TomlSection:
        try:
            with open(path, "rb") as handle:
                return cls(str(path), tomllib.load(handle))
        except FileNotFoundError:
            raise ValidationFailed([Issue(str(path), None, None, "file not found")]) from None
        except tomllib.TOMLDecodeError as error:
            raise ValidationFailed([Issue(str(path), None, None, f"not valid TOML: {error}")]) from None

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def fail(self, name: str, reason: str) -> ValidationFailed:
        return ValidationFailed([Issue(self.file, None, self.key(name), reason)])

    def section(self, name: str, *, required: bool = False) -> TomlSection:
        value = self.data.get(name, None)
        if value is None:
            if required:
                raise self.fail(name, "missing section")
            value = {}
        if not isinstance(value, dict):
            raise self.fail(name, "must be a table")
        return TomlSection(self.file, value, f"{self.key(name)}.")

    def number(self, name: str, default: float, *, minimum: float = 0.0, maximum: float | None = None) -> float:
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(name, f"must be a number, not {value!r}")
        if value != value or value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            raise self.fail(name, f"must be {bound}, not {value}")
        return float(value)

    def numbers(self, name: str, default: dict[str, float], *, minimum: float = 0.0,
                maximum: float | None = None) -> dict[str, float]:
        table = self.section(name) if name in self.data else TomlSection(self.file, dict(default), self.key(name) + ".")
        return {k: table.number(k, 0.0, minimum=minimum, maximum=maximum) for k in table.data}

    def strings(self, name: str, default: list[str]) -> list[str]:
        value = self.data.get(name, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(name, "must be a list of strings")
        return list(value)

    def unknown(self, known: set[str]) -> None:
        """A misspelt key would silently keep its default: refuse it."""
        extra = sorted(set(self.data) - known)
        if extra:
            raise self.fail(extra[0], f"unknown key; expected one of: {', '.join(sorted(known))}")
