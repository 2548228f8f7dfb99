"""Municipality numbers across reforms: old numbers → 2024 numbers.

Pure Python, no Django: the import validation uses it, and so can scripts.

Norway renumbered most municipalities in 2020 and again in 2024, merged many in
2020 and split a few. ``code_history.csv`` holds one row per (old number,
period, 2024 successor) with chains already resolved to 2024 numbers; a weight
below 1 means the old municipality was split and only that share went to the
successor.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

# "K-3201" (SSB PxWeb), "3201", "301" (Excel dropped the zero), "0301 Oslo"
# (PxWeb CSV labels), "municip_nor0301" (FHI's csdata).
_CODE_PATTERN = re.compile(r"^(?:[Kk]-?|municip_nor)?(\d{3,4})(?:\s+\S.*)?$")


def normalise_municipality_code(code: str) -> str | None:
    """The 4-digit municipality number written in ``code``, or None if it is not one."""
    match = _CODE_PATTERN.match(code.strip())
    if match is None:
        return None
    return match.group(1).zfill(4)


@dataclass(frozen=True)
class CodeHistoryEntry:
    """An old municipality number valid ``valid_from``–``valid_to`` (inclusive, None = still
    valid) and the 2024 municipality that received ``weight`` of it."""

    old_code: str
    name: str
    valid_from: int
    valid_to: int | None
    new_code: str
    weight: float

    def is_valid_in(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    def years_away_from(self, year: int) -> int:
        if year < self.valid_from:
            return self.valid_from - year
        if self.valid_to is not None and year > self.valid_to:
            return year - self.valid_to
        return 0


class CodeMapper:
    """Resolves a municipality number as written for a given year to 2024 numbers."""

    def __init__(
        self,
        entries: Iterable[CodeHistoryEntry],
        current_codes: Iterable[str] | Mapping[str, str],
    ) -> None:
        """``current_codes`` may be a mapping code → name, so messages can name places."""
        self._entries_by_old: dict[str, list[CodeHistoryEntry]] = {}
        self._entries_by_new: dict[str, list[CodeHistoryEntry]] = {}
        for entry in entries:
            self._entries_by_old.setdefault(entry.old_code, []).append(entry)
            self._entries_by_new.setdefault(entry.new_code, []).append(entry)
        if isinstance(current_codes, Mapping):
            self._current_names: dict[str, str] = dict(current_codes)
        else:
            self._current_names = dict.fromkeys(current_codes, "")

    @property
    def current_codes(self) -> frozenset[str]:
        return frozenset(self._current_names)

    def is_current(self, code: str) -> bool:
        return code in self._current_names

    def is_known(self, code: str) -> bool:
        """True if ``code`` (normalised) is a current or historical municipality number."""
        normalised = normalise_municipality_code(code)
        return normalised is not None and (
            normalised in self._current_names or normalised in self._entries_by_old
        )

    def entries_for(self, code: str, year: int) -> list[CodeHistoryEntry]:
        """The history entries that say where ``code`` went, preferring those valid in ``year``.

        When the number was not in use in ``year`` (a source that already converted its
        older years to a later division), the entries of the period nearest to ``year``
        are used.
        """
        normalised = normalise_municipality_code(code)
        if normalised is None:
            return []
        entries = self._entries_by_old.get(normalised, [])
        valid = [entry for entry in entries if entry.is_valid_in(year)]
        if valid or not entries or normalised in self._current_names:
            return valid
        nearest = min(entry.years_away_from(year) for entry in entries)
        return [entry for entry in entries if entry.years_away_from(year) == nearest]

    def resolve(self, code: str, year: int) -> list[tuple[str, float]]:
        """The 2024 municipality number(s) and weights for ``code`` as used in ``year``.

        A current number maps to itself unless the history says that in ``year`` it
        meant another municipality; an unknown number gives [].
        """
        normalised = normalise_municipality_code(code)
        if normalised is None:
            return []
        entries = self.entries_for(normalised, year)
        if entries:
            return [(entry.new_code, entry.weight) for entry in entries]
        if normalised in self._current_names:
            return [(normalised, 1.0)]
        return []

    def predecessors(self, new_code: str, year: int) -> list[CodeHistoryEntry]:
        """Old municipalities valid in ``year`` whose land (all or part) is now ``new_code``."""
        return [
            entry
            for entry in self._entries_by_new.get(new_code, [])
            if entry.old_code != new_code and entry.is_valid_in(year)
        ]

    def in_use(self, code: str, year: int) -> bool:
        """True if ``code`` was the number of a municipality in ``year``.

        A current number counts as in use unless it replaced other numbers that were
        still valid that year (3201 Bærum was 0219 in 2015).
        """
        normalised = normalise_municipality_code(code)
        if normalised is None:
            return False
        if any(entry.is_valid_in(year) for entry in self._entries_by_old.get(normalised, [])):
            return True
        return normalised in self._current_names and not self.predecessors(normalised, year)

    def name(self, code: str, year: int | None = None) -> str:
        """A human name for ``code`` (as used in ``year`` if given), or "" if none is known."""
        normalised = normalise_municipality_code(code) or code
        if year is not None:
            for entry in self._entries_by_old.get(normalised, []):
                if entry.is_valid_in(year) and entry.name:
                    return entry.name
        current_name = self._current_names.get(normalised)
        if current_name:
            return current_name
        for entry in self._entries_by_old.get(normalised, []):
            if entry.name:
                return entry.name
        return ""


def read_code_history(path: Path) -> list[CodeHistoryEntry]:
    """Entries from a CSV with columns ``old_code,name,valid_from,valid_to,new_code,weight``."""
    entries: list[CodeHistoryEntry] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for record in csv.DictReader(handle):
            valid_to = (record["valid_to"] or "").strip()
            weight = (record["weight"] or "").strip()
            entries.append(
                CodeHistoryEntry(
                    old_code=record["old_code"].strip().zfill(4),
                    name=record["name"].strip(),
                    valid_from=int(record["valid_from"]),
                    valid_to=int(valid_to) if valid_to else None,
                    new_code=record["new_code"].strip().zfill(4),
                    weight=float(weight) if weight else 1.0,
                )
            )
    return entries
