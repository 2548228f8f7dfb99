"""The library page's links keep the search: the next page and the facet links carry the
query and every active filter, followed with the test client."""

from __future__ import annotations

import html
import re
from dataclasses import fields
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser

from sdgnet.places.actions import size_class_of
from sdgnet.places.models import Place
from sdgnet.projects.actions import do_import_library
from sdgnet.projects.search import SearchFilters, search_projects

HOME = "3201"  # Bærum
WORD = "bydelshage"
PAGE_SIZE = 20


def _project(key: str, municipality: str, **fields: Any) -> dict[str, Any]:
    return {
        "key": key,
        "title": f"Bydelshage {key}",
        "summary": f"Naboer dyrker grønnsaker i en {WORD} ved skolen.",
        "language": "nb",
        "municipality": municipality,
        "goals": [11],
        "status": "ongoing",
        "partners": [{"name": "NTNU", "kind": "research"}],
        "published": True,
        "visibility": "public",
        **fields,
    }


@pytest.fixture
def gardens(db: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any) -> SearchFilters:
    """More than a page of projects that every filter below keeps, and projects with the
    same word that each filter alone would leave out; returns the filters."""
    monkeypatch.setenv("SDGNET_EMBEDDINGS", "0")  # the links, not the ranking, are tested
    home = Place.objects.get(code=HOME)
    small = (
        Place.objects.filter(kind=Place.Kind.MUNICIPALITY, population__lt=2000)
        .exclude(parent_id=home.parent_id)
        .order_by("code")
        .first()
    )
    assert small is not None and home.population
    kept = [_project(f"t-garden-{n:02}", HOME) for n in range(PAGE_SIZE + 5)]
    left_out = [
        _project("t-other-goal", HOME, goals=[3]),
        _project("t-other-status", HOME, status="planned"),
        _project("t-other-partner", HOME, partners=[{"name": "Lag", "kind": "ngo"}]),
        _project("t-other-place", small.code),  # another county and size
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report = do_import_library({"projects": kept + left_out})
    assert report.ok, report.problems
    filters = SearchFilters(
        goal=11,
        county=home.parent_id,
        size=size_class_of(home.population),
        status="ongoing",
        partner="research",
    )
    # Every filter the page knows is active here: a new one must be added to this test.
    assert [name for name, _value in filters.terms()] == [f.name for f in fields(SearchFilters)]
    return filters


def _link(page: str, text: str) -> str:
    found = re.search(rf'<a href="([^"]*)">{re.escape(text)}</a>', page)
    assert found, f"no link {text!r}"
    return html.unescape(found.group(1))


def _keys(page: str) -> list[str]:
    return re.findall(r'<h3><a href="/(?:en/)?projects/p/([^/"]+)/">', page)


def _parameters(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


@pytest.mark.parametrize("query", [WORD, ""])
def test_more_results_keeps_the_query_and_every_filter(
    client: Any, gardens: SearchFilters, query: str
) -> None:
    search = {"q": query, **{name: str(value) for name, value in gardens.terms()}}
    expected = [hit.key for hit in search_projects(AnonymousUser(), query, gardens, limit=100).hits]
    assert len(expected) > PAGE_SIZE
    assert not {"t-other-goal", "t-other-status", "t-other-partner", "t-other-place"} & set(
        expected
    )
    first = client.get("/projects/", search).content.decode()
    assert _keys(first) == expected[:PAGE_SIZE]
    more = _link(first, "Flere treff")
    parameters = _parameters(more)
    assert parameters.pop("page") == ["2"]
    assert parameters == {name: [value] for name, value in search.items() if value}
    second = client.get(f"/projects/{more}").content.decode()
    assert _keys(second) == expected[PAGE_SIZE : 2 * PAGE_SIZE]
    # The English page's link is the same.
    english = client.get("/en/projects/", search).content.decode()
    assert _link(english, "More results") == more


def test_a_facet_link_keeps_the_query_and_the_other_filters(
    client: Any, gardens: SearchFilters
) -> None:
    search = {"q": WORD, "goal": "11", "county": str(gardens.county), "page": "2"}
    page = client.get("/projects/", search).content.decode()
    status = _link(page, "pågår")
    # A facet narrows the search as it is; a new search starts on its first page.
    assert _parameters(status) == {
        "q": [WORD], "goal": ["11"], "county": [str(gardens.county)], "status": ["ongoing"],
    }  # fmt: skip
    narrowed = client.get(f"/projects/{status}").content.decode()
    facet_filters = SearchFilters(goal=11, county=gardens.county, status="ongoing")
    expected = search_projects(AnonymousUser(), WORD, facet_filters, limit=PAGE_SIZE).hits
    assert _keys(narrowed) == [hit.key for hit in expected]
    assert "t-other-status" not in _keys(narrowed)
    # Clear filters keeps the query and drops every filter.
    assert _parameters(_link(page, "Fjern filtre")) == {"q": [WORD]}
