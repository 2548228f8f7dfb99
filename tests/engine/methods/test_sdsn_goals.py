"""SDSN rules 2 (goal score), 3 (coverage), 4 (index, rank), 7 (goal colour) and
scopes, computed by hand."""

from __future__ import annotations

import pytest

THRESHOLDS = {"best": 100, "worst": 0, "green": 80, "red": 50}


def spec(indicator, goal, **extra):
    return {"indicator": indicator, "goal": goal, **THRESHOLDS, **extra}


# ---- goal score: weights, index = no -------------------------------------------------


def test_goal_score_is_the_weighted_mean_of_index_indicators(score_case):
    framework = [
        spec("a1", 1),
        spec("a2", 1, weight=3),
        spec("a3", 1, index="no"),  # dashboard only: must not enter the score
        spec("b1", 2),
    ]
    observations = [
        ("A", "a1", 2020, 40.0),
        ("A", "a2", 2020, 80.0),
        ("A", "a3", 2020, 10.0),
        ("A", "b1", 2020, 60.0),
    ]
    scored = score_case(framework, observations)
    assert scored.goal("A", 1)["score"] == pytest.approx((40 + 3 * 80) / 4)
    assert scored.goal("A", 2)["score"] == pytest.approx(60.0)
    assert scored.index("A")["score"] == pytest.approx((70 + 60) / 2)
    assert scored.index("A")["rank"] == 1


def test_goal_score_uses_the_available_scores_only(score_case):
    framework = [spec("a1", 1), spec("a2", 1), spec("a3", 1), spec("a4", 1), spec("a5", 1)]
    observations = [
        ("A", f"a{i}", 2020, v) for i, v in [(1, 10.0), (2, 20.0), (3, 30.0), (4, 60.0), (5, None)]
    ]
    scored = score_case(framework, observations)
    # 4 of 5 values = exactly 80%: qualifies; the missing value is left out, not zero.
    assert scored.index("A")["qualifies"] is True
    assert scored.goal("A", 1)["score"] == pytest.approx(30.0)


# ---- coverage -------------------------------------------------------------------------


def test_unit_below_coverage_gets_indicator_scores_but_no_goal_score_or_index(score_case):
    framework = [spec("a1", 1), spec("a2", 1), spec("b1", 2), spec("b2", 2)]
    observations = [
        ("A", "a1", 2020, 90.0),
        ("A", "a2", 2020, 90.0),
        ("A", "b1", 2020, 90.0),
        ("A", "b2", 2020, None),
        ("Z", "a1", 2020, 10.0),
        ("Z", "a2", 2020, 10.0),
        ("Z", "b1", 2020, 10.0),
        ("Z", "b2", 2020, 10.0),
    ]
    scored = score_case(framework, observations)
    assert scored.index("A")["qualifies"] is False  # 3 of 4 = 75% < 80%
    assert scored.index("A")["score"] is None and scored.index("A")["rank"] is None
    assert scored.goal("A", 1)["score"] is None
    assert scored.goal("A", 1)["colour"] == "green"  # colours for every unit
    assert scored.indicator("A", "a1")["score"] == pytest.approx(90.0)
    assert scored.index("Z")["rank"] == 1  # A is not ranked, so Z is first
    relaxed = score_case(framework, observations, coverage=0.75)
    assert relaxed.index("A")["score"] == pytest.approx(90.0)
    assert relaxed.index("A")["rank"] == 1


# ---- index: missing goal, group mean or skip, ranks -------------------------------------

GROUP_FRAMEWORK = [spec("g1", 1), spec("g1b", 1), spec("g2", 2)]
GROUP_UNITS = [
    {"unit": "A", "group": "G1"},
    {"unit": "B", "group": "G1"},
    {"unit": "C", "group": "G1"},
    {"unit": "D", "group": "G2"},
    {"unit": "E", "group": "G1"},
    {"unit": "F", "group": None},
    {"unit": "G", "group": "G1"},
]
GROUP_OBSERVATIONS = [
    ("A", "g1", 2020, 60.0),
    ("A", "g1b", 2020, 60.0),
    ("A", "g2", 2020, 40.0),
    ("B", "g1", 2020, 80.0),
    ("B", "g1b", 2020, 80.0),
    ("B", "g2", 2020, 20.0),
    ("C", "g1", 2020, 90.0),
    ("C", "g1b", 2020, 90.0),  # goal 2 missing, qualifies (2/3)
    ("D", "g1", 2020, 70.0),
    ("D", "g1b", 2020, 70.0),  # goal 2 missing, alone in G2
    ("E", "g2", 2020, 100.0),  # 1/3: does not qualify, so its goal 2 is not in the mean
    ("F", "g1", 2020, 50.0),
    ("F", "g1b", 2020, 50.0),  # no group
    ("G", "g1", 2020, 40.0),
    ("G", "g1b", 2020, 40.0),
    ("G", "g2", 2020, 40.0),
]


