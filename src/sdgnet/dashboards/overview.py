"""Pages across municipalities: an indicator's map and ranking, a comparison of a few
municipalities (COMPARE_MIN to COMPARE_MAX), the national goal figures and the search.
Each builder returns plain data that the page renders and `?format=json` returns
unchanged."""

from __future__ import annotations

import re
import statistics
import unicodedata
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sdgnet.catalog.models import FrameworkIndicator, Goal, Indicator
from sdgnet.dashboards.access import (
    STATUS,
    STATUS_ORDER,
    current,
    framework_entries,
    goal_info,
    round_or_none,
    status_code,
    status_of,
    trend_of,
)
from sdgnet.dashboards.municipality import entry_info
from sdgnet.observations.access import visible_observations
from sdgnet.places.models import PeerGroup, Place
from sdgnet.scores.models import GoalScore, IndexScore, IndicatorScore, PeerBand
from sdgnet.web.templatetags.sdgnet_format import number

COMPARE_MIN, COMPARE_MAX = 2, 4


def _latest_values(
    indicator_ids: list[str], codes: list[str] | None = None, user: Any = None
) -> dict[tuple[str, str], tuple[int, float | None]]:
    """(place, indicator) → (year, value) of the latest published value."""
    rows = visible_observations(user).filter(
        indicator_id__in=indicator_ids,
        value__isnull=False,
        place__kind=Place.Kind.MUNICIPALITY,
    )
    if codes is not None:
        rows = rows.filter(place_id__in=codes)
    latest: dict[tuple[str, str], tuple[int, float | None]] = {}
    for place, key, year, value in rows.order_by("year").values_list(
        "place_id", "indicator_id", "year", "value"
    ):
        latest[(place, key)] = (year, value)  # ordered by year: the last one wins
    return latest


# ------------------------------------------------------------------ indicator page


def _group_order(group: PeerGroup) -> tuple[bool, int, str]:
    """Size classes smallest first (their slugs carry the lower bound), then the rest."""
    digits = re.search(r"\d+", group.slug)
    lower = 0 if "under" in group.slug or not digits else int(digits.group())
    return (group.kind != PeerGroup.Kind.SIZE_CLASS, lower, group.name)


