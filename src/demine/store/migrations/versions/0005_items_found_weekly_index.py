"""items found: a covering index for the weekly figures replaces the plain found_date index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 15:25:00
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = ["found_date", "activity_id", "progress_report_id", "category", "quantity", "retired_at"]


def upgrade() -> None:
    # found_date leads, so every query the old index served is served by this one too.
    op.create_index("ix_items_found_weekly", "items_found", COLUMNS)
    op.drop_index("ix_items_found_found_date", table_name="items_found")


def downgrade() -> None:
    op.create_index("ix_items_found_found_date", "items_found", ["found_date"])
    op.drop_index("ix_items_found_weekly", table_name="items_found")
