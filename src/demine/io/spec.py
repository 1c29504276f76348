"""How an import format is described: its fields, geometry and plausibility checks.

One `ImportFormat` per record kind drives reading, validation, the documentation in docs/import-formats.md and the
export column order, so that the three never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Table

if TYPE_CHECKING:
    from demine.io.validation import CheckContext


class FieldType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    CODE = "code"  # one value of a vocabulary
    CODES = "codes"  # comma-separated values of a vocabulary
    REFERENCE = "reference"  # the code of a record of another kind, resolved to its id
    MODEL = "model"  # an ordnance model of the catalogue


class GeometryRule(StrEnum):
    NONE = "none"
    POINT = "point"  # longitude/latitude (or x/y in a declared CRS) columns, or point features
    AREA = "area"  # polygon or multipolygon: a `wkt` column, or polygon features
    LINE = "line"
    ANY = "any"  # a project may be a road (line), a farm (polygon) or a site (point)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: FieldType
    description: str
    required: bool = False
    vocabulary: type[StrEnum] | None = None
    references: str | None = None  # table name whose `code` this field holds
    column: str | None = None  # target column when it differs from `name` (references: the *_id column)
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None
    default: str | None = None
    aliases: tuple[str, ...] = ()
    not_in_future: bool = False
    stored: bool = True  # False: read and checked, then dropped (e.g. an area the report declares)

    @property
    def target(self) -> str:
        return self.column or self.name


# A plausibility check looks at the whole parsed table at once (vectorised) and returns issues.
Check = Callable[["CheckContext"], list]


@dataclass(frozen=True, slots=True)
class ImportFormat:
    kind: str
    table: Table
    title: str
    description: str
    fields: tuple[Field, ...]
    geometry: GeometryRule = GeometryRule.NONE
    geometry_required: bool = True
    key: str = "code"
    key_aliases: tuple[str, ...] = ()
    key_description: str = "Unique identifier of the record, as the programme writes it."
    checks: tuple[Check, ...] = ()
    # Columns computed by the importer (area, admin area, bounding box), documented for the reader of exports.
    computed: tuple[str, ...] = field(default=())
    assign_admin_area: bool = False

    def field_named(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)