@pytest.fixture(scope="module")
def group_mean(score_case):
    return score_case(GROUP_FRAMEWORK, GROUP_OBSERVATIONS, GROUP_UNITS, coverage=0.6)


@pytest.fixture(scope="module")
def skipped(score_case):
    return score_case(
        GROUP_FRAMEWORK, GROUP_OBSERVATIONS, GROUP_UNITS, coverage=0.6, missing_goal="skip"
    )


def test_missing_goal_is_filled_with_the_group_mean_of_qualifying_units(group_mean):
    g1_mean = (40 + 20 + 40) / 3  # A, B, G; not E (does not qualify)
    assert group_mean.index("C")["score"] == pytest.approx((90 + g1_mean) / 2)
    assert group_mean.goal("C", 2)["score"] is None  # the unit's own goal score stays missing
    assert group_mean.index("D")["score"] == pytest.approx(70.0)  # nothing to fill from in G2
    assert group_mean.index("F")["score"] == pytest.approx(50.0)  # no group: goal left out
    assert group_mean.index("E")["score"] is None
    assert group_mean.indicator("E", "g2")["score"] == pytest.approx(100.0)


def test_rank_is_competition_ranking_with_ties_sharing_the_best_rank(group_mean):
    ranks = {row["unit"]: row["rank"] for row in group_mean.result.index.to_pylist()}
    assert ranks == {"D": 1, "C": 2, "A": 3, "B": 3, "F": 3, "G": 6, "E": None}


def test_skip_averages_the_goals_the_unit_has(skipped):
    assert skipped.index("C")["score"] == pytest.approx(90.0)
    assert skipped.index("A")["score"] == pytest.approx(50.0)
    ranks = {row["unit"]: row["rank"] for row in skipped.result.index.to_pylist()}
    assert ranks == {"C": 1, "D": 2, "A": 3, "B": 3, "F": 3, "G": 6, "E": None}


# ---- goal colours: two lowest, grey, one indicator, index = no included ------------------

COLOUR_FRAMEWORK = [
    spec("p", 5),
    spec("q", 5),
    spec("r", 5),
    spec("s", 5, index="no"),
    spec("t", 6),
    spec("v", 7),
    spec("w", 7),
]
# unit: {indicator: value}; expected goal-5 colour
COLOUR_CASES = {
    "U1": ({"p": 90, "q": 70, "r": 25}, "orange"),  # 0.5 and 1.67: average 1.08
    "U2": ({"p": 90, "q": 85, "r": 100, "s": 82}, "green"),  # both lowest green
    "U3": ({"p": 79, "q": 100, "r": 100, "s": 100}, "yellow"),  # average 2.48, not both green
    "U4": ({"p": 10, "q": 30, "r": 100, "s": 100}, "red"),  # both red
    "U5": ({"p": 10, "q": 60, "r": 100, "s": 100}, "orange"),  # average < 1, not both red
    "U6": ({"p": 90}, "grey"),  # 1 of 4 shown has a value
    "U7": ({"p": 60, "q": 90}, "yellow"),  # 2 of 4: exactly half is enough; 1.33 and 2.5
    "U8": ({"p": 100, "q": 100, "r": 100, "s": 10}, "yellow"),  # index = no counts: 0.2 and 3
}


@pytest.fixture(scope="module")
def colours(score_case):
    observations = [
        (unit, indicator, 2020, float(value))
        for unit, (values, _colour) in COLOUR_CASES.items()
        for indicator, value in values.items()
    ]
    observations += [("U8", "t", 2020, 70.0), ("U8", "v", 2020, 45.0)]
    return score_case(COLOUR_FRAMEWORK, observations, coverage=0)


@pytest.mark.parametrize("unit", sorted(COLOUR_CASES))
def test_goal_colour_from_the_two_lowest_dashboard_values(colours, unit):
    assert colours.goal(unit, 5)["colour"] == COLOUR_CASES[unit][1]


def test_goal_with_one_indicator_takes_its_colour(colours):
    assert colours.goal("U8", 6)["colour"] == "yellow"  # t = 70
    assert colours.goal("U8", 7)["colour"] == "red"  # v = 45, w missing: 1 of 2 is half
    assert colours.goal("U1", 6)["colour"] == "grey"  # t shown, no value


def test_dashboard_only_indicator_stays_out_of_the_goal_score(colours):
    assert colours.goal("U8", 5)["score"] == pytest.approx(100.0)


# ---- scope and dashboard_scope ---------------------------------------------------------


