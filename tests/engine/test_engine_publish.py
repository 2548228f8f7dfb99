"""How `sdgnet score` puts its results into --out: all or nothing.

A failed run leaves --out exactly as it was; a successful one leaves the files it
wrote, with no result of an earlier run beside them that would contradict them, and
every other file as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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


def test_a_run_removes_the_results_of_an_earlier_run_it_did_not_write(tmp_path):
    out = tmp_path / "od"
    assert score(out, "--sensitivity", "5") == 0
    assert (out / "sensitivity.csv").exists()
    (out / "notes.txt").write_text("mine\n")
    (out / "results.csv").write_text("mine too\n")
    assert score(out) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "goals.csv",
        "index.csv",
        "indicators.csv",
        "notes.txt",
        "results.csv",
    ]
    assert (out / "notes.txt").read_text() == "mine\n"
    assert (out / "index.csv").read_bytes() == (GOLDEN / "expected" / "index.csv").read_bytes()


def test_a_folder_named_as_an_unwritten_result_is_left_alone(tmp_path):
    out = tmp_path / "od"
    (out / "sensitivity.csv").mkdir(parents=True)
    (out / "sensitivity.csv" / "kept.txt").write_text("kept\n")
    assert score(out) == 0
    assert (out / "sensitivity.csv" / "kept.txt").read_text() == "kept\n"


def test_a_failed_run_keeps_the_results_of_an_earlier_run(tmp_path):
    out = tmp_path / "od"
    assert score(out, "--sensitivity", "5") == 0
    before = contents(out)
    assert score(out, "--year", "2020", "--threads", "1", "--memory-limit", "100B") == 2
    assert contents(out) == before


@pytest.mark.parametrize("out", ["", "  "])
def test_an_empty_out_is_refused(tmp_path, capsys, monkeypatch, out):
    monkeypatch.chdir(tmp_path)
    assert score(out) == 2
    message = capsys.readouterr().err
    assert "argument --out: give a folder (empty, it would be the current folder)" in message
    assert list(tmp_path.iterdir()) == []
    assert list(tmp_path.parent.glob(f".{tmp_path.name}*")) == []


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_a_new_out_folder_gets_the_permissions_of_any_new_folder(tmp_path, umask):
    before = os.umask(umask)
    try:
        assert score(tmp_path / "new") == 0
        (tmp_path / "plain").mkdir()
    finally:
        os.umask(before)
    assert (tmp_path / "new").stat().st_mode & 0o777 == (tmp_path / "plain").stat().st_mode & 0o777
