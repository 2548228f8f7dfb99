"""The goal page shows a municipality's own target and the score against it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sdgnet.web.templatetags.sdgnet_format import number, score

HOME = "3201"  # Bærum
TURNOUT = "voter-turnout-storting"  # goal 16; best 88.6, worst 72.5
PAGE = f"/places/{HOME}/goals/16/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_target(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    from sdgnet.accounts.actions import do_create_user
    from sdgnet.accounts.models import Role
    from sdgnet.network.actions import do_set_local_target

    editor = do_create_user("editor@example.no", Role.EDITOR, place=HOME)
    with django_capture_on_commit_callbacks(execute=True):  # the rescore it schedules
        do_set_local_target(editor, HOME, TURNOUT, 82.5, note="Council decision 2026")


def stored_score_local(year: int) -> float | None:
    from sdgnet.scores.models import IndicatorScore, ScoreRun

    run = ScoreRun.objects.filter(complete=True).order_by("-data_version", "-pk").first()
    value: float | None = IndicatorScore.objects.get(
        run=run, place_id=HOME, indicator_id=TURNOUT, year=year
    ).score_local
    return value


def test_json_twin_carries_the_own_target_and_the_score_against_it(
    client: Client, own_target: None
) -> None:
    data = client.get(PAGE, {"format": "json"}).json()
    turnout = next(item for item in data["indicators"] if item["key"] == TURNOUT)
    assert turnout["local_target"] == {
        "value": 82.5,
        "year": 2030,
        "note": "Council decision 2026",
    }
    assert turnout["target_value"] == 88.6  # the framework's target stays beside it
    expected = stored_score_local(data["year"])
    assert expected is not None
    assert turnout["score_local"] == round(expected, 1)
    others = [item for item in data["indicators"] if item["key"] != TURNOUT]
    assert others and all(
        item["local_target"] is None and item["score_local"] is None for item in others
    )


@pytest.mark.parametrize(
    ("prefix", "labels"),
    [
        ("", ("Vår egen målverdi", "Skår mot vår egen målverdi")),
        ("/en", ("Our own target", "Score against our own target")),
    ],
)
def test_page_shows_the_own_target_beside_the_frameworks(
    client: Client, own_target: None, well_formed: Any, prefix: str, labels: tuple[str, str]
) -> None:
    from django.utils import translation

    data = client.get(PAGE, {"format": "json"}).json()
    turnout = next(item for item in data["indicators"] if item["key"] == TURNOUT)
    html = client.get(prefix + PAGE).content.decode()
    well_formed(html)
    assert all(label in html for label in labels)
    with translation.override("en" if prefix else "nb"):
        assert f"<dd>{score(turnout['score_local'])}</dd>" in html
        assert number(82.5, 1) in html


def test_page_without_own_targets_shows_none(client: Client) -> None:
    html = client.get(PAGE).content.decode()
    assert "Vår egen målverdi" not in html
