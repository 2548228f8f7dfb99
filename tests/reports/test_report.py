"""The council report says what the municipality page says: its JSON twin against the
municipality page's, for the same municipality."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

HOME = "3201"  # Bærum: a member of its county and size class, with library projects
TURNOUT = "voter-turnout-storting"  # goal 16

pytestmark = pytest.mark.django_db


def report_json(client: Client, code: str = HOME) -> dict[str, Any]:
    response = client.get(f"/places/{code}/report/", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data: dict[str, Any] = response.json()
    return data


def test_index_ranks_and_goals_equal_the_municipality_page(client: Client) -> None:
    page = client.get(f"/places/{HOME}/", {"format": "json"}).json()
    report = report_json(client)

    assert report["year"] == page["year"] is not None
    assert report["index"] == page["index"]
    assert report["index"]["score"] is not None and report["index"]["rank"] is not None
    assert report["peer_ranks"] == page["peer_ranks"]
    assert {peer["kind"] for peer in report["peer_ranks"]} >= {"county", "size"}
    fields = ("number", "score", "status", "status_label", "trend", "trend_label")
    assert [{f: goal[f] for f in fields} for goal in report["goals"]] == [
        {f: goal[f] for f in fields} for goal in page["goals"]
    ]
    assert len(report["goals"]) == 17
    assert any(goal["score"] is not None for goal in report["goals"])
    assert report["gaps"] == page["gaps"]
    assert report["improvements"] == page["improvements"]
    assert report["improvements"], "Bærum has improved indicators in the default data"
    assert report["sources"] == page["sources"] != []


def test_network_member_rank_is_reported_where_the_place_is_a_member(client: Client) -> None:
    from sdgnet.accounts.actions import do_create_user
    from sdgnet.accounts.models import Role
    from sdgnet.network.actions import do_apply_for_membership, do_decide_membership

    admin = do_create_user("admin@example.no", Role.NETWORK_ADMIN)
    applicant = do_create_user("kommune@example.no", Role.MUNICIPALITY_ADMIN, place=HOME)
    do_decide_membership(admin, do_apply_for_membership(applicant, HOME), approve=True)

    page = client.get(f"/places/{HOME}/", {"format": "json"}).json()
    report = report_json(client)
    members = [peer for peer in report["peer_ranks"] if peer["kind"] == "members"]
    assert members and members[0]["rank"] == 1 and members[0]["of"] == 1
    assert report["peer_ranks"] == page["peer_ranks"]


def test_every_indicator_of_the_index_with_its_targets(client: Client) -> None:
    from sdgnet.catalog.access import default_framework

    framework = default_framework()
    assert framework is not None
    scored = {entry.indicator_id for entry in framework.entries.all() if entry.is_scored}
    report = report_json(client)
    listed = [item for group in report["indicators"] for item in group["indicators"]]
    assert {item["key"] for item in listed} == scored
    goal_page = client.get(f"/places/{HOME}/goals/16/", {"format": "json"}).json()
    expected = next(item for item in goal_page["indicators"] if item["key"] == TURNOUT)
    turnout = next(item for item in listed if item["key"] == TURNOUT)
    for field in ("latest_value", "latest_year", "target_value", "target_year", "score"):
        assert turnout[field] == expected[field], field
    assert turnout["target_value"] is not None and turnout["local_target"] is None


def test_own_target_is_reported(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    from sdgnet.accounts.actions import do_create_user
    from sdgnet.accounts.models import Role
    from sdgnet.network.actions import do_set_local_target

    editor = do_create_user("editor@example.no", Role.EDITOR, place=HOME)
    with django_capture_on_commit_callbacks(execute=True):  # the rescore it schedules
        do_set_local_target(editor, HOME, TURNOUT, 82.5, note="Kommunestyrevedtak 2026")

    report = report_json(client)
    listed = [item for group in report["indicators"] for item in group["indicators"]]
    turnout = next(item for item in listed if item["key"] == TURNOUT)
    assert turnout["local_target"] == {
        "value": 82.5,
        "year": 2030,
        "note": "Kommunestyrevedtak 2026",
    }
    assert turnout["score_local"] is not None
    html = client.get(f"/places/{HOME}/report/").content.decode()
    assert "82,5 (2030)" in html


def test_the_municipalitys_projects_that_everyone_may_see(client: Client) -> None:
    from sdgnet.projects.models import Project, Visibility

    public = set(
        Project.objects.filter(
            municipality_id=HOME, published=True, visibility=Visibility.PUBLIC
        ).values_list("key", flat=True)
    )
    assert public, "the seed library has projects of Bærum"
    report = report_json(client)
    assert {project["key"] for project in report["projects"]} == public
    first = report["projects"][0]
    assert first["status_label"] and first["goals"] == sorted(first["goals"])
    oslo = {project["key"] for project in report_json(client, "0301")["projects"]}
    assert not oslo & public
