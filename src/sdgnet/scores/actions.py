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
import time
from itertools import repeat
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import connection, models, transaction

from sdgnet.catalog.models import Framework
from sdgnet.catalog.specs import indicator_spec
from sdgnet.engine import peers
from sdgnet.engine.framework import Framework as EngineFramework
from sdgnet.engine.local_targets import parse_local_targets, score_local, target_problem
from sdgnet.engine.scoring import ScoreResult, score_sdsn
from sdgnet.network.models import LocalTarget
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
from sdgnet.web.bulk import bulk_insert, gc_paused

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
    """The framework's scored indicators as the engine's specification. The engine
    refuses an entry that breaks its rules (InputError naming the framework, entry and
    field); entries are checked against the same rules where they are entered
    (`catalog.specs`), so only one written around those checks can be refused here."""
    entries = framework.entries.select_related("indicator").prefetch_related("targets")
    specs = [
        indicator_spec(
            entry,
            row=position,
            target=next(iter(sorted(t.code for t in entry.targets.all())), None),
            name=entry.indicator.name_en,
            unit=entry.indicator.unit,
        )
        for position, entry in enumerate(entries, start=2)
        if entry.is_scored
    ]
    return EngineFramework(indicators=tuple(specs), source=framework.slug)


def framework_observations(framework: Framework) -> pa.Table:
    """Published municipal observations (`unit, indicator, year, value`, value null =
    missing) of every indicator of the framework, context ones too: read once for the
    engine, the peers and the bands."""
    query = (
        published_observations()
        .filter(
            indicator_id__in=framework.entries.values("indicator_id"),
            place__kind=Place.Kind.MUNICIPALITY,
        )
        .order_by()  # the model's ordering joins the indicators and sorts; nothing needs it
        .values_list("place_id", "indicator_id", "year", "value")
    )
    sql, parameters = query.query.sql_with_params()
    with connection.cursor() as cursor:
        # A raw cursor: the ORM's per-row conversions cost more than the query.
        cursor.execute(sql, parameters)
        rows = cursor.fetchall()
    places, keys, years, values = zip(*rows, strict=True) if rows else ((), (), (), ())
    return pa.table(
        {
            "unit": pa.array(places, pa.string()),
            "indicator": pa.array(keys, pa.string()),
            "year": pa.array(years, pa.int64()),
            "value": pa.array(values, pa.float64()),
        }
    )


def only_indicators(observations: pa.Table, indicators: list[str]) -> pa.Table:
    return observations.filter(
        pc.is_in(observations.column("indicator"), value_set=pa.array(indicators, pa.string()))
    )


def local_targets_table(spec: EngineFramework) -> pa.Table:
    """Municipalities' own targets for the framework's scored indicators, as the engine
    takes them. Targets are checked when set; one the framework's bounds have since
    made unscorable is left out rather than failing everyone's rescore."""
    rows = [
        (place, indicator, value)
        for place, indicator, value in LocalTarget.objects.filter(
            place__kind=Place.Kind.MUNICIPALITY,
            indicator_id__in=[s.indicator for s in spec.indicators],
        ).values_list("place_id", "indicator_id", "value")
        if target_problem(spec, indicator, value) is None
    ]
    table = pa.table(
        {
            "unit": pa.array([row[0] for row in rows], pa.string()),
            "indicator": pa.array([row[1] for row in rows], pa.string()),
            "target_value": pa.array([row[2] for row in rows], pa.float64()),
        }
    )
    return parse_local_targets(table, spec, source="local targets")


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


def group_memberships() -> tuple[pa.Table, pa.Table]:
    """Built-in and user-defined peer groups as memberships, and the built-in ones
    alone (counties and size classes: the groups pages draw bands for)."""
    groups: dict[str, list[str]] = {}
    built_in: dict[str, list[str]] = {}
    for slug, code, kind in PeerGroup.members.through.objects.values_list(
        "peergroup_id", "place_id", "peergroup__kind"
    ):
        groups.setdefault(code, []).append(slug)
        if kind in (PeerGroup.Kind.COUNTY, PeerGroup.Kind.SIZE_CLASS):
            built_in.setdefault(code, []).append(slug)
    return peers.memberships_from_mapping(groups), peers.memberships_from_mapping(built_in)


def memberships_table(named: pa.Table | None = None) -> pa.Table:
    """Built-in and user-defined peer groups plus each municipality's nearest peers."""
    if named is None:
        named, _built_in = group_memberships()
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


