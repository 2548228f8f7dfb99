"""Import and export: the minimal form, upsert by key, hostile files refused whole."""

from __future__ import annotations

import io
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
    ({"projects": [{**MINIMAL["projects"][0], "goals": [True]}]}, "list of whole numbers"),
    ({"projects": [{**MINIMAL["projects"][0], "status": "<script>"}]}, "'status'"),
    ({"projects": [{**MINIMAL["projects"][0], "title": "x" * 201}]}, "longer than 200"),
    ({"projects": [{**MINIMAL["projects"][0], "evil": 1}]}, "unknown field"),
    ({"projects": [{**MINIMAL["projects"][0], "source_url": "javascript:alert(1)"}]}, "source_url"),
    ({"projects": [{**MINIMAL["projects"][0], "links": [{"url": "data:text/html,x"}]}]}, "links 1"),
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
    with translation.override("en"):
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
    with translation.override("en"), pytest.raises(Exception, match="not UTF-8"):
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


# Three records, four problems: an unknown goal, a date that is no date, a missing title
# and a link that is no http(s) address.
FOUR_PROBLEMS = {
    "projects": [
        {**MINIMAL["projects"][0], "goals": [18], "start_date": "2020-13-45"},
        {**MINIMAL["projects"][0], "key": "p02", "title": None},
        {**MINIMAL["projects"][0], "key": "p03", "links": [{"url": "ftp://example.no"}]},
    ]
}


def import_command(path: Path, *arguments: str) -> tuple[str, str]:
    """The refusal and the problems written before it."""
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("projects", "import", str(path), *arguments, stdout=io.StringIO(), stderr=err)
    return str(refused.value), err.getvalue()


@pytest.mark.django_db
def test_a_records_problems_are_in_bokmal_by_default_and_english_on_request(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, FOUR_PROBLEMS)
    refusal, problems = import_command(path)
    assert refusal == "4 problemer; ingenting ble importert."
    assert problems.splitlines() == [
        "prosjekt 1 (p01): ukjent mål 18",
        "prosjekt 1 (p01): «start_date» må skrives ÅÅÅÅ-MM-DD, ÅÅÅÅ-MM eller ÅÅÅÅ",
        "prosjekt 2 (p02): «title» må være tekst",
        "prosjekt 3 (p03), links 1: må være et objekt med en http(s)-adresse i «url» og en «title»",
    ]
    refusal, problems = import_command(path, "--language", "en")
    assert refusal == "4 problems; nothing was imported."
    assert problems.splitlines() == [
        "project 1 (p01): unknown goal 18",
        "project 1 (p01): 'start_date' must be YYYY-MM-DD, YYYY-MM or YYYY",
        "project 2 (p02): 'title' must be text",
        "project 3 (p03), links 1: must be an object with an http(s) address in 'url' and a "
        "'title'",
    ]
    # One problem is one, in either language.
    path = write(tmp_path, {"projects": [{**MINIMAL["projects"][0], "goals": [18]}]})
    assert import_command(path)[0] == "1 problem; ingenting ble importert."
    assert import_command(path, "--language", "en")[0] == "1 problem; nothing was imported."
    assert not Project.objects.filter(key__in=["p01", "p02", "p03"]).exists()
    # And a file that imports says so in the chosen language.
    out = io.StringIO()
    call_command("projects", "import", str(write(tmp_path, MINIMAL)), stdout=out)
    assert out.getvalue() == "Importert – nye: 1, oppdaterte: 0.\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "bokmal", "english"),
    [
        (
            '{"projects": [{"title": "Bærum"}]}'.encode("latin-1"),
            "fil: ikke UTF-8: linje 1 har en byte som ikke er UTF-8 (byte 27 i fila)",
            "file: not UTF-8: line 1 holds a byte that is not UTF-8 (byte 27 of the file)",
        ),
        (
            b'{"projects": [\n  {"key": "p01",}\n]}',
            "fil: ikke gyldig JSON: det mangler et feltnavn i doble anførselstegn (komma før "
            "«}» er ikke lov) på linje 2, kolonne 17",
            "file: not valid JSON: a field name in double quotes was expected (a comma before "
            "'}' is not allowed) on line 2, column 17",
        ),
        (
            b'{"projects": [], "version": NaN}',
            "fil: ikke gyldig JSON: NaN er ikke et tall JSON tillater",
            "file: not valid JSON: NaN is not a number JSON allows",
        ),
        (
            b"[" * 100_000 + b"]" * 100_000,
            "fil: for dypt nøstet til å kunne leses",
            "file: nested too deeply to be read",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_in_the_chosen_language(
    tmp_path: Path, content: bytes, bokmal: str, english: str
) -> None:
    path = tmp_path / "library.json"
    path.write_bytes(content)
    assert import_command(path)[0] == bokmal
    assert import_command(path, "--language", "en")[0] == english
    with translation.override("en"), pytest.raises(LibraryError) as refused:
        read_library_file(path)
    assert str(refused.value) == english
