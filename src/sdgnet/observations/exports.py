"""Exports of observations as CSV or Excel, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sdgnet.observations.access import visible_observations
from sdgnet.observations.readers import FORMULA_STARTS

# flags last: files written before it was added keep their column positions.
EXPORT_COLUMNS = ["place", "indicator", "year", "value", "source", "flags"]


def neutralise(cell: object) -> object:
    """Prefix text that a spreadsheet would run as a formula (CSV injection, OWASP)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def observation_rows(user: Any = None) -> Iterator[list[object]]:
    """Rows of the observations `user` may see (None: published ones only, so an
    operator's export never carries embargoed values)."""
    observations = visible_observations(user).order_by("place_id", "indicator_id", "year")
    for place, indicator, year, value, source, flags in observations.values_list(
        "place_id", "indicator_id", "year", "value", "source", "flags"
    ).iterator(chunk_size=5000):
        yield [
            neutralise(place),
            neutralise(indicator),
            year,
            value,
            neutralise(source),
            neutralise(flags),
        ]


class ExportError(ValueError):
    pass


def write_observations(path: Path, user: Any = None) -> int:
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise ExportError(f"{path.name}: the file name must end in .csv or .xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a failed export never leaves half a file.
    partial = path.with_name(f".{path.name}.partial")
    count = 0
    if suffix == ".csv":
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            for row in observation_rows(user):
                writer.writerow(["" if cell is None else cell for cell in row])
                count += 1
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("observations")
        sheet.append(EXPORT_COLUMNS)
        for row in observation_rows(user):
            sheet.append(row)
            count += 1
        workbook.save(partial)
    partial.replace(path)
    return count
