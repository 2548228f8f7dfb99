"""Drafts and network-only projects never reach anonymous visitors or citizens: not in
pages, JSON twins, search, exports or the command line."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import Client

from sdgnet.projects.actions import export_library
from sdgnet.projects.models import Project
from sdgnet.projects.search import search_projects

QUERY = "sykkelparkering"


def client_for(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def found(user: Any) -> set[str]:
    return {hit.key for hit in search_projects(user, QUERY, limit=50).hits}


@pytest.mark.django_db
def test_visibility_grid(hidden: None, people: dict[str, Any]) -> None:
    expected = {
        None: {"t-public"},
        "citizen": {"t-public"},
        "partner": {"t-public", "t-network"},
        "other_editor": {"t-public", "t-network"},
        "editor": {"t-public", "t-network", "t-draft"},
        "network_admin": {"t-public", "t-network", "t-draft"},
    }
    for name, keys in expected.items():
        user = people[name] if name else None
        client = client_for(user)
        for key in ("t-draft", "t-network", "t-public"):
            page = client.get(f"/projects/p/{key}/")
            twin = client.get(f"/projects/p/{key}/?format=json")
            want = 200 if key in keys else 404
            assert (page.status_code, twin.status_code) == (want, want), (name, key)
        exported = {
            p["key"] for p in json.loads(client.get("/projects/export.json").content)["projects"]
        }
        assert exported & {"t-draft", "t-network", "t-public"} == keys, name
        # Search lists published projects only, drafts included for nobody.
        assert found(user or AnonymousUser()) & {"t-draft", "t-network", "t-public"} == (
            keys - {"t-draft"}
        ), name
        listing = client.get(f"/projects/?q={QUERY}&format=json")
        listed = {r["key"] for r in json.loads(listing.content)["results"]}
        assert listed & {"t-draft", "t-network", "t-public"} == keys - {"t-draft"}, name


@pytest.mark.django_db
def test_anonymous_export_and_cli_search(hidden: None, tmp_path: Any) -> None:
    data = export_library(AnonymousUser())
    assert {p["key"] for p in data["projects"]} & {"t-draft", "t-network"} == set()
    out = StringIO()
    call_command("projects", "search", QUERY, "--json", stdout=out)
    rows = json.loads(out.getvalue())
    keys = [row["key"] for row in rows]
    assert "t-public" in keys and "t-network" not in keys and "t-draft" not in keys
    for row in rows:
        project = Project.objects.get(key=row["key"])
        assert row["municipality"] == project.municipality_id
        assert row["title"] == project.title
    assert [row["score"] for row in rows] == sorted((row["score"] for row in rows), reverse=True)
    path = tmp_path / "out.json"
    call_command("projects", "export", "--out", str(path))
    assert "t-network" not in path.read_text() and "t-draft" not in path.read_text()


@pytest.mark.django_db
def test_cli_search_as_member(hidden: None, people: dict[str, Any]) -> None:
    out = StringIO()
    call_command("projects", "search", QUERY, "--json", "--as", "partner@example.no", stdout=out)
    assert "t-network" in {row["key"] for row in json.loads(out.getvalue())}


@pytest.mark.django_db
def test_only_own_municipality_edits(hidden: None, people: dict[str, Any]) -> None:
    assert client_for(people["editor"]).get("/projects/p/t-draft/edit/").status_code == 200
    assert client_for(people["network_admin"]).get("/projects/p/t-draft/edit/").status_code == 200
    assert client_for(people["other_editor"]).get("/projects/p/t-public/edit/").status_code == 404
    assert client_for(people["partner"]).get("/projects/p/t-public/edit/").status_code == 404
    assert client_for(people["citizen"]).get("/projects/new/").status_code == 403
    assert client_for(None).get("/projects/new/").status_code == 302
    response = client_for(people["other_editor"]).post(
        "/projects/p/t-public/publish/", {"published": "0"}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_editor_creates_edits_and_publishes(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(people["editor"])
    form = {
        "title": "Tursti langs Lysakerelva", "summary": "Ny tursti for folkehelse.",
        "body": "Nytt **turstinett**. <script>alert(1)</script>", "municipality": "3201",
        "goals": ["3", "15"], "targets": "3.4 15.1", "status": "ongoing", "language": "nb",
        "visibility": "public", "partners": "Bærum turlag | ngo | merking",
        "links": "https://www.baerum.kommune.no Bærum kommune",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/projects/new/", form)
    assert response.status_code == 302, response.content[:2000]
    key = response["Location"].rstrip("/").split("/")[-1]
    page = client_for(None).get(f"/projects/p/{key}/")
    assert page.status_code == 404  # a draft until published
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/projects/p/{key}/publish/", {"published": "1"})
    page = client_for(None).get(f"/projects/p/{key}/")
    assert page.status_code == 200
    assert b"<strong>turstinett</strong>" in page.content
    assert b"<script>alert(1)</script>" not in page.content
    assert key in {h.key for h in search_projects(AnonymousUser(), "tursti Lysakerelva").hits}
    # The other municipality's editor cannot claim it by posting its key.
    other = client_for(people["other_editor"]).post(f"/projects/p/{key}/edit/", form)
    assert other.status_code == 404


@pytest.mark.django_db
def test_suggestions_are_never_saved_unconfirmed(people: dict[str, Any]) -> None:
    client = client_for(people["editor"])
    form = {"title": "Matsvinn på sykehjem", "summary": "Vi veier matavfallet og reduserer matsvinn.",
            "municipality": "3201", "status": "ongoing", "language": "nb", "visibility": "public",
            "suggest": "1"}  # fmt: skip
    response = client.post("/projects/new/", form)
    assert response.status_code == 200
    assert "Goal 12" in response.content.decode() or "Mål 12" in response.content.decode()
    from sdgnet.projects.models import Project

    assert not Project.objects.filter(title="Matsvinn på sykehjem").exists()


@pytest.mark.django_db
def test_search_totals_and_facets_count_only_what_the_user_may_see(
    hidden: None, people: dict[str, Any]
) -> None:
    # Ranking, total and facets come from the index and the in-memory store; they must
    # count the network-only project for members and never for anonymous visitors.
    anonymous = search_projects(AnonymousUser(), QUERY, limit=50)
    shown = {hit.key for hit in anonymous.hits} & {"t-draft", "t-network", "t-public"}
    assert shown == {"t-public"}
    member = search_projects(people["partner"], QUERY, limit=50)
    assert {hit.key for hit in member.hits} >= {"t-public", "t-network"}
    assert member.total - anonymous.total == 1
    assert sum(member.facets["status"].values()) - sum(anonymous.facets["status"].values()) == 1
    # Paging never shows a hidden project either: one hit per page, every page.
    keys = []
    for offset in range(anonymous.total):
        keys += [
            h.key for h in search_projects(AnonymousUser(), QUERY, limit=1, offset=offset).hits
        ]
    assert "t-network" not in keys and "t-draft" not in keys


@pytest.mark.django_db
def test_search_hides_a_project_changed_behind_the_index(hidden: None) -> None:
    # A change that bypasses the library's actions (no reindex, no stamp): the database
    # check of the page returned still hides it at once.
    from sdgnet.projects.models import Project, Visibility

    assert "t-public" in found(AnonymousUser())
    Project.objects.filter(key="t-public").update(visibility=Visibility.NETWORK)
    assert "t-public" not in found(AnonymousUser())
    Project.objects.filter(key="t-public").update(visibility=Visibility.PUBLIC, published=False)
    assert "t-public" not in found(AnonymousUser())
    Project.objects.filter(key="t-public").delete()
    assert "t-public" not in found(AnonymousUser())
