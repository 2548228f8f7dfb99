from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from sdgnet.observations.actions import do_import_observations
from sdgnet.observations.models import Observation

pytestmark = pytest.mark.django_db


def test_csv_export_has_every_observation_and_the_columns(tmp_path: Path) -> None:
    out = tmp_path / "observations.csv"
    call_command("export", "observations", "--out", str(out))
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["place", "indicator", "year", "value", "source"]
    assert len(rows) == Observation.objects.count()
    baerum = next(
        r
        for r in rows
        if r["place"] == "3201" and r["indicator"] == "population" and r["year"] == "2024"
    )
    assert (
        float(baerum["value"])
        == Observation.objects.get(place_id="3201", indicator_id="population", year=2024).value
    )


def test_cells_that_look_like_formulas_are_neutralised(tmp_path: Path) -> None:
    source_file = tmp_path / "in.csv"
    source_file.write_text("place,indicator,year,value\n3201,population,2027,1\n", encoding="utf-8")
    assert do_import_observations(source_file, source='=HYPERLINK("http://evil")').ok
    out = tmp_path / "observations.xlsx"
    call_command("export", "observations", "--out", str(out))
    sheet = load_workbook(out, read_only=True).active
    sources = [
        row[4]
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[1] == "population" and row[2] == 2027
    ]
    assert sources == ['\'=HYPERLINK("http://evil")']
    csv_out = tmp_path / "observations.csv"
    call_command("export", "observations", "--out", str(csv_out))
    assert "'=HYPERLINK" in csv_out.read_text(encoding="utf-8")


def test_unknown_extension_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "observations.json"
    with pytest.raises(CommandError, match=r"\.csv or \.xlsx"):
        call_command("export", "observations", "--out", str(out))
    assert not out.exists()
