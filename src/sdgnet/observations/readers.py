"""Read observation files into raw rows: CSV (long and wide), Excel .xlsx, JSON-stat 2.0
(SSB PxWeb) and Open SDG's CSV. No models and no database: of Django only its translation,
so problems and notes are in the active language (bokmål on the pages, see ``COLUMN_LABELS``).

Readers never judge values: a row keeps the text as written (place "301", value "12,5",
"..") and ``validation.validate`` decides. Bad *content* never raises: it comes back as
``Problem``s with line numbers. Only I/O errors (missing file, no permission) raise.

Format detection, content first and the file name second:
- ``PK\\x03\\x04`` (a zip) → xlsx; an OLE header → refused as old .xls; a ``.xlsx`` name
  that is not a zip → "not a valid xlsx file".
- text starting with ``{`` (or a ``.json`` name) → JSON-stat.
- other text → delimited text; the separator is whichever of ``;`` ``,`` tab occurs most
  in the header line. A header with ``GeoCode`` (or a file named ``indicator_*.csv``) is
  Open SDG; a header naming place, year and value columns is long; a header with a place
  column and 4-digit year columns is wide.
Text is decoded as UTF-8 (a BOM is dropped), else UTF-16 when it has a UTF-16 BOM, else
Windows-1252; ``ReadResult.encoding`` says which.

The decimal mark is the values' business (``validation``), but what the format implies is
told here, in ``ReadResult.decimal_mark``: a ``;``-separated file is what spreadsheets save
where the decimal mark is the comma, a ``,``-separated one and JSON-stat use the point.
A number cell (xlsx, a JSON number) is written so that no reading of text can take its
point for a thousands separator (``_number_text``).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import json
import math
import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from tqdm import tqdm


@dataclass(frozen=True, slots=True)
class RawRow:
    """One observation as written in the file."""

    line: int  # as a person counts it: header = 1; xlsx sheet row; JSON-stat value position
    place: str
    indicator: str | None  # None: the file does not name it, the caller's default applies
    year: str
    value: str  # "" / ".." / ":" / "-" mean missing; validation decides
    unit: str | None = None
    flags: str | None = None  # status such as "provisional"
    source: str | None = None  # where the value comes from, when the file says per row


# What a person reads for a problem's column code. The code itself (`Problem.column`, the
# API's `field`) stays as it is: machine-readable, the same in every language.
COLUMN_LABELS = {
    "place": pgettext_lazy("observation column", "place"),
    "indicator": pgettext_lazy("observation column", "indicator"),
    "year": pgettext_lazy("observation column", "year"),
    "value": pgettext_lazy("observation column", "value"),
    "unit": pgettext_lazy("observation column", "unit"),
    "flags": pgettext_lazy("observation column", "flags"),
    "source": pgettext_lazy("observation column", "source"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the file or one of its rows. ``column`` is a code (``"year"``,
    or a JSON-stat dimension's id); ``message`` is in the language active when it was made."""

    line: int | None
    column: str | None
    message: str

    @property
    def column_label(self) -> str:
        """The column as a person reads it in the active language; a code not in
        ``COLUMN_LABELS`` (a file's own dimension name) as it is."""
        if not self.column:
            return ""
        return str(COLUMN_LABELS.get(self.column, self.column))

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(_("line %(line)s") % {"line": self.line})
        if self.column:
            where.append(_("column %(column)s") % {"column": repr(self.column_label)})
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class ReadResult:
    format: str  # "csv-long", "csv-wide", "xlsx-long", "xlsx-wide", "json-stat", "open-sdg", …
    rows: list[RawRow]
    problems: list[Problem]
    encoding: str | None = None  # "utf-8", "utf-8-sig", "utf-16", "cp1252" for text files
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)  # facts worth telling, not problems
    # The decimal mark the format implies, for values that do not show one: "," for
    # ";"-separated text, "." for ","-separated text and JSON-stat, None when it implies
    # none (tab-separated text, xlsx). What the values show comes first (validation).
    decimal_mark: str | None = None


# Files this large get a progress bar when asked for; smaller ones finish too fast to need one.
PROGRESS_MIN_BYTES = 5_000_000
_CHUNK_ROWS = 65_536
_SNIFF_BYTES = 65_536

_PLACE_NAMES = (
    "place", "municipality", "municipality_code", "municipality_number", "kommune",
    "kommunenummer", "kommunenr", "kommune_nr", "knr", "region", "region_code", "regionkode",
    "geocode", "geo_code", "sted", "area", "area_code",
)  # fmt: skip
_INDICATOR_NAMES = (
    "indicator", "indicator_id", "indicator_key", "indikator", "indikator_id", "contentscode",
    "statistikkvariabel", "kpi", "series", "serie",
)  # fmt: skip
_YEAR_NAMES = ("year", "år", "aar", "ar", "tid", "time", "time_period", "period", "periode")
_VALUE_NAMES = ("value", "verdi", "obs_value", "observation", "observasjon", "value_")
_UNIT_NAMES = (
    "unit",
    "units",
    "enhet",
    "måleenhet",
    "maaleenhet",
    "unit_measure",
    "unit_of_measure",
)
_FLAG_NAMES = ("flags", "flag", "status", "obs_status", "observation_status", "merknad")
_SOURCE_NAMES = ("source", "kilde", "datakilde", "data_source")

