"""An uploaded file between its preview and its confirmation, and the sample of values the
preview shows.

The preview reads and validates the file once. The rows it would write (`ImportReport.rows`)
are kept in DATA_DIR/uploads/KEY.json, and the confirmation writes exactly those rows
(`do_import_rows`), never a second reading of the file: the values the preview shows are
the values stored, even where a value's reading depends on the rest of the file (130.921
read as 130 921 because another value groups thousands with a point).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sdgnet.observations.actions import ImportReport
from sdgnet.observations.validation import READ_AS_DECIMAL, READ_AS_THOUSANDS, Reading, ValidRow
from sdgnet.places.models import Place

# Bumped when the stored form changes: an older checked upload is then not read (the
# confirmation asks for the file again) rather than read wrongly.
CHECKED_VERSION = 1
FIRST_ROWS = 10  # the sample's first rows, as the file has them
MAX_ROWS_PER_READING = 20  # then the rows the rest of the file settled, this many of each kind


# A preview not confirmed within a day is dropped: its rows are removed by the next upload
# (its confirmation then asks for the file again), so the folder does not grow forever.
KEEP_SECONDS = 24 * 3600


def remove_stale(folder: Path, now: float) -> int:
    """Remove what previews left in `folder` longer than KEEP_SECONDS ago; how many."""
    removed = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and now - path.stat().st_mtime > KEEP_SECONDS:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker removed it first
            continue
    return removed


@dataclass(frozen=True)
class CheckedUpload:
    """What the confirmation writes: the preview's rows and the file they came from."""

    rows: list[ValidRow]
    file_format: str
    file_sha256: str
    rows_read: int


def save_checked(report: ImportReport, path: Path) -> None:
    """Keep the rows of a preview that found no problem, for its confirmation."""
    payload = {
        "version": CHECKED_VERSION,
        "file_format": report.file_format,
        "file_sha256": report.file_sha256,
        "rows_read": report.rows_read,
        # json writes a float as its shortest exact text, so a value reads back the same.
        "rows": [
            [
                row.place,
                row.indicator,
                row.year,
                row.value,
                row.flags,
                list(row.lines),
                row.source,
                list(row.written),
                row.reading,
            ]
            for row in report.rows
        ],
    }
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    # Whole or not at all: a confirmation never reads half a file.
    os.replace(partial, path)


def load_checked(path: Path) -> CheckedUpload | None:
    """The rows a preview kept, or None when they are gone or kept in an older form."""
    try:
        payload: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if payload.get("version") != CHECKED_VERSION:
        return None
    rows = [
        ValidRow(
            place,
            indicator,
            year,
            value,
            flags,
            tuple(lines),
            source,
            tuple(written),
            cast(Reading, reading),
        )
        for place, indicator, year, value, flags, lines, source, written, reading in payload["rows"]
    ]
    return CheckedUpload(
        rows=rows,
        file_format=payload["file_format"],
        file_sha256=payload["file_sha256"],
        rows_read=payload["rows_read"],
    )


def take_checked(path: Path) -> CheckedUpload | None:
    """The rows a preview kept, taken away as they are read, so that they are written once:
    of two confirmations of one preview (a double click, two workers), the one that moves
    the file first gets them and the other None, as for rows that are gone."""
    taken = path.with_name(f"{path.name}.{secrets.token_hex(8)}.taken")
    try:
        os.rename(path, taken)  # atomic: only one confirmation can move it
    except OSError:
        return None
    try:
        return load_checked(taken)
    finally:
        taken.unlink(missing_ok=True)


@dataclass(frozen=True)
class SampleRow:
    """One row of the preview's sample: where it is in the file, what the file says and the
    number that will be stored."""

    lines: str  # "3", or "3, 4, 5" for old municipalities summed into one
    place: str
    place_name: str
    # The old number(s) the file gave, which the code history maps to `place`; "" for none.
    from_places: str
    indicator: str
    year: int
    written: str  # the value cell(s) as written
    value: float | None
    reading: str  # how the rest of the file settled the value, "" when it did not


@dataclass(frozen=True)
class PreviewSample:
    rows: list[SampleRow]
    summary: str  # which rows are shown
    more: list[str]  # the rows settled by the file that are not shown, counted by kind


def preview_sample(rows: Sequence[ValidRow]) -> PreviewSample:
    """The first rows of the file, and the rows whose point or comma the rest of the file
    settled (up to `MAX_ROWS_PER_READING` of each kind), in the order of the file."""
    ordered = sorted(rows, key=lambda row: row.lines[:1])
    picked = ordered[:FIRST_ROWS]
    shown: dict[Reading, int] = {}
    hidden: dict[Reading, int] = {}
    for row in ordered[FIRST_ROWS:]:
        if not row.reading:
            continue
        if shown.get(row.reading, 0) < MAX_ROWS_PER_READING:
            picked.append(row)
            shown[row.reading] = shown.get(row.reading, 0) + 1
        else:
            hidden[row.reading] = hidden.get(row.reading, 0) + 1
    names = dict(
        Place.objects.filter(code__in={row.place for row in picked}).values_list("code", "name")
    )
    sample = [
        SampleRow(
            lines=", ".join(str(line) for line in row.lines),
            place=row.place,
            place_name=names.get(row.place, ""),
            from_places=", ".join(dict.fromkeys(code for code in row.places if code != row.place)),
            indicator=row.indicator,
            year=row.year,
            written=" + ".join(row.written),
            value=row.value,
            reading=_reading_label(row.reading),
        )
        for row in picked
    ]
    return PreviewSample(sample, _summary(len(sample), len(ordered)), _more(hidden))


def _reading_label(reading: Reading) -> str:
    if reading == READ_AS_THOUSANDS:
        return _("thousands, as the file groups them")
    if reading == READ_AS_DECIMAL:
        return _("a decimal, as the file writes decimals")
    return ""


def _summary(shown: int, total: int) -> str:
    if shown == total:
        return ngettext(
            "The row as it will be stored.", "All %(count)s rows as they will be stored.", total
        ) % {"count": total}
    return ngettext(
        "The first %(first)s of %(count)s row as they will be stored, and each row whose point "
        "or comma the rest of the file settled.",
        "The first %(first)s of %(count)s rows as they will be stored, and each row whose point "
        "or comma the rest of the file settled.",
        total,
    ) % {"first": min(FIRST_ROWS, total), "count": total}


def _more(hidden: dict[Reading, int]) -> list[str]:
    more: list[str] = []
    if hidden.get(READ_AS_THOUSANDS):
        count = hidden[READ_AS_THOUSANDS]
        more.append(
            ngettext(
                "and %(count)s more value read as thousands the same way, not shown",
                "and %(count)s more values read as thousands the same way, not shown",
                count,
            )
            % {"count": count}
        )
    if hidden.get(READ_AS_DECIMAL):
        count = hidden[READ_AS_DECIMAL]
        more.append(
            ngettext(
                "and %(count)s more value read as a decimal the same way, not shown",
                "and %(count)s more values read as decimals the same way, not shown",
                count,
            )
            % {"count": count}
        )
    return more
