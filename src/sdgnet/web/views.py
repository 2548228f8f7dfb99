from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sdgnet.catalog.access import default_framework
from sdgnet.catalog.models import Goal
from sdgnet.places.access import search_municipalities
from sdgnet.places.models import Place


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    framework = default_framework()
    return render(
        request,
        "web/home.html",
        {
            "goals": Goal.objects.all(),
            "indicators": framework.entries.filter(goal__isnull=False)
            .select_related("indicator")
            .order_by("goal_id", "position")
            if framework
            else [],
            "query": query,
            "municipalities": search_municipalities(query),
            "municipality_count": Place.objects.filter(kind=Place.Kind.MUNICIPALITY).count(),
        },
    )