_YEAR_HEADER = re.compile(r"^\d{4}$")
_OPEN_SDG_FILE = re.compile(r"^indicator_(?P<id>[0-9a-zA-Z]+(?:-[0-9a-zA-Z]+)+)\.csv$")


def read_observations(
    path: Path, *, default_indicator: str | None = None, progress: bool = False
) -> ReadResult:
    """Read ``path`` into raw rows and problems; raises only ``OSError``."""
    data = Path(path).read_bytes()
    return read_observations_from_bytes(
        data, filename=Path(path).name, default_indicator=default_indicator, progress=progress
    )


def read_observations_from_bytes(
    data: bytes,
    *,
    filename: str,
    default_indicator: str | None = None,
    progress: bool = False,
) -> ReadResult:
    """Like ``read_observations`` for an uploaded file held in memory."""
    suffix = Path(filename).suffix.lower()
    show_progress = progress and len(data) >= PROGRESS_MIN_BYTES
    if not data.strip():
        return _refused("empty", _("the file is empty"))
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, filename, default_indicator, show_progress)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return _refused(
            "xls", _("this is an old Excel .xls (or other binary Office) file; save it as .xlsx")
        )
    if suffix in (".xlsx", ".xlsm"):
        return _refused("xlsx", _("not a valid xlsx file (it is not a zip archive)"))
    decoded = _decode_text(data)
    if decoded is None:
        return _refused("binary", _("not a text file, and not a valid xlsx or JSON-stat file"))
    text, encoding = decoded
    if suffix == ".json" or text.lstrip()[:1] in ("{", "["):
        result = _read_json_stat(text, default_indicator, show_progress)
    else:
        result = _read_delimited(text, filename, default_indicator, show_progress)
    result.encoding = encoding
    if encoding == "cp1252":
        result.notes.append(_("the file is not UTF-8; it was read as Windows-1252"))
    return result


def _refused(file_format: str, message: str) -> ReadResult:
    return ReadResult(format=file_format, rows=[], problems=[Problem(None, None, message)])


def _decode_text(data: bytes) -> tuple[str, str] | None:
    """The text and the encoding that fits, or None when the bytes are not text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None
    if b"\x00" in data[:_SNIFF_BYTES]:
        return None
    try:
        if data.startswith(codecs.BOM_UTF8):
            text, encoding = data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        else:
            text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return None
    sample = text[:_SNIFF_BYTES]
    # Text files hold no control characters besides tab, newlines and form feed.
    controls = sum(1 for char in sample if char < " " and char not in "\t\n\r\f")
    if controls > len(sample) // 100:
        return None
    return text, encoding


def _header_key(name: str) -> str:
    """A column name reduced to compare liberally: "Kommune-nummer " → "kommune_nummer"."""
    key = name.strip().strip("\ufeff").strip().lower()
    return re.sub(r"[\s\-./]+", "_", key)


def _text_cell(text: str) -> str | None:
    """A free-text cell (source, flags) as stored: None when blank, and without the quote
    our exports put before text a spreadsheet would run as a formula ("'=…", "'-")."""
    text = text.strip()
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text or None


# What a spreadsheet runs as a formula; our exports put a quote before text that starts so
# (sdgnet.observations.exports), and reading the file again takes it off.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


_LOOKS_GROUPED = re.compile(r"^-?[1-9]\d{0,2}\.\d{3}$")


def _number_text(value: float) -> str:
    """A number stored as a number (an xlsx number cell, a JSON number) as Python writes
    it, with a trailing zero where that would look like thousands grouped with a point
    ("130.921" → "130.9210"), so that validation reads it as the decimal it is in any file."""
    text = repr(value)
    return text + "0" if _LOOKS_GROUPED.match(text) else text


def _cell_text(value: Any) -> str:
    """An Excel cell as the text a person sees, never evaluated."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return _number_text(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


# ---------------------------------------------------------------------------------------
# Tables (CSV and xlsx share these rules)


@dataclass(frozen=True)
class _Layout:
    kind: str  # "long", "wide", "open-sdg"
    place: int
    year: int | None = None
    value: int | None = None
    indicator: int | None = None
    unit: int | None = None
    flags: int | None = None
    year_columns: tuple[tuple[int, str], ...] = ()
    ignored: tuple[str, ...] = ()
    source: int | None = None


