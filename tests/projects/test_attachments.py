"""Attachments are served by the library itself, to whoever may see their project."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sdgnet.projects.actions import do_moderate
from sdgnet.projects.models import Project

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def client_for(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def upload(editor: Any, key: str, name: str, content: bytes) -> str:
    """Upload on the project's edit page; the link its page then shows."""
    client = client_for(editor)
    response = client.post(
        f"/projects/p/{key}/attachments/",
        {"title": "Sluttrapport", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302
    page = client.get(f"/projects/p/{key}/").content.decode()
    links = re.findall(r'href="([^"]*/attachments/[^"]*)"', page)
    assert len(links) == 1, links
    # The edit page links to the same address.
    assert links[0] in client.get(f"/projects/p/{key}/edit/").content.decode()
    return links[0]


def test_an_uploaded_pdf_can_be_downloaded_from_the_link_on_the_page(
    hidden: None, people: dict[str, Any], media: Path
) -> None:
    link = upload(people["editor"], "t-public", "rapport 2026.pdf", PDF)
    assert link.startswith("/projects/p/t-public/attachments/")
    response = client_for(None).get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="rapport-2026.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert "private" not in response.get("Cache-Control", "")
    # The file is kept under MEDIA_ROOT, and only this view hands it out.
    assert [path.name for path in media.rglob("*.pdf")] == ["rapport-2026.pdf"]
    assert client_for(None).get(link.replace("rapport-2026.pdf", "other.pdf")).status_code == 404


def test_a_png_keeps_its_type(hidden: None, people: dict[str, Any]) -> None:
    link = upload(people["editor"], "t-public", "kart.png", PNG)
    response = client_for(None).get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("key", "may_see"),
    [
        ("t-draft", {"editor", "network_admin"}),
        ("t-network", {"editor", "network_admin", "other_editor", "partner"}),
    ],
)
def test_files_of_a_project_one_may_not_see_are_not_found(
    hidden: None, people: dict[str, Any], key: str, may_see: set[str]
) -> None:
    link = upload(people["editor"], key, "plan.pdf", PDF)
    for name, user in [("anonymous", None), *people.items()]:
        response = client_for(user).get(link)
        assert response.status_code == (200 if name in may_see else 404), name
        if response.status_code == 200:
            assert "private" in response["Cache-Control"]


def test_a_hidden_projects_files_are_hidden_with_it(hidden: None, people: dict[str, Any]) -> None:
    link = upload(people["editor"], "t-public", "plan.pdf", PDF)
    assert client_for(None).get(link).status_code == 200
    project = Project.objects.get(key="t-public")
    do_moderate(people["network_admin"], project, "hide", "Feil opplysninger.")
    assert client_for(None).get(link).status_code == 404
    assert client_for(people["citizen"]).get(link).status_code == 404
    assert client_for(people["editor"]).get(link).status_code == 200  # its owners still see it
    # Another project's address does not reach the file either.
    other = link.replace("/t-public/", "/t-network/")
    assert client_for(people["network_admin"]).get(other).status_code == 404


@pytest.mark.parametrize(
    ("prefix", "refusal"),
    [
        ("", "bare PDF-, PNG- og JPEG-filer godtas"),
        ("/en", "only PDF, PNG and JPEG files are accepted"),
    ],
)
def test_a_refused_file_is_explained_in_the_pages_language(
    hidden: None, people: dict[str, Any], prefix: str, refusal: str
) -> None:
    client = client_for(people["editor"])
    response = client.post(
        f"{prefix}/projects/p/t-public/attachments/",
        {"title": "Notater", "file": SimpleUploadedFile("notater.txt", b"Bare tekst.")},
        follow=True,
    )
    assert response.redirect_chain == [(f"{prefix}/projects/p/t-public/edit/", 302)]
    assert refusal in response.content.decode()
    assert not Project.objects.get(key="t-public").attachments.exists()