def indicator_overview(
    indicator: Indicator,
    county: str = "",
    group: str = "",
    colour_by: str = "value",
    user: Any = None,
) -> dict[str, Any]:
    state = current()
    entry = (
        FrameworkIndicator.objects.filter(framework=state.framework, indicator=indicator)
        .select_related("indicator")
        .first()
        if state
        else None
    )
    counties = list(
        Place.objects.filter(kind=Place.Kind.COUNTY).order_by("code").values_list("code", "name")
    )
    # Counties have their own filter; size classes and user-defined groups are peer groups.
    groups = sorted(PeerGroup.objects.exclude(kind=PeerGroup.Kind.COUNTY), key=_group_order)
    county = county if county in dict(counties) else ""
    group = group if group in {g.slug for g in groups} else ""
    scored = bool(entry and entry.is_scored)
    colour_by = "dashboard" if colour_by == "dashboard" and scored else "value"
    places = list(
        Place.objects.filter(kind=Place.Kind.MUNICIPALITY).values_list("code", "name", "parent_id")
    )
    if county:
        places = [p for p in places if p[2] == county]
    if group:
        members = set(
            PeerGroup.members.through.objects.filter(peergroup_id=group).values_list(
                "place_id", flat=True
            )
        )
        places = [p for p in places if p[0] in members]
    latest = _latest_values([indicator.key], user=user)
    scores: dict[str, tuple[float | None, str]] = {}
    if scored and state and state.run and state.year:
        scores = {
            code: (score, colour)
            for code, score, colour in IndicatorScore.objects.filter(
                run=state.run, indicator=indicator, year=state.year
            ).values_list("place_id", "score", "colour")
        }
    county_names = dict(counties)
    rows: list[dict[str, Any]] = []
    for code, name, parent in places:
        year, value = latest.get((code, indicator.key), (None, None))
        score, colour = scores.get(code, (None, ""))
        rows.append(
            {
                "code": code,
                "name": name,
                "county": county_names.get(parent or "", ""),
                "value": value,
                "year": year,
                "score": round_or_none(score, 1),
                **status_of(colour),
                "url": reverse("place", args=[code]),
            }
        )
    lower_is_better = bool(entry and entry.direction == FrameworkIndicator.Direction.DECREASE)
    known = sorted(
        (row for row in rows if row["value"] is not None),
        key=lambda row: (row["value"] if lower_is_better else -row["value"], row["name"]),
    )
    for position, row in enumerate(known, start=1):
        row["rank"] = position
    missing = sorted((row for row in rows if row["value"] is None), key=lambda row: row["name"])
    for row in missing:
        row["rank"] = None
    values = [row["value"] for row in known]
    years = sorted({row["year"] for row in known})
    return {
        "indicator": {
            "key": indicator.key,
            "name": indicator.name,
            "definition": indicator.definition,
            "unit": indicator.unit,
            "source": indicator.source,
            "source_url": indicator.source_url,
            **(
                entry_info(entry)
                if entry
                else {"scored": False, "target_value": None, "target_year": None}
            ),
            "goal": goal_info(entry.goal) if entry and entry.goal else None,
        },
        "data_version": state.data_version if state else 0,
        "filters": {"county": county, "group": group, "colour": colour_by},
        "counties": [{"code": code, "name": name} for code, name in counties],
        "groups": [{"slug": g.slug, "name": g.name} for g in groups],
        "summary": {
            "count": len(values),
            "of": len(rows),
            "min": min(values) if values else None,
            "median": statistics.median(values) if values else None,
            "max": max(values) if values else None,
            "years": years,
        },
        # The ranking writes every value with as many decimals (at most one, as elsewhere)
        # so that its column lines up: 85,0 beside 85,3.
        "value_decimals": 0 if all(float(value).is_integer() for value in values) else 1,
        "rows": known + missing,
    }


def map_description(data: dict[str, Any]) -> str:
    summary = data["summary"]
    how = (
        _("coloured by dashboard colour")
        if data["filters"]["colour"] == "dashboard"
        else _("shaded by value, darker is higher")
    )
    return _(
        "Map of Norway's municipalities, %(how)s, for %(indicator)s: %(count)s of %(of)s "
        "municipalities have a value, from %(min)s to %(max)s. The ranking table below lists them all."
    ) % {
        "how": how,
        "indicator": data["indicator"]["name"],
        "count": summary["count"],
        "of": summary["of"],
        "min": number(summary["min"]),
        "max": number(summary["max"]),
    }


def histogram_description(data: dict[str, Any]) -> str:
    summary = data["summary"]
    return _(
        "Histogram of %(indicator)s over %(count)s municipalities; the median is %(median)s."
    ) % {
        "indicator": data["indicator"]["name"],
        "count": summary["count"],
        "median": number(summary["median"]),
    }


def indicator_csv_rows(data: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["rank", "place", "name", "county", "indicator", "year", "value", "score", "colour"]
    ]
    key = data["indicator"]["key"]
    for row in data["rows"]:
        rows.append(
            [
                row["rank"],
                row["code"],
                row["name"],
                row["county"],
                key,
                row["year"],
                row["value"],
                row["score"],
                row["status"],
            ]
        )
    return rows


# ------------------------------------------------------------------ compare


def _parse_places(raw: str) -> list[str]:
    codes: list[str] = []
    for raw_part in raw.replace(" ", ",").split(","):
        part = raw_part.strip()
        if part:
            code = part.zfill(4) if part.isdigit() else part
            if code not in codes:
                codes.append(code)
    return codes


