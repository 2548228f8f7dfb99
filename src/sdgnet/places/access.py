"""Reads of places and their latest observations, shared by pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from sdgnet.catalog.models import Framework, FrameworkIndicator, Goal
from sdgnet.observations.access import visible_observations
from sdgnet.places.models import Place


def search_municipalities(query: str) -> list[Place]:
    municipalities = Place.objects.filter(kind=Place.Kind.MUNICIPALITY).select_related("parent")
    query = query.strip()
    if query:
        municipalities = municipalities.filter(
            Q(name__icontains=query) | Q(name_official__icontains=query) | Q(code=query.zfill(4))
        )
    return list(municipalities.order_by("name"))


@dataclass(frozen=True)
class LatestValue:
    entry: FrameworkIndicator
    year: int | None
    value: float | None
    source: str
    flags: str


@dataclass(frozen=True)
class GoalValues:
    goal: Goal
    values: list[LatestValue]


def latest_values_by_goal(place: Place, framework: Framework, user: Any = None) -> list[GoalValues]:
    """The latest non-missing value of each framework indicator for a place, by goal,
    among the observations `user` may see (None: published ones)."""
    entries = list(
        framework.entries.select_related("indicator", "goal").order_by("goal_id", "position")
    )
    latest: dict[str, tuple[int, float | None, str, str]] = {}
    for indicator, year, value, source, flags in (
        visible_observations(user)
        .filter(place=place, value__isnull=False)
        .order_by("indicator_id", "year")
        .values_list("indicator_id", "year", "value", "source", "flags")
    ):
        latest[indicator] = (year, value, source, flags)  # ordered by year: the last one wins
    groups: dict[int, GoalValues] = {}
    for entry in entries:
        if entry.goal is None:
            continue
        found = latest.get(entry.indicator_id)
        group = groups.setdefault(entry.goal.number, GoalValues(goal=entry.goal, values=[]))
        group.values.append(
            LatestValue(entry=entry, year=found[0], value=found[1], source=found[2], flags=found[3])
            if found
            else LatestValue(entry=entry, year=None, value=None, source="", flags="")
        )
    return [groups[number] for number in sorted(groups)]
