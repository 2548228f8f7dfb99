"""Two editors of one municipality importing at the same moment on PostgreSQL: both
imports land, nothing is lost and nothing is duplicated."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from sdgnet.accounts.actions import do_create_user
from sdgnet.accounts.models import Role
from sdgnet.catalog.models import Indicator
from sdgnet.observations.actions import ImportReport, do_import_raw_rows
from sdgnet.observations.models import DataVersion, ImportBatch, Observation, ObservationRevision
from sdgnet.observations.readers import RawRow

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers with IMMEDIATE transactions; the race is PostgreSQL's",
)

HOME = "3201"
YEAR = 2026


def rows(keys: list[str], value: float) -> list[RawRow]:
    return [
        RawRow(line=i + 1, place=HOME, indicator=key, year=str(YEAR), value=str(value))
        for i, key in enumerate(keys)
    ]


def test_two_editors_import_at_once(transactional_default_data: Any) -> None:
    editors = [do_create_user(f"editor{i}@example.no", Role.EDITOR, place=HOME) for i in range(2)]
    keys = list(
        Indicator.objects.filter(measure=Indicator.Measure.RATE)
        .exclude(observation__place_id=HOME, observation__year=YEAR)
        .order_by("key")
        .values_list("key", flat=True)[:6]
    )
    assert len(keys) == 6
    shared, only_second = keys[:5], keys[5:]
    work = [rows(shared, 50.0), rows(shared + only_second, 60.0)]
    versions_before = DataVersion.objects.count()
    barrier = threading.Barrier(2)
    reports: list[ImportReport | None] = [None, None]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            reports[i] = do_import_raw_rows(
                work[i], source=f"editor {i}", file_name="api", user=editors[i], place_scope=HOME
            )
        except BaseException as error:  # reported below, never swallowed
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert all(report is not None and report.ok and report.batch_id for report in reports)
    written = Observation.objects.filter(place_id=HOME, year=YEAR, indicator_id__in=keys)
    assert written.count() == 6  # nothing lost, nothing duplicated
    assert set(written.values_list("indicator_id", flat=True)) == set(keys)
    # Whichever came second changed the five shared values and kept the first as revisions.
    assert ObservationRevision.objects.filter(observation__in=written).count() == 5
    first, second = sorted(reports, key=lambda r: r.batch_id or 0)  # type: ignore[union-attr]
    assert first is not None and second is not None
    assert first.created + second.created == 6
    assert ImportBatch.objects.filter(pk__in=[first.batch_id, second.batch_id]).count() == 2
    assert DataVersion.objects.count() == versions_before + 2
    assert DataVersion.objects.values("number").distinct().count() == DataVersion.objects.count()
