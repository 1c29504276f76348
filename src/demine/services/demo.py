"""Load a generated scenario through the same import services that real files use.

The generator writes files in the documented import formats; this loads them in dependency order, then checks the
files with deliberate data-entry errors to show that validation catches them (nothing of them is stored).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from demine.errors import Issue
from demine.services.imports import ImportResult, check_file, import_file
from demine.services.register import Register
from demine.store.tables.hazards import hazard_areas


@dataclass
class DemoResult:
    scenario_dir: Path
    truth_dir: Path
    imports: list[ImportResult] = field(default_factory=list)
    flagged: dict[str, list[Issue]] = field(default_factory=dict)  # error file -> issues found (nothing stored)
    skipped: bool = False


def register_is_empty(register: Register) -> bool:
    with register.reading() as connection:
        return connection.execute(select(func.count()).select_from(hazard_areas)).scalar_one() == 0


def load_demo(register: Register, out_dir: Path, *, scale: str, seed: int, actor: str,
              progress: Callable[[str], None] | None = None) -> DemoResult:
    from demine.simulate import generate_scenario  # the generator is only needed for demos and benchmarks

    say = progress or (lambda _: None)
    say(f"generating the {scale} scenario (seed {seed})")
    manifest = generate_scenario(Path(out_dir), scale=scale, seed=seed)
    result = DemoResult(manifest.out_dir, manifest.truth_dir)
    result.imports.extend(import_scenario_files(register, manifest.files, actor=actor, progress=say))
    for kind, path in _error_files(manifest.out_dir):
        # Checked, never stored: the error rows repeat clean rows under other codes and would count twice.
        result.flagged[str(path.relative_to(manifest.out_dir))] = check_file(register, kind, path)
    return result


def import_scenario_files(register: Register, files: dict[str, Path], *, actor: str,
                          progress: Callable[[str], None] | None = None) -> list[ImportResult]:
    """A scenario's files (kind -> CSV, in load order) through the import services, one batch per file.

    The bench scale's 12.8 million items found are one file: the import reads, checks and writes a CSV in parts
    (services.imports.PART_ROWS) within its one transaction, so memory stays that of a part.
    """
    say = progress or (lambda _: None)
    results = []
    for kind, path in files.items():
        say(f"importing {kind}")
        results.append(import_file(register, kind, path, actor=actor,
                                   progress=lambda stage, kind=kind: say(f"importing {kind}: {stage}")))
    return results


def _error_files(out_dir: Path) -> list[tuple[str, Path]]:
    folder = out_dir / "errors"
    return [(path.stem, path) for path in sorted(folder.glob("*.csv"))] if folder.is_dir() else []