# k applies to coastal units, m to the others, z to all.
SCOPED = [spec("k", 1, scope="coastal"), spec("m", 1, scope="!coastal"), spec("z", 1)]


def test_scope_and_negated_scope_choose_the_units(score_case):
    units = [
        {"unit": "Co", "group": "G", "coastal": "1"},
        {"unit": "In", "group": "G", "coastal": "no"},
    ]
    observations = [
        ("Co", "k", 2020, 90.0),
        ("Co", "m", 2020, 10.0),
        ("Co", "z", 2020, 90.0),
        ("In", "m", 2020, 50.0),
        ("In", "z", 2020, 90.0),
    ]
    scored = score_case(SCOPED, observations, units)
    assert scored.has_indicator("Co", "k") and not scored.has_indicator("Co", "m")
    assert scored.has_indicator("In", "m") and not scored.has_indicator("In", "k")
    assert scored.goal("Co", 1)["score"] == pytest.approx(90.0)  # m's 10 is ignored
    assert scored.goal("In", 1)["score"] == pytest.approx(70.0)
    assert scored.index("In")["n_index"] == 2


@pytest.mark.parametrize("missing", [("Co", "k"), ("Is", "m"), ("In", "z")])
def test_an_applicable_pair_without_observations_is_listed_grey_whatever_the_scope(
    score_case, missing
):
    """One pair of those that apply lacks a value: the scoring plan counts the pairs
    that apply to find out, so any miscount per scope would leave this row out."""
    units = [
        {"unit": "Co", "group": "G", "coastal": "1"},
        {"unit": "In", "group": "G", "coastal": "0"},
        {"unit": "Is", "group": "G", "coastal": "0"},
    ]
    applicable = {("Co", "k"), ("Co", "z"), ("In", "m"), ("In", "z"), ("Is", "m"), ("Is", "z")}
    observations = [
        (unit, indicator, 2020, 60.0) for unit, indicator in sorted(applicable - {missing})
    ]
    scored = score_case(SCOPED, observations, units)
    listed = {(row["unit"], row["indicator"]) for row in scored.result.indicators.to_pylist()}
    assert listed == applicable
    row = scored.indicator(*missing)
    assert row["score"] is None and row["value"] is None and row["colour"] == "grey"


def test_dashboard_scope_hides_an_indicator_that_still_counts(score_case):
    framework = [
        spec("general", 4, dashboard_scope="!north"),
        spec("own", 4, scope="north"),
    ]
    units = [
        {"unit": "N", "group": "G", "north": "true"},
        {"unit": "S", "group": "G", "north": "false"},
    ]
    observations = [
        ("N", "general", 2020, 20.0),
        ("N", "own", 2020, 90.0),
        ("S", "general", 2020, 20.0),
    ]
    scored = score_case(framework, observations, units)
    assert scored.goal("N", 4)["score"] == pytest.approx(55.0)  # general still counts
    assert scored.indicator("N", "general")["colour"] is None  # not on N's dashboard
    assert scored.goal("N", 4)["colour"] == "green"  # only "own" is shown
    assert scored.goal("S", 4)["colour"] == "red"
    assert scored.goal("S", 4)["score"] == pytest.approx(20.0)


def test_the_worked_example_of_docs_methodology(score_case):
    framework = [
        {"indicator": "poverty", "goal": 1, "best": 0, "worst": 30, "green": 5, "red": 15},
        {"indicator": "jobs", "goal": 8, "best": 85, "worst": 55, "green": 80, "red": 70},
        {"indicator": "youth", "goal": 8, "best": 2, "worst": 20, "green": 5, "red": 10},
    ]
    observations = [
        ("Hamar", "poverty", 2023, 8.25),
        ("Hamar", "jobs", 2023, 78.45),
        ("Hamar", "youth", 2023, 7.0),
        ("Hamar", "jobs", 2018, 74.0),
    ]
    scored = score_case(framework, observations)
    expected = {"poverty": (72.5, 1.675), "jobs": (78.1667, 1.845), "youth": (72.2222, 1.6)}
    for indicator, (score, dashboard) in expected.items():
        row = scored.indicator("Hamar", indicator)
        assert row["score"] == pytest.approx(score, abs=1e-4)
        assert row["dashboard_value"] == pytest.approx(dashboard)
        assert row["colour"] == "yellow"
    assert scored.indicator("Hamar", "jobs")["trend"] == "on_track"
    assert scored.goal("Hamar", 8)["score"] == pytest.approx(75.1944, abs=1e-4)
    assert scored.goal("Hamar", 8)["colour"] == "yellow"
    assert scored.index("Hamar")["score"] == pytest.approx(73.8472, abs=1e-4)
