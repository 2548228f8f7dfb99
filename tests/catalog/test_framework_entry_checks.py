"""Framework entries the scoring engine would refuse are refused where they are entered
(a form of the entry, the framework import), in the reader's language, by the engine's
own rules; and a rescore refuses one written around those checks, naming it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.forms import modelform_factory
from django.utils import translation

from sdgnet.catalog.actions import FrameworkFileError, do_load_framework
from sdgnet.catalog.models import Framework, FrameworkIndicator
from sdgnet.engine.errors import InputError
from sdgnet.scores.actions import do_rescore_framework
from sdgnet.scores.models import ScoreRun

pytestmark = pytest.mark.django_db

FRAMEWORK = "kommunale-baerekraftsindikatorer"
# best 88.6, worst 72.5, green 80, red 74.8, target year 2030, weight 1: higher is better.
TURNOUT = "voter-turnout-storting"
POPULATION = "population"  # a context indicator: not scored, weight 0
FIELDS = ["direction", "best", "worst", "green", "red", "target_value", "target_year", "weight"]
EntryForm = modelform_factory(FrameworkIndicator, fields=FIELDS)
NBSP = "\xa0"  # Babel groups bokmål thousands with a no-break space


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """`language` active; None: none, so the site's default (LANGUAGE_CODE) speaks, as in
    a command or a page without a language prefix."""
    if language is not None:
        with translation.override(language):
            yield
        return
    saved = translation.get_language()
    translation.deactivate()
    try:
        yield
    finally:
        translation.activate(saved)


def edit(indicator: str, language: str | None, **changes: Any) -> Any:
    """The entry's form with `changes` posted, validated in `language` (None: the
    site's default)."""
    entry = FrameworkIndicator.objects.get(framework_id=FRAMEWORK, indicator_id=indicator)
    data = {field: getattr(entry, field) for field in FIELDS}
    data = {field: "" if value is None else value for field, value in {**data, **changes}.items()}
    form = EntryForm(data=data, instance=entry)
    with speaking(language):
        form.is_valid()
        return {
            field: [str(message) for message in messages] for field, messages in form.errors.items()
        }


WEIGHT_NB = (
    "Vekten må ligge fra 0,000000001 til 1{s}000{s}000{s}000, fant {found}. Vektene teller i "
    "forhold til de andre i målet: skaler vektene i målet likt."
)


@pytest.mark.parametrize("language", [None, "nb"])
@pytest.mark.parametrize(
    ("weight", "found"),
    [
        ("0", "0"),
        ("1e12", f"1{NBSP}000{NBSP}000{NBSP}000{NBSP}000"),
        ("1e-20", "0," + "0" * 19 + "1"),
    ],
)
def test_a_weight_the_engine_cannot_sum_is_refused_on_the_form_in_bokmal(language, weight, found):
    assert edit(TURNOUT, language, weight=weight) == {
        "weight": [WEIGHT_NB.format(s=NBSP, found=found)]
    }


def test_the_form_speaks_english_in_english():
    assert edit(TURNOUT, "en", weight="1e12", target_year="0") == {
        "weight": [
            "The weight must lie from 0.000000001 to 1,000,000,000, found "
            "1,000,000,000,000. Weights count relative to the others of the goal: scale the "
            "goal's weights alike."
        ],
        "target_year": ["The target year must be a whole year from 1 to 9999, found 0."],
    }


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"target_year": "10000"},
            {"target_year": ["Målåret må være et helt år fra 1 til 9999, fant 10000."]},
        ),
        (
            {"direction": "decrease"},
            {
                "direction": [
                    "Beste verdi (88,6) ligger over dårligste (72,5), så høyere er bedre: endre "
                    "retningen eller bytt om de to verdiene."
                ]
            },
        ),
        (
            {"green": "74", "red": "80"},
            {"green": ["Grønn grense (74) må ligge over rød (80) når høyere er bedre."]},
        ),
        ({"red": ""}, {"red": ["Oppgi både grønn og rød grense, eller ingen av dem."]}),
        (
            {"green": "90"},
            {"green": ["Grønn grense (90) er bedre enn beste verdi (88,6)."]},
        ),
        (
            {"worst": "88.6"},
            {
                "worst": [
                    "Beste og dårligste verdi er like (88,6): skåren går fra dårligste verdi (0) "
                    "til beste (100), så de to må være ulike."
                ]
            },
        ),
    ],
    ids=["target year", "direction", "thresholds", "one threshold", "green", "bounds"],
)
def test_what_the_engine_refuses_is_refused_on_the_field_at_fault(changes, errors):
    assert edit(TURNOUT, "nb", **changes) == errors


