"""The council report as a PDF, made by the real WeasyPrint and read back with pypdf."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from sdgnet.reports.pdf import ascii_file_name, css_string, page_margin_css
from sdgnet.web.templatetags.sdgnet_format import score

HOME = "3201"
TURNOUT = "voter-turnout-storting"

pytestmark = pytest.mark.django_db


def pdf_pages(client: Client, path: str = f"/places/{HOME}/report.pdf") -> list[str]:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response) if response.streaming else response.content
    assert content.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_pdf_says_what_the_page_says(client: Client) -> None:
    data = client.get(f"/places/{HOME}/report/", {"format": "json"}).json()
    goal_3 = next(goal for goal in data["goals"] if goal["number"] == 3)
    response = client.get(f"/places/{HOME}/report.pdf")
    assert response["Content-Disposition"] == (
        f'attachment; filename="baerekraftsrapport-{HOME}-Baerum-{data["year"]}.pdf"'
    )
    pages = pdf_pages(client)
    text = "\n".join(pages)
    assert "Bærekraftsrapport for Bærum" in text
    assert f"Poengsummer per {data['year']}" in text
    assert f"{score(goal_3['score'])} ✔ {goal_3['status_label']}" in text  # "82,7 ✔ Målet er nådd"
    assert score(data["index"]["score"]) in text
    # The sources, and the attribution the pages' footer gives.
    assert all(source["name"] in text for source in data["sources"])
    assert "Data: Statistisk sentralbyrå, Valgdirektoratet" in text
    # Every page: the municipality and year at the top, "Side n av N" at the bottom.
    for number, page in enumerate(pages, start=1):
        assert f"Bærum · {data['year']}" in page
        assert f"Side {number} av {len(pages)}" in page


def test_english_pdf(client: Client) -> None:
    response = client.get(f"/en/places/{HOME}/report.pdf")
    assert 'filename="sustainability-report-3201-Baerum-' in response["Content-Disposition"]
    pages = pdf_pages(client, f"/en/places/{HOME}/report.pdf")
    assert "Sustainability report for Bærum" in pages[0]
    assert f"Page 1 of {len(pages)}" in pages[0]


def test_long_content_runs_over_several_pages_with_whole_rows(client: Client) -> None:
    from sdgnet.accounts.actions import do_create_user
    from sdgnet.accounts.models import Role
    from sdgnet.projects.actions import do_save_project

    before = len(pdf_pages(client))
    admin = do_create_user("admin@example.no", Role.NETWORK_ADMIN)
    for number in range(90):
        do_save_project(
            admin,
            {
                "key": f"baerum-tiltak-{number:02d}",
                "title": f"Tiltak nummer {number:02d} for en grønnere kommune",
                "summary": "Et tiltak i Bærum.",
                "language": "nb",
                "municipality": HOME,
                "goals": [11, 13],
                "status": "ongoing",
                "published": True,
                "visibility": "public",
            },
        )
    pages = pdf_pages(client)  # the library changed: not the cached PDF
    assert len(pages) >= before + 2
    text = "\n".join(pages)
    for number in range(90):
        # A row is never split over two pages: its title and status stay on one line.
        assert f"Tiltak nummer {number:02d} for en grønnere kommune pågår" in text
    assert f"Side 3 av {len(pages)}" in pages[2]


def test_pdf_is_not_stale_after_a_rescore(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from sdgnet.accounts.actions import do_create_user
    from sdgnet.accounts.models import Role
    from sdgnet.network.actions import do_set_local_target

    assert "82,5 (2030)" not in "\n".join(pdf_pages(client))  # cached from here on
    editor = do_create_user("editor@example.no", Role.EDITOR, place=HOME)
    with django_capture_on_commit_callbacks(execute=True):  # the rescore it schedules
        do_set_local_target(editor, HOME, TURNOUT, 82.5)
    assert "82,5 (2030)" in "\n".join(pdf_pages(client))


def test_file_names_are_ascii() -> None:
    assert ascii_file_name("baerekraftsrapport", "5001", "Trondheim - Tråante") == (
        "baerekraftsrapport-5001-Trondheim-Traante"
    )
    assert ascii_file_name("x", "4601", "Ålesund/Øygarden Æ") == "x-4601-Alesund-Oygarden-Ae"
    assert ascii_file_name("x", "5501", "Guovdageaidnu - Kautokeino") == (
        "x-5501-Guovdageaidnu-Kautokeino"
    )


def test_names_cannot_break_out_of_the_page_css() -> None:
    assert css_string('A "quoted" \\ name</style>') == '"A \\"quoted\\" \\\\ name\\3c /style>"'
    css = page_margin_css("Bærum", 2025)
    assert '@top-right { content: "Bærum · 2025"; }' in css
    assert 'content: "Side" counter(page) "av" counter(pages)' not in css  # spaces are kept
    assert '"Side " counter(page) " av " counter(pages)' in css
