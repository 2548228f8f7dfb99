"""Numbers outside what the engine can hold are refused by name, never a traceback.

Years (framework, observations in CSV and Parquet, `--year`) are whole numbers from 1
to 9999; weights lie from 1e-9 to 1e9 (the range the goal score's exact sums hold);
`--trend-span` is at most 100 years. Every refusal is one line naming file, row and
column (or the option), exit status 2, and nothing is written.
"""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sdgnet.engine import score_sdsn
from sdgnet.engine.cli import main
from sdgnet.engine.framework import parse_framework

PROGRESS_METHODS = ["opensdg", "unsd", "unsd-cr", "eurostat", "eurostat-long", "u4ssc"]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def inputs(tmp_path: Path, framework: str = "indicator,goal,best,worst\na,1,100,0\n"):
    return (
        write(tmp_path / "framework.csv", framework),
        write(tmp_path / "units.csv", "unit,name,group\nu1,,g\n"),
        write(tmp_path / "obs.csv", "unit,indicator,year,value\nu1,a,2015,50\nu1,a,2020,80\n"),
    )


def run(tmp_path: Path, *extra: str, framework=None, observations=None, method="sdsn"):
    default_framework, units, default_observations = inputs(tmp_path)
    out = tmp_path / "out"
    argv = [
        "--framework",
        str(framework or default_framework),
        "--observations",
        str(observations or default_observations),
        "--units",
        str(units),
        "--method",
        method,
        "--out",
        str(out),
        *extra,
    ]
    return main(argv), out


def assert_refused(status: int, out: Path, message: str, *words: str) -> None:
    assert status == 2
    assert "Traceback" not in message
    lines = message.strip().splitlines()
    assert lines[-1].startswith(("error: ", "sdgnet score: error: ")), message
    for word in words:
        assert word in lines[-1]
    assert not out.exists()


@pytest.mark.parametrize("year", ["3000000000", "0", "-5", "10000"])
def test_a_year_option_outside_1_to_9999_is_refused(tmp_path, capsys, year):
    status, out = run(tmp_path, "--year", year)
    message = capsys.readouterr().err
    assert_refused(status, out, message, f"argument --year: must be from 1 to 9999, found {year}")


def test_years_1_and_9999_are_years(tmp_path):
    framework = "indicator,goal,best,worst,green,red\na,1,100,0,80,50\n"
    path = write(tmp_path / "fw.csv", framework)
    observations = write(
        tmp_path / "years.csv", "unit,indicator,year,value\nu1,a,1,50\nu1,a,9999,60\n"
    )
    status, out = run(tmp_path, "--year", "9999", framework=path, observations=observations)
    assert status == 0
    rows = list(csv.DictReader((out / "indicators.csv").open(encoding="utf-8")))
    assert [(row["year"], row["value"]) for row in rows] == [("9999", "60.0")]


@pytest.mark.parametrize("span", ["999999", "101", "0"])
def test_a_trend_span_beyond_a_century_is_refused_as_an_option(tmp_path, capsys, span):
    status, out = run(tmp_path, "--trend-span", span)
    message = capsys.readouterr().err
    assert_refused(status, out, message, "argument --trend-span: must be from 1 to 100, found")
    assert "obs.csv" not in message


def test_the_longest_trend_span_scores(tmp_path):
    status, out = run(tmp_path, "--trend-span", "100")
    assert status == 0
    assert (out / "index.csv").read_text(encoding="utf-8") == "unit,score,rank\nu1,80.0,1\n"


# (column, cell, words of the message); a `target_year` needs a `target_value`.
BAD_FRAMEWORK_CELLS = [
    ("trend_from", "99999999999", "expected a whole year from 1 to 9999, found 99999999999"),
    ("trend_to", "1e30", "expected a whole year from 1 to 9999, found 1e+30"),
    ("trend_to", "1e300", "expected a whole year from 1 to 9999, found 1e+300"),
    ("trend_from", "0", "expected a whole year from 1 to 9999, found 0"),
    ("target_year", "1e19", "expected a whole year from 1 to 9999, found 1e+19"),
    ("weight", "1e19", "weights must lie from 1e-09 to 1e+09"),
    ("weight", "1e308", "weights must lie from 1e-09 to 1e+09"),
    ("weight", "1e-20", "weights must lie from 1e-09 to 1e+09"),
]


@pytest.mark.parametrize("method", ["sdsn", *PROGRESS_METHODS])
@pytest.mark.parametrize("bad", BAD_FRAMEWORK_CELLS, ids=lambda bad: f"{bad[0]}={bad[1]}")
def test_framework_numbers_out_of_range_are_refused_by_cell(tmp_path, capsys, bad, method):
    column, cell, words = bad
    framework = write(
        tmp_path / "fw.csv",
        f"indicator,goal,best,worst,target_value,{column}\na,1,100,0,90,{cell}\n",
    )
    status, out = run(tmp_path, framework=framework, method=method)
    message = capsys.readouterr().err
    assert_refused(status, out, message, "fw.csv, row 1 (line 2)", f"column '{column}'", words)