def _more_places_prompt(place: Place) -> str:
    """What the form asks for when one municipality is given: the counts follow the
    limits the comparison enforces (COMPARE_MIN, COMPARE_MAX)."""
    fewest, most = COMPARE_MIN - 1, COMPARE_MAX - 1
    values = {"name": place.name, "code": place.code}
    if fewest == most:
        return ngettext(
            "Add %(count)s more municipality number after %(name)s (%(code)s) to compare them.",
            "Add %(count)s more municipality numbers after %(name)s (%(code)s), separated by "
            "commas, to compare them.",
            most,
        ) % {**values, "count": number(most, 0)}
    return ngettext(
        "Add %(fewest)s–%(most)s more municipality number after %(name)s (%(code)s), "
        "separated by commas, to compare them.",
        "Add %(fewest)s–%(most)s more municipality numbers after %(name)s (%(code)s), "
        "separated by commas, to compare them.",
        most,
    ) % {**values, "fewest": number(fewest, 0), "most": number(most, 0)}


def compare(raw: str | None, user: Any = None) -> dict[str, Any]:
    state = current()
    data: dict[str, Any] = {
        "query": raw or "",
        "error": None,
        # How many municipalities a comparison takes, for the form's label.
        "limits": {"min": COMPARE_MIN, "max": COMPARE_MAX},
        "year": state.year if state else None,
        "data_version": state.data_version if state else 0,
        "prompt": None,
        "places": [],
        "goals": [],
        "indicators": [],
    }
    if raw is None:
        return data
    codes = _parse_places(raw)
    found = {
        place.code: place
        for place in Place.objects.filter(code__in=codes, kind=Place.Kind.MUNICIPALITY)
    }
    unknown = [code for code in codes if code not in found]
    if unknown:
        data["error"] = _("No municipality has the number %(codes)s.") % {
            "codes": ", ".join(unknown)
        }
    elif len(codes) == 1:
        # Where every dashboard's "compare" link lands: the form, started, not an error.
        data["prompt"] = _more_places_prompt(found[codes[0]])
        return data
    elif len(codes) < COMPARE_MIN:
        data["error"] = ngettext(
            "Choose at least %(count)s municipality to compare.",
            "Choose at least %(count)s municipalities to compare.",
            COMPARE_MIN,
        ) % {"count": number(COMPARE_MIN, 0)}
    elif len(codes) > COMPARE_MAX:
        data["error"] = ngettext(
            "Choose at most %(count)s municipality to compare.",
            "Choose at most %(count)s municipalities to compare.",
            COMPARE_MAX,
        ) % {"count": number(COMPARE_MAX, 0)}
    if data["error"]:
        return data
    places = [found[code] for code in codes]
    index: dict[str, tuple[float | None, int | None]] = {}
    goal_cells: dict[tuple[str, int], tuple[float | None, str, str]] = {}
    indicator_scores: dict[tuple[str, str], tuple[float | None, str]] = {}
    run, year = (state.run, state.year) if state else (None, None)
    if run is not None and year is not None:
        index = {
            code: (score, rank)
            for code, score, rank in IndexScore.objects.filter(
                run=run, year=year, place_id__in=codes
            ).values_list("place_id", "score", "rank")
        }
        goal_cells = {
            (code, goal): (score, colour, trend)
            for code, goal, score, colour, trend in GoalScore.objects.filter(
                run=run, year=year, place_id__in=codes
            ).values_list("place_id", "goal_id", "score", "colour", "trend")
        }
        indicator_scores = {
            (code, key): (score, colour)
            for code, key, score, colour in IndicatorScore.objects.filter(
                run=run, year=year, place_id__in=codes
            ).values_list("place_id", "indicator_id", "score", "colour")
        }
    data["places"] = [
        {
            "code": place.code,
            "name": place.name,
            "url": reverse("place", args=[place.code]),
            "index": round_or_none(index.get(place.code, (None, None))[0], 1),
            "rank": index.get(place.code, (None, None))[1],
        }
        for place in places
    ]
    for goal in Goal.objects.all():
        cells = []
        for code in codes:
            score, colour, trend = goal_cells.get((code, goal.number), (None, "", ""))
            cells.append(
                {
                    "code": code,
                    "score": round_or_none(score, 1),
                    **status_of(colour),
                    **trend_of(trend),
                }
            )
        data["goals"].append({**goal_info(goal), "cells": cells})
    entries = framework_entries(state.framework) if state else []
    latest = _latest_values([entry.indicator_id for entry in entries], codes, user)
    for entry in entries:
        cells = []
        for code in codes:
            year_value = latest.get((code, entry.indicator_id))
            score, colour = indicator_scores.get((code, entry.indicator_id), (None, ""))
            cells.append(
                {
                    "code": code,
                    "value": year_value[1] if year_value else None,
                    "year": year_value[0] if year_value else None,
                    "score": round_or_none(score, 1),
                    **status_of(colour),
                }
            )
        data["indicators"].append(
            {
                **entry_info(entry),
                "goal": goal_info(entry.goal) if entry.goal else None,
                "cells": cells,
            }
        )
    return data


