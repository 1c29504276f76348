"""KML placemarks with their ExtendedData, as field tools (Google Earth, phone apps) write them.

GDAL's KML driver reads only a placemark's name and description, so the attributes that carry a record's fields
would be lost; this reader takes `<Data>` and `<SimpleData>` values too and builds the geometry itself.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from demine.errors import Issue, ValidationFailed

NS = "{http://www.opengis.net/kml/2.2}"


def read_kml(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as error:
        raise ValidationFailed([Issue(path.name, None, None, f"not readable KML: {error}")]) from None
    namespace = NS if root.tag.startswith(NS) else ""
    records, geometries = [], []
    for number, placemark in enumerate(root.iter(f"{namespace}Placemark"), start=1):
        record: dict[str, str] = {}
        for tag in ("name", "description"):
            element = placemark.find(f"{namespace}{tag}")
            record[tag] = (element.text or "").strip() if element is not None else ""
        for data in placemark.iter(f"{namespace}Data"):
            value = data.find(f"{namespace}value")
            record[data.get("name", "")] = (value.text or "").strip() if value is not None else ""
        for data in placemark.iter(f"{namespace}SimpleData"):
            record[data.get("name", "")] = (data.text or "").strip()
        records.append(record)
        geometries.append(_geometry(placemark, namespace, path.name, number))
    frame = pd.DataFrame(records).fillna("") if records else pd.DataFrame()
    return frame, np.array(geometries, dtype=object)


def _geometry(element: ElementTree.Element, ns: str, file: str, number: int) -> shapely.Geometry | None:
    parts = []
    for child in element.iter():
        tag = child.tag.removeprefix(ns)
        if tag == "Point":
            parts.append(shapely.Point(_coordinates(child, ns, file, number)[0]))
        elif tag == "LineString":
            parts.append(shapely.LineString(_coordinates(child, ns, file, number)))
        elif tag == "Polygon":
            outer = child.find(f"{ns}outerBoundaryIs")
            inner = child.findall(f"{ns}innerBoundaryIs")
            shell = _coordinates(outer, ns, file, number) if outer is not None else []
            holes = [_coordinates(h, ns, file, number) for h in inner]
            parts.append(shapely.Polygon(shell, holes))
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    kinds = {p.geom_type for p in parts}
    if kinds == {"Polygon"}:
        return shapely.MultiPolygon(parts)
    if kinds == {"LineString"}:
        return shapely.MultiLineString(parts)
    return shapely.GeometryCollection(parts)


def _coordinates(element: ElementTree.Element, ns: str, file: str, number: int) -> list[tuple[float, float]]:
    node = element.find(f".//{ns}coordinates")
    text = (node.text or "") if node is not None else ""
    try:
        return [tuple(float(v) for v in token.split(",")[:2]) for token in text.split()]  # type: ignore[misc]
    except ValueError:
        raise ValidationFailed([Issue(file, number, "geometry", f"bad KML coordinates: '{text.strip()[:60]}'")]) from None
