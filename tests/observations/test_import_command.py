"""`sdgnet import`: what it tells besides the counts (notes, values left out)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

# 0219 was Bærum until 2019, 3024 from 2020: each has one value in a year it was not in use.
WIDE_OLD_NUMBERS = "kommune;2019;2020\n0219;5;..\n3024;..;6\n"


def run_import(*args: str) -> str:
    """The command's report in English (its default is bokmål, see test_languages.py)."""
    out = io.StringIO()
    call_command("import", *args, "--language", "en", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_readers_notes_are_shown(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.csv"
    path.write_bytes(
        "place;indicator;year;value;navn\n3201;population;2027;5;Bærum\n".encode("cp1252")
    )
    output = run_import(str(path), "--source", "SSB", "--dry-run")
    assert "Windows-1252" in output
    assert "'navn'" in output  # the column that is not imported


def test_values_left_out_under_numbers_not_in_use_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(WIDE_OLD_NUMBERS, encoding="utf-8")
    output = run_import(str(path), "--indicator", "population", "--dry-run")
    assert "2 rows valid" in output
    assert "2 missing values under municipality numbers not in use that year" in output


def test_values_read_as_thousands_are_told(tmp_path: Path) -> None:
    path = tmp_path / "befolkning.csv"
    path.write_text("kommune;år;verdi\n3201;2027;130.921\n0301;2027;1.234,5\n", encoding="utf-8")
    output = run_import(str(path), "--indicator", "population", "--source", "SSB", "--dry-run")
    assert "2 rows valid" in output
    assert (
        "1 value was read as thousands: '130.921' on line 2 as 130 921, as the file groups "
        "thousands on line 3 ('1.234,5')"
    ) in output
