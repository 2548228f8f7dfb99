"""The network overview: members × goals, where most members are red or falling, and the
change since the previous year."""

from __future__ import annotations

import statistics
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from sdgnet.catalog.models import Goal
from sdgnet.dashboards.access import (
    STATUS,
    STATUS_ORDER,
    current,
    goal_info,
    ranks_among,
    round_or_none,
    status_code,
    status_of,
)
from sdgnet.network.models import Membership
from sdgnet.participation.models import Priority, Proposal
from sdgnet.partners.models import Pledge
from sdgnet.places.models import Place
from sdgnet.scores.models import GoalScore, IndexScore


def network_overview() -> dict[str, Any]:
    state = current()
    year = state.year if state else None
    previous = state.previous_year if state else None
    # The approved members; while the network has approved none (a new installation, the
    # demo), every municipality, and the page says so.
    municipalities = [
        (code, name, county, status == Membership.Status.APPROVED)
        for code, name, county, status in Place.objects.filter(kind=Place.Kind.MUNICIPALITY)
        .order_by("name")
        .values_list("code", "name", "parent__name", "network_membership__status")
    ]
    members_only = any(approved for *_place, approved in municipalities)
    members = [
        (code, name, county)
        for code, name, county, approved in municipalities
        if approved or not members_only
    ]
    latest: dict[tuple[str, int], tuple[float | None, str, str]] = {}
    before: dict[tuple[str, int], float] = {}
    index: dict[str, tuple[float | None, int | None]] = {}
    index_before: dict[str, float] = {}
    if state and state.run and year:
        for code, goal, as_of, score, colour, trend in GoalScore.objects.filter(
            run=state.run, year__in=[year, previous or 0]
        ).values_list("place_id", "goal_id", "year", "score", "colour", "trend"):
            if as_of == year:
                latest[(code, goal)] = (score, colour, trend)
            elif score is not None:
                before[(code, goal)] = score
        for code, as_of, score, rank in IndexScore.objects.filter(
            run=state.run, year__in=[year, previous or 0]
        ).values_list("place_id", "year", "score", "rank"):
            if as_of == year:
                index[code] = (score, rank)
            elif score is not None:
                index_before[code] = score
    taking_part = participation_by_goal([code for code, _name, _county in members])
    goals: list[dict[str, Any]] = []
    for goal_row in Goal.objects.all():
        counts = dict.fromkeys(STATUS_ORDER, 0)
        red = falling = red_or_falling = 0
        now_scores, then_scores, changes = [], [], []
        for code, _name, _county in members:
            score, colour, trend = latest.get((code, goal_row.number), (None, "", ""))
            status = status_code(colour)
            counts[status] += 1
            # Where most members are red or falling: among the scored members.
            if score is not None:
                now_scores.append(score)
                red += status == "red"
                falling += trend == "decreasing"
                red_or_falling += status == "red" or trend == "decreasing"
                if (code, goal_row.number) in before:
                    changes.append(score - before[(code, goal_row.number)])
            if (code, goal_row.number) in before:
                then_scores.append(before[(code, goal_row.number)])
        scored = len(now_scores)
        goals.append(
            {
                **goal_info(goal_row),
                "scored": scored,
                "counts": counts,
                "red": red,
                "falling": falling,
                "red_or_falling": red_or_falling,
                "red_or_falling_share": round(red_or_falling / scored * 100, 1) if scored else None,
                "mean_score": round(statistics.fmean(now_scores), 1) if now_scores else None,
                "previous_mean_score": round(statistics.fmean(then_scores), 1)
                if then_scores
                else None,
                "mean_change": round(statistics.fmean(changes), 1) if changes else None,
                **{name: counts.get(goal_row.number, 0) for name, counts in taking_part.items()},
            }
        )
    scored_goals = [goal for goal in goals if goal["scored"]]
    concern = sorted(
        (goal for goal in scored_goals if goal["red_or_falling"]),
        key=lambda goal: (-goal["red_or_falling_share"], goal["number"]),
    )
    rows = []
    for code, name, county in members:
        score, rank = index.get(code, (None, None))
        cells = []
        for column in scored_goals:
            goal_score, colour, trend = latest.get((code, column["number"]), (None, "", ""))
            cells.append(
                {
                    "goal": column["number"],
                    "score": round_or_none(goal_score, 1),
                    **status_of(colour),
                }
            )
        rows.append(
            {
                "code": code,
                "name": name,
                "county": county,
                "url": reverse("place", args=[code]),
                "index": round_or_none(score, 1),
                "rank": rank,
                "index_change": round_or_none(score - index_before[code], 1)
                if score is not None and code in index_before
                else None,
                "cells": cells,
            }
        )
    if members_only:
        # The stored ranks are among every municipality; here they are among the members.
        member_ranks = ranks_among(
            {code: index.get(code, (None, None))[0] for code, _name, _county in members}
        )
        for row in rows:
            row["rank"] = member_ranks.get(str(row["code"]))
    rows.sort(key=lambda row: (row["rank"] is None, row["rank"] or 0, row["name"]))
    return {
        "year": year,
        "previous_year": previous,
        "data_version": state.data_version if state else 0,
        "members": len(members),
        "members_only": members_only,
        "status_labels": {code: str(STATUS[code][0]) for code in STATUS_ORDER},
        "goals": goals,
        "participation": participation_totals([code for code, _name, _county in members]),
        "goals_of_concern": [
            {
                "number": g["number"],
                "short": g["short"],
                "url": g["url"],
                "red": g["red"],
                "falling": g["falling"],
                "red_or_falling": g["red_or_falling"],
                "red_or_falling_share": g["red_or_falling_share"],
                "scored": g["scored"],
            }
            for g in concern
        ],
        "heatmap_goals": [goal_info_short(goal) for goal in scored_goals],
        "heatmap": rows,
    }


