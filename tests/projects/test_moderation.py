"""Moderation by network admins: the queue, hide with a reason the owners see, restore,
mark reviewed, and readers' problem reports; everyone else gets 404 and changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from sdgnet.accounts.actions import do_create_api_token
from sdgnet.accounts.models import AuditEvent
from sdgnet.projects import access
from sdgnet.projects.actions import LibraryError, do_moderate, do_save_project, project_record
from sdgnet.projects.models import Method, ProblemReport, Project
from sdgnet.projects.search import search_projects

QUERY = "sykkelparkering"


def client_for(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def queue(user: Any, state: str = "all") -> list[dict[str, Any]]:
    response = client_for(user).get(f"/projects/moderation/?state={state}&format=json")
    assert response.status_code == 200
    return json.loads(response.content)["items"]


def found_by(user: Any) -> set[str]:
    return {hit.key for hit in search_projects(user, QUERY, limit=50).hits}


@pytest.mark.django_db
def test_hide_shows_the_reason_to_owners_only_and_restore_brings_it_back(
    hidden: None, people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    admin, editor = people["network_admin"], people["editor"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(
            "/projects/moderation/project/t-public/",
            {"decision": "hide", "reason": "Kilden mangler og teksten er kopiert."},
        )
    assert response.status_code == 302
    project = Project.objects.get(key="t-public")
    assert project.hidden and not project.published
    for reader in (None, people["citizen"], people["other_editor"]):
        assert client_for(reader).get("/projects/p/t-public/").status_code == 404
    assert "t-public" not in found_by(AnonymousUser())
    page = client_for(editor).get("/projects/p/t-public/")
    assert page.status_code == 200
    assert "Kilden mangler og teksten er kopiert." in page.content.decode()
    event = AuditEvent.objects.get(action="projects.hide_project", object_id=str(project.pk))
    assert event.actor == admin and event.before["published"] is True
    assert event.after["hidden_reason"] == "Kilden mangler og teksten er kopiert."

    # The owner can neither publish it again nor slip it out through the edit form.
    client_for(editor).post("/projects/p/t-public/publish/", {"published": "1"})
    record = {**project_record(project), "published": True, "title": "Rettet tittel"}
    do_save_project(editor, record)
    project.refresh_from_db()
    assert project.hidden and not project.published and project.title == "Rettet tittel"
    assert not AuditEvent.objects.filter(action="projects.publish_project").exists()

    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin).post("/projects/moderation/project/t-public/", {"decision": "restore"})
    project.refresh_from_db()
    assert project.published and not project.hidden and project.hidden_reason == ""
    assert client_for(None).get("/projects/p/t-public/").status_code == 200
    assert "t-public" in found_by(AnonymousUser())
    assert AuditEvent.objects.filter(action="projects.restore_project").count() == 1


@pytest.mark.django_db
def test_a_hidden_draft_stays_a_draft_when_restored(hidden: None, people: dict[str, Any]) -> None:
    draft = Project.objects.get(key="t-draft")
    do_moderate(people["network_admin"], draft, "hide", "Personopplysninger i teksten.")
    do_moderate(people["network_admin"], draft, "restore")
    draft.refresh_from_db()
    assert not draft.published and not draft.hidden


@pytest.mark.django_db
def test_queue_lists_newest_first_filters_by_state_and_review_takes_items_off(
    hidden: None, people: dict[str, Any]
) -> None:
    admin = people["network_admin"]
    items = queue(admin)
    stamps = [item["updated_at"] for item in items]
    assert stamps == sorted(stamps, reverse=True)
    assert {"t-draft", "t-network", "t-public"} <= {item["key"] for item in items}
    assert {item["kind"] for item in items} == {"project", "method"}
    assert {item["key"] for item in queue(admin, "draft")} >= {"t-draft"}
    assert all(not item["published"] for item in queue(admin, "draft"))
    assert all(item["published"] for item in queue(admin, "published"))
    assert queue(admin, "hidden") == []

    client_for(admin).post("/projects/moderation/project/t-network/", {"decision": "review"})
    client_for(admin).post("/projects/moderation/method/m-u4ssc-kpi/", {"decision": "review"})
    unreviewed = {item["key"] for item in queue(admin, "unreviewed")}
    assert "t-network" not in unreviewed and "m-u4ssc-kpi" not in unreviewed
    assert "t-public" in unreviewed
    assert AuditEvent.objects.filter(action="projects.review_method").count() == 1

    # An edit after the review puts the project back in the unreviewed state.
    project = Project.objects.get(key="t-network")
    do_save_project(people["editor"], {**project_record(project), "summary": "Endret."})
    assert "t-network" in {item["key"] for item in queue(admin, "unreviewed")}
    html = client_for(admin).get("/projects/moderation/?state=unreviewed").content.decode()
    assert 'name="csrfmiddlewaretoken"' in html and "Nettverk sykkelparkering" in html


@pytest.mark.django_db
def test_hiding_needs_a_reason_and_a_known_decision(hidden: None, people: dict[str, Any]) -> None:
    admin = people["network_admin"]
    project = Project.objects.get(key="t-public")
    for decision, reason in (("hide", "   "), ("delete", "x"), ("restore", "")):
        with pytest.raises(LibraryError):
            do_moderate(admin, project, decision, reason)
    response = client_for(admin).post(
        "/projects/moderation/project/t-public/", {"decision": "hide", "reason": ""}, follow=True
    )
    assert "En begrunnelse må oppgis." in response.content.decode()
    project.refresh_from_db()
    assert project.published and not project.hidden
    assert not AuditEvent.objects.filter(action__startswith="projects.hide").exists()


@pytest.mark.django_db
def test_only_network_admins_moderate_everyone_else_gets_404(
    hidden: None, people: dict[str, Any]
) -> None:
    for name in (None, "citizen", "partner", "editor", "other_editor"):
        client = client_for(people[name] if name else None)
        assert client.get("/projects/moderation/").status_code == 404, name
        response = client.post(
            "/projects/moderation/project/t-public/", {"decision": "hide", "reason": "Nei."}
        )
        assert response.status_code == 404, name
    assert Project.objects.get(key="t-public").published
    assert not AuditEvent.objects.filter(action__startswith="projects.hide").exists()


@pytest.mark.django_db
def test_readers_report_problems_and_reports_reach_the_queue(
    hidden: None, people: dict[str, Any]
) -> None:
    citizen, admin = people["citizen"], people["network_admin"]
    client = client_for(citizen)
    assert client.get("/projects/p/t-public/report/").status_code == 200
    response = client.post("/projects/p/t-public/report/", {"reason": "Lenken virker ikke."})
    assert response.status_code == 302
    again = client.post("/projects/p/t-public/report/", {"reason": "Fortsatt feil."})
    assert again.status_code == 200 and "allerede" in again.content.decode()
    assert client.post("/projects/p/t-public/report/", {"reason": ""}).status_code == 200
    # Drafts and network-only projects a citizen cannot read: 404, nothing stored.
    for key in ("t-draft", "t-network"):
        assert client.post(f"/projects/p/{key}/report/", {"reason": "x"}).status_code == 404
    anonymous = Client().post("/projects/p/t-public/report/", {"reason": "x"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert list(ProblemReport.objects.values_list("project__key", "reason")) == [
        ("t-public", "Lenken virker ikke.")
    ]
    assert AuditEvent.objects.filter(action="projects.report_project").count() == 1

    reported = queue(admin, "reported")
    assert [item["key"] for item in reported] == ["t-public"]
    assert reported[0]["reports"][0]["reason"] == "Lenken virker ikke."
    client_for(admin).post("/projects/moderation/project/t-public/", {"decision": "review"})
    assert queue(admin, "reported") == []
    assert ProblemReport.objects.get().resolved_by == admin


@pytest.mark.django_db
def test_api_uses_the_same_rules(hidden: None, people: dict[str, Any]) -> None:
    def post(user: Any, path: str, body: dict[str, Any]) -> Any:
        token = do_create_api_token(user).secret
        return Client().post(
            path, json.dumps(body), content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )  # fmt: skip

    editor, admin = people["editor"], people["network_admin"]
    hide = {"decision": "hide", "reason": "Feil kommune."}
    assert post(editor, "/api/v1/moderation/project/t-public", hide).status_code == 404
    assert post(admin, "/api/v1/moderation/project/t-public", {"decision": "x"}).status_code == 400
    answer = post(admin, "/api/v1/moderation/project/t-public", hide)
    assert answer.status_code == 200 and answer.json()["hidden"] is True
    # A hidden project can no longer be read, so it can no longer be reported.
    report = {"reason": "Skjult?"}
    assert post(people["citizen"], "/api/v1/projects/t-public/reports", report).status_code == 404


@pytest.mark.django_db
def test_the_admin_moderates_through_the_same_action(hidden: None, people: dict[str, Any]) -> None:
    admin = client_for(people["network_admin"])
    assert admin.get("/admin/projects/project/").status_code == 200
    project = Project.objects.get(key="t-public")
    response = admin.post(
        "/admin/projects/project/",
        {"action": "hide", "_selected_action": [project.pk], "reason": "Dobbeltført."},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.hidden and project.hidden_reason == "Dobbeltført."
    assert AuditEvent.objects.filter(action="projects.hide_project").count() == 1
    # Without a reason nothing is hidden, and the admin says why.
    draft = Project.objects.get(key="t-network")
    admin.post(
        "/admin/projects/project/",
        {"action": "hide", "_selected_action": [draft.pk], "reason": ""},
    )
    draft.refresh_from_db()
    assert not draft.hidden
    assert admin.get("/admin/projects/problemreport/").status_code == 200
    # Editors do not reach the admin at all.
    editor = client_for(people["editor"]).get("/admin/projects/project/")
    assert editor.status_code == 302


@pytest.mark.django_db
def test_a_hidden_method_shows_its_reason_to_its_author_only(people: dict[str, Any]) -> None:
    from sdgnet.projects.actions import do_import_library
    from sdgnet.projects.models import Method

    method = {"key": "t-method", "title": "Veiing av matavfall", "summary": "Slik veier vi.",
              "published": True, "visibility": "public"}  # fmt: skip
    assert do_import_library({"methods": [method]}, user=people["editor"]).ok
    do_moderate(people["network_admin"], Method.objects.get(key="t-method"), "hide", "Uklar kilde.")
    assert client_for(people["citizen"]).get("/projects/methods/t-method/").status_code == 404
    page = client_for(people["editor"]).get("/projects/methods/t-method/")
    assert page.status_code == 200 and "Uklar kilde." in page.content.decode()
    # Importing it again as published does not publish a hidden method.
    assert do_import_library({"methods": [method]}, user=people["editor"]).ok
    assert not Method.objects.get(key="t-method").published


MANY = 230  # more than the 200 newest items the queue once stopped at


@pytest.fixture
def many_drafts(db: Any) -> list[Project]:
    """MANY draft projects of Bærum, a day old and each changed a minute before the one
    before it; every third is reviewed since, and so is the oldest, which a reader
    reported afterwards."""
    now = timezone.now()
    projects = Project.objects.bulk_create(
        Project(key=f"queue-{n:03d}", title=f"Utkast {n}", summary="Kø.", municipality_id="3201")
        for n in range(MANY)
    )
    for n, project in enumerate(projects):
        project.updated_at = now - timedelta(days=1, minutes=n)
        if n % 3 == 0 or n == MANY - 1:
            project.reviewed_at = project.updated_at + timedelta(seconds=1)
    Project.objects.bulk_update(projects, ["updated_at", "reviewed_at"])
    ProblemReport.objects.create(project=projects[-1], reason="Feil kommune.")
    return projects


def newest_first(items: list[Project | Method]) -> list[str]:
    """The keys of these items in the queue's order."""
    by_kind = sorted(items, key=lambda item: item.key)
    by_kind.sort(key=lambda item: isinstance(item, Project), reverse=True)
    return [item.key for item in sorted(by_kind, key=lambda item: item.updated_at, reverse=True)]


