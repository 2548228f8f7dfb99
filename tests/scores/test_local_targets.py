"""Scores against municipalities' own targets, stored at rescore time."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sdgnet.accounts.actions import do_create_user
from sdgnet.accounts.models import Role
from sdgnet.catalog.models import FrameworkIndicator
from sdgnet.network.actions import NetworkError, do_delete_local_target, do_set_local_target
from sdgnet.network.models import LocalTarget
from sdgnet.scores.actions import do_rescore_all
from sdgnet.scores.models import IndicatorScore, ScoreRun

HOME = "3201"  # Bærum
TURNOUT = "voter-turnout-storting"  # best 88.6, worst 72.5: higher is better
FRAMEWORK = "kommunale-baerekraftsindikatorer"

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db: Any) -> Any:
    return do_create_user("editor@example.no", Role.EDITOR, place=HOME)


def latest_run() -> ScoreRun:
    return ScoreRun.objects.filter(framework_id=FRAMEWORK, complete=True).order_by("-pk")[0]


def bounds() -> tuple[float, float]:
    entry = FrameworkIndicator.objects.get(framework_id=FRAMEWORK, indicator_id=TURNOUT)
    assert entry.best is not None and entry.worst is not None
    return entry.best, entry.worst


def test_setting_a_target_rescores_and_stores_the_score_against_it(
    editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    best, worst = bounds()
    assert (best, worst) == (88.6, 72.5)
    do_rescore_all()
    before = latest_run().pk
    with django_capture_on_commit_callbacks(execute=True):
        do_set_local_target(editor, HOME, TURNOUT, 80.0)
    run = latest_run()
    assert run.pk != before  # the rescore ran on commit
    rows = list(IndicatorScore.objects.filter(run=run, place_id=HOME, indicator_id=TURNOUT))
    valued = [row for row in rows if row.value is not None]
    assert valued
    for row in rows:
        if row.value is None:
            assert row.score_local is None
            continue
        expected = min(100.0, max(0.0, 100.0 * (row.value - worst) / (80.0 - worst)))
        assert row.score_local == pytest.approx(expected)
        assert row.score == pytest.approx(
            min(100.0, max(0.0, 100.0 * (row.value - worst) / (best - worst)))
        )
    # Nobody else has a target: their rows carry no local score.
    others = IndicatorScore.objects.filter(run=run).exclude(place_id=HOME, indicator_id=TURNOUT)
    assert not others.filter(score_local__isnull=False).exists()


def test_a_known_value_scores_as_computed_by_hand(editor: Any) -> None:
    do_set_local_target(editor, HOME, TURNOUT, 82.5)
    do_rescore_all()
    row = IndicatorScore.objects.get(
        run=latest_run(), place_id=HOME, indicator_id=TURNOUT, year=2025
    )
    assert row.value is not None
    # 100 * (value - 72.5) / (82.5 - 72.5) = 10 * (value - 72.5), clipped to [0, 100]
    assert row.score_local == pytest.approx(min(100.0, max(0.0, 10.0 * (row.value - 72.5))))


@pytest.mark.parametrize("target", [72.5, 70.0])
def test_a_target_at_or_below_worst_is_refused(editor: Any, target: float) -> None:
    with pytest.raises(NetworkError) as refused:
        do_set_local_target(editor, HOME, TURNOUT, target)
    assert any("72" in problem for problem in refused.value.problems)
    assert not LocalTarget.objects.filter(place_id=HOME).exists()


def test_deleting_a_target_rescores_without_it(
    editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        target = do_set_local_target(editor, HOME, TURNOUT, 85.0)
    assert IndicatorScore.objects.filter(run=latest_run(), score_local__isnull=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        do_delete_local_target(editor, target)
    assert not IndicatorScore.objects.filter(run=latest_run(), score_local__isnull=False).exists()


def test_a_target_the_framework_no_longer_allows_is_left_out_of_the_rescore(editor: Any) -> None:
    do_set_local_target(editor, HOME, TURNOUT, 85.0)
    # As if the framework's worst had moved since: the stored target now equals it.
    LocalTarget.objects.filter(place_id=HOME).update(value=72.5)
    do_rescore_all()
    assert not IndicatorScore.objects.filter(run=latest_run(), score_local__isnull=False).exists()


def test_the_api_carries_the_score_against_the_target(editor: Any) -> None:
    do_set_local_target(editor, HOME, TURNOUT, 82.5)
    do_rescore_all()
    items = (
        Client()
        .get("/api/v1/scores", {"place": HOME, "indicator": TURNOUT, "limit": 100})
        .json()["items"]
    )
    stored = dict(
        IndicatorScore.objects.filter(
            run=latest_run(), place_id=HOME, indicator_id=TURNOUT
        ).values_list("year", "score_local")
    )
    assert items and {item["year"]: item["score_local"] for item in items} == stored
    assert any(value is not None for value in stored.values())
    other = Client().get("/api/v1/scores", {"place": "0301", "indicator": TURNOUT}).json()
    assert other["items"] and all(item["score_local"] is None for item in other["items"])
