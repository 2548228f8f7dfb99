"""Who to learn from, and the evidence beside a project — read from stored scores only.

A municipality's weakest indicators are those with the lowest latest score or a falling
trend; for each, the most similar municipalities (`nearest:<code>`, the engine's peers)
that improved most are listed with their published projects linked to that indicator
(or, failing that, to its goal). What is shown is association, never proof of cause.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from sdgnet.catalog.models import FrameworkIndicator, Indicator
from sdgnet.places.actions import size_class_of
from sdgnet.places.models import Place
from sdgnet.projects.access import visible_projects
from sdgnet.projects.models import Project
from sdgnet.scores.models import IndicatorScore, PeerBand, PeerImprovement, ScoreRun

FALLING = ("decreasing", "falling", "moderately decreasing", "stagnating", "↓", "↘")


def latest_run() -> ScoreRun | None:
    return (
        ScoreRun.objects.filter(complete=True, framework__is_default=True)
        .order_by("-data_version", "-created_at")
        .first()
    )


@dataclass
class Peer:
    place: Place
    improvement_per_year: float
    start_year: int
    latest_year: int
    start_value: float
    latest_value: float
    projects: list[Project] = field(default_factory=list)
    projects_by_goal: bool = False


@dataclass
class WeakIndicator:
    indicator: Indicator
    score: float | None
    value: float | None
    year: int
    trend: str
    peers: list[Peer] = field(default_factory=list)


def weakest_indicators(place: Place, run: ScoreRun, limit: int = 5) -> list[IndicatorScore]:
    """The place's latest scored values, lowest score first, falling trends before ties."""
    rows = list(
        IndicatorScore.objects.filter(run=run, place=place, score__isnull=False).select_related(
            "indicator"
        )
    )
    if not rows:
        return []
    latest_year = max(row.year for row in rows)
    rows = [row for row in rows if row.year == latest_year]
    rows.sort(key=lambda r: (not _falling(r.trend), r.score if r.score is not None else 101))
    return rows[:limit]


def _falling(trend: str) -> bool:
    return any(word in (trend or "").lower() for word in FALLING)


def who_to_learn_from(
    user: Any, place: Place, limit: int = 5, peers: int = 3, run: ScoreRun | None = None
) -> list[WeakIndicator]:
    """For each of the place's weakest indicators: the similar municipalities that
    improved most, with the projects this user may see that are linked to it (or, failing
    that, to its goal). A fixed handful of queries, however many indicators and peers."""
    run = run or latest_run()
    if run is None:
        return []
    weakest = weakest_indicators(place, run, limit)
    keys = [row.indicator_id for row in weakest]
    improvements: dict[str, list[PeerImprovement]] = {}
    for improvement in (
        PeerImprovement.objects.filter(
            run=run,
            group=f"nearest:{place.code}",
            indicator_id__in=keys,
            improvement_per_year__gt=0,
        )
        .exclude(place=place)
        .select_related("place")
        .order_by("rank")
    ):
        chosen = improvements.setdefault(improvement.indicator_id, [])
        if len(chosen) < peers:
            chosen.append(improvement)
    goals_of: dict[str, set[int]] = {}
    for indicator, goal, also in FrameworkIndicator.objects.filter(
        indicator_id__in=keys
    ).values_list("indicator_id", "goal_id", "goals"):
        goals_of.setdefault(indicator, set()).update(g for g in (goal, also) if g)
    linked = _peer_projects(
        user,
        {i.place_id for chosen in improvements.values() for i in chosen},
        set(keys),
        set().union(*goals_of.values()) if goals_of else set(),
    )
    result: list[WeakIndicator] = []
    for row in weakest:
        weak = WeakIndicator(row.indicator, row.score, row.value, row.year, row.trend)
        goals = goals_of.get(row.indicator_id, set())
        for improvement in improvements.get(row.indicator_id, []):
            peer = Peer(
                improvement.place,
                improvement.improvement_per_year,
                improvement.start_year,
                improvement.latest_year,
                improvement.start_value,
                improvement.latest_value,
            )
            mine = [p for p in linked if improvement.place_id in p.places]
            peer.projects = [p.project for p in mine if row.indicator_id in p.indicators][:5]
            if not peer.projects and goals:
                peer.projects = [p.project for p in mine if p.goals & goals][:5]
                peer.projects_by_goal = bool(peer.projects)
            weak.peers.append(peer)
        result.append(weak)
    return result


