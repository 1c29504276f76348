"""SQLite R*Tree index per spatial table; change counts per register table on both backends

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 18:00:00

SQLite: the bbox B-tree on (min_x, max_x, min_y, max_y) is a range on min_x alone, so a viewport read a whole
longitude strip of the table. An R*Tree virtual table `rtree_<table>` (id = the row's id) is kept in step by triggers,
whatever writes the row (ORM, Core, the bulk path's raw executemany, another SQLite client). PostGIS keeps its GiST
index on `geom`.

Both: `register_changes` counts the writes to each table the map and dashboard read (a trigger per row on SQLite, per
statement on PostgreSQL), so a cached aggregate knows, exactly, whether it is still true.

Note for later migrations: Alembic's batch mode on SQLite re-creates a table, which drops its triggers; a migration
that batch-alters a spatial or counted table must create its triggers again (tests/web/test_spatial_index.py checks
that every one exists at head).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SPATIAL_TABLES = (
    "admin_areas", "hazard_areas", "activities", "land_release_outputs", "items_found", "minefield_records",
    "minefield_record_rows", "minefield_record_mines", "incidents", "eore_sessions", "development_projects",
    "record_verifications",
)
COUNTED_TABLES = (
    "admin_areas", "hazard_areas", "activities", "progress_reports", "land_release_outputs", "items_found",
    "incidents", "development_projects", "minefield_records", "record_verifications",
)


def upgrade() -> None:
    op.create_table(
        "register_changes",
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("table_name", name=op.f("pk_register_changes")),
    )
    op.bulk_insert(sa.table("register_changes", sa.column("table_name"), sa.column("changes")),
                   [{"table_name": t, "changes": 0} for t in COUNTED_TABLES])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_counts()
    else:
        _sqlite_counts()
        for table in SPATIAL_TABLES:
            _sqlite_rtree(table)


def _sqlite_rtree(table: str) -> None:
    rtree = f"rtree_{table}"
    op.execute(f"CREATE VIRTUAL TABLE {rtree} USING rtree(id, min_x, max_x, min_y, max_y)")
    op.execute(f"INSERT INTO {rtree} (id, min_x, max_x, min_y, max_y) "
               f"SELECT id, min_x, max_x, min_y, max_y FROM {table} WHERE min_x IS NOT NULL")
    values = "new.id, new.min_x, new.max_x, new.min_y, new.max_y"
    op.execute(f"CREATE TRIGGER {rtree}_insert AFTER INSERT ON {table} WHEN new.min_x IS NOT NULL BEGIN "
               f"INSERT INTO {rtree} (id, min_x, max_x, min_y, max_y) VALUES ({values}); END")
    # Only when the extent (or the id) changes: retiring a record or editing its attributes leaves the index alone.
    op.execute(f"CREATE TRIGGER {rtree}_update AFTER UPDATE OF id, min_x, max_x, min_y, max_y ON {table} BEGIN "
               f"DELETE FROM {rtree} WHERE id = old.id; "
               f"INSERT INTO {rtree} (id, min_x, max_x, min_y, max_y) SELECT {values} WHERE new.min_x IS NOT NULL; "
               f"END")
    op.execute(f"CREATE TRIGGER {rtree}_delete AFTER DELETE ON {table} BEGIN "
               f"DELETE FROM {rtree} WHERE id = old.id; END")


def _sqlite_counts() -> None:
    # SQLite has row triggers only: one counter update per row written (measured: about 2.5 us a row).
    for table in COUNTED_TABLES:
        bump = f"UPDATE register_changes SET changes = changes + 1 WHERE table_name = '{table}'"
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER changes_{table}_{event.lower()} AFTER {event} ON {table} "
                       f"BEGIN {bump}; END")


def _postgresql_counts() -> None:
    # One update per statement: a COPY of ten million rows counts once. The row lock it takes serialises concurrent
    # writers of the same table until they commit, which the register's short write transactions afford.
    op.execute("""
        CREATE FUNCTION demine_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE register_changes SET changes = changes + 1 WHERE table_name = TG_TABLE_NAME;
            RETURN NULL;
        END $$""")
    for table in COUNTED_TABLES:
        op.execute(f"CREATE TRIGGER changes_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION demine_count_change()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in COUNTED_TABLES:
            op.execute(f"DROP TRIGGER changes_{table} ON {table}")
        op.execute("DROP FUNCTION demine_count_change()")
    else:
        for table in COUNTED_TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER changes_{table}_{event}")
        for table in SPATIAL_TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER rtree_{table}_{event}")
            op.execute(f"DROP TABLE rtree_{table}")
    op.drop_table("register_changes")
