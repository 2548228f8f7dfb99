"""No English left on bokmål pages.

Every page type is fetched in bokmål and in English, and the bokmål page's visible text
(text nodes, SVG chart text and the attributes people hear or see: aria-label, title,
alt, placeholder, button values) is checked two ways:

1. no English msgid whose bokmål translation differs shows up in it (the catalog's
   interface strings, placeholders matching anything);
2. every piece of text that is the same on the English page must be data: once place,
   source, indicator, peer group and library names are taken out, only numbers and a
   few words spelled alike in both languages may remain. This catches English that never
   went through gettext (a unit code, a hard-coded word, Django's own error page).

Text inside an element with a `lang` other than the page's (the "English" button, a
project written in English) is the author's language, not the interface's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from django.test import Client

import sdgnet

pytestmark = pytest.mark.django_db

CATALOG = Path(sdgnet.__file__).parent / "web" / "locale" / "nb" / "LC_MESSAGES" / "django.po"

# (page type, address without the language prefix, expected status)
PAGES = [
    ("home", "/", 200),
    ("home-search", "/?q=b%C3%A6r", 200),
    ("dashboard", "/places/3201/", 200),
    ("council-report", "/places/3201/report/", 200),
    ("goal", "/places/3201/goals/3/", 200),
    ("goal-16", "/places/3201/goals/16/", 200),
    ("goal-without-indicators", "/places/3201/goals/1/", 200),
    ("indicator-map", "/indicators/population-share-80plus/", 200),
    ("indicator-map-colours", "/indicators/voter-turnout-storting/?colour=dashboard", 200),
    ("compare", "/compare/?places=3201,3203", 200),
    ("compare-form", "/compare/", 200),
    ("compare-one", "/compare/?places=3201", 200),
    ("compare-error", "/compare/?places=3201,9999", 400),
    ("network", "/network/", 200),
    ("country-goal", "/goals/3/", 200),
    ("country-goal-empty", "/goals/1/", 200),
    ("search", "/search/?q=B%C3%A6rum", 200),
    ("search-nothing", "/search/?q=zzzqx", 200),
    ("library", "/projects/", 200),
    ("login", "/accounts/login/", 200),
    ("signup", "/accounts/signup/", 200),
    ("password-reset", "/accounts/password-reset/", 200),
    ("not-found", "/places/9999/", 404),
    ("no-such-page", "/no-such-page/", 404),
]

# Words written the same in bokmål and English, and symbols.
SAME_IN_BOTH = {"sdgnet", "Median", "Status", "JSON", "CSV", "km", "Kartverket", "CC", "BY", "SDG"}

_VOID = {"meta", "link", "input", "br", "img", "hr", "source", "area", "base", "col", "wbr"}
_HEARD = {"aria-label", "title", "alt", "placeholder"}


class VisibleText(HTMLParser):
    """Text a reader sees or hears, in the page's own language."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.chunks: list[str] = []
        self._stack: list[tuple[str, bool]] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, dict(attrs), void=tag in _VOID)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, dict(attrs), void=True)

    def _start(self, tag: str, attrs: dict[str, str | None], void: bool) -> None:
        lang = attrs.get("lang") or ""
        if tag == "html":
            self.lang = lang
            lang = ""
        hidden = tag in ("script", "style") or bool(lang and not lang.startswith(self.lang))
        if not void:
            self._stack.append((tag, hidden))
            self._hidden += hidden
        if hidden or self._hidden:
            return
        for name, value in attrs.items():
            if value and value.strip() and name in _HEARD:
                self.chunks.append(value.strip())
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.chunks.append(str(attrs["value"]).strip())

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            name, hidden = self._stack.pop()
            self._hidden -= hidden
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.chunks.append(" ".join(data.split()))


