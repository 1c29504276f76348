"""Hazard areas (SHA/CHA) and their dated, reasoned status changes."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Float, ForeignKey, Integer, String, Table, Text

from demine.store.tables.base import bbox_index, metadata, record_columns, spatial_columns

hazard_areas = Table(
    "hazard_areas",
    metadata,
    *record_columns(),
    Column("name", String(200), nullable=True),
    Column("hazard_class", String(8), nullable=False),
    Column("hazard_type", String(32), nullable=False),
    Column("work_status", String(16), nullable=False),
    Column("admin_area_id", Integer, ForeignKey("admin_areas.id"), nullable=True, index=True),
    Column("reporting_organisation_id", Integer, ForeignKey("organisations.id"), nullable=True),
    Column("reported_date", Date, nullable=False),
    Column("benchmark_longitude", Float, nullable=False),
    Column("benchmark_latitude", Float, nullable=False),
    Column("area_m2", Float, nullable=False),
    # Comma-separated EO category codes (vocabulary EOCategory).
    Column("suspected_categories", Text, nullable=True),
    Column("confirmed_categories", Text, nullable=True),
    Column("evidence_type", String(32), nullable=True),
    Column("evidence_description", Text, nullable=True),
    Column("evidence_longitude", Float, nullable=True),
    Column("evidence_latitude", Float, nullable=True),
    Column("expected_beneficiaries", Integer, nullable=True),
    Column("land_use", String(64), nullable=True),
    Column("quality_flags", Text, nullable=True),
    *spatial_columns("GEOMETRY"),
)
bbox_index(hazard_areas)

hazard_status_changes = Table(
    "hazard_status_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hazard_area_id", Integer, ForeignKey("hazard_areas.id"), nullable=False, index=True),
    Column("field", String(16), nullable=False),  # "hazard_class" or "work_status"
    Column("from_value", String(16), nullable=False),
    Column("to_value", String(16), nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("changed_by", String(128), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
