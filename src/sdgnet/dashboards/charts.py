"""Vega-Lite charts rendered to SVG on the server (vl-convert), cached per data version.

A chart is a spec plus a one-sentence description. `render` turns it into lean, accessible
inline SVG (`role="img"`, `aria-label` and `<title>`, no per-mark ARIA labels, coordinates
rounded) and keeps the result under SDGNET_DATA_DIR/charts/v<data version>/, keyed by
the hash of the spec and the number locale, so a repeated request reads a file instead of
starting the Vega engine. Earlier versions' directories are removed when a new one is
first written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sdgnet.dashboards.access import STATUS, STATUS_FILL, STATUS_ORDER
from sdgnet.web.templatetags.sdgnet_format import unit as unit_label

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# vl-convert sizes a chart by measuring its text with Liberation Sans, whatever font is
# named. Arial has the same metrics (Liberation Sans is its metric-compatible clone), so a
# browser draws the labels in the width they were given; in system-ui (DejaVu Sans on
# Linux) they were wider and cut at the chart's edge.
FONT = "Arial, Liberation Sans, Helvetica, sans-serif"
CONFIG: dict[str, Any] = {
    # Marks get no ARIA labels of their own: the whole chart is one image with a text
    # alternative, and its numbers are in the table that follows it.
    "aria": False,
    "font": FONT,
    "axis": {"labelColor": "#1b1f24", "titleColor": "#1b1f24", "labelFontSize": 11},
    "legend": {"labelColor": "#1b1f24", "titleColor": "#1b1f24"},
    "view": {"stroke": None},
}
# d3-format has no bokmål locale by name: `1 234,5` as Babel writes it.
VL_LOCALES: dict[str, Any] = {
    "nb": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", " kr"]},
    "en": "en-GB",
}

# Part of every cache key: bump when `_lean` or the config changes what a file holds.
RENDER_FORMAT = 4

_memory: dict[str, str] = {}
_memory_lock = threading.Lock()
MEMORY_ENTRIES = 512
# Counters the tests read to see the cache at work.
stats = {"rendered": 0, "from_file": 0, "from_memory": 0}


def cache_dir(version: int) -> Path:
    return Path(settings.DATA_DIR) / "charts" / f"v{version}"


def _prune_old_versions(version: int) -> None:
    root = Path(settings.DATA_DIR) / "charts"
    for path in root.glob("v*"):
        if path.name != f"v{version}" and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


_ATTRIBUTE = re.compile(r'="([^"]*)"')
_LONG_DECIMAL = re.compile(r"(\d+\.\d)\d+")
# Vega's own ARIA roles on groups and marks: the chart is one image with one text
# alternative, so they only add bytes (and confuse screen readers inside role="img").
_MARK_ARIA = re.compile(r'\s(?:role|aria-roledescription|aria-label|aria-hidden)="[^"]*"')


def _lean(svg: str, description: str) -> str:
    svg = _ATTRIBUTE.sub(lambda m: '="' + _LONG_DECIMAL.sub(r"\1", m.group(1)) + '"', svg)
    svg = _MARK_ARIA.sub("", svg)
    label = escape(description)
    head, rest = svg.split(">", 1)
    head = re.sub(r'\s(role|aria-roledescription|aria-label|class)="[^"]*"', "", head)
    return f'{head} role="img" aria-label="{label}" focusable="false"><title>{label}</title>{rest}'


def render(spec: dict[str, Any], description: str, version: int) -> SafeString:
    """The chart as inline SVG with its text alternative, from cache when possible."""
    language = (get_language() or "nb")[:2]
    locale = VL_LOCALES.get(language, VL_LOCALES["nb"])
    full = {"$schema": SCHEMA, "config": CONFIG, **spec}
    key = hashlib.sha256(
        json.dumps(
            [RENDER_FORMAT, _as_keyed(full), locale, description], sort_keys=True, default=str
        ).encode()
    ).hexdigest()[:32]
    memory_key = f"{version}:{key}"
    with _memory_lock:
        found = _memory.get(memory_key)
    if found is not None:
        stats["from_memory"] += 1
        return mark_safe(found)
    path = cache_dir(version) / f"{key}.svg"
    if path.exists():
        svg = path.read_text(encoding="utf-8")
        stats["from_file"] += 1
    else:
        svg = _lean(_convert(full, locale), description)
        stats["rendered"] += 1
        if not path.parent.exists():
            _prune_old_versions(version)
            path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(svg)
        os.replace(temporary, path)  # atomic: other workers never read half a file
    with _memory_lock:
        if len(_memory) >= MEMORY_ENTRIES:
            _memory.clear()
        _memory[memory_key] = svg
    return mark_safe(svg)


def _convert(spec: dict[str, Any], locale: Any) -> str:
    import vl_convert

    return str(vl_convert.vegalite_to_svg(spec, format_locale=locale))


def clear_memory() -> None:
    with _memory_lock:
        _memory.clear()


# ---------------------------------------------------------------- chart specs


def series_chart(item: dict[str, Any], place_name: str, band_name: str | None) -> dict[str, Any]:
    """A municipality's yearly values, its peer group's middle 50 % and the 2030 target."""
    rows = [p for p in item["series"] if p["value"] is not None or p["band_q1"] is not None]
    years = [p["year"] for p in rows]
    value_title = unit_label(item["unit"]) or _("Value")
    x = {
        "field": "year",
        "type": "quantitative",
        "title": _("Year"),
        "axis": {"format": "d", "tickMinStep": 1, "grid": False},
        "scale": {"domain": [min(years), max(years)] if years else [0, 1]},
    }
    layers: list[dict[str, Any]] = []
    if any(p["band_q1"] is not None for p in rows):
        layers.append(
            {
                "transform": [{"filter": "datum.band_q1 != null"}],
                "mark": {"type": "area", "color": "#9fb3c8", "opacity": 0.45},
                "encoding": {
                    "x": x,
                    "y": {"field": "band_q1", "type": "quantitative", "title": value_title},
                    "y2": {"field": "band_q3"},
                },
            }
        )
    layers.append(
        {
            "transform": [{"filter": "datum.value != null"}],
            "mark": {"type": "line", "color": "#00558b", "strokeWidth": 2.5, "point": True},
            "encoding": {
                "x": x,
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": value_title,
                    "scale": {"zero": False},
                },
            },
        }
    )
    if item["target_value"] is not None:
        layers.append(
            {
                "data": {"values": [{"target": item["target_value"]}]},
                "mark": {"type": "rule", "color": "#1b1f24", "strokeDash": [6, 4]},
                "encoding": {"y": {"field": "target", "type": "quantitative"}},
            }
        )
    return {
        "width": 520,
        "height": 200,
        "data": {"values": rows},
        "layer": layers,
    }


def series_description(item: dict[str, Any], place_name: str, band_name: str | None) -> str:
    known = [p for p in item["series"] if p["value"] is not None]
    parts = [
        _("Line chart of %(indicator)s in %(place)s")
        % {"indicator": item["name"], "place": place_name}
    ]
    if known:
        from sdgnet.web.templatetags.sdgnet_format import number

        parts.append(
            _("from %(first)s in %(first_year)s to %(last)s in %(last_year)s")
            % {
                "first": number(known[0]["value"]),
                "first_year": known[0]["year"],
                "last": number(known[-1]["value"]),
                "last_year": known[-1]["year"],
            }
        )
    else:
        parts.append(_("no values published"))
    text = ", ".join(parts) + "."
    if band_name and any(p["band_q1"] is not None for p in item["series"]):
        text += " " + _("The shaded band is the middle 50 %% of %(group)s.") % {"group": band_name}
    if item["target_value"] is not None:
        from sdgnet.web.templatetags.sdgnet_format import number

        text += " " + _("The dashed line is the %(year)s target, %(target)s.") % {
            "year": item["target_year"] or 2030,
            "target": number(item["target_value"]),
        }
    return text


# The map's shapes, a Vega-Lite dataset of its own so that a spec holds them once.
GEO_DATASET = "municipalities"


@cache
def municipality_features() -> list[dict[str, Any]]:
    path = Path(__file__).parent / "geo" / "municipalities_2024.json"
    return list(json.loads(path.read_text(encoding="utf-8"))["features"])


@cache
def _municipality_features_digest() -> str:
    text = json.dumps(municipality_features(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _as_keyed(full: dict[str, Any]) -> dict[str, Any]:
    """The spec as its cache key reads it: the map's shapes (270 kB of JSON, 10-20 ms to
    encode on every request for a map) stand in by a digest taken once."""
    datasets = full.get("datasets")
    if datasets and datasets.get(GEO_DATASET) is municipality_features():
        return {**full, "datasets": {**datasets, GEO_DATASET: _municipality_features_digest()}}
    return full


def map_chart(rows: list[dict[str, Any]], colour_by: str, unit: str) -> dict[str, Any]:
    """Norway with each listed municipality coloured by value or dashboard colour; the
    rest drawn light grey underneath. Both layers draw the one shapes dataset; the
    coloured one looks each municipality's row up by code."""
    values = [
        {"code": row["code"], "value": row["value"], "status": row["status"]}
        for row in rows
        if row["value"] is not None
    ]
    projection = {"type": "transverseMercator", "rotate": [-15, -65]}
    base = {
        "data": {"name": GEO_DATASET},
        "mark": {"type": "geoshape", "fill": "#eceff1", "stroke": "#ffffff", "strokeWidth": 0.3},
    }
    if colour_by == "dashboard":
        colour = {
            "field": "status",
            "type": "nominal",
            "title": _("Dashboard colour"),
            "scale": {
                "domain": STATUS_ORDER,
                "range": [STATUS_FILL[code] for code in STATUS_ORDER],
            },
            "legend": {
                "labelLimit": 220,
                "labelExpr": "{"
                + ", ".join(f"'{code}': {json.dumps(str(STATUS[code][0]))}" for code in STATUS)
                + "}[datum.label]",
            },
        }
    else:
        colour = {
            "field": "value",
            "type": "quantitative",
            "title": unit_label(unit) or _("Value"),
            "scale": {"scheme": "blues"},
        }
    top = {
        "data": {"name": GEO_DATASET},
        "transform": [
            {
                "lookup": "id",
                "from": {"data": {"values": values}, "key": "code", "fields": ["value", "status"]},
            },
            {"filter": "isValid(datum.value)"},
        ],
        "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.3},
        "encoding": {"color": colour},
    }
    return {
        "width": 300,
        "height": 480,
        "projection": projection,
        "datasets": {GEO_DATASET: municipality_features()},
        "layer": [base, top],
    }