def _find_column(keys: Sequence[str], names: Iterable[str]) -> int | None:
    wanted = set(names)
    for index, key in enumerate(keys):
        if key in wanted:
            return index
    return None


def _detect_layout(header: Sequence[str], filename: str) -> tuple[_Layout | None, list[Problem]]:
    keys = [_header_key(name) for name in header]
    named = [key for key in keys if key]
    duplicates = sorted({key for key in named if named.count(key) > 1})
    if duplicates:
        names = ", ".join(repr(key) for key in duplicates)
        return None, [
            Problem(
                1, None, _("the header names these columns twice: %(names)s") % {"names": names}
            )
        ]
    if (
        "geocode" in keys
        and _OPEN_SDG_FILE.match(filename) is None
        and (_find_column(keys, ("place", "municipality", "kommune", "kommunenummer")) is not None)
    ):
        pass  # an ordinary long file that happens to carry a GeoCode column
    elif "geocode" in keys or _OPEN_SDG_FILE.match(filename):
        return _detect_open_sdg_layout(header, keys)

    place = _find_column(keys, _PLACE_NAMES)
    unit = _find_column(keys, _UNIT_NAMES)
    if place is None and unit is not None:
        place, unit = unit, None  # "unit" as in local unit: the only column naming the place
    year = _find_column(keys, _YEAR_NAMES)
    value = _find_column(keys, _VALUE_NAMES)
    indicator = _find_column(keys, _INDICATOR_NAMES)
    flags = _find_column(keys, _FLAG_NAMES)
    source = _find_column(keys, _SOURCE_NAMES)
    year_columns = tuple((index, key) for index, key in enumerate(keys) if _YEAR_HEADER.match(key))
    known = {place, year, value, indicator, unit, flags, source}
    if place is not None and year is not None and value is not None:
        ignored = tuple(header[i].strip() for i in range(len(keys)) if i not in known and keys[i])
        layout = _Layout("long", place, year, value, indicator, unit, flags, (), ignored, source)
        return layout, []
    if place is not None and year_columns and year is None and value is None:
        year_indexes = {index for index, _year in year_columns}
        ignored = tuple(
            header[i].strip()
            for i in range(len(keys))
            if i not in known and i not in year_indexes and keys[i]
        )
        layout = _Layout(
            "wide", place, None, None, indicator, unit, flags, year_columns, ignored, source
        )
        return layout, []
    found = ", ".join(repr(name.strip()) for name in header if name.strip()) or _("nothing")
    return None, [
        Problem(
            1,
            None,
            _(
                "the header must name a place column (place, municipality, kommune, region), "
                "a year column and a value column, or a place column and one column per year; "
                "found %(found)s"
            )
            % {"found": found},
        )
    ]


def _detect_open_sdg_layout(
    header: Sequence[str], keys: Sequence[str]
) -> tuple[_Layout | None, list[Problem]]:
    place = _find_column(keys, ("geocode",))
    year = _find_column(keys, ("year",))
    value = _find_column(keys, ("value",))
    missing = [
        name
        for name, index in (("GeoCode", place), ("Year", year), ("Value", value))
        if index is None
    ]
    if place is None or year is None or value is None:
        return None, [
            Problem(
                1,
                None,
                _(
                    "an Open SDG file needs the columns Year, GeoCode and Value; missing "
                    "%(missing)s (a file without GeoCode holds national figures, not municipal ones)"
                )
                % {"missing": ", ".join(missing)},
            )
        ]
    unit = _find_column(keys, ("units", "unit"))
    flags = _find_column(keys, ("observation_status", "obs_status", "status"))
    layout = _Layout("open-sdg", place, year, value, None, unit, flags)
    return layout, []


def _read_table(
    header: Sequence[str],
    records: Iterator[tuple[int, list[str]]],
    *,
    filename: str,
    format_prefix: str,
    default_indicator: str | None,
    bar: tqdm[Any] | None,
) -> ReadResult:
    layout, problems = _detect_layout(header, filename)
    if layout is None:
        return ReadResult(format=format_prefix, rows=[], problems=problems)
    if layout.kind == "open-sdg":
        return _read_open_sdg_table(header, layout, records, filename, default_indicator)
    result = ReadResult(format=f"{format_prefix}-{layout.kind}", rows=[], problems=problems)
    if layout.ignored:
        ignored = ", ".join(repr(name) for name in layout.ignored)
        result.notes.append(_("columns not imported: %(columns)s") % {"columns": ignored})
    width = len(header)
    collect = _collect_long if layout.kind == "long" else _collect_wide
    while True:
        chunk = list(itertools.islice(records, _CHUNK_ROWS))
        if not chunk:
            break
        collect(chunk, layout, width, result.rows, result.problems)
        if bar is not None:
            bar.update(len(chunk))
    if not result.rows and not result.problems:
        result.problems.append(Problem(None, None, _("the file has a header but no data rows")))
    return result


