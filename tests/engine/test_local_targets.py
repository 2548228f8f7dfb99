"""Scores against a municipality's own targets: hand-computed cases and refusals."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sdgnet.engine.errors import InputError
from sdgnet.engine.framework import Framework, parse_framework
from sdgnet.engine.local_targets import parse_local_targets, read_local_targets, score_local


def framework() -> Framework:
    return parse_framework(
        pa.table(
            {
                "indicator": ["up", "down", "context"],
                "goal": ["1", "1", "1"],
                "best": ["100", "0", None],
                "worst": ["0", "50", None],
            }
        )
    )


def targets(rows: list[tuple[str, str, object]]) -> pa.Table:
    return parse_local_targets(
        pa.table(
            {
                "unit": [r[0] for r in rows],
                "indicator": [r[1] for r in rows],
                "target_value": [None if r[2] is None else str(r[2]) for r in rows],
            }
        ),
        framework(),
    )


def indicator_results(rows: list[tuple[str, str, float | None]]) -> pa.Table:
    return pa.table(
        {
            "unit": [r[0] for r in rows],
            "indicator": [r[1] for r in rows],
            "value": pa.array([r[2] for r in rows], pa.float64()),
            "score": pa.array([0.5] * len(rows), pa.float64()),  # carried through untouched
        }
    )


def test_values_are_rescaled_between_worst_and_the_local_target() -> None:
    local = targets([("a", "up", 60), ("a", "down", 10), ("b", "up", 80)])
    rows: list[tuple[str, str, float | None]] = [
        ("a", "up", 30.0),  # 100 * (30 - 0) / (60 - 0) = 50
        ("a", "down", 30.0),  # lower is better: 100 * (30 - 50) / (10 - 50) = 50
        ("b", "up", 20.0),  # 100 * 20 / 80 = 25
        ("b", "down", 30.0),  # b has no target for down
        ("a", "up", 90.0),  # past the target: clipped to 100
        ("a", "down", 60.0),  # worse than worst: clipped to 0
        ("b", "up", None),  # missing stays missing
    ]
    result = score_local(indicator_results(rows), framework(), local)
    assert result.column("score_local").to_pylist() == [50.0, 50.0, 25.0, None, 100.0, 0.0, None]
    assert result.column_names == ["unit", "indicator", "value", "score", "score_local"]
    assert result.column("score").to_pylist() == [0.5] * len(rows)


def test_parsed_targets_are_typed() -> None:
    local = targets([(" a ", "up", "60.5")])
    assert local.to_pylist() == [{"unit": "a", "indicator": "up", "target_value": 60.5}]
    assert local.schema.field("target_value").type == pa.float64()


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (("a", "up", 0), "target_value", "equals the framework's worst"),
        (("a", "up", -5), "target_value", "worse than the framework's worst value (0)"),
        (("a", "down", 70), "target_value", "it must lie below it"),
        (("a", "down", 50), "target_value", "equals the framework's worst"),
        (("a", "nowhere", 5), "indicator", "unknown indicator 'nowhere'"),
        (("a", "context", 5), "indicator", "no best and worst"),
        (("a", "up", None), "target_value", "a target value is required"),
        (("a", "up", "lots"), "target_value", "expected a number, found 'lots'"),
        ((None, "up", 5), "unit", "a unit id is required"),
    ],
)
def test_bad_targets_are_refused_naming_row_and_column(
    row: tuple[str, str, object], column: str, words: str
) -> None:
    with pytest.raises(InputError) as caught:
        targets([("b", "up", 50), row])
    assert caught.value.row == 2
    assert caught.value.column == column
    assert words in caught.value.message


def test_a_second_target_for_the_same_unit_and_indicator_is_refused() -> None:
    with pytest.raises(InputError, match=r"first at row 1") as caught:
        targets([("a", "up", 50), ("a", "up", 60)])
    assert caught.value.row == 2


def test_csv_and_parquet_files_give_the_same_targets(tmp_path: Path) -> None:
    csv = tmp_path / "targets.csv"
    csv.write_text("unit,indicator,target_value\na,up,60\nb,down,10\n", encoding="utf-8")
    parquet = tmp_path / "targets.parquet"
    pq.write_table(
        pa.table({"unit": ["a", "b"], "indicator": ["up", "down"], "target_value": [60.0, 10.0]}),
        parquet,
    )
    assert read_local_targets(csv, framework()).equals(read_local_targets(parquet, framework()))


def test_errors_in_a_csv_file_name_the_file_row_line_and_column(tmp_path: Path) -> None:
    csv = tmp_path / "targets.csv"
    csv.write_text("unit,indicator,target_value\na,up,60\nb,up,-1\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_local_targets(csv, framework())
    assert str(caught.value).startswith(f"{csv}, row 2 (line 3), column 'target_value': ")
    missing = tmp_path / "short.csv"
    missing.write_text("unit,indicator\na,up\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing required column"):
        read_local_targets(missing, framework())


GOLDEN = Path(__file__).parent / "golden" / "basic"


def run_score(tmp_path: Path, *extra: str) -> tuple[int, Path]:
    from sdgnet.engine.cli import main

    out = tmp_path / "out"
    status = main(
        [
            *("--framework", str(GOLDEN / "framework.csv")),
            *("--observations", str(GOLDEN / "observations.csv")),
            *("--units", str(GOLDEN / "units.csv")),
            *("--method", "sdsn", "--out", str(out)),
            *extra,
        ]
    )
    return status, out


def read_rows(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_sdgnet_score_adds_score_local_only_when_asked(tmp_path: Path) -> None:
    targets_file = tmp_path / "targets.csv"
    targets_file.write_text(
        "unit,indicator,target_value\n0301,poverty,5\n1103,jobs,80\n", encoding="utf-8"
    )
    status, out = run_score(tmp_path, "--local-targets", str(targets_file))
    assert status == 0
    rows = read_rows(out / "indicators.csv")
    plain = (GOLDEN / "expected" / "indicators.csv").read_text(encoding="utf-8").splitlines()
    assert list(rows[0]) == [*plain[0].split(","), "score_local"]
    local = {(r["unit"], r["indicator"]): r["score_local"] for r in rows}
    # 0301 poverty 6.89, worst 30, own target 5: 100 * (6.89 - 30) / (5 - 30) = 92.44
    assert float(local["0301", "poverty"]) == pytest.approx(92.44)
    # 1103 jobs 75.45, worst 55, own target 80: 100 * 20.45 / 25 = 81.8
    assert float(local["1103", "jobs"]) == pytest.approx(81.8)
    assert local["0301", "jobs"] == ""  # no target of its own
    # Every other column is exactly the ordinary output.
    without = [",".join(list(r.values())[:-1]) for r in rows]
    assert without == plain[1:]


@pytest.mark.parametrize(
    ("second_row", "words"),
    [
        (
            "0301,jobs,50",
            ["column 'target_value'", "worse than the framework's worst value (55)"],
        ),
        ("9999,poverty,5", ["column 'unit': unknown unit '9999'"]),
    ],
    ids=["worse than worst", "unknown unit"],
)
def test_sdgnet_score_refuses_a_bad_local_target_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], second_row: str, words: list[str]
) -> None:
    targets_file = tmp_path / "targets.csv"
    targets_file.write_text(
        f"unit,indicator,target_value\n0301,poverty,5\n{second_row}\n", encoding="utf-8"
    )
    status, out = run_score(tmp_path, "--local-targets", str(targets_file))
    assert status == 2
    assert not out.exists()
    error = capsys.readouterr().err
    assert f"{targets_file}, row 2 (line 3), " in error
    for word in words:
        assert word in error
