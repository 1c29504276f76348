"""Counts for the map's point grid and the dashboard kept by triggers, so that the work after a write is the write's

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 21:00:00

Six tables (store/tables/kept_counts.py) hold what counts officially, grouped: items and incidents per cell of the
map's fine lattice (level 16), items per day, district and category and per district and category, outputs per day,
district and outcome and per district and outcome, open hazards per district. Triggers add each written row's part
(a subtraction for the row as it was, an addition for the row as it is) in the writing transaction, whatever writes;
a review that approves a report (or takes approval away) adds (or subtracts) its items and outputs; an activity moved
to another district moves its rows' part. SQLite has row triggers only (one upsert per row and table); PostgreSQL's
are per statement over the transition tables (one grouped upsert per statement, so a COPY of millions of rows costs
one GROUP BY).

map_point_cells also carries `seq`, the write count `map_point_cells` (register_changes) taken when the row changed:
taken under that count's row lock on PostgreSQL, so the values are committed in order and a reader that saw count N
finds every later change with seq > N.

kept_catch_up (filled on SQLite) holds each insert trigger's work as grouped statements over the rows above an id,
for the bulk path of a large import to run once instead of the trigger per row.

feature_changes names each map feature (hazard, output, district, project, record) updated or deleted, with its
table's write count (0007) at the time: a server drops the kept texts of those features only (services.feature_texts).

The upgrade fills the tables from the rows in SQL, the same grouped statements as the triggers over whole tables.
Not followed: a change of a report's or an activity's id, and TRUNCATE on PostgreSQL (the register retires, it does not
delete, and ids do not change).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FINE_CELL = repr(360.0 / (1 << 16))  # services.point_grid.FINE_LEVEL; exact in binary floating point
SEQ_COUNT = "map_point_cells"
APPROVED = ("({r}.progress_report_id IS NULL OR EXISTS (SELECT 1 FROM progress_reports p "
            "WHERE p.id = {r}.progress_report_id AND p.review_status = 'approved'))")
DISTRICT = "COALESCE((SELECT a.admin_area_id FROM activities a WHERE a.id = {r}.activity_id), -1)"


class Kept:
    """How one source table's rows count into one kept table: keys and summed values as SQL over the row `{r}`."""

    def __init__(self, target: str, source: str, keys: dict[str, str], values: dict[str, str], live: str,
                 approved: bool, seq: bool = False) -> None:
        self.target, self.source, self.keys, self.values = target, source, keys, values
        self.live, self.approved, self.seq = live, approved, seq

    def condition(self, r: str, *, with_approval: bool = True) -> str:
        parts = [self.live] + ([APPROVED] if self.approved and with_approval else [])
        return " AND ".join(p.format(r=r) for p in parts)

    def upsert(self, select_sql: str) -> str:
        columns = [*self.keys, *self.values] + (["seq"] if self.seq else [])
        updates = [f"{v} = {self.target}.{v} + excluded.{v}" for v in self.values]
        updates += ["seq = excluded.seq"] if self.seq else []
        return (f"INSERT INTO {self.target} ({', '.join(columns)}) {select_sql} "
                f"ON CONFLICT ({', '.join(self.keys)}) DO UPDATE SET {', '.join(updates)}")

    def grouped(self, r: str, sign: str, source_sql: str, where: str, seq: str, district: str | None = None) -> str:
        """One grouped upsert of the rows `source_sql` (aliased `r`) meeting `where`, each counted `sign` times."""
        keys = [self._key(k, r, district) for k in self.keys]
        values = [f"SUM(({sign}) * ({v.format(r=r)}))" for v in self.values.values()]
        select_sql = (f"SELECT {', '.join(keys + values + ([seq] if self.seq else []))} FROM {source_sql} "
                      f"WHERE {where} GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}")
        return self.upsert(select_sql)

    def single(self, r: str, sign: str, seq: str) -> str:
        """SQLite's row trigger: the row `r` (new or old) counted `sign` times when it counts."""
        keys = [self._key(k, r, None) for k in self.keys]
        values = [f"({sign}) * ({v.format(r=r)})" for v in self.values.values()]
        select_sql = (f"SELECT {', '.join(keys + values + ([seq] if self.seq else []))} "
                      f"WHERE {self.condition(r)}")
        return self.upsert(select_sql)

    def _key(self, key: str, r: str, district: str | None) -> str:
        expression = self.keys[key]
        if expression == DISTRICT and district is not None:
            return district
        return expression.format(r=r)