def every_item() -> list[Project | Method]:
    return [*Project.objects.all(), *Method.objects.all()]


def api_pages(client: Client, state: str, limit: int) -> tuple[list[str], set[int]]:
    """The keys of the whole queue in a state, read a page at a time, and the counts."""
    keys: list[str] = []
    counts: set[int] = set()
    while True:
        params = {"state": state, "limit": limit, "offset": len(keys)}
        page = client.get("/api/v1/moderation", params).json()
        counts.add(page["count"])
        keys += [item["key"] for item in page["items"]]
        if not page["items"]:
            return keys, counts


@pytest.mark.django_db
def test_the_api_counts_and_pages_through_the_whole_queue(
    many_drafts: list[Project], people: dict[str, Any]
) -> None:
    token = do_create_api_token(people["network_admin"]).secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    reported = many_drafts[-1]
    open_reports = {reported.pk}
    expected = {
        "all": newest_first(every_item()),
        "draft": newest_first(
            [item for item in every_item() if not item.published and not item.hidden]
        ),
        "unreviewed": newest_first(
            [
                item
                for item in every_item()
                if item.reviewed_at is None
                or item.updated_at > item.reviewed_at
                or (isinstance(item, Project) and item.pk in open_reports)
            ]
        ),
        "reported": [reported.key],
    }
    assert len(expected["all"]) > len(expected["draft"]) > len(expected["unreviewed"]) > MANY / 2
    for state, keys in expected.items():
        assert api_pages(client, state, 97) == (keys, {len(keys)}), state
    # The oldest item is unreviewed by its report alone, and shows it.
    last = client.get("/api/v1/moderation", {"state": "unreviewed", "offset": 10**6 - 1})
    assert last.json()["items"] == []
    oldest = client.get(
        "/api/v1/moderation",
        {"state": "unreviewed", "offset": len(expected["unreviewed"]) - 1},
    ).json()["items"]
    assert [(item["key"], item["reports"]) for item in oldest] == [
        (reported.key, ["Feil kommune."])
    ]