def _fit_width(
    line: int, cells: list[str], width: int, problems: list[Problem]
) -> list[str] | None:
    """The row cut or padded to the header's width, or None (and a problem) if it is ragged."""
    if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
        return cells[:width]  # trailing separators, as spreadsheet exports write them
    if len(cells) < width and all(not cell.strip() for cell in cells):
        return None  # an empty line: nothing to say
    problems.append(
        Problem(
            line,
            None,
            ngettext(
                "the row has %(fields)s field but the header has %(width)s",
                "the row has %(fields)s fields but the header has %(width)s",
                len(cells),
            )
            % {"fields": len(cells), "width": width},
        )
    )
    return None


def _collect_long(
    chunk: list[tuple[int, list[str]]],
    layout: _Layout,
    width: int,
    rows: list[RawRow],
    problems: list[Problem],
) -> None:
    place_at, year_at, value_at = layout.place, layout.year, layout.value
    assert year_at is not None and value_at is not None
    indicator_at, unit_at, flags_at = layout.indicator, layout.unit, layout.flags
    source_at = layout.source
    append = rows.append
    for line, cells_as_read in chunk:
        cells = cells_as_read
        if len(cells) != width:
            fitted = _fit_width(line, cells, width, problems)
            if fitted is None:
                continue
            cells = fitted
        indicator = cells[indicator_at].strip() or None if indicator_at is not None else None
        unit = cells[unit_at].strip() or None if unit_at is not None else None
        flags = _text_cell(cells[flags_at]) if flags_at is not None else None
        source = _text_cell(cells[source_at]) if source_at is not None else None
        append(
            RawRow(
                line,
                cells[place_at].strip(),
                indicator,
                cells[year_at].strip(),
                cells[value_at].strip(),
                unit,
                flags,
                source,
            )
        )


def _collect_wide(
    chunk: list[tuple[int, list[str]]],
    layout: _Layout,
    width: int,
    rows: list[RawRow],
    problems: list[Problem],
) -> None:
    place_at, indicator_at, unit_at, flags_at = (
        layout.place, layout.indicator, layout.unit, layout.flags,
    )  # fmt: skip
    source_at = layout.source
    for line, cells_as_read in chunk:
        cells = cells_as_read
        if len(cells) != width:
            fitted = _fit_width(line, cells, width, problems)
            if fitted is None:
                continue
            cells = fitted
        place = cells[place_at].strip()
        indicator = cells[indicator_at].strip() or None if indicator_at is not None else None
        unit = cells[unit_at].strip() or None if unit_at is not None else None
        flags = _text_cell(cells[flags_at]) if flags_at is not None else None
        source = _text_cell(cells[source_at]) if source_at is not None else None
        for index, year in layout.year_columns:
            value = cells[index].strip()
            # A blank cell in a wide table is an empty grid cell, not a reported gap;
            # explicit markers such as ".." are kept.
            if value:
                rows.append(RawRow(line, place, indicator, year, value, unit, flags, source))


# Columns of an Open SDG file that are not disaggregations.
_OPEN_SDG_META = {
    "year", "value", "geocode", "units", "unit", "series", "observation_status",
    "obs_status", "status", "unit_multiplier", "unit_mult", "comment_obs", "comment",
    "nature", "reporting_type",
}  # fmt: skip


