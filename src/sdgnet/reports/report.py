"""The council report: a municipality's standing on the goals, built as plain data from
what the municipality page and its goal pages already read (`municipality_dashboard`,
`place_goal`), so the report cannot say other numbers than the pages. Nothing here scores.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sdgnet.catalog.models import Goal
from sdgnet.dashboards.municipality import municipality_dashboard, place_goal
from sdgnet.participation.access import proposals_for_report
from sdgnet.participation.priorities import priorities_for_report
from sdgnet.partners.access import pledges_for_report
from sdgnet.places.models import Place
from sdgnet.projects.access import visible_projects
from sdgnet.projects.models import Status

# A goal as its badge shows it, and a row's dashboard colour and trend, in the words the
# municipality page's tiles and goal pages give them.
GOAL_BADGE = ("number", "short", "colour", "text_colour")
STATUS_AND_TREND = (
    "status",
    "status_label",
    "status_glyph",
    "trend",
    "trend_arrow",
    "trend_label",
)
# What a goal tile of the municipality page says that a printed table can use (its links
# and coverage are for the screen).
GOAL_FIELDS = (
    *GOAL_BADGE,
    "score",
    *STATUS_AND_TREND,
    "indicators_with_data",
    "indicators_total",
)
INDICATOR_FIELDS = (
    "key",
    "name",
    "unit",
    "latest_value",
    "latest_year",
    "target_value",
    "target_year",
    "local_target",
    "score",
    "score_local",
    *STATUS_AND_TREND,
)


def council_report(place: Place, user: Any = None) -> dict[str, Any]:
    """The report's data for one municipality as this user may see it: the municipality
    page's index, ranks, goals, gaps, improvements and sources; every indicator of the
    index by goal, with its 2030 target and the municipality's own target; and the
    municipality's projects in the library, its citizens' proposals and priorities and its
    partners' pledges."""
    dashboard = municipality_dashboard(place, user)
    goals_by_number = {goal.number: goal for goal in Goal.objects.all()}
    indicator_groups = []
    for tile in dashboard["goals"]:
        if not tile["indicators_total"]:
            continue  # no indicator of the index belongs to this goal
        goal_page = place_goal(place, goals_by_number[tile["number"]], None, user)
        indicators = [
            {field: item[field] for field in INDICATOR_FIELDS}
            for item in goal_page["indicators"]
            if item["scored"]
        ]
        if indicators:
            goal = {field: tile[field] for field in GOAL_BADGE}
            indicator_groups.append({"goal": goal, "indicators": indicators})
    code = place.code
    return {
        "place": dashboard["place"],
        "framework": dashboard["framework"],
        "year": dashboard["year"],
        "data_version": dashboard["data_version"],
        "made": timezone.localdate(),
        "updated": dashboard["updated"],
        "index": dashboard["index"],
        "peer_ranks": dashboard["peer_ranks"],
        "goals": [{field: tile[field] for field in GOAL_FIELDS} for tile in dashboard["goals"]],
        "gaps": dashboard["gaps"],
        "any_scored_value": dashboard["any_scored_value"],
        "improvements": dashboard["improvements"],
        "indicators": indicator_groups,
        "projects": municipality_projects(place, user),
        "proposals": proposals_for_report(code),
        "pledges": pledges_for_report(code),
        "priorities": priorities_for_report(place, dashboard["goals"]),
        "sources": dashboard["sources"],
        "urls": {
            "place": reverse("place", args=[code]),
            "report": reverse("council-report", args=[code]),
            "pdf": reverse("council-report-pdf", args=[code]),
        },
    }


def municipality_projects(place: Place, user: Any = None) -> list[dict[str, Any]]:
    """The library's projects of the municipality, led or joined, that this user may see."""
    projects = (
        visible_projects(user or AnonymousUser())
        .filter(Q(municipality=place) | Q(co_municipalities=place))
        .distinct()
        .prefetch_related("goals")
        .order_by("title", "key")
    )
    return [
        {
            "key": project.key,
            "title": project.title,
            "language": project.language,
            "status": project.status,
            "status_label": str(Status(project.status).label),
            "goals": sorted(goal.number for goal in project.goals.all()),
            "url": reverse("project", args=[project.key]),
        }
        for project in projects
    ]
