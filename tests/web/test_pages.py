"""The first pages, in bokmål by default and in English under /en/."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


class _Checker(HTMLParser):
    """Fails on unbalanced tags: a cheap check that the HTML is well formed."""

    VOID = {"meta", "link", "input", "br", "img", "hr", "source", "area", "base", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [value or "" for name, value in attrs if name == "id"]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def well_formed(html: str) -> None:
    checker = _Checker()
    checker.feed(html)
    assert checker.stack == []
    assert len(checker.ids) == len(set(checker.ids)), "duplicate id"


@pytest.mark.parametrize(
    "url", ["/", "/places/3201/", "/goals/16/", "/en/", "/en/places/3201/", "/en/goals/3/"]
)
def test_pages_render_as_well_formed_html(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    well_formed(html)
    assert f'<html lang="{"en" if url.startswith("/en/") else "nb"}">' in html


def test_home_is_norwegian_by_default_and_english_under_en(client: Client) -> None:
    assert "Kommuner" in client.get("/").content.decode()
    assert "Municipalities" in client.get("/en/").content.decode()


def test_search_finds_municipalities_by_name(client: Client) -> None:
    html = client.get("/", {"q": "bærum"}).content.decode()
    assert 'href="/places/3201/"' in html
    assert 'href="/places/0301/"' not in html


def test_municipality_page_shows_real_values_with_year_and_source(client: Client) -> None:
    from sdgnet.observations.models import Observation

    turnout = Observation.objects.get(
        place_id="3201", indicator_id="voter-turnout-storting", year=2025
    )
    html = client.get("/places/3201/").content.decode()
    assert "Bærum" in html
    assert f"{turnout.value:.1f}".replace(".", ",") in html  # bokmål decimal comma
    assert "2025" in html and turnout.source[:20] in html


def test_english_numbers_use_a_decimal_point(client: Client) -> None:
    from sdgnet.observations.models import Observation

    turnout = Observation.objects.get(
        place_id="3201", indicator_id="voter-turnout-storting", year=2025
    )
    assert f"{turnout.value:.1f}" in client.get("/en/places/3201/").content.decode()


def test_goal_page_lists_targets_and_framework_indicators(client: Client) -> None:
    html = client.get("/goals/16/").content.decode()
    assert "16.7" in html
    assert "16.7.1" in html


def test_unknown_place_and_goal_answer_404(client: Client) -> None:
    assert client.get("/places/9999/").status_code == 404
    assert client.get("/goals/18/").status_code == 404