def visible_text(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser


def _pattern(msgid: str) -> re.Pattern[str] | None:
    """The msgid as a regular expression, each placeholder matching any text; None when
    its literal text is too little to tell English from data."""
    literal = re.split(r"%\(\w+\)[sd]|%[sd]", msgid.replace("%%", "%"))
    if not re.search(r"[^\W\d_]{2,}", "".join(literal)):
        return None
    # Each placeholder stands for text within one chunk (chunks are joined by newlines).
    body = r"[^\n]+?".join(re.escape(re.sub(r"\s+", " ", part)) for part in literal)
    return re.compile(r"(?<!\w)" + body.replace(r"\ ", r"\s+") + r"(?!\w)")


@cache
def english_messages() -> list[tuple[str, re.Pattern[str]]]:
    """The catalog's English msgids whose bokmål form differs."""
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="nb")
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid, msgstr in zip(ids, strings, strict=False):
            if " ".join(msgid.split()) != " ".join(msgstr.split()):
                pattern = _pattern(msgid)
                if pattern is not None:
                    found.append((msgid, pattern))
    return found


def _string_fields(model: Any) -> Iterator[str]:
    """Every free-text value of a model: data, not interface (fields with choices are
    interface words and must be translated)."""
    from django.db import models

    names = [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, (models.CharField, models.TextField))
        and not f.choices
        and f.name != "unit"  # a code the pages must show in words of the reader's language
    ]
    for row in model.objects.values_list(*names):
        yield from (value for value in row if value)


@cache
def data_pattern() -> re.Pattern[str]:
    from django.apps import apps

    from sdgnet.catalog.models import Indicator, SdgIndicator, Target
    from sdgnet.places.models import PeerGroup, Place

    strings: set[str] = set()
    for model in [
        Place,
        PeerGroup,
        Indicator,
        Target,
        SdgIndicator,
        *apps.get_app_config("projects").get_models(),
    ]:
        strings.update(" ".join(s.split()) for s in _string_fields(model))
    words = sorted((s for s in strings if len(s) >= 2), key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in words))


def english_left(nb_html: str, en_html: str) -> list[str]:
    nb = visible_text(nb_html)
    en = visible_text(en_html)
    assert nb.lang == "nb", nb_html[:300]
    assert en.lang == "en", en_html[:300]
    problems = []
    text = "\n".join(nb.chunks)
    for msgid, pattern in english_messages():
        if match := pattern.search(text):
            problems.append(f"catalog msgid {msgid!r} in {match.group(0)!r}")
    english = set(en.chunks)
    for chunk in sorted(set(nb.chunks) & english):
        rest = data_pattern().sub(" ", chunk)
        words = [w for w in re.findall(r"[^\W\d_]+", rest) if w not in SAME_IN_BOTH]
        if words:
            problems.append(f"same on the English page: {chunk!r}")
    return problems


@pytest.mark.parametrize(("path", "status"), [pytest.param(p, s, id=n) for n, p, s in PAGES])
def test_bokmal_page_has_no_english_interface_text(client: Client, path: str, status: int) -> None:
    nb = client.get(path)
    en = client.get("/en" + path)
    assert (nb.status_code, en.status_code) == (status, status)
    assert english_left(nb.content.decode(), en.content.decode()) == []


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/accounts/login/", {"username": "nobody@example.org", "password": "x"}),
        ("/accounts/signup/", {"email": "not-an-address", "password1": "a", "password2": "b"}),
    ],
    ids=["login", "signup"],
)
def test_form_errors_are_in_bokmal(client: Client, path: str, form: dict[str, str]) -> None:
    nb = client.post(path, form)
    en = client.post("/en" + path, form)
    assert nb.status_code == en.status_code == 200  # the form again, with its errors
    assert 'role="alert"' in nb.content.decode() or 'class="error"' in nb.content.decode()
    assert english_left(nb.content.decode(), en.content.decode()) == []


def test_server_error_page_is_in_bokmal() -> None:
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("nb"):
        nb = render_to_string("500.html")
    with translation.override("en"):
        en = render_to_string("500.html")
    assert english_left(nb, en) == []


def test_the_check_finds_english() -> None:
    """The checker itself: an untranslated word and an English msgid are both caught."""
    page = '<html lang="{}"><body><h1>{}</h1><p>percent</p><button lang="en">English</button>'
    problems = english_left(page.format("nb", "Biggest gaps"), page.format("en", "Biggest gaps"))
    assert any("'Biggest gaps'" in p and "catalog" in p for p in problems), problems
    assert any("'percent'" in p for p in problems), problems
    assert not any("'English'" in p for p in problems), problems
