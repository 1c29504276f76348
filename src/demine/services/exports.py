"""Export use case: the register to GeoPackage, GeoJSON or CSV."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from demine.io.exporters import export_register
from demine.services.register import Register


def export(register: Register, out: Path, export_format: str, *, kinds: Iterable[str] | None = None,
           include_personal_data: bool = False, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    with register.reading() as connection:
        return export_register(connection, Path(out), export_format, kinds=kinds,
                               include_personal_data=include_personal_data, progress=progress)
