"""The only bridge between Django and the engine.

`do_rescore_framework` hands a framework's observations to the engine as Arrow tables
and stores what comes back (indicator, goal and index results for every year with
data, and each municipality's standing among its peers), as one new `ScoreRun` per data
version. Pages read stored runs and never score on a request.

Only published observations are scored: embargoed values would otherwise leak through
stored scores, peer standings and bands to everyone who may see those.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.db import transaction

from sdgnet.catalog.models import Framework
from sdgnet.engine import peers
from sdgnet.engine.framework import Framework as EngineFramework
from sdgnet.engine.framework import IndicatorSpec
from sdgnet.engine.scoring import ScoreResult, score_sdsn
from sdgnet.observations.access import published_observations
from sdgnet.observations.actions import current_data_version
from sdgnet.places.models import PeerGroup, Place
from sdgnet.scores.models import (
    GoalScore,
    IndexScore,
    IndicatorScore,
    NearestPeer,
    PeerBand,
    PeerImprovement,
    PeerStanding,
    ScoreRun,
)
from sdgnet.web.bulk import bulk_insert

RUNS_KEPT = 2  # the current run and the one before it, for pages being served mid-rescore


def schedule_rescore() -> None:
    """Rescore once the current transaction commits (observations changed)."""
    transaction.on_commit(do_rescore_all)


def do_rescore_all() -> list[ScoreRun]:
    return [
        do_rescore_framework(framework)
        for framework in Framework.objects.filter(scored=True).order_by("slug")
    ]


def engine_framework(framework: Framework) -> EngineFramework:
    """The framework's scored indicators as the engine's specification."""
    entries = framework.entries.select_related("indicator").prefetch_related("targets")
    specs = [
        IndicatorSpec(
            indicator=entry.indicator_id,
            goal=entry.goal_id,
            target=next(iter(sorted(t.code for t in entry.targets.all())), None),
            name=entry.indicator.name_en,
            unit=entry.indicator.unit,
            best=entry.best,
            worst=entry.worst,
            green=entry.green,
            red=entry.red,
            weight=entry.weight,
            index=entry.in_index,
            target_value=entry.target_value,
            target_year=entry.target_year,
            direction=entry.direction,  # type: ignore[arg-type]
            row=position,
        )
        for position, entry in enumerate(entries, start=2)
        if entry.is_scored and entry.goal_id is not None
    ]
    return EngineFramework(indicators=tuple(specs), source=framework.slug)


def observations_table(indicators: list[str]) -> pa.Table:
    rows = (
        published_observations()
        .filter(indicator_id__in=indicators, place__kind=Place.Kind.MUNICIPALITY)
        .values_list("place_id", "indicator_id", "year", "value")
    )
    places, keys, years, values = [], [], [], []
    for place, indicator, year, value in rows.iterator(chunk_size=10000):
        places.append(place)
        keys.append(indicator)
        years.append(year)
        values.append(value)
    return pa.table(
        {
            "unit": pa.array(places, pa.string()),
            "indicator": pa.array(keys, pa.string()),
            "year": pa.array(years, pa.int64()),
            "value": pa.array(values, pa.float64()),
        }
    )


def units_table() -> pa.Table:
    municipalities = list(
        Place.objects.filter(kind=Place.Kind.MUNICIPALITY).values_list("code", "name", "parent_id")
    )
    return pa.table(
        {
            "unit": [code for code, _name, _county in municipalities],
            "name": [name for _code, name, _county in municipalities],
            "group": [county or "" for _code, _name, county in municipalities],
        }
    )


def memberships_table() -> pa.Table:
    """Built-in and user-defined peer groups plus each municipality's nearest peers."""
    groups: dict[str, list[str]] = {}
    for slug, code in PeerGroup.members.through.objects.values_list("peergroup_id", "place_id"):
        groups.setdefault(code, []).append(slug)
    named = peers.memberships_from_mapping(groups)
    attributes = similarity_attributes()
    if attributes.num_rows <= settings.SDGNET_PEER_K:
        return named
    nearest = peers.nearest_peer_groups(
        attributes, settings.SDGNET_PEER_ATTRIBUTES, settings.SDGNET_PEER_K
    )
    return pa.concat_tables([named, nearest.select(named.column_names).cast(named.schema)])


def similarity_attributes() -> pa.Table:
    """Attributes that say which municipalities are alike: size, density, remoteness
    of the population are skewed, so logs are compared."""
    rows = Place.objects.filter(kind=Place.Kind.MUNICIPALITY).values_list(
        "code", "population", "area_km2"
    )
    codes, log_population, log_density = [], [], []
    for code, population, area in rows:
        codes.append(code)
        log_population.append(math.log(population) if population else None)
        log_density.append(math.log(population / area) if population and area else None)
    return pa.table(
        {
            "unit": pa.array(codes, pa.string()),
            "log_population": pa.array(log_population, pa.float64()),
            "log_density": pa.array(log_density, pa.float64()),
        }
    )


def do_rescore_framework(framework: Framework) -> ScoreRun:
    started = time.perf_counter()
    version = current_data_version()
    spec = engine_framework(framework)
    observations = observations_table([s.indicator for s in spec.indicators])
    result: ScoreResult | None = None
    if spec.indicators and observations.num_rows:
        result = score_sdsn(spec, observations, units_table(), years="all")
    memberships = memberships_table()
    standing = improved = None
    if observations.num_rows:
        standing = peers.peer_standing(observations, memberships, spec, measure="value")
        improved = peers.most_improved(observations, memberships, spec, measure="value")
    with transaction.atomic():
        run = ScoreRun.objects.create(framework=framework, data_version=version, method="sdsn")
        if result is not None:
            _store_result(run, result)
        if standing is not None and improved is not None:
            _store_peers(run, standing, improved)
        _store_bands(run, framework)
        _store_nearest(run, memberships)
        run.duration_ms = round((time.perf_counter() - started) * 1000)
        run.complete = True
        run.save(update_fields=["duration_ms", "complete"])
        stale = ScoreRun.objects.filter(framework=framework).order_by("-pk")[RUNS_KEPT:]
        ScoreRun.objects.filter(pk__in=[r.pk for r in stale]).delete()
    return run