def _read_open_sdg_table(
    header: Sequence[str],
    layout: _Layout,
    records: Iterator[tuple[int, list[str]]],
    filename: str,
    default_indicator: str | None,
) -> ReadResult:
    """Open SDG: one indicator per file, headline rows have every disaggregation blank.

    Rows with a GeoCode are the map's local figures; the column naming the place (e.g.
    "Region") is the one whose value always follows the GeoCode, so it is not counted as a
    disaggregation. Rows without GeoCode (national figures) and disaggregated rows are
    skipped and counted in the notes.
    """
    result = ReadResult(format="open-sdg", rows=[], problems=[])
    file_match = _OPEN_SDG_FILE.match(filename)
    indicator = default_indicator or (file_match.group("id") if file_match else None)
    if indicator is None:
        result.problems.append(
            Problem(
                None,
                None,
                _(
                    "Open SDG files name their indicator in the file name (indicator_3-b-1.csv); "
                    "rename the file or give a default indicator"
                ),
            )
        )
    width = len(header)
    keys = [_header_key(name) for name in header]
    series_at = _find_column(keys, ("series",))
    place_at, year_at, value_at = layout.place, layout.year, layout.value
    assert year_at is not None and value_at is not None
    candidate_columns = [i for i, key in enumerate(keys) if key not in _OPEN_SDG_META]
    local: list[tuple[int, list[str]]] = []
    national = 0
    for line, cells_as_read in records:
        cells = cells_as_read
        if len(cells) != width:
            fitted = _fit_width(line, cells, width, result.problems)
            if fitted is None:
                continue
            cells = fitted
        if cells[place_at].strip():
            local.append((line, cells))
        else:
            national += 1
    place_name_columns = set()
    for index in candidate_columns:
        names: dict[str, str] = {}
        if all(
            cells[index].strip()
            and names.setdefault(cells[place_at].strip(), cells[index]) == cells[index]
            for _line, cells in local
        ):
            place_name_columns.add(index)
    disaggregations = [i for i in candidate_columns if i not in place_name_columns]
    series = (
        {cells[series_at].strip() for _line, cells in local} if series_at is not None else set()
    )
    if len(series) > 1:
        listed = ", ".join(repr(name) for name in sorted(series))
        result.problems.append(
            Problem(
                None,
                "Series",
                _("the file holds several series (%(series)s); split it by series")
                % {"series": listed},
            )
        )
    disaggregated = 0
    for line, cells in local:
        if any(cells[i].strip() for i in disaggregations):
            disaggregated += 1
            continue
        result.rows.append(
            RawRow(
                line,
                cells[place_at].strip(),
                indicator,
                cells[year_at].strip(),
                cells[value_at].strip(),
                cells[layout.unit].strip() or None if layout.unit is not None else None,
                cells[layout.flags].strip() or None if layout.flags is not None else None,
            )
        )
    if national:
        result.notes.append(
            ngettext(
                "%(count)s row without GeoCode (a national figure) was skipped",
                "%(count)s rows without GeoCode (national figures) were skipped",
                national,
            )
            % {"count": national}
        )
    if disaggregated:
        result.notes.append(
            ngettext(
                "%(count)s disaggregated row was skipped (headline only)",
                "%(count)s disaggregated rows were skipped (headline only)",
                disaggregated,
            )
            % {"count": disaggregated}
        )
    if not result.rows and not result.problems:
        result.problems.append(
            Problem(None, None, _("the file has no headline rows with a GeoCode to import"))
        )
    return result


# ---------------------------------------------------------------------------------------
# CSV


def _sniff_delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


# Large long files are split with Polars' vectorised string functions when one physical
# line is one record (no quoted newlines), so line numbers stay exact. Lines the fast split
# cannot take (a quoted separator, a ragged row) go through the csv module one by one.
# Measured on the 2-core machine: 1M rows in ~4.5 s this way, ~20 s with the csv module.
_COLUMNAR_MIN_CHARS = 1_000_000


def _read_long_columnar(
    text: str, filename: str, delimiter: str, show_progress: bool
) -> ReadResult | None:
    """A long table read column-wise; None when the file is not one or has quoted newlines."""
    lines = text.split("\n")
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        return None
    header = _parse_line(lines[header_index], delimiter)
    layout, _problems = _detect_layout(header, filename)
    if layout is None or layout.kind != "long":
        return None
    import polars as pl  # here, not at the top: heavy, and only large files need it

    width = len(header)
    first_data = header_index + 1
    body = pl.Series("line", lines[first_data:], dtype=pl.String)
    quoted = '"' in text
    if quoted:
        if (body.str.count_matches('"', literal=True) % 2 != 0).any():
            return None  # a quoted field spans lines: only the csv module numbers them right
        separator = re.escape(delimiter)
        field_pattern = f'(?:"[^"{separator}]*"|[^"{separator}]*)'
        fits = body.str.contains(
            f"^{field_pattern}(?:{separator}{field_pattern}){{{width - 1}}}\r?$"
        )
    else:
        fits = body.str.count_matches(delimiter, literal=True) == width - 1
    blank = body.str.strip_chars() == ""
    result = ReadResult(format="csv-long", rows=[], problems=[])
    if layout.ignored:
        ignored = ", ".join(repr(name) for name in layout.ignored)
        result.notes.append(_("columns not imported: %(columns)s") % {"columns": ignored})
    fields = body.filter(fits).str.split_exact(delimiter, width - 1).struct.unnest()

    def column(
        index: int | None, *, empty_is_none: bool, free_text: bool = False
    ) -> Iterable[str | None]:
        if index is None:
            return itertools.repeat(None)
        cleaned = fields.to_series(index).str.strip_chars()
        if quoted:
            cleaned = cleaned.str.replace(r'^"(.*)"$', "${1}").str.strip_chars()
        values: list[str] = cleaned.to_list()
        if free_text:
            return [_text_cell(value) for value in values]
        return [value or None for value in values] if empty_is_none else values

    line_numbers: list[int] = (fits.arg_true() + first_data + 1).to_list()
    assert layout.year is not None and layout.value is not None
    columns = (
        line_numbers,
        column(layout.place, empty_is_none=False),
        column(layout.indicator, empty_is_none=True),
        column(layout.year, empty_is_none=False),
        column(layout.value, empty_is_none=False),
        column(layout.unit, empty_is_none=True),
        column(layout.flags, empty_is_none=True, free_text=True),
        column(layout.source, empty_is_none=True, free_text=True),
    )
    bar = _progress_bar(len(line_numbers), show_progress)
    records = map(RawRow, *columns)
    while chunk := list(itertools.islice(records, _CHUNK_ROWS)):
        result.rows.extend(chunk)
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    odd_rows = ((~fits) & (~blank)).arg_true().to_list()
    if odd_rows:
        odd = [
            (first_data + i + 1, _parse_line(lines[first_data + i], delimiter)) for i in odd_rows
        ]
        _collect_long(odd, layout, width, result.rows, result.problems)
        result.rows.sort(key=lambda row: row.line)
    if not result.rows and not result.problems:
        result.problems.append(Problem(None, None, _("the file has a header but no data rows")))
    return result


