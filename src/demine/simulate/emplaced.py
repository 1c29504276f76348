"""What lies in the ground: batches of emplaced items (metric coordinates) and the models the generator lays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demine.domain.ordnance import catalogue_by_code
from demine.domain.vocabulary import EOCategory

# Models the generator uses, in a fixed order: an item stores the index, so batches stay small numpy arrays.
MODEL_CODES: tuple[str, ...] = (
    "PMN", "PMN-2", "PMN-4", "PMD-6", "POMZ-2M", "OZM-72", "MON-50", "PFM-1",  # AP
    "TM-57", "TM-62M", "TM-62P", "TM-72", "TMN-46",  # AT
    "9N235", "9N210", "M095",  # submunitions
    "ARTILLERY_122MM", "ARTILLERY_152MM", "MORTAR_82MM", "MORTAR_120MM", "ROCKET_122MM", "RPG-7", "F-1", "RGD-5",
    "VOG-17",  # UXO
    "AXO_CACHE",
)
_CATALOGUE = catalogue_by_code()
MODEL_CATEGORY: tuple[str, ...] = tuple(_CATALOGUE[code].category.value for code in MODEL_CODES)
MODEL_INDEX: dict[str, int] = {code: i for i, code in enumerate(MODEL_CODES)}
CATEGORY_OF_INDEX = np.array(MODEL_CATEGORY)
IS_AP = CATEGORY_OF_INDEX == EOCategory.AP_MINE.value
IS_AT = CATEGORY_OF_INDEX == EOCategory.AT_MINE.value


def model_indices(codes: list[str]) -> np.ndarray:
    return np.array([MODEL_INDEX[c] for c in codes], dtype=np.int16)


@dataclass(frozen=True, slots=True)
class ItemBatch:
    """Items laid or left by one contamination site; positions in metres (EPSG:32638)."""

    x: np.ndarray
    y: np.ndarray
    model: np.ndarray  # int16 index into MODEL_CODES
    depth_cm: np.ndarray  # float32

    def __len__(self) -> int:
        return len(self.x)

    @staticmethod
    def empty() -> ItemBatch:
        return ItemBatch(np.empty(0), np.empty(0), np.empty(0, np.int16), np.empty(0, np.float32))

    @staticmethod
    def concat(batches: list[ItemBatch]) -> ItemBatch:
        if not batches:
            return ItemBatch.empty()
        return ItemBatch(
            np.concatenate([b.x for b in batches]),
            np.concatenate([b.y for b in batches]),
            np.concatenate([b.model for b in batches]).astype(np.int16),
            np.concatenate([b.depth_cm for b in batches]).astype(np.float32),
        )

    def take(self, mask: np.ndarray) -> ItemBatch:
        return ItemBatch(self.x[mask], self.y[mask], self.model[mask], self.depth_cm[mask])
