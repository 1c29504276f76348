"""Counts the map and the dashboard read, kept by triggers as the rows are written (migration 0008).

Each table holds what counts officially (live rows; items and outputs of an approved report or of none), already
grouped, so that a request after a write reads a few hundred rows instead of recounting ten million: a write adds its
rows' part in the same transaction (all or nothing), a review adds or takes away its report's rows, and moving an
activity to another district moves its rows' part. Whatever writes (imports, the bulk path, the web forms, another
client) moves them, like the write counts of store.changes.

map_point_cells carries `seq`, the value of the write count `map_point_cells` when the row last changed: a server
that holds the cells in memory reads only the rows changed since its own count (services.point_grid).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Float, Index, Integer, String, Table, Text

from demine.store.tables.base import metadata

map_point_cells = Table(
    "map_point_cells",
    metadata,
    Column("layer", String(16), primary_key=True),  # items, incidents
    Column("gx", BigInteger, primary_key=True),  # cell on the map's fine lattice (services.point_grid.FINE_LEVEL)
    Column("gy", BigInteger, primary_key=True),
    Column("grp", String(16), primary_key=True),  # the items' category; '' for incidents
    Column("records", BigInteger, nullable=False),
    Column("sum_a", BigInteger, nullable=False),  # items: quantity; incidents: killed
    Column("sum_b", BigInteger, nullable=False),  # incidents: injured
    Column("sum_lon", Float, nullable=False),
    Column("sum_lat", Float, nullable=False),
    Column("seq", BigInteger, nullable=False),
)
Index("ix_map_point_cells_seq", map_point_cells.c.layer, map_point_cells.c.seq)

dashboard_item_days = Table(
    "dashboard_item_days",
    metadata,
    Column("found_date", Date, primary_key=True),
    Column("admin_area_id", Integer, primary_key=True),  # the item's activity's district; -1 for none
    Column("category", String(16), primary_key=True),
    Column("records", BigInteger, nullable=False),
    Column("quantity", BigInteger, nullable=False),
)

dashboard_output_days = Table(
    "dashboard_output_days",
    metadata,
    Column("release_date", Date, primary_key=True),
    Column("admin_area_id", Integer, primary_key=True),
    Column("outcome", String(16), primary_key=True),
    Column("records", BigInteger, nullable=False),
    Column("area_m2", Float, nullable=False),
)

dashboard_item_districts = Table(
    "dashboard_item_districts",
    metadata,
    Column("admin_area_id", Integer, primary_key=True),
    Column("category", String(16), primary_key=True),
    Column("records", BigInteger, nullable=False),
    Column("quantity", BigInteger, nullable=False),
)

dashboard_output_districts = Table(
    "dashboard_output_districts",
    metadata,
    Column("admin_area_id", Integer, primary_key=True),
    Column("outcome", String(16), primary_key=True),
    Column("records", BigInteger, nullable=False),
    Column("area_m2", Float, nullable=False),
)

dashboard_open_hazards = Table(
    "dashboard_open_hazards",
    metadata,
    Column("admin_area_id", Integer, primary_key=True),  # -1 for none
    Column("records", BigInteger, nullable=False),
    Column("area_m2", Float, nullable=False),
)

# Map features updated or deleted, with their table's write count then (store.changes): a server drops the kept texts
# of these features only (services.feature_texts).
feature_changes = Table(
    "feature_changes",
    metadata,
    Column("table_name", String(64), primary_key=True),
    Column("feature_id", BigInteger, primary_key=True),
    Column("seq", BigInteger, nullable=False),
)
Index("ix_feature_changes_seq", feature_changes.c.table_name, feature_changes.c.seq)

# SQLite: each kept insert trigger's work as grouped statements over the rows with an id above `:held`, in order;
# the bulk path of a large import drops the trigger and runs these once after its insert (store/bulk.py).
kept_catch_up = Table(
    "kept_catch_up",
    metadata,
    Column("table_name", String(64), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("statement", Text, nullable=False),
)
