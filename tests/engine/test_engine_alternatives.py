"""The alternatives for sensitivity analysis (normalise.py, aggregate.py), by hand,
and the sensitivity analysis' nominal ranks against the SDSN method's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sdgnet.engine.aggregate import weighted_mean
from sdgnet.engine.framework import read_framework
from sdgnet.engine.inputs import open_observations
from sdgnet.engine.normalise import normalise
from sdgnet.engine.scoring import score_sdsn
from sdgnet.engine.tables import read_table

NAN = np.nan
# Two indicators: the first higher-is-better, the second lower-is-better; 4 units.
VALUES = np.array([[10.0, 1.0], [20.0, 3.0], [40.0, NAN], [30.0, 2.0]])
BEST = np.array([50.0, 0.0])
WORST = np.array([0.0, 4.0])
DIRECTION = np.array([1.0, -1.0])


def run(method):
    return normalise(method, VALUES, BEST, WORST, DIRECTION)


def test_goalpost_is_the_sdsn_rescaling():
    np.testing.assert_allclose(run("goalpost"), [[20, 75], [40, 25], [80, NAN], [60, 50]])


def test_min_max_uses_the_observed_range_in_the_desired_direction():
    np.testing.assert_allclose(run("min-max"), [[0, 100], [100 / 3, 0], [100, NAN], [200 / 3, 50]])


def test_z_score_uses_the_population_sd():
    first = (VALUES[:, 0] - 25.0) / np.sqrt(125.0)
    second = -(np.array([1.0, 3.0, NAN, 2.0]) - 2.0) / np.sqrt(2.0 / 3.0)
    np.testing.assert_allclose(run("z-score"), np.column_stack([first, second]))


def test_rank_gives_the_best_100_and_ties_their_average():
    np.testing.assert_allclose(run("rank"), [[25, 100], [50, 100 / 3], [100, NAN], [75, 200 / 3]])
    tied = normalise("rank", np.array([[1.0], [1.0], [2.0]]), BEST[:1], WORST[:1], DIRECTION[:1])
    np.testing.assert_allclose(tied[:, 0], [50.0, 50.0, 100.0])


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("arithmetic", (1 * 20 + 3 * 80) / 4),
        ("geometric", np.exp((np.log(20) + 3 * np.log(80)) / 4)),
        ("harmonic", 4 / (1 / 20 + 3 / 80)),
    ],
)
def test_weighted_means_skip_missing_scores(method, expected):
    scores = np.array([[20.0, 80.0, NAN]])
    result = weighted_mean(method, scores, np.array([1.0, 3.0, 5.0]))
    assert result[0] == pytest.approx(expected)


def test_geometric_and_harmonic_means_fall_to_zero_with_a_zero_score():
    scores = np.array([[0.0, 50.0]])
    assert weighted_mean("geometric", scores, np.ones(2))[0] == 0.0
    assert weighted_mean("harmonic", scores, np.ones(2))[0] == 0.0
    assert np.isnan(weighted_mean("arithmetic", np.array([[NAN, NAN]]), np.ones(2))[0])


def test_sensitivity_nominal_ranks_are_the_sdsn_ranks():
    from sdgnet.engine.sensitivity import rank_intervals

    golden = Path(__file__).parent / "golden" / "basic"
    framework = read_framework(golden / "framework.csv")
    source = open_observations(golden / "observations.csv")
    units = read_table(golden / "units.csv")
    assert source.table is not None
    sdsn = score_sdsn(framework, source.table, units)
    intervals = rank_intervals(source.table, framework, units, runs=20, seed=1)
    expected = {row["unit"]: row["rank"] for row in sdsn.index.to_pylist()}
    found = {row["unit"]: row["nominal_rank"] for row in intervals.to_pylist()}
    assert found == expected
