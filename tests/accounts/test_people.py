"""The people page: who sees which accounts, who may give which role, revoking access,
and the guards (nobody changes their own role; the last network admin stays)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import translation

from sdgnet.accounts.actions import (
    AccountError,
    do_change_role,
    do_deactivate_user,
    do_reactivate_user,
    may_invite,
)
from sdgnet.accounts.models import ApiToken, AuditEvent, Profile, Role

from .conftest import HOME, OTHER, Person

pytestmark = pytest.mark.django_db


@contextmanager
def refused(match: str) -> Iterator[None]:
    """The action refuses, saying why (in English: pages earlier in a test may have left
    bokmål active)."""
    with translation.override("en"), pytest.raises(AccountError, match=match):
        yield


def logged_in(person: Person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def profile_row(person: Person) -> tuple[str, str | None, bool]:
    profile = Profile.objects.select_related("user").get(user=person.user)
    return profile.role, profile.place_id, profile.user.is_active


def listed(client: Client, query: str = "") -> str:
    response = client.get(f"/accounts/people/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_network_admin_sees_every_account_and_filters_them(people: dict[str, Person]) -> None:
    client = logged_in(people["network_admin"])
    page = listed(client)
    for person in people.values():
        assert person.user.username in page
    by_role = listed(client, f"?role={Role.EDITOR}")
    assert "editor@example.no" in by_role and "oslo-editor@example.no" in by_role
    assert "kommune@example.no" not in by_role
    by_place = listed(client, f"?place={OTHER}")
    assert "oslo-admin@example.no" in by_place and "kommune@example.no" not in by_place
    by_email = listed(client, "?q=PARTNER@")
    assert "partner@example.no" in by_email and "citizen@example.no" not in by_email


def test_the_list_is_paginated(people: dict[str, Person]) -> None:
    from sdgnet.accounts.actions import do_create_user
    from sdgnet.accounts.views import PEOPLE_PER_PAGE

    for number in range(PEOPLE_PER_PAGE + 1):
        do_create_user(f"many-{number:03d}@example.no", Role.CITIZEN)
    client = logged_in(people["network_admin"])
    first = listed(client, "?q=many-")
    second = listed(client, "?q=many-&page=2")
    assert "many-000@example.no" in first and "many-050@example.no" not in first
    assert "many-050@example.no" in second and "many-000@example.no" not in second
    assert "q=many-&amp;page=2" in first


def test_a_municipality_admin_sees_only_their_own_municipality(
    people: dict[str, Person],
) -> None:
    page = listed(logged_in(people["municipality_admin"]))
    assert "editor@example.no" in page and "kommune@example.no" in page
    for other in ("oslo-editor@example.no", "oslo-admin@example.no", "admin@example.no"):
        assert other not in page
    for other in ("partner@example.no", "citizen@example.no"):
        assert other not in page


def test_a_municipality_admin_gets_404_for_another_municipality_and_nothing_changes(
    people: dict[str, Person],
) -> None:
    client = logged_in(people["municipality_admin"])
    events = AuditEvent.objects.count()
    for name in ("other_editor", "other_admin", "network_admin", "citizen"):
        target = people[name]
        before = profile_row(target)
        pk = target.user.pk
        assert client.get(f"/accounts/people/{pk}/").status_code == 404
        posted = client.post(f"/accounts/people/{pk}/", {"role": Role.EDITOR, "place": HOME})
        assert posted.status_code == 404
        assert client.post(f"/accounts/people/{pk}/deactivate/").status_code == 404
        assert profile_row(target) == before
        assert ApiToken.objects.filter(user=target.user, revoked_at__isnull=True).exists()
    assert AuditEvent.objects.count() == events


def test_a_municipality_admin_gives_only_staff_roles_of_their_own_municipality(
    people: dict[str, Person],
) -> None:
    admin = people["municipality_admin"].user
    editor = people["editor"]
    client = logged_in(people["municipality_admin"])
    page = client.get(f"/accounts/people/{editor.user.pk}/").content.decode()
    assert f'value="{Role.NETWORK_ADMIN}"' not in page and f'value="{OTHER}"' not in page
    for role, place in ((Role.NETWORK_ADMIN, None), (Role.CITIZEN, None), (Role.EDITOR, OTHER)):
        response = client.post(
            f"/accounts/people/{editor.user.pk}/", {"role": role, "place": place or ""}
        )
        assert response.status_code == 200  # the form again, with its errors
        assert profile_row(editor) == (Role.EDITOR, HOME, True)
        with pytest.raises(AccountError):
            do_change_role(editor.user, role, place=place, actor=admin)
    assert not may_invite(admin, Role.NETWORK_ADMIN, None)
    assert may_invite(admin, Role.MUNICIPALITY_ADMIN, HOME)

    response = client.post(
        f"/accounts/people/{editor.user.pk}/", {"role": Role.MUNICIPALITY_ADMIN, "place": HOME}
    )
    assert response.status_code == 302
    assert profile_row(editor) == (Role.MUNICIPALITY_ADMIN, HOME, True)
    event = AuditEvent.objects.filter(action="accounts.change_role").first()
    assert event is not None and event.actor == admin and event.place_id == HOME
    assert event.before is not None and event.before["role"] == Role.EDITOR
    assert event.after is not None and event.after["role"] == Role.MUNICIPALITY_ADMIN


def test_a_network_admin_changes_role_and_municipality(people: dict[str, Person]) -> None:
    client = logged_in(people["network_admin"])
    citizen = people["citizen"]
    response = client.post(
        f"/accounts/people/{citizen.user.pk}/", {"role": Role.EDITOR, "place": OTHER}
    )
    assert response.status_code == 302
    assert profile_row(citizen) == (Role.EDITOR, OTHER, True)
    # A place role without a municipality is refused with a message.
    response = client.post(f"/en/accounts/people/{citizen.user.pk}/", {"role": Role.EDITOR})
    assert response.status_code == 200
    assert "needs a municipality" in response.content.decode()
    assert profile_row(citizen) == (Role.EDITOR, OTHER, True)


def test_nobody_changes_their_own_role_or_access(people: dict[str, Person]) -> None:
    for name in ("network_admin", "municipality_admin"):
        person = people[name]
        before = profile_row(person)
        client = logged_in(person)
        assert client.get(f"/accounts/people/{person.user.pk}/").status_code == 200
        client.post(f"/accounts/people/{person.user.pk}/", {"role": Role.EDITOR, "place": HOME})
        client.post(f"/accounts/people/{person.user.pk}/deactivate/")
        assert profile_row(person) == before
        with refused("own role"):
            do_change_role(person.user, Role.EDITOR, place=HOME, actor=person.user)
        with refused("own role"):
            do_deactivate_user(person.user, actor=person.user)


def test_the_last_active_network_admin_cannot_be_removed(people: dict[str, Person]) -> None:
    only_admin = people["network_admin"].user
    second = get_user_model().objects.get(username="oslo-admin@example.no")
    do_change_role(second, Role.NETWORK_ADMIN, actor=only_admin)
    # Two admins: one may deactivate the other, who then is the last one.
    do_deactivate_user(only_admin, actor=second)
    with refused("last active network administrator"):
        do_change_role(second, Role.CITIZEN)  # not even an operator
    with refused("last active network administrator"):
        do_deactivate_user(second, actor=None)
    second.refresh_from_db()
    assert second.is_active and second.profile.role == Role.NETWORK_ADMIN
    do_reactivate_user(only_admin, actor=second)
    client = logged_in(people["network_admin"])
    response = client.post(f"/accounts/people/{second.pk}/", {"role": Role.CITIZEN})
    assert response.status_code == 302
    assert Profile.objects.get(user=second).role == Role.CITIZEN


def test_the_admin_checks_the_same_rules(people: dict[str, Person]) -> None:
    admin = people["network_admin"]
    client = logged_in(admin)
    own = Profile.objects.get(user=admin.user)
    url = f"/admin/accounts/profile/{own.pk}/change/"
    form = {"user": admin.user.pk, "role": Role.CITIZEN, "place": "", "organisation": ""}
    response = client.post(url, form)
    assert response.status_code == 200  # the form again, with the refusal
    assert 'class="errornote"' in response.content.decode()
    assert profile_row(admin) == (Role.NETWORK_ADMIN, None, True)
    partner = Profile.objects.get(user=people["partner"].user)
    form = {"user": partner.user_id, "role": Role.EDITOR, "place": OTHER, "organisation": ""}
    response = client.post(f"/admin/accounts/profile/{partner.pk}/change/", form)
    assert response.status_code == 302
    assert profile_row(people["partner"]) == (Role.EDITOR, OTHER, True)
    assert AuditEvent.objects.filter(action="accounts.change_role", actor=admin.user).exists()


def test_revoking_access_kills_tokens_and_sessions(people: dict[str, Person]) -> None:
    editor = people["editor"]
    browser = logged_in(editor)
    assert browser.get("/accounts/tokens/").status_code == 200
    api = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {editor.token}"}
    assert api.get(f"/api/v1/observations?place={HOME}", **headers).status_code == 200

    admin = logged_in(people["municipality_admin"])
    response = admin.post(f"/accounts/people/{editor.user.pk}/deactivate/")
    assert response.status_code == 302

    assert profile_row(editor) == (Role.EDITOR, HOME, False)
    assert not ApiToken.objects.filter(user=editor.user, revoked_at__isnull=True).exists()
    assert api.get(f"/api/v1/observations?place={HOME}", **headers).status_code == 401
    assert browser.get("/accounts/tokens/").status_code == 302  # sent to log in
    remaining = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(editor.user.pk) not in remaining
    event = AuditEvent.objects.get(action="accounts.deactivate_user")
    assert event.actor == people["municipality_admin"].user
    assert event.before is not None and event.before["active"] is True
    assert event.after is not None and event.after["active"] is False
    assert event.after["tokens_revoked"] == 1 and event.after["sessions_ended"] == 1

    response = admin.post(f"/accounts/people/{editor.user.pk}/reactivate/")
    assert response.status_code == 302
    assert profile_row(editor) == (Role.EDITOR, HOME, True)
    # Reactivation does not bring old tokens back.
    assert api.get(f"/api/v1/observations?place={HOME}", **headers).status_code == 401
    assert AuditEvent.objects.filter(action="accounts.reactivate_user").count() == 1


def test_staff_without_the_right_get_403_and_the_menu_links_the_page(
    people: dict[str, Person],
) -> None:
    editor = people["editor"]
    assert logged_in(editor).get(f"/accounts/people/{editor.user.pk}/").status_code == 403
    home: Any = logged_in(people["municipality_admin"]).get("/")
    assert 'href="/accounts/people/"' in home.content.decode()
    assert 'href="/accounts/people/"' not in logged_in(editor).get("/").content.decode()
    assert 'href="/accounts/password/"' in logged_in(editor).get("/").content.decode()
