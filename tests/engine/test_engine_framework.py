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


# ------------------------------------------------ specifications built in code
# The platform builds its frameworks from its entries (scores.actions.engine_framework)
# rather than from a file; the same rules refuse them, by indicator, row and column.


def spec(**fields):
    from sdgnet.engine.framework import IndicatorSpec

    return IndicatorSpec(**{"indicator": "a", "goal": 1, "best": 100.0, "worst": 0.0, **fields})


# (fields, column, rule, words of the message)
BAD_SPECS = [
    ({"weight": 0.0}, "weight", "weight_not_positive", "weights must be positive, found 0"),
    ({"weight": 1e12}, "weight", "weight_out_of_range", "weights must lie from 1e-09 to 1e+09"),
    ({"weight": 1e-20}, "weight", "weight_out_of_range", "found 1e-20"),
    ({"weight": float("nan")}, "weight", "not_finite", "expected a finite number"),
    ({"target_year": 0}, "target_year", "year_out_of_range", "whole year from 1 to 9999, found 0"),
    ({"target_year": 10000}, "target_year", "year_out_of_range", "found 10000"),
    ({"trend_from": 0}, "trend_from", "year_out_of_range", "found 0"),
    ({"trend_from": 2020, "trend_to": 2020}, "trend_to", "trend_period_reversed", "after"),
    ({"goal": 18}, "goal", "unknown_goal", "unknown goal 18"),
    ({"worst": 100.0}, "worst", "bounds_equal", "best and worst are equal (100)"),
    ({"best": float("inf")}, "best", "not_finite", "expected a finite number"),
    ({"direction": "decrease"}, "direction", "direction_contradicts_bounds", "contradicts"),
    ({"direction": "sideways"}, "direction", "unknown_direction", "found 'sideways'"),
    ({"green": 80.0}, "red", "thresholds_unpaired", "give both green and red"),
    ({"green": 40.0, "red": 60.0}, "green", "thresholds_out_of_order", "must be above red (60)"),
    ({"green": 110.0, "red": 50.0}, "green", "green_better_than_best", "better than best"),
    (
        {"trend_moderate_pace": 2.0},
        "trend_moderate_pace",
        "trend_paces_out_of_order",
        "need 0 < trend_moderate_pace",
    ),
    ({"scope": Scope("", negated=True)}, "scope", "scope_without_column", "names no units"),
]


@pytest.mark.parametrize(
    ("fields", "column", "rule", "words"), BAD_SPECS, ids=[bad[2] for bad in BAD_SPECS]
)
def test_a_framework_built_in_code_is_refused_by_the_file_readers_rules(
    fields, column, rule, words
):
    from sdgnet.engine.framework import Framework, indicator_problems

    bad = spec(**fields, row=4)
    [problem] = indicator_problems(bad)
    assert (problem.column, problem.rule) == (column, rule)
    assert words in problem.message
    with pytest.raises(InputError) as caught:
        Framework(indicators=(spec(indicator="fine"), bad), source="my-framework")
    error = caught.value
    assert (error.file, error.row, error.column) == ("my-framework", 4, column)
    assert str(error) == (
        f"my-framework, row 4, column '{column}': indicator 'a': {problem.message}"
    )


def test_every_rule_a_specification_breaks_is_listed_in_column_order():
    from sdgnet.engine.framework import indicator_problems

    bad = spec(weight=0.0, target_year=0, green=40.0, red=60.0)
    assert [(p.column, p.rule) for p in indicator_problems(bad)] == [
        ("green", "thresholds_out_of_order"),
        ("weight", "weight_not_positive"),
        ("target_year", "year_out_of_range"),
    ]
    assert indicator_problems(spec(green=80.0, red=50.0, weight=1e9, target_year=9999)) == []


@pytest.mark.parametrize(
    ("column", "cell", "fields"),
    [
        ("weight", "0", {"weight": 0.0}),
        ("weight", "1e12", {"weight": 1e12}),
        ("trend_from", "0", {"trend_from": 0}),
        ("target_year", "10000", {"target_year": 10000}),
        ("direction", "decrease", {"direction": "decrease"}),
        ("worst", "100", {"worst": 100.0}),
    ],
)
def test_the_file_reader_and_a_specification_built_in_code_say_the_same(
    tmp_path, column, cell, fields
):
    from sdgnet.engine.framework import indicator_problems

    header = "indicator,goal,best,worst" + ("" if column in ("worst",) else f",{column}")
    row = "a,1,100," + (cell if column == "worst" else f"0,{cell}")
    error = refused(tmp_path, row, header=header)
    [problem] = indicator_problems(spec(**fields))
    assert (error.column, error.message) == (problem.column, problem.message)
