"""`sdgnet score --method <progress method>` keeps only the rows of the units an
indicator applies to (its `scope`, `!` negating it), as `--method sdsn` does."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sdgnet.engine.cli import main

# One method of each family, and the variants that share its code.
METHODS = ["opensdg", "unsd", "unsd-cr", "eurostat", "eurostat-long", "u4ssc", "sdsn"]
# B is big, S is small; both have the same series, one falling short of the target.
OBSERVATIONS = "unit,indicator,year,value\nB,d,2015,50\nB,d,2020,60\nS,d,2020,60\nS,d,2015,50\n"


def rows(tmp_path: Path, method: str, scope: str) -> list[tuple[str, str, str]]:
    framework = tmp_path / "framework.csv"
    framework.write_text(
        f"indicator,goal,best,worst,target_value,scope\nd,1,100,0,90,{scope}\n",
        encoding="utf-8",
    )
    units = tmp_path / "units.csv"
    units.write_text("unit,name,group,big\nB,,g,1\nS,,g,0\n", encoding="utf-8")
    observations = tmp_path / "observations.csv"
    observations.write_text(OBSERVATIONS, encoding="utf-8")
    out = tmp_path / f"out-{method}-{scope}"
    argv = ["--framework", str(framework), "--observations", str(observations)]
    argv += ["--units", str(units), "--method", method, "--out", str(out)]
    assert main(argv) == 0
    with (out / "indicators.csv").open(encoding="utf-8") as handle:
        return [(row["unit"], row["indicator"], row["year"]) for row in csv.DictReader(handle)]


@pytest.mark.parametrize("method", METHODS)
def test_only_the_units_in_scope_get_a_row(tmp_path, method):
    assert rows(tmp_path, method, "big") == [("B", "d", "2020")]


@pytest.mark.parametrize("method", METHODS)
def test_a_negated_scope_keeps_the_other_units(tmp_path, method):
    assert rows(tmp_path, method, "!big") == [("S", "d", "2020")]


@pytest.mark.parametrize("method", ["opensdg", "u4ssc"])
def test_without_a_scope_every_unit_gets_a_row(tmp_path, method):
    assert rows(tmp_path, method, "") == [("B", "d", "2020"), ("S", "d", "2020")]


def test_the_note_counts_only_the_series_in_scope(tmp_path, capsys):
    # u4ssc needs a target; without one no series has a status, and the note says how
    # many series that is: one, the big unit's.
    framework = tmp_path / "framework.csv"
    framework.write_text("indicator,goal,best,worst,scope\nd,1,100,0,big\n", encoding="utf-8")
    units = tmp_path / "units.csv"
    units.write_text("unit,name,group,big\nB,,g,1\nS,,g,0\n", encoding="utf-8")
    observations = tmp_path / "observations.csv"
    observations.write_text(OBSERVATIONS, encoding="utf-8")
    argv = ["--framework", str(framework), "--observations", str(observations)]
    argv += ["--units", str(units), "--method", "u4ssc", "--out", str(tmp_path / "out")]
    assert main(argv) == 0
    assert "why, by number of series: no target (1)" in capsys.readouterr().err