def test_what_the_engine_scores_is_accepted():
    assert edit(TURNOUT, "nb", weight="1e9", target_year="9999") == {}
    assert edit(TURNOUT, "nb", weight="0.000000001", target_year="1") == {}
    # A context indicator is never scored: its weight of 0 and any target year pass.
    assert edit(POPULATION, "nb", weight="0", target_year="0") == {}


# ---------------------------------------------------------------- the import

HEADER = "indicator,name_nb,name_en,direction,goal,best,worst,green,red,target_year,weight,index"


def load(tmp_path: Path, *rows: str) -> Any:
    csv_path = tmp_path / "checked.csv"
    csv_path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    meta = tmp_path / "checked.json"
    meta.write_text('{"slug": "checked", "name_nb": "Sjekket", "name_en": "Checked"}')
    return do_load_framework(csv_path, meta)


BAD_ROWS = (
    "a-weight-0,A,A,increase,16,100,0,80,50,2030,0,yes",
    "a-weight-1e12,B,B,,16,100,0,,,,1e12,yes",
    "a-year-0,C,C,,3,0,100,,,0,,yes",
    "a-year-half,D,D,,3,0,100,,,2030.5,,yes",
    "a-context,E,E,context,11,,,,,0,0,no",
)


def test_the_import_refuses_what_the_engine_refuses_in_bokmal(tmp_path):
    with speaking(None), pytest.raises(FrameworkFileError) as refused:
        load(tmp_path, *BAD_ROWS)
    assert str(refused.value).splitlines() == [
        "checked.csv linje 2, kolonne weight: " + WEIGHT_NB.format(s=NBSP, found="0"),
        "checked.csv linje 3, kolonne weight: "
        + WEIGHT_NB.format(s=NBSP, found=f"1{NBSP}000{NBSP}000{NBSP}000{NBSP}000"),
        "checked.csv linje 4, kolonne target_year: "
        "Målåret må være et helt år fra 1 til 9999, fant 0.",
        "checked.csv linje 5, kolonne target_year: "
        "Målåret må være et helt år fra 1 til 9999, fant 2030,5.",
    ]
    assert not Framework.objects.filter(slug="checked").exists()


def test_the_import_refuses_in_english_in_english(tmp_path):
    with translation.override("en"), pytest.raises(FrameworkFileError) as refused:
        load(
            tmp_path,
            BAD_ROWS[0],
            "a-threshold,F,F,,16,100,0,40,60,,,yes",
            "bad key,G,G,,99,x,0,,,,,",
        )
    assert str(refused.value).splitlines() == [
        "checked.csv line 2, column weight: The weight must lie from 0.000000001 to "
        "1,000,000,000, found 0. Weights count relative to the others of the goal: scale the "
        "goal's weights alike.",
        "checked.csv line 3, column green: The green threshold (40) must be above the red (60) "
        "where higher is better.",
        "checked.csv line 4, column indicator: the indicator id 'bad key' is not a slug "
        "(lower-case letters, digits, - and _)",
        "checked.csv line 4, column goal: unknown goal 99",
        "checked.csv line 4, column best: expected a number, found 'x'",
    ]


def test_the_import_keeps_a_context_indicators_weight_of_0_and_gives_a_blank_one_1(tmp_path):
    loaded = load(
        tmp_path,
        "a-context,E,E,context,11,,,,,,0,no",
        "a-scored,F,F,,16,100,0,80,50,2030,,yes",
    )
    weights = dict(loaded.framework.entries.values_list("indicator_id", "weight"))
    assert weights == {"a-context": 0.0, "a-scored": 1.0}


# ---------------------------------------------------------------- the rescore


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("weight", 0.0, "weights must be positive, found 0"),
        ("weight", 1e12, "weights must lie from 1e-09 to 1e+09"),
        ("target_year", 0, "expected a whole year from 1 to 9999, found 0"),
    ],
)
def test_a_rescore_refuses_an_entry_written_around_the_checks(column, value, words):
    # An entry saved without its form (the ORM, an old database) is refused by the engine
    # by name, rather than scored: weight 0 made its goal score 0/0, 1e12 overflowed the
    # goal's exact sums.
    FrameworkIndicator.objects.filter(framework_id=FRAMEWORK, indicator_id=TURNOUT).update(
        **{column: value}
    )
    framework = Framework.objects.get(slug=FRAMEWORK)
    runs = ScoreRun.objects.count()
    with pytest.raises(InputError) as refused:
        do_rescore_framework(framework)
    error = refused.value
    assert (error.file, error.column) == (FRAMEWORK, column)
    assert f"indicator '{TURNOUT}': {words}" in str(error)
    assert ScoreRun.objects.count() == runs