def participation_by_goal(members: list[str]) -> dict[str, dict[int, int]]:
    """Per goal, among the members: the residents who chose it as a priority, the public
    proposals and the pledges under way or fulfilled that work towards it."""
    public_proposals = Proposal.objects.filter(place_id__in=members, hidden=False)
    live_pledges = Pledge.objects.filter(place_id__in=members, hidden=False).exclude(
        status=Pledge.Status.WITHDRAWN
    )
    sources = {
        "priority_choices": Priority.objects.filter(place_id__in=members),
        "proposals": public_proposals,
        "pledges": live_pledges,
    }
    return {
        name: {
            row["goals__number"]: row["n"]
            for row in rows.values("goals__number").annotate(n=Count("pk", distinct=True))
            if row["goals__number"] is not None
        }
        for name, rows in sources.items()
    }


def participation_totals(members: list[str]) -> dict[str, int]:
    return {
        "residents": Priority.objects.filter(place_id__in=members).count(),
        "proposals": Proposal.objects.filter(place_id__in=members, hidden=False).count(),
        "pledges": Pledge.objects.filter(place_id__in=members, hidden=False)
        .exclude(status=Pledge.Status.WITHDRAWN)
        .count(),
    }


def goal_info_short(goal: dict[str, Any]) -> dict[str, Any]:
    return {key: goal[key] for key in ("number", "short", "colour", "text_colour", "url")}


def status_description(data: dict[str, Any]) -> str:
    parts = []
    for goal in data["goals"]:
        if goal["scored"]:
            counts = ", ".join(
                f"{goal['counts'][code]} {data['status_labels'][code].lower()}"
                for code in STATUS_ORDER
                if goal["counts"][code]
            )
            parts.append(f"{goal['number']}. {goal['short']}: {counts}")
    return (
        _(
            "Stacked bar chart of how many members are at each dashboard colour, per goal, in %(year)s."
        )
        % {"year": data["year"]}
        + " "
        + "; ".join(parts)
        + "."
    )
