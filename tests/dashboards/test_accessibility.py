"""What issue 4 asks of every chart and colour, checked on the served HTML of each page type
in both languages: each chart is one image with a text alternative and is followed by a
table of its data; a dashboard colour never comes without words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CHART_PAGES = [
    "/places/3201/goals/3/",
    "/places/3201/goals/16/",
    "/indicators/population-share-80plus/",
    "/indicators/voter-turnout-storting/?colour=dashboard",
    "/compare/?places=3201,3203",
    "/network/",
    "/goals/3/",
]
COLOUR_PAGES = [
    "/places/3201/",
    "/places/3201/goals/3/",
    "/indicators/voter-turnout-storting/",
    "/compare/?places=3201,3203",
    "/network/",
]
LANGUAGES = ["", "/en"]
_VOID = {"meta", "link", "input", "br", "img", "hr", "source", "area", "base", "col", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def text(self, skip_hidden: bool = False) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif not (skip_hidden and child.attrs.get("aria-hidden") == "true"):
                parts.append(child.text(skip_hidden))
        return "".join(parts)

    def iter(self) -> list[Element]:
        found = [self]
        for child in self.children:
            if isinstance(child, Element):
                found += child.iter()
        return found

    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in _VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = TreeBuilder()
    builder.feed(html)
    return builder.root


@pytest.mark.parametrize("prefix", LANGUAGES)
@pytest.mark.parametrize("path", CHART_PAGES)
def test_every_chart_has_a_text_alternative_and_a_data_table(
    client: Client, path: str, prefix: str
) -> None:
    response = client.get(prefix + path)
    assert response.status_code == 200
    elements = parse(response.content.decode()).iter()
    svgs = [e for e in elements if e.tag == "svg"]
    assert svgs, "the page has a chart"
    for svg in svgs:
        label = svg.attrs.get("aria-label", "")
        assert svg.attrs.get("role") == "img"
        titles = [c for c in svg.children if isinstance(c, Element) and c.tag == "title"]
        assert titles and titles[0].text().strip() == label
        # A sentence that names what is shown and gives figures, not just "chart".
        assert len(label.split()) >= 8 and re.search(r"\d", label), label
        position = elements.index(svg)
        later_tables = [e for e in elements[position:] if e.tag == "table"]
        assert later_tables, f"no data table after the chart {label!r}"
        table = later_tables[0]
        assert any(e.tag == "caption" and e.text().strip() for e in table.iter()), label
        assert sum(1 for e in table.iter() if e.tag == "tr") >= 2, label


@pytest.mark.parametrize("prefix", LANGUAGES)
def test_each_goal_page_chart_is_followed_by_its_own_table(client: Client, prefix: str) -> None:
    """On a goal page every indicator's chart has the same years in its table."""
    html = client.get(prefix + "/places/3201/goals/3/").content.decode()
    data = client.get(prefix + "/places/3201/goals/3/", {"format": "json"}).json()
    sections = [e for e in parse(html).iter() if "indicator" in e.classes()]
    assert len(sections) == len(data["indicators"]) >= 2
    for section, item in zip(sections, data["indicators"], strict=True):
        inner = section.iter()
        has_chart = any(e.tag == "svg" for e in inner)
        assert has_chart == any(p["value"] is not None for p in item["series"]), item["key"]
        rows = [e for e in inner if e.tag == "tr"][1:]
        years = [int(r.children[0].text()) for r in rows if isinstance(r.children[0], Element)]
        assert years == [p["year"] for p in item["series"]], item["key"]


@pytest.mark.parametrize("prefix", LANGUAGES)
@pytest.mark.parametrize("path", COLOUR_PAGES)
def test_dashboard_colours_always_come_with_words(client: Client, path: str, prefix: str) -> None:
    """Anything coloured by status or trend (class status-*, trend-*, cell-*) also says it
    in text that is not hidden from screen readers."""
    root = parse(client.get(prefix + path).content.decode())
    coloured = [
        e
        for e in root.iter()
        if any(re.match(r"(status|trend|cell)-", name) for name in e.classes())
    ]
    assert coloured, "the page shows dashboard colours"
    for element in coloured:
        words = re.findall(r"[^\W\d_]{3,}", element.text(skip_hidden=True))
        assert words, f"{element.tag}.{element.attrs.get('class')} has no words"


@pytest.mark.parametrize("prefix", LANGUAGES)
def test_map_in_dashboard_colours_has_a_legend_in_words(client: Client, prefix: str) -> None:
    from django.utils import translation

    from sdgnet.dashboards.access import STATUS

    html = client.get(prefix + "/indicators/voter-turnout-storting/?colour=dashboard")
    svg = next(e for e in parse(html.content.decode()).iter() if e.tag == "svg")
    texts = {e.text().strip() for e in svg.iter() if e.tag == "text"}
    with translation.override("en" if prefix else "nb"):
        labels = {str(label) for label, *_rest in STATUS.values()}
    assert labels <= texts
