"""Formats of minefield records (CCW Amended Protocol II), their rows and single mine positions."""

from __future__ import annotations

from demine.domain import vocabulary as v
from demine.io import checks
from demine.io.spec import Field, FieldType as T, GeometryRule, ImportFormat
from demine.store.tables.records import minefield_record_mines, minefield_record_rows, minefield_records

RECORD_CODE = Field(
    "record_code", T.REFERENCE, "Minefield record.", required=True, references="minefield_records", column="record_id"
)

RECORDS = ImportFormat(
    kind="records",
    table=minefield_records,
    title="Minefield records",
    description=(
        "Records supplied by the party that laid the mines: perimeter polygon (`wkt` or polygon features), at least "
        "two reference points, types and counts. With --crs the coordinates are read in that CRS (e.g. EPSG:28408, "
        "Pulkovo 1942 / Gauss-Kruger zone 8) and kept as supplied beside the WGS84 conversion."
    ),
    fields=(
        Field("name", T.TEXT, "Name or number on the form."),
        Field("supplying_party", T.TEXT, "Who supplied the record.", required=True),
        Field("received_date", T.DATE, "Date received.", required=True, not_in_future=True),
        Field("laid_date", T.DATE, "Date and time of laying.", not_in_future=True),
        Field("laying_unit", T.TEXT, "Unit that laid the minefield."),
        Field("pattern", T.CODE, "Rows, individual mines, nuisance or remotely delivered.", True, v.MinefieldPattern),
        Field("emplacement_method", T.CODE, "Emplacing method.", vocabulary=v.EmplacementMethod),
        Field("ap_count", T.INTEGER, "Anti-personnel mines laid.", minimum=0, maximum=1000000),
        Field("at_count", T.INTEGER, "Anti-tank mines laid.", minimum=0, maximum=1000000),
        Field("mine_models", T.TEXT, "Models laid, comma-separated catalogue codes."),
        Field("fuze_type", T.TEXT, "Fuze type."),
        Field("fuze_life", T.TEXT, "Fuze life."),
        Field("anti_handling", T.BOOLEAN, "Anti-handling devices fitted."),
        Field("self_destruct_period", T.TEXT, "Self-destruct period (remotely delivered mines)."),
        Field("reference1_x", T.NUMBER, "First reference point, longitude (or x in --crs).", required=True,
              column="reference1_longitude"),
        Field("reference1_y", T.NUMBER, "First reference point, latitude (or y in --crs).", required=True,
              column="reference1_latitude"),
        Field("reference2_x", T.NUMBER, "Second reference point, longitude (or x in --crs).", required=True,
              column="reference2_longitude"),
        Field("reference2_y", T.NUMBER, "Second reference point, latitude (or y in --crs).", required=True,
              column="reference2_latitude"),
    ),
    geometry=GeometryRule.AREA,
    computed=("area_m2", "admin_area_id", "original_crs", "original_wkt"),
    assign_admin_area=True,
    checks=(checks.reference_points_distinct, checks.record_models_known),
)

RECORD_ROWS = ImportFormat(
    kind="record-rows",
    table=minefield_record_rows,
    title="Rows of minefield records",
    description="Rows given by start point, bearing, length and mine spacing; the row line is computed from them.",
    fields=(
        RECORD_CODE,
        Field("row_label", T.TEXT, "Row name on the form (A, B, ...).", required=True),
        Field("start_longitude", T.NUMBER, "Row start, longitude.", required=True, minimum=-180, maximum=180),
        Field("start_latitude", T.NUMBER, "Row start, latitude.", required=True, minimum=-90, maximum=90),
        Field("bearing_deg", T.NUMBER, "Bearing from the start, degrees from true north.", True, minimum=0,
              maximum=360),
        Field("length_m", T.NUMBER, "Row length.", required=True, minimum=0, maximum=20000, unit="m"),
        Field("mine_spacing_m", T.NUMBER, "Distance between mines.", required=True, minimum=0.1, maximum=1000,
              unit="m"),
        Field("mine_count", T.INTEGER, "Mines in the row.", required=True, minimum=0, maximum=100000),
        Field("mine_model", T.MODEL, "Model laid in the row."),
    ),
    checks=(checks.row_count_matches_spacing,),
)

RECORD_MINES = ImportFormat(
    kind="record-mines",
    table=minefield_record_mines,
    title="Single mine positions of minefield records",
    description="Positions of individual mines where the record gives them.",
    fields=(RECORD_CODE, Field("mine_model", T.MODEL, "Model.")),
    geometry=GeometryRule.POINT,
)
