"""Every write to observations goes through here.

`do_import_observations` reads a file, validates every row, and then either writes
nothing (any problem) or writes everything in one transaction: new values are
inserted, changed values keep their earlier value as a revision, unchanged values are
left alone (so importing the same file twice changes nothing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from sdgnet.catalog.models import Framework, Indicator
from sdgnet.observations.models import DataVersion, ImportBatch, Observation, ObservationRevision
from sdgnet.observations.readers import Problem, read_observations
from sdgnet.observations.validation import IndicatorInfo, ValidRow, validate
from sdgnet.places.codes import CodeHistoryEntry, CodeMapper
from sdgnet.places.models import CodeHistory, Place
from sdgnet.web.bulk import bulk_insert

WRITE_CHUNK = 5000
OBSERVATION_WRITE_LOCK = 7_301_2024  # any constant shared by every observation writer


@dataclass
class ImportReport:
    file_name: str
    file_format: str = ""
    rows_read: int = 0
    rows_valid: int = 0
    rows_mapped: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    batch_id: int | None = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def wrote(self) -> bool:
        return self.batch_id is not None


def code_mapper() -> CodeMapper:
    entries = [
        CodeHistoryEntry(
            old_code=old_code,
            name=name,
            valid_from=valid_from,
            valid_to=valid_to,
            new_code=new_code,
            weight=weight,
        )
        for old_code, name, valid_from, valid_to, new_code, weight in CodeHistory.objects.values_list(
            "old_code", "name", "valid_from", "valid_to", "new_place_id", "weight"
        )
    ]
    return CodeMapper(entries, current_codes=current_place_codes())


def current_place_codes() -> set[str]:
    return set(Place.objects.values_list("code", flat=True))


def indicator_infos(framework: Framework | None = None) -> dict[str, IndicatorInfo]:
    indicators = Indicator.objects.all()
    if framework is not None:
        indicators = indicators.filter(entries__framework=framework)
    return {
        key: IndicatorInfo(key=key, unit=unit, measure=measure)
        for key, unit, measure in indicators.values_list("key", "unit", "measure")
    }


def do_import_observations(
    path: Path,
    *,
    source: str,
    framework: Framework | None = None,
    default_indicator: str | None = None,
    user: Any = None,
    dry_run: bool = False,
    progress: bool = False,
    file_name: str | None = None,
    mapper: CodeMapper | None = None,
    rescore: bool = True,
) -> ImportReport:
    """Validate a whole file, then write all of it or none of it.

    A write bumps the data version and, with `rescore`, rescores once it commits.
    """
    report = ImportReport(file_name=file_name or path.name, dry_run=dry_run)
    if not source.strip():
        report.problems.append(
            Problem(None, None, "a source is required (where the data come from)")
        )
        return report
    read = read_observations(path, default_indicator=default_indicator, progress=progress)
    report.file_format = read.format
    report.rows_read = len(read.rows)
    report.problems.extend(read.problems)
    if read.problems:
        return report
    if not read.rows:
        report.problems.append(Problem(None, None, "the file holds no observations"))
        return report
    checked = validate(
        read.rows,
        indicators=indicator_infos(framework),
        mapper=mapper or code_mapper(),
        current_places=current_place_codes(),
        default_indicator=default_indicator,
    )
    report.rows_valid = len(checked.rows)
    report.rows_mapped = checked.mapped
    report.problems.extend(checked.problems)
    if checked.problems:
        return report
    digest = _sha256(path)
    _write(
        checked.rows,
        report=report,
        source=source.strip(),
        framework=framework,
        user=user,
        file_sha256=digest,
        dry_run=dry_run,
        rescore=rescore,
    )
    return report


def do_import_rows(
    rows: Sequence[ValidRow],
    *,
    source: str,
    file_name: str,
    framework: Framework | None = None,
    user: Any = None,
    dry_run: bool = False,
) -> ImportReport:
    """Write rows that were already validated (by `validate`), all or none."""
    report = ImportReport(
        file_name=file_name, rows_read=len(rows), rows_valid=len(rows), dry_run=dry_run
    )
    _write(
        rows,
        report=report,
        source=source,
        framework=framework,
        user=user,
        file_sha256="",
        dry_run=dry_run,
    )
    return report


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _DryRunRollback(Exception):
    pass


def _write(
    rows: Sequence[ValidRow],
    *,
    report: ImportReport,
    source: str,
    framework: Framework | None,
    user: Any,
    file_sha256: str,
    dry_run: bool,
    rescore: bool = True,
) -> None:
    try:
        with transaction.atomic():
            _write_in_transaction(
                rows,
                report=report,
                source=source,
                framework=framework,
                user=user,
                file_sha256=file_sha256,
            )
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        report.batch_id = None
    if report.batch_id is not None and rescore:
        from sdgnet.scores.actions import schedule_rescore

        schedule_rescore()


def _write_in_transaction(
    rows: Sequence[ValidRow],
    *,
    report: ImportReport,
    source: str,
    framework: Framework | None,
    user: Any,
    file_sha256: str,
) -> None:
    indicators = {row.indicator for row in rows}
    places = {row.place for row in rows}
    if connection.vendor == "postgresql":
        # Serialise observation writers so two concurrent imports can neither both insert
        # the same key nor both take the same data version number. SQLite's IMMEDIATE
        # transactions already serialise writers.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [OBSERVATION_WRITE_LOCK])
    existing_query = Observation.objects.filter(indicator_id__in=indicators)
    if len(places) < 500:
        existing_query = existing_query.filter(place_id__in=places)
    existing: dict[tuple[str, str, int], tuple[int, float | None, str, str, int]] = {
        (place, indicator, year): (pk, value, flags, row_source, batch)
        for pk, place, indicator, year, value, flags, row_source, batch in existing_query.values_list(
            "pk", "place_id", "indicator_id", "year", "value", "flags", "source", "batch_id"
        )
    }
    new_rows: list[ValidRow] = []
    changed: list[tuple[ValidRow, tuple[int, float | None, str, str, int]]] = []
    for row in rows:
        before = existing.get((row.place, row.indicator, row.year))
        if before is None:
            new_rows.append(row)
        elif before[1] != row.value or before[2] != row.flags or before[3] != source:
            changed.append((row, before))
    report.created = len(new_rows)
    report.changed = len(changed)
    report.unchanged = len(rows) - len(new_rows) - len(changed)
    if not new_rows and not changed:
        return  # Idempotent: the same data again writes nothing, not even a batch.
    now = timezone.now()
    batch = ImportBatch.objects.create(
        source=source,
        file_name=report.file_name[:300],
        file_sha256=file_sha256,
        file_format=report.file_format,
        framework=framework,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        rows_read=report.rows_read,
        rows_created=report.created,
        rows_changed=report.changed,
        rows_unchanged=report.unchanged,
    )
    report.batch_id = batch.pk
    _insert_observations(new_rows, batch_id=batch.pk, source=source, now=now)
    _revise_observations(changed, batch_id=batch.pk, source=source, now=now)
    latest = DataVersion.objects.aggregate(latest=Max("number"))["latest"] or 0
    DataVersion.objects.create(number=latest + 1, batch=batch)


def _chunks(items: Sequence[Any], size: int = WRITE_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_observations(
    rows: Sequence[ValidRow], *, batch_id: int, source: str, now: datetime
) -> None:
    bulk_insert(
        Observation,
        ("place_id", "indicator_id", "year", "value", "flags", "source", "batch_id", "updated_at"),
        ((r.place, r.indicator, r.year, r.value, r.flags, source, batch_id, now) for r in rows),
    )


def _revise_observations(
    changed: Sequence[tuple[ValidRow, tuple[int, float | None, str, str, int]]],
    *,
    batch_id: int,
    source: str,
    now: datetime,
) -> None:
    if not changed:
        return
    revisions = [
        ObservationRevision(
            observation_id=pk,
            value=old_value,
            flags=old_flags,
            source=old_source,
            batch_id=old_batch,
            valid_until=now,
            replaced_by_id=batch_id,
        )
        for _row, (pk, old_value, old_flags, old_source, old_batch) in changed
    ]
    ObservationRevision.objects.bulk_create(revisions, batch_size=WRITE_CHUNK)
    table = Observation._meta.db_table
    sql = f"UPDATE {table} SET value = %s, flags = %s, source = %s, batch_id = %s, updated_at = %s WHERE id = %s"
    with connection.cursor() as cursor:
        for chunk in _chunks(changed):
            cursor.executemany(
                sql,
                [(row.value, row.flags, source, batch_id, now, before[0]) for row, before in chunk],
            )


def current_data_version() -> int:
    return DataVersion.objects.aggregate(latest=Max("number"))["latest"] or 0
