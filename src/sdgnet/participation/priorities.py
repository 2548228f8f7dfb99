"""The residents' priorities for a municipality beside where it stands: for each goal,
how many chose it and the goal's dashboard status from the stored scores."""

from __future__ import annotations

from typing import Any

from sdgnet.participation.access import priority_counts
from sdgnet.places.models import Place

# Goals far from the target: where a priority meets a gap, the page says so.
FAR_FROM_TARGET = ("red", "orange")
TOP = 5


def residents_priorities(place: Place, tiles: list[dict[str, Any]]) -> dict[str, Any]:
    """Every goal, the most chosen first (ties by goal number), with its share of the
    residents who chose and the municipality's status on it (`tiles`: the municipality
    page's goal tiles); and the most chosen goals on which it is far from the target."""
    participants, counts = priority_counts(place.code)
    goals = [
        {
            **{key: tile[key] for key in ("number", "short", "colour", "text_colour", "url")},
            **{key: tile[key] for key in ("score", "status", "status_label", "status_glyph")},
            "chosen_by": counts.get(tile["number"], 0),
            "share": counts.get(tile["number"], 0) / participants if participants else None,
        }
        for tile in tiles
    ]
    goals.sort(key=lambda goal: (-goal["chosen_by"], goal["number"]))
    top = [goal for goal in goals[:TOP] if goal["chosen_by"]]
    return {
        "place": {"code": place.code, "name": place.name},
        "participants": participants,
        "goals": goals,
        "priorities_far_from_target": [
            goal["number"] for goal in top if goal["status"] in FAR_FROM_TARGET
        ],
    }


def priorities_for_report(place: Place, tiles: list[dict[str, Any]]) -> dict[str, Any]:
    """The council report's part: how many residents chose, and the goals chosen most."""
    data = residents_priorities(place, tiles)
    return {
        "participants": data["participants"],
        "most_chosen": [goal for goal in data["goals"][:TOP] if goal["chosen_by"]],
        "far_from_target": data["priorities_far_from_target"],
    }
