"""Provenance, audit, gazetteer, organisations, teams and the ordnance catalogue."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    func,
)

from demine.store.tables.base import bbox_index, metadata, record_columns, spatial_columns

import_batches = Table(
    "import_batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("file_sha256", String(64), nullable=False, index=True),
    Column("rows_in_file", Integer, nullable=False),
    Column("rows_created", Integer, nullable=False),
    Column("rows_updated", Integer, nullable=False),
    Column("rows_unchanged", Integer, nullable=False),
    Column("rows_flagged", Integer, nullable=False, server_default="0"),
    Column("source_crs", String(64), nullable=True),
    Column("imported_by", String(128), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Every write: who, when, what, before and after. Bulk creation by import is one entry per batch (the batch id is on
# each created row); every update, status change and retirement is one entry per record with before and after.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("table_name", String(64), nullable=False),
    Column("record_code", String(64), nullable=True, index=True),
    Column("import_batch_id", Integer, ForeignKey("import_batches.id"), nullable=True),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
    Column("reason", Text, nullable=True),
)

admin_areas = Table(
    "admin_areas",
    metadata,
    *record_columns(),
    Column("name", String(200), nullable=False),
    Column("level", String(32), nullable=False),
    Column("parent_code", String(64), nullable=True),
    Column("country_code", String(3), nullable=False),
    # Position in the authority's configured order (weekly statements name districts in this order); null = not named.
    Column("reporting_order", Integer, nullable=True),
    Column("area_m2", Float, nullable=False),
    Column("source", Text, nullable=True),
    *spatial_columns("MULTIPOLYGON"),
)
bbox_index(admin_areas)

organisations = Table(
    "organisations",
    metadata,
    *record_columns(),
    Column("name", String(200), nullable=False),
    Column("organisation_type", String(32), nullable=False),
    Column("country_code", String(3), nullable=True),
    Column("accredited", Boolean, nullable=False, server_default="1"),
)

teams = Table(
    "teams",
    metadata,
    *record_columns(),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("method", String(32), nullable=False),
    Column("members", Integer, nullable=False),
    Column("base_name", String(200), nullable=True),
    Column("base_longitude", Float, nullable=True),
    Column("base_latitude", Float, nullable=True),
    Column("active_from", Date, nullable=True),
)

ordnance_models = Table(
    "ordnance_models",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("category", String(32), nullable=False),
    Column("description", Text, nullable=False),
    Column("charge_g", Float, nullable=True),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("table_name", String(64), nullable=False),
    Column("record_code", String(64), nullable=False, index=True),
    Column("file_name", Text, nullable=False),
    Column("media_type", String(128), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("attached_by", String(128), nullable=False),
    Column("attached_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
