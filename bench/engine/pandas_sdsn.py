"""A straightforward pandas implementation of the SDSN rules, for comparison only.

Same inputs, options and outputs as `sdgnet score --method sdsn` (single year,
group-mean, coverage 0.8, default trend periods); file parsing reuses the
engine's readers so that only the scoring itself is compared.

Usage: python bench/engine/pandas_sdsn.py --framework F --observations O
           --units U --year Y --out DIR
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sdgnet.engine.framework import read_framework
from sdgnet.engine.inputs import read_units

SPAN, TARGET_YEAR, COVERAGE = 5, 2030, 0.8
ORDINAL = {
    "decreasing": 0,
    "stagnating": 1,
    "moderately_improving": 2,
    "on_track": 3,
    "maintaining": 3,
}


def rescale(x, best, worst):
    return (100 * (x - worst) / (best - worst)).clip(0, 100)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    for name in ("--framework", "--observations", "--units", "--out"):
        parser.add_argument(name, required=True, type=Path)
    parser.add_argument("--year", type=int, required=True)
    args = parser.parse_args(argv)
    framework = read_framework(args.framework)
    units = read_units(args.units, framework).to_pandas()
    specs = pd.DataFrame(
        [
            {
                "indicator": s.indicator,
                "goal": s.goal,
                "best": s.best,
                "worst": s.worst,
                "green": s.green,
                "red": s.red,
                "weight": s.weight,
                "in_index": s.index,
                "scope": None if s.scope is None else s.scope.column,
                "negated": s.scope is not None and s.scope.negated,
                "dscope": None if s.dashboard_scope is None else s.dashboard_scope.column,
                "dnegated": s.dashboard_scope is not None and s.dashboard_scope.negated,
            }
            for s in framework
        ]
    )
    specs["sgn"] = np.where(specs.best > specs.worst, 1.0, -1.0)
    if args.observations.suffix == ".parquet":
        obs = pd.read_parquet(args.observations)
    else:
        obs = pd.read_csv(args.observations, dtype={"unit": str, "indicator": str})
    obs["unit"] = obs["unit"].astype(str)
    obs["indicator"] = obs["indicator"].astype(str)
    obs = obs[obs.value.notna()]

    # Latest value at or before the year; trend start: earliest in [end - 5, end).
    upto = obs[obs.year <= args.year]
    latest = upto.loc[upto.groupby(["unit", "indicator"]).year.idxmax()]
    window = upto.merge(latest, on=["unit", "indicator"], suffixes=("", "_to"))
    window = window[(window.year < window.year_to) & (window.year >= window.year_to - SPAN)]
    start = window.loc[
        window.groupby(["unit", "indicator"]).year.idxmin(), ["unit", "indicator", "year", "value"]
    ]
    start = start.rename(columns={"year": "from_year", "value": "from_value"})

    # Which indicators apply to (and are shown for) which units.
    grid = units[["unit", "group"]].merge(specs, how="cross")
    flags = units.set_index("unit")

    def in_scope(column, negated):
        keep = pd.Series(True, index=grid.index)
        for name in grid[column].dropna().unique():
            rows = grid[column] == name
            flag = grid.loc[rows, "unit"].map(flags[name]).astype(bool)
            keep[rows] = flag != grid.loc[rows, negated]
        return keep

    grid = grid[in_scope("scope", "negated")].copy()
    grid["shown"] = in_scope("dscope", "dnegated")
    data = grid.merge(latest, on=["unit", "indicator"], how="left")
    data = data.merge(start, on=["unit", "indicator"], how="left")
    data["score"] = rescale(data.value, data.best, data.worst)
    data["coloured"] = data.shown & data.green.notna()
    s, x = data.sgn, data.value * data.sgn
    g, r, b, w = data.green * s, data.red * s, data.best * s, data.worst * s
    # The engine's slack for decimal ties (docs/methodology.md, section 3).
    mid = (data.green + data.red) / 2 * s - 1e-12 * np.maximum(data.green.abs(), data.red.abs())
    colour = np.select(
        [x >= g, x >= mid, x >= r, x < r], ["green", "yellow", "orange", "red"], None
    )
    data["colour"] = np.where(data.coloured, np.where(data.value.isna(), "grey", colour), None)
    linear = np.select(
        [x >= b, x >= g, x >= r, x >= w],
        [3.0, 2 + (x - g) / (b - g), 1 + (x - r) / (g - r), (x - w) / (r - w)],
        0.0,
    )
    floor = np.select([x >= g, x >= mid, x >= r], [2.0, 1.5, 1.0], 0.0)
    data["dv"] = np.where(data.coloured & data.value.notna(), np.maximum(linear, floor), np.nan)

    # Trends.
    to_score, from_score = data.score, rescale(data.from_value, data.best, data.worst)
    pace = (to_score - from_score) / (data.year - data.from_year)
    needed = (rescale(data.green, data.best, data.worst) - to_score) / np.maximum(
        TARGET_YEAR - data.year, 1
    )
    from_green = data.from_value * s >= g
    trend = np.select(
        [
            (x >= g) & (pace >= 0) & from_green,
            (x >= g) & (pace >= 0),
            pace < 0,
            pace >= needed - 1e-9,
            pace >= 0.5 * needed - 1e-9,
        ],
        ["maintaining", "on_track", "decreasing", "on_track", "moderately_improving"],
        "stagnating",
    )
    data["trend"] = np.where(data.coloured & data.from_value.notna(), trend, None)

    # Coverage, goal scores, index with group means, ranks.
    index_rows = data[data.in_index]
    coverage = index_rows.groupby("unit").agg(n=("indicator", "size"), valued=("score", "count"))
    qualifying = coverage.index[coverage.valued >= COVERAGE * coverage.n - 1e-9]
    index_rows = index_rows.assign(
        wscore=index_rows.weight * index_rows.score,
        wvalued=index_rows.weight.where(index_rows.score.notna()),
    )
    goals = index_rows.groupby(["unit", "goal"]).agg(
        w=("wscore", "sum"), ws=("wvalued", "sum"), valued=("score", "count")
    )
    goals["own"] = np.where(goals.valued > 0, goals.w / goals.ws, np.nan)
    goals = goals.reset_index().merge(units[["unit", "group"]], on="unit")
    goals["qualifies"] = goals.unit.isin(qualifying)
    means = goals[goals.qualifies].groupby(["group", "goal"]).own.mean().rename("group_mean")
    goals = goals.merge(means, on=["group", "goal"], how="left")
    goals["filled"] = goals.own.fillna(goals.group_mean)
    index = goals[goals.qualifies].groupby("unit").filled.mean().rename("score")
    index = units[["unit"]].merge(index, on="unit", how="left")
    index["rank"] = index.score.round(9).rank(method="min", ascending=False).astype("Int64")

    # Goal colours (two lowest 0–3 values) and goal trends.
    shown = data[data.coloured]
    stats = shown.groupby(["unit", "goal"]).agg(
        n=("indicator", "size"),
        valued=("value", "count"),
        n_trend=("trend", "count"),
        points=("trend", lambda t: t.map(ORDINAL).sum()),
        kept=("trend", lambda t: (t == "maintaining").sum()),
    )
    lowest = (
        shown[shown.value.notna()]
        .sort_values("dv")
        .groupby(["unit", "goal"])
        .head(2)
        .groupby(["unit", "goal"])
        .agg(
            avg=("dv", "mean"),
            k=("dv", "size"),
            greens=("colour", lambda c: (c == "green").sum()),
            reds=("colour", lambda c: (c == "red").sum()),
            first=("colour", "first"),
        )
    )
    stats = stats.join(lowest, how="left")
    banded = np.select(
        [stats.avg >= 2 - 1e-9, stats.avg >= 1.5 - 1e-9, stats.avg >= 1 - 1e-9],
        [np.where(stats.greens == 2, "green", "yellow"), "yellow", "orange"],
        np.where(stats.reds == 2, "red", "orange"),
    )
    stats["colour"] = np.where(
        2 * stats.valued < stats.n, "grey", np.where(stats.valued == 1, stats["first"], banded)
    )
    average = stats.points / stats.n_trend
    stats["trend"] = np.where(
        (stats.n_trend == 0) | (stats.n_trend < 0.75 * stats.n - 1e-9),
        None,
        np.select(
            [stats.kept == stats.n_trend, average >= 2.5, average >= 1.5, average >= 0.5],
            ["maintaining", "on_track", "moderately_improving", "stagnating"],
            "decreasing",
        ),
    )
    goal_rows = data.groupby(["unit", "goal"]).size().rename("rows").reset_index()
    goal_rows = goal_rows.merge(
        goals[["unit", "goal", "own", "qualifies"]], how="left", on=["unit", "goal"]
    )
    goal_rows["score"] = goal_rows.own.where(goal_rows.qualifies.fillna(False).astype(bool))
    goal_rows = goal_rows.merge(
        stats[["colour", "trend"]].reset_index(), how="left", on=["unit", "goal"]
    )

    args.out.mkdir(parents=True, exist_ok=True)
    data["colour"] = data.colour.where(data.coloured)
    data["year"] = data.year.astype("Int64")
    data.sort_values(["unit", "indicator"])[
        ["unit", "indicator", "year", "value", "score", "colour", "trend"]
    ].to_csv(args.out / "indicators.csv", index=False)
    goal_rows.sort_values(["unit", "goal"])[["unit", "goal", "score", "colour", "trend"]].to_csv(
        args.out / "goals.csv", index=False
    )
    index.sort_values("unit")[["unit", "score", "rank"]].to_csv(args.out / "index.csv", index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