def histogram_chart(rows: list[dict[str, Any]], unit: str) -> dict[str, Any]:
    values = [{"value": row["value"]} for row in rows if row["value"] is not None]
    return {
        "width": 480,
        "height": 180,
        "data": {"values": values},
        "mark": {"type": "bar", "color": "#00558b"},
        "encoding": {
            "x": {
                "field": "value",
                "bin": {"maxbins": 20},
                "type": "quantitative",
                "title": unit_label(unit) or _("Value"),
            },
            "y": {"aggregate": "count", "type": "quantitative", "title": _("Municipalities")},
        },
    }


def status_bars_chart(goals: list[dict[str, Any]]) -> dict[str, Any]:
    """Per goal, how many municipalities are at each dashboard colour (stacked bars)."""
    values = [
        {
            "goal": f"{goal['number']}. {goal['short']}",
            "status": code,
            "label": str(STATUS[code][0]),
            "count": goal["counts"][code],
            "order": STATUS_ORDER.index(code),
        }
        for goal in goals
        for code in STATUS_ORDER
        if goal["counts"][code]
    ]
    return {
        "width": 480,
        "height": {"step": 28},
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {
                "field": "goal",
                "type": "nominal",
                "title": None,
                "sort": None,
                "axis": {"labelLimit": 320},
            },
            "x": {"field": "count", "type": "quantitative", "title": _("Municipalities")},
            "color": {
                "field": "label",
                "type": "nominal",
                "title": _("Dashboard colour"),
                "scale": {
                    "domain": [str(STATUS[code][0]) for code in STATUS_ORDER],
                    "range": [STATUS_FILL[code] for code in STATUS_ORDER],
                },
                "legend": {"orient": "bottom", "columns": 2, "labelLimit": 220},
            },
            "order": {"field": "order"},
        },
    }