def _parse_line(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line.rstrip("\r")], delimiter=delimiter), [])


def _numbered_records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    # line_num is the physical line where the record ended: what an editor shows.
    for cells in reader:
        yield reader.line_num, cells


def _progress_bar(total: int, enabled: bool) -> tqdm[Any] | None:
    if not enabled:
        return None
    return tqdm(total=total, unit="rows", file=sys.stderr, mininterval=0.5, desc="reading")


def _read_delimited(
    text: str, filename: str, default_indicator: str | None, show_progress: bool
) -> ReadResult:
    first_newline = text.find("\n")
    header_line = text if first_newline < 0 else text[:first_newline]
    delimiter = _sniff_delimiter(header_line)
    if len(text) >= _COLUMNAR_MIN_CHARS:
        columnar = _read_long_columnar(text, filename, delimiter, show_progress)
        if columnar is not None:
            columnar.delimiter = delimiter
            columnar.decimal_mark = _implied_decimal_mark(delimiter)
            return columnar
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = _numbered_records(reader)
    header: list[str] | None = None
    for _line, cells in records:
        if any(cell.strip() for cell in cells):
            header = cells
            break
    if header is None:
        result = _refused("csv", _("the file is empty"))
        result.delimiter = delimiter
        return result
    bar = _progress_bar(text.count("\n"), show_progress)
    try:
        result = _read_table(
            header,
            records,
            filename=filename,
            format_prefix="csv",
            default_indicator=default_indicator,
            bar=bar,
        )
    except csv.Error as error:
        # The csv module refuses e.g. a NUL inside a field; say where and stop.
        result = _refused(
            "csv",
            _("unreadable CSV at line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": error},
        )
    finally:
        if bar is not None:
            bar.close()
    result.delimiter = delimiter
    result.decimal_mark = _implied_decimal_mark(delimiter)
    return result


def _implied_decimal_mark(delimiter: str) -> str | None:
    """Spreadsheets separate with ";" where the comma is the decimal mark (Norwegian
    Excel's "CSV"); a ","-separated file cannot write a decimal comma without quoting it."""
    return {";": ",", ",": "."}.get(delimiter)


# ---------------------------------------------------------------------------------------
# Excel

_HEADER_SEARCH_ROWS = 20  # title rows above the header, as SSB and KOSTRA downloads have


def _read_xlsx(
    data: bytes, filename: str, default_indicator: str | None, show_progress: bool
) -> ReadResult:
    # Imported here: openpyxl is slow to import and only xlsx files need it.
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula cell reads as its formula text ("=A1*2"), which
        # validation refuses as a value; nothing is ever evaluated.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        return _refused("xlsx", _("not a valid xlsx file (%(error)s)") % {"error": error})
    except Exception as error:  # openpyxl raises assorted errors on damaged archives
        return _refused("xlsx", _not_valid_xlsx(error))
    try:
        if not workbook.worksheets:
            return _refused("xlsx", _("the workbook has no sheets"))
        sheet = workbook.worksheets[0]
        row_iter = sheet.iter_rows(values_only=True)
        records: Iterator[tuple[int, list[str]]] = (
            (number, [_cell_text(value) for value in values])
            for number, values in enumerate(row_iter, start=1)
        )
        first_header: list[str] | None = None
        for number, cells in records:
            if not any(cells):
                continue
            while cells and not cells[-1]:
                cells.pop()  # openpyxl pads rows to the sheet's widest row
            if first_header is None:
                first_header = cells
            layout, _problems = _detect_layout(cells, filename)
            if layout is not None or number >= _HEADER_SEARCH_ROWS:
                header = cells if layout is not None else first_header
                break
        else:
            if first_header is None:
                return _refused("xlsx", _("the first sheet is empty"))
            header = first_header
        width = len(header)
        trimmed = ((line, _trim_to(cells, width)) for line, cells in records)
        max_row = sheet.max_row or 0
        bar = _progress_bar(max_row, show_progress)
        try:
            result = _read_table(
                header,
                trimmed,
                filename=filename,
                format_prefix="xlsx",
                default_indicator=default_indicator,
                bar=bar,
            )
        finally:
            if bar is not None:
                bar.close()
        result.notes.append(_("read the first sheet, %(sheet)s") % {"sheet": repr(sheet.title)})
        return result
    except Exception as error:  # a damaged sheet part surfaces only while reading rows
        return _refused("xlsx", _not_valid_xlsx(error))
    finally:
        workbook.close()