@gc_paused()
def do_rescore_framework(framework: Framework) -> ScoreRun:
    started = time.perf_counter()
    version = current_data_version()
    spec = engine_framework(framework)
    every_indicator = framework_observations(framework)
    observations = only_indicators(every_indicator, [s.indicator for s in spec.indicators])
    result: ScoreResult | None = None
    if spec.indicators and observations.num_rows:
        result = score_sdsn(spec, observations, units_table(), years="all")
        targets = local_targets_table(spec)
        if targets.num_rows:
            indicators = score_local(result.indicators, spec, targets)
            result = ScoreResult(indicators=indicators, goals=result.goals, index=result.index)
    named, built_in = group_memberships()
    memberships = memberships_table(named)
    standing = improved = None
    if observations.num_rows:
        standing = peers.peer_standing(observations, memberships, spec, measure="value")
        improved = peers.most_improved(observations, memberships, spec, measure="value")
    # Every indicator of the framework (context ones too), so goal pages can draw the
    # peer group's middle 50 % behind a municipality's series.
    bands = peers.peer_bands(every_indicator, built_in)
    with transaction.atomic():
        run = ScoreRun.objects.create(framework=framework, data_version=version, method="sdsn")
        if result is not None:
            _store_result(run, result)
        if standing is not None and improved is not None:
            _store_peers(run, standing, improved)
        _store_table(run, PeerBand, bands, BAND_COLUMNS)
        _store_nearest(run, memberships)
        run.duration_ms = round((time.perf_counter() - started) * 1000)
        run.complete = True
        run.save(update_fields=["duration_ms", "complete"])
        _delete_stale_runs(framework)
    return run


BAND_COLUMNS = {
    "group": "group",
    "indicator_id": "indicator",
    "year": "year",
    "size": "size",
    "q1": "q1",
    "median": "median",
    "q3": "q3",
}
RUN_RESULTS: tuple[type[models.Model], ...] = (
    IndicatorScore,
    GoalScore,
    IndexScore,
    PeerStanding,
    PeerImprovement,
    PeerBand,
    NearestPeer,
)


def _delete_stale_runs(framework: Framework) -> None:
    """Runs older than the last RUNS_KEPT go, their results first by run id: the ORM's
    cascade would ask each result table for rows before deleting them."""
    stale = list(
        ScoreRun.objects.filter(framework=framework)
        .order_by("-pk")
        .values_list("pk", flat=True)[RUNS_KEPT:]
    )
    if not stale:
        return
    placeholders = ", ".join(["%s"] * len(stale))
    with connection.cursor() as cursor:
        for model in RUN_RESULTS:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE run_id IN ({placeholders})", stale)
    ScoreRun.objects.filter(pk__in=stale).delete()


def _store_table(
    run: ScoreRun, model: type[models.Model], table: pa.Table, columns: dict[str, str]
) -> None:
    """Insert `table` into `model`: `columns` maps each model column to the table's;
    null text becomes "" (the models' blank text)."""
    data: list[Any] = [repeat(run.pk)]
    for name in columns.values():
        column = table.column(name)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = pc.fill_null(column, "")
        data.append(column.to_pylist())
    # zip builds the rows in C; a generator expression per row cost more than the insert.
    bulk_insert(model, ("run_id", *columns), zip(*data, strict=False))  # repeat() never ends


def _store_result(run: ScoreRun, result: ScoreResult) -> None:
    indicator_columns = {
        "place_id": "unit",
        "indicator_id": "indicator",
        "year": "as_of",
        "value_year": "year",
        "value": "value",
        "score": "score",
        "colour": "colour",
        "dashboard_value": "dashboard_value",
        "trend": "trend",
    }
    if "score_local" in result.indicators.column_names:  # only where local targets exist
        indicator_columns["score_local"] = "score_local"
    _store_table(run, IndicatorScore, result.indicators, indicator_columns)
    _store_table(
        run,
        GoalScore,
        result.goals,
        {
            "place_id": "unit",
            "goal_id": "goal",
            "year": "as_of",
            "score": "score",
            "colour": "colour",
            "trend": "trend",
        },
    )
    _store_table(
        run,
        IndexScore,
        result.index,
        {"place_id": "unit", "year": "as_of", "score": "score", "rank": "rank"},
    )


def _store_peers(run: ScoreRun, standing: pa.Table, improved: pa.Table) -> None:
    same = {"group": "group", "indicator_id": "indicator", "place_id": "unit"}
    _store_table(
        run,
        PeerStanding,
        standing,
        same
        | {
            name: name
            for name in (
                "year",
                "value",
                "group_size",
                "group_mean",
                "group_best",
                "group_std",
                "group_q1",
                "group_q3",
                "rank",
            )
        },
    )
    _store_table(
        run,
        PeerImprovement,
        improved,
        same
        | {
            name: name
            for name in (
                "rank",
                "improvement_per_year",
                "start_year",
                "latest_year",
                "start_value",
                "latest_value",
            )
        },
    )


def _store_nearest(run: ScoreRun, memberships: pa.Table) -> None:
    """Who is in each `nearest:<code>` group, so pages can rank a place among them."""
    nearest = memberships.filter(
        pc.starts_with(memberships.column("group"), peers.NEAREST_GROUP_PREFIX)
    )
    places = pc.utf8_slice_codeunits(nearest.column("group"), len(peers.NEAREST_GROUP_PREFIX))
    _store_table(
        run,
        NearestPeer,
        pa.table({"place": places, "peer": nearest.column("unit")}),
        {"place_id": "place", "peer_id": "peer"},
    )
