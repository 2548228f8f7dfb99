"""Shared reads for the dashboards: the current stored run, labels for dashboard colours
and trends, and small lookups. Nothing here scores; it reads what `scores.actions` stored."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sdgnet.catalog.access import default_framework
from sdgnet.catalog.models import Framework, FrameworkIndicator, Goal
from sdgnet.engine.methods.sdsn import RANK_DECIMALS
from sdgnet.scores.models import ScoreRun

# The SDSN dashboard colours, each with a text label and a glyph so that colour is never
# the only signal.
STATUS = {
    "green": (_("Goal achieved"), "✔"),
    "yellow": (_("Challenges remain"), "!"),
    "orange": (_("Significant challenges"), "!!"),
    "red": (_("Major challenges"), "✖"),
    "grey": (_("No data"), "–"),
}
STATUS_ORDER = ["green", "yellow", "orange", "red", "grey"]
# Chart colours for the statuses (also used for the map); the page shows the label too.
STATUS_FILL = {
    "green": "#2e7d32",
    "yellow": "#f2c230",
    "orange": "#ef7d00",
    "red": "#c62828",
    "grey": "#b0b7bf",
}

TREND = {
    "on_track": ("↑", _("On track")),
    "maintaining": ("↑", _("Maintaining achievement")),
    "moderately_improving": ("↗", _("Moderately improving")),
    "stagnating": ("→", _("Stagnating")),
    "decreasing": ("↓", _("Decreasing")),
    "": ("", _("No trend")),
}


# Pages ask for these labels once per cell (tens of thousands of times for a map or a
# heatmap); Django's gettext costs ~25 µs a call, so each label is translated once per
# language.
@cache
def _status_label(code: str, language: str | None) -> str:
    return str(STATUS[code][0])


@cache
def _trend_label(trend: str, language: str | None) -> str:
    return str(TREND[trend][1])


def status_code(colour: str | None) -> str:
    """The dashboard colour shown for a stored one, grey where none was stored. A goal
    of a municipality below the coverage rule keeps its colour: the rule withholds the
    score only (rules 3 and 7 of the methodology), as the SDSN dashboards colour the
    countries they do not rank. (Counting colours needs only this: `status_of` also
    looks up the language.)"""
    return colour if colour in STATUS else "grey"


def status_of(colour: str | None) -> dict[str, str]:
    """The dashboard colour with its label (`status_code`)."""
    code = status_code(colour)
    return {
        "status": code,
        "status_label": _status_label(code, get_language()),
        "status_glyph": STATUS[code][1],
    }


def trend_of(trend: str | None) -> dict[str, str]:
    code = trend if trend in TREND else ""
    return {
        "trend": trend or "",
        "trend_arrow": TREND[code][0],
        "trend_label": _trend_label(code, get_language()),
    }


def goal_info(goal: Goal) -> dict[str, Any]:
    return {
        "number": goal.number,
        "short": goal.short,
        "colour": goal.colour,
        "text_colour": goal.text_colour,
        "url": reverse("goal", args=[goal.number]),
    }


@dataclass(frozen=True)
class Current:
    """The framework, its latest complete run, and the run's latest and previous years."""

    framework: Framework
    run: ScoreRun | None
    year: int | None
    previous_year: int | None

    @property
    def data_version(self) -> int:
        return self.run.data_version if self.run else 0


def current() -> Current | None:
    framework = default_framework()
    if framework is None:
        return None
    run = (
        ScoreRun.objects.filter(framework=framework, complete=True)
        .order_by("-data_version", "-pk")
        .first()
    )
    if run is None:
        return Current(framework, None, None, None)
    years = list(run.index_scores.order_by("-year").values_list("year", flat=True).distinct()[:2])
    return Current(
        framework,
        run,
        years[0] if years else None,
        years[1] if len(years) > 1 else None,
    )


def framework_entries(framework: Framework) -> list[FrameworkIndicator]:
    """The framework's indicators with a goal, in goal then framework order."""
    return list(
        framework.entries.filter(goal__isnull=False)
        .select_related("indicator", "goal")
        .order_by("goal_id", "position")
    )


def round_or_none(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def ranks_among(scores: dict[str, float | None]) -> dict[str, int]:
    """Rank 1 = the best index score among those given; scores equal in the index's
    decimals share the best rank, as the engine's stored ranks do. Missing scores are
    not ranked."""
    rounded = {
        code: round(score, RANK_DECIMALS) for code, score in scores.items() if score is not None
    }
    ordered = sorted(rounded.values(), reverse=True)
    first_place: dict[float, int] = {}
    for position, score in enumerate(ordered, start=1):
        first_place.setdefault(score, position)
    return {code: first_place[score] for code, score in rounded.items()}