def test_weights_at_the_bounds_score_exactly(tmp_path):
    framework = write(
        tmp_path / "fw.csv", "indicator,goal,best,worst,weight\na,1,100,0,1e9\nb,1,100,0,1e-9\n"
    )
    observations = write(
        tmp_path / "w.csv", "unit,indicator,year,value\nu1,a,2020,80\nu1,b,2020,10\n"
    )
    status, out = run(tmp_path, framework=framework, observations=observations)
    assert status == 0
    goals = list(csv.DictReader((out / "goals.csv").open(encoding="utf-8")))
    expected = (1e9 * 80 + 1e-9 * 10) / (1e9 + 1e-9)
    assert float(goals[0]["score"]) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("method", ["sdsn", "opensdg"])
@pytest.mark.parametrize(
    ("year", "shown"),
    [("3000000000", "3000000000"), ("2147483648", "2147483648"), ("0", "0"), ("-5", "-5")],
)
def test_a_csv_year_outside_1_to_9999_is_refused_by_cell(tmp_path, capsys, method, year, shown):
    observations = write(
        tmp_path / "big.csv", f"unit,indicator,year,value\nu1,a,2020,80\nu1,a,{year},80\n"
    )
    status, out = run(tmp_path, observations=observations, method=method)
    message = capsys.readouterr().err
    assert_refused(
        status,
        out,
        message,
        "big.csv, row 2 (line 3), column 'year'",
        f"expected a whole year from 1 to 9999, found {shown}",
    )


YEAR_COLUMNS = {
    "int64 beyond 32 bits": (pa.array([2020, 99999999999], pa.int64()), "found 99999999999"),
    "int64 just beyond int32": (pa.array([2020, 2147483648], pa.int64()), "found 2147483648"),
    "int32 zero": (pa.array([2020, 0], pa.int32()), "found 0"),
    "float64 NaN": (pa.array([2020.0, float("nan")], pa.float64()), "found nan"),
    "float64 too large": (pa.array([2020.0, 1e30], pa.float64()), "found 1e+30"),
    "text too large": (pa.array(["2020", "3000000000"], pa.string()), "found 3000000000"),
    "date32": (
        pa.array([datetime.date(2020, 1, 1), datetime.date(2021, 1, 1)], pa.date32()),
        None,
    ),
}


@pytest.mark.parametrize("method", ["sdsn", "opensdg"])
@pytest.mark.parametrize("kind", list(YEAR_COLUMNS))
def test_a_parquet_year_outside_1_to_9999_is_refused_by_cell(tmp_path, capsys, method, kind):
    years, found = YEAR_COLUMNS[kind]
    path = tmp_path / "obs.parquet"
    pq.write_table(
        pa.table(
            {"unit": ["u1", "u1"], "indicator": ["a", "a"], "year": years, "value": [1.0, 2.0]}
        ),
        path,
    )
    status, out = run(tmp_path, observations=path, method=method)
    message = capsys.readouterr().err
    # The date column is refused by its first cell, as the same text in CSV would be.
    words = (
        ["row 1, column 'year'", "expected a number, found '2020-01-01'"]
        if found is None
        else ["row 2, column 'year'", f"expected a whole year from 1 to 9999, {found}"]
    )
    assert_refused(status, out, message, "obs.parquet", *words)


@pytest.mark.parametrize("method", ["sdsn", "opensdg"])
def test_a_parquet_date_value_column_is_refused_by_cell(tmp_path, capsys, method):
    path = tmp_path / "obs.parquet"
    values = pa.array([None, datetime.date(2020, 1, 1)], pa.date32())
    pq.write_table(
        pa.table(
            {"unit": ["u1", "u1"], "indicator": ["a", "a"], "year": [2019, 2020], "value": values}
        ),
        path,
    )
    status, out = run(tmp_path, observations=path, method=method)
    message = capsys.readouterr().err
    assert_refused(status, out, message, "obs.parquet, row 2, column 'value'", "found '2020-01-01'")


def test_the_library_refuses_a_year_outside_1_to_9999():
    framework = parse_framework(
        pa.table({"indicator": ["a"], "goal": ["1"], "best": ["100"], "worst": ["0"]})
    )
    observations = pa.table({"unit": ["u1"], "indicator": ["a"], "year": [2020], "value": [80.0]})
    units = pa.table({"unit": ["u1"], "name": [None], "group": ["g"]})
    with pytest.raises(ValueError, match="a year to score must be from 1 to 9999"):
        score_sdsn(framework, observations, units, year=3_000_000_000)
    assert score_sdsn(framework, observations, units, year=9999).index["score"].to_pylist() == [
        80.0
    ]


def test_the_library_refuses_a_trend_span_the_plan_cannot_hold():
    from sdgnet.engine.methods.sdsn import MAX_TREND_SPAN, SdsnOptions

    assert SdsnOptions(trend_span=MAX_TREND_SPAN).trend_span == MAX_TREND_SPAN
    with pytest.raises(ValueError, match="trend_span must be from 1 to 100 years"):
        SdsnOptions(trend_span=MAX_TREND_SPAN + 1)
    with pytest.raises(ValueError, match="trend_span must be from 1 to 100 years"):
        SdsnOptions(trend_span=0)
