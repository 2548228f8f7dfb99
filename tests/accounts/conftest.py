"""One user per role, for the permission, embargo and API tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from sdgnet.accounts.actions import do_create_api_token, do_create_user
from sdgnet.accounts.models import Role

HOME = "3201"  # Bærum
OTHER = "0301"  # Oslo


@dataclass
class Person:
    user: Any
    token: str


def person(email: str, role: str, place: str | None = None, organisation: str = "") -> Person:
    # No password: tests log in with force_login, and argon2 hashing is slow on purpose.
    user = do_create_user(email, role, place=place, organisation=organisation)
    return Person(user=user, token=do_create_api_token(user).secret)


@pytest.fixture
def people(db: Any) -> dict[str, Person]:
    """Keyed by the names the permission matrix uses."""
    return {
        "network_admin": person("admin@example.no", Role.NETWORK_ADMIN),
        "municipality_admin": person("kommune@example.no", Role.MUNICIPALITY_ADMIN, HOME),
        "editor": person("editor@example.no", Role.EDITOR, HOME),
        "other_editor": person("oslo-editor@example.no", Role.EDITOR, OTHER),
        "other_admin": person("oslo-admin@example.no", Role.MUNICIPALITY_ADMIN, OTHER),
        "partner": person("partner@example.no", Role.PARTNER, organisation="Acme AS"),
        "citizen": person("citizen@example.no", Role.CITIZEN),
    }
