"""Sensitivity analysis and the normalisation/aggregation alternatives it draws from."""

from __future__ import annotations

import warnings

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sdgnet.engine.aggregate import grouped_weighted_mean, weighted_mean
from sdgnet.engine.framework import Framework, parse_framework
from sdgnet.engine.normalise import goalpost, min_max, percentile_rank, z_score
from sdgnet.engine.sensitivity import SensitivityChoices, rank_intervals

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


def test_same_seed_same_result_and_runs_are_used() -> None:
    values, units = random_data(40, seed=7)
    first = rank_intervals(values, small_framework(), units, runs=200, seed=11)
    again = rank_intervals(values, small_framework(), units, runs=200, seed=11)
    assert first.equals(again)
    other = rank_intervals(values, small_framework(), units, runs=200, seed=12)
    assert not first.equals(other)
    rows = [row for row in first.to_pylist() if row["nominal_rank"] is not None]
    assert rows and all(row["runs"] == 200 for row in rows)
    # Varying the method moves some ranks: not every interval is a single rank.
    assert any(row["min_rank"] < row["max_rank"] for row in rows)


def test_intervals_hold_the_nominal_and_are_ordered() -> None:
    values, units = random_data(60, seed=3)
    for row in rank_intervals(values, small_framework(), units, runs=300, seed=5).to_pylist():
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


def test_a_unit_best_everywhere_is_first_in_every_run() -> None:
    values, units = random_data(50, seed=9)
    champion = observations({"champ": {"a1": 100.0, "a2": 0.0, "b1": 100.0, "c1": 100.0}})
    table = pa.concat_tables([values, champion])
    all_units = pa.concat_tables([units, units_of({"champ": "g0"})])
    result = by_unit(rank_intervals(table, small_framework(), all_units, runs=300, seed=2))
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
