from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from sdgnet.observations.actions import do_import_observations
from sdgnet.observations.models import Observation, ObservationRevision

pytestmark = pytest.mark.django_db


def test_csv_export_has_every_observation_and_the_columns(tmp_path: Path) -> None:
    out = tmp_path / "observations.csv"
    call_command("export", "observations", "--out", str(out))
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["place", "indicator", "year", "value", "source", "flags"]
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


def test_reimporting_an_unchanged_export_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "observations.csv"
    call_command("export", "observations", "--out", str(out))
    report = do_import_observations(out, source="ignored: every row names its source")
    assert report.ok, report.problems[:3]
    assert (report.created, report.changed) == (0, 0)
    assert report.unchanged == Observation.objects.count()
    assert not report.wrote


def test_a_formula_like_source_survives_the_round_trip(tmp_path: Path) -> None:
    source_file = tmp_path / "in.csv"
    source_file.write_text("place,indicator,year,value\n3201,population,2027,1\n", encoding="utf-8")
    assert do_import_observations(source_file, source="=1+1").ok
    out = tmp_path / "observations.csv"
    call_command("export", "observations", "--out", str(out))
    again = do_import_observations(out, source="other")
    assert again.ok and again.changed == 0
    assert Observation.objects.get(
        place_id="3201", indicator_id="population", year=2027
    ).source == ("=1+1")


def test_each_row_keeps_its_own_source_and_the_given_one_fills_the_gaps(tmp_path: Path) -> None:
    kept = Observation.objects.get(place_id="3201", indicator_id="population", year=2024)
    path = tmp_path / "mixed.csv"
    path.write_text(
        "place,indicator,year,value,source\n"
        f'3201,population,2024,{kept.value},"{kept.source}"\n'  # one exported line, unchanged
        "3201,population,2027,5,SSB tabell 07459\n"
        "3203,population,2027,6,\n",
        encoding="utf-8",
    )
    report = do_import_observations(path, source="mixed.csv")
    assert report.ok, report.problems
    assert (report.created, report.changed, report.unchanged) == (2, 0, 1)
    sources = dict(
        Observation.objects.filter(indicator_id="population", year=2027).values_list(
            "place_id", "source"
        )
    )
    assert sources == {"3201": "SSB tabell 07459", "3203": "mixed.csv"}
    assert Observation.objects.get(pk=kept.pk).source == kept.source
    assert not ObservationRevision.objects.filter(observation=kept).exists()


def test_without_a_given_source_every_row_must_name_one(tmp_path: Path) -> None:
    path = tmp_path / "partly.csv"
    path.write_text(
        "place;indicator;year;value;kilde\n3201;population;2027;5;SSB\n3203;population;2027;6;\n",
        encoding="utf-8",
    )
    report = do_import_observations(path, source="")
    assert [(problem.line, problem.column) for problem in report.problems] == [(3, "source")]
    assert not Observation.objects.filter(indicator_id="population", year=2027).exists()
    path.write_text(
        "place;indicator;year;value;kilde\n3201;population;2027;5;SSB\n", encoding="utf-8"
    )
    assert do_import_observations(path, source="").ok
    assert Observation.objects.get(
        place_id="3201", indicator_id="population", year=2027
    ).source == ("SSB")
