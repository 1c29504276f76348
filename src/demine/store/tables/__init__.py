"""The register's tables (SQLAlchemy Core), split by concept. One MetaData for both backends."""

from demine.store.tables.base import metadata
from demine.store.tables import core, hazards, operations, records, people, projects  # noqa: F401  (register tables)
from demine.store.tables import accounts  # noqa: F401,E402  (web application accounts)
from demine.store.tables import submissions  # noqa: F401,E402  (web entries awaiting review)
from demine.store.tables import changes  # noqa: F401,E402  (write counts behind cached aggregates)
from demine.store.tables import kept_counts  # noqa: F401,E402  (counts kept by triggers for the map and dashboard)

__all__ = ["metadata"]
