"""Publishing an embargoed import through the API: who may, and the conflict when another
request publishes it first, answered in the request's language."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from sdgnet.accounts.actions import do_create_api_token, do_create_user
from sdgnet.accounts.models import Role
from sdgnet.observations.models import ImportBatch

pytestmark = pytest.mark.django_db

TURNOUT = "voter-turnout-storting"
HOME = "3201"  # Bærum
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def bearer(role: Role, email: str) -> dict[str, str]:
    user = do_create_user(email, role, place=HOME)
    return {"HTTP_AUTHORIZATION": f"Bearer {do_create_api_token(user).secret}"}


def embargoed_import(auth: dict[str, str], value: float = 80.5) -> int:
    rows = [{"place": HOME, "indicator": TURNOUT, "year": 2026, "value": value}]
    response = Client().post(
        "/api/v1/observations?embargoed=true",
        json.dumps(rows),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201, response.content
    return int(response.json()["batch"])


def published_by_another_request_first(batch_id: int) -> Callable[..., Any]:
    """A database hook that publishes the import, as a second admin's request would, just
    before the action's own (locking) read of it: after this request found it waiting,
    before it publishes. The read that finds it waiting filters on `published_at`; the
    action's read of the row by its key does not. (The hook's update runs inside the
    action's transaction, so the refusal rolls it back; the conflict is what is tested.)"""
    done = False

    def hook(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal done
        where = sql.partition(" WHERE ")[2]
        reads_the_batch = sql.startswith("SELECT") and '"observations_importbatch"' in sql
        if not done and reads_the_batch and where and '"published_at" IS NULL' not in where:
            done = True
            ImportBatch.objects.filter(pk=batch_id).update(published_at=timezone.now())
        return execute(sql, params, many, context)

    return hook


def test_a_publish_conflict_is_worded_in_the_requests_language() -> None:
    admin = bearer(Role.MUNICIPALITY_ADMIN, "kommune@example.no")
    for value, headers, message in (
        (80.5, {}, "denne importen venter ikke på publisering"),
        (81.5, ENGLISH, "this import is not waiting to be published"),
        (
            82.5,
            {"HTTP_ACCEPT_LANGUAGE": "nb-NO,en;q=0.5"},
            "denne importen venter ikke på publisering",
        ),
    ):
        batch_id = embargoed_import(admin, value)
        with connection.execute_wrapper(published_by_another_request_first(batch_id)):
            response = Client().post(f"/api/v1/batches/{batch_id}/publish", **admin, **headers)
        assert response.status_code == 409, response.content
        error = response.json()["error"]
        assert (error["code"], error["message"]) == ("not_embargoed", message), headers


def test_an_editor_may_not_publish_in_either_language() -> None:
    editor = bearer(Role.EDITOR, "editor@example.no")
    batch_id = embargoed_import(editor)
    path = f"/api/v1/batches/{batch_id}/publish"
    nb = Client().post(path, **editor)
    en = Client().post(path, **editor, **ENGLISH)
    assert nb.status_code == en.status_code == 403
    assert nb.json()["error"] == {
        "code": "forbidden",
        "message": "Bare en kommune- eller nettverksadministrator publiserer.",
        "problems": [],
    }
    assert en.json()["error"] == {
        "code": "forbidden",
        "message": "Only a municipality or network admin publishes.",
        "problems": [],
    }
    assert ImportBatch.objects.get(pk=batch_id).published_at is None
