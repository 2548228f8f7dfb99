"""Imports through the real database: all or nothing, idempotent, revisions kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdgnet.catalog.models import FrameworkIndicator
from sdgnet.observations.actions import do_import_observations
from sdgnet.observations.models import DataVersion, ImportBatch, Observation, ObservationRevision

pytestmark = pytest.mark.django_db

TURNOUT = "voter-turnout-storting"
POPULATION = "population"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def snapshot() -> list[tuple[object, ...]]:
    return list(
        Observation.objects.order_by("pk").values_list(
            "pk", "place_id", "indicator_id", "year", "value", "flags"
        )
    )


def test_new_values_are_written_with_provenance(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "turnout.csv",
        f"place,indicator,year,value\n3201,{TURNOUT},2026,81.5\n3203,{TURNOUT},2026,80.1\n",
    )
    report = do_import_observations(path, source="Valgdirektoratet")
    assert report.ok, report.problems
    assert (report.created, report.changed, report.unchanged) == (2, 0, 0)
    observation = Observation.objects.get(place_id="3201", indicator_id=TURNOUT, year=2026)
    assert observation.value == 81.5
    assert observation.source == "Valgdirektoratet"
    assert observation.batch.file_name == "turnout.csv"
    assert len(observation.batch.file_sha256) == 64
    assert DataVersion.objects.filter(batch=observation.batch).exists()


def test_importing_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "turnout.csv", f"place,indicator,year,value\n3201,{TURNOUT},2026,81.5\n")
    assert do_import_observations(path, source="Valgdirektoratet").created == 1
    before = (snapshot(), ImportBatch.objects.count(), DataVersion.objects.count())
    again = do_import_observations(path, source="Valgdirektoratet")
    assert again.ok and (again.created, again.changed, again.unchanged) == (0, 0, 1)
    assert not again.wrote
    assert (snapshot(), ImportBatch.objects.count(), DataVersion.objects.count()) == before


def test_a_changed_value_keeps_the_earlier_one_as_a_revision(tmp_path: Path) -> None:
    original = Observation.objects.get(place_id="3201", indicator_id=TURNOUT, year=2025)
    path = write(
        tmp_path,
        "fix.csv",
        f"place,indicator,year,value,status\n3201,{TURNOUT},2025,99.9,provisional\n",
    )
    report = do_import_observations(path, source="correction")
    assert report.ok and report.changed == 1
    changed = Observation.objects.get(pk=original.pk)
    assert (changed.value, changed.flags, changed.source) == (99.9, "provisional", "correction")
    revision = ObservationRevision.objects.get(observation=original)
    assert (revision.value, revision.source, revision.batch_id) == (
        original.value,
        original.source,
        original.batch_id,
    )
    assert revision.replaced_by_id == report.batch_id


def test_a_file_with_any_bad_row_writes_nothing_and_names_every_row(tmp_path: Path) -> None:
    before = (snapshot(), ImportBatch.objects.count())
    path = write(
        tmp_path,
        "bad.csv",
        "place,indicator,year,value\n"
        f"3201,{TURNOUT},2026,81.5\n"  # good
        f"9999,{TURNOUT},2026,50\n"  # unknown place
        "3201,no_such_indicator,2026,50\n"  # unknown indicator
        f"3203,{TURNOUT},2026,abc\n"  # not a number
        f"3203,{TURNOUT},20x9,50\n"  # bad year
        f"3201,{TURNOUT},2026,82\n",  # duplicate of line 2
    )
    report = do_import_observations(path, source="test")
    assert not report.ok and not report.wrote
    assert {problem.line for problem in report.problems} >= {3, 4, 5, 6, 7}
    assert (snapshot(), ImportBatch.objects.count()) == before


def test_dry_run_reports_but_writes_nothing(tmp_path: Path) -> None:
    before = snapshot()
    path = write(tmp_path, "turnout.csv", f"place,indicator,year,value\n3201,{TURNOUT},2026,81.5\n")
    report = do_import_observations(path, source="test", dry_run=True)
    assert report.ok and report.created == 1 and not report.wrote
    assert snapshot() == before


def test_old_numbers_land_on_todays_municipality(tmp_path: Path) -> None:
    # Bærum was 0219 until 2019 and 3024 in 2020-2023; today it is 3201.
    path = write(tmp_path, "old.csv", f"kommune;indikator;år;verdi\n0219;{TURNOUT};2001;77,3\n")
    report = do_import_observations(path, source="test")
    assert report.ok, report.problems
    assert report.rows_mapped == 1
    assert Observation.objects.get(place_id="3201", indicator_id=TURNOUT, year=2001).value == 77.3


def test_merged_counts_are_summed_and_merged_rates_refused(tmp_path: Path) -> None:
    # Asker (0220), Røyken (0627) and Hurum (0628) became Asker 3025 in 2020, 3203 in 2024.
    counts = write(
        tmp_path,
        "counts.csv",
        f"place,indicator,year,value\n0220,{POPULATION},2001,100\n0627,{POPULATION},2001,20\n0628,{POPULATION},2001,3\n",
    )
    report = do_import_observations(counts, source="test")
    assert report.ok, report.problems
    assert Observation.objects.get(place_id="3203", indicator_id=POPULATION, year=2001).value == 123
    before = snapshot()
    rates = write(
        tmp_path,
        "rates.csv",
        f"place,indicator,year,value\n0220,{TURNOUT},2001,80\n0627,{TURNOUT},2001,70\n0628,{TURNOUT},2001,75\n",
    )
    refused = do_import_observations(rates, source="test")
    assert not refused.ok
    message = " ".join(problem.message for problem in refused.problems)
    assert "3203" in message
    assert {2, 3, 4} <= {line for problem in refused.problems for line in _lines(problem)}
    assert snapshot() == before


def _lines(problem: object) -> set[int]:
    import re

    found = {int(n) for n in re.findall(r"\b(\d+)\b", getattr(problem, "message", ""))}
    line = getattr(problem, "line", None)
    return found | ({line} if line is not None else set())


def test_a_framework_bound_above_100_lets_that_percent_pass_100(tmp_path: Path) -> None:
    measles = "vaccination-measles-age2"
    path = write(
        tmp_path, "measles.csv", f"place,indicator,year,value\n3201,{measles},2026,101.5\n"
    )
    refused = do_import_observations(path, source="FHI", dry_run=True)
    assert [(problem.line, problem.column) for problem in refused.problems] == [(2, "value")]
    # A framework that sets a bound above 100 says the indicator's values go there.
    FrameworkIndicator.objects.filter(indicator_id=measles).update(best=104.0)
    accepted = do_import_observations(path, source="FHI", dry_run=True)
    assert accepted.ok, accepted.problems
