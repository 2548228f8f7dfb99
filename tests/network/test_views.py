"""The local-targets page: anyone reads a municipality's own targets; its staff choose the
indicator from a list, type the target as the page's language writes numbers, and remove
a target. Real users, views, actions and database."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client

from sdgnet.accounts.models import AuditEvent
from sdgnet.network.models import LocalTarget

pytestmark = pytest.mark.django_db

HOME = "3201"  # Bærum
TURNOUT = "voter-turnout-storting"  # scored: best 88.6, worst 72.5
POPULATION = "population"  # a context indicator: nothing is scored against a target
PAGE = f"/network/targets/{HOME}/"


@pytest.fixture
def editor(db: Any) -> Client:
    from sdgnet.accounts.actions import do_create_user
    from sdgnet.accounts.models import Role

    client = Client()
    client.force_login(do_create_user("editor@example.no", Role.EDITOR, place=HOME))
    return client


def post(client: Client, data: dict[str, Any], prefix: str = "") -> Any:
    return client.post(f"{prefix}{PAGE}", data, follow=True)


@pytest.mark.parametrize(("prefix", "typed"), [("", "82,5"), ("/en", "82.5")])
def test_a_target_is_typed_as_the_pages_language_writes_numbers(
    editor: Client, prefix: str, typed: str
) -> None:
    response = post(editor, {"indicator": TURNOUT, "value": typed, "year": 2030}, prefix)
    assert response.status_code == 200
    assert LocalTarget.objects.get(place_id=HOME, indicator_id=TURNOUT).value == 82.5
    assert typed in html.unescape(response.content.decode())


def test_a_number_that_may_group_thousands_is_refused_on_the_field(editor: Client) -> None:
    response = editor.post(PAGE, {"indicator": TURNOUT, "value": "82.500", "year": 2030})
    assert response.status_code == 200
    assert response.context["form"].errors["value"]
    assert not LocalTarget.objects.exists()


def test_only_scored_indicators_are_offered_by_name(editor: Client) -> None:
    choices = dict(editor.get(PAGE).context["form"].fields["indicator"].choices)
    assert choices[TURNOUT] == f"Valgdeltakelse ved stortingsvalg ({TURNOUT})"
    assert POPULATION not in choices
    response = editor.post(PAGE, {"indicator": POPULATION, "value": "1", "year": 2030})
    assert response.context["form"].errors["indicator"]
    assert not LocalTarget.objects.exists()


def test_staff_remove_a_target_and_it_is_audited(
    editor: Client, django_capture_on_commit_callbacks: Any
) -> None:
    post(editor, {"indicator": TURNOUT, "value": "82,5", "year": 2030})
    with django_capture_on_commit_callbacks() as rescores:
        response = post(editor, {"remove": TURNOUT})
    assert "Målet for Valgdeltakelse ved stortingsvalg er fjernet." in response.content.decode()
    assert not LocalTarget.objects.exists()
    assert AuditEvent.objects.filter(action="network.delete_local_target").count() == 1
    assert rescores  # the scores against the target go with it


def test_others_see_the_targets_but_no_form_and_cannot_remove(editor: Client) -> None:
    post(editor, {"indicator": TURNOUT, "value": "82,5", "year": 2030})
    page = Client().get(PAGE).content.decode()
    assert "Valgdeltakelse ved stortingsvalg" in page and "82,5" in page
    assert 'name="remove"' not in page and 'name="value"' not in page
    assert Client().post(PAGE, {"remove": TURNOUT}).status_code == 404
    assert LocalTarget.objects.count() == 1


def test_removing_a_target_that_is_not_set_answers_404(editor: Client) -> None:
    assert editor.post(PAGE, {"remove": TURNOUT}).status_code == 404


def test_the_municipality_page_links_to_its_own_targets(client: Client) -> None:
    assert f'href="{PAGE}"' in client.get(f"/places/{HOME}/").content.decode()


# ------------------------------------------------------------------ learning groups


@pytest.fixture
def coordinator(db: Any) -> Client:
    """A network admin, with Bærum, Asker and Oslo approved as members."""
    from sdgnet.accounts.actions import do_create_user
    from sdgnet.accounts.models import Role
    from sdgnet.network.actions import do_apply_for_membership, do_decide_membership

    admin = do_create_user("coordinator@example.no", Role.NETWORK_ADMIN)
    for code in ("3201", "3203", "0301"):
        do_decide_membership(admin, do_apply_for_membership(admin, code), approve=True)
    client = Client()
    client.force_login(admin)
    return client


def test_a_learning_group_is_made_by_ticking_goals_and_members_by_name(
    coordinator: Client,
) -> None:
    from sdgnet.network.models import LearningGroup

    form = coordinator.get("/network/groups/new/").context["form"]
    assert dict(form.fields["goals"].choices)[13] == "13. Stoppe klimaendringene"
    # Only approved members can be ticked.
    assert dict(form.fields["members"].choices) == {
        "3201": "Bærum (3201)",
        "3203": "Asker (3203)",
        "0301": "Oslo (0301)",
    }
    response = coordinator.post(
        "/network/groups/new/",
        {"name": "Klima", "goals": ["13", "7"], "members": ["3201", "0301"]},
    )
    assert response.status_code == 302
    group = LearningGroup.objects.get(slug="klima")
    assert sorted(group.goals.values_list("number", flat=True)) == [7, 13]
    assert sorted(group.members.values_list("code", flat=True)) == ["0301", "3201"]
    refused = coordinator.post(
        "/network/groups/new/", {"name": "Annet", "members": ["5001"], "goals": ["18"]}
    )
    assert set(refused.context["form"].errors) == {"members", "goals"}
    assert not LearningGroup.objects.filter(slug="annet").exists()


def test_a_network_admin_changes_a_groups_members_on_its_page(coordinator: Client) -> None:
    from sdgnet.network.models import LearningGroup

    coordinator.post("/network/groups/new/", {"name": "Klima", "members": ["3201"]})
    page = coordinator.get("/network/groups/klima/")
    assert page.context["form"].initial == {"members": ["3201"]}
    response = coordinator.post(
        "/network/groups/klima/", {"members": ["3203", "0301"]}, follow=True
    )
    assert "Medlemmene er lagret." in response.content.decode()
    group = LearningGroup.objects.get(slug="klima")
    assert sorted(group.members.values_list("code", flat=True)) == ["0301", "3203"]
    assert AuditEvent.objects.filter(action="network.set_learning_group_members").count() == 1
    # Everyone else reads the group and its members, without the form, and cannot post.
    anonymous = Client()
    assert anonymous.get("/network/groups/klima/").context["form"] is None
    assert anonymous.post("/network/groups/klima/", {"members": []}).status_code == 404
    assert group.members.count() == 2
