from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from sdgnet.catalog.access import default_framework
from sdgnet.catalog.models import Goal


def goal_detail(request: HttpRequest, number: int) -> HttpResponse:
    goal = get_object_or_404(Goal, number=number)
    framework = default_framework()
    entries = (
        framework.entries.filter(goals=goal).select_related("indicator").prefetch_related("targets")
        if framework
        else []
    )
    targets = goal.targets.prefetch_related("sdg_indicators")
    return render(
        request,
        "catalog/goal_detail.html",
        {
            "goal": goal,
            "targets": targets,
            "framework": framework,
            "entries": entries,
            "previous": Goal.objects.filter(number=number - 1).first(),
            "next": Goal.objects.filter(number=number + 1).first(),
        },
    )
