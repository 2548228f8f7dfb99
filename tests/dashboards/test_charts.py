"""Server-side SVG charts: cached per data version, accessible, lean; the map's geometry."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from django.test import Client

from sdgnet.dashboards import charts

pytestmark = pytest.mark.django_db


def _spec(title: str) -> dict:
    return {
        "width": 200,
        "height": 100,
        "title": title,
        "data": {"values": [{"year": 2020 + i, "value": v} for i, v in enumerate([3, 1, 4, 1, 5])]},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "year", "type": "quantitative"},
            "y": {"field": "value", "type": "quantitative"},
        },
    }


def test_render_is_cached_in_memory_then_on_disk_per_data_version() -> None:
    spec = _spec("cache test")
    before = dict(charts.stats)
    first = charts.render(spec, "A test line.", version=424242)
    assert charts.stats["rendered"] == before["rendered"] + 1
    assert (charts.cache_dir(424242)).is_dir()
    assert len(list(charts.cache_dir(424242).glob("*.svg"))) == 1
    second = charts.render(spec, "A test line.", version=424242)
    assert second == first
    assert charts.stats["rendered"] == before["rendered"] + 1
    assert charts.stats["from_memory"] == before["from_memory"] + 1
    charts.clear_memory()  # another worker process: it finds the file
    third = charts.render(spec, "A test line.", version=424242)
    assert third == first
    assert charts.stats["from_file"] == before["from_file"] + 1
    assert charts.stats["rendered"] == before["rendered"] + 1
    # A new data version renders afresh and drops the old version's files.
    charts.render(spec, "A test line.", version=424243)
    assert charts.stats["rendered"] == before["rendered"] + 2
    assert not charts.cache_dir(424242).exists()


def test_svg_has_a_text_alternative_and_no_per_mark_labels() -> None:
    svg = str(charts.render(_spec("accessible"), "Line of five values, 2020–2024.", version=7))
    root = svg.split(">", 1)[0]
    assert root.startswith("<svg")
    assert 'role="img"' in root and 'aria-label="Line of five values, 2020–2024."' in root
    assert "<title>Line of five values, 2020–2024.</title>" in svg
    assert "graphics-symbol" not in svg and "aria-roledescription" not in svg
    numbers = _numbers(svg)
    assert numbers and all(len(n.split(".")[1]) == 1 for n in numbers)  # rounded


def _numbers(svg: str) -> list[str]:
    """Decimal numbers inside the SVG's path data."""
    return re.findall(r"\d+\.\d+", " ".join(re.findall(r'd="([^"]*)"', svg)))


def test_description_is_escaped() -> None:
    svg = str(charts.render(_spec("escape"), 'Values "quoted" <b>', version=7))
    assert "&quot;quoted&quot; &lt;b&gt;" in svg
    assert "<b>" not in svg


def test_goal_page_charts_are_not_rendered_again_on_the_next_request(client: Client) -> None:
    from django.core.cache import cache

    client.get("/places/3203/goals/16/")
    rendered = charts.stats["rendered"]
    cache.clear()  # the page cache: the page is built again, its charts come from cache
    charts.clear_memory()
    html = client.get("/places/3203/goals/16/").content.decode()
    assert charts.stats["rendered"] == rendered
    assert html.count('role="img"') >= 2


def test_map_geometry_is_every_municipality_wound_for_vega() -> None:
    from sdgnet.places.models import Place

    path = Path(charts.__file__).parent / "geo" / "municipalities_2024.json"
    assert path.stat().st_size < 1_000_000
    collection = json.loads(path.read_text(encoding="utf-8"))
    codes = {feature["id"] for feature in collection["features"]}
    assert codes == set(
        Place.objects.filter(kind=Place.Kind.MUNICIPALITY).values_list("code", flat=True)
    )
    for feature in collection["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            exterior = polygon[0]
            assert exterior[0] == exterior[-1] and len(exterior) >= 4
            area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(exterior))
            assert area < 0, feature["id"]  # clockwise: Vega would otherwise fill the globe


def test_map_of_norway_renders_within_its_frame() -> None:
    rows = [
        {"code": code, "value": float(i), "status": "green"}
        for i, code in enumerate(f["id"] for f in charts.municipality_features())
    ]
    svg = str(charts.render(charts.map_chart(rows, "value", "%"), "Map test.", version=9))
    # A globe-filling ring would draw a path covering the whole frame from its corner.
    assert svg.count("<path") >= 357 * 2
    assert len(svg) < 400_000


def _map_rows(shift: float = 0.0) -> list[dict]:
    return [
        {"code": code, "value": float(i) + shift, "status": "green"}
        for i, code in enumerate(f["id"] for f in charts.municipality_features())
    ]


def test_map_cache_key_reads_the_shapes_by_their_digest() -> None:
    spec = charts.map_chart(_map_rows(), "value", "%")
    full = {"$schema": charts.SCHEMA, "config": charts.CONFIG, **spec}
    assert len(json.dumps(full)) > 200_000  # the shapes are in the spec vl-convert reads
    assert len(json.dumps(charts._as_keyed(full))) < 60_000  # but not in what is hashed
    # Shapes other than the cached ones are hashed whole.
    copied = {**full, "datasets": {charts.GEO_DATASET: list(charts.municipality_features())}}
    assert len(json.dumps(charts._as_keyed(copied))) > 200_000


def test_map_with_other_values_is_rendered_anew() -> None:
    rendered = charts.stats["rendered"]
    first = str(charts.render(charts.map_chart(_map_rows(), "value", "%"), "Map.", version=11))
    again = str(charts.render(charts.map_chart(_map_rows(), "value", "%"), "Map.", version=11))
    other = str(charts.render(charts.map_chart(_map_rows(7), "value", "%"), "Map.", version=11))
    assert charts.stats["rendered"] == rendered + 2
    assert first == again != other
