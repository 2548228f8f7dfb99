"""The municipality dashboard and a municipality's goal page, built as plain data that
the page renders and `?format=json` returns unchanged."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sdgnet.catalog.models import FrameworkIndicator, Goal
from sdgnet.dashboards.access import (
    current,
    framework_entries,
    goal_info,
    ranks_among,
    round_or_none,
    status_of,
    trend_of,
)
from sdgnet.engine.normalise import goalpost
from sdgnet.network.access import local_targets
from sdgnet.network.models import Membership
from sdgnet.observations.access import visible_observations
from sdgnet.observations.models import DataVersion
from sdgnet.places.access import latest_values_by_goal
from sdgnet.places.models import PeerGroup, Place
from sdgnet.projects.learning import learning_summary
from sdgnet.scores.models import (
    GoalScore,
    IndexScore,
    IndicatorScore,
    NearestPeer,
    PeerBand,
    PeerImprovement,
)

IMPROVEMENT_SPAN = 5  # years of data an improvement is measured over


def place_info(place: Place) -> dict[str, Any]:
    return {
        "code": place.code,
        "name": place.name,
        "county": {"code": place.parent.code, "name": place.parent.name} if place.parent else None,
        "population": place.population,
        "population_year": place.population_year,
        "area_km2": place.area_km2,
        "adm_centre": place.adm_centre,
        "url": reverse("place", args=[place.code]),
    }


def entry_info(entry: FrameworkIndicator) -> dict[str, Any]:
    return {
        "key": entry.indicator_id,
        "name": entry.indicator.name,
        "unit": entry.indicator.unit,
        "direction": entry.direction,
        "direction_label": str(entry.get_direction_display()),
        "scored": entry.is_scored,
        "green": entry.green,
        "red": entry.red,
        "target_value": entry.target_value,
        "target_year": entry.target_year,
        "url": reverse("indicator", args=[entry.indicator_id]),
    }


# The dashboard colours of an indicator that has not reached its green threshold.
BELOW_GREEN = ("yellow", "orange", "red")


def green_score(entry: FrameworkIndicator) -> float:
    """The score of the green threshold (rule 1, the engine's `goalpost`): how far below it an
    indicator is, in score points, is its gap."""
    assert entry.best is not None and entry.worst is not None and entry.green is not None
    green, best, worst = (np.array([bound]) for bound in (entry.green, entry.best, entry.worst))
    return float(goalpost(green, best, worst)[0])


def _rank_among(scores: dict[str, float], code: str, members: set[str]) -> dict[str, Any]:
    """Rank 1 = best index score among the members that have one."""
    ranks = ranks_among({member: scores[member] for member in members if member in scores})
    return {"rank": ranks.get(code), "of": len(ranks)}


def municipality_dashboard(place: Place, user: Any = None) -> dict[str, Any]:
    state = current()
    goals = list(Goal.objects.all())
    data: dict[str, Any] = {
        "place": place_info(place),
        "framework": None,
        "year": None,
        "data_version": 0,
        "index": None,
        "peer_ranks": [],
        "goals": [],
        "gaps": [],
        "any_scored_value": False,
        "improvements": [],
        "latest_values": [],
        "updated": None,
        "sources": [],
    }
    if state is None:
        data["goals"] = [
            {**goal_info(goal), "score": None, **status_of(None), **trend_of(None)}
            for goal in goals
        ]
        return data
    framework, run, year = state.framework, state.run, state.year
    data["framework"] = {"slug": framework.slug, "name": framework.name}
    data["year"] = year
    data["data_version"] = state.data_version
    entries = framework_entries(framework)
    scored = [entry for entry in entries if entry.is_scored]

    goal_scores: dict[int, tuple[float | None, str, str]] = {}
    indicator_history: dict[str, list[tuple[int, int | None, float | None, float | None]]] = {}
    latest_indicator: dict[str, tuple[float | None, int | None, float | None, str, str]] = {}
    index_scores: dict[str, float] = {}
    index_history: dict[int, tuple[float | None, int | None]] = {}
    if run is not None and year is not None:
        goal_scores = {
            goal: (score, colour, trend)
            for goal, score, colour, trend in GoalScore.objects.filter(
                run=run, place=place, year=year
            ).values_list("goal_id", "score", "colour", "trend")
        }
        for key, as_of, value_year, value, score, colour, trend in (
            IndicatorScore.objects.filter(run=run, place=place)
            .order_by("year")
            .values_list("indicator_id", "year", "value_year", "value", "score", "colour", "trend")
        ):
            indicator_history.setdefault(key, []).append((as_of, value_year, value, score))
            if as_of == year:
                latest_indicator[key] = (value, value_year, score, colour, trend)
        # One query: every member's index this year (for ranks) and this place's history.
        for code, as_of, score, rank in (
            IndexScore.objects.filter(run=run)
            .filter(Q(year=year, score__isnull=False) | Q(place=place))
            .values_list("place_id", "year", "score", "rank")
        ):
            if as_of == year and score is not None:
                index_scores[code] = score
            if code == place.code:
                index_history[as_of] = (score, rank)

    # Goal tiles: all 17, with honest grey tiles where nothing is scored.
    for goal in goals:
        in_goal = [entry for entry in scored if entry.goal_id == goal.number]
        with_data = [
            entry
            for entry in in_goal
            if latest_indicator.get(entry.indicator_id, (None, None, None))[2] is not None
        ]
        score, colour, trend = goal_scores.get(goal.number, (None, "", ""))
        data["goals"].append(
            {
                **goal_info(goal),
                "place_url": reverse("place-goal", args=[place.code, goal.number]),
                "score": round_or_none(score, 1),
                **status_of(colour),
                **trend_of(trend),
                "indicators_with_data": len(with_data),
                "indicators_total": len(in_goal),
            }
        )

    if year is not None:
        mine, rank = index_history.get(year, (None, None))
        previous = (
            index_history.get(state.previous_year, (None, None))
            if state.previous_year
            else (None, None)
        )
        data["index"] = {
            "score": round_or_none(mine, 1),
            "rank": rank,
            "of": len(index_scores),
            "previous_year": state.previous_year,
            "previous_score": round_or_none(previous[0], 1),
            "previous_rank": previous[1],
        }
        # The rank above is the stored one, among every municipality; among the network's
        # approved members, where the place is one, it comes first below.
        approved = set(
            Membership.objects.filter(status=Membership.Status.APPROVED).values_list(
                "place_id", flat=True
            )
        )
        if place.code in approved:
            data["peer_ranks"].append(
                {
                    "group": "members",
                    "kind": "members",
                    "name": str(_("Network members")),
                    **_rank_among(index_scores, place.code, approved),
                }
            )
        groups = list(
            PeerGroup.objects.filter(
                members=place, kind__in=[PeerGroup.Kind.COUNTY, PeerGroup.Kind.SIZE_CLASS]
            ).order_by("kind")
        )
        members: dict[str, set[str]] = {group.slug: set() for group in groups}
        for slug, code in PeerGroup.members.through.objects.filter(
            peergroup__in=[group.slug for group in groups]
        ).values_list("peergroup_id", "place_id"):
            members[slug].add(code)
        for group in groups:
            data["peer_ranks"].append(
                {
                    "group": group.slug,
                    "kind": group.kind,
                    "name": group.name,
                    **_rank_among(index_scores, place.code, members[group.slug]),
                }
            )
        nearest = set(
            NearestPeer.objects.filter(run=state.run, place=place).values_list("peer_id", flat=True)
        )
        if nearest:
            data["peer_ranks"].append(
                {
                    "group": f"nearest:{place.code}",
                    "kind": "nearest",
                    "name": str(_nearest_label()),
                    **_rank_among(index_scores, place.code, nearest | {place.code}),
                }
            )

    # The three biggest gaps: the indicators furthest below their green threshold, in
    # score points (an indicator already green has no gap, whatever its score).
    by_key = {entry.indicator_id: entry for entry in scored}
    gaps = sorted(
        (
            (found[2], key)
            for key, found in latest_indicator.items()
            if found[2] is not None and key in by_key and found[3] in BELOW_GREEN
        ),
        key=lambda gap: (gap[0] - green_score(by_key[gap[1]]), gap[0], gap[1]),
    )[:3]
    data["any_scored_value"] = any(found[2] is not None for found in latest_indicator.values())
    learn_from = _learn_from(
        state.run,
        place,
        {
            key: (latest_indicator[key][0], by_key[key].direction == "decrease")
            for _score, key in gaps
        },
    )
    for score, key in gaps:
        value, value_year, _score, colour, trend = latest_indicator[key]
        entry = by_key[key]
        data["gaps"].append(
            {
                "learn_from": learn_from.get(key),
                **entry_info(entry),
                "goal": entry.goal_id,
                "place_goal_url": reverse("place-goal", args=[place.code, entry.goal_id]),
                "value": value,
                "value_year": value_year,
                "score": round_or_none(score, 1),
                **status_of(colour),
                **trend_of(trend),
            }
        )

    # The three best improvements: the largest rise in indicator score over about
    # IMPROVEMENT_SPAN years of data.
    improvements = []
    for key, history in indicator_history.items():
        if key not in by_key or key not in latest_indicator:
            continue
        value, value_year, score, _colour, _trend = latest_indicator[key]
        if score is None or value_year is None:
            continue
        earlier = [
            row
            for row in history
            if row[1] is not None and row[3] is not None and row[1] <= value_year - IMPROVEMENT_SPAN
        ]
        base = (
            earlier[-1]
            if earlier
            else next((row for row in history if row[1] is not None and row[3] is not None), None)
        )
        if base is None or base[1] == value_year or base[3] is None:
            continue
        change = score - base[3]
        if change > 0:
            improvements.append((change, key, base, value, value_year, score))
    improvements.sort(key=lambda item: -item[0])
    for change, key, base, value, value_year, score in improvements[:3]:
        entry = by_key[key]
        data["improvements"].append(
            {
                **entry_info(entry),
                "goal": entry.goal_id,
                "place_goal_url": reverse("place-goal", args=[place.code, entry.goal_id]),
                "since_year": base[1],
                "since_value": base[2],
                "since_score": round_or_none(base[3], 1),
                "value": value,
                "value_year": value_year,
                "score": round_or_none(score, 1),
                "change": round_or_none(change, 1),
            }
        )

    # The latest published values, by goal, with source (the page's first content).
    sources: dict[str, int] = {}
    for by_goal in latest_values_by_goal(place, framework, user):
        items = []
        for item in by_goal.values:
            items.append(
                {
                    "key": item.entry.indicator_id,
                    "name": item.entry.indicator.name,
                    "unit": item.entry.indicator.unit,
                    "value": item.value,
                    "year": item.year,
                    "source": item.source,
                    "flags": item.flags,
                    "url": reverse("indicator", args=[item.entry.indicator_id]),
                }
            )
            if item.source:
                sources[item.source] = sources.get(item.source, 0) + 1
        data["latest_values"].append({"goal": goal_info(by_goal.goal), "indicators": items})
    data["sources"] = [
        {"name": name, "indicators": count} for name, count in sorted(sources.items())
    ]
    version = DataVersion.objects.order_by("-number").only("created_at").first()
    data["updated"] = version.created_at.date() if version else None
    # Who to learn from: peers that improved on the weakest indicators, with their
    # projects in the library linked to those indicators (what this visitor may see).
    data["who_to_learn_from"] = learning_summary(user or AnonymousUser(), place, run=run)
    return data


def _learn_from(
    run: Any, place: Place, own: dict[str, tuple[float | None, bool]]
) -> dict[str, dict[str, Any]]:
    """For each indicator (key → the place's value, lower-is-better), the peer that
    improved most among the place's most similar municipalities, or else in its county,
    and now does better than the place (stored by the rescore; never the place)."""
    keys = list(own)
    if run is None or not keys:
        return {}
    county = f"county-{place.parent_id}" if place.parent_id else ""
    groups = [f"nearest:{place.code}", county]
    found: dict[str, dict[str, Any]] = {}
    rows = (
        PeerImprovement.objects.filter(run=run, group__in=groups, indicator_id__in=keys)
        .exclude(place=place)
        .filter(improvement_per_year__gt=0)
        .select_related("place")
        .order_by("rank", "-improvement_per_year")
    )
    for group in groups:  # nearest peers first
        for row in rows:
            value, lower_is_better = own[row.indicator_id]
            better = value is None or (
                row.latest_value < value if lower_is_better else row.latest_value > value
            )
            if row.group == group and row.indicator_id not in found and better:
                found[row.indicator_id] = {
                    "code": row.place_id,
                    "name": row.place.name,
                    "url": reverse("place", args=[row.place_id]),
                    "group": "nearest" if group.startswith("nearest:") else "county",
                    "per_year": round(row.improvement_per_year, 2),
                    "start_year": row.start_year,
                    "latest_year": row.latest_year,
                    "start_value": row.start_value,
                    "latest_value": row.latest_value,
                }
    return found


def _nearest_label() -> Any:
    return _("Most similar municipalities")


def band_groups(place: Place) -> list[PeerGroup]:
    return list(
        PeerGroup.objects.filter(
            members=place, kind__in=[PeerGroup.Kind.COUNTY, PeerGroup.Kind.SIZE_CLASS]
        ).order_by("kind")
    )


def place_goal(
    place: Place, goal: Goal, band: str | None = None, user: Any = None
) -> dict[str, Any]:
    """Every framework indicator of the goal for one municipality: latest value, score,
    colour, trend, 2030 target, and its yearly series beside its peer group's middle 50 %."""
    state = current()
    groups = band_groups(place)
    chosen = next((g for g in groups if g.kind == band), groups[0] if groups else None)
    data: dict[str, Any] = {
        "place": place_info(place),
        "goal": {**goal_info(goal), "title": goal.title},
        "year": state.year if state else None,
        "data_version": state.data_version if state else 0,
        "score": None,
        **status_of(None),
        **trend_of(None),
        "band": (
            {"group": chosen.slug, "kind": chosen.kind, "name": chosen.name} if chosen else None
        ),
        "band_choices": [{"kind": g.kind, "name": g.name, "group": g.slug} for g in groups],
        "indicators": [],
    }
    if state is None:
        return data
    entries = [e for e in framework_entries(state.framework) if e.goal_id == goal.number]
    keys = [entry.indicator_id for entry in entries]
    run = state.run
    latest: dict[str, tuple[float | None, int | None, float | None, str, str]] = {}
    scores_local: dict[str, float | None] = {}
    bands: dict[tuple[str, int], tuple[float, float, float, int]] = {}
    own_targets = {
        target.indicator_id: target
        for target in local_targets(place.code).filter(indicator_id__in=keys)
    }
    if run is not None and state.year is not None:
        goal_row = (
            GoalScore.objects.filter(run=run, place=place, goal=goal, year=state.year)
            .values_list("score", "colour", "trend")
            .first()
        )
        if goal_row:
            data["score"] = round_or_none(goal_row[0], 1)
            data.update(status_of(goal_row[1]))
            data.update(trend_of(goal_row[2]))
        for key, value, value_year, score, colour, trend, local in IndicatorScore.objects.filter(
            run=run, place=place, year=state.year, indicator_id__in=keys
        ).values_list(
            "indicator_id", "value", "value_year", "score", "colour", "trend", "score_local"
        ):
            latest[key] = (value, value_year, score, colour, trend)
            scores_local[key] = local
        if chosen is not None:
            bands = {
                (key, year): (q1, median, q3, size)
                for key, year, q1, median, q3, size in PeerBand.objects.filter(
                    run=run, group=chosen.slug, indicator_id__in=keys
                ).values_list("indicator_id", "year", "q1", "median", "q3", "size")
            }
    series: dict[str, list[tuple[int, float | None]]] = {}
    for key, year, value in (
        visible_observations(user)
        .filter(place=place, indicator_id__in=keys)
        .order_by("indicator_id", "year")
        .values_list("indicator_id", "year", "value")
    ):
        series.setdefault(key, []).append((year, value))
    for entry in entries:
        key = entry.indicator_id
        points = series.get(key, [])
        known = [(year, value) for year, value in points if value is not None]
        stored = latest.get(key)
        years = sorted({year for year, _v in points} | {year for k, year in bands if k == key})
        values = dict(points)
        rows = []
        for year in years:
            q1, median, q3, size = bands.get((key, year), (None, None, None, None))
            rows.append(
                {
                    "year": year,
                    "value": values.get(year),
                    "band_q1": round_or_none(q1, 3),
                    "band_median": round_or_none(median, 3),
                    "band_q3": round_or_none(q3, 3),
                    "band_size": size,
                }
            )
        score = stored[2] if stored else None
        own = own_targets.get(key)
        data["indicators"].append(
            {
                **entry_info(entry),
                # The municipality's own target beside the framework's, and the score
                # against it (null until a rescore has used the target, or unscored).
                "local_target": (
                    {"value": own.value, "year": own.year, "note": own.note} if own else None
                ),
                "score_local": round_or_none(scores_local.get(key), 1) if own else None,
                "latest_value": stored[0] if stored else (known[-1][1] if known else None),
                "latest_year": stored[1] if stored else (known[-1][0] if known else None),
                "score": round_or_none(score, 1),
                **status_of(stored[3] if stored else None),
                **trend_of(stored[4] if stored and score is not None else ""),
                "csv_url": reverse("place-goal", args=[place.code, goal.number])
                + f"?format=csv&indicator={key}"
                + (f"&band={chosen.kind}" if chosen else ""),
                "series": rows,
            }
        )
    return data


def place_goal_csv_rows(data: dict[str, Any], indicator: str | None) -> list[list[Any]]:
    """The series behind the goal page's charts, one row per indicator and year."""
    band = data["band"]["group"] if data["band"] else ""
    rows: list[list[Any]] = [
        [
            "place",
            "indicator",
            "year",
            "value",
            "peer_group",
            "band_q1",
            "band_median",
            "band_q3",
            "band_size",
            "target_value",
            "target_year",
        ]
    ]
    for item in data["indicators"]:
        if indicator and item["key"] != indicator:
            continue
        for point in item["series"]:
            rows.append(
                [
                    data["place"]["code"],
                    item["key"],
                    point["year"],
                    point["value"],
                    band,
                    point["band_q1"],
                    point["band_median"],
                    point["band_q3"],
                    point["band_size"],
                    item["target_value"],
                    item["target_year"],
                ]
            )
    return rows
