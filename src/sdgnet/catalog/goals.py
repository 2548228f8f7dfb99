"""The 17 goals as people choose them in forms: the choices, and what is wrong with a
choice of goal numbers."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from sdgnet.catalog.models import Goal


def goal_choices() -> list[tuple[int, str]]:
    return [(goal.number, f"{goal.number}. {goal.short}") for goal in Goal.objects.all()]


def chosen_goal_problems(numbers: Iterable[int], most: int) -> list[str]:
    """One to `most` known goal numbers, or the problem with them."""
    chosen = set(numbers)
    if not 1 <= len(chosen) <= most:
        return [_("Choose one to %(high)d goals.") % {"high": most}]
    if Goal.objects.filter(number__in=chosen).count() != len(chosen):
        return [_("Unknown goal number.")]
    return []
