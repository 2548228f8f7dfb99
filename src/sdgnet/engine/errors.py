"""The one error type the engine raises for bad input.

Every message names the file, the row and the column, so a user can open the
file and fix it. Rows are counted from 1 over the data rows (the header is not a
row); for CSV files the message also gives the line number in the file.
"""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """A problem in one of the input files (framework, units, observations)."""

    def __init__(
        self,
        file: str | Path,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file)
        self.row = row
        self.column = column
        self.message = message
        super().__init__(self.describe())

    def describe(self) -> str:
        where = [self.file]
        if self.row is not None:
            line = f" (line {self.row + 1})" if self.file.lower().endswith(".csv") else ""
            where.append(f"row {self.row}{line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return ", ".join(where) + f": {self.message}"
