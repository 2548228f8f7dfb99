"""SDG tagging help: goals and targets suggested from a project's text, each with the
words that led to it. Suggestions are only shown; an author confirms them in the form,
and nothing is saved that the author did not tick.

Two kinds of evidence are combined per target:
- the JRC SDG Mapper keywords (English phrases, via do-me/SDG, MIT), matched on stemmed
  words so "reducing emissions" meets "emission reduction";
- the multilingual-e5 similarity between each sentence of the text and the target's
  Norwegian and English titles, which carries Norwegian texts to the targets.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import tantivy

from sdgnet.projects import embeddings

DATA_FILE = Path(__file__).parent / "data" / "tagging.json"
# Calibrated on the labelled set (docs/tagging.md): a target needs this much evidence.
KEYWORD_WEIGHT = 1.0
SIMILARITY_MARGIN = 0.03  # above the text's mean similarity to all targets
SIMILARITY_WEIGHT = 30.0  # evidence per unit of similarity above that margin
MAX_GOALS = 3
MIN_GOAL_SCORE = 0.5
# Bokmål writes compounds as one word ("klimagassutslipp", "skolemåltid"): a theme word's
# stem of at least this many letters also counts at the end of a longer word.
COMPOUND_MIN_STEM = 5


@dataclass
class TargetSuggestion:
    code: str
    score: float
    words: list[str] = field(default_factory=list)


@dataclass
class GoalSuggestion:
    goal: int
    score: float
    targets: list[TargetSuggestion]
    words: list[str]


# Our own short theme words per goal, in bokmål and English, for texts the (English)
# JRC phrases do not reach; each matched word is shown as evidence.
GOAL_WORDS: dict[int, str] = {
    1: "fattigdom lavinntekt poverty",
    2: "landbruk matproduksjon sult jordbruk agriculture hunger farming",
    3: "folkehelse helse trivsel livskvalitet fysisk aktivitet health wellbeing",
    4: "skole utdanning elever studenter læring undervisning school education students learning",
    5: "likestilling kvinner gender equality women",
    6: "vannforsyning avløp drikkevann sanitation wastewater",
    7: "energi fornybar energieffektivisering solenergi energy renewable",
    8: "næringsliv arbeidsplasser sysselsetting bedrifter verdiskaping business jobs employment companies",
    9: "innovasjon teknologi infrastruktur innovation technology infrastructure",
    10: "inkludering utenforskap ulikhet integrering inclusion inequality",
    11: "byutvikling kollektivtransport bolig sykkel byen buss mobilitet urban transport housing city cities bus",
    12: "matsvinn avfall gjenvinning ombruk sirkulær forbruk waste recycling circular consumption",
    13: "klima klimagass utslipp klimatilpasning klimastrategi climate emissions",
    14: "hav fjord marin kyst ocean marine",
    15: "natur skog naturmangfold biologisk nature forest biodiversity",
    16: "medvirkning innbyggerpanel demokrati styring åpenhet participation democracy governance",
    17: "partnerskap samarbeid nettverk partnership cooperation network",
}
GOAL_WORD_WEIGHT = 0.6


@cache
def _stemmer(language: str = "english") -> Any:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer(language))
        .build()
    )


@cache
def _goal_stems() -> dict[int, dict[str, str]]:
    """Per goal: stem → the theme word it came from (bokmål and English stemmers)."""
    stems: dict[int, dict[str, str]] = {}
    for goal, words in GOAL_WORDS.items():
        for word in words.split():
            for language in ("norwegian", "english"):
                for stem in _stemmer(language).analyze(word):
                    stems.setdefault(goal, {})[stem] = word
    return stems


@cache
def _data() -> tuple[list[dict[str, Any]], np.ndarray, np.ndarray]:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))["targets"]
    stem = _stemmer().analyze
    targets = []
    for target in raw:
        phrases = []
        for phrase in target["keywords"]:
            stems = tuple(stem(phrase))
            if stems and (len(stems) > 1 or len(stems[0]) > 3):
                phrases.append((phrase, stems))
        targets.append({"code": target["code"], "goal": target["goal"], "phrases": phrases})
    vectors_nb = np.stack(
        [np.frombuffer(base64.b64decode(t["vector_nb"]), dtype=np.float16) for t in raw]
    ).astype(np.float32)
    vectors_en = np.stack(
        [np.frombuffer(base64.b64decode(t["vector_en"]), dtype=np.float16) for t in raw]
    ).astype(np.float32)
    return targets, vectors_nb, vectors_en


def _sentences(text: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"(?<=[.!?])\s+|\n+", text) if len(p.strip()) > 20]
    return parts[:40]


def _contains(stems: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(stems[i : i + size]) == phrase for i in range(len(stems) - size + 1))


def _compound_heads(goal_stems: dict[str, str], words: list[str]) -> set[str]:
    """Theme words found as the last part of a longer bokmål compound."""
    return {
        word
        for stem, word in goal_stems.items()
        if len(stem) >= COMPOUND_MIN_STEM
        and any(len(token) > len(stem) + 2 and token.endswith(stem) for token in words)
    }


def suggest(text: str, max_goals: int = MAX_GOALS) -> list[GoalSuggestion]:
    """Goals (best first) with their targets and the words behind each suggestion."""
    targets, vectors_nb, vectors_en = _data()
    stems = _stemmer().analyze(text)
    scores = np.zeros(len(targets), dtype=np.float32)
    words: list[list[str]] = [[] for _ in targets]
    for i, target in enumerate(targets):
        for phrase, phrase_stems in target["phrases"]:
            if _contains(stems, phrase_stems):
                scores[i] += KEYWORD_WEIGHT * len(phrase_stems) ** 0.5
                words[i].append(phrase)
    sentences = _sentences(text)
    if sentences and embeddings.available():
        vectors = embeddings.embed_passages(sentences)
        if vectors is not None:
            similarity = np.maximum(vectors @ vectors_nb.T, vectors @ vectors_en.T)
            best = similarity.max(axis=0)
            margin = best - best.mean() - SIMILARITY_MARGIN
            for hit in np.flatnonzero(margin > 0):
                scores[hit] += float(margin[hit]) * SIMILARITY_WEIGHT
                sentence = sentences[int(similarity[:, hit].argmax())]
                words[int(hit)].append(f"«{sentence[:160]}»")
    by_goal: dict[int, GoalSuggestion] = {}
    norwegian = _stemmer("norwegian").analyze(text)
    text_stems = set(stems) | set(norwegian)
    for goal_number, goal_stems in _goal_stems().items():
        matched = sorted(
            {word for stem, word in goal_stems.items() if stem in text_stems}
            | _compound_heads(goal_stems, norwegian)
        )
        if matched:
            goal = by_goal.setdefault(goal_number, GoalSuggestion(goal_number, 0.0, [], []))
            goal.score += GOAL_WORD_WEIGHT * len(matched) ** 0.5
            goal.words += matched
    for position in np.flatnonzero(scores > 0):
        entry = targets[int(position)]
        goal = by_goal.setdefault(entry["goal"], GoalSuggestion(entry["goal"], 0.0, [], []))
        goal.targets.append(
            TargetSuggestion(entry["code"], float(scores[position]), words[int(position)])
        )
        goal.score += float(scores[position])
    ranked = sorted(
        (g for g in by_goal.values() if g.score >= MIN_GOAL_SCORE), key=lambda g: -g.score
    )[:max_goals]
    for goal in ranked:
        goal.targets.sort(key=lambda t: -t.score)
        goal.targets = goal.targets[:3]
        seen: list[str] = list(goal.words)
        for suggestion in goal.targets:
            seen += [w for w in suggestion.words if w not in seen]
        goal.words = seen[:6]
    return ranked