def _cell(column: str, origin: str, postgres: bool) -> str:
    value = f"(({{r}}.{column} + {origin}) / {FINE_CELL})"
    return f"CAST(floor{value} AS BIGINT)" if postgres else f"CAST({value} AS INTEGER)"


def kept_specs(postgres: bool) -> list[Kept]:
    gx, gy = _cell("longitude", "180.0", postgres), _cell("latitude", "90.0", postgres)
    return [
        Kept("map_point_cells", "items_found",
             {"layer": "'items'", "gx": gx, "gy": gy, "grp": "{r}.category"},
             {"records": "1", "sum_a": "{r}.quantity", "sum_b": "0", "sum_lon": "{r}.longitude",
              "sum_lat": "{r}.latitude"}, "{r}.retired_at IS NULL", approved=True, seq=True),
        Kept("map_point_cells", "incidents",
             {"layer": "'incidents'", "gx": gx, "gy": gy, "grp": "''"},
             {"records": "1", "sum_a": "{r}.killed", "sum_b": "{r}.injured", "sum_lon": "{r}.longitude",
              "sum_lat": "{r}.latitude"}, "{r}.retired_at IS NULL", approved=False, seq=True),
        Kept("dashboard_item_days", "items_found",
             {"found_date": "{r}.found_date", "admin_area_id": DISTRICT, "category": "{r}.category"},
             {"records": "1", "quantity": "{r}.quantity"}, "{r}.retired_at IS NULL", approved=True),
        Kept("dashboard_output_days", "land_release_outputs",
             {"release_date": "{r}.release_date", "admin_area_id": DISTRICT, "outcome": "{r}.outcome"},
             {"records": "1", "area_m2": "{r}.area_m2"}, "{r}.retired_at IS NULL", approved=True),
        Kept("dashboard_item_districts", "items_found", {"admin_area_id": DISTRICT, "category": "{r}.category"},
             {"records": "1", "quantity": "{r}.quantity"}, "{r}.retired_at IS NULL", approved=True),
        Kept("dashboard_output_districts", "land_release_outputs",
             {"admin_area_id": DISTRICT, "outcome": "{r}.outcome"},
             {"records": "1", "area_m2": "{r}.area_m2"}, "{r}.retired_at IS NULL", approved=True),
        Kept("dashboard_open_hazards", "hazard_areas", {"admin_area_id": "COALESCE({r}.admin_area_id, -1)"},
             {"records": "1", "area_m2": "{r}.area_m2"},
             "{r}.retired_at IS NULL AND {r}.work_status <> 'closed'", approved=False),
    ]


# The source columns a kept part depends on: an update of any other column (a code, a comment) changes nothing.
WATCHED = {
    "items_found": "retired_at, longitude, latitude, category, quantity, progress_report_id, activity_id, found_date",
    "incidents": "retired_at, longitude, latitude, killed, injured",
    "land_release_outputs": "retired_at, release_date, outcome, area_m2, progress_report_id, activity_id",
    "hazard_areas": "retired_at, work_status, admin_area_id, area_m2",
}
REPORTED = ("items_found", "land_release_outputs")  # the sources that count only when their report is approved


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    _create_tables()
    op.bulk_insert(sa.table("register_changes", sa.column("table_name"), sa.column("changes")),
                   [{"table_name": SEQ_COUNT, "changes": 0}])
    specs = kept_specs(postgres)
    for spec in specs:  # the rows as they are, grouped (seq 0: before any server read them)
        district = "COALESCE(a.admin_area_id, -1)"
        source = (f"{spec.source} r LEFT JOIN activities a ON a.id = r.activity_id"
                  if DISTRICT in spec.keys.values() else f"{spec.source} r")
        op.execute(spec.grouped("r", "1", source, spec.condition("r"), "0", district=district))
    if postgres:
        _postgresql_triggers(specs)
        _postgresql_feature_changes()
    else:
        _sqlite_triggers(specs)
        _sqlite_feature_changes()


