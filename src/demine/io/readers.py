"""Read an input file of any supported format into text columns, an optional geometry column and row numbers.

Every value is read as text first and typed later by the field rules, so that a bad value is reported with the
exact text the user typed, not as a confusing pandas conversion error.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from demine.errors import Issue, ValidationFailed

TABULAR_SUFFIXES = {".csv", ".txt", ".xlsx"}
SPATIAL_SUFFIXES = {".geojson", ".json", ".gpkg", ".zip", ".shp", ".kml"}
SUPPORTED = sorted(TABULAR_SUFFIXES | SPATIAL_SUFFIXES)
# What Python's str.strip() removes (str.isspace; none lies beyond U+3000), so that Arrow trims exactly the same.
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


@dataclass
class RawTable:
    file: str
    columns: pd.DataFrame  # text values, "" for empty; column names lower-case
    row_numbers: np.ndarray  # what the user sees: CSV line / sheet row (header is 1) or feature number
    geometries: np.ndarray | None = None  # shapely geometries from a spatial file
    crs: str | None = None  # CRS the spatial file declares

    def __len__(self) -> int:
        return len(self.columns)


def read_table(path: Path) -> RawTable:
    suffix = path.suffix.lower()
    if not path.exists():
        raise ValidationFailed([Issue(path.name, None, None, "file not found")])
    if suffix in {".csv", ".txt"}:
        return _read_csv(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix in SPATIAL_SUFFIXES:
        return _read_spatial(path)
    raise ValidationFailed(
        [Issue(path.name, None, None, f"unsupported file type '{suffix}'; use one of {', '.join(SUPPORTED)}")]
    )


def _normalise_names(names: list[str], file: str) -> list[str]:
    cleaned = [str(n).strip().lower().lstrip("\ufeff") for n in names]
    seen: set[str] = set()
    for name in cleaned:
        if name in seen:
            raise ValidationFailed([Issue(file, 1, name, "column appears twice in the header")])
        seen.add(name)
    return cleaned


def _read_csv(path: Path) -> RawTable:
    names = _csv_header(path)
    try:
        table = pacsv.read_csv(path, read_options=_csv_read_options(names), convert_options=_csv_convert_options(names),
                               parse_options=CSV_PARSE)
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise _csv_failure(path, len(names), error) from None
    return RawTable(path.name, _text_frame(table, names), np.arange(2, table.num_rows + 2))


def read_table_parts(path: Path, rows: int) -> Iterator[RawTable]:
    """The file's table in parts of `rows` rows (the last may be shorter), with the file's own row numbers.

    A CSV is read as a stream, so a file of ten million rows never sits in memory whole; the other formats are read
    whole (spreadsheets and spatial files of that size do not occur) and come as one part. A CSV with no data rows
    gives one empty part, so that validation can say so.
    """
    if path.suffix.lower() not in {".csv", ".txt"} or not path.exists():
        yield read_table(path)
        return
    names = _csv_header(path)
    schema = pa.schema([(n, pa.string()) for n in names])
    # Blocks of 16 MB (about 150,000 rows of items found) are gathered, then cut into parts of exactly `rows`.
    options = pacsv.ReadOptions(column_names=names, skip_rows=1, encoding="utf8", block_size=1 << 24)
    first_row, pending, yielded = 2, pa.Table.from_batches([], schema=schema), False
    try:
        for batch in pacsv.open_csv(path, read_options=options, convert_options=_csv_convert_options(names),
                                    parse_options=CSV_PARSE):
            pending = pa.concat_tables([pending, pa.Table.from_batches([batch], schema=schema)])
            while pending.num_rows >= rows:
                yield RawTable(path.name, _text_frame(pending.slice(0, rows), names),
                               np.arange(first_row, first_row + rows))
                first_row, pending, yielded = first_row + rows, pending.slice(rows), True
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise _csv_failure(path, len(names), error) from None
    if pending.num_rows or not yielded:
        yield RawTable(path.name, _text_frame(pending, names), np.arange(first_row, first_row + pending.num_rows))


def _csv_header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        try:
            header = next(csv.reader(handle))
        except StopIteration:
            raise ValidationFailed([Issue(path.name, None, None, "the file is empty")]) from None
        except UnicodeDecodeError as error:
            raise ValidationFailed([Issue(path.name, None, None, _csv_reason(error))]) from None
        except csv.Error as error:
            raise ValidationFailed([Issue(path.name, 1, None, f"unreadable header: {error}")]) from None
    return _normalise_names(header, path.name)


CSV_PARSE = pacsv.ParseOptions(newlines_in_values=True)


def _csv_read_options(names: list[str]) -> pacsv.ReadOptions:
    return pacsv.ReadOptions(column_names=names, skip_rows=1, encoding="utf8")


def _csv_convert_options(names: list[str]) -> pacsv.ConvertOptions:
    return pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                                quoted_strings_can_be_null=False)


def _text_frame(table: pa.Table, names: list[str]) -> pd.DataFrame:
    # Trimmed in Arrow, then converted once: a Python loop per value costs seconds at a million rows. Repeated
    # values (codes, categories, dates) become one shared Python string each (deduplicate_objects).
    trimmed = pa.table({name: pc.utf8_trim(table[name], characters=WHITESPACE) for name in names})
    return trimmed.to_pandas(deduplicate_objects=True, split_blocks=True, self_destruct=True)


def _csv_failure(path: Path, width: int, error: Exception) -> ValidationFailed:
    """The parse error with the row it happened on: Arrow's message names no row, so a malformed file is scanned
    once more with Python's csv module for the first row whose field count differs from the header's."""
    row = _row_in_message(str(error))
    if row is None and not isinstance(error, UnicodeDecodeError) and "UTF8" not in str(error):
        row = _first_row_of_other_width(path, width)
    return ValidationFailed([Issue(path.name, row, None, _csv_reason(error))])


def _first_row_of_other_width(path: Path, width: int) -> int | None:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for number, fields in enumerate(reader, start=2):
            if fields and len(fields) != width:
                return number
    return None


def _row_in_message(message: str) -> int | None:
    # pyarrow says "CSV parse error: Expected 5 columns, got 6: ..." and, in recent versions, the row number.
    marker = "row "
    if marker in message:
        tail = message.split(marker, 1)[1].split()[0].strip(":,")
        if tail.isdigit():
            return int(tail) + 1
    return None


def _csv_reason(error: Exception) -> str:
    text = str(error).split("\n")[0]
    if isinstance(error, UnicodeDecodeError) or "UTF8" in text or "utf8" in text:
        return "the file is not UTF-8 text; save it as CSV UTF-8"
    return f"malformed CSV: {text}"


def _read_xlsx(path: Path) -> RawTable:
    from openpyxl import load_workbook  # imported here: only spreadsheet imports pay for it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise ValidationFailed([Issue(path.name, None, None, f"not a readable XLSX workbook: {error}")]) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = next(rows)
    except StopIteration:
        raise ValidationFailed([Issue(path.name, None, None, "the first sheet is empty")]) from None
    width = max((i + 1 for i, v in enumerate(header) if v not in (None, "")), default=0)
    names = _normalise_names([str(v) for v in header[:width]], path.name)
    records, numbers = [], []
    for number, row in enumerate(rows, start=2):
        values = [_cell_text(v) for v in (tuple(row) + (None,) * width)[:width]]
        if any(values):  # spreadsheets often end in formatted but empty rows
            records.append(values)
            numbers.append(number)
    workbook.close()
    frame = pd.DataFrame(records, columns=names, dtype=object) if records else pd.DataFrame(columns=names)
    return RawTable(path.name, frame, np.asarray(numbers, dtype=int))


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_spatial(path: Path) -> RawTable:
    import pyogrio  # GDAL is loaded only for spatial files

    if path.suffix.lower() == ".kml":
        from demine.io.kml import read_kml

        attributes, geometries = read_kml(path)
        attributes.columns = _normalise_names(list(attributes.columns), path.name)
        return RawTable(path.name, attributes, np.arange(1, len(attributes) + 1), geometries, "EPSG:4326")

    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as error:  # pyogrio wraps GDAL errors in several types
        raise ValidationFailed([Issue(path.name, None, None, f"not a readable spatial file: {error}")]) from None
    crs = frame.crs.to_string() if frame.crs is not None else None
    geometries = np.asarray(frame.geometry.values, dtype=object) if "geometry" in frame else None
    attributes = pd.DataFrame(frame.drop(columns=["geometry"], errors="ignore"))
    attributes.columns = _normalise_names(list(attributes.columns), path.name)
    text = attributes.apply(lambda column: column.map(_cell_text)) if len(attributes.columns) else attributes
    return RawTable(path.name, text.reset_index(drop=True), np.arange(1, len(frame) + 1), geometries, crs)
