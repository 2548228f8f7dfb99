"""Editing a project on its page: what the form does not change stays as it was."""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from sdgnet.accounts.actions import do_create_user
from sdgnet.accounts.models import Role
from sdgnet.projects.models import Project

pytestmark = pytest.mark.django_db

# A U4SSC indicator (its framework is not scored) beside one of a scored framework.
LINKED = ["ec-i-b-1a", "voter-turnout-storting"]


class FormFields(HTMLParser):
    """What a browser submits for one form of a page, left as it is."""

    def __init__(self, form_class: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_class = form_class
        self.inside = False
        self.fields: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._option: str | None = None
        self._option_text = ""

    def _add(self, name: str, value: str) -> None:
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = self.form_class in found.get("class", "").split()
        if not self.inside:
            return
        if tag == "option":
            if self._select is not None and "selected" in found:
                self._add(self._select, found.get("value", ""))
            return
        name = found.get("name")
        if not name:
            return
        if tag == "input":
            kind = found.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in found:
                    self._add(name, found.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self._add(name, found.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self.fields.setdefault(name, [""])
        elif tag == "select":
            self._select = name
            self.fields.setdefault(name, [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.fields[self._textarea][-1] += data


def unchanged_form(html: str) -> dict[str, list[str]]:
    parser = FormFields("project-form")
    parser.feed(html)
    # A textarea's first newline belongs to the markup, not to its text.
    return {
        name: [value.removeprefix("\n") for value in values]
        for name, values in parser.fields.items()
    }


@pytest.fixture
def imported(tmp_path: Path) -> Project:
    path = tmp_path / "library.json"
    path.write_text(
        json.dumps(
            {
                "projects": [
                    {"key": "ind-test", "title": "T", "summary": "S", "municipality": "3201",
                     "indicators": LINKED, "published": True}
                ]
            }
        ),
        encoding="utf-8",
    )  # fmt: skip
    call_command("projects", "import", str(path), stdout=StringIO())
    return Project.objects.get(key="ind-test")


def admin_client() -> Client:
    client = Client()
    client.force_login(do_create_user("kommune@example.no", Role.MUNICIPALITY_ADMIN, place="3201"))
    return client


def linked(project: Project) -> list[str]:
    return sorted(project.indicators.values_list("key", flat=True))


def test_an_unchanged_edit_keeps_every_linked_indicator(imported: Project) -> None:
    client = admin_client()
    page = client.get("/projects/p/ind-test/edit/")
    assert page.status_code == 200
    form = unchanged_form(page.content.decode())
    # The form shows both links ticked, the unscored framework's indicator too.
    assert sorted(form["indicators"]) == LINKED
    response = client.post("/projects/p/ind-test/edit/", {**form, "save": "1"})
    assert response.status_code == 302, response.content[:3000]
    assert linked(imported) == LINKED


def test_a_linked_indicator_outside_the_scored_frameworks_can_still_be_removed(
    imported: Project,
) -> None:
    client = admin_client()
    form: dict[str, Any] = unchanged_form(client.get("/projects/p/ind-test/edit/").content.decode())
    form["indicators"] = ["voter-turnout-storting"]
    response = client.post("/projects/p/ind-test/edit/", {**form, "save": "1"})
    assert response.status_code == 302, response.content[:3000]
    assert linked(imported) == ["voter-turnout-storting"]
    # Once removed it is no longer offered: a new project offers the scored frameworks' only.
    assert "ec-i-b-1a" not in client.get("/projects/p/ind-test/edit/").content.decode()
    assert "ec-i-b-1a" not in client.get("/projects/new/").content.decode()


@pytest.mark.parametrize(
    ("prefix", "problem"), [("", "ukjent delmål '99.9'"), ("/en", "unknown target '99.9'")]
)
def test_a_records_problem_on_the_edit_page_is_in_the_pages_language(
    imported: Project, prefix: str, problem: str
) -> None:
    client = admin_client()
    form = unchanged_form(client.get(f"{prefix}/projects/p/ind-test/edit/").content.decode())
    # The form takes any target code written as one; the library knows no target 99.9.
    form["targets"] = ["99.9"]
    response = client.post(f"{prefix}/projects/p/ind-test/edit/", {**form, "save": "1"})
    assert response.status_code == 200
    assert problem in html.unescape(response.content.decode())
    assert not imported.targets.exists()


@pytest.mark.parametrize(
    ("prefix", "partner_problem", "link_problem"),
    [("", "Linje 2: NTNU står to ganger.",
      "Linje 1: ftp://arkiv.example.no er ikke en nettadresse (den må begynne med http:// eller https://)."),
     ("/en", "Line 2: NTNU is listed twice.",
      "Line 1: ftp://arkiv.example.no is not a web address (it must begin with http:// or https://).")],
)  # fmt: skip
def test_a_partner_or_link_problem_is_shown_at_its_line_in_the_forms_words(
    imported: Project, prefix: str, partner_problem: str, link_problem: str
) -> None:
    client = admin_client()
    form = unchanged_form(client.get(f"{prefix}/projects/p/ind-test/edit/").content.decode())
    form["partners"] = ["NTNU | research | data\nNTNU | public | penger"]
    form["links"] = ["ftp://arkiv.example.no Arkivet\nhttps://example.no Forsiden"]
    response = client.post(f"{prefix}/projects/p/ind-test/edit/", {**form, "save": "1"})
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    # Each problem sits with its own field (Django puts a field's errors beside it).
    partners_at = page.index('name="partners"')
    links_at = page.index('name="links"')
    assert page.rindex(partner_problem, 0, partners_at) > page.rfind(
        'name="lessons"', 0, partners_at
    )
    assert page.rindex(link_problem, 0, links_at) > partners_at
    # Not in the import's JSON terms.
    assert "partners 2" not in page and "links 1" not in page
    assert not imported.partners.exists()


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [("", "Linje 2: forskning er ikke en partnertype; skriv business, ngo, research, public "
          "eller other, eller la det stå tomt."),
     ("/en", "Line 2: forskning is not a kind of partner; write business, ngo, research, "
             "public or other, or leave it empty.")],
)  # fmt: skip
def test_a_partner_kind_the_library_does_not_know_is_refused_at_its_line(
    imported: Project, prefix: str, problem: str
) -> None:
    client = admin_client()
    form = unchanged_form(client.get(f"{prefix}/projects/p/ind-test/edit/").content.decode())
    form["partners"] = ["Equinor | business | penger\nNTNU | forskning | data"]
    response = client.post(f"{prefix}/projects/p/ind-test/edit/", {**form, "save": "1"})
    assert response.status_code == 200
    assert problem in html.unescape(response.content.decode())
    assert not imported.partners.exists()


def test_a_partner_kind_may_be_written_as_its_label_in_either_language(
    imported: Project,
) -> None:
    client = admin_client()
    form = unchanged_form(client.get("/projects/p/ind-test/edit/").content.decode())
    form["partners"] = [
        "NTNU | Forskning og utdanning | data\nRøde Kors | voluntary organisation\n"
        "Frivilligsentralen\nEquinor | BUSINESS"
    ]
    response = client.post("/projects/p/ind-test/edit/", {**form, "save": "1"})
    assert response.status_code == 302, response.content[:3000]
    kinds = dict(imported.partners.values_list("name", "kind"))
    assert kinds == {
        "NTNU": "research",
        "Røde Kors": "ngo",
        "Frivilligsentralen": "other",
        "Equinor": "business",
    }
