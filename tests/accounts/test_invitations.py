"""Accepting an invitation: a new address chooses its password; an address that has an
account keeps its password, and its owner accepts logged in with it (docs/roles.md)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from sdgnet.accounts.actions import (
    AccountError,
    do_accept_invitation,
    do_create_user,
    do_deactivate_user,
    do_invite_user,
)
from sdgnet.accounts.models import AuditEvent, Invitation, Role

pytestmark = pytest.mark.django_db

OLD = "kvitveis-Ugle-2030"
NEW = "blaaveis-Rev-2031"


@pytest.fixture
def invited() -> tuple[Any, str]:
    """Kari has a citizen account; Bærum's admin invites her address as an editor."""
    kari = do_create_user("kari@example.no", Role.CITIZEN, password=OLD)
    admin = do_create_user("admin3201@example.no", Role.MUNICIPALITY_ADMIN, place="3201")
    return kari, do_invite_user(admin, "kari@example.no", Role.EDITOR, place="3201").secret


def role_of(user: Any) -> tuple[str, str | None]:
    user.refresh_from_db()
    return user.profile.role, user.profile.place_id


def test_an_existing_account_is_not_asked_for_a_password_and_keeps_its_own(
    invited: tuple[Any, str],
) -> None:
    kari, secret = invited
    passwords_set = AuditEvent.objects.filter(action__endswith="_password").count()
    url = f"/en/accounts/invitations/{secret}/"
    page = Client().get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="password"' not in html
    assert "its password stays as it is" in html
    assert f'href="/en/accounts/login/?next=%2Fen%2Faccounts%2Finvitations%2F{secret}%2F"' in html
    # A password posted anyway sets nothing and accepts nothing.
    Client().post(url, {"password1": NEW, "password2": NEW})
    assert role_of(kari) == (Role.CITIZEN, None)
    assert kari.check_password(OLD) and not kari.check_password(NEW)
    # Logged in with her own password, she accepts with one button.
    client = Client()
    login = client.post(
        "/en/accounts/login/", {"username": "kari@example.no", "password": OLD, "next": url}
    )
    assert login.status_code == 302 and login["Location"] == url
    page = client.get(url)
    assert 'type="password"' not in page.content.decode()
    assert client.post(url).status_code == 302
    assert role_of(kari) == (Role.EDITOR, "3201")
    kari.refresh_from_db()
    assert kari.check_password(OLD)
    assert AuditEvent.objects.filter(action__endswith="_password").count() == passwords_set
    assert client.get(url).status_code == 404  # used once


def test_a_new_address_still_chooses_its_password() -> None:
    admin = do_create_user("admin3201@example.no", Role.MUNICIPALITY_ADMIN, place="3201")
    secret = do_invite_user(admin, "ny@example.no", Role.EDITOR, place="3201").secret
    url = f"/accounts/invitations/{secret}/"
    assert 'type="password"' in Client().get(url).content.decode()
    assert Client().post(url, {"password1": NEW, "password2": NEW}).status_code == 302
    user = get_user_model().objects.get(username="ny@example.no")
    assert user.check_password(NEW)
    assert role_of(user) == (Role.EDITOR, "3201")


def test_someone_else_logged_in_cannot_accept_for_the_account(invited: tuple[Any, str]) -> None:
    kari, secret = invited
    client = Client()
    client.force_login(do_create_user("ola@example.no", Role.CITIZEN))
    url = f"/en/accounts/invitations/{secret}/"
    page = client.get(url).content.decode()
    assert "You are logged in as ola@example.no, not as kari@example.no." in page
    assert client.post(url).status_code == 200
    assert role_of(kari) == (Role.CITIZEN, None)
    assert Invitation.objects.get().accepted_at is None
    with pytest.raises(AccountError) as refused:
        do_accept_invitation(secret, NEW)  # the action refuses a password for her account too
    assert "kari@example.no" in refused.value.problems[0]
    assert role_of(kari) == (Role.CITIZEN, None)


def test_a_deactivated_account_is_told_so(invited: tuple[Any, str]) -> None:
    kari, secret = invited
    do_deactivate_user(kari, actor=None)  # an operator
    url = f"/en/accounts/invitations/{secret}/"
    page = Client().get(url).content.decode()
    main = page.split("<main", 1)[1]
    assert "is not active" in main and "/accounts/login/" not in main
    assert Client().post(url).status_code == 200
    assert role_of(kari) == (Role.CITIZEN, None)