def _not_valid_xlsx(error: Exception) -> str:
    return _("not a valid xlsx file (%(error)s)") % {"error": f"{type(error).__name__}: {error}"}


def _trim_to(cells: list[str], width: int) -> list[str]:
    """Drop the empty cells openpyxl pads beyond the header (other sheets' widths)."""
    if len(cells) > width and not any(cells[width:]):
        return cells[:width]
    if len(cells) < width and any(cells):
        return cells + [""] * (width - len(cells))  # Excel stores no trailing empty cells
    return cells


# ---------------------------------------------------------------------------------------
# JSON-stat

_REGION_DIMENSIONS = ("region", "kommune", "kommunenummer", "municipality", "geo", "place")
_TIME_DIMENSIONS = ("tid", "year", "år", "aar", "time")
_METRIC_DIMENSIONS = ("contentscode", "statistikkvariabel")


def _category_codes(dimension: dict[str, Any], size: int) -> list[str] | None:
    category = dimension.get("category")
    if not isinstance(category, dict):
        return None
    index = category.get("index")
    if isinstance(index, list):
        codes = [str(code) for code in index]
    elif isinstance(index, dict):
        codes = [""] * size
        for code, position in index.items():
            if not isinstance(position, int) or not 0 <= position < size:
                return None
            codes[position] = str(code)
    elif isinstance(category.get("label"), dict) and len(category["label"]) == size:
        codes = [str(code) for code in category["label"]]
    else:
        return None
    return codes if len(codes) == size else None


def _pick_dimension(
    ids: Sequence[str], role: dict[str, Any], role_name: str, names: Sequence[str]
) -> int | None:
    by_role = role.get(role_name)
    if isinstance(by_role, list):
        for dimension_id in by_role:
            if dimension_id in ids:
                return ids.index(dimension_id)
    for position, dimension_id in enumerate(ids):
        key = _header_key(dimension_id)
        if key in names or (role_name == "geo" and key.startswith("kokkommuneregion")):
            return position
    return None


def _json_value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return _number_text(value)
    return str(value)


def _read_json_stat(text: str, default_indicator: str | None, show_progress: bool) -> ReadResult:
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        return _refused("json-stat", _("not valid JSON: %(error)s") % {"error": error})
    if not isinstance(document, dict):
        return _refused("json-stat", _("not a JSON-stat dataset (the JSON is not an object)"))
    if document.get("class") == "dataset":
        dataset = document
    elif isinstance(document.get("dataset"), dict):
        dataset = document["dataset"]  # JSON-stat 1.x bundle, as PxWeb's "json-stat" format
    else:
        return _refused("json-stat", _('not a JSON-stat dataset (no "class": "dataset")'))
    try:
        return _flatten_json_stat(dataset, default_indicator, show_progress)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        return _refused(
            "json-stat",
            _("malformed JSON-stat dataset (%(error)s)")
            % {"error": f"{type(error).__name__}: {error}"},
        )


