from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from sdgnet.catalog.models import Goal
from sdgnet.dashboards.overview import national_goal
from sdgnet.dashboards.page_charts import national_goal_chart
from sdgnet.dashboards.views import Page, respond


def goal_detail(request: HttpRequest, number: int) -> HttpResponse:
    def build() -> Page:
        goal = get_object_or_404(Goal, number=number)
        data = national_goal(goal)

        def extra() -> dict[str, Any]:
            return {
                "previous": Goal.objects.filter(number=number - 1).first(),
                "next": Goal.objects.filter(number=number + 1).first(),
                "history_svg": national_goal_chart(data),
            }

        return Page("catalog/goal_detail.html", data, extra=extra)

    return respond(request, build)