def compare_description(data: dict[str, Any]) -> str:
    names = ", ".join(place["name"] for place in data["places"])
    scored = [goal for goal in data["goals"] if any(c["score"] is not None for c in goal["cells"])]
    return _(
        "Grouped bar chart of goal scores from 0 to 100 for %(names)s, on %(count)s goals "
        "with data. The table below gives every score."
    ) % {"names": names, "count": len(scored)}


# ------------------------------------------------------------------ national goal


def national_goal(goal: Goal) -> dict[str, Any]:
    """The goal for the whole country: how the municipalities' goal scores are spread,
    and each framework indicator's national median and middle 50 %."""
    state = current()
    data: dict[str, Any] = {
        "goal": {**goal_info(goal), "title": goal.title},
        "year": state.year if state else None,
        "previous_year": state.previous_year if state else None,
        "data_version": state.data_version if state else 0,
        "municipalities_scored": 0,
        "counts": dict.fromkeys(STATUS_ORDER, 0),
        "status_labels": {code: str(STATUS[code][0]) for code in STATUS_ORDER},
        "falling": 0,
        "median_score": None,
        "previous_median_score": None,
        "history": [],
        "indicators": [],
        "targets": [],
    }
    targets = goal.targets.prefetch_related("sdg_indicators")
    data["targets"] = [
        {
            "code": target.code,
            "title": target.title,
            "sdg_indicators": [
                {"code": i.code, "title": i.title} for i in target.sdg_indicators.all()
            ],
        }
        for target in targets
    ]
    if state is None:
        return data
    entries = list(
        state.framework.entries.filter(goals=goal)
        .select_related("indicator", "goal")
        .prefetch_related("targets")
    )
    bands: dict[str, tuple[int, float, float, float, int]] = {}
    if state.run is not None and state.year is not None:
        # Every year of the run in one query: the history table and chart, and the
        # latest and previous years' figures.
        by_year: dict[int, list[tuple[float | None, str, str]]] = {}
        for year, score, colour, trend in GoalScore.objects.filter(
            run=state.run, goal=goal
        ).values_list("year", "score", "colour", "trend"):
            by_year.setdefault(year, []).append((score, colour, trend))
        for year in sorted(by_year):
            counts = dict.fromkeys(STATUS_ORDER, 0)
            scores = []
            for score, colour, _trend in by_year[year]:
                counts[status_code(colour)] += 1
                if score is not None:
                    scores.append(score)
            if scores:
                data["history"].append(
                    {
                        "year": year,
                        "counts": counts,
                        "scored": len(scores),
                        "median_score": round(statistics.median(scores), 1),
                    }
                )
        latest_rows = by_year.get(state.year, [])
        for score, colour, trend in latest_rows:
            data["counts"][status_code(colour)] += 1
            data["falling"] += score is not None and trend == "decreasing"
        latest_scores = [row[0] for row in latest_rows if row[0] is not None]
        previous_scores = [
            row[0] for row in by_year.get(state.previous_year or 0, []) if row[0] is not None
        ]
        data["municipalities_scored"] = len(latest_scores)
        data["median_score"] = round(statistics.median(latest_scores), 1) if latest_scores else None
        data["previous_median_score"] = (
            round(statistics.median(previous_scores), 1) if previous_scores else None
        )
        for key, year, size, q1, median, q3 in (
            PeerBand.objects.filter(
                run=state.run, group="all", indicator_id__in=[e.indicator_id for e in entries]
            )
            .order_by("year")
            .values_list("indicator_id", "year", "size", "q1", "median", "q3")
        ):
            bands[key] = (year, q1, median, q3, size)  # the last year wins
    for entry in entries:
        band = bands.get(entry.indicator_id)
        data["indicators"].append(
            {
                **entry_info(entry),
                "targets": [t.code for t in entry.targets.all()],
                "year": band[0] if band else None,
                "q1": round_or_none(band[1], 2) if band else None,
                "median": round_or_none(band[2], 2) if band else None,
                "q3": round_or_none(band[3], 2) if band else None,
                "municipalities": band[4] if band else 0,
            }
        )
    return data


