"""The register's tables (SQLAlchemy Core), split by concept. One MetaData for both backends."""

from demine.store.tables.base import metadata
from demine.store.tables import core, hazards, operations, records, people, projects  # noqa: F401  (register tables)

__all__ = ["metadata"]
