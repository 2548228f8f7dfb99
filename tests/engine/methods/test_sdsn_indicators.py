"""SDSN rules 1 (rescale), 5 (colour), 6 (0–3 value) and --year, by hand.

Each table of cases is scored in one run: one unit per case.
"""

from __future__ import annotations

import pytest

# Higher is better: worst 0, red 50, midpoint 65, green 80, best 100.
HIGHER = {"indicator": "h", "goal": 1, "best": 100, "worst": 0, "green": 80, "red": 50}
# Lower is better: best 0, green 10, midpoint 20, red 30, worst 50.
LOWER = {"indicator": "l", "goal": 1, "best": 0, "worst": 50, "green": 10, "red": 30}
# Thresholds on the bounds: green = best, red = worst.
ON_BOUNDS = {"indicator": "b", "goal": 2, "best": 100, "worst": 0, "green": 100, "red": 0}
NO_THRESHOLDS = {"indicator": "n", "goal": 3, "best": 10, "worst": 0}

# (indicator, value, score, colour, 0–3 value)
CASES = [
    ("h", 120.0, 100.0, "green", 3.0),
    ("h", 100.0, 100.0, "green", 3.0),
    ("h", 90.0, 90.0, "green", 2.5),
    ("h", 80.0, 80.0, "green", 2.0),  # tie at green → green
    ("h", 79.99, 79.99, "yellow", 1.0 + 29.99 / 30),
    ("h", 72.5, 72.5, "yellow", 1.75),
    ("h", 65.0, 65.0, "yellow", 1.5),  # tie at the midpoint → yellow
    ("h", 64.99, 64.99, "orange", 1.0 + 14.99 / 30),
    ("h", 50.0, 50.0, "orange", 1.0),  # tie at red → orange
    ("h", 49.99, 49.99, "red", 49.99 / 50),
    ("h", 25.0, 25.0, "red", 0.5),
    ("h", 0.0, 0.0, "red", 0.0),
    ("h", -5.0, 0.0, "red", 0.0),
    ("l", -3.0, 100.0, "green", 3.0),
    ("l", 5.0, 90.0, "green", 2.5),
    ("l", 10.0, 80.0, "green", 2.0),
    ("l", 10.01, 79.98, "yellow", 1.0 + 19.99 / 20),
    ("l", 15.0, 70.0, "yellow", 1.75),
    ("l", 20.0, 60.0, "yellow", 1.5),
    ("l", 20.01, 59.98, "orange", 1.0 + 9.99 / 20),
    ("l", 30.0, 40.0, "orange", 1.0),
    ("l", 30.01, 39.98, "red", 19.99 / 20),
    ("l", 40.0, 20.0, "red", 0.5),
    ("l", 60.0, 0.0, "red", 0.0),
    ("b", 0.0, 0.0, "orange", 1.0),  # equals worst, but as good as red: orange, floor 1
    ("b", 50.0, 50.0, "yellow", 1.5),
    ("b", 100.0, 100.0, "green", 3.0),
    ("b", -1.0, 0.0, "red", 0.0),
    ("n", 5.0, 50.0, None, None),  # no thresholds, no colour
]
SPECS = {"h": HIGHER, "l": LOWER, "b": ON_BOUNDS, "n": NO_THRESHOLDS}


@pytest.fixture(scope="module")
def scored(score_case):
    observations = [
        (f"U{number:02d}", indicator, 2020, value)
        for number, (indicator, value, *_expected) in enumerate(CASES)
    ]
    return score_case(list(SPECS.values()), observations)


@pytest.mark.parametrize(("number", "case"), list(enumerate(CASES)), ids=str)
def test_score_colour_and_dashboard_value(scored, number, case):
    indicator, value, score, colour, dashboard = case
    row = scored.indicator(f"U{number:02d}", indicator)
    assert row["value"] == value
    assert row["score"] == pytest.approx(score)
    assert row["colour"] == colour
    if dashboard is None:
        assert row["dashboard_value"] is None
    else:
        assert row["dashboard_value"] == pytest.approx(dashboard)


def test_units_without_a_value_are_grey_with_no_score(scored):
    # U00 has a value for h only; l, b apply to it too and have none.
    row = scored.indicator("U00", "l")
    assert (row["value"], row["score"], row["dashboard_value"]) == (None, None, None)
    assert row["colour"] == "grey"
    assert scored.indicator("U00", "n")["colour"] is None  # no thresholds: no colour at all


def test_year_takes_the_latest_value_at_or_before_it_skipping_missing(score_case):
    observations = [
        ("A", "h", 2017, 10.0),
        ("A", "h", 2018, 20.0),
        ("A", "h", 2019, None),
        ("A", "h", 2021, 40.0),
    ]
    scored = score_case([HIGHER], observations, years=[2016, 2019, 2020, 2021])
    found = {
        row["as_of"]: (row["year"], row["value"]) for row in scored.result.indicators.to_pylist()
    }
    assert found == {2016: (None, None), 2019: (2018, 20.0), 2020: (2018, 20.0), 2021: (2021, 40.0)}
    latest = score_case([HIGHER], observations).indicator("A", "h")
    assert (latest["as_of"], latest["year"], latest["value"]) == (2021, 2021, 40.0)
    one_year = score_case([HIGHER], observations, year=2019).indicator("A", "h")
    assert (one_year["year"], one_year["value"]) == (2018, 20.0)