def _rows(table: pa.Table, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    data = [table.column(name).to_pylist() for name in columns]
    return zip(*data, strict=True)


def _store_result(run: ScoreRun, result: ScoreResult) -> None:
    bulk_insert(
        IndicatorScore,
        (
            "run_id",
            "place_id",
            "indicator_id",
            "year",
            "value_year",
            "value",
            "score",
            "colour",
            "dashboard_value",
            "trend",
        ),
        (
            (
                run.pk,
                unit,
                indicator,
                as_of,
                year,
                value,
                score,
                colour or "",
                dashboard,
                trend or "",
            )
            for as_of, unit, indicator, year, value, score, dashboard, colour, trend in _rows(
                result.indicators,
                [
                    "as_of",
                    "unit",
                    "indicator",
                    "year",
                    "value",
                    "score",
                    "dashboard_value",
                    "colour",
                    "trend",
                ],
            )
        ),
    )
    bulk_insert(
        GoalScore,
        ("run_id", "place_id", "goal_id", "year", "score", "colour", "trend"),
        (
            (run.pk, unit, goal, as_of, score, colour or "", trend or "")
            for as_of, unit, goal, score, colour, trend in _rows(
                result.goals, ["as_of", "unit", "goal", "score", "colour", "trend"]
            )
        ),
    )
    bulk_insert(
        IndexScore,
        ("run_id", "place_id", "year", "score", "rank"),
        (
            (run.pk, unit, as_of, score, rank)
            for as_of, unit, score, rank in _rows(result.index, ["as_of", "unit", "score", "rank"])
        ),
    )


def _store_peers(run: ScoreRun, standing: pa.Table, improved: pa.Table) -> None:
    bulk_insert(
        PeerStanding,
        (
            "run_id",
            "place_id",
            "group",
            "indicator_id",
            "year",
            "value",
            "group_size",
            "group_mean",
            "group_best",
            "group_std",
            "group_q1",
            "group_q3",
            "rank",
        ),
        (
            (run.pk, *row)
            for row in _rows(
                standing,
                [
                    "unit",
                    "group",
                    "indicator",
                    "year",
                    "value",
                    "group_size",
                    "group_mean",
                    "group_best",
                    "group_std",
                    "group_q1",
                    "group_q3",
                    "rank",
                ],
            )
        ),
    )
    bulk_insert(
        PeerImprovement,
        (
            "run_id",
            "group",
            "indicator_id",
            "rank",
            "place_id",
            "improvement_per_year",
            "start_year",
            "latest_year",
            "start_value",
            "latest_value",
        ),
        (
            (run.pk, *row)
            for row in _rows(
                improved,
                [
                    "group",
                    "indicator",
                    "rank",
                    "unit",
                    "improvement_per_year",
                    "start_year",
                    "latest_year",
                    "start_value",
                    "latest_value",
                ],
            )
        ),
    )


BAND_MIN_SIZE = 3  # fewer values make no meaningful middle half


def peer_bands(
    rows: Iterable[tuple[str, str, int, float | None]], groups_of: dict[str, list[str]]
) -> Iterator[tuple[str, str, int, int, float, float, float]]:
    """(group, indicator, year, size, q1, median, q3) over each group's members and over
    `all` municipalities; quartiles by linear interpolation, as `engine.peers` does."""
    values: dict[tuple[str, str, int], list[float]] = {}
    for place, indicator, year, value in rows:
        if value is None:
            continue
        for group in ("all", *groups_of.get(place, ())):
            values.setdefault((group, indicator, year), []).append(value)
    for (group, indicator, year), found in sorted(values.items()):
        if len(found) < BAND_MIN_SIZE:
            continue
        q1, median, q3 = statistics.quantiles(found, n=4, method="inclusive")
        yield group, indicator, year, len(found), q1, median, q3


def _store_bands(run: ScoreRun, framework: Framework) -> None:
    """Per-year bands for every indicator of the framework (context ones too), so goal
    pages can draw the peer group's middle 50 % behind a municipality's series."""
    groups_of: dict[str, list[str]] = {}
    for slug, code in PeerGroup.members.through.objects.filter(
        peergroup__kind__in=[PeerGroup.Kind.COUNTY, PeerGroup.Kind.SIZE_CLASS]
    ).values_list("peergroup_id", "place_id"):
        groups_of.setdefault(code, []).append(slug)
    rows = (
        published_observations()
        .filter(
            indicator__entries__framework=framework,
            place__kind=Place.Kind.MUNICIPALITY,
            value__isnull=False,
        )
        .values_list("place_id", "indicator_id", "year", "value")
    )
    bulk_insert(
        PeerBand,
        ("run_id", "group", "indicator_id", "year", "size", "q1", "median", "q3"),
        ((run.pk, *band) for band in peer_bands(list(rows), groups_of)),
    )


def _store_nearest(run: ScoreRun, memberships: pa.Table) -> None:
    """Who is in each `nearest:<code>` group, so pages can rank a place among them."""
    bulk_insert(
        NearestPeer,
        ("run_id", "place_id", "peer_id"),
        (
            (run.pk, group.removeprefix("nearest:"), unit)
            for unit, group in _rows(memberships, ["unit", "group"])
            if group.startswith("nearest:")
        ),
    )
