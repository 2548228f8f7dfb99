"""Every interface string has a bokmål translation, and the compiled catalog is current."""

from __future__ import annotations

import gettext
from pathlib import Path

from babel.messages.pofile import read_po

import sdgnet

LOCALE = Path(sdgnet.__file__).parent / "web" / "locale"


def test_every_message_is_translated_to_bokmaal() -> None:
    with (LOCALE / "nb" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = read_po(handle, locale="nb")
    untranslated = [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not (all(message.string) if isinstance(message.string, tuple) else message.string)
        )
    ]
    assert untranslated == []


def test_compiled_catalog_matches_the_po_file() -> None:
    with (LOCALE / "nb" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = read_po(handle, locale="nb")
    with (LOCALE / "nb" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in catalog:
        if message.id and isinstance(message.id, str) and not message.context:
            assert compiled.gettext(message.id) == message.string, message.id
