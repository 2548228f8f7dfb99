"""Passwords set by the change form, the reset link and an accepted invitation are
recorded in the audit log, which never holds the password or its hash."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from sdgnet.accounts.actions import do_create_user, do_invite_user
from sdgnet.accounts.models import AuditEvent, Role

pytestmark = pytest.mark.django_db

OLD = "kvitveis-Ugle-2030"
NEW = "blåbær-Rev-2031"


def login(email: str, password: str) -> bool:
    response = Client().post("/accounts/login/", {"username": email, "password": password})
    return response.status_code == 302


def audit_log_text() -> str:
    events = AuditEvent.objects.values("actor_label", "object_id", "before", "after")
    return json.dumps(list(events), ensure_ascii=False)


def assert_no_secrets(*secrets: str) -> None:
    text = audit_log_text()
    for secret in secrets:
        assert secret not in text
    for password_hash in get_user_model().objects.values_list("password", flat=True):
        assert password_hash not in text


def only_event(action: str) -> Any:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, events
    return events[0]


def test_changing_the_password_while_logged_in_is_audited() -> None:
    user = do_create_user("change@example.no", Role.CITIZEN, password=OLD)
    client = Client()
    client.force_login(user)
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and b"csrfmiddlewaretoken" in page.content
    wrong = {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW}
    assert client.post("/accounts/password/", wrong).status_code == 200
    assert not AuditEvent.objects.filter(action="accounts.change_password").exists()

    right = {"old_password": OLD, "new_password1": NEW, "new_password2": NEW}
    response = client.post("/accounts/password/", right)
    assert response.status_code == 302
    # The session that changed the password stays logged in.
    assert client.get("/accounts/tokens/").status_code == 200
    assert login("change@example.no", NEW) and not login("change@example.no", OLD)
    event = only_event("accounts.change_password")
    assert event.actor == user and event.object_id == str(user.pk)
    assert event.after == {"password": "changed"} and event.before is None
    assert_no_secrets(OLD, NEW)


def test_a_password_set_through_the_reset_link_is_audited() -> None:
    user = do_create_user("reset-me@example.no", Role.CITIZEN, password=OLD)
    assert Client().post("/accounts/password-reset/", {"email": "reset-me@example.no"})
    link = re.search(r"https?://[^/]+(/\S*/reset/\S+/)", mail.outbox[-1].body)
    assert link is not None
    client = Client()
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert login("reset-me@example.no", NEW)
    event = only_event("accounts.reset_password")
    assert event.actor == user and event.after == {"password": "changed"}
    assert_no_secrets(OLD, NEW)


def test_a_password_chosen_when_accepting_an_invitation_is_audited() -> None:
    admin = do_create_user("invites@example.no", Role.NETWORK_ADMIN)
    invitation = do_invite_user(admin, "invited@example.no", Role.PARTNER, organisation="Acme")
    response = Client().post(
        f"/accounts/invitations/{invitation.secret}/", {"password1": NEW, "password2": NEW}
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="invited@example.no")
    event = only_event("accounts.set_password")
    assert event.actor == user and event.after == {"password": "changed"}
    assert login("invited@example.no", NEW)
    assert_no_secrets(NEW, invitation.secret)


def test_the_django_admin_offers_no_unaudited_way_to_set_passwords() -> None:
    """Django's own user admin would set passwords and activate accounts past the actions."""
    admin: Any = do_create_user("superadmin@example.no", Role.NETWORK_ADMIN, password=OLD)
    admin.is_superuser = admin.is_staff = True
    admin.save()
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 404
    assert client.get(f"/admin/auth/user/{admin.pk}/password/").status_code == 404
    assert client.get("/admin/auth/group/").status_code == 404
