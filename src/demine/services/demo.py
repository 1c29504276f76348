"""Load a generated scenario through the same import services that real files use.

The generator writes files in the documented import formats; this loads them in dependency order, then checks the
files with deliberate data-entry errors to show that validation catches them (nothing of them is stored).
"""

from __future__ import annotations

import csv
import tempfile
from itertools import chain, count, islice
from collections.abc import Callable, Iterator
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
    """A scenario's files (kind -> CSV, in load order) through the import services, big ones in parts."""
    say = progress or (lambda _: None)
    results = []
    for kind, path in files.items():
        for number, part in enumerate(parts(path, ROWS_PER_IMPORT), start=1):
            say(f"importing {kind}" + (f" (part {number})" if number > 1 or part != path else ""))
            results.append(import_file(register, kind, part, actor=actor))
    return results


# An import validates a whole file in memory before writing anything (so that a bad row leaves nothing half-written):
# 12.8 million items of the bench scale in one file took 15 GB. The demo therefore loads big files in parts of this
# many rows, each its own all-or-nothing import batch, as a programme would send them week by week.
ROWS_PER_IMPORT = 1_000_000


def parts(path: Path, rows: int) -> Iterator[Path]:
    """The file itself when it holds at most `rows` data rows, else temporary CSV parts of `rows` rows each (the
    header repeated), each deleted once the caller asks for the next."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        first = list(islice(reader, rows))
        following = next(reader, None)
        if header is None or following is None:
            yield path
            return
        rest = chain(first, [following], reader)
        with tempfile.TemporaryDirectory(prefix="demine-parts-") as folder:
            for number in count(1):
                block = list(islice(rest, rows))
                if not block:
                    return
                part = Path(folder) / f"{path.stem}-{number:04d}.csv"
                with part.open("w", newline="", encoding="utf-8") as out:
                    writer = csv.writer(out, lineterminator="\n")
                    writer.writerow(header)
                    writer.writerows(block)
                yield part
                part.unlink()


def _error_files(out_dir: Path) -> list[tuple[str, Path]]:
    folder = out_dir / "errors"
    return [(path.stem, path) for path in sorted(folder.glob("*.csv"))] if folder.is_dir() else []
