"""Planned development projects that contamination blocks (roads, power lines, solar and wind farms, villages)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Float, ForeignKey, Integer, String, Table, Text

from demine.store.tables.base import bbox_index, metadata, record_columns, spatial_columns

development_projects = Table(
    "development_projects",
    metadata,
    *record_columns(),
    Column("name", String(200), nullable=False),
    Column("project_type", String(32), nullable=False),
    Column("sponsor", String(200), nullable=True),
    Column("funding_usd", Float, nullable=True),
    Column("funded", Boolean, nullable=False),
    Column("ready_date", Date, nullable=True),
    Column("deadline", Date, nullable=True),
    Column("beneficiaries", Integer, nullable=True),
    Column("admin_area_id", Integer, ForeignKey("admin_areas.id"), nullable=True, index=True),
    Column("description", Text, nullable=True),
    *spatial_columns("GEOMETRY"),
)
bbox_index(development_projects)
