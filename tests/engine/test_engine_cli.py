"""`sdgnet score` end to end: golden files, Parquet = CSV, refusals write nothing.

Regenerate the golden files after a deliberate change with
`SDGNET_UPDATE_GOLDEN=1 pytest tests/engine/test_engine_cli.py` and review the diff.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sdgnet.engine.cli import build_parser, main

GOLDEN = Path(__file__).parent / "golden" / "basic"
OUTPUTS = ("indicators.csv", "goals.csv", "index.csv")


def score(tmp_path, *extra, framework=None, observations=None, units=None, out=None):
    out = out or tmp_path / "out"
    argv = [
        "--framework",
        str(framework or GOLDEN / "framework.csv"),
        "--observations",
        str(observations or GOLDEN / "observations.csv"),
        "--units",
        str(units or GOLDEN / "units.csv"),
        "--method",
        "sdsn",
        "--out",
        str(out),
        *extra,
    ]
    if "--method" in extra:
        argv[argv.index("--method") + 1] = extra[extra.index("--method") + 1]
        argv = argv[: len(argv) - len(extra)] + [
            item
            for i, item in enumerate(extra)
            if item != "--method" and (i == 0 or extra[i - 1] != "--method")
        ]
    return main(argv), out


@pytest.mark.parametrize(
    ("expected", "options"),
    [("expected", []), ("expected_skip_2020", ["--year", "2020", "--missing-goal", "skip"])],
)
def test_golden_files(tmp_path, expected, options):
    status, out = score(tmp_path, *options)
    assert status == 0
    for name in OUTPUTS:
        produced = (out / name).read_text(encoding="utf-8")
        golden = GOLDEN / expected / name
        if os.environ.get("SDGNET_UPDATE_GOLDEN"):
            golden.write_text(produced, encoding="utf-8")
        assert produced == golden.read_text(encoding="utf-8"), name


def test_output_columns_and_words_follow_the_contract(tmp_path):
    status, out = score(tmp_path)
    assert status == 0
    headers = {name: (out / name).read_text().splitlines()[0] for name in OUTPUTS}
    assert headers == {
        "indicators.csv": "unit,indicator,year,value,score,colour,trend",
        "goals.csv": "unit,goal,score,colour,trend",
        "index.csv": "unit,score,rank",
    }
    colours = {"green", "yellow", "orange", "red", "grey", ""}
    trends = {"on_track", "moderately_improving", "stagnating", "decreasing", "maintaining", ""}
    for name in ("indicators.csv", "goals.csv"):
        for row in csv.DictReader((out / name).open()):
            assert row["colour"] in colours and row["trend"] in trends
            assert row["score"] == "" or 0 <= float(row["score"]) <= 100


def test_parquet_inputs_give_identical_results(tmp_path):
    paths = {}
    for name in ("framework", "observations", "units"):
        table = pacsv.read_csv(
            GOLDEN / f"{name}.csv",
            convert_options=pacsv.ConvertOptions(
                strings_can_be_null=True,
                column_types={"unit": pa.string(), "indicator": pa.string()},
            ),
        )
        paths[name] = tmp_path / f"{name}.parquet"
        pq.write_table(table, paths[name])
    status, out = score(tmp_path, **paths)
    assert status == 0
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (GOLDEN / "expected" / name).read_bytes(), name


UNITS = ("0301", "1103", "1106", "3401", "3403", "5001")
INDICATORS = ("poverty", "jobs", "youth", "water", "marine", "land", "cycle", "bus")
# A value, missing (None), or no row at all (the key is left out).
cell = st.one_of(
    st.floats(min_value=-50, max_value=150, allow_nan=False).map(lambda v: round(v, 3)),
    st.none(),
    st.just("absent"),
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(
        cell, min_size=len(UNITS) * len(INDICATORS) * 8, max_size=len(UNITS) * len(INDICATORS) * 8
    ),
    year=st.one_of(st.none(), st.integers(2016, 2024)),
)
def test_csv_parquet_with_nulls_and_parquet_with_nan_give_identical_files(
    tmp_path_factory, cells, year
):
    """Any data: the three ways of writing missing values give the same bytes."""
    keys = [
        (unit, indicator, first_year)
        for unit in UNITS
        for indicator in INDICATORS
        for first_year in range(2016, 2024)
    ]
    rows = [(*key, value) for key, value in zip(keys, cells, strict=True) if value != "absent"]
    if not rows:
        return
    folder = tmp_path_factory.mktemp("paths")
    csv_path = folder / "observations.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", "indicator", "year", "value"])
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    columns = list(zip(*rows, strict=True))
    schema_types = (pa.string(), pa.string(), pa.int32())
    keys_arrays = [
        pa.array(list(c), type=t) for c, t in zip(columns[:3], schema_types, strict=True)
    ]
    names = ["unit", "indicator", "year", "value"]
    nulls = pa.array(list(columns[3]), type=pa.float64())
    nans = pa.array(
        [float("nan") if v is None else v for v in columns[3]], type=pa.float64(), from_pandas=False
    )
    outputs = []
    for name, path in (
        ("csv", csv_path),
        ("nulls", folder / "nulls.parquet"),
        ("nans", folder / "nans.parquet"),
    ):
        if name != "csv":
            values = nulls if name == "nulls" else nans
            pq.write_table(pa.Table.from_arrays([*keys_arrays, values], names=names), path)
        extra = [] if year is None else ["--year", str(year)]
        status, out = score(folder, *extra, observations=path, out=folder / f"out_{name}")
        assert status == 0
        outputs.append([(out / file).read_bytes() for file in OUTPUTS])
    assert outputs[0] == outputs[1] == outputs[2]


def test_rows_and_units_in_any_order_give_identical_results(tmp_path):
    lines = (GOLDEN / "observations.csv").read_text().splitlines()
    shuffled = tmp_path / "observations.csv"
    shuffled.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    unit_lines = (GOLDEN / "units.csv").read_text().splitlines()
    units = tmp_path / "units.csv"
    units.write_text("\n".join([unit_lines[0], *reversed(unit_lines[1:])]) + "\n")
    status, out = score(tmp_path, observations=shuffled, units=units)
    assert status == 0
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (GOLDEN / "expected" / name).read_bytes(), name


def copy_inputs(tmp_path):
    for name in ("framework.csv", "observations.csv", "units.csv"):
        shutil.copy(GOLDEN / name, tmp_path / name)
    return tmp_path


def edit_line(path, line_number, new_text):
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line_number - 1] = new_text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


BAD_INPUTS = [
    # (file, line, replacement, expected words in the message)
    (
        "observations.csv",
        3,
        "0301,poverty,2018,ten",
        ["observations.csv", "row 2", "line 3", "column 'value'", "'ten'"],
    ),
    ("observations.csv", 3, '0301,poverty,2018,"10,5"', ["row 2", "'10,5'", "decimal mark"]),
    ("observations.csv", 4, "0301,poverty,2019.5,9", ["row 3", "column 'year'", "whole"]),
    ("observations.csv", 5, "9999,poverty,2020,9", ["row 4", "column 'unit'", "unknown unit"]),
    (
        "observations.csv",
        5,
        "0301,nonsense,2020,9",
        ["row 4", "column 'indicator'", "unknown indicator"],
    ),
    (
        "observations.csv",
        5,
        "0301,poverty,2017,9",
        ["row 4", "column 'year'", "duplicate", "also at row 1"],
    ),
    ("observations.csv", 5, ",poverty,2020,9", ["row 4", "column 'unit'", "needs a value"]),
    ("observations.csv", 1, "unit;indicator;year;value", ["observations.csv", "semicolons"]),
    (
        "framework.csv",
        3,
        "jobs,8,8.5,Employment,%,85,85,80,70,1,yes,,",
        ["framework.csv", "row 2", "'worst'"],
    ),
    ("framework.csv", 4, "youth,19,8.6,Youth,%,2,20,5,10,1,yes,,", ["row 3", "'goal'"]),
    (
        "framework.csv",
        4,
        "youth,8,8.6,Youth,%,2,20,10,5,1,yes,,",
        ["row 3", "'green'", "out of order"],
    ),
    (
        "framework.csv",
        6,
        "marine,14,14.1,Water,index,100,0,80,50,1,yes,harbour,",
        ["framework.csv", "row 5", "column 'scope'", "harbour"],
    ),
    (
        "units.csv",
        3,
        "1103,Stavanger,Rogaland,perhaps,0",
        ["units.csv", "row 2", "column 'coastal'"],
    ),
    ("units.csv", 3, "0301,Stavanger,Rogaland,1,0", ["units.csv", "row 2", "duplicate unit"]),
    ("units.csv", 3, "1103,Stavanger,Rogaland,1", ["units.csv", "row 2", "expected 5", "found 4"]),
    ("framework.csv", 3, "jobs,8,8.5", ["framework.csv", "row 2", "found 3"]),
]


# Problems of whole (unit, indicator) pairs, which the scoring plan itself detects in a
# typed Parquet file: (data row index, new row, expected words in the message).
BAD_PAIRS = [
    (3, ("9999", "poverty", 2020, 9.0), ["row 4", "column 'unit'", "unknown unit '9999'"]),
    # Blanks around ids are trimmed, as in CSV: then this row repeats row 1's year.
    (3, (" 0301 ", "poverty", 2017, 9.0), ["row 4", "column 'year'", "duplicate", "also at row 1"]),
    (3, ("0301", "nonsense", 2020, 9.0), ["row 4", "column 'indicator'", "'nonsense'"]),
    (3, ("0301", "poverty", 2017, 9.0), ["row 4", "column 'year'", "duplicate", "also at row 1"]),
    (3, (None, "poverty", 2020, 9.0), ["row 4", "column 'unit'", "needs a value"]),
    (3, ("0301", None, 2020, 9.0), ["row 4", "column 'indicator'", "needs a value"]),
    (3, ("0301", "poverty", None, 9.0), ["row 4", "column 'year'", "needs a value"]),
]


def typed_observations(edits: dict[int, tuple[object, ...]]) -> pa.Table:
    table = pacsv.read_csv(
        GOLDEN / "observations.csv",
        convert_options=pacsv.ConvertOptions(
            column_types={
                "unit": pa.string(),
                "indicator": pa.string(),
                "year": pa.int32(),
                "value": pa.float64(),
            }
        ),
    )
    rows = table.to_pylist()
    for index, values in edits.items():
        rows[index] = dict(zip(table.column_names, values, strict=True))
    return pa.Table.from_pylist(rows, schema=table.schema)


@pytest.mark.parametrize("year", [[], ["--year", "2020"]], ids=["latest", "2020"])
@pytest.mark.parametrize("bad", BAD_PAIRS, ids=lambda bad: str(bad[1]))
def test_bad_pairs_in_typed_parquet_are_refused_by_row(tmp_path, capsys, bad, year):
    index, values, words = bad
    observations = tmp_path / "observations.parquet"
    pq.write_table(typed_observations({index: values}), observations)
    status, out = score(tmp_path, *year, observations=observations)
    message = capsys.readouterr().err
    assert status == 2
    for word in words:
        assert word in message
    assert not out.exists()


def assert_scored_as_golden(tmp_path: Path, observations: pa.Table) -> None:
    """`observations`, written as Parquet, score exactly as the golden CSV does."""
    path = tmp_path / "observations.parquet"
    pq.write_table(observations, path)
    assert_golden_outputs(*score(tmp_path, observations=path))


def assert_golden_outputs(status: int, out: Path) -> None:
    assert status == 0
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (GOLDEN / "expected" / name).read_bytes(), name


def test_ids_with_blanks_around_them_in_typed_parquet_are_trimmed_as_in_csv(tmp_path):
    table = typed_observations({})
    padded = pa.table(
        {
            "unit": [
                f" {unit}" if i % 2 else f"{unit}  "
                for i, unit in enumerate(table.column("unit").to_pylist())
            ],
            "indicator": [
                f"\t{indicator}\u00a0" if i % 3 else f"\u3000{indicator}\n"
                for i, indicator in enumerate(table.column("indicator").to_pylist())
            ],
            "year": table.column("year"),
            "value": table.column("value"),
        }
    )
    assert_scored_as_golden(tmp_path, padded)


def test_nan_values_in_parquet_are_missing_like_empty_cells(tmp_path):
    table = typed_observations({})
    values = table.column("value").to_pylist()
    assert values.count(None) > 0
    # Every missing value as a NaN (with a sign bit on one), none as a null.
    nans = [float("nan") if v is None else v for v in values]
    nans[values.index(None)] = -float("nan")
    nan_table = table.set_column(3, "value", pa.array(nans, type=pa.float64(), from_pandas=False))
    assert nan_table.column("value").null_count == 0
    assert_scored_as_golden(tmp_path, nan_table)


def text_observations(missing: str | None, spaced: bool = False) -> pa.Table:
    """The golden observations with every column as text, `missing` for each missing
    value (and, with `spaced`, blanks around each number)."""
    table = pacsv.read_csv(
        GOLDEN / "observations.csv",
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in ("unit", "indicator", "year", "value")},
            strings_can_be_null=True,
        ),
    )
    values = [
        missing if value is None else (f"\t{value}\u00a0" if spaced else value)
        for value in table.column("value").to_pylist()
    ]
    return table.set_column(3, "value", pa.array(values, type=pa.string()))


@pytest.mark.parametrize(
    ("missing", "spaced"),
    [(None, False), ("", False), ("NaN", False), (" \u00a0\t", True)],
    ids=["null", "empty", "NaN", "blank, numbers spaced"],
)
def test_text_parquet_reads_blank_and_nan_cells_as_missing(tmp_path, missing, spaced):
    assert_scored_as_golden(tmp_path, text_observations(missing, spaced))


@pytest.mark.parametrize("kind", ["typed", "text"])
def test_an_infinite_value_in_parquet_is_refused_by_row_as_in_csv(tmp_path, capsys, kind):
    if kind == "typed":
        table = typed_observations({5: ("0301", "poverty", 2022, float("-inf"))})
    else:
        table = text_observations(None)
        values = table.column("value").to_pylist()
        values[5] = "inf"
        table = table.set_column(3, "value", pa.array(values, type=pa.string()))
    observations = tmp_path / "observations.parquet"
    pq.write_table(table, observations)
    status, out = score(tmp_path, observations=observations)
    assert status == 2
    assert "row 6, column 'value': expected a finite number" in capsys.readouterr().err
    assert not out.exists()


def test_of_several_problems_a_missing_key_comes_first_then_unknown_ids_then_duplicates(
    tmp_path, capsys
):
    observations = tmp_path / "observations.parquet"
    duplicate, unknown, missing = (
        ("0301", "poverty", 2017, 9.0),
        ("9999", "poverty", 2020, 9.0),
        ("0301", "poverty", None, 9.0),
    )
    pq.write_table(typed_observations({2: duplicate, 5: unknown, 8: missing}), observations)
    assert score(tmp_path, observations=observations)[0] == 2
    assert "row 9, column 'year': this column needs a value" in capsys.readouterr().err
    pq.write_table(typed_observations({2: duplicate, 5: unknown}), observations)
    assert score(tmp_path, observations=observations)[0] == 2
    assert "unknown unit '9999'" in capsys.readouterr().err


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=lambda bad: f"{bad[0]}:{bad[1]}:{bad[2]}")
def test_bad_input_is_refused_by_name_and_nothing_is_written(tmp_path, capsys, bad):
    file, line, text, words = bad
    inputs = copy_inputs(tmp_path)
    edit_line(inputs / file, line, text)
    out = tmp_path / "results"
    status, _ = score(
        tmp_path,
        framework=inputs / "framework.csv",
        observations=inputs / "observations.csv",
        units=inputs / "units.csv",
        out=out,
    )
    message = capsys.readouterr().err
    assert status == 2
    for word in words:
        assert word in message
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_scoring_parquet_observations_with_csv_framework_and_units_never_imports_pyarrow(
    tmp_path,
):
    """pyarrow costs a tenth of a second at start-up; this run does not need it."""
    observations = tmp_path / "observations.parquet"
    text_ids = pacsv.ConvertOptions(column_types={"unit": pa.string(), "indicator": pa.string()})
    pq.write_table(
        pacsv.read_csv(GOLDEN / "observations.csv", convert_options=text_ids), observations
    )
    program = (
        "import sys\n"
        "from sdgnet.engine.cli import main\n"
        f"status = main([{', '.join(repr(a) for a in score_arguments(tmp_path, observations))}])\n"
        "print(status, sorted(m for m in sys.modules if m.split('.')[0] == 'pyarrow'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["0", "[]"]
    assert (tmp_path / "out" / "indicators.csv").read_text(encoding="utf-8") == (
        GOLDEN / "expected" / "indicators.csv"
    ).read_text(encoding="utf-8")


def score_arguments(tmp_path: Path, observations: Path) -> list[str]:
    return [
        "--framework",
        str(GOLDEN / "framework.csv"),
        "--observations",
        str(observations),
        "--units",
        str(GOLDEN / "units.csv"),
        "--method",
        "sdsn",
        "--out",
        str(tmp_path / "out"),
    ]


def test_a_failed_run_leaves_an_existing_out_directory_as_it_was(tmp_path):
    out = tmp_path / "results"
    out.mkdir()
    (out / "index.csv").write_text("earlier results\n")
    status, _ = score(tmp_path, framework=tmp_path / "missing.csv", out=out)
    assert status == 2
    assert [p.name for p in out.iterdir()] == ["index.csv"]
    assert (out / "index.csv").read_text() == "earlier results\n"
    assert score(tmp_path, out=out)[0] == 0
    assert (out / "index.csv").read_bytes() == (GOLDEN / "expected" / "index.csv").read_bytes()


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--threads", "0", "must be at least 1, found 0"),
        ("--threads", "two", "expected a whole number, found 'two'"),
        ("--memory-limit", "lots", "expected a size such as 6GB or 512MB, found 'lots'"),
        ("--sensitivity", "0", "must be from 1 to 100000, found 0"),
        ("--sensitivity", "-3", "must be from 1 to 100000, found -3"),
        ("--sensitivity", "many", "expected a whole number, found 'many'"),
        ("--sensitivity", "2.5", "expected a whole number, found '2.5'"),
        # Beyond the bound: before, these were run (the second failing, after the
        # scoring, to allocate every run's ranks: "Maximum allowed dimension exceeded",
        # or a traceback for 1e11 runs).
        ("--sensitivity", "100001", "must be from 1 to 100000, found 100001"),
        (
            "--sensitivity",
            "99999999999999999999",
            "must be from 1 to 100000, found 99999999999999999999",
        ),
        ("--seed", "-5", "must be at least 0, found -5"),
        # int() reads these; a whole number is an optional sign and ASCII digits.
        ("--threads", "1_0", "expected a whole number, found '1_0'"),
        ("--seed", " 7 ", "expected a whole number, found ' 7 '"),
        (
            "--year",
            "\uff12\uff10\uff12\uff10",
            "expected a whole number, found '\uff12\uff10\uff12\uff10'",
        ),
        ("--trend-span", "+ 5", "expected a whole number, found '+ 5'"),
    ],
)
def test_bad_engine_options_are_refused_by_name(tmp_path, capsys, option, value, words):
    status, out = score(tmp_path, option, value)
    message = capsys.readouterr().err
    assert status == 2
    assert f"argument {option}: {words}" in message
    assert "Traceback" not in message
    assert not out.exists()


def test_a_whole_number_may_have_a_sign_and_leading_zeros():
    from sdgnet.engine.cli import whole_number_from

    parse = whole_number_from(-10, 10)
    assert [parse(text) for text in ("+7", "-3", "007", "-0")] == [7, -3, 7, 0]


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--seed", "7"], "--seed needs --sensitivity RUNS"),
        (
            ["--method", "opensdg", "--local-targets", str(GOLDEN / "observations.csv")],
            "--local-targets needs --method sdsn",
        ),
        (["--method", "opensdg", "--sensitivity", "5"], "--sensitivity needs --method sdsn"),
        (
            ["--method", "eurostat", "--sensitivity", "5", "--seed", "3"],
            "--sensitivity needs --method sdsn",
        ),
    ],
    ids=[
        "seed alone",
        "local targets with a progress method",
        "sensitivity with a progress method",
        "sensitivity and seed with a progress method",
    ],
)
def test_options_that_would_change_nothing_are_refused(tmp_path, capsys, options, words):
    status, out = score(tmp_path, *options)
    assert status == 2
    assert f"error: {words}" in capsys.readouterr().err
    assert not out.exists()


def test_a_run_short_of_memory_is_refused_and_the_limit_does_not_outlive_it(tmp_path, capsys):
    status, out = score(tmp_path, "--memory-limit", "100B")
    assert status == 2
    assert "not enough memory for this run" in capsys.readouterr().err
    assert not out.exists()
    # The limit is the shared database's: a later run in the same process has memory.
    status, out = score(tmp_path, out=tmp_path / "again")
    assert status == 0
    assert (out / "index.csv").read_bytes() == (GOLDEN / "expected" / "index.csv").read_bytes()


def damaged_parquet(tmp_path: Path, how: str) -> Path:
    """The golden observations as Parquet, then damaged: 'garbage' (not Parquet at all),
    'cut' (the end missing), 'pages' (bytes in the middle of the data changed)."""
    path = tmp_path / f"{how}.parquet"
    text_ids = pacsv.ConvertOptions(column_types={"unit": pa.string(), "indicator": pa.string()})
    table = pacsv.read_csv(GOLDEN / "observations.csv", convert_options=text_ids)
    pq.write_table(pa.concat_tables([table] * 50), path, compression="zstd")
    data = bytearray(path.read_bytes())
    if how == "garbage":
        data = bytearray(b"unit,indicator,year,value\n")
    elif how == "cut":
        data = data[: len(data) // 2]
    else:
        for i in range(64, len(data) // 2):
            data[i] = (data[i] * 7 + 13) % 256
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("how", ["garbage", "cut", "pages"])
def test_a_damaged_parquet_file_is_refused_by_name_and_nothing_is_written(tmp_path, capsys, how):
    observations = damaged_parquet(tmp_path, how)
    status, out = score(tmp_path, observations=observations)
    message = capsys.readouterr().err
    assert status == 2
    assert message.startswith("error: ") and f"{how}.parquet" in message
    assert "Traceback" not in message
    assert not out.exists()


def test_a_folder_for_a_file_and_a_file_for_the_out_folder_are_refused(tmp_path, capsys):
    status, _ = score(tmp_path, units=tmp_path)
    assert status == 2
    assert "this is a folder; give a file" in capsys.readouterr().err
    taken = tmp_path / "results.csv"
    taken.write_text("kept\n", encoding="utf-8")
    status, _ = score(tmp_path, out=taken)
    assert status == 2
    assert "is a file; give a folder" in capsys.readouterr().err
    assert taken.read_text(encoding="utf-8") == "kept\n"


def test_unknown_method_is_refused(tmp_path, capsys):
    status, out = score(tmp_path, "--method", "guesswork")
    assert status == 2
    assert "guesswork" in capsys.readouterr().err
    assert not out.exists()


def test_progress_method_writes_its_status_in_the_trend_column(tmp_path):
    from sdgnet.engine import progress

    status, out = score(tmp_path, "--method", "eurostat")
    assert status == 0
    rows = list(csv.DictReader((out / "indicators.csv").open()))
    assert rows, "one row per unit and indicator"
    words = set(progress.STATUSES["eurostat"]) | {""}
    assert {row["trend"] for row in rows} <= words
    assert any(row["trend"] for row in rows)
    assert all(row["score"] == "" for row in rows)


def test_sensitivity_is_reproducible_with_a_seed_and_centred_on_the_sdsn_rank(tmp_path):
    first = score(tmp_path, "--sensitivity", "30", "--seed", "7", out=tmp_path / "a")
    second = score(tmp_path, "--sensitivity", "30", "--seed", "7", out=tmp_path / "b")
    assert first[0] == second[0] == 0
    table = (tmp_path / "a" / "sensitivity.csv").read_text()
    assert table == (tmp_path / "b" / "sensitivity.csv").read_text()
    ranks = {
        row["unit"]: row["rank"] for row in csv.DictReader((tmp_path / "a" / "index.csv").open())
    }
    for row in csv.DictReader((tmp_path / "a" / "sensitivity.csv").open()):
        assert row["nominal_rank"] == ranks[row["unit"]]
        if row["nominal_rank"]:
            assert int(row["min_rank"]) <= int(row["nominal_rank"]) <= int(row["max_rank"])


@pytest.mark.parametrize("year", [None, 2020])
def test_sensitivity_csv_is_the_librarys_analysis_of_the_observations(tmp_path, year):
    # `sdgnet score` analyses the values its scoring run found (the latest at or
    # before --year); the library reads the observations itself: the same table.
    from sdgnet.engine import read_framework
    from sdgnet.engine.sensitivity import rank_intervals

    options = ["--sensitivity", "25", "--seed", "4"]
    if year is not None:
        options += ["--year", str(year)]
    status, out = score(tmp_path, *options)
    assert status == 0
    ids_as_text = pacsv.ConvertOptions(column_types={"unit": pa.string()})
    expected = rank_intervals(
        pacsv.read_csv(GOLDEN / "observations.csv", convert_options=ids_as_text),
        read_framework(GOLDEN / "framework.csv"),
        pacsv.read_csv(GOLDEN / "units.csv", convert_options=ids_as_text),
        year=year,
        runs=25,
        seed=4,
    )
    rows = list(csv.DictReader((out / "sensitivity.csv").open()))
    assert len(rows) == expected.num_rows
    assert any(row["nominal_rank"] for row in rows)
    for row, wanted in zip(rows, expected.to_pylist(), strict=True):
        assert row == {name: "" if v is None else str(v) for name, v in wanted.items()}


@pytest.mark.parametrize("missing_goal", ["group-mean", "skip"])
def test_the_nominal_sensitivity_rank_is_the_rank_of_the_run_asked_for(tmp_path, missing_goal):
    # A has no value for goal 2: skip ranks it on goal 1 alone (52, second), group-mean
    # fills goal 2 with the group's mean (30), which makes it (52 + 30) / 2 = 41, third.
    framework = tmp_path / "framework.csv"
    framework.write_text("indicator,goal,best,worst\na,1,100,0\nb,2,100,0\n", encoding="utf-8")
    units = tmp_path / "units.csv"
    units.write_text("unit,name,group\nA,,g\nB,,g\nC,,g\n", encoding="utf-8")
    observations = tmp_path / "observations.csv"
    observations.write_text(
        "unit,indicator,year,value\nA,a,2020,52\nB,a,2020,80\nB,b,2020,20\n"
        "C,a,2020,70\nC,b,2020,40\n",
        encoding="utf-8",
    )
    options = ("--missing-goal", missing_goal, "--coverage", "0.5", "--sensitivity", "20")
    status, out = score(
        tmp_path, *options, framework=framework, observations=observations, units=units
    )
    assert status == 0
    ranks = {row["unit"]: row["rank"] for row in csv.DictReader((out / "index.csv").open())}
    assert ranks == (
        {"A": "2", "B": "3", "C": "1"} if missing_goal == "skip" else {"A": "3", "B": "2", "C": "1"}
    )
    nominal = {
        row["unit"]: row["nominal_rank"] for row in csv.DictReader((out / "sensitivity.csv").open())
    }
    assert nominal == ranks


@pytest.mark.parametrize(
    ("runs", "budget", "fewer"),
    [
        # 20 bytes hold a count per rank for 3 units (3 × 3 × 2 bytes), no more, or the
        # ranks of 6 units in 1 run (6 × 2 bytes).
        ("30", 20, "give at most 3 units in --units, or --sensitivity 1 or fewer runs"),
        # Beyond 65,535 runs a count takes 4 bytes: 100 bytes hold 5 units' counts, and
        # the 6 units' in 2-byte counts.
        ("70000", 100, "give at most 5 units in --units, or --sensitivity 65535 or fewer runs"),
    ],
)
def test_a_sensitivity_analysis_too_large_for_its_memory_is_refused_before_scoring(
    tmp_path, capsys, monkeypatch, *, runs, budget, fewer
):
    # The golden data's 6 units, against a budget lowered from 512 MiB (which holds
    # 181,620 units' counts, 288,330 with at most 65,535 runs, and more where the runs
    # are few enough to keep their ranks).
    from sdgnet.engine import cli, sensitivity

    def no_scoring(*args, **kwargs):
        raise AssertionError("scored before refusing")

    monkeypatch.setattr(sensitivity, "RANKS_BUDGET", budget)
    monkeypatch.setattr(cli, "run_sdsn", no_scoring)
    out = tmp_path / "results"
    out.mkdir()
    (out / "index.csv").write_text("earlier results\n")
    status, _ = score(tmp_path, "--sensitivity", runs, out=out)
    assert status == 2
    assert capsys.readouterr().err == (
        f"error: --sensitivity {runs}: 6 units are too many: summarising their ranks would take "
        f"more than the {budget} bytes the analysis may use; {fewer}\n"
    )
    assert [p.name for p in out.iterdir()] == ["index.csv"]
    assert (out / "index.csv").read_text() == "earlier results\n"


def test_indexes_equal_in_decimals_share_their_rank_in_sensitivity_csv_too(tmp_path):
    # A and B have the same goal scores in another order, so equal indexes in decimals;
    # summed in goal order they differ in binary ((0.1 + 0.2) + 0.3 = 0.6000000000000001,
    # (0.3 + 0.2) + 0.1 = 0.6). index.csv ranks them 1 and 1; so must sensitivity.csv.
    framework = tmp_path / "framework.csv"
    framework.write_text(
        "indicator,goal,best,worst\na,1,100,0\nb,2,100,0\nc,3,100,0\n", encoding="utf-8"
    )
    units = tmp_path / "units.csv"
    units.write_text("unit,name,group\nA,,g\nB,,g\nC,,g\n", encoding="utf-8")
    observations = tmp_path / "observations.csv"
    observations.write_text(
        "unit,indicator,year,value\n"
        "A,a,2020,0.1\nA,b,2020,0.2\nA,c,2020,0.3\n"
        "B,a,2020,0.3\nB,b,2020,0.2\nB,c,2020,0.1\n"
        "C,a,2020,0\nC,b,2020,0\nC,c,2020,0\n",
        encoding="utf-8",
    )
    status, out = score(
        tmp_path,
        "--sensitivity",
        "20",
        framework=framework,
        observations=observations,
        units=units,
    )
    assert status == 0
    ranks = {row["unit"]: row["rank"] for row in csv.DictReader((out / "index.csv").open())}
    assert ranks == {"A": "1", "B": "1", "C": "3"}
    rows = list(csv.DictReader((out / "sensitivity.csv").open()))
    assert {row["unit"]: row["nominal_rank"] for row in rows} == ranks
    for row in rows:
        assert int(row["min_rank"]) <= int(row["nominal_rank"]) <= int(row["max_rank"])


@pytest.mark.parametrize("method", ["sdsn", "opensdg"])
def test_a_year_before_the_data_is_noted_and_scores_as_missing(tmp_path, capsys, method):
    # The golden observations run from 2017 to 2023.
    status, out = score(tmp_path, "--year", "2010", "--method", method)
    assert status == 0
    err = capsys.readouterr().err
    assert "--year 2010 is before the first year in the observations (2017)" in err
    rows = list(csv.DictReader((out / "indicators.csv").open(encoding="utf-8")))
    # sdsn lists every applicable indicator (here missing); opensdg only those with a status.
    applicable = (GOLDEN / "expected" / "indicators.csv").read_text(encoding="utf-8")
    assert len(rows) == (len(applicable.splitlines()) - 1 if method == "sdsn" else 0)
    assert all(row["value"] == "" for row in rows)


@pytest.mark.parametrize("missing_goal", ["group-mean", "skip"])
def test_units_without_groups_are_noted_where_group_mean_would_fill(tmp_path, capsys, missing_goal):
    # The golden units without their group column: group-mean has nothing to fill
    # from, so every index is the mean of the goals the unit has, as with skip (with
    # the groups, 1106's index differs between the two).
    units = tmp_path / "units.csv"
    rows = list(csv.DictReader((GOLDEN / "units.csv").open(encoding="utf-8")))
    with units.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["unit", "name", "coastal", "rural"])
        writer.writeheader()
        writer.writerows({k: v for k, v in row.items() if k != "group"} for row in rows)
    status, out = score(tmp_path, "--missing-goal", missing_goal, units=units)
    assert status == 0
    err = capsys.readouterr().err
    assert ("no unit has a group" in err) == (missing_goal == "group-mean")
    status, skipped = score(tmp_path, "--missing-goal", "skip", out=tmp_path / "skip")
    assert (out / "index.csv").read_text() == (skipped / "index.csv").read_text()


def test_a_year_within_the_data_gets_no_note(tmp_path, capsys):
    status, _ = score(tmp_path, "--year", "2017")
    assert status == 0
    assert "note:" not in capsys.readouterr().err


@pytest.mark.parametrize("method", ["sdsn", "opensdg"])
@pytest.mark.parametrize("values", ["", "\n0301,poverty,2023,\n"], ids=["no rows", "no values"])
def test_observations_without_a_value_score_nothing_and_say_so(tmp_path, capsys, method, values):
    observations = tmp_path / "observations.csv"
    observations.write_text(f"unit,indicator,year,value{values}", encoding="utf-8")
    status, out = score(tmp_path, "--method", method, observations=observations)
    assert status == 0
    assert "the observations hold no value, so there was no year to score" in (
        capsys.readouterr().err
    )
    rows = list(csv.DictReader((out / "indicators.csv").open(encoding="utf-8")))
    assert all(row["value"] == row["trend"] == "" for row in rows)
    if method == "sdsn":
        for name in OUTPUTS:
            assert len((out / name).read_text(encoding="utf-8").splitlines()) == 1, name


def test_a_progress_method_that_gives_no_status_says_why(tmp_path, capsys):
    # The golden framework has no target_value, which unsd and u4ssc need.
    for method in ("unsd", "u4ssc"):
        status, out = score(tmp_path, "--method", method, out=tmp_path / method)
        assert status == 0
        rows = list(csv.DictReader((out / "indicators.csv").open(encoding="utf-8")))
        assert rows and all(row["trend"] == "" for row in rows)
        err = capsys.readouterr().err
        assert f"note: --method {method} gave no series a status" in err
        assert f"no target ({len(rows)})" in err
    status, _ = score(tmp_path, "--method", "opensdg", out=tmp_path / "opensdg")
    assert status == 0
    assert "note:" not in capsys.readouterr().err


@pytest.mark.parametrize("column", ["ids", "year", "value", "missing as NaN"])
def test_csv_cells_the_plain_cast_cannot_read_still_score_as_golden(tmp_path, column):
    # Clean columns take a single cast (ids: a check of their distinct values); one
    # spaced or "2017.0" cell sends the whole column through the trimming and checking
    # passes, with the same result.
    lines = (GOLDEN / "observations.csv").read_text(encoding="utf-8").splitlines()
    edited = [lines[0]]
    for number, line in enumerate(lines[1:]):
        unit, indicator, year, value = line.split(",")
        if column == "ids" and number % 3 == 0:
            unit, indicator = f" {unit}", f"{indicator}\t"
        if column == "year" and number % 3 == 0:
            year = f"{year}.0" if number % 2 else f" {year}\t"
        if column == "value" and number % 3 == 0 and value:
            value = f"\u00a0{value} "
        if column == "missing as NaN" and not value:
            value = "NaN"
        edited.append(",".join([unit, indicator, year, value]))
    path = tmp_path / "observations.csv"
    path.write_text("\n".join(edited) + "\n", encoding="utf-8")
    assert_golden_outputs(*score(tmp_path, observations=path))


def test_32_bit_float_values_in_parquet_read_as_the_numbers_they_print_as(tmp_path):
    # 1.22 as a 32-bit float widens to 1.2200000286102295; the CSV of the same data
    # says 1.22, and so do the scores.
    table = typed_observations({})
    single = table.set_column(3, "value", table.column("value").cast(pa.float32()))
    assert single.column("value").cast(pa.float64()) != table.column("value")
    assert_scored_as_golden(tmp_path, single)


def test_every_option_says_what_it_takes_in_help() -> None:
    undescribed = [action.option_strings for action in build_parser()._actions if not action.help]
    assert undescribed == []
