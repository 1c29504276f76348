"""The ordnance catalogue: models of explosive ordnance the register accepts, with their category.

Seeded with models common in the South Caucasus and former Soviet stockpiles. A programme adds its own models through
the `ordnance_models` table; an item found whose model is neither seeded nor added is rejected by the importer, since
an unknown model is usually a typing error ("PMN2" for "PMN-2") and would split the counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from demine.domain.vocabulary import EOCategory


@dataclass(frozen=True, slots=True)
class OrdnanceModel:
    code: str
    category: EOCategory
    description: str
    # Typical main charge in grams (TNT equivalent), for reference and plausibility only.
    charge_g: float | None = None


SEED_CATALOGUE: tuple[OrdnanceModel, ...] = (
    OrdnanceModel("PMN", EOCategory.AP_MINE, "Blast anti-personnel mine, pressure operated", 240),
    OrdnanceModel("PMN-2", EOCategory.AP_MINE, "Blast anti-personnel mine, pressure operated", 100),
    OrdnanceModel("PMN-4", EOCategory.AP_MINE, "Blast anti-personnel mine, pressure operated", 50),
    OrdnanceModel("PFM-1", EOCategory.AP_MINE, "Scatterable blast anti-personnel mine ('butterfly')", 37),
    OrdnanceModel("POMZ-2M", EOCategory.AP_MINE, "Stake-mounted fragmentation mine, tripwire", 75),
    OrdnanceModel("OZM-72", EOCategory.AP_MINE, "Bounding fragmentation mine", 660),
    OrdnanceModel("MON-50", EOCategory.AP_MINE, "Directional fragmentation mine", 700),
    OrdnanceModel("MON-90", EOCategory.AP_MINE, "Directional fragmentation mine", 6200),
    OrdnanceModel("MON-100", EOCategory.AP_MINE, "Directional fragmentation mine", 2000),
    OrdnanceModel("PMD-6", EOCategory.AP_MINE, "Wooden-cased blast anti-personnel mine", 200),
    OrdnanceModel("TM-57", EOCategory.AT_MINE, "Blast anti-tank mine", 6340),
    OrdnanceModel("TM-62M", EOCategory.AT_MINE, "Blast anti-tank mine, metal case", 7500),
    OrdnanceModel("TM-62P", EOCategory.AT_MINE, "Blast anti-tank mine, plastic case", 7500),
    OrdnanceModel("TM-72", EOCategory.AT_MINE, "Shaped-charge anti-tank mine", 2500),
    OrdnanceModel("TM-83", EOCategory.AT_MINE, "Side-attack anti-tank mine", 9600),
    OrdnanceModel("TMN-46", EOCategory.AT_MINE, "Blast anti-tank mine", 5700),
    OrdnanceModel("9N235", EOCategory.SUBMUNITION, "Fragmentation submunition (9M55K rocket)", 300),
    OrdnanceModel("9N210", EOCategory.SUBMUNITION, "Fragmentation submunition (9M27K rocket)", 300),
    OrdnanceModel("M095", EOCategory.SUBMUNITION, "Dual-purpose improved conventional munition", 30),
    OrdnanceModel("ARTILLERY_122MM", EOCategory.UXO, "122 mm artillery projectile", 3600),
    OrdnanceModel("ARTILLERY_152MM", EOCategory.UXO, "152 mm artillery projectile", 5800),
    OrdnanceModel("MORTAR_82MM", EOCategory.UXO, "82 mm mortar bomb", 400),
    OrdnanceModel("MORTAR_120MM", EOCategory.UXO, "120 mm mortar bomb", 1600),
    OrdnanceModel("ROCKET_122MM", EOCategory.UXO, "122 mm rocket (BM-21)", 6400),
    OrdnanceModel("RPG-7", EOCategory.UXO, "Rocket-propelled grenade", 730),
    OrdnanceModel("F-1", EOCategory.UXO, "Hand grenade", 60),
    OrdnanceModel("RGD-5", EOCategory.UXO, "Hand grenade", 110),
    OrdnanceModel("VOG-17", EOCategory.UXO, "30 mm grenade", 36),
    OrdnanceModel("SAA", EOCategory.UXO, "Small arms ammunition", None),
    OrdnanceModel("AXO_CACHE", EOCategory.AXO, "Abandoned ammunition cache", None),
    OrdnanceModel("IED", EOCategory.IED, "Improvised explosive device", None),
    OrdnanceModel("BOOBY_TRAP", EOCategory.BOOBY_TRAP, "Booby-trap", None),
    OrdnanceModel("UNKNOWN", EOCategory.OTHER, "Model not identified", None),
)


def catalogue_by_code() -> dict[str, OrdnanceModel]:
    return {model.code: model for model in SEED_CATALOGUE}
