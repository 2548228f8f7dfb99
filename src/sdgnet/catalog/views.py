from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from sdgnet.catalog.models import Goal
from sdgnet.dashboards.overview import national_goal
from sdgnet.dashboards.views import Page, respond


def goal_detail(request: HttpRequest, number: int) -> HttpResponse:
    def build() -> Page:
        goal = get_object_or_404(Goal, number=number)
        return Page(
            "catalog/goal_detail.html",
            national_goal(goal),
            extra=lambda: {
                "previous": Goal.objects.filter(number=number - 1).first(),
                "next": Goal.objects.filter(number=number + 1).first(),
            },
        )

    return respond(request, build)