def history_chart(history: list[dict[str, Any]]) -> dict[str, Any]:
    """Municipalities per dashboard colour, year by year (stacked bars)."""
    values = [
        {
            "year": str(row["year"]),
            "label": str(STATUS[code][0]),
            "count": row["counts"][code],
            "order": STATUS_ORDER.index(code),
        }
        for row in history
        for code in STATUS_ORDER
        if row["counts"][code]
    ]
    return {
        "width": {"step": 44},
        "height": 200,
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "year",
                "type": "ordinal",
                "title": _("Year"),
                "axis": {"labelAngle": 0},
            },
            "y": {"field": "count", "type": "quantitative", "title": _("Municipalities")},
            "color": {
                "field": "label",
                "type": "nominal",
                "title": _("Dashboard colour"),
                "scale": {
                    "domain": [str(STATUS[code][0]) for code in STATUS_ORDER],
                    "range": [STATUS_FILL[code] for code in STATUS_ORDER],
                },
                "legend": {"orient": "bottom", "columns": 2, "labelLimit": 220},
            },
            "order": {"field": "order"},
        },
    }


def compare_chart(goals: list[dict[str, Any]], places: list[dict[str, Any]]) -> dict[str, Any]:
    values = [
        {"goal": str(goal["number"]), "place": place["name"], "score": cell["score"]}
        for goal in goals
        for place, cell in zip(places, goal["cells"], strict=True)
        if cell["score"] is not None
    ]
    goals_shown = len({value["goal"] for value in values})
    return {
        # Room for every municipality's bar in each goal, and never narrower than the
        # legend below it (a narrow chart cut the legend's title at phone width).
        "width": max(goals_shown * (6 + 10 * len(places)), 220),
        "height": 200,
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "goal",
                "type": "nominal",
                "title": _("Goal"),
                "axis": {"labelAngle": 0},
                "sort": None,  # goal order, not "16" before "3"
            },
            "xOffset": {"field": "place"},
            "y": {
                "field": "score",
                "type": "quantitative",
                "title": _("Score (0–100)"),
                "scale": {"domain": [0, 100]},
            },
            "color": {
                "field": "place",
                "type": "nominal",
                "title": _("Municipality"),
                "scale": {"range": ["#00558b", "#c05600", "#5b3a8c", "#2e7d32"]},
                # Below the bars: beside a narrow chart the legend was cut at phone width.
                "legend": {"orient": "bottom", "columns": 1, "labelLimit": 220},
            },
        },
    }
