"""Minefield records (CCW Amended Protocol II, Technical Annex para 1) with their rows and single mine positions."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, String, Table, Text

from demine.store.tables.base import bbox_index, metadata, record_columns, spatial_columns

minefield_records = Table(
    "minefield_records",
    metadata,
    *record_columns(),
    Column("name", String(200), nullable=True),
    Column("supplying_party", String(200), nullable=False),
    Column("received_date", Date, nullable=False),
    Column("laid_date", Date, nullable=True),
    Column("laying_unit", String(200), nullable=True),
    Column("pattern", String(32), nullable=False),
    Column("emplacement_method", String(32), nullable=True),
    Column("ap_count", Integer, nullable=True),
    Column("at_count", Integer, nullable=True),
    Column("mine_models", Text, nullable=True),  # comma-separated catalogue codes
    Column("fuze_type", String(200), nullable=True),
    Column("fuze_life", String(200), nullable=True),
    Column("anti_handling", Boolean, nullable=True),
    Column("self_destruct_period", String(200), nullable=True),
    Column("reference1_longitude", Float, nullable=False),
    Column("reference1_latitude", Float, nullable=False),
    Column("reference2_longitude", Float, nullable=False),
    Column("reference2_latitude", Float, nullable=False),
    # The record as supplied: its CRS and coordinates, kept beside the WGS84 conversion.
    Column("original_crs", String(64), nullable=True),
    Column("original_wkt", Text, nullable=True),
    Column("admin_area_id", Integer, ForeignKey("admin_areas.id"), nullable=True, index=True),
    Column("area_m2", Float, nullable=False),
    Column("quality_flags", Text, nullable=True),
    *spatial_columns("GEOMETRY"),  # the perimeter
)
bbox_index(minefield_records)

minefield_record_rows = Table(
    "minefield_record_rows",
    metadata,
    *record_columns(),
    Column("record_id", Integer, ForeignKey("minefield_records.id"), nullable=False, index=True),
    Column("row_label", String(32), nullable=False),
    Column("start_longitude", Float, nullable=False),
    Column("start_latitude", Float, nullable=False),
    Column("bearing_deg", Float, nullable=False),
    Column("length_m", Float, nullable=False),
    Column("mine_spacing_m", Float, nullable=False),
    Column("mine_count", Integer, nullable=False),
    Column("mine_model", String(64), nullable=True),
    *spatial_columns("LINESTRING"),
)

minefield_record_mines = Table(
    "minefield_record_mines",
    metadata,
    *record_columns(),
    Column("record_id", Integer, ForeignKey("minefield_records.id"), nullable=False, index=True),
    Column("mine_model", String(64), nullable=True),
    Column("longitude", Float, nullable=False),
    Column("latitude", Float, nullable=False),
    *spatial_columns("POINT"),
)

# One row per record per `demine records verify` run (older runs are kept: how a record's standing changed is
# evidence too). The geometry is the proposed corrected perimeter of a shifted record, the part not yet released;
# it is a proposal to planners and is never written back to the record.
record_verifications = Table(
    "record_verifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", Integer, ForeignKey("minefield_records.id"), nullable=False, index=True),
    Column("run_at", DateTime(timezone=True), nullable=False, index=True),
    Column("run_by", String(128), nullable=False),
    Column("verification_class", String(24), nullable=False),
    Column("tolerance_m", Float, nullable=False),
    Column("buffer_m", Float, nullable=False),
    Column("recorded_mines", Integer, nullable=False),
    Column("worked_before", Integer, nullable=False),
    Column("match_before", Float, nullable=True),
    Column("worked_after", Integer, nullable=False),
    Column("match_after", Float, nullable=True),
    Column("inside_share", Float, nullable=True),
    Column("explained_share", Float, nullable=True),
    Column("worked_area_share", Float, nullable=False),
    Column("cleared_area_share", Float, nullable=False),
    Column("confirmed_area_share", Float, nullable=False),
    Column("shift_dx_m", Float, nullable=True),  # east, metres: the reference-point error (record -> ground)
    Column("shift_dy_m", Float, nullable=True),  # north
    Column("rotation_deg", Float, nullable=True),  # clockwise, like a bearing
    Column("residual_m", Float, nullable=True),
    Column("metrics", Text, nullable=False),  # every metric as JSON, for export
    *spatial_columns("GEOMETRY", nullable=True),
)
bbox_index(record_verifications)
