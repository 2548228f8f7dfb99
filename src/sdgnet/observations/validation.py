"""Validate raw rows into observations keyed by 2024 municipality numbers. Pure Python.

Every problem in a file is reported at once, each with its line (and column); the caller
writes nothing if there is any. Rules:

- **Places**: "K-3201", "3201", "301" (Excel ate the zero) are read as municipality
  numbers; unknown numbers are refused. Old numbers are mapped to 2024 numbers with the
  code history for the row's year. A 1:1 renumbering keeps the value whatever it
  measures. Several old municipalities that became one 2024 municipality are summed for
  counts, only when every one of them valid that year is present; rates and shares are
  refused (a rate cannot be summed, and a part's rate is not the whole's). A municipality
  that was split (weight < 1) is refused: its value cannot be divided.
- **Missing values**: "", "..", "...", ":", "." and a lone "-" are recorded as missing
  (value None): an explicit gap is information. SSB writes "-" for *nil* (exactly zero);
  we still record it as missing rather than 0, because other producers use "-" for "no
  data", and inventing a zero is worse than keeping a gap. The marker is kept as the
  row's flag when the row has none, so ".." (not available) and ":" (confidential) stay
  apart. A missing value under a number that was not in use that year (PxWeb returns
  every region for every year) carries nothing and is dropped, counted in ``dropped``.
- **Numbers**: "12.5", "12,5", "1 234,5" (space, no-break or narrow no-break space as
  thousands separator), "1.234,5", "1,234.5", "−3" (Unicode minus). NaN and infinities
  are refused. A cell starting with "=" is a formula and is refused, never evaluated.
- **Ambiguous numbers** (files only, ``FileNumbers``): a value whose one separator stands
  where thousands are grouped ("130.921", "1,234") may be either. The file settles it: a
  decimal when its values write decimals with that mark (or, when none shows a decimal
  mark, its format implies that mark: ";"-separated → comma, unless a value shows that
  mark grouping thousands); thousands when a value shows that mark grouping thousands
  ("1.234,5", "1.234.567", "1,234,567") and none uses it as a decimal mark; otherwise the
  row is refused, saying why and how to write it. A value that repeats the mark
  ("1.234.567", "1,234,567") can only be thousands and shows the grouping itself: it is
  read so unless the file also writes decimals with that mark, and then refused the same
  way, as is a one-group value in such a file.
- **Typed numbers** (``parse_typed_number``, the entry page): the page's language gives the
  decimal mark; a point or comma that is not that mark and stands where thousands are
  grouped is refused with how to write the number, never guessed.
- **Duplicates**: the same (place, indicator, year) twice, including an old number and its
  new number for the same year, is refused naming every line.
- **Ranges**: an indicator whose unit is a percent ("%", "prosent", "percent", …) is a share
  of a whole, and a value outside 0–100 is refused, unless a framework's bounds for it
  (best, worst, green, red, target) lie outside 0–100, which says its values can too. A
  percentage change has a unit that says so ("percent change", "prosentendring",
  "percentage points") and no range (see ``IndicatorInfo.value_range``).

Messages are made in the active language (Django's translation; no models, no database).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sdgnet.observations.readers import Problem, RawRow
from sdgnet.places.codes import CodeMapper, normalise_municipality_code

MISSING_MARKERS = frozenset({"", "..", "...", ":", ".", "-"})
MAX_SOURCE_LENGTH = 300  # Observation.source
MEASURE_COUNT = "count"
MEASURE_RATE = "rate"

# Units that mean the same thing, written differently by different producers.
_UNIT_SYNONYMS = {
    "%": "percent",
    "prosent": "percent",
    "per cent": "percent",
    "pct": "percent",
    "pst": "percent",
    "pst.": "percent",
    "personer": "persons",
    "person": "persons",
    "people": "persons",
    "antall personer": "persons",
    "kroner": "nok",
    "kr": "nok",
    # Changes measured in percent are not shares: no 0–100 range (see IndicatorInfo).
    "% change": "percent change",
    "%-endring": "percent change",
    "prosentendring": "percent change",
    "prosentvis endring": "percent change",
    "endring i prosent": "percent change",
    "percentage change": "percent change",
    "prosentpoeng": "percentage points",
    "pp": "percentage points",
    "p.p.": "percentage points",
}
PERCENT = "percent"
SHARE_RANGE = (0.0, 100.0)

_THOUSANDS_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")
_NORWEGIAN_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")  # 1.234,5
_ENGLISH_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")  # 1,234.5  1,234,567
_PLAIN_DECIMAL_COMMA = re.compile(r"^[+-]?(?:\d+,?\d*|,\d+)$")  # 12,5  -3,  ,5
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
# One separator where thousands are grouped: "130.921" is 130 921 or 130,921 (a decimal).
_ONE_GROUP = re.compile(r"^([+-]?)([1-9]\d{0,2})([.,])(\d{3})$")
# The same, or the same mark repeated ("1.234.567"): grouped thousands, or one group that may
# be a decimal. Only the first group may be shorter than three digits, and none starts "0".
_THOUSANDS_SHAPED = re.compile(r"^([+-]?)([1-9]\d{0,2})([.,])(\d{3}(?:\3\d{3})*)$")
_SEPARATORS = (".", ",")
# A typed number whose one kind of mark stands only where thousands are grouped, perhaps
# after digits grouped with spaces: "130.921", "1 130.921", "1,234,567" (parse_typed_number).
_TYPED_THOUSANDS_SHAPED = re.compile(
    r"^([+-]?)([1-9]\d{0,2}(?:[ \u00a0\u202f\u2009]\d{3})*)([.,])(\d{3}(?:\3\d{3})*)$"
)


@dataclass(frozen=True)
class IndicatorInfo:
    key: str
    unit: str
    measure: str  # "count" (summable) or "rate" (rates, shares, averages: not summable)
    # The frameworks' best, worst, green, red and target values for it, where set.
    bounds: tuple[float, ...] = ()

    @property
    def value_range(self) -> tuple[float, float] | None:
        """The values the indicator can take, or None when the catalog sets no limit.

        A unit in percent is read as a share of a whole (0–100): the catalog has no field
        telling a share from a percentage change, and refusing 250 % for a share matters
        more than accepting it for a change, which has a unit of its own ("percent
        change", "percentage points"). A framework bound outside 0–100 is the catalog
        saying the values go there too (a change, or a coverage that can pass 100 %), so
        such an indicator has no range.
        """
        if _unit_key(self.unit) != PERCENT:
            return None
        low, high = SHARE_RANGE
        if any(not low <= bound <= high for bound in self.bounds):
            return None
        return SHARE_RANGE


@dataclass(frozen=True, slots=True)
class FileNumbers:
    """Read the values as one file's: an ambiguous value ("130.921") is settled by the
    marks the file's other values show (see the module doc)."""

    # The decimal mark the file's format implies (``ReadResult.decimal_mark``), for a file
    # whose values show none; None when the format implies none.
    implied_decimal_mark: str | None = None


@dataclass(slots=True)
class _Ambiguous:
    """A value whose only separator, a point or a comma, stands where thousands are grouped,
    waiting for the whole file: once ("130.921", thousands or a decimal) or repeated
    ("1.234.567", thousands unless the file writes decimals with that mark)."""

    line: int
    text: str  # as written, stripped
    sign: str
    head: str  # the digits before the first separator
    separator: str
    tail: tuple[str, ...]  # the groups of three digits after it
    indicator: str | None
    group_key: tuple[str, str, int] | None = None  # where its row waits, when it is valid
    pending: _Pending | None = None

    @property
    def repeated(self) -> bool:
        """The separator stands more than once: the value cannot be a decimal."""
        return len(self.tail) > 1

    @property
    def as_decimal(self) -> float:
        assert not self.repeated
        return float(f"{self.sign}{self.head}.{self.tail[0]}")

    @property
    def as_thousands(self) -> float:
        return float(f"{self.sign}{self.head}{''.join(self.tail)}")

    def written(self, separator: str) -> str:
        """The value written with another separator: " " for thousands, a decimal mark."""
        return f"{self.sign}{self.head}{separator}{separator.join(self.tail)}"


@dataclass(frozen=True)
class _MarksShown:
    """The first value (line, text) that shows each decimal mark and each thousands
    separator, of the values that are not ambiguous."""

    decimal: dict[str, tuple[int, str]]
    grouping: dict[str, tuple[int, str]]


# How a value's point or comma was read where it needed more than the value itself:
# "thousands" (130.921 read as 130 921 because the file groups thousands with a point, or a
# repeated mark, 1.234.567), "decimal" (130.921 read as a decimal because the file writes
# decimals with a point); "" where the value alone says what it is.
Reading = Literal["", "thousands", "decimal"]
READ_AS_THOUSANDS: Reading = "thousands"
READ_AS_DECIMAL: Reading = "decimal"


@dataclass(frozen=True, slots=True)
class ValidRow:
    place: str  # 2024 municipality number
    indicator: str
    year: int
    value: float | None  # None: explicitly missing
    flags: str  # "" when none
    lines: tuple[int, ...]  # source lines; several when old municipalities were summed
    source: str = ""  # the row's own source; "" when the file has none (the import's applies)
    # What was read, not what is stored, so left out of equality: the value cell as written
    # on each of `lines` (the upload's preview shows it beside the number read from it), and
    # how a point or comma in it was read where the rest of the file settled it.
    written: tuple[str, ...] = field(default=(), compare=False)
    reading: Reading = field(default="", compare=False)
    # The municipality number each of `lines` gave, before the code history mapped it (the
    # upload's preview shows the mapping; the rows kept for its confirmation leave it out).
    places: tuple[str, ...] = field(default=(), compare=False)


@dataclass
class ValidationResult:
    rows: list[ValidRow]
    problems: list[Problem]
    mapped: int  # rows that moved from an old municipality number to a 2024 one
    dropped: int = 0  # missing values under numbers not in use that year (see module doc)
    merged: int = 0  # 2024 rows made by summing several old municipalities
    notes: list[str] = field(default_factory=list)


def default_year_range() -> tuple[int, int]:
    return (1950, dt.date.today().year + 1)


def _shown(text: str) -> str:
    """A cell quoted for a message, cut short so hostile input cannot flood it."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def parse_number(text: str) -> float | None:
    """The number in ``text``, None for a missing marker; ValueError says why it is not one."""
    stripped = text.strip()
    if stripped in MISSING_MARKERS:
        return None
    if stripped.startswith("="):
        raise ValueError(
            _("%(cell)s is a formula, not a value (formulas are never evaluated)")
            % {"cell": _shown(stripped)}
        )
    candidate = stripped.replace("\u2212", "-").translate(_THOUSANDS_SPACES)
    if candidate.lstrip("+-").casefold() in ("nan", "inf", "infinity"):
        raise ValueError(_not_finite(stripped))
    if _PLAIN_NUMBER.match(candidate):
        number = float(candidate)
    elif _PLAIN_DECIMAL_COMMA.match(candidate):
        number = float(candidate.replace(",", "."))
    elif _NORWEGIAN_NUMBER.match(candidate):
        number = float(candidate.replace(".", "").replace(",", "."))
    elif _ENGLISH_NUMBER.match(candidate):
        number = float(candidate.replace(",", ""))
    else:
        raise ValueError(_("value %(value)s is not a number") % {"value": _shown(stripped)})
    if not math.isfinite(number):
        raise ValueError(_not_finite(stripped))
    return number


def parse_typed_number(text: str, decimal_mark: str) -> float | None:
    """The number a person typed on a page whose language writes decimals with
    ``decimal_mark`` ("," on the bokmål page, "." on the English one); None for a missing
    marker. A point or comma in thousands position is read as that mark only when it is
    the page's decimal mark and stands once ("130,921" on the bokmål page is 130.921);
    the other mark there ("130.921", bokmål's own thousands separator but English's
    decimal mark) is refused with how to write the number, never guessed: one typed value
    has nothing around it to settle it. A mark that stands twice ("1.234.567",
    "1,234,567") can only group thousands, in either language. What is not refused is
    read by ``parse_number``, so a row holding ``text`` is read the same.
    """
    stripped = text.strip()
    shaped = _TYPED_THOUSANDS_SHAPED.match(stripped.replace("\u2212", "-"))
    if shaped is not None:
        sign, head, separator, tail = shaped.groups()
        groups = tail.split(separator)
        whole = sign + head.translate(_THOUSANDS_SPACES) + "".join(groups)
        if len(groups) > 1:
            # A mark that stands twice cannot be the decimal mark: it groups thousands.
            return parse_number(whole)
        if separator != decimal_mark:
            decimal = f"{sign}{head}{decimal_mark}{tail}"
            if separator == ".":
                message = _("Write %(whole)s or %(decimal)s – a point can separate thousands.")
            else:
                message = _("Write %(whole)s or %(decimal)s – a comma can separate thousands.")
            raise ValueError(message % {"whole": whole, "decimal": decimal})
    return parse_number(text)


def _not_finite(text: str) -> str:
    return _("value %(value)s is not a finite number") % {"value": _shown(text)}


def _outside(text: str, indicator: str, allowed: tuple[float, float]) -> str:
    low, high = allowed
    return _(
        "value %(value)s is outside %(low)s–%(high)s, the range of %(indicator)s "
        "(a share in percent)"
    ) % {
        "value": _shown(text.strip()),
        "low": f"{low:g}",
        "high": f"{high:g}",
        "indicator": indicator,
    }


def _unknown_place(text: str) -> str:
    return _("unknown municipality %(number)s") % {"number": _shown(text)}


def _lines_and_places(lines: str, places: str, count: int) -> str:
    """ "lines 2, 3 (3201 Bærum, 3201 Bærum)": the rows a problem is about."""
    return ngettext("line %(lines)s (%(places)s)", "lines %(lines)s (%(places)s)", count) % {
        "lines": lines,
        "places": places,
    }


def _unit_key(unit: str) -> str:
    key = " ".join(unit.strip().casefold().split())
    return _UNIT_SYNONYMS.get(key, key)


@dataclass(frozen=True, slots=True)
class _Placed:
    """Where a place as written lands in one year, or why it cannot."""

    target: str | None
    source: str  # the normalised number as written
    error: str | None
    in_use: bool  # the source number was a municipality's number that year
    known: bool  # a current or historical municipality number


class _Pending(NamedTuple):
    line: int
    source: str
    value: float | None
    flags: str
    origin: str  # the row's source of data ("" when none)
    written: str = ""  # the value cell as written, stripped
    reading: Reading = ""


def validate(
    raw: list[RawRow],
    *,
    indicators: Mapping[str, IndicatorInfo],
    mapper: CodeMapper,
    current_places: set[str],
    default_indicator: str | None,
    year_range: tuple[int, int] | None = None,
    file_numbers: FileNumbers | None = None,
) -> ValidationResult:
    """Check every row and return the valid observations or every problem found.

    ``year_range`` is inclusive and defaults to 1950 … next year. With ``file_numbers``
    the rows are a file's, and an ambiguous value is settled by the rest of the file;
    without, each value is read on its own (rows sent to the API carry JSON numbers).
    """
    first_year, last_year = year_range if year_range is not None else default_year_range()
    problems: list[Problem] = []
    result = ValidationResult(rows=[], problems=problems, mapped=0)
    indicators_by_casefold: dict[str, str | None] = {}
    for key in indicators:
        folded = key.casefold()
        # Two keys differing only in case: insist on the exact spelling.
        indicators_by_casefold[folded] = None if folded in indicators_by_casefold else key

    value_ranges = {key: info.value_range for key, info in indicators.items()}
    year_cache: dict[str, int | str] = {}
    indicator_cache: dict[str, str | None] = {}
    place_cache: dict[tuple[str, int], _Placed] = {}
    groups: dict[tuple[str, str, int], list[_Pending]] = {}
    lines_without_indicator: list[int] = []
    waiting: list[_Ambiguous] = []  # ambiguous values, settled once every row is read

    def resolve_indicator(name: str) -> str | None:
        if name in indicators:
            return name
        return indicators_by_casefold.get(name.casefold())

    def parse_year(text: str) -> int | str:
        stripped = text.strip()
        if not (stripped.isascii() and stripped.isdigit()):
            return _("year %(year)s is not a whole year") % {"year": _shown(stripped)}
        year = int(stripped)
        if not first_year <= year <= last_year:
            return _("year %(year)s is outside %(first)s–%(last)s") % {
                "year": year,
                "first": first_year,
                "last": last_year,
            }
        return year

    def place(text: str, year: int) -> _Placed:
        code = normalise_municipality_code(text)
        if code is None:
            return _Placed(None, text, _unknown_place(text), False, False)
        targets = mapper.resolve(code, year)
        in_use = mapper.in_use(code, year)
        if not targets:
            if code in current_places:
                return _Placed(code, code, None, True, True)
            return _Placed(None, code, _unknown_place(text), False, False)
        if len(targets) > 1 or targets[0][1] < 1:
            parts = ", ".join(f"{new} {mapper.name(new)}".strip() for new, _weight in targets)
            return _Placed(
                None,
                code,
                _(
                    "municipality %(number)s %(name)s (as in %(year)s) was split (into "
                    "%(parts)s); its value cannot be divided between them"
                )
                % {"number": code, "name": mapper.name(code, year), "year": year, "parts": parts},
                in_use,
                True,
            )
        target = targets[0][0]
        if target not in current_places:
            return _Placed(
                None,
                code,
                _("municipality %(number)s maps to %(target)s, which is not a current municipality")
                % {"number": code, "target": target},
                in_use,
                True,
            )
        return _Placed(target, code, None, in_use, True)

    for row in raw:
        line = row.line
        year_or_error = year_cache.get(row.year)
        if year_or_error is None:
            year_or_error = year_cache[row.year] = parse_year(row.year)
        row_ok = True
        if isinstance(year_or_error, str):
            problems.append(Problem(line, "year", year_or_error))
            row_ok = False
            year = 0
        else:
            year = year_or_error

        indicator_name = row.indicator or default_indicator
        indicator: str | None = None
        if indicator_name is None:
            lines_without_indicator.append(line)
            row_ok = False
        else:
            if indicator_name in indicator_cache:
                indicator = indicator_cache[indicator_name]
            else:
                indicator = indicator_cache[indicator_name] = resolve_indicator(indicator_name)
            if indicator is None:
                problems.append(
                    Problem(
                        line,
                        "indicator",
                        _("unknown indicator %(indicator)s")
                        % {"indicator": _shown(indicator_name)},
                    )
                )
                row_ok = False

        value_text = row.value
        value: float | None
        try:
            value = float(value_text)  # the common case, fast
            if not math.isfinite(value) or "_" in value_text:
                value = parse_number(value_text)
        except ValueError:
            try:
                value = parse_number(value_text)
            except ValueError as error:
                problems.append(Problem(line, "value", str(error)))
                row_ok = False
                value = None
        ambiguous: _Ambiguous | None = None
        if (
            file_numbers is not None
            and value is not None
            and value_text.rstrip()[-4:-3] in _SEPARATORS  # cheap: most values are not
        ):
            ambiguous = _thousands_shaped(line, value_text, indicator)
            if ambiguous is not None:
                waiting.append(ambiguous)

        if row.unit is not None and indicator is not None:
            expected_unit = indicators[indicator].unit
            if expected_unit and _unit_key(row.unit) != _unit_key(expected_unit):
                problems.append(
                    Problem(
                        line,
                        "unit",
                        _("unit %(unit)s differs from the unit of %(indicator)s (%(expected)s)")
                        % {
                            "unit": _shown(row.unit),
                            "indicator": indicator,
                            "expected": repr(expected_unit),
                        },
                    )
                )
                row_ok = False

        if value is not None and indicator is not None and ambiguous is None:
            allowed = value_ranges.get(indicator)
            if allowed is not None and not allowed[0] <= value <= allowed[1]:
                problems.append(Problem(line, "value", _outside(value_text, indicator, allowed)))
                row_ok = False

        if row.source is not None and len(row.source) > MAX_SOURCE_LENGTH:
            problems.append(
                Problem(
                    line,
                    "source",
                    _("the source is longer than %(count)s characters")
                    % {"count": MAX_SOURCE_LENGTH},
                )
            )
            row_ok = False

        if isinstance(year_or_error, str):
            # Without a year the place cannot be mapped; check only that it is a number.
            if normalise_municipality_code(row.place) is None:
                problems.append(Problem(line, "place", _unknown_place(row.place)))
            continue
        placed = place_cache.get((row.place, year))
        if placed is None:
            placed = place_cache[(row.place, year)] = place(row.place, year)
        if value is None and placed.known and not placed.in_use and row_ok:
            result.dropped += 1
            continue
        if placed.error is not None or placed.target is None:
            problems.append(Problem(line, "place", placed.error or _unknown_place(row.place)))
            continue
        if not row_ok or indicator is None:
            continue
        flags = row.flags or ""
        origin = row.source or ""
        if value is None and not flags and value_text.strip():
            flags = value_text.strip()
        pending = _Pending(line, placed.source, value, flags, origin, value_text.strip())
        group_key = (placed.target, indicator, year)
        if ambiguous is not None:
            ambiguous.group_key, ambiguous.pending = group_key, pending
        group = groups.get(group_key)
        if group is None:
            groups[group_key] = [pending]
        else:
            group.append(pending)

    if lines_without_indicator:
        # A wide file has one row per cell: name each line once.
        lines = list(dict.fromkeys(lines_without_indicator))
        shown = ", ".join(str(line) for line in lines[:10])
        more = ", …" if len(lines) > 10 else ""
        problems.append(
            Problem(
                lines[0],
                "indicator",
                ngettext(
                    "%(count)s value (line %(lines)s) names no indicator and no indicator was "
                    "given for the file",
                    "%(count)s values (lines %(lines)s) name no indicator and no indicator was "
                    "given for the file",
                    len(lines_without_indicator),
                )
                % {"count": len(lines_without_indicator), "lines": shown + more},
            )
        )

    if waiting:
        assert file_numbers is not None
        _settle_ambiguous(
            waiting,
            raw,
            file_numbers=file_numbers,
            groups=groups,
            value_ranges=value_ranges,
            result=result,
        )
    _combine_groups(groups, indicators, mapper, result)
    problems.sort(key=lambda problem: (problem.line is None, problem.line or 0))
    return result


def _thousands_shaped(line: int, text: str, indicator: str | None) -> _Ambiguous | None:
    stripped = text.strip()
    match = _THOUSANDS_SHAPED.match(stripped.replace("\u2212", "-"))
    if match is None:
        return None
    sign, head, separator, tail = match.groups()
    return _Ambiguous(
        line, stripped, sign, head, separator, tuple(tail.split(separator)), indicator
    )


def _marks_shown(raw: list[RawRow]) -> _MarksShown:
    shown = _MarksShown({}, {})
    for row in raw:
        text = row.value
        if "." not in text and "," not in text:
            continue
        candidate = text.strip().replace("\u2212", "-").translate(_THOUSANDS_SPACES)
        decimal: str | None = None
        grouping: str | None = None
        if _ONE_GROUP.match(candidate):
            continue  # ambiguous: shows nothing
        if _PLAIN_NUMBER.match(candidate):
            decimal = "."
        elif _PLAIN_DECIMAL_COMMA.match(candidate):
            decimal = ","
        elif _NORWEGIAN_NUMBER.match(candidate):
            decimal, grouping = ("," if "," in candidate else None), "."
        elif _ENGLISH_NUMBER.match(candidate):
            decimal, grouping = ("." if "." in candidate else None), ","
        if decimal is not None:
            shown.decimal.setdefault(decimal, (row.line, text.strip()))
        if grouping is not None:
            shown.grouping.setdefault(grouping, (row.line, text.strip()))
    return shown


def _settle_ambiguous(
    waiting: list[_Ambiguous],
    raw: list[RawRow],
    *,
    file_numbers: FileNumbers,
    groups: dict[tuple[str, str, int], list[_Pending]],
    value_ranges: Mapping[str, tuple[float, float] | None],
    result: ValidationResult,
) -> None:
    """Read each ambiguous value as the file's other values say, or refuse it."""
    shown = _marks_shown(raw)
    implied = file_numbers.implied_decimal_mark
    # The format's mark stands in only where no value shows a decimal mark, and not where
    # a value shows it grouping thousands: what the values show outweighs what the format
    # suggests, and a mark read both ways in one file would be a guess.
    if implied in shown.grouping:
        implied = None
    marks = set(shown.decimal) or ({implied} if implied else set())
    as_thousands: list[_Ambiguous] = []
    for cell in waiting:
        separator = cell.separator
        if separator in marks and separator in shown.grouping:
            # The file writes decimals with this mark and groups thousands with it too.
            result.problems.append(Problem(cell.line, "value", _contradicted(cell, shown)))
            _take_back(groups, cell, None)
            continue
        # A repeated mark shows grouping itself, so it never reaches the decimal reading.
        if marks == {separator}:
            value, read_as_thousands = cell.as_decimal, False
        elif separator in shown.grouping and separator not in marks:
            value, read_as_thousands = cell.as_thousands, True
        else:
            result.problems.append(
                Problem(cell.line, "value", _ambiguous(cell, marks, shown, implied))
            )
            _take_back(groups, cell, None)
            continue
        allowed = value_ranges.get(cell.indicator) if cell.indicator is not None else None
        if allowed is not None and not allowed[0] <= value <= allowed[1]:
            assert cell.indicator is not None
            result.problems.append(
                Problem(cell.line, "value", _outside(cell.text, cell.indicator, allowed))
            )
            _take_back(groups, cell, None)
            continue
        # The row keeps how it was read (the upload's preview lists it), and one group read
        # as thousands gets that value (read on its own, one group is a decimal).
        _take_back(groups, cell, value, READ_AS_THOUSANDS if read_as_thousands else READ_AS_DECIMAL)
        if read_as_thousands and not cell.repeated:
            as_thousands.append(cell)  # told: one group alone does not show it is thousands
    if as_thousands:
        first = as_thousands[0]
        proof_line, proof = shown.grouping[first.separator]
        result.notes.append(
            ngettext(
                "%(count)s value was read as thousands: %(value)s on line %(line)s as "
                "%(thousands)s, as the file groups thousands on line %(proof_line)s (%(proof)s)",
                "%(count)s values were read as thousands, such as %(value)s on line %(line)s as "
                "%(thousands)s, as the file groups thousands on line %(proof_line)s (%(proof)s)",
                len(as_thousands),
            )
            % {
                "count": len(as_thousands),
                "value": _shown(first.text),
                "line": first.line,
                "thousands": first.written(" "),
                "proof_line": proof_line,
                "proof": _shown(proof),
            }
        )


def _take_back(
    groups: dict[tuple[str, str, int], list[_Pending]],
    cell: _Ambiguous,
    value: float | None,
    reading: Reading = "",
) -> None:
    """Drop the cell's row from its group (``value`` None) or give it ``value``, read so."""
    if cell.group_key is None or cell.pending is None:
        return  # the row had other problems and waits nowhere
    group = groups[cell.group_key]
    at = next(index for index, pending in enumerate(group) if pending is cell.pending)
    if value is None:
        del group[at]
        if not group:
            del groups[cell.group_key]
    else:
        group[at] = cell.pending._replace(value=value, reading=reading)


def _contradicted(cell: _Ambiguous, shown: _MarksShown) -> str:
    """Why a value is refused in a file that writes decimals with its separator and also
    groups thousands with it, and how to write it."""
    separator = cell.separator
    decimal_line, decimal = shown.decimal[separator]
    thousands = cell.written(" ")
    if cell.repeated:
        if separator == ".":
            message = _(
                "value %(value)s is ambiguous: its points group thousands (%(thousands)s), "
                "but the file writes decimals with a point (line %(line)s: %(example)s); "
                "write %(thousands)s"
            )
        else:
            message = _(
                "value %(value)s is ambiguous: its commas group thousands (%(thousands)s), "
                "but the file writes decimals with a comma (line %(line)s: %(example)s); "
                "write %(thousands)s"
            )
        return message % {
            "value": _shown(cell.text),
            "thousands": thousands,
            "line": decimal_line,
            "example": _shown(decimal),
        }
    group_line, group = shown.grouping[separator]
    if separator == ".":
        reason = _(
            "the file uses the point both to mark decimals (line %(decimal_line)s: "
            "%(decimal)s) and to group thousands (line %(group_line)s: %(group)s); write "
            "%(thousands)s, or %(longer)s if it is a decimal"
        )
    else:
        reason = _(
            "the file uses the comma both to mark decimals (line %(decimal_line)s: "
            "%(decimal)s) and to group thousands (line %(group_line)s: %(group)s); write "
            "%(thousands)s, or %(longer)s if it is a decimal"
        )
    reason %= {
        "decimal_line": decimal_line,
        "decimal": _shown(decimal),
        "group_line": group_line,
        "group": _shown(group),
        "thousands": thousands,
        "longer": cell.text + "0",
    }
    return _ambiguous_because(cell, reason)


def _ambiguous(cell: _Ambiguous, marks: set[str], shown: _MarksShown, implied: str | None) -> str:
    """Why an ambiguous value is refused, and how to write it."""
    thousands = cell.written(" ")
    if len(marks) > 1:
        comma_line, comma = shown.decimal[","]
        point_line, point = shown.decimal["."]
        reason = _(
            "the file writes decimals both with a comma (line %(comma_line)s: %(comma)s) "
            "and with a point (line %(point_line)s: %(point)s); use one decimal mark in the "
            "whole file"
        ) % {
            "comma_line": comma_line,
            "comma": _shown(comma),
            "point_line": point_line,
            "point": _shown(point),
        }
    elif not marks:
        reason = _(
            "nothing else in the file shows whether its decimal mark is a comma or a point; "
            "write %(thousands)s, or %(longer)s if it is a decimal"
        ) % {"thousands": thousands, "longer": cell.text + "0"}
    else:
        (mark,) = marks
        readings: dict[str, object] = {"thousands": thousands, "decimal": cell.written(mark)}
        if mark in shown.decimal:
            example_line, example = shown.decimal[mark]
            readings |= {"line": example_line, "example": _shown(example)}
            if mark == ",":
                reason = _(
                    "the file writes decimals with a comma (line %(line)s: %(example)s) and no "
                    "value shows a point grouping thousands; write %(thousands)s, or "
                    "%(decimal)s if it is a decimal"
                )
            else:
                reason = _(
                    "the file writes decimals with a point (line %(line)s: %(example)s) and no "
                    "value shows a comma grouping thousands; write %(thousands)s, or "
                    "%(decimal)s if it is a decimal"
                )
        elif implied == ",":
            reason = _(
                "the file is separated by semicolons, as spreadsheets save files whose decimal "
                "mark is the comma, and no value shows a point grouping thousands; write "
                "%(thousands)s, or %(decimal)s if it is a decimal"
            )
        else:
            reason = _(
                "the file is separated by commas, so its decimal mark is the point, and no "
                "value shows a comma grouping thousands; write %(thousands)s, or %(decimal)s "
                "if it is a decimal"
            )
        reason %= readings
    return _ambiguous_because(cell, reason)


def _ambiguous_because(cell: _Ambiguous, reason: str) -> str:
    """The message refusing a one-group value, with the reason the file gives."""
    if cell.separator == ".":
        message = _(
            "value %(value)s is ambiguous: the point may group thousands (%(thousands)s) or "
            "mark decimals, and %(reason)s"
        )
    else:
        message = _(
            "value %(value)s is ambiguous: the comma may group thousands (%(thousands)s) or "
            "mark decimals, and %(reason)s"
        )
    return message % {"value": _shown(cell.text), "thousands": cell.written(" "), "reason": reason}


def _combine_groups(
    groups: dict[tuple[str, str, int], list[_Pending]],
    indicators: Mapping[str, IndicatorInfo],
    mapper: CodeMapper,
    result: ValidationResult,
) -> None:
    """Turn each (2024 place, indicator, year) group into one row or problems."""
    rows = result.rows
    append = rows.append
    for (target, indicator, year), group in groups.items():
        if len(group) == 1:
            line, source, value, flags, origin, written, reading = group[0]
            if source == target:
                append(
                    ValidRow(
                        target,
                        indicator,
                        year,
                        value,
                        flags,
                        (line,),
                        origin,
                        (written,),
                        reading,
                        (source,),
                    )
                )
                continue
        predecessors = {entry.old_code: entry for entry in mapper.predecessors(target, year)}
        sources = [pending.source for pending in group]
        target_name = f"{target} {mapper.name(target)}".strip()

        def described(pendings: list[_Pending], year: int = year) -> str:
            lines = ", ".join(str(pending.line) for pending in pendings)
            places = ", ".join(
                f"{pending.source} {mapper.name(pending.source, year)}".strip()
                for pending in pendings
            )
            return _lines_and_places(lines, places, len(pendings))

        is_merge = len(set(sources)) == len(sources) and all(
            source in predecessors for source in sources
        )
        if len(group) > 1 and not is_merge:
            ordered = sorted(group, key=lambda pending: pending.line)
            result.problems.append(
                Problem(
                    ordered[-1].line,
                    "place",
                    _("duplicate: %(place)s, %(indicator)s, %(year)s appears on %(rows)s")
                    % {
                        "place": target_name,
                        "indicator": indicator,
                        "year": year,
                        "rows": described(ordered),
                    },
                )
            )
            continue
        if len(group) == 1 and len(predecessors) <= 1:
            only = group[0]  # a 1:1 renumbering, or a source already in a later division
            rows.append(
                ValidRow(
                    target,
                    indicator,
                    year,
                    only.value,
                    only.flags,
                    (only.line,),
                    only.origin,
                    (only.written,),
                    only.reading,
                    (only.source,),
                )
            )
            result.mapped += 1
            continue
        ordered = sorted(group, key=lambda pending: pending.line)
        info = indicators[indicator]
        if info.measure != MEASURE_COUNT:
            result.problems.append(
                Problem(
                    ordered[0].line,
                    "place",
                    ngettext(
                        "rates and shares cannot be summed: %(rows)s maps to %(place)s, which "
                        "in %(year)s was %(count)s municipalities",
                        "rates and shares cannot be summed: %(rows)s map to %(place)s, which "
                        "in %(year)s was %(count)s municipalities",
                        len(ordered),
                    )
                    % {
                        "rows": described(ordered),
                        "place": target_name,
                        "year": year,
                        "count": len(predecessors),
                    },
                )
            )
            continue
        present = set(sources)
        missing = [code for code in sorted(predecessors) if code not in present]
        if missing:
            names = ", ".join(f"{code} {predecessors[code].name}".strip() for code in missing)
            result.problems.append(
                Problem(
                    ordered[0].line,
                    "place",
                    _("cannot sum %(rows)s into %(place)s for %(year)s: missing %(missing)s")
                    % {
                        "rows": described(ordered),
                        "place": target_name,
                        "year": year,
                        "missing": names,
                    },
                )
            )
            continue
        partial = [entry for entry in predecessors.values() if entry.weight < 1]
        if partial:
            names = ", ".join(f"{entry.old_code} {entry.name}".strip() for entry in partial)
            result.problems.append(
                Problem(
                    ordered[0].line,
                    "place",
                    _(
                        "cannot sum %(rows)s into %(place)s for %(year)s: only part of "
                        "%(parts)s went to %(target)s, and that part is not known"
                    )
                    % {
                        "rows": described(ordered),
                        "place": target_name,
                        "year": year,
                        "parts": names,
                        "target": target,
                    },
                )
            )
            continue
        values = [pending.value for pending in ordered]
        total = (
            None
            if any(value is None for value in values)
            else math.fsum(value for value in values if value is not None)
        )
        flags = ",".join(dict.fromkeys(pending.flags for pending in ordered if pending.flags))
        origins = "; ".join(dict.fromkeys(pending.origin for pending in ordered if pending.origin))
        rows.append(
            ValidRow(
                target,
                indicator,
                year,
                total,
                flags,
                tuple(pending.line for pending in ordered),
                origins[:MAX_SOURCE_LENGTH],
                tuple(pending.written for pending in ordered),
                # A sum reads as its parts do; the first part read by the file stands for all.
                next((pending.reading for pending in ordered if pending.reading), ""),
                tuple(pending.source for pending in ordered),
            )
        )
        result.mapped += len(ordered)
        result.merged += 1