@dataclass
class _Linked:
    project: Project
    places: set[str] = field(default_factory=set)
    indicators: set[str] = field(default_factory=set)
    goals: set[int] = field(default_factory=set)


def _peer_projects(
    user: Any, places: set[str], indicators: set[str], goals: set[int]
) -> list[_Linked]:
    """The projects this user may see of these municipalities (as owner or co-owner) that
    are linked to one of these indicators or goals, newest first: two queries."""
    if not places:
        return []
    visible = (
        visible_projects(user)
        .filter(Q(municipality_id__in=places) | Q(co_municipalities__in=places))
        .filter(Q(indicators__in=indicators) | Q(goals__in=goals))
        .values("pk")
    )
    found: dict[int, _Linked] = {}
    projects = Project.objects.filter(pk__in=visible).select_related("municipality")
    for project in projects.order_by("-updated_at", "key"):
        found[project.pk] = _Linked(project, {project.municipality_id})
    for pk, co, indicator, goal in Project.objects.filter(pk__in=list(found)).values_list(
        "pk", "co_municipalities", "indicators", "goals"
    ):
        entry = found[pk]
        entry.places.update(x for x in (co,) if x)
        entry.indicators.update(x for x in (indicator,) if x)
        entry.goals.update(x for x in (goal,) if x)
    return list(found.values())


@dataclass
class EvidenceSeries:
    indicator: Indicator
    group: str
    rows: list[dict[str, Any]]  # year, value (the municipality), median (the peer group)
    before: float | None
    after: float | None
    peer_before: float | None
    peer_after: float | None


def project_evidence(project: Project) -> list[EvidenceSeries]:
    """The project's linked indicators for its municipality by year, beside the median of
    municipalities of the same size class, split at the project's start year."""
    run = latest_run()
    if run is None or project.start_date is None:
        return []
    place = project.municipality
    group = size_class_of(place.population) if place.population else "all"
    start = project.start_date.year
    series: list[EvidenceSeries] = []
    for indicator in project.indicators.all():
        values: dict[int, float] = {
            year: value
            for year, value in IndicatorScore.objects.filter(
                run=run, place=place, indicator=indicator
            ).values_list("value_year", "value")
            if year is not None and value is not None
        }
        medians: dict[int, float] = dict(
            PeerBand.objects.filter(run=run, group=group, indicator=indicator).values_list(
                "year", "median"
            )
        )
        years = sorted(set(values) | set(medians))
        years = [y for y in years if start - 5 <= y <= start + 10]
        if not years:
            continue
        rows = [{"year": y, "value": values.get(y), "median": medians.get(y)} for y in years]
        series.append(
            EvidenceSeries(
                indicator,
                group,
                rows,
                before=_mean([values.get(y) for y in years if y < start]),
                after=_mean([values.get(y) for y in years if y >= start]),
                peer_before=_mean([medians.get(y) for y in years if y < start]),
                peer_after=_mean([medians.get(y) for y in years if y >= start]),
            )
        )
    return series


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def learning_summary(
    user: Any, place: Place, limit: int = 5, run: ScoreRun | None = None
) -> list[dict[str, Any]]:
    """`who_to_learn_from` as plain data for the municipality dashboard and its JSON twin:
    per weak indicator, the peers that improved, their projects this user may see, and
    whom to contact (the project's contact, else the peer municipality's website)."""
    from django.urls import reverse

    summary = []
    for weak in who_to_learn_from(user, place, limit=limit, run=run):
        summary.append(
            {
                "indicator": weak.indicator.key,
                "name": weak.indicator.name,
                "url": reverse("indicator", args=[weak.indicator.key]),
                "score": weak.score,
                "year": weak.year,
                "peers": [
                    {
                        "code": peer.place.code,
                        "name": peer.place.name,
                        "url": reverse("place", args=[peer.place.code]),
                        "website": peer.place.url,
                        "per_year": round(peer.improvement_per_year, 2),
                        "start_year": peer.start_year,
                        "start_value": peer.start_value,
                        "latest_year": peer.latest_year,
                        "latest_value": peer.latest_value,
                        "projects_by_goal": peer.projects_by_goal,
                        "projects": [
                            {
                                "key": project.key,
                                "title": project.title,
                                "url": reverse("project", args=[project.key]),
                                "contact_name": project.contact_name,
                                "contact_email": project.contact_email,
                            }
                            for project in peer.projects
                        ],
                    }
                    for peer in weak.peers
                ],
            }
        )
    return summary
