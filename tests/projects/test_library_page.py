"""The library page's links keep the search: the previous and next pages, the page numbers
and the facet links carry the query and every active filter, followed with the test client."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import fields
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser

from sdgnet.places.actions import size_class_of
from sdgnet.places.models import Place
from sdgnet.projects.actions import do_import_library
from sdgnet.projects.models import Project
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
    found = re.search(rf'<a href="([^"]*)"[^>]*>{re.escape(text)}</a>', page)
    assert found, f"no link {text!r}"
    return html.unescape(found.group(1))


def _keys(page: str) -> list[str]:
    return re.findall(r'<h3><a href="/(?:en/)?projects/p/([^/"]+)/">', page)


def _parameters(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


@pytest.mark.parametrize("query", [WORD, ""])
def test_the_next_page_keeps_the_query_and_every_filter(
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
    more = _link(first, "Neste side")
    parameters = _parameters(more)
    assert parameters.pop("page") == ["2"]
    assert parameters == {name: [value] for name, value in search.items() if value}
    second = client.get(f"/projects/{more}").content.decode()
    assert _keys(second) == expected[PAGE_SIZE : 2 * PAGE_SIZE]
    # The English page's link is the same.
    english = client.get("/en/projects/", search).content.decode()
    assert _link(english, "Next page") == more


def _pagination(page: str) -> str:
    found = re.search(r'<nav class="pagination" aria-label="([^"]*)">(.*?)</nav>', page, re.S)
    assert found, "no pagination"
    return found.group(1) + "|" + found.group(2)


@pytest.mark.parametrize("query", [WORD, ""])
def test_the_second_page_says_where_it_is_and_leads_back(
    client: Any, gardens: SearchFilters, query: str
) -> None:
    search = {"q": query, **{name: str(value) for name, value in gardens.terms()}}
    total = search_projects(AnonymousUser(), query, gardens, limit=100).total
    assert total == PAGE_SIZE + 5
    second = client.get("/projects/", {**search, "page": "2"}).content.decode()
    nav = _pagination(second)
    assert nav.startswith("Resultatsider|")
    assert f"Viser 21–{total} av {total}" in nav
    assert "Neste side" not in nav  # the last page
    # The current page is marked for assistive technology; page 1 is a link back.
    assert re.search(r'aria-current="page"><span class="sr-label">Side </span>2</a>', nav)
    previous = _link(second, "Forrige side")
    # The first page is the search's own address: the query and every filter, no page.
    assert _parameters(previous) == {name: [value] for name, value in search.items() if value}
    assert _link(nav, '<span class="sr-label">Side </span>1') == previous
    first = client.get(f"/projects/{previous}").content.decode()
    expected = search_projects(AnonymousUser(), query, gardens, limit=PAGE_SIZE).hits
    assert _keys(first) == [hit.key for hit in expected]
    assert f"Viser 1–{PAGE_SIZE} av {total}" in _pagination(first)
    assert "Forrige side" not in _pagination(first)
    english = client.get("/en/projects/", {**search, "page": "2"}).content.decode()
    assert _pagination(english).startswith("Result pages|")
    assert f"Showing 21–{total} of {total}" in english
    assert _link(english, "Previous page") == previous


def test_a_page_past_the_end_leads_back_to_the_last(client: Any, gardens: SearchFilters) -> None:
    page = client.get("/projects/", {"q": WORD, "page": "9"}).content.decode()
    assert _keys(page) == []
    assert _parameters(_link(page, "Forrige side")) == {"q": [WORD], "page": ["2"]}
    # One page of results has no page links.
    single = client.get("/projects/", {"q": WORD, "goal": "3"}).content.decode()
    assert _keys(single) == ["t-other-goal"]
    assert 'class="pagination"' not in single


MANY = 210  # more than the 200 keyword matches the search once stopped at


@pytest.fixture
def many_gardens(db: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("SDGNET_EMBEDDINGS", "0")
    projects = [
        _project(f"t-many-{n:03}", HOME, status="completed" if n % 3 else "ongoing")
        for n in range(MANY)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report = do_import_library({"projects": projects})
    assert report.ok, report.problems


@pytest.mark.parametrize("query", [WORD, ""])
def test_the_total_counts_every_match_and_the_pages_reach_them_all(
    client: Any, many_gardens: None, query: str
) -> None:
    result = search_projects(AnonymousUser(), query, limit=PAGE_SIZE)
    mine = {f"t-many-{n:03}" for n in range(MANY)}
    # The word is only in these projects; without a query the whole library is listed.
    matching = Project.objects.filter(published=True, visibility="public")
    if query:
        matching = matching.filter(key__in=mine)
    assert result.total == matching.count() >= MANY
    # The facets count every match too, not the first 200.
    assert result.facets["status"] == Counter(matching.values_list("status", flat=True))
    # Every match is on one page or another, once.
    seen: list[str] = []
    for offset in range(0, result.total, PAGE_SIZE):
        seen += [hit.key for hit in search_projects(AnonymousUser(), query, offset=offset).hits]
    assert len(seen) == len(set(seen)) == result.total
    assert mine <= set(seen)
    # The page says the true total, and its last page is there to follow.
    last_page = -(-result.total // PAGE_SIZE)
    first = client.get("/projects/", {"q": query}).content.decode()
    assert f"av {result.total}</p>" in first
    last_link = _link(first, f'<span class="sr-label">Side </span>{last_page}')
    last = client.get(f"/projects/{last_link}").content.decode()
    first_shown = (last_page - 1) * PAGE_SIZE + 1
    assert f"Viser {first_shown}–{result.total} av {result.total}" in last
    assert _keys(last) == seen[first_shown - 1 :]
