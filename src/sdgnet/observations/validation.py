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
- **Duplicates**: the same (place, indicator, year) twice, including an old number and its
  new number for the same year, is refused naming every line.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

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
}

_THOUSANDS_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")
_NORWEGIAN_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")  # 1.234,5
_ENGLISH_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+\.\d+$")  # 1,234.5
_PLAIN_DECIMAL_COMMA = re.compile(r"^[+-]?(?:\d+,?\d*|,\d+)$")  # 12,5  -3,  ,5
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


@dataclass(frozen=True)
class IndicatorInfo:
    key: str
    unit: str
    measure: str  # "count" (summable) or "rate" (rates, shares, averages: not summable)


@dataclass(frozen=True, slots=True)
class ValidRow:
    place: str  # 2024 municipality number
    indicator: str
    year: int
    value: float | None  # None: explicitly missing
    flags: str  # "" when none
    lines: tuple[int, ...]  # source lines; several when old municipalities were summed
    source: str = ""  # the row's own source; "" when the file has none (the import's applies)


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
            f"{_shown(stripped)} is a formula, not a value (formulas are never evaluated)"
        )
    candidate = stripped.replace("\u2212", "-").translate(_THOUSANDS_SPACES)
    if candidate.lstrip("+-").casefold() in ("nan", "inf", "infinity"):
        raise ValueError(f"value {_shown(stripped)} is not a finite number")
    if _PLAIN_NUMBER.match(candidate):
        number = float(candidate)
    elif _PLAIN_DECIMAL_COMMA.match(candidate):
        number = float(candidate.replace(",", "."))
    elif _NORWEGIAN_NUMBER.match(candidate):
        number = float(candidate.replace(".", "").replace(",", "."))
    elif _ENGLISH_NUMBER.match(candidate):
        number = float(candidate.replace(",", ""))
    else:
        raise ValueError(f"value {_shown(stripped)} is not a number")
    if not math.isfinite(number):
        raise ValueError(f"value {_shown(stripped)} is not a finite number")
    return number


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


