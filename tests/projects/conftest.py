"""Library fixtures: users per role and projects in every state, written through the
library's own actions and indexed as a save would index them."""

from __future__ import annotations

from typing import Any

import pytest

from sdgnet.accounts.actions import do_create_user
from sdgnet.accounts.models import Role

HOME = "3201"  # Bærum
OTHER = "0301"  # Oslo
PASSWORD = "kvitveis-Ugle-2030"


def hidden_projects() -> dict[str, Any]:
    base = {"summary": "Hemmelig prosjekt om sykkelparkering ved stasjonene.", "body": "Sykkelparkering.",
            "language": "nb", "municipality": HOME, "goals": [11], "status": "planned"}  # fmt: skip
    return {
        "projects": [
            {**base, "key": "t-draft", "title": "Utkast sykkelparkering", "published": False,
             "visibility": "public"},
            {**base, "key": "t-network", "title": "Nettverk sykkelparkering", "published": True,
             "visibility": "network"},
            {**base, "key": "t-public", "title": "Offentlig sykkelparkering", "published": True,
             "visibility": "public"},
        ]
    }  # fmt: skip


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    return {
        "network_admin": do_create_user("admin@example.no", Role.NETWORK_ADMIN),
        "editor": do_create_user("editor@example.no", Role.EDITOR, place=HOME),
        "other_editor": do_create_user("oslo-editor@example.no", Role.EDITOR, place=OTHER),
        "partner": do_create_user("partner@example.no", Role.PARTNER, organisation="Acme AS"),
        "citizen": do_create_user("citizen@example.no", Role.CITIZEN),
    }


@pytest.fixture
def hidden(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    from sdgnet.projects.actions import do_import_library

    with django_capture_on_commit_callbacks(execute=True):
        report = do_import_library(hidden_projects())
    assert report.ok, report.problems
