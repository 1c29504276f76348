"""Query results as (Geo)DataFrames: what the analyses (record verification, risk, planning) read from the register.

The database filters and aggregates; the analyses then work column-wise in memory (ARCHITECTURE.md).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from sqlalchemy import Connection
from sqlalchemy.sql import Select


def query_frame(connection: Connection, query: Select) -> pd.DataFrame:
    result = connection.execute(query)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def query_geoframe(connection: Connection, query: Select) -> gpd.GeoDataFrame:
    """The rows with their `geom` column (WGS84, decoded by the Geometry type) as the GeoDataFrame's geometry."""
    frame = query_frame(connection, query)
    geometry = gpd.GeoSeries(list(frame["geom"]) if len(frame) else [], crs="EPSG:4326")
    return gpd.GeoDataFrame(frame.drop(columns="geom"), geometry=geometry, crs="EPSG:4326")
