"""Small helpers for reading the project's own CSV files."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path


def read_csv_dicts(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from csv.DictReader(handle)


def optional_float(text: str | None) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def optional_int(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(float(text)) if text else None
