"""What an import read in parts must remember from one part to the next: the codes already met, and the batch totals.

A CSV of ten million items found is validated and written in parts (services.imports), all in one transaction, so
that memory is bounded by the part while the file is still stored whole or not at all. Checks within a part are
validation's; the one check that spans parts is a code given twice, for which only a 64-bit hash and the row of each
code met is kept (16 bytes a row, not a Python string).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from demine.errors import Issue


class CodesMet:
    """The codes of the parts before, as sorted hashes with the row each was first given on."""

    def __init__(self) -> None:
        self._hashes = np.empty(0, dtype=np.uint64)
        self._rows = np.empty(0, dtype=np.int64)

    def repeated(self, file: str, key: str, codes: pd.Series, rows: np.ndarray) -> list[Issue]:
        """An error for each code of this part already given in an earlier part; then remember this part's codes.

        Two different codes with the same 64-bit hash would be taken for one; among ten million codes that happens
        about once in a hundred thousand files, and the message names both rows, so the user can see it.
        """
        present = (codes != "").to_numpy()
        hashes = pd.util.hash_array(codes.to_numpy(dtype=object), categorize=False)
        where = np.searchsorted(self._hashes, hashes)
        inside = where < len(self._hashes)
        hit = np.zeros(len(hashes), dtype=bool)
        hit[inside] = self._hashes[where[inside]] == hashes[inside]
        hit &= present
        issues = [Issue(file, int(rows[i]), key,
                        f"duplicate identifier '{codes.iat[i]}' (first on row {self._rows[where[i]]})")
                  for i in np.flatnonzero(hit)]
        keep = present & ~hit
        merged = np.concatenate([self._hashes, hashes[keep]])
        order = np.argsort(merged, kind="stable")
        self._hashes = merged[order]
        self._rows = np.concatenate([self._rows, rows[keep].astype(np.int64)])[order]
        return issues


@dataclass
class BatchTotals:
    """Rows of the whole file, summed over its parts, for its import batch and its audit entry."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[Issue] = field(default_factory=list)
    batch_id: int | None = None

    @property
    def flagged_rows(self) -> int:
        return len({w.row for w in self.warnings if w.row is not None})


def file_digest(path: Path) -> str:
    """SHA-256 of the file, read in blocks (a file of ten million rows is 1.5 GB)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
