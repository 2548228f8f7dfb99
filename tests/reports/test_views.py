"""The council report page: bokmål and English, links, 404, the anonymous page cache, and
the PDF address's answer where WeasyPrint cannot run."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from django.test import Client

from sdgnet.web.templatetags.sdgnet_format import score

HOME = "3201"

pytestmark = pytest.mark.django_db


def goal_score(client: Client, number: int) -> float:
    data = client.get(f"/places/{HOME}/report/", {"format": "json"}).json()
    found: float = next(goal["score"] for goal in data["goals"] if goal["number"] == number)
    return found


def test_bokmaal_report(client: Client) -> None:
    response = client.get(f"/places/{HOME}/report/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Bærekraftsrapport for Bærum</h1>" in html
    assert "Poengsummer per 2025; rapporten er laget" in html
    assert "Sammendrag" in html and "Alle kommuner" in html
    assert score(goal_score(client, 3)) in html  # "82,7": the page's way of writing it
    assert "Målet er nådd" in html and "Utvikling mot 2030" in html
    assert "Kommunens prosjekter i biblioteket" in html
    assert "Sustainability report" not in html and "Goal achieved" not in html
    assert f'href="/places/{HOME}/report.pdf"' in html
    assert 'href="?format=json"' in html


def test_english_report(client: Client) -> None:
    html = client.get(f"/en/places/{HOME}/report/").content.decode()
    assert "<h1>Sustainability report for Bærum</h1>" in html
    assert "Scores as of 2025; report made" in html
    assert "Goal achieved" in html and "Trend towards 2030" in html
    assert "Bærekraftsrapport" not in html and "Målet er nådd" not in html
    assert f'href="/en/places/{HOME}/report.pdf"' in html


def test_the_municipality_page_links_the_report(client: Client) -> None:
    html = client.get(f"/places/{HOME}/").content.decode()
    assert f'<a href="/places/{HOME}/report/">Rapport til kommunestyret</a>' in html
    english = client.get(f"/en/places/{HOME}/").content.decode()
    assert f'<a href="/en/places/{HOME}/report/">Report to the municipal council</a>' in english


@pytest.mark.parametrize("code", ["9999", "32", "abc"])  # 32: Akershus, a county
def test_no_report_for_what_is_not_a_municipality(client: Client, code: str) -> None:
    assert client.get(f"/places/{code}/report/").status_code == 404
    assert client.get(f"/places/{code}/report/", {"format": "json"}).status_code == 404
    assert client.get(f"/places/{code}/report.pdf").status_code == 404


@pytest.mark.parametrize(
    ("path", "moved_to"),
    [
        ("/places/1201/report/", "/places/4601/report/"),  # Bergen before the 2020 reform
        ("/en/places/1201/report/?format=json", "/en/places/4601/report/?format=json"),
        ("/places/301/report.pdf", "/places/0301/report.pdf"),
    ],
)
def test_an_old_number_moves_to_todays(client: Client, path: str, moved_to: str) -> None:
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == moved_to


def test_anonymous_visitors_get_the_cached_page_until_the_data_changes(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from sdgnet.accounts.actions import do_create_user
    from sdgnet.accounts.models import Role
    from sdgnet.network.actions import do_set_local_target
    from sdgnet.places.models import Place

    def title() -> str:
        html = client.get(f"/places/{HOME}/report/").content.decode()
        return html[html.index("<h1>") : html.index("</h1>") + 5]

    assert title() == "<h1>Bærekraftsrapport for Bærum</h1>"
    # A rename is no data change: the cached page is served (until PAGE_TTL).
    Place.objects.filter(code=HOME).update(name="Bærum kommune")
    assert title() == "<h1>Bærekraftsrapport for Bærum</h1>"
    # A rescore is: the next page is built again, with the new name.
    editor = do_create_user("editor@example.no", Role.EDITOR, place=HOME)
    with django_capture_on_commit_callbacks(execute=True):
        do_set_local_target(editor, HOME, "voter-turnout-storting", 82.5)
    assert title() == "<h1>Bærekraftsrapport for Bærum kommune</h1>"


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", "Denne serveren kan ikke lage PDF-filer"),
        ("/en", "This server cannot make PDF files"),
    ],
)
def test_pdf_without_weasyprint_says_what_to_install(
    client: Client, monkeypatch: pytest.MonkeyPatch, prefix: str, words: str
) -> None:
    # A machine without Pango: importing WeasyPrint fails (there with OSError).
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    response = client.get(f"{prefix}/places/{HOME}/report.pdf")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert words in html
    assert "libpango-1.0-0 libpangoft2-1.0-0" in html
    assert "install_system_packages.sh --pdf" in html
    assert f'href="{prefix}/places/{HOME}/report/"' in html