def validate(
    raw: list[RawRow],
    *,
    indicators: Mapping[str, IndicatorInfo],
    mapper: CodeMapper,
    current_places: set[str],
    default_indicator: str | None,
    year_range: tuple[int, int] | None = None,
) -> ValidationResult:
    """Check every row and return the valid observations or every problem found.

    ``year_range`` is inclusive and defaults to 1950 … next year.
    """
    first_year, last_year = year_range if year_range is not None else default_year_range()
    problems: list[Problem] = []
    result = ValidationResult(rows=[], problems=problems, mapped=0)
    indicators_by_casefold: dict[str, str | None] = {}
    for key in indicators:
        folded = key.casefold()
        # Two keys differing only in case: insist on the exact spelling.
        indicators_by_casefold[folded] = None if folded in indicators_by_casefold else key

    year_cache: dict[str, int | str] = {}
    indicator_cache: dict[str, str | None] = {}
    place_cache: dict[tuple[str, int], _Placed] = {}
    groups: dict[tuple[str, str, int], list[_Pending]] = {}
    lines_without_indicator: list[int] = []

    def resolve_indicator(name: str) -> str | None:
        if name in indicators:
            return name
        return indicators_by_casefold.get(name.casefold())

    def parse_year(text: str) -> int | str:
        stripped = text.strip()
        if not (stripped.isascii() and stripped.isdigit()):
            return f"year {_shown(stripped)} is not a whole year"
        year = int(stripped)
        if not first_year <= year <= last_year:
            return f"year {year} is outside {first_year}–{last_year}"
        return year

    def place(text: str, year: int) -> _Placed:
        code = normalise_municipality_code(text)
        if code is None:
            return _Placed(None, text, f"unknown municipality {_shown(text)}", False, False)
        targets = mapper.resolve(code, year)
        in_use = mapper.in_use(code, year)
        if not targets:
            if code in current_places:
                return _Placed(code, code, None, True, True)
            return _Placed(None, code, f"unknown municipality {_shown(text)}", False, False)
        if len(targets) > 1 or targets[0][1] < 1:
            parts = ", ".join(f"{new} {mapper.name(new)}".strip() for new, _ in targets)
            return _Placed(
                None,
                code,
                f"municipality {code} {mapper.name(code, year)} (as in {year}) was split "
                f"(into {parts}); its value cannot be divided between them",
                in_use,
                True,
            )
        target = targets[0][0]
        if target not in current_places:
            return _Placed(
                None,
                code,
                f"municipality {code} maps to {target}, which is not a current municipality",
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
                    Problem(line, "indicator", f"unknown indicator {_shown(indicator_name)}")
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

        if row.unit is not None and indicator is not None:
            expected_unit = indicators[indicator].unit
            if expected_unit and _unit_key(row.unit) != _unit_key(expected_unit):
                problems.append(
                    Problem(
                        line,
                        "unit",
                        f"unit {_shown(row.unit)} differs from the unit of {indicator} "
                        f"({expected_unit!r})",
                    )
                )
                row_ok = False

        if row.source is not None and len(row.source) > MAX_SOURCE_LENGTH:
            problems.append(
                Problem(line, "source", f"the source is longer than {MAX_SOURCE_LENGTH} characters")
            )
            row_ok = False

        if isinstance(year_or_error, str):
            # Without a year the place cannot be mapped; check only that it is a number.
            if normalise_municipality_code(row.place) is None:
                problems.append(Problem(line, "place", f"unknown municipality {_shown(row.place)}"))
            continue
        placed = place_cache.get((row.place, year))
        if placed is None:
            placed = place_cache[(row.place, year)] = place(row.place, year)
        if value is None and placed.known and not placed.in_use and row_ok:
            result.dropped += 1
            continue
        if placed.error is not None or placed.target is None:
            problems.append(Problem(line, "place", placed.error or "unknown municipality"))
            continue
        if not row_ok or indicator is None:
            continue
        flags = row.flags or ""
        origin = row.source or ""
        if value is None and not flags and value_text.strip():
            flags = value_text.strip()
        pending = _Pending(line, placed.source, value, flags, origin)
        group_key = (placed.target, indicator, year)
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
                f"{len(lines_without_indicator)} values (lines {shown}{more}) name no indicator "
                "and no indicator was given for the file",
            )
        )

    _combine_groups(groups, indicators, mapper, result)
    problems.sort(key=lambda problem: (problem.line is None, problem.line or 0))
    return result


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
            line, source, value, flags, origin = group[0]
            if source == target:
                append(ValidRow(target, indicator, year, value, flags, (line,), origin))
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
            return f"lines {lines} ({places})" if len(pendings) > 1 else f"line {lines} ({places})"

        is_merge = len(set(sources)) == len(sources) and all(
            source in predecessors for source in sources
        )
        if len(group) > 1 and not is_merge:
            ordered = sorted(group, key=lambda pending: pending.line)
            result.problems.append(
                Problem(
                    ordered[-1].line,
                    "place",
                    f"duplicate: {target_name}, {indicator}, {year} appears on "
                    f"{described(ordered)}",
                )
            )
            continue
        if len(group) == 1 and len(predecessors) <= 1:
            only = group[0]  # a 1:1 renumbering, or a source already in a later division
            rows.append(
                ValidRow(target, indicator, year, only.value, only.flags, (only.line,), only.origin)
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
                    f"rates and shares cannot be summed: {described(ordered)} "
                    f"{'map' if len(ordered) > 1 else 'maps'} to {target_name}, which in "
                    f"{year} was {len(predecessors)} municipalities",
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
                    f"cannot sum {described(ordered)} into {target_name} for {year}: "
                    f"missing {names}",
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
                    f"cannot sum {described(ordered)} into {target_name} for {year}: "
                    f"only part of {names} went to {target}, and that part is not known",
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
            )
        )
        result.mapped += len(ordered)
        result.merged += 1
