"""Parsing single cells, with errors that name file, row and column.

Cells come from CSV (text) or Parquet (typed); both go through these functions so
the two formats give identical results. Missing stays missing (None), never zero.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from sdgnet.engine.errors import InputError

DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
TRUE_WORDS = frozenset({"1", "yes", "true", "y", "t"})
FALSE_WORDS = frozenset({"0", "no", "false", "n", "f"})


def text(cell: object) -> str | None:
    """The cell as stripped text; None for an empty or null cell."""
    if cell is None:
        return None
    if isinstance(cell, float) and math.isnan(cell):
        return None
    value = str(cell).strip()
    return value or None


def number(cell: object, file: str | Path, row: int, column: str) -> float | None:
    if isinstance(cell, bool):
        raise InputError(file, f"expected a number, found {cell!r}", row=row, column=column)
    if isinstance(cell, int | float):
        value = float(cell)
        if math.isnan(value):
            return None
    else:
        raw = text(cell)
        if raw is None:
            return None
        try:
            value = float(raw)
            # "nan" as text (a program's export of a missing number) is missing, as a
            # NaN in a typed column is.
            if math.isnan(value):
                return None
        except ValueError:
            # A decimal comma, as Norwegian spreadsheets write numbers, gets a hint.
            hint = " (the decimal mark is '.')" if DECIMAL_COMMA.fullmatch(raw) else ""
            raise InputError(
                file, f"expected a number, found {raw!r}{hint}", row=row, column=column
            ) from None
    if math.isinf(value):
        raise InputError(file, "expected a finite number", row=row, column=column)
    return value


def integer(cell: object, file: str | Path, row: int, column: str) -> int | None:
    value = number(cell, file, row, column)
    if value is None:
        return None
    if not value.is_integer():
        raise InputError(file, f"expected a whole number, found {value!r}", row=row, column=column)
    return int(value)


def boolean(cell: object, file: str | Path, row: int, column: str) -> bool | None:
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float) and cell in (0, 1):
        return bool(cell)
    raw = text(cell)
    if raw is None:
        return None
    word = raw.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InputError(
        file, f"expected 1/0, yes/no or true/false, found {raw!r}", row=row, column=column
    )


# A whole number as typed: an optional sign and ASCII digits. (int() also takes "1_0",
# " 7 " and the digits of other scripts.)
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def read_whole_number(text: str) -> int:
    """The whole number `text` writes; ValueError for anything but a sign and digits."""
    if not WHOLE_NUMBER.fullmatch(text):
        raise ValueError(text)
    return int(text)
