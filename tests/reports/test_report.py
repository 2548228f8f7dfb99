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


def test_citizens_proposals_and_partners_pledges_are_reported(client: Client) -> None:
    from sdgnet.accounts.actions import do_create_user
    from sdgnet.accounts.models import Role
    from sdgnet.participation.actions import do_hide, do_propose, do_respond, do_support
    from sdgnet.partners.actions import do_pledge, do_report_progress

    empty = report_json(client)
    assert empty["proposals"]["total"] == 0
    assert empty["pledges"] == []
    page = client.get(f"/places/{HOME}/report/").content.decode()
    assert "Ingen innbyggere har kommet med forslag til denne kommunen ennå." in page

    citizen = do_create_user("citizen@example.no", Role.CITIZEN)
    admin = do_create_user("kommune@example.no", Role.MUNICIPALITY_ADMIN, place=HOME)
    text = "Flere sykkelparkeringer ved stasjonene, med tak og lading."
    bikes = do_propose(citizen, HOME, "Sykkelparkering", text, [11])
    benches = do_propose(citizen, HOME, "Benker langs elva", text, [3, 11])
    spam = do_propose(citizen, HOME, "Kjøp våre sykler", text, [12])
    do_propose(citizen, "0301", "Gratis buss i Oslo", text, [11])
    do_support(admin, benches)
    do_respond(admin, bikes, "accepted", "Bygges i 2027.")
    do_hide(admin, spam, "Reklame")
    partner = do_create_user("acme@example.no", Role.PARTNER, organisation="Acme AS")
    vans = do_pledge(partner, HOME, "Elektriske varebiler", text, [7, 13], due_year=2030)
    do_report_progress(partner, vans, 40, "")
    withdrawn = do_pledge(partner, HOME, "Solceller på taket", text, [7], due_year=2028)
    do_report_progress(partner, withdrawn, 0, "", "withdrawn")

    # The anonymous visitor's cached report follows the new proposals and pledges.
    report = report_json(client)
    assert report["proposals"]["total"] == 2  # the hidden one is no public record
    assert [(row["status"], row["count"]) for row in report["proposals"]["by_status"]] == [
        ("open", 1),
        ("considered", 0),
        ("accepted", 1),
        ("declined", 0),
    ]
    assert [
        (p["title"], p["support_count"], p["goals"]) for p in report["proposals"]["most_supported"]
    ] == [("Benker langs elva", 1, [3, 11]), ("Sykkelparkering", 0, [11])]
    assert [(p["organisation"], p["title"], p["progress"]) for p in report["pledges"]] == [
        ("Acme AS", "Elektriske varebiler", 40)
    ]
    html = client.get(f"/places/{HOME}/report/").content.decode()
    assert "2 forslag i alt: 1 åpent, 0 under behandling, 1 tatt inn, 0 ikke tatt inn." in html
    assert "Elektriske varebiler" in html
    assert "Kjøp våre sykler" not in html
    assert "Solceller på taket" not in html
