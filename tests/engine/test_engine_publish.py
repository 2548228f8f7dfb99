"""How `sdgnet score` puts its results into --out: all or nothing.

A failed run leaves --out exactly as it was; a successful one leaves the files it
wrote, with no result of an earlier run beside them that would contradict them, and
every other file as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

from sdgnet.engine import cli
from sdgnet.engine.cli import main

GOLDEN = Path(__file__).parent / "golden" / "basic"


def score(out: Path | str, *extra: str) -> int:
    return main(
        [
            "--framework",
            str(GOLDEN / "framework.csv"),
            "--observations",
            str(GOLDEN / "observations.csv"),
            "--units",
            str(GOLDEN / "units.csv"),
            "--method",
            "sdsn",
            "--out",
            str(out),
            *extra,
        ]
    )


def contents(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder`, with the text of each file."""
    return {
        str(path.relative_to(folder)): "<folder>" if path.is_dir() else path.read_text()
        for path in sorted(folder.rglob("*"))
    }


def no_staging_left(parent: Path) -> bool:
    return [p.name for p in parent.iterdir() if p.name.startswith(".")] == []


def test_a_folder_where_a_result_goes_fails_the_run_and_changes_nothing(tmp_path, capsys):
    out = tmp_path / "od"
    (out / "indicators.csv").mkdir(parents=True)
    (out / "goals.csv").write_text("OLD\n")
    (out / "index.csv").write_text("OLD\n")
    before = contents(out)
    assert score(out) == 2
    message = capsys.readouterr().err
    assert message.startswith(f"error: {out / 'indicators.csv'}: a folder is where this run")
    assert "nothing was written" in message
    assert contents(out) == before
    assert no_staging_left(tmp_path)


def test_a_failure_while_moving_results_in_puts_the_old_files_back(tmp_path, capsys, monkeypatch):
    # A failure the checks cannot foresee (a full disk, a file locked by another
    # program): the system refuses to move the second result into place.
    out = tmp_path / "od"
    out.mkdir()
    for name in ("indicators.csv", "goals.csv", "index.csv", "sensitivity.csv", "notes.txt"):
        (out / name).write_text(f"old {name}\n")
    before = contents(out)
    real_replace = os.replace

    def replace(source, destination):
        # The new index.csv, from the staging folder (a hidden sibling of `out`).
        if Path(destination) == out / "index.csv" and Path(source).parent.name.startswith(".od."):
            raise PermissionError(13, "Permission denied", str(destination))
        real_replace(source, destination)

    monkeypatch.setattr(cli.os, "replace", replace)
    assert score(out) == 2
    message = capsys.readouterr().err
    assert f"error: {out}: cannot write the results here (Permission denied)" in message
    assert contents(out) == before
    assert no_staging_left(tmp_path)


def test_a_failed_run_keeps_the_results_of_an_earlier_run(tmp_path):
    out = tmp_path / "od"
    assert score(out, "--sensitivity", "5") == 0
    before = contents(out)
    assert score(out, "--year", "2020", "--threads", "1", "--memory-limit", "100B") == 2
    assert contents(out) == before
