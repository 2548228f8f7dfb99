"""Framework files: every problem is refused with file, row and column."""

from __future__ import annotations

import pytest

from sdgnet.engine.errors import InputError
from sdgnet.engine.framework import Scope, read_framework

HEADER = "indicator,goal,best,worst,green,red,weight,index,scope,direction,trend_from,trend_to"
GOOD = "a,1,100,0,80,50,1,yes,,,,"


def write(tmp_path, *rows, header=HEADER):
    path = tmp_path / "framework.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def refused(tmp_path, *rows, header=HEADER):
    with pytest.raises(InputError) as caught:
        read_framework(write(tmp_path, *rows, header=header))
    return caught.value


@pytest.mark.parametrize(
    ("bad_row", "column", "words"),
    [
        ("b,1,50,50,,,,,,,,", "worst", "equal"),
        ("b,18,100,0,,,,,,,,", "goal", "unknown goal 18"),
        ("b,0,100,0,,,,,,,,", "goal", "unknown goal 0"),
        ("b,x,100,0,,,,,,,,", "goal", "expected a number"),
        ("b,1.5,100,0,,,,,,,,", "goal", "whole number"),
        ("b,,100,0,,,,,,,,", "goal", "required"),
        ("b,1,100,0,40,60,,,,,,", "green", "out of order"),  # higher is better: green < red
        ("b,1,0,100,60,40,,,,,,", "green", "out of order"),  # lower is better: green > red
        ("b,1,100,0,70,70,,,,,,", "green", "out of order"),
        ("b,1,100,0,110,50,,,,,,", "green", "better than best"),
        ("b,1,100,0,80,-5,,,,,,", "red", "worse than worst"),
        ("b,1,100,0,80,,,,,,,", "red", "both"),
        ("b,1,100,zero,,,,,,,,", "worst", "expected a number"),
        ("b,1,100,0,,,-1,,,,,", "weight", "positive"),
        ("b,1,100,0,,,,maybe,,,,", "index", "yes/no"),
        ("b,1,100,0,,,,,,decrease,,", "direction", "contradicts"),
        ("b,1,100,0,,,,,,sideways,,", "direction", "increase"),
        ("b,1,100,0,,,,,,,2020,2015", "trend_to", "after"),
        ("b,1,100,0,,,,,!,,,", "scope", "names no units column"),
        ("a,2,100,0,,,,,,,,", "indicator", "duplicate indicator id 'a' (first at row 1)"),
        (",2,100,0,,,,,,,,", "indicator", "required"),
        ("b,1,-1e308,1e308,,,,,,,,", "worst", "too far apart"),
        ("b,1,1.7e308,0,1.6e308,1e308,,,,,,", "red", "too large to average"),
        ("b,1,100,inf,,,,,,,,", "worst", "finite"),
    ],
)
def test_bad_rows_are_refused_naming_file_row_and_column(tmp_path, bad_row, column, words):
    error = refused(tmp_path, GOOD, bad_row)
    assert error.row == 2
    assert error.column == column
    message = str(error)
    assert "framework.csv" in message
    assert "row 2 (line 3)" in message
    assert f"column '{column}'" in message
    assert words in message


def test_nan_written_as_text_is_a_missing_number(tmp_path):
    """A program's "nan" for a missing number is missing, as a NaN in Parquet is: here
    the optional thresholds are absent and a missing worst is refused where needed."""
    framework = read_framework(write(tmp_path, GOOD, "b,1,100,0,nan,NaN,,,,,,"))
    assert framework.get("b").green is None and framework.get("b").red is None
    framework = read_framework(write(tmp_path, GOOD, "b,1,100,nan,,,,,,,,"))
    with pytest.raises(InputError, match="column 'worst': this method needs a value here"):
        framework.require_bounds()


def test_missing_required_column_is_named(tmp_path):
    error = refused(tmp_path, "a,100,0", header="indicator,best,worst")
    assert "missing required column(s): goal" in str(error)


def test_good_framework_parses_with_defaults_and_direction(tmp_path):
    framework = read_framework(
        write(tmp_path, GOOD, "b,3,0,50,10,30,2,no,!coastal,,2010,2015", "c,17,,,,,,,,,,")
    )
    a, b, c = framework.indicators
    assert (a.direction, a.weight, a.index, a.scope) == ("increase", 1.0, True, None)
    assert (b.direction, b.weight, b.index) == ("decrease", 2.0, False)
    assert b.scope == Scope("coastal", negated=True)
    assert (b.trend_from, b.trend_to, b.row) == (2010, 2015, 2)
    assert (c.best, c.worst, c.direction) == (None, None, None)
    assert framework.scope_columns == {"coastal"}
    with pytest.raises(InputError, match=r"row 3 \(line 4\), column 'best'"):
        framework.require_bounds()


def test_parquet_framework_reads_like_csv(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv_framework = read_framework(write(tmp_path, GOOD, "b,3,0,50,10,30,2,no,!coastal,,,"))
    path = tmp_path / "framework.parquet"
    pq.write_table(
        pa.table(
            {
                "indicator": ["a", "b"],
                "goal": [1, 3],
                "best": [100.0, 0.0],
                "worst": [0.0, 50.0],
                "green": [80.0, 10.0],
                "red": [50.0, 30.0],
                "weight": [1.0, 2.0],
                "index": ["yes", "no"],
                "scope": [None, "!coastal"],
            }
        ),
        path,
    )
    assert read_framework(path).indicators == csv_framework.indicators