def _flatten_json_stat(
    dataset: dict[str, Any], default_indicator: str | None, show_progress: bool
) -> ReadResult:
    dimensions = dataset.get("dimension")
    if not isinstance(dimensions, dict):
        return _refused("json-stat", _('the dataset has no "dimension" object'))
    ids = dataset.get("id", dimensions.get("id"))
    sizes = dataset.get("size", dimensions.get("size"))
    role = dataset.get("role", dimensions.get("role")) or {}
    if (
        not isinstance(ids, list)
        or not isinstance(sizes, list)
        or len(ids) != len(sizes)
        or not all(isinstance(size, int) and size >= 0 for size in sizes)
    ):
        return _refused("json-stat", _('the dataset\'s "id" and "size" do not match'))
    ids = [str(dimension_id) for dimension_id in ids]
    problems: list[Problem] = []
    codes: list[list[str]] = []
    for dimension_id, size in zip(ids, sizes, strict=True):
        dimension = dimensions.get(dimension_id)
        dimension_codes = _category_codes(dimension, size) if isinstance(dimension, dict) else None
        if dimension_codes is None:
            problems.append(
                Problem(
                    None,
                    dimension_id,
                    _("dimension %(dimension)s has no usable categories")
                    % {"dimension": repr(dimension_id)},
                )
            )
            dimension_codes = []
        codes.append(dimension_codes)
    region_at = _pick_dimension(ids, role, "geo", _REGION_DIMENSIONS)
    time_at = _pick_dimension(ids, role, "time", _TIME_DIMENSIONS)
    metric_at = _pick_dimension(ids, role, "metric", _METRIC_DIMENSIONS)
    if region_at is None:
        problems.append(Problem(None, None, _("the dataset has no region dimension")))
    if time_at is None:
        problems.append(Problem(None, None, _("the dataset has no time (Tid) dimension")))
    for position, dimension_id in enumerate(ids):
        if position in (region_at, time_at, metric_at) or sizes[position] <= 1:
            continue
        problems.append(
            Problem(
                None,
                dimension_id,
                _(
                    "dimension %(dimension)s has %(count)s categories; select one in the query "
                    "(one value per place, indicator and year is imported)"
                )
                % {"dimension": repr(dimension_id), "count": sizes[position]},
            )
        )
    metric_codes = codes[metric_at] if metric_at is not None else []
    if default_indicator is not None and len(metric_codes) > 1:
        problems.append(
            Problem(
                None,
                ids[metric_at] if metric_at is not None else None,
                _(
                    "the dataset holds %(count)s contents (%(contents)s) but one indicator "
                    "(%(indicator)s) was given for all of them"
                )
                % {
                    "count": len(metric_codes),
                    "contents": ", ".join(metric_codes),
                    "indicator": default_indicator,
                },
            )
        )
    if default_indicator is None and metric_at is None:
        problems.append(
            Problem(
                None, None, _("the dataset names no contents (ContentsCode); give an indicator")
            )
        )
    if problems:
        return ReadResult(format="json-stat", rows=[], problems=problems)
    assert region_at is not None and time_at is not None

    units = _json_stat_units(dimensions, ids, metric_at)
    total = math.prod(sizes)
    values = dataset.get("value")
    if isinstance(values, list):
        if len(values) != total:
            return _refused(
                "json-stat",
                _("the dataset has %(count)s values but its dimensions make %(total)s")
                % {"count": len(values), "total": total},
            )
        positioned: Iterable[tuple[int, Any]] = enumerate(values)
    elif isinstance(values, dict):
        positioned = sorted((int(key), value) for key, value in values.items())
    else:
        return _refused("json-stat", _('the dataset has no "value"'))
    status_at = _status_lookup(dataset.get("status"))
    strides = [math.prod(sizes[position + 1 :]) for position in range(len(sizes))]
    rows: list[RawRow] = []
    problems = []
    bar = _progress_bar(total, show_progress)
    for count, (position, value) in enumerate(positioned, start=1):
        if not 0 <= position < total:
            problems.append(Problem(position + 1, None, _("value position outside the dataset")))
            continue
        region = codes[region_at][(position // strides[region_at]) % sizes[region_at]]
        year = codes[time_at][(position // strides[time_at]) % sizes[time_at]]
        if metric_at is not None:
            metric = metric_codes[(position // strides[metric_at]) % sizes[metric_at]]
        else:
            metric = ""
        indicator = default_indicator if default_indicator is not None else metric
        rows.append(
            RawRow(
                position + 1,
                region,
                indicator,
                year,
                _json_value_text(value),
                units.get(metric),
                status_at(position),
            )
        )
        if bar is not None and count % _CHUNK_ROWS == 0:
            bar.update(_CHUNK_ROWS)
    if bar is not None:
        bar.close()
    if not rows and not problems:
        problems.append(Problem(None, None, _("the dataset holds no values")))
    return ReadResult(format="json-stat", rows=rows, problems=problems, decimal_mark=".")


def _json_stat_units(
    dimensions: dict[str, Any], ids: Sequence[str], metric_at: int | None
) -> dict[str, str]:
    if metric_at is None:
        return {}
    category = dimensions[ids[metric_at]].get("category") or {}
    unit_map = category.get("unit")
    if not isinstance(unit_map, dict):
        return {}
    units: dict[str, str] = {}
    for code, unit in unit_map.items():
        if isinstance(unit, dict):
            name = unit.get("base") or unit.get("label")
            if isinstance(name, str) and name.strip():
                units[str(code)] = name.strip()
    return units


def _status_lookup(status: Any) -> Callable[[int], str | None]:
    """JSON-stat status: one string for all values, a list, or a sparse position → str map."""
    if isinstance(status, str):
        return lambda position: status or None
    if isinstance(status, list):

        def from_list(position: int) -> str | None:
            if position < len(status) and status[position] not in (None, ""):
                return str(status[position])
            return None

        return from_list
    if isinstance(status, dict):
        by_position = {int(key): str(value) for key, value in status.items() if value}
        return by_position.get
    return lambda position: None
