"""The importer's messages are made in the active language, bokmål unless a page, a
request or a test says otherwise. Most tests here read them in English; the tests of
the languages themselves (test_languages.py) choose theirs explicitly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import Workbook


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def editor(db: None) -> Client:
    """A signed-in editor of Bærum (3201), the municipality these tests write for."""
    from sdgnet.accounts.actions import do_create_user
    from sdgnet.accounts.models import Role

    user = do_create_user("editor@example.no", Role.EDITOR, place="3201")
    client = Client()
    client.force_login(user)
    return client


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    """An xlsx file whose first sheet holds `rows`."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
