"""Incidents and accidents, victims (protected personal data), risk education and survivor assistance."""

from __future__ import annotations

from sqlalchemy import Column, Date, Float, ForeignKey, Integer, String, Table, Text

from demine.store.tables.base import bbox_index, metadata, record_columns, spatial_columns

incidents = Table(
    "incidents",
    metadata,
    *record_columns(),
    Column("kind", String(32), nullable=False),
    Column("incident_date", Date, nullable=False, index=True),
    Column("category", String(16), nullable=False),
    Column("model", String(64), nullable=True),
    Column("activity_of_people", String(32), nullable=False),
    Column("activity_id", Integer, ForeignKey("activities.id"), nullable=True),  # demining accidents only
    Column("admin_area_id", Integer, ForeignKey("admin_areas.id"), nullable=True, index=True),
    Column("killed", Integer, nullable=False),
    Column("injured", Integer, nullable=False),
    Column("description", Text, nullable=True),
    Column("longitude", Float, nullable=False),
    Column("latitude", Float, nullable=False),
    *spatial_columns("POINT"),
)
bbox_index(incidents)

# Personal data: kept in its own table so that roles without the right never join it; public outputs use the
# aggregate columns of `incidents` and the anonymous columns here (sex, age group, outcome, activity) only.
victims = Table(
    "victims",
    metadata,
    *record_columns(),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False, index=True),
    Column("full_name", String(200), nullable=True),
    Column("sex", String(8), nullable=False),
    Column("date_of_birth", Date, nullable=True),
    Column("age_years", Integer, nullable=True),
    Column("age_group", String(16), nullable=False),
    Column("address", Text, nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("activity", String(32), nullable=False),
)

eore_sessions = Table(
    "eore_sessions",
    metadata,
    *record_columns(),
    Column("session_date", Date, nullable=False, index=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("delivery_method", String(32), nullable=False),
    Column("admin_area_id", Integer, ForeignKey("admin_areas.id"), nullable=True, index=True),
    Column("location_name", String(200), nullable=True),
    Column("girls", Integer, nullable=False),
    Column("boys", Integer, nullable=False),
    Column("women", Integer, nullable=False),
    Column("men", Integer, nullable=False),
    Column("elderly_women", Integer, nullable=False),
    Column("elderly_men", Integer, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("latitude", Float, nullable=False),
    *spatial_columns("POINT"),
)

survivor_assistance = Table(
    "survivor_assistance",
    metadata,
    *record_columns(),
    Column("victim_id", Integer, ForeignKey("victims.id"), nullable=False, index=True),
    Column("assistance_type", String(32), nullable=False),
    Column("provided_date", Date, nullable=False),
    Column("provider_organisation_id", Integer, ForeignKey("organisations.id"), nullable=True),
    Column("notes", Text, nullable=True),
)
