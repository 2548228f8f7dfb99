"""The charts of each page type, from the data its builder returns.

Called by the views and by `prerender`: the same data give the same specs and
descriptions, hence the same cache keys, so a chart pre-rendered after a rescore is the
file the page's first visitor reads.
"""

from __future__ import annotations

from typing import Any

from django.utils.safestring import SafeString

from sdgnet.dashboards import charts, network, overview


def goal_page_charts(data: dict[str, Any], place_name: str) -> dict[str, Any]:
    band = data["band"]["name"] if data["band"] else None
    return {
        "sections": [
            {
                "item": item,
                "svg": charts.render(
                    charts.series_chart(item, place_name, band),
                    charts.series_description(item, place_name, band),
                    data["data_version"],
                )
                if any(p["value"] is not None for p in item["series"])
                else None,
            }
            for item in data["indicators"]
        ]
    }


def indicator_page_charts(data: dict[str, Any]) -> dict[str, Any]:
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


def compare_page_charts(data: dict[str, Any]) -> dict[str, Any]:
    if data["error"] or not any(
        cell["score"] is not None for goal in data["goals"] for cell in goal["cells"]
    ):
        return {"chart_svg": None}
    return {
        "chart_svg": charts.render(
            charts.compare_chart(data["goals"], data["places"]),
            overview.compare_description(data),
            data["data_version"],
        )
    }


def network_page_charts(data: dict[str, Any]) -> dict[str, Any]:
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


def national_goal_chart(data: dict[str, Any]) -> SafeString | None:
    if not data["history"]:
        return None
    return charts.render(
        charts.history_chart(data["history"]),
        overview.national_history_description(data),
        data["data_version"],
    )
