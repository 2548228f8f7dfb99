"""Peers: group statistics, nearest-neighbour groups and most-improved peers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sdgnet.engine.framework import Framework, parse_framework
from sdgnet.engine.peers import (
    BAND_MIN_SIZE,
    memberships_from_mapping,
    most_improved,
    nearest_peer_groups,
    peer_bands,
    peer_standing,
)


def framework() -> Framework:
    return parse_framework(
        pa.table(
            {
                "indicator": ["up", "down", "free"],
                "goal": ["1", "1", "1"],
                "best": ["100", "0", None],
                "worst": ["0", "100", None],
            }
        )
    )


def values_table(rows: list[tuple[str, str, int, float | None]]) -> pa.Table:
    return pa.table(
        {
            "unit": [r[0] for r in rows],
            "indicator": [r[1] for r in rows],
            "year": pa.array([r[2] for r in rows], pa.int64()),
            "value": pa.array([r[3] for r in rows], pa.float64()),
        }
    )


GROUP_VALUES = {"a": 10.0, "b": 20.0, "c": 20.0, "d": 40.0}


def group_rows() -> list[tuple[str, str, int, float | None]]:
    rows: list[tuple[str, str, int, float | None]] = []
    for unit, value in GROUP_VALUES.items():
        for indicator in ("up", "down", "free"):
            rows.append((unit, indicator, 2020, value))
    # a's 2021 value is missing: its 2020 value stands.
    rows.append(("a", "up", 2021, None))
    rows.append(("b", "up", 2019, 99.0))  # superseded by 2020
    rows.append(("e", "up", 2020, 1000.0))  # not in the group
    return rows


def by_unit(table: pa.Table, indicator: str, group: str = "g") -> dict[str, dict[str, object]]:
    return {
        row["unit"]: row
        for row in table.to_pylist()
        if row["indicator"] == indicator and row["group"] == group
    }


def test_group_statistics_hand_computed() -> None:
    memberships = memberships_from_mapping({unit: ["g"] for unit in GROUP_VALUES} | {"e": ["h"]})
    table = peer_standing(values_table(group_rows()), memberships, framework())
    up = by_unit(table, "up")
    assert set(up) == {"a", "b", "c", "d"}
    row = up["a"]
    assert row["value"] == 10.0 and row["year"] == 2020
    assert row["group_size"] == 4
    assert row["group_mean"] == pytest.approx(22.5)
    assert row["group_best"] == 40.0
    assert row["group_std"] == pytest.approx((475 / 3) ** 0.5)
    assert row["group_q1"] == pytest.approx(17.5)
    assert row["group_q3"] == pytest.approx(25.0)
    assert row["group_iqr"] == pytest.approx(7.5)
    assert {unit: r["rank"] for unit, r in up.items()} == {"d": 1, "b": 2, "c": 2, "a": 4}

    down = by_unit(table, "down")
    assert down["a"]["group_best"] == 10.0
    assert {unit: r["rank"] for unit, r in down.items()} == {"a": 1, "b": 2, "c": 2, "d": 4}

    free = by_unit(table, "free")  # no direction: no best, no rank
    assert free["a"]["group_best"] is None and free["a"]["rank"] is None
    assert free["a"]["group_mean"] == pytest.approx(22.5)

    alone = by_unit(table, "up", group="h")["e"]
    assert alone["group_size"] == 1 and alone["group_std"] is None and alone["rank"] == 1


def test_scores_are_higher_is_better_without_a_framework() -> None:
    rows = [("a", "x", 2020, 10.0), ("b", "x", 2020, 30.0)]
    table = pa.table(
        {
            "unit": [r[0] for r in rows],
            "indicator": [r[1] for r in rows],
            "year": [r[2] for r in rows],
            "score": [r[3] for r in rows],
        }
    )
    standing = peer_standing(
        table, memberships_from_mapping({"a": ["g"], "b": ["g"]}), measure="score"
    )
    assert {row["unit"]: row["rank"] for row in standing.to_pylist()} == {"a": 2, "b": 1}


def test_year_selects_the_latest_value_at_or_before_it() -> None:
    memberships = memberships_from_mapping({unit: ["g"] for unit in GROUP_VALUES})
    table = peer_standing(values_table(group_rows()), memberships, framework(), year=2019)
    up = by_unit(table, "up")
    assert set(up) == {"b"}
    assert up["b"]["value"] == 99.0


def test_nearest_groups_in_one_dimension() -> None:
    attributes = pa.table({"unit": ["p", "q", "r", "s"], "x": [0.0, 1.0, 3.0, 10.0]})
    groups = nearest_peer_groups(attributes, ["x"], k=1)
    members = {}
    for row in groups.to_pylist():
        assert row["group"] == "nearest:" + row["focal_unit"]
        members.setdefault(row["focal_unit"], set()).add(row["unit"])
    assert members == {"p": {"p", "q"}, "q": {"q", "p"}, "r": {"r", "q"}, "s": {"s", "r"}}


def test_nearest_ties_break_by_unit_id_and_missing_attributes_are_left_out() -> None:
    attributes = pa.table(
        {"unit": ["c", "b", "a", "z"], "x": [2.0, 1.0, 0.0, None], "y": [5.0, 5.0, 5.0, 5.0]}
    )
    groups = nearest_peer_groups(attributes, ["x", "y"], k=1).to_pylist()
    b_members = {row["unit"] for row in groups if row["focal_unit"] == "b"}
    assert b_members == {"b", "a"}
    assert "z" not in {row["unit"] for row in groups}


def test_nearest_groups_report_only_the_focal_unit() -> None:
    attributes = pa.table({"unit": list(GROUP_VALUES), "x": [0.0, 1.0, 2.0, 3.0]})
    memberships = nearest_peer_groups(attributes, ["x"], k=2)
    table = peer_standing(values_table(group_rows()), memberships, framework())
    rows = [row for row in table.to_pylist() if row["indicator"] == "up"]
    assert sorted((row["unit"], row["group"]) for row in rows) == [
        (unit, "nearest:" + unit) for unit in sorted(GROUP_VALUES)
    ]
    # a's neighbours are b and c: values 10, 20, 20
    a_row = next(row for row in rows if row["unit"] == "a")
    assert a_row["group_size"] == 3
    assert a_row["group_mean"] == pytest.approx(50 / 3)
    assert a_row["rank"] == 3


def _z_scores(matrix: np.ndarray) -> np.ndarray:
    spread = matrix.std(axis=0)
    return (matrix - matrix.mean(axis=0)) / np.where(spread > 0, spread, 1)


@settings(max_examples=30, deadline=None)
@given(
    points=st.lists(
        st.tuples(
            st.floats(min_value=-100, max_value=100, allow_nan=False),
            st.floats(min_value=-100, max_value=100, allow_nan=False),
        ),
        min_size=2,
        max_size=12,
        unique=True,
    ),
    k=st.integers(min_value=1, max_value=4),
    shift=st.floats(min_value=-1000, max_value=1000),
)
def test_nearest_groups_ignore_units_of_measurement_and_row_order(
    points: list[tuple[float, float]], k: int, shift: float
) -> None:
    units = [f"u{i:02d}" for i in range(len(points))]
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    plain = pa.table({"unit": units, "x": xs, "y": ys})
    # y in other units (x 1024, shifted) and rows reversed: z-scores are unchanged up to
    # rounding, so compare neighbour sets only where distances are clearly separated.
    rescaled = pa.table(
        {"unit": units[::-1], "x": xs[::-1], "y": [y * 1024 + shift for y in ys[::-1]]}
    )
    first = nearest_peer_groups(plain, ["x", "y"], k)
    second = nearest_peer_groups(rescaled, ["x", "y"], k)
    assert first.num_rows == second.num_rows == len(points) * (min(k, len(points) - 1) + 1)
    z = _z_scores(np.array(points))
    # The premise: rescaling keeps the z-scores. Where y * 1024 + shift rounds a tiny
    # difference away (8.7e-56 * 1024 + 1.0 == 1.0), the rescaled units are other data.
    assume(np.allclose(_z_scores(np.array([xs, [y * 1024 + shift for y in ys]]).T), z, atol=1e-6))
    distances = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2))
    for index, unit in enumerate(units):
        ordered = np.sort(distances[index])
        cutoff = min(k, len(points) - 1)
        separated = cutoff + 1 >= len(points) or ordered[cutoff + 1] - ordered[cutoff] > 1e-6
        a = {row["unit"] for row in first.to_pylist() if row["focal_unit"] == unit}
        b = {row["unit"] for row in second.to_pylist() if row["focal_unit"] == unit}
        assert unit in a
        if separated:
            assert a == b


def test_most_improved_hand_computed() -> None:
    rows: list[tuple[str, str, int, float | None]] = [
        ("a", "up", 2014, 0.0),  # before the five-year window
        ("a", "up", 2015, 10.0),
        ("a", "up", 2020, 20.0),  # +2 a year
        ("b", "up", 2015, 10.0),
        ("b", "up", 2020, 15.0),  # +1 a year
        ("c", "up", 2016, 10.0),
        ("c", "up", 2020, 30.0),  # +5 a year over 4 years
        ("d", "up", 2020, 50.0),  # one point: no change
    ]
    rows += [(unit, "down", year, value) for unit, _, year, value in rows]
    memberships = memberships_from_mapping({unit: ["g"] for unit in "abcd"})
    table = most_improved(values_table(rows), memberships, framework(), top=2)
    up = [
        (r["rank"], r["unit"], r["improvement_per_year"])
        for r in table.to_pylist()
        if r["indicator"] == "up"
    ]
    assert up == [(1, "c", 5.0), (2, "a", 2.0)]
    down = [
        (r["rank"], r["unit"], r["improvement_per_year"])
        for r in table.to_pylist()
        if r["indicator"] == "down"
    ]
    assert down == [(1, "b", -1.0), (2, "a", -2.0)]
    c_row = next(r for r in table.to_pylist() if r["unit"] == "c" and r["indicator"] == "up")
    assert (c_row["start_year"], c_row["latest_year"]) == (2016, 2020)
    assert (c_row["start_value"], c_row["latest_value"]) == (10.0, 30.0)


def test_most_improved_ties_share_a_rank() -> None:
    rows: list[tuple[str, str, int, float | None]] = [
        ("a", "up", 2015, 10.0),
        ("a", "up", 2020, 20.0),
        ("b", "up", 2015, 0.0),
        ("b", "up", 2020, 10.0),
        ("c", "up", 2015, 0.0),
        ("c", "up", 2020, 1.0),
    ]
    memberships = memberships_from_mapping({unit: ["g"] for unit in "abc"})
    table = most_improved(values_table(rows), memberships, framework(), top=1)
    assert [(r["rank"], r["unit"]) for r in table.to_pylist()] == [(1, "a"), (1, "b")]


def synthetic(
    units: int, indicators: int, years: int, seed: int
) -> tuple[pa.Table, pa.Table, pa.Table, Framework]:
    rng = np.random.default_rng(seed)
    unit_ids = np.array([f"{i:04d}" for i in range(units)])
    indicator_ids = [f"i{j:02d}" for j in range(indicators)]
    unit_col = np.repeat(unit_ids, indicators * years)
    indicator_col = np.tile(np.repeat(indicator_ids, years), units)
    year_col = np.tile(np.arange(2005, 2005 + years), units * indicators)
    value_col = rng.normal(50, 15, units * indicators * years)
    value_col[rng.random(value_col.size) < 0.1] = np.nan
    values = pa.table(
        {
            "unit": unit_col,
            "indicator": indicator_col,
            "year": year_col,
            "value": pa.array(value_col, from_pandas=True),
        }
    )
    framework_table = pa.table(
        {
            "indicator": indicator_ids,
            "goal": [str(1 + j % 17) for j in range(indicators)],
            "best": ["100" if j % 2 else "0" for j in range(indicators)],
            "worst": ["0" if j % 2 else "100" for j in range(indicators)],
        }
    )
    attributes = pa.table(
        {
            "unit": unit_ids,
            "population": rng.lognormal(9, 1.2, units),
            "area": rng.lognormal(6, 1, units),
            "density": rng.lognormal(3, 1, units),
        }
    )
    groups = {
        unit: [f"county:{i % 11}", f"size:{i % 5}"] for i, unit in enumerate(unit_ids.tolist())
    }
    return values, attributes, memberships_from_mapping(groups), parse_framework(framework_table)


def test_network_scale_gives_a_standing_for_every_member() -> None:
    values, attributes, memberships, spec = synthetic(357, 20, 20, seed=1)
    nearest = nearest_peer_groups(attributes, ["population", "area", "density"], k=10)
    all_groups = pa.concat_tables([memberships, nearest])
    standing = peer_standing(values, all_groups, spec)
    improved = most_improved(values, all_groups, spec)
    assert standing.num_rows > 357 * 20 * 2
    assert improved.num_rows > 0


def bands_by_group(table: pa.Table) -> dict[tuple[str, int], tuple[int, float, float, float]]:
    return {
        (row["group"], row["year"]): (row["size"], row["q1"], row["median"], row["q3"])
        for row in table.to_pylist()
    }


def test_peer_bands_interpolate_quartiles_linearly() -> None:
    rows: list[tuple[str, str, int, float | None]] = [
        (unit, "x", 2020, value) for unit, value in [("a", 1), ("b", 2), ("c", 3), ("d", 4)]
    ]
    rows.append(("e", "x", 2020, None))  # missing: not a value
    rows.append(("a", "x", 2021, 9.0))  # another year: a band of its own (too small)
    groups = memberships_from_mapping({"a": ["g"], "b": ["g"], "c": ["g"], "d": ["h"]})
    bands = bands_by_group(peer_bands(values_table(rows), groups))
    # all: 1 2 3 4 → positions 0.75, 1.5, 2.25 between order statistics.
    assert bands[("all", 2020)] == (4, 1.75, 2.5, 3.25)
    assert bands[("g", 2020)] == (3, 1.5, 2.0, 2.5)
    assert ("h", 2020) not in bands  # one member: fewer than BAND_MIN_SIZE
    assert ("all", 2021) not in bands
    assert BAND_MIN_SIZE == 3
    assert peer_bands(values_table(rows), groups).column_names == [
        "group",
        "indicator",
        "year",
        "size",
        "q1",
        "median",
        "q3",
    ]


def test_peer_bands_without_the_everyone_group() -> None:
    rows: list[tuple[str, str, int, float | None]] = [
        (unit, "x", 2020, float(value)) for value, unit in enumerate("abcd")
    ]
    groups = memberships_from_mapping({"a": ["g"], "b": ["g"], "c": ["g"]})
    bands = bands_by_group(peer_bands(values_table(rows), groups, everyone=None, min_size=2))
    assert bands == {("g", 2020): (3, 0.5, 1.0, 1.5)}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
        min_size=3,
        max_size=40,
    )
)
def test_peer_bands_match_statistics_quantiles_bit_for_bit(values: list[float]) -> None:
    import statistics

    rows: list[tuple[str, str, int, float | None]] = [
        (f"u{position}", "x", 2020, value) for position, value in enumerate(values)
    ]
    bands = bands_by_group(peer_bands(values_table(rows), memberships_from_mapping({})))
    expected = statistics.quantiles(values, n=4, method="inclusive")
    assert bands == {("all", 2020): (len(values), *expected)}