@pytest.mark.django_db
def test_a_page_of_the_queue_is_read_by_a_few_queries_whatever_its_length(
    many_drafts: list[Project], people: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    drafts = newest_first([item for item in every_item() if not item.published and not item.hidden])
    queue = access.moderation_queue(people["network_admin"], "draft")
    # The rows of the page, its projects, its methods and their open reports.
    with django_assert_max_num_queries(4):
        page = queue[200:260]
    with django_assert_max_num_queries(1):
        assert len(queue) == len(drafts)
    assert [entry.item.key for entry in page] == drafts[200:260]
    assert [report.reason for report in page[-1].open_reports] == ["Feil kommune."]


@pytest.mark.django_db
def test_the_queue_page_counts_the_whole_queue_and_pages_through_it(
    many_drafts: list[Project], people: dict[str, Any]
) -> None:
    admin = client_for(people["network_admin"])
    drafts = newest_first([item for item in every_item() if not item.published and not item.hidden])
    total = len(drafts)
    first = admin.get("/projects/moderation/", {"state": "draft"}).content.decode()
    assert f"<caption>{total} elementer</caption>" in first
    assert f"Viser 1–50 av {total}" in first
    assert '<a href="?state=draft&amp;page=2" rel="next">Neste side</a>' in first
    second = admin.get("/projects/moderation/", {"state": "draft", "page": 2, "format": "json"})
    body = json.loads(second.content)
    assert (body["count"], body["page"]) == (total, 2)
    assert [item["key"] for item in body["items"]] == drafts[50:100]
    # A page past the end is the last one, in English too.
    pages = -(-total // 50)
    last = admin.get("/en/projects/moderation/", {"state": "draft", "page": 99}).content.decode()
    assert f"Showing {(pages - 1) * 50 + 1}–{total} of {total}" in last
    assert f'<a href="?state=draft&amp;page={pages - 1}" rel="prev">Previous page</a>' in last
    assert 'rel="next"' not in last
    assert many_drafts[-1].title in last


@pytest.mark.django_db
def test_a_decision_returns_to_the_page_of_the_queue_it_was_made_on(
    many_drafts: list[Project], people: dict[str, Any]
) -> None:
    admin = client_for(people["network_admin"])
    second = admin.get("/projects/moderation/", {"state": "draft", "page": 2}).content.decode()
    assert '<input type="hidden" name="page" value="2">' in second
    key = newest_first([item for item in every_item() if not item.published])[60]
    kind = "project" if Project.objects.filter(key=key).exists() else "method"
    response = admin.post(
        f"/projects/moderation/{kind}/{key}/",
        {"decision": "review", "state": "draft", "page": "2"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/projects/moderation/?state=draft&page=2"
    # A page that is no number (or the first) gives the queue's first page.
    response = admin.post(
        f"/projects/moderation/{kind}/{key}/", {"decision": "review", "page": "²"}
    )
    assert response["Location"] == "/projects/moderation/"