# --- Which map features changed: their kept texts are dropped, not the whole layer's --------------------------------

FEATURE_TABLES = ("admin_areas", "hazard_areas", "land_release_outputs", "development_projects", "minefield_records")


def _sqlite_feature_changes() -> None:
    # Updates and deletes only: a new row has no kept text to drop. The seq is the table's write count (0007), read
    # before or after this row's count moved (trigger order is not fixed): a reader that saw count N reads seq >= N.
    for table in FEATURE_TABLES:
        count = f"(SELECT changes FROM register_changes WHERE table_name = '{table}')"
        for event, rows in (("update", ("old", "new")), ("delete", ("old",))):
            upserts = "; ".join(
                f"INSERT INTO feature_changes (table_name, feature_id, seq) VALUES ('{table}', {r}.id, {count}) "
                f"ON CONFLICT (table_name, feature_id) DO UPDATE SET seq = excluded.seq" for r in rows)
            op.execute(f"CREATE TRIGGER texts_{table}_{event} AFTER {event.upper()} ON {table} BEGIN {upserts}; END")


def _postgresql_feature_changes() -> None:
    # Named after 0007's changes_<table>: triggers of one event fire in name order, so the count has already moved.
    for table in FEATURE_TABLES:
        for event, ids, referencing in (
                ("update", "SELECT id FROM old_rows UNION SELECT id FROM new_rows",
                 "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                ("delete", "SELECT id FROM old_rows", "OLD TABLE AS old_rows")):
            op.execute(f"""
                CREATE FUNCTION texts_{table}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO feature_changes (table_name, feature_id, seq)
                    SELECT '{table}', changed.id, (SELECT changes FROM register_changes WHERE table_name = '{table}')
                    FROM ({ids}) changed
                    ON CONFLICT (table_name, feature_id) DO UPDATE SET seq = excluded.seq;
                    RETURN NULL;
                END $$""")
            op.execute(f"CREATE TRIGGER texts_{table}_{event} AFTER {event.upper()} ON {table} "
                       f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION texts_{table}_{event}()")


def _create_tables() -> None:
    op.create_table(
        "map_point_cells",
        sa.Column("layer", sa.String(16), nullable=False), sa.Column("gx", sa.BigInteger(), nullable=False),
        sa.Column("gy", sa.BigInteger(), nullable=False), sa.Column("grp", sa.String(16), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False), sa.Column("sum_a", sa.BigInteger(), nullable=False),
        sa.Column("sum_b", sa.BigInteger(), nullable=False), sa.Column("sum_lon", sa.Float(), nullable=False),
        sa.Column("sum_lat", sa.Float(), nullable=False), sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("layer", "gx", "gy", "grp", name=op.f("pk_map_point_cells")),
    )
    op.create_index("ix_map_point_cells_seq", "map_point_cells", ["layer", "seq"])
    op.create_table(
        "dashboard_item_days",
        sa.Column("found_date", sa.Date(), nullable=False), sa.Column("admin_area_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(16), nullable=False), sa.Column("records", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("found_date", "admin_area_id", "category", name=op.f("pk_dashboard_item_days")),
    )
    op.create_table(
        "dashboard_output_days",
        sa.Column("release_date", sa.Date(), nullable=False),
        sa.Column("admin_area_id", sa.Integer(), nullable=False), sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False), sa.Column("area_m2", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("release_date", "admin_area_id", "outcome", name=op.f("pk_dashboard_output_days")),
    )
    op.create_table(
        "dashboard_item_districts",
        sa.Column("admin_area_id", sa.Integer(), nullable=False), sa.Column("category", sa.String(16), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False), sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("admin_area_id", "category", name=op.f("pk_dashboard_item_districts")),
    )
    op.create_table(
        "dashboard_output_districts",
        sa.Column("admin_area_id", sa.Integer(), nullable=False), sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False), sa.Column("area_m2", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("admin_area_id", "outcome", name=op.f("pk_dashboard_output_districts")),
    )
    op.create_table(
        "kept_catch_up",
        sa.Column("table_name", sa.String(64), nullable=False), sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "position", name=op.f("pk_kept_catch_up")),
    )
    op.create_table(
        "feature_changes",
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("feature_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "feature_id", name=op.f("pk_feature_changes")),
    )
    op.create_index("ix_feature_changes_seq", "feature_changes", ["table_name", "seq"])
    op.create_table(
        "dashboard_open_hazards",
        sa.Column("admin_area_id", sa.Integer(), nullable=False), sa.Column("records", sa.BigInteger(), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("admin_area_id", name=op.f("pk_dashboard_open_hazards")),
    )


# --- SQLite: row triggers ---------------------------------------------------------------------------------------------

SQLITE_SEQ = f"(SELECT changes FROM register_changes WHERE table_name = '{SEQ_COUNT}')"
SQLITE_BUMP = f"UPDATE register_changes SET changes = changes + 1 WHERE table_name = '{SEQ_COUNT}'"


def _sqlite_triggers(specs: list[Kept]) -> None:
    catch_up = []
    for source in WATCHED:
        mine = [s for s in specs if s.source == source]
        bump = [SQLITE_BUMP] if any(s.seq for s in mine) else []
        events = {"insert": [s.single("new", "1", SQLITE_SEQ) for s in mine],
                  "update": [s.single(r, sign, SQLITE_SEQ) for s in mine for r, sign in (("old", "-1"), ("new", "1"))],
                  "delete": [s.single("old", "-1", SQLITE_SEQ) for s in mine]}
        for event, statements in events.items():
            on = f"UPDATE OF {WATCHED[source]}" if event == "update" else event.upper()
            body = "; ".join(bump + statements)
            op.execute(f"CREATE TRIGGER kept_{source}_{event} AFTER {on} ON {source} BEGIN {body}; END")
        # What the insert trigger does, as grouped statements over the rows with an id above `:held`: the bulk path of
        # a large import drops the trigger and runs these once after its insert (store/bulk.py), as it does for the
        # R*Tree, instead of one upsert per row and kept table.
        grouped = [s.grouped("r", "1", f"{source} r", f"r.id > :held AND {s.condition('r')}", SQLITE_SEQ)
                   for s in mine]
        catch_up += [{"table_name": source, "position": k, "statement": sql}
                     for k, sql in enumerate(bump + grouped)]
    op.bulk_insert(sa.table("kept_catch_up", sa.column("table_name"), sa.column("position"), sa.column("statement")),
                   catch_up)
    # A review: the report's live rows counted in (approved now) or out (approved before).
    sign = "CASE WHEN new.review_status = 'approved' THEN 1 ELSE -1 END"
    flips = [s.grouped("r", sign, f"{s.source} r",
                       f"r.progress_report_id = new.id AND {s.condition('r', with_approval=False)}", SQLITE_SEQ)
             for s in specs if s.source in REPORTED]
    op.execute("CREATE TRIGGER kept_progress_reports_review AFTER UPDATE OF review_status ON progress_reports "
               "WHEN (old.review_status = 'approved') <> (new.review_status = 'approved') "
               f"BEGIN {SQLITE_BUMP}; {'; '.join(flips)}; END")
    # An activity moved to another district: its counted rows' part moves with it.
    moves = [s.grouped("r", sign, f"{s.source} r", f"r.activity_id = new.id AND {s.condition('r')}", SQLITE_SEQ,
                       district=f"COALESCE({side}.admin_area_id, -1)")
             for s in specs if DISTRICT in s.keys.values() for side, sign in (("old", "-1"), ("new", "1"))]
    op.execute("CREATE TRIGGER kept_activities_district AFTER UPDATE OF admin_area_id ON activities "
               "WHEN old.admin_area_id IS NOT new.admin_area_id "
               f"BEGIN {'; '.join(moves)}; END")


# --- PostgreSQL: statement triggers over the transition tables -------------------------------------------------------

def _postgresql_triggers(specs: list[Kept]) -> None:
    both = "(SELECT o.*, -1 AS sign FROM old_rows o UNION ALL SELECT n.*, 1 AS sign FROM new_rows n)"
    sets = {"insert": ("(SELECT n.*, 1 AS sign FROM new_rows n)", "NEW TABLE AS new_rows"),
            "update": (both, "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            "delete": ("(SELECT o.*, -1 AS sign FROM old_rows o)", "OLD TABLE AS old_rows")}
    for source in WATCHED:
        mine = [s for s in specs if s.source == source]
        for event, (rows, referencing) in sets.items():
            statements = [s.grouped("r", "r.sign", f"{rows} r", s.condition("r"), "stamp") for s in mine]
            _plpgsql(f"kept_{source}_{event}", statements, any(s.seq for s in mine))
            op.execute(f"CREATE TRIGGER kept_{source}_{event} AFTER {event.upper()} ON {source} "
                       f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION kept_{source}_{event}()")
    flipped = ("(SELECT n.id, CASE WHEN n.review_status = 'approved' THEN 1 ELSE -1 END AS sign FROM new_rows n "
               "JOIN old_rows o ON o.id = n.id WHERE (n.review_status = 'approved') <> (o.review_status = 'approved'))")
    flips = [s.grouped("r", "f.sign", f"{s.source} r JOIN {flipped} f ON r.progress_report_id = f.id",
                       s.condition("r", with_approval=False), "stamp") for s in specs if s.source in REPORTED]
    _plpgsql("kept_progress_reports_review", flips, True)
    op.execute("CREATE TRIGGER kept_progress_reports_review AFTER UPDATE ON progress_reports "
               "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION kept_progress_reports_review()")
    moved = ("(SELECT n.id, o.admin_area_id AS area, -1 AS sign FROM new_rows n JOIN old_rows o ON o.id = n.id "
             "WHERE o.admin_area_id IS DISTINCT FROM n.admin_area_id UNION ALL "
             "SELECT n.id, n.admin_area_id, 1 FROM new_rows n JOIN old_rows o ON o.id = n.id "
             "WHERE o.admin_area_id IS DISTINCT FROM n.admin_area_id)")
    moves = [s.grouped("r", "m.sign", f"{s.source} r JOIN {moved} m ON r.activity_id = m.id", s.condition("r"),
                       "stamp", district="COALESCE(m.area, -1)")
             for s in specs if DISTRICT in s.keys.values()]
    _plpgsql("kept_activities_district", moves, False)
    op.execute("CREATE TRIGGER kept_activities_district AFTER UPDATE ON activities "
               "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
               "FOR EACH STATEMENT EXECUTE FUNCTION kept_activities_district()")


def _plpgsql(name: str, statements: list[str], bump: bool) -> None:
    # The write count first: its row lock, held to commit, orders the seq values of concurrent writers.
    stamp = (f"UPDATE register_changes SET changes = changes + 1 WHERE table_name = '{SEQ_COUNT}' "
             "RETURNING changes INTO stamp;") if bump else "stamp := 0;"
    body = " ".join(s + ";" for s in statements)
    op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE stamp bigint; "
               f"BEGIN {stamp} {body} RETURN NULL; END $$")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    triggers = [(f"kept_{source}_{event}", source) for source in WATCHED for event in ("insert", "update", "delete")]
    triggers += [("kept_progress_reports_review", "progress_reports"), ("kept_activities_district", "activities")]
    for name, table in triggers:
        op.execute(f"DROP TRIGGER {name} ON {table}" if postgres else f"DROP TRIGGER {name}")
        if postgres:
            op.execute(f"DROP FUNCTION {name}()")
    op.execute(f"DELETE FROM register_changes WHERE table_name = '{SEQ_COUNT}'")
    for table in FEATURE_TABLES:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER texts_{table}_{event} ON {table}" if postgres else
                       f"DROP TRIGGER texts_{table}_{event}")
            if postgres:
                op.execute(f"DROP FUNCTION texts_{table}_{event}()")
    op.drop_index("ix_feature_changes_seq", table_name="feature_changes")
    for table in ("kept_catch_up", "feature_changes", "dashboard_open_hazards", "dashboard_output_districts",
                  "dashboard_item_districts", "dashboard_output_days", "dashboard_item_days"):
        op.drop_table(table)
    op.drop_index("ix_map_point_cells_seq", table_name="map_point_cells")
    op.drop_table("map_point_cells")
