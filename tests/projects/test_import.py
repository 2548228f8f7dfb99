"""Import and export: the minimal form, upsert by key, hostile files refused whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from sdgnet.projects.actions import LibraryError, do_import_library, read_library_file
from sdgnet.projects.models import Project

MINIMAL = {
    "projects": [
        {
            "key": "p01",
            "title": "Grønne tak i Sandvika",
            "summary": "Kommunen legger grønne tak på skoler.",
            "body": "Tekst",
            "language": "nb",
            "municipality": "3201",
            "goals": [11, 13],
            "status": "completed",
            "published": True,
            "visibility": "public",
        }
    ]
}


def write(tmp_path: Path, data: Any, name: str = "f.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_minimal_form_imports_and_reimport_updates(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    call_command("projects", "import", str(path))
    project = Project.objects.get(key="p01")
    assert sorted(g.number for g in project.goals.all()) == [11, 13]
    changed = json.loads(json.dumps(MINIMAL))
    changed["projects"][0]["title"] = "Grønne tak i Sandvika og Bekkestua"
    call_command("projects", "import", str(write(tmp_path, changed)))
    assert Project.objects.filter(key="p01").count() == 1
    assert Project.objects.get(key="p01").title.endswith("Bekkestua")


@pytest.mark.django_db
def test_export_round_trips(tmp_path: Path) -> None:
    do_import_library(MINIMAL)
    out = tmp_path / "out.json"
    call_command("projects", "export", "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    exported = next(p for p in data["projects"] if p["key"] == "p01")
    assert exported["municipality"] == "3201" and exported["goals"] == [11, 13]
    before = Project.objects.count()
    assert do_import_library(data).ok
    assert Project.objects.count() == before


HOSTILE = [
    ([1, 2, 3], "top level"),
    ({"projects": "x"}, "must be a list"),
    ({"projects": [{"key": "../../etc", "title": "x", "summary": "y", "municipality": "3201"}]}, "'key'"),
    ({"projects": [{**MINIMAL["projects"][0], "municipality": "9999"}]}, "unknown municipality"),
    ({"projects": [{**MINIMAL["projects"][0], "goals": [18]}]}, "unknown goal"),
    ({"projects": [{**MINIMAL["projects"][0], "goals": [True]}]}, "list of int"),
    ({"projects": [{**MINIMAL["projects"][0], "status": "<script>"}]}, "'status'"),
    ({"projects": [{**MINIMAL["projects"][0], "title": "x" * 201}]}, "longer than 200"),
    ({"projects": [{**MINIMAL["projects"][0], "evil": 1}]}, "unknown field"),
    ({"projects": [{**MINIMAL["projects"][0], "source_url": "javascript:alert(1)"}]}, "source_url"),
    ({"projects": [{**MINIMAL["projects"][0], "links": [{"url": "data:text/html,x"}]}]}, "link 1"),
    ({"projects": [{**MINIMAL["projects"][0], "budget_nok": -5}]}, "budget_nok"),
    ({"projects": [{**MINIMAL["projects"][0], "title": "a\x00b"}]}, "NUL"),
    ({"projects": [MINIMAL["projects"][0], MINIMAL["projects"][0]]}, "appears twice"),
    ({"projects": [{**MINIMAL["projects"][0], "contact": {"email": "not-an-address"}}]}, "e-mail"),
    ({"projects": [{**MINIMAL["projects"][0], "start_date": "2020-13-45"}]}, "start_date"),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("payload", "message"), HOSTILE)
def test_hostile_payloads_are_refused_and_nothing_is_written(payload: Any, message: str) -> None:
    before = Project.objects.count()
    report = do_import_library(payload)
    assert not report.ok
    assert any(message in str(problem) for problem in report.problems), report.problems
    assert Project.objects.count() == before


@pytest.mark.django_db
def test_all_problems_are_reported_at_once() -> None:
    good = MINIMAL["projects"][0]
    payload = {
        "projects": [
            good,
            {**good, "key": "p02", "goals": [99]},
            {**good, "key": "p03", "municipality": "x"},
        ]
    }
    report = do_import_library(payload)
    assert len(report.problems) == 2
    assert not Project.objects.filter(key__in=["p01", "p02", "p03"]).exists()


@pytest.mark.django_db
def test_hostile_files(tmp_path: Path) -> None:
    bad_utf8 = tmp_path / "latin1.json"
    bad_utf8.write_bytes('{"projects": [{"title": "Bærum"}]}'.encode("latin-1"))
    not_json = tmp_path / "x.json"
    not_json.write_text("{'projects': }")
    nan = tmp_path / "nan.json"
    nan.write_text('{"projects": [], "version": NaN}')
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    for path in (bad_utf8, not_json, nan, deep):
        with pytest.raises(CommandError):
            call_command("projects", "import", str(path))
    with pytest.raises(Exception, match="not UTF-8"):
        read_library_file(bad_utf8)


# A file whose second project names "title" twice: json.loads alone would keep "Sist".
TITLE_TWICE = (
    "{\n"
    '  "projects": [\n'
    '    {"key": "p01", "title": "Grønne tak", "summary": "S", "municipality": "3201"},\n'
    '    {"key": "p02",\n'
    '     "title": "Først",\n'
    '     "summary": "Sier \\"title\\": ingenting", "municipality": "3201",\n'
    '     "title": "Sist"}\n'
    "  ]\n"
    "}\n"
)


@pytest.mark.django_db
def test_a_field_given_twice_is_refused_naming_it_and_where(tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    path.write_text(TITLE_TWICE, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("projects", "import", str(path))
    assert str(refused.value) == (
        "prosjekt 2 (p02): feltet «title» står to ganger i samme objekt (igjen på linje 7, "
        "kolonne 6); oppgi hvert felt bare én gang"
    )
    with pytest.raises(CommandError) as refused:
        call_command("projects", "import", str(path), "--language", "en")
    assert str(refused.value) == (
        "project 2 (p02): the field 'title' is given twice in one object (again on line 7, "
        "column 6); give each field once"
    )
    assert not Project.objects.filter(key__in=["p01", "p02"]).exists()
    # The same field in two objects is no repeat.
    path.write_text(TITLE_TWICE.replace('"title": "Sist"', '"body": "Sist"'), encoding="utf-8")
    call_command("projects", "import", str(path))
    assert Project.objects.get(key="p02").title == "Først"


def test_every_repeat_is_named_at_any_depth(tmp_path: Path) -> None:
    partner = '{"name": "NTNU", "kind": "research", "n\\u0061me": "SINTEF"}'
    text = (
        f'{{"projects": [{{"key": "p01", "partners": [{{"name": "A"}}, {partner}]}}],\n'
        '"methods": [], "projects": []}'
    )
    path = tmp_path / "deep.json"
    path.write_text(text, encoding="utf-8")
    with translation.override("en"), pytest.raises(LibraryError) as refused:
        read_library_file(path)
    problems = [str(problem) for problem in refused.value.problems]
    # "n\u0061me" is "name" once read: the same field, written differently.
    column = text.index('"n\\u0061me"') + 1
    assert problems == [
        "project 1 (p01), partners 2: the field 'name' is given twice in one object "
        f"(again on line 1, column {column}); give each field once",
        "file: the field 'projects' is given twice in one object (again on line 2, column "
        "16); give each field once",
    ]


def test_many_repeats_are_counted_after_the_first_twenty(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps({"projects": []})[:-1] + ', "version": 1' * 26 + "}")
    with translation.override("en"), pytest.raises(LibraryError) as refused:
        read_library_file(path)
    problems = [str(problem) for problem in refused.value.problems]
    assert len(problems) == 21
    assert problems[-1] == "file: and 5 more fields given twice"
