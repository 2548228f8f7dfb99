from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from sdgnet.catalog.models import Goal
from sdgnet.dashboards.overview import national_goal
from sdgnet.dashboards.views import respond


def goal_detail(request: HttpRequest, number: int) -> HttpResponse:
    goal = get_object_or_404(Goal, number=number)

    def neighbours() -> dict[str, Any]:
        return {
            "previous": Goal.objects.filter(number=number - 1).first(),
            "next": Goal.objects.filter(number=number + 1).first(),
        }

    return respond(request, "catalog/goal_detail.html", national_goal(goal), extra=neighbours)
