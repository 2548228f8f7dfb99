"""Sensitivity analysis and the normalisation/aggregation alternatives it draws from."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sdgnet.engine import sensitivity
from sdgnet.engine.aggregate import grouped_weighted_mean, weighted_mean
from sdgnet.engine.framework import Framework, parse_framework
from sdgnet.engine.normalise import goalpost, min_max, normalise, percentile_rank, z_score
from sdgnet.engine.sensitivity import (
    RANKS_BUDGET,
    SensitivityChoices,
    TooManyUnits,
    max_runs,
    max_units,
    rank_intervals,
    rank_plan,
)

# ---------------------------------------------------------------- normalisation


def test_normalisations_hand_computed() -> None:
    values = np.array([[0.0, 10.0], [5.0, np.nan], [10.0, 30.0], [10.0, 20.0]])
    direction = np.array([1.0, -1.0])
    best = np.array([20.0, 0.0])
    worst = np.array([0.0, 40.0])
    np.testing.assert_allclose(
        goalpost(values, best, worst),
        [[0, 75], [25, np.nan], [50, 25], [50, 50]],
    )
    np.testing.assert_allclose(
        min_max(values, direction), [[0, 100], [50, np.nan], [100, 0], [100, 50]]
    )
    # column 0: mean 6.25, population sd sqrt(17.1875)
    sd = np.sqrt(((np.array([0, 5, 10, 10]) - 6.25) ** 2).mean())
    np.testing.assert_allclose(z_score(values, direction)[:, 0], (values[:, 0] - 6.25) / sd)
    # column 1 lower is better: 10 best, 30 worst; sd of (10, 30, 20) around 20
    np.testing.assert_allclose(
        z_score(values, direction)[[0, 2, 3], 1], np.array([10, -10, 0]) / np.sqrt(200 / 3)
    )
    # ranks: ties (10, 10) share the average of ranks 3 and 4 → 3.5 / 4
    np.testing.assert_allclose(
        percentile_rank(values, direction),
        [[25, 100], [50, np.nan], [87.5, 100 / 3], [87.5, 200 / 3]],
    )


def test_constant_column_is_all_best_in_min_max_and_zero_z() -> None:
    values = np.array([[3.0], [3.0], [np.nan]])
    np.testing.assert_allclose(min_max(values, np.array([1.0])), [[100], [100], [np.nan]])
    np.testing.assert_allclose(z_score(values, np.array([1.0])), [[0], [0], [np.nan]])


# ----------------------------------------------------------------- aggregation


def test_aggregations_hand_computed() -> None:
    scores = np.array([[1.0, 4.0], [np.nan, 9.0], [0.0, 5.0], [np.nan, np.nan]])
    weights = np.array([1.0, 1.0])
    np.testing.assert_allclose(weighted_mean("arithmetic", scores, weights), [2.5, 9, 2.5, np.nan])
    np.testing.assert_allclose(weighted_mean("geometric", scores, weights), [2, 9, 0, np.nan])
    np.testing.assert_allclose(weighted_mean("harmonic", scores, weights), [1.6, 9, 0, np.nan])
    # weights 3:1 → arithmetic (3 + 4) / 4, geometric 1^(3/4) 4^(1/4)
    np.testing.assert_allclose(
        weighted_mean("arithmetic", scores[:1], np.array([3.0, 1.0])), [7 / 4]
    )
    np.testing.assert_allclose(
        weighted_mean("geometric", scores[:1], np.array([3.0, 1.0])), [4**0.25]
    )


@settings(max_examples=50, deadline=None)
@given(
    scores=hnp.arrays(
        np.float64,
        (5, 6),
        elements=st.one_of(st.just(np.nan), st.floats(min_value=0.0, max_value=100.0)),
    ),
    weights=hnp.arrays(np.float64, 6, elements=st.floats(min_value=0.1, max_value=3.0)),
    method=st.sampled_from(["arithmetic", "geometric", "harmonic"]),
)
def test_grouped_mean_equals_the_mean_of_each_group(
    scores: np.ndarray, weights: np.ndarray, method: str
) -> None:
    starts = np.array([0, 2, 3], dtype=np.intp)  # groups: columns 0-1, 2, 3-5
    grouped = grouped_weighted_mean(method, scores, weights, starts)  # type: ignore[arg-type]
    for k, (start, stop) in enumerate([(0, 2), (2, 3), (3, 6)]):
        expected = weighted_mean(method, scores[:, start:stop], weights[start:stop])  # type: ignore[arg-type]
        np.testing.assert_allclose(grouped[:, k], expected, rtol=1e-9)


@settings(max_examples=50, deadline=None)
@given(
    scores=hnp.arrays(np.float64, (4, 5), elements=st.floats(min_value=0.5, max_value=100.0)),
)
def test_means_are_ordered_harmonic_geometric_arithmetic(scores: np.ndarray) -> None:
    weights = np.ones(5)
    harmonic = weighted_mean("harmonic", scores, weights)
    geometric = weighted_mean("geometric", scores, weights)
    arithmetic = weighted_mean("arithmetic", scores, weights)
    assert np.all(harmonic <= geometric * (1 + 1e-12))
    assert np.all(geometric <= arithmetic * (1 + 1e-12))


# ----------------------------------------------------------------- sensitivity


def small_framework(extra: dict[str, list[str | None]] | None = None) -> Framework:
    columns: dict[str, list[str | None]] = {
        "indicator": ["a1", "a2", "b1", "c1"],
        "goal": ["1", "1", "2", "3"],
        "best": ["100", "0", "100", "100"],
        "worst": ["0", "100", "0", "0"],
    }
    columns.update(extra or {})
    return parse_framework(pa.table(columns))


def observations(values: dict[str, dict[str, float | None]]) -> pa.Table:
    rows = [
        (unit, indicator, value)
        for unit, by_indicator in values.items()
        for indicator, value in by_indicator.items()
    ]
    return pa.table(
        {
            "unit": [r[0] for r in rows],
            "indicator": [r[1] for r in rows],
            "year": pa.array([2020] * len(rows), pa.int64()),
            "value": pa.array([r[2] for r in rows], pa.float64()),
        }
    )


def units_of(groups: dict[str, str]) -> pa.Table:
    return pa.table({"unit": list(groups), "name": list(groups), "group": list(groups.values())})


DATA: dict[str, dict[str, float | None]] = {
    # goal 1 = mean(a1, 100 - a2), goal 2 = b1, goal 3 = c1; index = plain mean
    "p": {"a1": 90, "a2": 10, "b1": 80, "c1": 70},  # 90, 80, 70 → 80
    "q": {"a1": 50, "a2": 30, "b1": 90, "c1": 40},  # 60, 90, 40 → 63.3
    "r": {"a1": 60, "a2": 60, "b1": 20, "c1": 95},  # 50, 20, 95 → 55
    "s": {"a1": 70, "a2": 20, "b1": 60, "c1": None},  # 75, 60, fill → see test
    "t": {"a1": 10, "a2": None, "b1": None, "c1": None},  # 1 of 4: below coverage
}
GROUPS = {"p": "north", "q": "north", "r": "south", "s": "south", "t": "south"}


def by_unit(table: pa.Table) -> dict[str, dict[str, int | None]]:
    return {row.pop("unit"): row for row in table.to_pylist()}


def test_nominal_ranks_hand_computed() -> None:
    # s misses goal 3 (3 of 4 indicators = 75% < 80%): s does not qualify either.
    result = by_unit(
        rank_intervals(observations(DATA), small_framework(), units_of(GROUPS), runs=1)
    )
    assert {unit: row["nominal_rank"] for unit, row in result.items()} == {
        "p": 1,
        "q": 2,
        "r": 3,
        "s": None,
        "t": None,
    }
    assert result["t"]["runs"] == 0


def test_missing_goal_rules_hand_computed() -> None:
    # coverage 0.75 lets s in without goal 3. group-mean fills it with the mean of
    # the qualifying south units (r: 95) → (75 + 60 + 95) / 3 = 76.7, rank 2;
    # skip averages 75 and 60 → 67.5, rank 2 as well, but above q only with the fill:
    # compare with q = 63.3 and p = 80.
    fixed = {"normalisations": ("goalpost",), "aggregations": ("arithmetic",), "weight_spread": 0}
    filled = by_unit(
        rank_intervals(
            observations(DATA),
            small_framework(),
            units_of(GROUPS),
            runs=1,
            coverage=0.75,
            choices=SensitivityChoices(**fixed, missing_goal_rules=("group-mean",)),  # type: ignore[arg-type]
        )
    )
    assert {u: r["nominal_rank"] for u, r in filled.items() if r["nominal_rank"]} == {
        "p": 1,
        "s": 2,
        "q": 3,
        "r": 4,
    }
    skipped = by_unit(
        rank_intervals(
            observations(DATA),
            small_framework(),
            units_of({**GROUPS, "r": "elsewhere"}),  # s's group has no goal-3 score
            runs=1,
            coverage=0.75,
            choices=SensitivityChoices(**fixed, nominal_missing_goal="skip"),  # type: ignore[arg-type]
        )
    )
    # skip: s = 67.5 → p 80, s 67.5, q 63.3, r 55
    assert [skipped[u]["nominal_rank"] for u in "psqr"] == [1, 2, 3, 4]


def test_weights_count_in_goal_scores() -> None:
    # a2 weighted 3: q's goal 1 = (50 + 3·70) / 4 = 65 → index (65 + 90 + 40) / 3 = 65;
    # r's goal 1 = (0 + 3·100) / 4 = 75 → (75 + 60 + 62) / 3 = 65.7, ahead of q.
    # With equal weights r's goal 1 is 50 → 57.3, behind q's 63.3.
    data = {unit: DATA[unit] for unit in "pq"}
    data["r"] = {"a1": 0, "a2": 0, "b1": 60, "c1": 62}
    weighted = small_framework({"weight": ["1", "3", "1", "1"]})
    result = by_unit(rank_intervals(observations(data), weighted, units_of(GROUPS), runs=1))
    assert [result[u]["nominal_rank"] for u in "pqr"] == [1, 3, 2]
    plain = by_unit(rank_intervals(observations(data), small_framework(), units_of(GROUPS), runs=1))
    assert [plain[u]["nominal_rank"] for u in "pqr"] == [1, 2, 3]


def random_data(units: int, seed: int) -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng(seed)
    data = {
        f"u{i:03d}": {
            indicator: (None if rng.random() < 0.05 else float(rng.uniform(0, 100)))
            for indicator in ("a1", "a2", "b1", "c1")
        }
        for i in range(units)
    }
    groups = {unit: f"g{i % 3}" for i, unit in enumerate(data)}
    return observations(data), units_of(groups)


def smallest_budget(units: int, runs: int) -> int:
    """The fewest bytes in which the ranks of `units` units over `runs` runs can be
    counted: the widest first-pass bins, so two passes from 7 units on."""
    low, high = 0, units * units * 4  # too few; enough for a count per unit and rank
    while high - low > 1:
        middle = (low + high) // 2
        try:
            rank_plan(units, runs, middle)
        except TooManyUnits:
            low = middle
        else:
            high = middle
    return high


def budget_for(kind: str, ranked: int, runs: int) -> int | None:
    """`None` (the default budget) or the smallest one for `ranked` units, which makes
    the counting take two passes over the runs with bins of several ranks."""
    if kind == "default":
        return None
    budget = smallest_budget(ranked, runs)
    assert rank_plan(ranked, runs, budget).passes == 2
    return budget


BUDGETS = pytest.mark.parametrize("budget", ["default", "smallest"])


def ranked_count(table: pa.Table) -> int:
    """The units with a nominal rank: here, the qualifying ones (the ranks' range)."""
    return int(table.num_rows - table.column("nominal_rank").null_count)


@BUDGETS
def test_same_seed_same_result_and_runs_are_used(budget: str) -> None:
    values, units = random_data(40, seed=7)
    first = rank_intervals(values, small_framework(), units, runs=200, seed=11)
    ranks_budget = budget_for(budget, ranked_count(first), 200)
    again = rank_intervals(
        values, small_framework(), units, runs=200, seed=11, ranks_budget=ranks_budget
    )
    assert first.equals(again)
    other = rank_intervals(
        values, small_framework(), units, runs=200, seed=12, ranks_budget=ranks_budget
    )
    assert not first.equals(other)
    rows = [row for row in first.to_pylist() if row["nominal_rank"] is not None]
    assert rows and all(row["runs"] == 200 for row in rows)
    # Varying the method moves some ranks: not every interval is a single rank.
    assert any(row["min_rank"] < row["max_rank"] for row in rows)


@BUDGETS
def test_intervals_hold_the_nominal_and_are_ordered(budget: str) -> None:
    values, units = random_data(60, seed=3)
    ranked = ranked_count(rank_intervals(values, small_framework(), units, runs=1))
    result = rank_intervals(
        values,
        small_framework(),
        units,
        runs=300,
        seed=5,
        ranks_budget=budget_for(budget, ranked, 300),
    )
    for row in result.to_pylist():
        if row["nominal_rank"] is None:
            assert row["median_rank"] is None
            continue
        assert row["min_rank"] <= row["nominal_rank"] <= row["max_rank"]
        assert row["min_rank"] <= row["p05_rank"] <= row["median_rank"]
        assert row["median_rank"] <= row["p95_rank"] <= row["max_rank"]


def test_fixed_choices_collapse_every_interval_to_the_nominal() -> None:
    values, units = random_data(30, seed=4)
    choices = SensitivityChoices(
        normalisations=("goalpost",),
        aggregations=("arithmetic",),
        weight_spread=0.0,
        missing_goal_rules=("group-mean",),
    )
    for row in rank_intervals(
        values, small_framework(), units, runs=20, seed=1, choices=choices
    ).to_pylist():
        if row["nominal_rank"] is not None:
            assert row["min_rank"] == row["max_rank"] == row["nominal_rank"]


@BUDGETS
def test_a_unit_best_everywhere_is_first_in_every_run(budget: str) -> None:
    values, units = random_data(50, seed=9)
    champion = observations({"champ": {"a1": 100.0, "a2": 0.0, "b1": 100.0, "c1": 100.0}})
    table = pa.concat_tables([values, champion])
    all_units = pa.concat_tables([units, units_of({"champ": "g0"})])
    ranked = ranked_count(rank_intervals(table, small_framework(), all_units, runs=1))
    result = by_unit(
        rank_intervals(
            table,
            small_framework(),
            all_units,
            runs=300,
            seed=2,
            ranks_budget=budget_for(budget, ranked, 300),
        )
    )
    champ = result["champ"]
    assert (champ["nominal_rank"], champ["p05_rank"], champ["p95_rank"]) == (1, 1, 1)
    assert (champ["min_rank"], champ["max_rank"]) == (1, 1)
    assert sum(1 for row in result.values() if row["min_rank"] == 1) == 1


def test_scope_excludes_an_indicator_from_coverage_and_scores() -> None:
    framework = small_framework({"scope": [None, None, None, "coastal"]})
    data = {unit: dict(DATA[unit]) for unit in "pqr"}
    data["r"]["c1"] = None  # r is inland: c1 does not apply, so r still qualifies
    units = pa.table(
        {
            "unit": ["p", "q", "r"],
            "name": ["p", "q", "r"],
            "group": ["n", "n", "n"],
            "coastal": ["1", "1", "0"],
        }
    )
    choices = SensitivityChoices(missing_goal_rules=("skip",), nominal_missing_goal="skip")
    result = by_unit(rank_intervals(observations(data), framework, units, runs=1, choices=choices))
    # r: goals 50 and 20 → 35, last; qualifies with 3 of 3 applicable indicators.
    assert [result[u]["nominal_rank"] for u in "pqr"] == [1, 2, 3]


def test_latest_values_with_a_pair_given_twice_are_refused_naming_it() -> None:
    latest = pa.table(
        {"unit": ["A", "A", "B"], "indicator": ["a1", "a1", "a1"], "value": [1.0, 2.0, 3.0]}
    )
    with pytest.raises(ValueError, match="unit 'A', indicator 'a1' has more than one value"):
        sensitivity.rank_intervals_of_latest(
            latest, small_framework(), units_of({"A": "g", "B": "g"}), runs=1
        )


def test_latest_values_are_the_latest_valued_at_or_before_the_year() -> None:
    rows = [
        ("A", "a1", 2019, 10.0), ("A", "a1", 2021, 15.0), ("A", "a1", 2022, None),
        ("A", "b1", 2022, float("nan")), ("B", "a1", 2018, 70.0), ("B", "b1", 2020, 40.0),
        ("B", "b1", 2023, 45.0), ("C", "a1", 2022, 30.0),
    ]  # fmt: skip
    values = pa.table(
        {name: [row[k] for row in rows] for k, name in enumerate(("unit", "indicator", "year"))}
        | {"value": pa.array([row[3] for row in rows], pa.float64())}
    )

    def latest(year: int | None) -> list[tuple[str, str, float]]:
        table = sensitivity.latest_values(values, year)
        return sorted((r["unit"], r["indicator"], r["value"]) for r in table.to_pylist())

    assert latest(None) == [("A", "a1", 15.0), ("B", "a1", 70.0), ("B", "b1", 45.0),
                            ("C", "a1", 30.0)]  # fmt: skip
    assert latest(2020) == [("A", "a1", 10.0), ("B", "a1", 70.0), ("B", "b1", 40.0)]
    units = units_of({"A": "g", "B": "g", "C": "h"})
    options: dict[str, Any] = {"runs": 40, "seed": 5, "coverage": 0.0}
    for year in (None, 2020):
        of_latest = sensitivity.rank_intervals_of_latest(
            sensitivity.latest_values(values, year), small_framework(), units, **options
        )
        assert of_latest == rank_intervals(values, small_framework(), units, year=year, **options)
        assert of_latest.column("nominal_rank").null_count < of_latest.num_rows


def test_bad_arguments_are_refused() -> None:
    values, units = random_data(5, seed=1)
    with pytest.raises(ValueError, match="runs must be from 1 to 100000, found 0"):
        rank_intervals(values, small_framework(), units, runs=0)
    with pytest.raises(ValueError, match="runs must be from 1 to 100000, found 100001"):
        rank_intervals(values, small_framework(), units, runs=100_001)
    with pytest.raises(ValueError, match="normalisations"):
        SensitivityChoices(normalisations=("log",))  # type: ignore[arg-type]


def test_nominal_ranks_are_the_sdsn_index_ranks() -> None:
    # Cross-check with the engine's SDSN scoring on data with gaps and groups: the
    # nominal run must reproduce its ranks (goalpost, arithmetic, group-mean).
    from sdgnet.engine.scoring import score_sdsn

    rng = np.random.default_rng(21)
    indicators = [f"i{j:02d}" for j in range(24)]
    framework = parse_framework(
        pa.table(
            {
                "indicator": indicators,
                "goal": [str(1 + j % 9) for j in range(24)],
                "best": ["100" if j % 3 else "0" for j in range(24)],
                "worst": ["0" if j % 3 else "100" for j in range(24)],
                "weight": [str(1 + j % 2) for j in range(24)],
            }
        )
    )
    data = {
        f"u{i:03d}": {
            indicator: (None if rng.random() < 0.12 else float(rng.normal(50, 30)))
            for indicator in indicators
        }
        for i in range(120)
    }
    units = units_of({unit: f"g{i % 4}" for i, unit in enumerate(data)})
    values = observations(data)
    expected = {
        row["unit"]: row["rank"] for row in score_sdsn(framework, values, units).index.to_pylist()
    }
    result = rank_intervals(values, framework, units, runs=1)
    assert {row["unit"]: row["nominal_rank"] for row in result.to_pylist()} == expected


def rescaled_0_to_100(goals: dict[str, str]) -> Framework:
    """Indicators (id: goal) whose scores are their values (best 100, worst 0)."""
    count = len(goals)
    return parse_framework(
        pa.table(
            {
                "indicator": list(goals),
                "goal": list(goals.values()),
                "best": ["100"] * count,
                "worst": ["0"] * count,
            }
        )
    )


def sdsn_and_nominal_ranks(
    framework: Framework, values: pa.Table, units: pa.Table, coverage: float = 0.8
) -> tuple[dict[str, int | None], dict[str, int | None]]:
    from sdgnet.engine.scoring import score_sdsn

    sdsn = score_sdsn(framework, values, units, coverage=coverage).index.to_pylist()
    nominal = rank_intervals(values, framework, units, runs=1, coverage=coverage).to_pylist()
    return (
        {row["unit"]: row["rank"] for row in sdsn},
        {row["unit"]: row["nominal_rank"] for row in nominal},
    )


def test_index_scores_that_sum_differently_in_binary_tie_as_in_the_sdsn_ranks() -> None:
    # p and q have the same goal scores in another order: their indexes are equal in
    # decimals, but summed in goal order p's is (0.1 + 0.2) + 0.3 = 0.6000000000000001
    # and q's (0.3 + 0.2) + 0.1 = 0.6. The SDSN ranks tie them (1, 1, 3).
    assert (0.1 + 0.2) + 0.3 != (0.3 + 0.2) + 0.1
    framework = rescaled_0_to_100({"g1": "1", "g2": "2", "g3": "3"})
    data: dict[str, dict[str, float | None]] = {
        "p": {"g1": 0.1, "g2": 0.2, "g3": 0.3},
        "q": {"g1": 0.3, "g2": 0.2, "g3": 0.1},
        "r": {"g1": 0.0, "g2": 0.0, "g3": 0.0},
    }
    units = units_of({"p": "", "q": "", "r": ""})
    sdsn, nominal = sdsn_and_nominal_ranks(framework, observations(data), units)
    assert sdsn == {"p": 1, "q": 1, "r": 3}
    assert nominal == sdsn


def test_index_scores_equal_to_9_decimals_tie_as_in_the_sdsn_ranks() -> None:
    # 50.0000000498 and 50.0000000502 are 50.00000005 to 9 decimals: a tie in the SDSN
    # ranks, which the positive scale 1 + 0.99 s would split (50.500000049 and
    # 50.50000005 to 9 decimals), so the nominal run ranks on the SDSN scale.
    framework = rescaled_0_to_100({"a": "1"})
    data: dict[str, dict[str, float | None]] = {
        "p": {"a": 50.0000000502},
        "q": {"a": 50.0000000498},
        "r": {"a": 49.999999998},
    }
    units = units_of({"p": "", "q": "", "r": ""})
    sdsn, nominal = sdsn_and_nominal_ranks(framework, observations(data), units)
    assert sdsn == {"p": 1, "q": 1, "r": 3}
    assert nominal == sdsn


def test_a_goal_none_of_whose_indicators_applies_is_not_filled_from_the_group() -> None:
    # Goal 2's only indicator applies to coastal units; A is inland, so (as in the SDSN
    # method) goal 2 is not one of A's goals: A's index is its goal 1, 45, third behind
    # B (70) and C (50). Filled with the group's goal-2 mean (60) it would be 52.5, second.
    framework = parse_framework(
        pa.table(
            {
                "indicator": ["a", "b"],
                "goal": ["1", "2"],
                "best": ["100", "100"],
                "worst": ["0", "0"],
                "scope": [None, "coastal"],
            }
        )
    )
    data: dict[str, dict[str, float | None]] = {
        "A": {"a": 45},
        "B": {"a": 50, "b": 90},
        "C": {"a": 70, "b": 30},
    }
    units = pa.table(
        {
            "unit": ["A", "B", "C"],
            "name": ["A", "B", "C"],
            "group": ["g", "g", "g"],
            "coastal": ["no", "yes", "yes"],
        }
    )
    sdsn, nominal = sdsn_and_nominal_ranks(framework, observations(data), units)
    assert sdsn == {"A": 3, "B": 1, "C": 2}
    assert nominal == sdsn


def test_coverage_counts_as_the_sdsn_method_does() -> None:
    # 14 of 25 indicators meets a coverage of 0.56, although 0.56 * 25 is
    # 14.000000000000002 in binary: the SDSN method ranks p, and so must the nominal run.
    assert 0.56 * 25 > 14
    goals = {f"i{j:02d}": str(1 + j % 17) for j in range(25)}
    framework = rescaled_0_to_100(goals)
    data: dict[str, dict[str, float | None]] = {
        "p": {indicator: (60.0 if j < 14 else None) for j, indicator in enumerate(goals)},
        "q": dict.fromkeys(goals, 50.0),
    }
    units = units_of({"p": "", "q": ""})
    sdsn, nominal = sdsn_and_nominal_ranks(framework, observations(data), units, coverage=0.56)
    assert sdsn == {"p": 1, "q": 2}
    assert nominal == sdsn


def test_ranks_round_the_index_as_the_sdsn_plan_does() -> None:
    # The plan ranks on DuckDB's ROUND(score, 9); values on both sides of, and as near
    # as binary gets to, a half in the 10th decimal are rounded alike here.
    import duckdb

    from sdgnet.engine.sensitivity import _rounded_for_ranking

    rng = np.random.default_rng(5)
    halves = (rng.integers(0, 10**11, 20_000) + 0.5) / 1e9
    index = np.concatenate(
        [
            halves,
            np.nextafter(halves, 0.0),
            np.nextafter(halves, 200.0),
            rng.uniform(0.0, 100.0, 20_000),
            [0.0, 2.5e-9, 0.5e-9, 1.0000000005, 99.9999999995, 1234.5678901235],
        ]
    )
    expected = (
        duckdb.connect()
        .execute("SELECT round(x, 9) FROM (SELECT unnest(?) AS x)", [index.tolist()])
        .fetchnumpy()
    )
    np.testing.assert_array_equal(_rounded_for_ranking(index), next(iter(expected.values())))


def test_harmonic_mean_of_a_score_near_zero_is_zero_without_a_warning() -> None:
    # 3 / 5e-324 overflows: the mean's limit, W / inf = 0, is the answer.
    scores = np.array([[5e-324, 50.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain = weighted_mean("harmonic", scores, np.array([3.0, 1.0]))
        grouped = grouped_weighted_mean(
            "harmonic", scores, np.array([3.0, 1.0]), np.array([0], dtype=np.intp)
        )
    assert plain.tolist() == [0.0]
    assert grouped.tolist() == [[0.0]]


# ------------------------------------------------- sensitivity in bounded memory


def previous_intervals(
    values: pa.Table,
    framework: Framework,
    units: pa.Table,
    *,
    runs: int,
    seed: int,
    coverage: float = 0.8,
    choices: SensitivityChoices | None = None,
) -> pa.Table:
    """The previous implementation's summary, the reference: every run's ranks kept
    (runs × units) and summarised with NumPy's nanquantile, nanmin and nanmax."""
    choices = choices or SensitivityChoices()
    latest = sensitivity.latest_values(values, None)
    problem = sensitivity._problem(latest, framework, units, coverage)
    all_ranks = np.stack(
        list(
            sensitivity._run_ranks(
                problem,
                choices,
                runs=runs,
                seed=seed,
                normalised={
                    name: sensitivity._positive_scores(problem, name)
                    for name in choices.normalisations
                },
                nominal_scores=normalise(
                    "goalpost", problem.values, problem.best, problem.worst, problem.direction
                ),
            )
        )
    )
    ranked = problem.qualifies & ~np.isnan(all_ranks[0])
    counts = (~np.isnan(all_ranks)).sum(axis=0)
    summary: dict[str, np.ndarray] = {}
    if ranked.any():
        subset = all_ranks[:, ranked]
        for name, quantile in (("median_rank", 0.5), ("p05_rank", 0.05), ("p95_rank", 0.95)):
            column = np.full(len(problem.units), np.nan)
            column[ranked] = np.nanquantile(subset, quantile, axis=0, method="inverted_cdf")
            summary[name] = column
        summary["min_rank"] = np.where(ranked, np.nanmin(np.where(ranked, all_ranks, 0), 0), np.nan)
        summary["max_rank"] = np.where(ranked, np.nanmax(np.where(ranked, all_ranks, 0), 0), np.nan)
    else:
        for name in ("median_rank", "p05_rank", "p95_rank", "min_rank", "max_rank"):
            summary[name] = np.full(len(problem.units), np.nan)

    def rank_column(column: np.ndarray) -> pa.Array:
        return pa.array([None if np.isnan(v) else round(float(v)) for v in column], pa.int64())

    return pa.table(
        {
            "unit": pa.array(problem.units, pa.string()),
            "nominal_rank": rank_column(np.where(ranked, all_ranks[0], np.nan)),
            **{name: rank_column(column) for name, column in summary.items()},
            "runs": pa.array(np.where(ranked, counts, 0).tolist(), pa.int64()),
        }
    )


def varied_data(
    units: int, seed: int, *, missing: float, levels: int | None
) -> tuple[pa.Table, pa.Table]:
    """`units` units on small_framework's indicators: a share `missing` of the values
    missing, values whole numbers below `levels` (many ties) or any in [0, 100]; every
    fifth unit without a group, so that `group-mean` has nothing to fill it from."""
    rng = np.random.default_rng(seed)
    data: dict[str, dict[str, float | None]] = {
        f"u{i:03d}": {
            indicator: (
                None
                if rng.random() < missing
                else float(rng.integers(0, levels) if levels else rng.uniform(0, 100))
            )
            for indicator in ("a1", "a2", "b1", "c1")
        }
        for i in range(units)
    }
    groups = {unit: ("" if i % 5 == 4 else f"g{i % 3}") for i, unit in enumerate(data)}
    return observations(data), units_of(groups)


@settings(max_examples=40, deadline=None)
@given(
    units=st.integers(min_value=1, max_value=70),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    runs=st.integers(min_value=1, max_value=90),
    missing=st.sampled_from([0.0, 0.1, 0.5, 0.9]),
    levels=st.sampled_from([None, 2, 6]),
    # 0: the qualifying units include some without any value, ranked only in runs
    # that fill their goals from their group: their runs are fewer than the runs.
    coverage=st.sampled_from([0.0, 0.5, 0.8]),
    skip=st.booleans(),
    share=st.floats(min_value=0.0, max_value=1.0),
)
def test_any_budget_gives_the_previous_implementations_table(
    *,
    units: int,
    seed: int,
    runs: int,
    missing: float,
    levels: int | None,
    coverage: float,
    skip: bool,
    share: float,
) -> None:
    # Any budget, from the smallest that fits (the widest bins, two passes) to one that
    # holds a count per unit and rank, gives the previous implementation's table, on
    # data with ties, units that do not qualify and units without a rank in some runs;
    # so does the default one (the ranks kept where the runs are fewer than the units).
    values, unit_table = varied_data(units, seed, missing=missing, levels=levels)
    choices = SensitivityChoices(nominal_missing_goal="skip" if skip else "group-mean")
    options = {"runs": runs, "seed": seed % 1000, "coverage": coverage, "choices": choices}
    expected = previous_intervals(values, small_framework(), unit_table, **options)  # type: ignore[arg-type]
    latest = sensitivity.latest_values(values, None)
    qualifying = sensitivity._problem(latest, small_framework(), unit_table, coverage)
    count = int(qualifying.qualifies.sum())
    smallest = smallest_budget(count, runs)
    budget = smallest + round(share * max(count * count * 2 - smallest, 0))
    for ranks_budget in (None, budget):
        result = rank_intervals(
            values,
            small_framework(),
            unit_table,
            ranks_budget=ranks_budget,
            **options,  # type: ignore[arg-type]
        )
        assert result.equals(expected)


@pytest.mark.parametrize(("units", "runs"), [(9, 150), (30, 150), (120, 150), (120, 60)])
def test_every_way_of_summarising_gives_the_same_table(units: int, runs: int) -> None:
    # Every budget from the smallest that fits up: the ranks kept (where the runs are
    # fewer than the units), counted per rank in one pass, or per bin of 2, 3, ...
    # ranks and then per rank inside the percentiles' bins in a second pass.
    values, unit_table = varied_data(units, seed=units, missing=0.0, levels=8)
    expected = previous_intervals(values, small_framework(), unit_table, runs=runs, seed=3)
    assert ranked_count(expected) == units  # no value missing: every unit qualifies
    plans = set()
    for budget in range(smallest_budget(units, runs), max(units, runs) * units * 2 + 1):
        plan = rank_plan(units, runs, budget)
        if plan in plans:
            continue
        plans.add(plan)
        result = rank_intervals(
            values, small_framework(), unit_table, runs=runs, seed=3, ranks_budget=budget
        )
        assert result.equals(expected), plan
    widths = {plan.bin_width for plan in plans if not plan.keep_ranks}
    assert max(widths) > (2 if units > 9 else 1)  # two passes
    # Fewer runs than units: kept ranks take fewer bytes than a count per rank.
    assert any(plan.keep_ranks for plan in plans) == (runs < units) == (1 not in widths)


@pytest.mark.parametrize("batch", [1, 2, 7, 149, 150, 1000])
@pytest.mark.parametrize(
    ("units", "runs", "budget", "passes"),
    [(30, 150, "default", 1), (30, 150, "smallest", 2), (120, 60, "default", 0)],
    ids=["counted", "counted in two passes", "kept"],
)
def test_batches_of_runs_and_blocks_of_units_do_not_change_the_table(
    monkeypatch: pytest.MonkeyPatch, *, batch: int, units: int, runs: int, budget: str, passes: int
) -> None:
    # The working bytes (`WORKING_BYTES`, 16 MiB) set how many runs' ranks are gathered
    # before they are counted (here `batch` runs: 24 bytes and a flag per unit and run),
    # and how many units' counts or kept ranks are read at a time.
    values, unit_table = varied_data(units, seed=runs, missing=0.0, levels=8)
    expected = previous_intervals(values, small_framework(), unit_table, runs=runs, seed=9)
    monkeypatch.setattr(sensitivity, "WORKING_BYTES", batch * units * 25)
    ranks_budget = budget_for(budget, units, runs)
    plan = rank_plan(units, runs, ranks_budget)
    assert (0 if plan.keep_ranks else plan.passes) == passes
    counted: list[int] = []
    finish = sensitivity._FirstPass.finish

    def spy(self: sensitivity._FirstPass) -> None:
        counted.append(self.gathered)
        finish(self)

    monkeypatch.setattr(sensitivity._FirstPass, "finish", spy)
    result = rank_intervals(
        values, small_framework(), unit_table, runs=runs, seed=9, ranks_budget=ranks_budget
    )
    assert result.equals(expected)
    batches = [gathered for gathered in counted if gathered]
    assert batches == (
        [] if plan.keep_ranks else [batch] * (runs // batch) + [runs % batch] * (runs % batch > 0)
    )


@pytest.mark.parametrize(("units", "runs", "kept"), [(40, 90, False), (70, 30, True)])
def test_4_byte_counts_and_ranks_give_the_same_table(
    monkeypatch: pytest.MonkeyPatch, units: int, runs: int, kept: bool
) -> None:
    # Counts of more than 65,535 runs and ranks among more than 65,535 units take 4
    # bytes. Here the bound is lowered to 50: 90 runs' counts (one pass and two) and 70
    # units' kept ranks take the 4-byte path.
    values, unit_table = varied_data(units, seed=8, missing=0.0, levels=None)
    expected = previous_intervals(values, small_framework(), unit_table, runs=runs, seed=4)
    monkeypatch.setattr(sensitivity, "MAX_SHORT", 50)
    plan = rank_plan(units, runs)
    assert plan.keep_ranks == kept
    assert (plan.rank_type if plan.keep_ranks else plan.count_type) is np.uint32
    for budget in (None, smallest_budget(units, runs)):
        result = rank_intervals(
            values, small_framework(), unit_table, runs=runs, seed=4, ranks_budget=budget
        )
        assert result.equals(expected)


@pytest.mark.parametrize("budget", ["default", "smallest"])
@pytest.mark.parametrize(("runs", "seed"), [(8, 0), (8, 5), (200, 0), (200, 1), (200, 7)])
def test_percentiles_hand_computed_from_the_drawn_rules(budget: str, runs: int, seed: int) -> None:
    # Only the missing-goal rule varies. A has no value for goal 2: skip ranks it on
    # goal 1 alone (52: second, behind C's 55, ahead of B's 50), group-mean fills goal 2
    # with its group's mean (30), which makes it 41, third. F1..F7 (indexes 1..7, their
    # own group) are always last. The rules drawn are those of the documented stream:
    # per run, an integer below the number of normalisations, of aggregations, of
    # rules, then the weight factors. 8 runs of 10 units are kept, 200 counted (the
    # smallest budget: in two passes).
    data: dict[str, dict[str, float | None]] = {
        "A": {"a": 52},
        "B": {"a": 80, "b": 20},
        "C": {"a": 70, "b": 40},
        **{f"F{k}": {"a": float(k), "b": float(k)} for k in range(1, 8)},
    }
    groups = {"A": "g", "B": "g", "C": "g", **{f"F{k}": "h" for k in range(1, 8)}}
    choices = SensitivityChoices(
        normalisations=("goalpost",), aggregations=("arithmetic",), weight_spread=0.0
    )
    rng = np.random.default_rng(seed)
    skips = 0
    for _ in range(1, runs):
        rng.integers(1)
        rng.integers(1)
        skips += choices.missing_goal_rules[rng.integers(2)] == "skip"
        rng.uniform(1.0, 1.0, 2)
    assert 0 < skips < runs - 1
    ranks_budget = budget_for(budget, 10, runs)
    assert rank_plan(10, runs, ranks_budget).keep_ranks == (runs == 8 and budget == "default")
    result = by_unit(
        rank_intervals(
            observations(data),
            rescaled_0_to_100({"a": "1", "b": "2"}),
            units_of(groups),
            runs=runs,
            seed=seed,
            coverage=0.5,
            choices=choices,
            ranks_budget=ranks_budget,
        )
    )

    # A is second in the `skips` runs, third in the others (the nominal run included);
    # the inverted CDF's q-th percentile is 2 where at least the share q of runs rank it 2.
    def percentile(share_percent: int) -> int:
        return 2 if skips * 100 >= share_percent * runs else 3

    assert result["A"] == {
        "nominal_rank": 3,
        "median_rank": percentile(50),
        "p05_rank": percentile(5),
        "p95_rank": percentile(95),
        "min_rank": 2,
        "max_rank": 3,
        "runs": runs,
    }
    assert result["C"]["min_rank"] == result["C"]["max_rank"] == 1
    assert {result[f"F{k}"]["median_rank"] for k in range(1, 8)} == set(range(4, 11))


@settings(max_examples=300, deadline=None)
@given(
    units=st.integers(min_value=0, max_value=400_000),
    runs=st.integers(min_value=1, max_value=sensitivity.MAX_RUNS),
    budget=st.one_of(st.just(RANKS_BUDGET), st.integers(min_value=1, max_value=2**31)),
)
def test_a_plan_stays_within_its_budget(units: int, runs: int, budget: int) -> None:
    unit_limit = max_units(runs, budget)
    run_limit = max_runs(units, budget)
    if units > unit_limit:
        assert run_limit < runs
        with pytest.raises(TooManyUnits, match=f"give at most {unit_limit:,} units") as refused:
            rank_plan(units, runs, budget)
        assert (refused.value.unit_limit, refused.value.run_limit) == (unit_limit, run_limit)
    else:
        assert run_limit >= runs
        plan = rank_plan(units, runs, budget)
        assert plan.table_bytes <= budget
        if not plan.keep_ranks:
            assert plan.bins * plan.bin_width >= units
        if not plan.keep_ranks and plan.bin_width > 1:
            # The narrowest bins that fit: one rank fewer per bin would not.
            narrower = -(-units // (plan.bin_width - 1))
            assert units * narrower * np.dtype(plan.count_type).itemsize > budget
    # Both limits are the bounds: one unit or one run more does not fit.
    rank_plan(unit_limit, runs, budget)
    with pytest.raises(TooManyUnits):
        rank_plan(unit_limit + 1, runs, budget)
    if run_limit > 0:
        rank_plan(units, run_limit, budget)
    if 0 < run_limit < sensitivity.MAX_RUNS:
        with pytest.raises(TooManyUnits):
            rank_plan(units, run_limit + 1, budget)


def test_the_default_budget_in_figures() -> None:
    # 10,000 units × 100,000 runs: 8 GB of ranks kept before; 400 MB of counts now, one
    # pass; 20 MB of 2-byte ranks kept for 1,000 runs. 20,000 units × 20,000 runs: two
    # passes. The bound: 181,620 units with 4-byte counts, 288,330 with 2-byte ones
    # (at most 65,535 runs), more where the runs are few enough to keep their ranks.
    assert rank_plan(10_000, 100_000) == sensitivity.RankPlan(10_000, 100_000, False, 1)
    assert rank_plan(10_000, 100_000).table_bytes == 400_000_000
    assert rank_plan(10_000, 1000) == sensitivity.RankPlan(10_000, 1000, True, 1)
    assert rank_plan(10_000, 1000).table_bytes == 20_000_000
    assert rank_plan(20_000, 20_000).passes == 2
    assert rank_plan(100_000, 100_000).passes == 2
    assert rank_plan(100_000, 100_000).table_bytes <= RANKS_BUDGET
    assert (max_units(100_000), max_units(65_535), max_units(400)) == (181_620, 288_330, 335_544)
    with pytest.raises(TooManyUnits) as refused:
        rank_plan(200_000, 100_000)
    assert str(refused.value) == (
        "200,000 units are too many for a sensitivity analysis of 100,000 runs: summarising "
        "their ranks would take more than 512 MiB; give at most 181,620 units, or at most "
        "65,535 runs"
    )
    with pytest.raises(TooManyUnits, match=r"give at most 288,330 units, or at most 447 runs$"):
        rank_plan(300_000, 1000)


def test_too_many_units_are_refused_before_any_run(monkeypatch: pytest.MonkeyPatch) -> None:
    values, unit_table = random_data(40, seed=7)

    def no_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("a run was computed")

    monkeypatch.setattr(sensitivity, "_run_ranks", no_run)
    with pytest.raises(TooManyUnits, match="units are too many for a sensitivity analysis"):
        rank_intervals(values, small_framework(), unit_table, runs=100, ranks_budget=100)
