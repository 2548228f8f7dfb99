"""Thin views: parse, call a builder, and render its data as HTML, JSON or CSV.

Every page's numbers come from one builder; `?format=json` returns that same data, so
the JSON twin cannot drift from the page.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from sdgnet.catalog.models import Goal, Indicator
from sdgnet.dashboards import charts, network, overview
from sdgnet.dashboards.municipality import (
    municipality_dashboard,
    place_goal,
    place_goal_csv_rows,
)
from sdgnet.places.models import Place


def respond(
    request: HttpRequest,
    template: str,
    data: dict[str, Any],
    *,
    status: int = 200,
    extra: Callable[[], dict[str, Any]] | None = None,
    csv_rows: Callable[[], list[list[Any]]] | None = None,
    csv_name: str = "data.csv",
) -> HttpResponse:
    wanted = request.GET.get("format", "html")
    if wanted == "json":
        return JsonResponse(
            data,
            status=status,
            encoder=DjangoJSONEncoder,
            json_dumps_params={"ensure_ascii": False},
        )
    if wanted == "csv" and csv_rows is not None:
        response = HttpResponse(content_type="text/csv; charset=utf-8", status=status)
        response["Content-Disposition"] = f'attachment; filename="{csv_name}"'
        csv.writer(response, lineterminator="\n").writerows(csv_rows())
        return response
    context = {"data": data, **(extra() if extra else {})}
    return render(request, template, context, status=status)


def _municipality(code: str) -> Place:
    return get_object_or_404(
        Place.objects.select_related("parent"), code=code, kind=Place.Kind.MUNICIPALITY
    )


def place_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    place = _municipality(code)
    return respond(request, "dashboards/place.html", municipality_dashboard(place, request.user))


def place_goal_page(request: HttpRequest, code: str, number: int) -> HttpResponse:
    place = _municipality(code)
    goal = get_object_or_404(Goal, number=number)
    data = place_goal(place, goal, request.GET.get("band"), request.user)
    indicator = request.GET.get("indicator")
    if indicator and indicator not in {item["key"] for item in data["indicators"]}:
        raise Http404

    def chart_svgs() -> dict[str, Any]:
        band = data["band"]["name"] if data["band"] else None
        return {
            "sections": [
                {
                    "item": item,
                    "svg": charts.render(
                        charts.series_chart(item, place.name, band),
                        charts.series_description(item, place.name, band),
                        data["data_version"],
                    )
                    if any(p["value"] is not None for p in item["series"])
                    else None,
                }
                for item in data["indicators"]
            ]
        }

    return respond(
        request,
        "dashboards/place_goal.html",
        data,
        extra=chart_svgs,
        csv_rows=lambda: place_goal_csv_rows(data, indicator),
        csv_name=f"{place.code}-goal-{goal.number}{'-' + indicator if indicator else ''}.csv",
    )


def indicator_page(request: HttpRequest, key: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, key=key)
    data = overview.indicator_overview(
        indicator,
        county=request.GET.get("county", ""),
        group=request.GET.get("group", ""),
        colour_by=request.GET.get("colour", "value"),
        user=request.user,
    )

    def chart_svgs() -> dict[str, Any]:
        rows = data["rows"]
        if not any(row["value"] is not None for row in rows):
            return {"map_svg": None, "histogram_svg": None}
        return {
            "map_svg": charts.render(
                charts.map_chart(rows, data["filters"]["colour"], data["indicator"]["unit"]),
                overview.map_description(data),
                data["data_version"],
            ),
            "histogram_svg": charts.render(
                charts.histogram_chart(rows, data["indicator"]["unit"]),
                overview.histogram_description(data),
                data["data_version"],
            ),
        }

    return respond(
        request,
        "dashboards/indicator.html",
        data,
        extra=chart_svgs,
        csv_rows=lambda: overview.indicator_csv_rows(data),
        csv_name=f"{indicator.key}.csv",
    )


def compare_page(request: HttpRequest) -> HttpResponse:
    data = overview.compare(request.GET.get("places"), request.user)
    status = 400 if data["error"] else 200

    def chart_svgs() -> dict[str, Any]:
        if data["error"] or not any(
            c["score"] is not None for g in data["goals"] for c in g["cells"]
        ):
            return {"chart_svg": None}
        return {
            "chart_svg": charts.render(
                charts.compare_chart(data["goals"], data["places"]),
                overview.compare_description(data),
                data["data_version"],
            )
        }

    return respond(request, "dashboards/compare.html", data, status=status, extra=chart_svgs)


def network_page(request: HttpRequest) -> HttpResponse:
    data = network.network_overview()

    def chart_svgs() -> dict[str, Any]:
        scored = [goal for goal in data["goals"] if goal["scored"]]
        if not scored:
            return {"chart_svg": None}
        return {
            "chart_svg": charts.render(
                charts.status_bars_chart(scored),
                network.status_description(data),
                data["data_version"],
            )
        }

    return respond(request, "dashboards/network.html", data, extra=chart_svgs)


def search_page(request: HttpRequest) -> HttpResponse:
    return respond(request, "dashboards/search.html", overview.search(request.GET.get("q", "")))
