"""A framework entry as the scoring engine sees it, and the engine's rules for it.

`indicator_spec` is the one translation of a `FrameworkIndicator` into the engine's
`IndicatorSpec`: the rescore (`scores.actions.engine_framework`) builds its framework
with it, and the engine's `Framework` refuses a specification that breaks its rules.
`entry_problems` asks the engine (`indicator_problems`, where the rules and their bounds
live) about an entry where it is entered, the model's `clean()` (so any form of it)
and the framework import, and words each problem in the reader's language, on the
field at fault. So an entry the engine would refuse is refused there, and a rescore
never meets one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _

from sdgnet.engine.framework import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_WEIGHT,
    MIN_WEIGHT,
    IndicatorSpec,
    SpecProblem,
    indicator_problems,
)
from sdgnet.web.templatetags.sdgnet_format import exact_number

if TYPE_CHECKING:
    from sdgnet.catalog.models import FrameworkIndicator

# The engine's columns that an entry has, as the model's fields; the others (scope,
# trend period and paces) are never set from an entry, so no problem can name them.
FIELDS = {
    "goal": "goal",
    "best": "best",
    "worst": "worst",
    "green": "green",
    "red": "red",
    "weight": "weight",
    "index": "in_index",
    "target_value": "target_value",
    "target_year": "target_year",
    "direction": "direction",
}


def indicator_spec(
    entry: FrameworkIndicator,
    *,
    row: int = 0,
    target: str | None = None,
    name: str | None = None,
    unit: str | None = None,
) -> IndicatorSpec:
    """The engine's specification of a scored entry (`entry.is_scored`); `row` numbers
    it in messages, the labels are for the engine's output only."""
    return IndicatorSpec(
        indicator=entry.indicator_id,
        goal=entry.goal_id if entry.goal_id is not None else 0,
        target=target,
        name=name,
        unit=unit,
        best=entry.best,
        worst=entry.worst,
        green=entry.green,
        red=entry.red,
        weight=entry.weight,
        index=entry.in_index,
        target_value=entry.target_value,
        target_year=entry.target_year,
        direction=entry.direction,  # type: ignore[arg-type]  # scored: increase or decrease
        row=row,
    )


def entry_problems(entry: FrameworkIndicator) -> dict[str, list[str]]:
    """Why the engine would refuse the entry, by model field, in the active language;
    empty if it can score it. An entry that is not scored (a context indicator, or one
    without best and worst) never reaches the engine, so nothing is asked of it."""
    if not entry.is_scored:
        return {}
    problems: dict[str, list[str]] = {}
    for problem in indicator_problems(indicator_spec(entry)):
        field = FIELDS.get(problem.column, NON_FIELD_ERRORS)
        problems.setdefault(field, []).append(_message(problem, entry))
    return problems


def _message(problem: SpecProblem, entry: FrameworkIndicator) -> str:
    rule = problem.rule
    best, worst, green, red = entry.best, entry.worst, entry.green, entry.red
    if rule == "not_finite":
        return _("Enter a finite number.")
    if rule == "bounds_equal" and best is not None:
        return _(
            "The best and the worst value are equal (%(value)s): scores run from the worst "
            "value (0) to the best (100), so the two must differ."
        ) % {"value": exact_number(best)}
    if rule == "bounds_too_far_apart" and best is not None and worst is not None:
        return _(
            "The best (%(best)s) and the worst value (%(worst)s) are too far apart to "
            "score between them."
        ) % {"best": exact_number(best), "worst": exact_number(worst)}
    if rule == "direction_contradicts_bounds" and best is not None and worst is not None:
        values = {"best": exact_number(best), "worst": exact_number(worst)}
        if best > worst:
            return (
                _(
                    "The best value (%(best)s) is above the worst (%(worst)s), so higher is "
                    "better: change the direction or swap the two values."
                )
                % values
            )
        return (
            _(
                "The best value (%(best)s) is below the worst (%(worst)s), so lower is better: "
                "change the direction or swap the two values."
            )
            % values
        )
    if rule == "thresholds_unpaired":
        return _("Give both the green and the red threshold, or neither.")
    if rule == "thresholds_too_large" and green is not None and red is not None:
        return _(
            "The green (%(green)s) and the red threshold (%(red)s) are too large: the "
            "yellow threshold is their midpoint."
        ) % {"green": exact_number(green), "red": exact_number(red)}
    if rule == "thresholds_out_of_order" and green is not None and red is not None:
        values = {"green": exact_number(green), "red": exact_number(red)}
        if entry.direction == entry.Direction.DECREASE:
            return (
                _(
                    "The green threshold (%(green)s) must be below the red (%(red)s) where "
                    "lower is better."
                )
                % values
            )
        return (
            _(
                "The green threshold (%(green)s) must be above the red (%(red)s) where "
                "higher is better."
            )
            % values
        )
    if rule == "green_better_than_best" and green is not None and best is not None:
        return _("The green threshold (%(green)s) is better than the best value (%(best)s).") % {
            "green": exact_number(green),
            "best": exact_number(best),
        }
    if rule == "red_worse_than_worst" and red is not None and worst is not None:
        return _("The red threshold (%(red)s) is worse than the worst value (%(worst)s).") % {
            "red": exact_number(red),
            "worst": exact_number(worst),
        }
    if rule in ("weight_not_positive", "weight_out_of_range"):
        return _(
            "The weight must lie from %(least)s to %(most)s, found %(found)s. Weights count "
            "relative to the others of the goal: scale the goal's weights alike."
        ) % {
            "least": exact_number(MIN_WEIGHT),
            "most": exact_number(MAX_WEIGHT),
            "found": exact_number(entry.weight),
        }
    if rule == "year_out_of_range" and entry.target_year is not None:
        return year_message(entry.target_year)
    # Rules on columns an entry never sets (see FIELDS): the engine's own words.
    return _("The scoring engine cannot score this entry: %(reason)s") % {"reason": problem.message}


def year_message(found: float) -> str:
    """A target year outside the engine's years (also for the import's cells)."""
    return _(
        "The target year must be a whole year from %(first)s to %(last)s, found %(found)s."
    ) % {
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
        "found": exact_number(found, grouped=False),
    }
