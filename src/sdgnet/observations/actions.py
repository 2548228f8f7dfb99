"""Every write to observations goes through here.

`do_import_observations` reads a file, validates every row, and then either writes
nothing (any problem) or writes everything in one transaction: new values are
inserted, changed values keep their earlier value as a revision, unchanged values are
left alone (so importing the same file twice changes nothing).

Problems and notes are in the language active when the import runs: the page's, the API
request's, or the command's (see `sdgnet import --help`).
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
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sdgnet.catalog.models import Framework, FrameworkIndicator, Indicator
from sdgnet.observations.models import DataVersion, ImportBatch, Observation, ObservationRevision
from sdgnet.observations.readers import Problem, read_observations
from sdgnet.observations.validation import FileNumbers, IndicatorInfo, ValidRow, validate
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
    # Missing values under municipality numbers not in use that year: nothing to store.
    rows_dropped: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the reader and validation tell
    batch_id: int | None = None
    dry_run: bool = False
    # The rows the import writes (or, in a dry run, would write), once they are all valid:
    # the upload keeps them from its preview to its confirmation (`sdgnet.observations.uploads`).
    rows: list[ValidRow] = field(default_factory=list)
    file_sha256: str = ""

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
    # Names make messages say "3203 Asker", not just "3203".
    return CodeMapper(entries, current_codes=dict(Place.objects.values_list("code", "name")))


def current_place_codes() -> set[str]:
    return set(Place.objects.values_list("code", flat=True))


def indicator_infos(framework: Framework | None = None) -> dict[str, IndicatorInfo]:
    """What validation needs of each indicator, with the bounds every framework sets for it
    (they decide whether a percent is held to 0–100, see `IndicatorInfo.value_range`)."""
    indicators = Indicator.objects.all()
    if framework is not None:
        indicators = indicators.filter(entries__framework=framework)
    bounds: dict[str, list[float]] = {}
    for key, *values in FrameworkIndicator.objects.values_list(
        "indicator_id", "best", "worst", "green", "red", "target_value"
    ):
        bounds.setdefault(key, []).extend(value for value in values if value is not None)
    return {
        key: IndicatorInfo(key=key, unit=unit, measure=measure, bounds=tuple(bounds.get(key, ())))
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
    place_scope: str | None = None,
    embargoed: bool = False,
) -> ImportReport:
    """Validate a whole file, then write all of it or none of it.

    `source` is where the data come from for rows whose file names no source of its own
    (a `source` column); it may be empty only when every row names one.
    A write bumps the data version and, with `rescore`, rescores once it commits.
    With `place_scope` (an editor's municipality) a row for any other place is a problem;
    with `embargoed` the written values stay unpublished until `do_publish_batch`.
    """
    report = ImportReport(file_name=file_name or path.name, dry_run=dry_run)
    read = read_observations(path, default_indicator=default_indicator, progress=progress)
    report.file_format = read.format
    report.rows_read = len(read.rows)
    report.problems.extend(read.problems)
    report.notes.extend(read.notes)
    if not read.rows and not read.problems:
        report.problems.append(Problem(None, None, _("the file holds no observations")))
    if not read.rows:
        return report
    rows = _validate_into(
        report,
        read.rows,
        framework=framework,
        mapper=mapper,
        default_indicator=default_indicator,
        place_scope=place_scope,
        file_numbers=FileNumbers(implied_decimal_mark=read.decimal_mark),
    )
    if not source.strip():
        report.problems.extend(_without_source(rows))
    if report.problems:
        return report
    report.rows = rows
    report.file_sha256 = _sha256(path)
    _write(
        rows,
        report=report,
        source=source.strip(),
        framework=framework,
        user=user,
        file_sha256=report.file_sha256,
        dry_run=dry_run,
        rescore=rescore,
        embargoed=embargoed,
    )
    return report


def _validate_into(
    report: ImportReport,
    raw: list[Any],
    *,
    framework: Framework | None,
    mapper: CodeMapper | None,
    default_indicator: str | None,
    place_scope: str | None,
    file_numbers: FileNumbers | None = None,
) -> list[ValidRow]:
    """Validate raw rows the one way every import does, adding counts and problems to the
    report; the rows are to be written only when the report has no problems. A file's rows
    come with `file_numbers` (its ambiguous numbers are settled by the whole file)."""
    checked = validate(
        raw,
        indicators=indicator_infos(framework),
        mapper=mapper or code_mapper(),
        current_places=current_place_codes(),
        default_indicator=default_indicator,
        file_numbers=file_numbers,
    )
    outside = out_of_scope(checked.rows, place_scope)
    # A row for another municipality is a problem, so it is not counted as valid too.
    report.rows_valid = len(checked.rows) - len(outside)
    report.rows_mapped = checked.mapped
    report.rows_dropped = checked.dropped
    report.notes.extend(checked.notes)
    report.problems.extend(checked.problems)
    report.problems.extend(outside)
    return checked.rows


def _without_source(rows: Sequence[ValidRow]) -> list[Problem]:
    """One problem naming the rows that have no source when the import gives none."""
    lines = sorted({line for row in rows if not row.source for line in row.lines[:1]})
    if not lines:
        return []
    shown = ", ".join(str(line) for line in lines[:10]) + (", …" if len(lines) > 10 else "")
    return [
        Problem(
            lines[0],
            "source",
            ngettext(
                "a source is required (where the data come from): line %(lines)s names none",
                "a source is required (where the data come from): lines %(lines)s name none",
                len(lines),
            )
            % {"lines": shown},
        )
    ]


def out_of_scope(rows: Sequence[ValidRow], place_scope: str | None) -> list[Problem]:
    """A problem for each row outside the one municipality the writer may write for."""
    if place_scope is None:
        return []
    return [
        Problem(
            row.lines[0] if row.lines else None,
            "place",
            _("municipality %(number)s is not yours to write (you write for %(own)s)")
            % {"number": row.place, "own": place_scope},
        )
        for row in rows
        if row.place != place_scope
    ]


def do_import_rows(
    rows: Sequence[ValidRow],
    *,
    source: str,
    file_name: str,
    framework: Framework | None = None,
    user: Any = None,
    dry_run: bool = False,
    place_scope: str | None = None,
    embargoed: bool = False,
    file_format: str = "",
    file_sha256: str = "",
    rows_read: int | None = None,
) -> ImportReport:
    """Write rows that were already validated (by `validate`), all or none: a confirmed
    upload writes the rows its preview showed. The scope is checked again (a role may have
    changed since), and so is that the catalog still holds every indicator and municipality
    (it may have changed too). `rows_read` is the file's count, when the rows come from one."""
    outside = out_of_scope(rows, place_scope)
    report = ImportReport(
        file_name=file_name,
        file_format=file_format,
        rows_read=len(rows) if rows_read is None else rows_read,
        rows_valid=len(rows) - len(outside),
        dry_run=dry_run,
        rows=list(rows),
        file_sha256=file_sha256,
    )
    report.problems.extend(outside)
    report.problems.extend(_gone_from_catalog(rows))
    if report.problems:
        return report
    _write(
        rows,
        report=report,
        source=source,
        framework=framework,
        user=user,
        file_sha256=file_sha256,
        dry_run=dry_run,
        embargoed=embargoed,
    )
    return report


def _gone_from_catalog(rows: Sequence[ValidRow]) -> list[Problem]:
    """A problem for each indicator or municipality of checked rows that is no longer in
    the catalog, named by the first line that uses it."""
    first_line: dict[tuple[str, str], int | None] = {}
    for row in rows:
        line = row.lines[0] if row.lines else None
        first_line.setdefault(("indicator", row.indicator), line)
        first_line.setdefault(("place", row.place), line)
    indicators = Indicator.objects.filter(
        key__in={key for kind, key in first_line if kind == "indicator"}
    )
    places = Place.objects.filter(code__in={key for kind, key in first_line if kind == "place"})
    known = {("indicator", key) for key in indicators.values_list("key", flat=True)}
    known |= {("place", code) for code in places.values_list("code", flat=True)}
    problems: list[Problem] = []
    for (kind, key), line in first_line.items():
        if (kind, key) in known:
            continue
        if kind == "indicator":
            message = _("indicator %(indicator)s is no longer in the catalog; check the file again")
            problems.append(Problem(line, kind, message % {"indicator": key}))
        else:
            message = _("municipality %(number)s is no longer a municipality; check the file again")
            problems.append(Problem(line, kind, message % {"number": key}))
    return problems


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
    embargoed: bool = False,
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
                embargoed=embargoed,
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
    embargoed: bool = False,
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
        elif (
            before[1] != row.value or before[2] != row.flags or before[3] != (row.source or source)
        ):
            changed.append((row, before))
    report.created = len(new_rows)
    report.changed = len(changed)
    report.unchanged = len(rows) - len(new_rows) - len(changed)
    if not new_rows and not changed:
        return  # Idempotent: the same data again writes nothing, not even a batch.
    now = timezone.now()
    # The batch names the import's source, or the rows' own when it gave none.
    batch_source = source or "; ".join(dict.fromkeys(row.source for row in rows if row.source))
    batch = ImportBatch.objects.create(
        source=batch_source[:300],
        file_name=report.file_name[:300],
        file_sha256=file_sha256,
        file_format=report.file_format,
        framework=framework,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        rows_read=report.rows_read,
        rows_created=report.created,
        rows_changed=report.changed,
        rows_unchanged=report.unchanged,
        embargoed=embargoed,
    )
    report.batch_id = batch.pk
    _insert_observations(new_rows, batch_id=batch.pk, source=source, now=now, embargoed=embargoed)
    _revise_observations(changed, batch_id=batch.pk, source=source, now=now, embargoed=embargoed)
    latest = DataVersion.objects.aggregate(latest=Max("number"))["latest"] or 0
    DataVersion.objects.create(number=latest + 1, batch=batch)
    _audit_import(batch, rows, user=user)


def _audit_import(batch: ImportBatch, rows: Sequence[ValidRow], *, user: Any) -> None:
    """The audit event of an import, in the import's transaction. The rows' earlier
    values are kept as revisions (the "before"); the event names the batch."""
    from sdgnet.accounts.audit import record

    places = sorted({row.place for row in rows})
    record(
        user,
        "observations.import_observations",
        batch,
        place=places[0] if len(places) == 1 else None,
        after={
            "source": batch.source,
            "file": batch.file_name,
            "sha256": batch.file_sha256,
            "created": batch.rows_created,
            "changed": batch.rows_changed,
            "unchanged": batch.rows_unchanged,
            "embargoed": batch.embargoed,
            "places": places[:50],
        },
    )


def _chunks(items: Sequence[Any], size: int = WRITE_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_observations(
    rows: Sequence[ValidRow], *, batch_id: int, source: str, now: datetime, embargoed: bool = False
) -> None:
    stamp = connection.ops.adapt_datetimefield_value(now)
    bulk_insert(
        Observation,
        (
            "place_id",
            "indicator_id",
            "year",
            "value",
            "flags",
            "source",
            "batch_id",
            "updated_at",
            "embargoed",
        ),
        (
            (
                r.place,
                r.indicator,
                r.year,
                r.value,
                r.flags,
                r.source or source,
                batch_id,
                stamp,
                embargoed,
            )
            for r in rows
        ),
    )


def _revise_observations(
    changed: Sequence[tuple[ValidRow, tuple[int, float | None, str, str, int]]],
    *,
    batch_id: int,
    source: str,
    now: datetime,
    embargoed: bool = False,
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
    sql = f"UPDATE {table} SET value = %s, flags = %s, source = %s, batch_id = %s, updated_at = %s, embargoed = %s WHERE id = %s"
    with connection.cursor() as cursor:
        for chunk in _chunks(changed):
            cursor.executemany(
                sql,
                [
                    (
                        row.value,
                        row.flags,
                        row.source or source,
                        batch_id,
                        now,
                        embargoed,
                        before[0],
                    )
                    for row, before in chunk
                ],
            )


def current_data_version() -> int:
    return DataVersion.objects.aggregate(latest=Max("number"))["latest"] or 0


def do_import_raw_rows(
    raw: list[Any],
    *,
    source: str,
    file_name: str,
    user: Any = None,
    place_scope: str | None = None,
    embargoed: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Validate rows entered in a form or sent to the API (`RawRow`s) like a file's rows,
    then write all of them or none."""
    report = ImportReport(file_name=file_name, rows_read=len(raw), dry_run=dry_run)
    if not source.strip():
        report.problems.append(
            Problem(None, None, _("a source is required (where the data come from)"))
        )
        return report
    if not raw:
        report.problems.append(Problem(None, None, _("no observations were given")))
        return report
    rows = _validate_into(
        report, raw, framework=None, mapper=None, default_indicator=None, place_scope=place_scope
    )
    if report.problems:
        return report
    _write(
        rows,
        report=report,
        source=source.strip(),
        framework=None,
        user=user,
        file_sha256="",
        dry_run=dry_run,
        embargoed=embargoed,
    )
    return report


class PublishError(ValueError):
    pass


def do_publish_batch(batch: ImportBatch, *, user: Any) -> int:
    """Publish an embargoed batch: its observations become visible to everyone and are
    scored. The caller has checked `observations.publish_batch`. Returns the number of
    observations published."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if not locked.embargoed or locked.published_at is not None:
            raise PublishError(_("this import is not waiting to be published"))
        count = Observation.objects.filter(batch=locked, embargoed=True).update(embargoed=False)
        locked.published_at = timezone.now()
        locked.published_by = user if getattr(user, "is_authenticated", False) else None
        locked.save(update_fields=["published_at", "published_by"])
        latest = DataVersion.objects.aggregate(latest=Max("number"))["latest"] or 0
        DataVersion.objects.create(number=latest + 1, batch=locked)
        from sdgnet.accounts.audit import record

        places = sorted(set(locked.observations.values_list("place_id", flat=True)))
        record(
            user,
            "observations.publish_batch",
            locked,
            place=places[0] if len(places) == 1 else None,
            before={"embargoed": True},
            after={"embargoed": False, "published": count},
        )
        from sdgnet.scores.actions import schedule_rescore

        schedule_rescore()
    return count
