from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from sdgnet.catalog.access import default_framework
from sdgnet.places.access import latest_values_by_goal
from sdgnet.places.models import Place


def place_detail(request: HttpRequest, code: str) -> HttpResponse:
    place = get_object_or_404(Place.objects.select_related("parent"), code=code)
    framework = default_framework()
    goals = latest_values_by_goal(place, framework) if framework else []
    return render(
        request,
        "places/place_detail.html",
        {"place": place, "framework": framework, "goals": goals},
    )
