"""Accounts: e-mail login, lockout, sign-up without enumeration, invitations, the CLI."""

from __future__ import annotations

import io
import re
import sys
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from sdgnet.accounts.actions import (
    AccountError,
    do_accept_invitation,
    do_create_api_token,
    do_create_user,
    do_invite_user,
    hash_secret,
    user_for_token,
)
from sdgnet.accounts.models import ApiToken, AuditEvent, Role

pytestmark = pytest.mark.django_db

PASSWORD = "kvitveis-Ugle-2030"


def without_tokens(html: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


def login(client: Client, email: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_login_with_the_email_address_and_logout() -> None:
    do_create_user("Kari@Example.no", Role.CITIZEN, password=PASSWORD)
    client = Client()
    response = login(client, "kari@example.NO", PASSWORD)
    assert response.status_code == 302
    assert client.get("/accounts/tokens/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/accounts/tokens/").status_code == 302


def test_passwords_are_hashed_with_argon2() -> None:
    user = do_create_user("argon@example.no", Role.CITIZEN, password=PASSWORD)
    assert user.password.startswith("argon2$")


def test_repeated_failures_lock_the_address_out_whether_or_not_it_exists() -> None:
    do_create_user("locked@example.no", Role.CITIZEN, password=PASSWORD)
    answers = {}
    for email in ("locked@example.no", "nobody@example.no"):
        client = Client()
        for _ in range(4):
            assert login(client, email, "wrong-password").status_code == 200
        assert login(client, email, "wrong-password").status_code == 429  # the fifth
        answers[email] = login(client, email, PASSWORD if "locked" in email else "x")
    assert answers["locked@example.no"].status_code == 429
    assert answers["nobody@example.no"].status_code == 429
    # Locked out even with the right password; the two answers read the same.
    assert without_tokens(answers["locked@example.no"].content) == without_tokens(
        answers["nobody@example.no"].content
    )


def test_signup_answers_the_same_for_known_and_unknown_addresses() -> None:
    do_create_user("known@example.no", Role.CITIZEN, password=PASSWORD)
    data = {"password1": PASSWORD, "password2": PASSWORD}
    known = Client().post("/accounts/signup/", {"email": "known@example.no", **data})
    new = Client().post("/accounts/signup/", {"email": "new@example.no", **data})
    assert known.status_code == new.status_code == 200
    assert without_tokens(known.content) == without_tokens(new.content)
    new_user = get_user_model().objects.get(username="new@example.no")
    assert not new_user.is_active
    link = re.search(r"https?://\S+/accounts/activate/\S+/", mail.outbox[-1].body)
    assert link is not None
    assert Client().get(link.group(0)).status_code == 200
    new_user.refresh_from_db()
    assert new_user.is_active


def test_password_reset_does_not_tell_whether_the_address_exists() -> None:
    do_create_user("reset@example.no", Role.CITIZEN, password=PASSWORD)
    known = Client().post("/accounts/password-reset/", {"email": "reset@example.no"})
    unknown = Client().post("/accounts/password-reset/", {"email": "ghost@example.no"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mail.outbox] == [["reset@example.no"]]


def test_invitation_for_an_editor_by_a_municipality_admin() -> None:
    admin = do_create_user("admin3201@example.no", Role.MUNICIPALITY_ADMIN, place="3201")
    new = do_invite_user(admin, "editor@example.no", Role.EDITOR, place="3201")
    user = do_accept_invitation(new.secret, PASSWORD)
    assert user.profile.role == Role.EDITOR  # type: ignore[attr-defined]
    assert user.profile.place_id == "3201"  # type: ignore[attr-defined]
    with pytest.raises(AccountError):
        do_accept_invitation(new.secret, PASSWORD)  # used once
    # ... but not for another municipality, nor a network admin.
    for role, place in ((Role.EDITOR, "0301"), (Role.NETWORK_ADMIN, None)):
        with pytest.raises(AccountError):
            do_invite_user(admin, "other@example.no", role, place=place)
    assert AuditEvent.objects.filter(action="accounts.invite_user").count() == 1


def test_cli_creates_users_and_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    out = io.StringIO()
    call_command(
        "users",
        "create",
        "--email",
        "cli@example.no",
        "--role",
        "editor",
        "--place",
        "3201",
        "--password-stdin",
        stdout=out,
    )
    user = get_user_model().objects.get(username="cli@example.no")
    assert user.check_password(PASSWORD)
    assert user.profile.place_id == "3201"  # type: ignore[attr-defined]
    out = io.StringIO()
    call_command("tokens", "create", "--email", "cli@example.no", stdout=out)
    secret = out.getvalue().strip()
    assert secret.startswith("sdg_")
    stored = ApiToken.objects.get(user=user)
    assert stored.token_hash == hash_secret(secret)
    assert secret not in {stored.token_hash, stored.prefix}
    assert user_for_token(secret) == user
    with pytest.raises(CommandError):
        call_command("users", "create", "--email", "x@example.no", "--role", "editor")


def test_a_place_role_needs_a_municipality_and_others_have_none() -> None:
    with pytest.raises(AccountError):
        do_create_user("a@example.no", Role.EDITOR)
    with pytest.raises(AccountError):
        do_create_user("b@example.no", Role.CITIZEN, place="3201")
    with pytest.raises(AccountError):
        do_create_user("c@example.no", Role.EDITOR, place="9999")


def test_revoked_tokens_stop_working() -> None:
    user = do_create_user("tok@example.no", Role.PARTNER, organisation="Acme")
    new = do_create_api_token(user)
    assert user_for_token(new.secret) == user
    client = Client()
    client.force_login(user)
    assert client.post(f"/accounts/tokens/{new.token.pk}/revoke/").status_code == 302
    assert user_for_token(new.secret) is None
