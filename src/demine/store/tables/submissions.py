"""Records entered through the web application that wait for review before they enter the register.

A hazard from non-technical survey or an incident with its victims is kept here, as the form was filled in (JSON),
while it is saved, submitted or rejected; only on approval is it validated again and written to its register table.
So nothing unapproved ever reaches the official tables, and no query of the register needs to know about review.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, Text

from demine.store.tables.base import metadata

submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),  # the code the record will have in the register
    Column("kind", String(32), nullable=False, index=True),  # an import kind: hazards, incidents
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=True, index=True),
    Column("payload", Text, nullable=False),  # the form's values as typed (JSON); victims' personal data included
    Column("review_status", String(16), nullable=False, index=True),
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("submitted_by", String(128), nullable=True),
    Column("reviewed_by", String(128), nullable=True),
    Column("reviewed_at", DateTime(timezone=True), nullable=True),
    Column("review_comment", Text, nullable=True),
    Column("retired_at", DateTime(timezone=True), nullable=True),
)
