"""`sdgnet projects export`, `reindex` and `seed` speak bokmål by default and English with
`--language en`, like `import` and `search`."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from sdgnet.projects.models import Project


def _run(*arguments: str) -> str:
    out = StringIO()
    call_command("projects", *arguments, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [([], "Skrev {p} prosjekter og {m} metoder til {f}."),
     (["--language", "en"], "Wrote {p} projects and {m} methods to {f}.")],
)  # fmt: skip
def test_export_speaks_the_chosen_language(
    tmp_path: Path, language: list[str], expected: str
) -> None:
    path = tmp_path / "library.json"
    said = _run("export", "--out", str(path), *language)
    data = json.loads(path.read_text())
    assert len(data["projects"]) > 1 and len(data["methods"]) > 1
    f = expected.format(p=len(data["projects"]), m=len(data["methods"]), f=path)
    assert said == f + "\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "progress", "done"),
    [([], "indeksert {n} av {n}", "Indekserte {n} publiserte prosjekter."),
     (["--language", "en"], "indexed {n} of {n}", "Indexed {n} published projects.")],
)  # fmt: skip
def test_reindex_speaks_the_chosen_language(
    monkeypatch: Any, language: list[str], progress: str, done: str
) -> None:
    monkeypatch.setenv("SDGNET_EMBEDDINGS", "0")  # the words, not the vectors, are tested
    count = Project.objects.filter(published=True).count()
    assert count > 1
    said = _run("reindex", *language)
    assert said == f"{progress.format(n=count)}\n{done.format(n=count)}\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [([], "Biblioteket – nye prosjekter og metoder: 0, oppdaterte: {n}."),
     (["--language", "en"], "Library: 0 new, {n} updated projects and methods.")],
)  # fmt: skip
def test_seed_speaks_the_chosen_language(
    monkeypatch: Any, capsys: Any, language: list[str], expected: str
) -> None:
    from sdgnet.projects.seed import SEED_FILE

    monkeypatch.setenv("SDGNET_EMBEDDINGS", "0")
    seed = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    # The test database holds the demo library already: every record is an update.
    said = _run("seed", *language)
    assert said == expected.format(n=len(seed["projects"]) + len(seed.get("methods", []))) + "\n"
    # Once, through the command's output, not also printed beside it.
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("arguments", "words"),
    [(["--limit", "0"], "argument --limit: må være minst 1, fant 0"),
     (["--limit", "1_0"], "argument --limit: forventet et heltall, fant «1_0»"),
     (["--limit", "0", "--language", "en"], "argument --limit: must be at least 1, found 0"),
     (["--language", "en", "--limit= 7 "], "argument --limit: expected a whole number, found “ 7 ”")],
)  # fmt: skip
def test_a_bad_search_limit_is_refused_in_the_chosen_language(
    arguments: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """argparse reads --limit before the command sets its language, and exits with 2."""
    from sdgnet.cli import main as sdgnet_main

    with pytest.raises(SystemExit) as refused:
        sdgnet_main(["projects", "search", "sykkel", *arguments])
    assert refused.value.code == 2
    assert words in capsys.readouterr().err
