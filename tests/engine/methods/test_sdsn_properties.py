"""Properties of SDSN scores that hold for any data (hypothesis).

Each example scores many units in one run: one unit per generated value.
"""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sdgnet.engine.framework import parse_framework
from sdgnet.engine.scoring import score_sdsn

from .conftest import observations_table, text_table

SETTINGS = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def bounds(draw):
    best = draw(finite)
    worst = draw(finite.filter(lambda w: abs(w - best) > 1e-3 * max(1.0, abs(best))))
    return best, worst


def scores(best, worst, values, *, green=None, red=None):
    spec = {"indicator": "x", "goal": 1, "best": best, "worst": worst}
    if green is not None:
        spec |= {"green": green, "red": red}
    units = [f"U{i:03d}" for i in range(len(values))]
    result = score_sdsn(
        parse_framework(text_table([spec])),
        observations_table([(u, "x", 2020, v) for u, v in zip(units, values, strict=True)]),
        text_table([{"unit": u, "group": "G"} for u in units]),
    )
    by_unit = {row["unit"]: row for row in result.indicators.to_pylist()}
    return [by_unit[u] for u in units]


@SETTINGS
@given(bounds(), st.lists(finite, min_size=1, max_size=30))
def test_scores_lie_in_0_100_and_rise_with_the_value(limits, values):
    best, worst = limits
    rows = scores(repr(best), repr(worst), values)
    assert all(0.0 <= row["score"] <= 100.0 for row in rows)
    ordered = sorted(zip(values, (row["score"] for row in rows), strict=True))
    sign = 1 if best > worst else -1
    for (v1, s1), (v2, s2) in itertools.pairwise(ordered):
        assert v1 <= v2
        assert sign * (s2 - s1) >= -1e-9  # monotone in the indicator's direction


@SETTINGS
@given(bounds(), st.lists(finite, min_size=1, max_size=30))
def test_swapping_best_and_worst_mirrors_the_score(limits, values):
    best, worst = limits
    straight = scores(repr(best), repr(worst), values)
    swapped = scores(repr(worst), repr(best), values)
    for a, b in zip(straight, swapped, strict=True):
        assert a["score"] + b["score"] == pytest.approx(100.0, abs=1e-9)


@SETTINGS
@given(
    st.lists(st.floats(min_value=-20, max_value=120), min_size=1, max_size=30),
    st.floats(min_value=1, max_value=99),
    st.floats(min_value=0.01, max_value=0.99),
)
def test_colour_and_dashboard_value_agree_and_rise_together(values, red, share):
    green = red + (100 - red) * share
    rows = scores("100", "0", values, green=repr(green), red=repr(red))
    floor = {"red": 0.0, "orange": 1.0, "yellow": 1.5, "green": 2.0}
    rank = {"red": 0, "orange": 1, "yellow": 2, "green": 3}
    for row in rows:
        assert 0.0 <= row["dashboard_value"] <= 3.0
        assert row["dashboard_value"] >= floor[row["colour"]]
    ordered = sorted(rows, key=lambda row: row["value"])
    for low, high in itertools.pairwise(ordered):
        assert rank[low["colour"]] <= rank[high["colour"]]
        assert low["dashboard_value"] <= high["dashboard_value"] + 1e-12


@SETTINGS
@given(st.randoms(use_true_random=False), st.integers(min_value=2, max_value=12))
def test_results_do_not_depend_on_the_order_of_rows_and_units(rng: random.Random, n_units):
    framework = text_table(
        [
            {
                "indicator": f"i{k}",
                "goal": 1 + k % 3,
                "best": 100,
                "worst": 0,
                "green": 80,
                "red": 50,
                "weight": 1 + k % 2,
            }
            for k in range(6)
        ]
    )
    units = [{"unit": f"U{u}", "group": f"G{u % 2}"} for u in range(n_units)]
    observations = [
        (unit["unit"], f"i{k}", year, None if rng.random() < 0.15 else rng.uniform(-10, 110))
        for unit in units
        for k in range(6)
        for year in (2018, 2019, 2020)
    ]
    shuffled_observations = observations[:]
    rng.shuffle(shuffled_observations)
    shuffled_units = units[:]
    rng.shuffle(shuffled_units)
    runs = [
        score_sdsn(parse_framework(framework), observations_table(obs), text_table(unit_rows))
        for obs, unit_rows in ((observations, units), (shuffled_observations, shuffled_units))
    ]
    assert runs[0].indicators.equals(runs[1].indicators)
    assert runs[0].goals.equals(runs[1].goals)
    assert runs[0].index.equals(runs[1].index)
