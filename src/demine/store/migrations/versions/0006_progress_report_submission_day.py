"""progress reports: the day the team sent the report, so the data quality section can name late reports

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 18:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: reports imported from before this column existed have no known submission day, and an unknown day is
    # never counted as late.
    op.add_column("progress_reports", sa.Column("submitted_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("progress_reports") as batch:
        batch.drop_column("submitted_on")