def national_history_description(data: dict[str, Any]) -> str:
    first, last = data["history"][0], data["history"][-1]
    return _(
        "Stacked bar chart of municipalities per dashboard colour on goal %(goal)s, "
        "%(first)s to %(last)s; the median score went from %(before)s to %(after)s. "
        "The table below gives every year."
    ) % {
        "goal": data["goal"]["number"],
        "first": first["year"],
        "last": last["year"],
        "before": number(first["median_score"]),
        "after": number(last["median_score"]),
    }


# ------------------------------------------------------------------ search


def _fold(text: str) -> str:
    """Case- and accent-insensitive form; æ ø å also match ae, o, a."""
    text = text.casefold().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


SEARCH_LIMIT = 50


def search(raw: str) -> dict[str, Any]:
    """Municipalities, goals and indicators whose name (bokmål or English) contains the
    query; a municipality also by its number."""
    query = raw.strip()[:100]
    data: dict[str, Any] = {"query": query, "places": [], "goals": [], "indicators": []}
    needle = _fold(query)
    if not needle:
        return data
    for code, name, official, county in (
        Place.objects.filter(kind=Place.Kind.MUNICIPALITY)
        .order_by("name")
        .values_list("code", "name", "name_official", "parent__name")
    ):
        if needle in _fold(name) or needle in _fold(official) or query == code:
            data["places"].append(
                {
                    "code": code,
                    "name": name,
                    "county": county,
                    "url": reverse("place", args=[code]),
                }
            )
    data["places"] = data["places"][:SEARCH_LIMIT]
    for goal in Goal.objects.all():
        texts = [goal.short_nb, goal.short_en, goal.title_nb, goal.title_en, str(goal.number)]
        if any(needle in _fold(text) for text in texts[:4]) or query == texts[4]:
            data["goals"].append(goal_info(goal))
    for indicator in Indicator.objects.order_by("key"):
        texts = [indicator.name_nb, indicator.name_en, indicator.key]
        if any(needle in _fold(text) for text in texts):
            data["indicators"].append(
                {
                    "key": indicator.key,
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "url": reverse("indicator", args=[indicator.key]),
                }
            )
    data["indicators"] = data["indicators"][:SEARCH_LIMIT]
    return data


# ------------------------------------------------------------------ home


def home_page(raw_query: str) -> dict[str, Any]:
    """The 17 goals, the framework's indicators and the municipalities (all, or those
    whose name or number matches the query)."""
    from sdgnet.catalog.access import default_framework
    from sdgnet.places.access import search_municipalities

    query = raw_query[:100]
    framework = default_framework()
    entries = (
        framework.entries.filter(goal__isnull=False)
        .select_related("indicator")
        .order_by("goal_id", "position")
        if framework
        else []
    )
    return {
        "query": query,
        "goals": [goal_info(goal) for goal in Goal.objects.all()],
        "indicators": [
            {
                "key": entry.indicator_id,
                "name": entry.indicator.name,
                "goal": entry.goal_id,
                "url": reverse("indicator", args=[entry.indicator_id]),
            }
            for entry in entries
        ],
        "municipalities": [
            {
                "code": place.code,
                "name": place.name,
                "county": place.parent.name if place.parent else "",
                "url": reverse("place", args=[place.code]),
            }
            for place in search_municipalities(query)
        ],
        "municipality_count": Place.objects.filter(kind=Place.Kind.MUNICIPALITY).count(),
    }
