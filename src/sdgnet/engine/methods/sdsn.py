"""The SDSN SDG Index and Dashboards method, as a backend-independent plan.

Every rule of METHODOLOGY.md ("SDSN SDG Index and Dashboards") is one SQL
expression or step below; `docs/methodology.md` explains them with a worked
example. Choices where the published sources are vague:

- Rank: competition ranking ("1224"): equal index scores (compared after
  rounding to 9 decimals, to ignore floating-point noise from summation order)
  share the best rank, the next unit skips. Units without an index have no rank.
- Colours and trends are given where the indicator is shown on the unit's
  dashboard (`dashboard_scope`) and has both thresholds; a shown indicator
  without a value is grey. Scores are given wherever the indicator applies.
- Goals a unit is scored on: those with at least one `index = yes` indicator
  that applies to it. `group-mean` fills a missing goal score with the mean of
  that goal's scores over the qualifying units of the same group; a unit without
  a group, or a group where no qualifying unit has the goal, leaves it out.
  goals.csv reports the unit's own goal score (blank if missing); the fill only
  enters the index.
- Trend period: ends at the latest year with a value at or before both the
  scoring year and `trend_to`; starts at `trend_from` (default: the end year
  minus `trend_span`, 5). The start value is the earliest value in
  [start, end); the yearly change divides by the years actually between them.
  Needed pace: (score of the green threshold − end score) / (target year − end
  year), at least one year; target year 2030.
- Trend classes, in this order: end value at/past green and not falling →
  `maintaining` if the start value was green too, else `on_track`; falling →
  `decreasing`; pace ≥ `trend_on_track_pace` × needed (default 1) → `on_track`;
  ≥ `trend_moderate_pace` × needed (default 0.5) → `moderately_improving`;
  else `stagnating`.
- Goal trend: ordinal average (decreasing 0, stagnating 1, moderately_improving 2,
  on_track and maintaining 3) over the goal's coloured indicators that have a
  trend, reported where these are at least 75% of the goal's coloured
  indicators; banded at 2.5 / 1.5 / 0.5 (round half up); `maintaining` when
  every contributing indicator is maintaining.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sdgnet.engine.plan import Plan, Step, pair_flawed, years_seen

MissingGoal = Literal["group-mean", "skip"]
MISSING_GOAL_CHOICES: tuple[MissingGoal, ...] = ("group-mean", "skip")
# The trend classes on the ordinal scale that goal trends average ("maintaining" counts
# as "on_track").
TREND_ORDINALS = {
    "decreasing": 0,
    "stagnating": 1,
    "moderately_improving": 2,
    "on_track": 3,
    "maintaining": 3,
}
# Trend classes are stored as these codes (one per class, in the order above) and turned
# into words where results are read: the 1M-row relations store and compare small
# integers for less than text.
TREND_CODES = {word: code for code, word in enumerate(TREND_ORDINALS)}
# Floating-point slack for "at least 80%" style comparisons of counts, and for the
# comparisons of computed numbers on the 0-3 and score scales (a goal's two lowest 0-3
# values averaged, a trend's pace against the pace needed): a tie in decimal arithmetic
# (0.01 and 2.99 average 1.5) must not be split by binary rounding (1.4999999999999998).
EPSILON = 1e-9
# The same for the one threshold the engine computes on the indicator's own scale, the
# yellow midpoint (green + red) / 2, relative to the thresholds' size: (0.2 + 0.1) / 2
# is 0.15000000000000002 in binary, and a value of 0.15 is as good as it.
RELATIVE_EPSILON = 1e-12
RANK_DECIMALS = 9


# The default trend period measures the recent pace towards 2030, over a few years: a
# century is far beyond any use, and the one-year plan keeps each series' last
# `span + 1` values (DuckDB cannot build the plan's expressions past about 1000).
MAX_TREND_SPAN = 100


@dataclass(frozen=True)
class SdsnOptions:
    coverage: float = 0.8
    missing_goal: MissingGoal = "group-mean"
    trend_span: int = 5
    target_year: int = 2030
    goal_trend_coverage: float = 0.75

    def __post_init__(self) -> None:
        if not 0 <= self.coverage <= 1:
            raise ValueError(f"coverage must be within [0, 1], got {self.coverage}")
        if self.missing_goal not in MISSING_GOAL_CHOICES:
            raise ValueError(f"missing_goal must be one of {MISSING_GOAL_CHOICES}")
        if not 1 <= self.trend_span <= MAX_TREND_SPAN:
            raise ValueError(f"trend_span must be from 1 to {MAX_TREND_SPAN} years")


# ---- rules as SQL expressions ------------------------------------------------

# Sums of floats depend on the order of the terms, which a parallel engine does
# not fix; summing in fixed point makes every run give the same bits.
EXACT_TYPE = "DECIMAL(38, 18)"


def exact_sum(expression: str) -> str:
    return f"CAST(sum(CAST({expression} AS {EXACT_TYPE})) AS DOUBLE)"


def exact_mean(expression: str) -> str:
    return f"({exact_sum(expression)} / count({expression}))"


def rescale(value: str, best: str = "best", worst: str = "worst") -> str:
    """Rule 1: 100 (x - worst) / (best - worst), clipped to [0, 100].

    GREATEST/LEAST skip NULLs, so a missing value is kept missing explicitly.
    """
    clipped = f"LEAST(100.0, GREATEST(0.0, 100.0 * ({value} - {worst}) / ({best} - {worst})))"
    return f"CASE WHEN {value} IS NULL THEN NULL ELSE {clipped} END"


# Rules 5, 6 and 8 compare values in the indicator's direction: on x = value × sgn
# (sgn +1 where higher is better, -1 where lower is) with the thresholds and bounds
# scaled alike once per indicator (`indicator_codes`), "at least as good" is x >= t.
SCALED_THRESHOLDS = {
    "best_s": "best * sgn",
    "green_s": "green * sgn",
    "middle_s": (
        f"((green + red) / 2.0) * sgn - {RELATIVE_EPSILON} * GREATEST(abs(green), abs(red))"
    ),
    "red_s": "red * sgn",
    "worst_s": "worst * sgn",
    # The widths of the dashboard value's three segments.
    "top_width": "(best - green) * sgn",
    "middle_width": "(green - red) * sgn",
    "low_width": "(red - worst) * sgn",
}


def colour_band(x: str) -> str:
    """Rule 5's colour as a number: 3 green, 2 yellow, 1 orange, 0 red (ties to the
    better colour); NULL for a missing value."""
    return (
        f"CASE WHEN {x} >= green_s THEN 3 WHEN {x} >= middle_s THEN 2"
        f" WHEN {x} >= red_s THEN 1 WHEN {x} IS NOT NULL THEN 0 END"
    )


def indicator_colour(band: str) -> str:
    """Rule 5: the colour word of a `colour_band`; grey for a missing value."""
    return (
        f"CASE {band} WHEN 3 THEN 'green' WHEN 2 THEN 'yellow' WHEN 1 THEN 'orange'"
        " WHEN 0 THEN 'red' ELSE 'grey' END"
    )


def dashboard_value(x: str, band: str) -> str:
    """Rule 6: worst→0, red→1, green→2, best→3, clipped, never below the colour floor.

    The branches test the better points first, so a degenerate segment (a
    threshold equal to a bound) is never divided by.
    """
    linear = (
        f"CASE WHEN {x} >= best_s THEN 3.0"
        f" WHEN {x} >= green_s THEN 2.0 + ({x} - green_s) / top_width"
        f" WHEN {x} >= red_s THEN 1.0 + ({x} - red_s) / middle_width"
        f" WHEN {x} >= worst_s THEN ({x} - worst_s) / low_width"
        " ELSE 0.0 END"
    )
    floor = f"CASE {band} WHEN 3 THEN 2.0 WHEN 2 THEN 1.5 WHEN 1 THEN 1.0 ELSE 0.0 END"
    return f"CASE WHEN {x} IS NULL THEN NULL ELSE GREATEST({linear}, {floor}) END"


def trend_paces(options: SdsnOptions) -> str:
    """The yearly score change over the trend period (`pace`) and the change needed
    from its end to reach the green threshold's score by the target year (`needed`)."""
    to_score, from_score = rescale("to_value"), rescale("from_value")
    return (
        f"(({to_score}) - ({from_score})) / (to_year - from_year) AS pace, "
        f"(green_score - ({to_score})) / GREATEST({options.target_year} - to_year, 1)"
        " AS needed"
    )


def indicator_trend() -> str:
    """Rule 8 for one indicator, on the columns of `trend_paces` and the scaled ends:
    the class as its `TREND_CODES` code."""
    code = TREND_CODES
    return (
        "CASE WHEN from_value IS NULL OR to_value IS NULL OR NOT shown OR green IS NULL"
        " THEN NULL"
        " WHEN to_value * sgn >= green_s AND pace >= 0 THEN"
        f"   CASE WHEN from_value * sgn >= green_s THEN {code['maintaining']}"
        f" ELSE {code['on_track']} END"
        f" WHEN pace < 0 THEN {code['decreasing']}"
        f" WHEN pace >= trend_on_track_pace * needed - {EPSILON} THEN {code['on_track']}"
        f" WHEN pace >= trend_moderate_pace * needed - {EPSILON}"
        f" THEN {code['moderately_improving']}"
        f" ELSE {code['stagnating']} END"
    )


def trend_word(code: str) -> str:
    """The trend class word of a `TREND_CODES` code."""
    branches = " ".join(f"WHEN {number} THEN '{word}'" for word, number in TREND_CODES.items())
    return f"CASE {code} {branches} END"


def band_goal_colour() -> str:
    """Rule 7 on the two lowest 0–3 values (columns n_shown, n_shown_valued, low_average,
    n_below_green, n_red, lowest_band).

    A colour's 0–3 values lie below every better colour's (red [0, 1), orange [1, 1.5),
    yellow [1.5, 2), green [2, 3]), so the two lowest are both green exactly when no
    shown value is below green, and both red exactly when at least two are red.
    """
    by_average = (
        f"CASE WHEN low_average >= 2 - {EPSILON} THEN"
        "   CASE WHEN n_below_green = 0 THEN 'green' ELSE 'yellow' END"
        f" WHEN low_average >= 1.5 - {EPSILON} THEN 'yellow'"
        f" WHEN low_average >= 1 - {EPSILON} THEN 'orange'"
        " ELSE CASE WHEN n_red >= 2 THEN 'red' ELSE 'orange' END END"
    )
    return (
        "CASE WHEN n_shown = 0 THEN NULL"
        " WHEN 2 * n_shown_valued < n_shown THEN 'grey'"
        f" WHEN n_shown_valued = 1 THEN {indicator_colour('lowest_band')}"
        f" ELSE {by_average} END"
    )


def band_goal_trend(options: SdsnOptions) -> str:
    average = "trend_points / n_trend"
    return (
        f"CASE WHEN n_trend = 0 OR n_trend < {options.goal_trend_coverage} * n_shown - {EPSILON}"
        " THEN NULL"
        " WHEN n_maintaining = n_trend THEN 'maintaining'"
        f" WHEN {average} >= 2.5 THEN 'on_track'"
        f" WHEN {average} >= 1.5 THEN 'moderately_improving'"
        f" WHEN {average} >= 0.5 THEN 'stagnating'"
        " ELSE 'decreasing' END"
    )


# ---- the plan -------------------------------------------------------------------

# In one-year runs, the scan keeps each (unit, indicator)'s last `trend_span` + 1 valued
# points (a top-n aggregate, ordered by year): the end of the default trend period is
# the first, and its start is among the others whichever year the end falls in, so no
# second read of the observations is needed for it. At M this replaced three aggregates
# (the latest value, a two-year pivot of start values) and a second scan for the 1% of
# pairs whose latest value is older than last year (~1 s of 6.7).


def sdsn_plan(
    options: SdsnOptions,
    *,
    first_year: int,
    last_year: int,
    single_year: int | None = None,
) -> Plan:
    """The SDSN plan; `first_year`/`last_year`: the range of observed years.

    With `single_year`, one scan of the observations yields the checks, the latest
    values and the trend points (each pair's last valued points); otherwise the scoring
    years are joined in (the platform's many-years run on small data).
    """
    if single_year is None:
        reading = _many_years_steps(options, years_seen(first_year, last_year))
        checked = "pair_summary"
    else:
        reading = _one_year_steps(options, first_year, last_year, single_year)
        # The scan, the trend points and the scores are one step; the checks read it.
        checked = "observed_scores"
    return Plan(
        steps=(*_code_steps(), _applicability_step(), *reading, *_scoring_steps(options)),
        outputs=("indicator_results", "goal_results", "index_results"),
        description="SDSN SDG Index and Dashboards",
        check_after=checked,
    )


def _pair_checks(years_seen: str) -> str:
    return f"count(*) AS n_rows, count(year) AS n_dated, {years_seen} AS n_years"


def _code_steps() -> list[Step]:
    """Integer codes for units and indicators, numbered in id order: the joins, groupings
    and the output order of the 1M-row relations use them in place of hashing and
    comparing the text ids (which dominated those steps)."""
    return [
        Step(
            "unit_codes",
            "SELECT unit, group_name, CAST(row_number() OVER (ORDER BY unit) AS INTEGER)"
            " AS unit_code FROM units",
        ),
        Step(
            "indicator_codes",
            f"""
            SELECT *, {", ".join(f"{sql} AS {name}" for name, sql in SCALED_THRESHOLDS.items())},
                   {rescale("green")} AS green_score
            FROM (
                SELECT *, CAST(row_number() OVER (ORDER BY indicator) AS INTEGER)
                            AS indicator_code,
                       CASE WHEN higher_is_better THEN 1.0 ELSE -1.0 END AS sgn
                FROM indicators
            )
            """,
        ),
        Step(
            "unit_code_flags",
            "SELECT u.unit_code, f.flag, f.is_set FROM unit_flags f"
            " JOIN unit_codes u ON u.unit = f.unit",
        ),
    ]


def _scope_joins(unit_code: str) -> tuple[str, str, str]:
    """Joins that find, for the unit `unit_code` and the indicator `i`, whether the
    indicator applies (its `scope`) and is shown (its `dashboard_scope`):
    (joins, applies, shown)."""
    joins = (
        f"LEFT JOIN unit_code_flags s ON s.unit_code = {unit_code} AND s.flag = i.scope_column"
        f" LEFT JOIN unit_code_flags d"
        f" ON d.unit_code = {unit_code} AND d.flag = i.dashboard_scope_column"
    )
    applies = "(i.scope_column IS NULL OR COALESCE(s.is_set, FALSE) <> i.scope_negated)"
    shown = (
        "(i.dashboard_scope_column IS NULL"
        " OR COALESCE(d.is_set, FALSE) <> i.dashboard_scope_negated)"
    )
    return joins, applies, shown


def _applicability_step() -> Step:
    """The (unit, indicator) pairs an indicator applies to, as codes only. Only the
    pairs without any observation are read from it (see `_scoring_steps`)."""
    joins, applies, shown = _scope_joins("u.unit_code")
    return Step(
        "applicability",
        f"""
        SELECT u.unit_code, i.indicator_code, {shown} AS shown
        FROM unit_codes u CROSS JOIN indicator_codes i {joins}
        WHERE {applies}
        """,
        materialize=False,
    )


def _generic_trend_points(options: SdsnOptions, ends: str) -> str:
    """Trend start: the earliest value in [start, end) for each end point in `ends`."""
    return f"""
        SELECT e.as_of, e.unit, e.indicator, e.to_year, e.to_value,
               min(o.year) AS from_year, min_by(o.value, o.year) AS from_value
        FROM ({ends}) e
        JOIN indicators i ON i.indicator = e.indicator
        JOIN observations o ON o.unit = e.unit AND o.indicator = e.indicator
        WHERE o.value IS NOT NULL AND o.year < e.to_year
          AND o.year >= COALESCE(i.trend_from, e.to_year - {options.trend_span})
        GROUP BY e.as_of, e.unit, e.indicator, e.to_year, e.to_value
    """


# Whether any indicator sets its own trend period (most frameworks do not).
CONFIGURED_PERIODS = (
    "SELECT count(*) > 0 FROM indicators WHERE trend_from IS NOT NULL OR trend_to IS NOT NULL"
)


def _configured_trend_ends(as_of: str, as_of_join: str, as_of_group: str) -> str:
    """End points of the trends of indicators with `trend_to` or `trend_from`: the latest
    value at or before `trend_to` (if set) and the scoring year (`as_of_join`)."""
    return f"""
        SELECT {as_of} AS as_of, o.unit, o.indicator,
               max(o.year) AS to_year, max_by(o.value, o.year) AS to_value
        FROM observations o JOIN indicators i ON i.indicator = o.indicator
        {as_of_join}
        WHERE (i.trend_to IS NOT NULL OR i.trend_from IS NOT NULL) AND i.green IS NOT NULL
          AND (i.trend_to IS NULL OR o.year <= i.trend_to) AND o.value IS NOT NULL
        GROUP BY {as_of_group}o.unit, o.indicator
    """


def _many_years_steps(options: SdsnOptions, years_seen: str) -> list[Step]:
    """Every observed value knows the next year with a value (so the scoring years it
    is the latest for form a range) and the start of a trend ending at it (a window
    over the years before): no observation is joined to every scoring year."""
    join = "JOIN scoring_years y ON o.year <= y.as_of"
    joins, applies, shown = _scope_joins("o.unit_code")
    return [
        Step(
            "pair_summary",
            f"""
            SELECT {pair_flawed("p", "u.unit_code", "i.indicator_code")} AS flawed
            FROM (
                SELECT unit, indicator, {_pair_checks(years_seen)}
                FROM observations GROUP BY unit, indicator
            ) p
            LEFT JOIN unit_codes u ON u.unit = p.unit
            LEFT JOIN indicator_codes i ON i.indicator = p.indicator
            """,
        ),
        Step(
            "valued",
            f"""
            SELECT unit, indicator, year, value,
                   lead(year) OVER by_year AS next_year,
                   min(year) OVER trend_window AS from_year,
                   first_value(value) OVER trend_window AS from_value
            FROM observations
            WHERE value IS NOT NULL
            WINDOW by_year AS (PARTITION BY unit, indicator ORDER BY year),
                   trend_window AS (PARTITION BY unit, indicator ORDER BY year
                                    RANGE BETWEEN {options.trend_span} PRECEDING
                                              AND 1 PRECEDING)
            """,
        ),
        Step(
            "latest",
            """
            SELECT y.as_of, v.unit, v.indicator, v.year, v.value, v.from_year, v.from_value
            FROM valued v
            JOIN scoring_years y
              ON y.as_of >= v.year AND (v.next_year IS NULL OR y.as_of < v.next_year)
            """,
        ),
        Step(
            "configured_trend_points",
            _generic_trend_points(options, _configured_trend_ends("y.as_of", join, "y.as_of, ")),
            skip_unless=CONFIGURED_PERIODS,
        ),
        Step(
            "observed",
            """
            SELECT l.as_of, u.unit_code, i.indicator_code, l.year, l.value,
                   CASE WHEN i.trend_from IS NULL AND i.trend_to IS NULL
                        THEN l.from_year ELSE t.from_year END AS from_year,
                   CASE WHEN i.trend_from IS NULL AND i.trend_to IS NULL
                        THEN l.from_value ELSE t.from_value END AS from_value,
                   CASE WHEN i.trend_from IS NULL AND i.trend_to IS NULL
                        THEN l.year ELSE t.to_year END AS to_year,
                   CASE WHEN i.trend_from IS NULL AND i.trend_to IS NULL
                        THEN l.value ELSE t.to_value END AS to_value
            FROM latest l JOIN indicator_codes i ON i.indicator = l.indicator
            JOIN unit_codes u ON u.unit = l.unit
            LEFT JOIN configured_trend_points t
              ON t.as_of = l.as_of AND t.unit = l.unit AND t.indicator = l.indicator
            """,
            materialize=False,
        ),
        Step(
            "observed_scores",
            _indicator_scores(
                options,
                f"""
                SELECT o.as_of, o.unit_code, o.indicator_code, {applies} AS applies,
                       {shown} AS shown, o.year, o.value, o.from_year, o.from_value,
                       o.to_year, o.to_value
                FROM observed o JOIN indicator_codes i ON i.indicator_code = o.indicator_code
                {joins}
                """,
                passed=("applies",),
            ),
        ),
    ]


# Years a one-year scan can track in one 64-bit mask: bit 32 + k says "a value for year
# first + k, at or before the scoring year", bit k "a row for that year without one"
# (so the years with a row are the union of both halves).
MASK_YEARS = 32


def _one_year_scan(
    first_year: int, last_year: int, year: int, span: int
) -> tuple[str, dict[str, str]]:
    """The scan's aggregates per (unit, indicator), and the columns derived from them:
    `n_years` (distinct years, the duplicate check), `year` (the latest with a value at
    or before `year`, the end of the default trend period), `n_window` (how many valued
    years lie in that end's window, the `span` years before it) and `from_year` (the
    earliest of them, the trend start). The values come from `recent`, the last
    `span` + 1 valued points, latest first: the end is its first, the start its
    (n_window + 1)th.

    Where the observed years fit in `MASK_YEARS`, one bit mask answers the year columns
    (a CASE per pair, not an aggregate per row); longer spans keep the years of the
    recent points as a second list."""
    recent = span + 1
    valued = f"value IS NOT NULL AND year <= {year}"
    # max_by skips NULL values itself; a FILTER costs every row, so only when needed.
    up_to_year = f" FILTER (WHERE year <= {year})" if year < last_year else ""
    recent_values = f"max_by(value, year, {recent}){up_to_year} AS recent"
    checks = "count(*) AS n_rows, count(year) AS n_dated"
    if last_year - first_year >= MASK_YEARS:
        in_window = " + ".join(
            f"CAST(COALESCE(recent_years[{k + 1}] >= year - {span}, FALSE) AS INTEGER)"
            for k in range(1, recent)
        )
        aggregates = (
            f"{checks}, {years_seen(first_year, last_year)} AS n_years, {recent_values},"
            f" max_by(year, year, {recent}) FILTER (WHERE {valued}) AS recent_years"
        )
        return aggregates, {
            "n_years": "n_years",
            "year": "recent_years[1]",
            "n_window": in_window,
            "from_year": "CASE WHEN n_window > 0 THEN recent_years[n_window + 1] END",
        }

    def first_valued(years: range) -> str:
        """The first of `years` with a value (a CASE on the mask's value bits)."""
        branches = " ".join(
            f"WHEN (years_mask & CAST({1 << (MASK_YEARS + y - first_year)} AS UBIGINT)) <> 0"
            f" THEN {y}"
            for y in years
            if first_year <= y <= last_year
        )
        return f"CASE {branches} END" if branches else "CAST(NULL AS INTEGER)"

    # One bit per row: a valued row sets only its value bit, which implies its row bit.
    mask = (
        f"bit_or(CAST(1 AS UBIGINT) << CAST(year - {first_year}"
        f" + CASE WHEN {valued} THEN {MASK_YEARS} ELSE 0 END AS UBIGINT)) AS years_mask"
    )
    # The valued years before the end, shifted so that bit 0 is the window's first year
    # (or the first observed year, if the window reaches back further).
    window_offset = f"GREATEST(year - {span} - {first_year}, 0)"
    window = (
        f"(((years_mask >> {MASK_YEARS})"
        f" & ((CAST(1 AS UBIGINT) << CAST(year - {first_year} AS UBIGINT)) - 1))"
        f" >> CAST({window_offset} AS UBIGINT))"
    )
    return f"{checks}, {mask}, {recent_values}", {
        "n_years": (
            f"bit_count((years_mask | (years_mask >> {MASK_YEARS}))"
            f" & CAST({(1 << MASK_YEARS) - 1} AS UBIGINT))"
        ),
        "year": first_valued(range(year, first_year - 1, -1)),
        "window_bits": window,
        "n_window": "bit_count(window_bits)",
        # The lowest set bit: x XOR (x - 1) sets it and every bit below it.
        "from_year": (
            f"CASE WHEN window_bits > 0 THEN {first_year} + {window_offset}"
            " + bit_count(xor(window_bits, window_bits - 1)) - 1 END"
        ),
    }


def _one_year_steps(options: SdsnOptions, first_year: int, last_year: int, year: int) -> list[Step]:
    aggregates, derived = _one_year_scan(first_year, last_year, year, options.trend_span)
    # Each derived column may use the ones before it: one nested SELECT per column.
    pairs = f"SELECT unit, indicator, {aggregates} FROM observations GROUP BY unit, indicator"
    for name, expression in derived.items():
        pairs = f"SELECT *, {expression} AS {name} FROM ({pairs})"
    as_of = f"CAST({year} AS INTEGER)"
    join = f"JOIN scoring_years y ON y.as_of = {year} AND o.year <= {year}"
    # The scan serves the default period; `trend_from` (with or without `trend_to`)
    # takes the configured path, as in the many-years plan.
    default_period = "i.trend_from IS NULL AND i.trend_to IS NULL"
    joins, applies, shown = _scope_joins("u.unit_code")
    observed_pairs = f"""
        SELECT {as_of} AS as_of, u.unit_code, i.indicator_code,
               {pair_flawed("p", "u.unit_code", "i.indicator_code")} AS flawed,
               {applies} AS applies, {shown} AS shown,
               p.year, p.value,
               CASE WHEN {default_period} THEN p.default_from_year
                    ELSE t.from_year END AS from_year,
               CASE WHEN {default_period} THEN p.default_from_value
                    ELSE t.from_value END AS from_value,
               CASE WHEN {default_period} THEN p.year ELSE t.to_year END AS to_year,
               CASE WHEN {default_period} THEN p.value ELSE t.to_value END AS to_value
        FROM pair_summary p
        LEFT JOIN indicator_codes i ON i.indicator = p.indicator
        LEFT JOIN unit_codes u ON u.unit = p.unit
        LEFT JOIN configured_trend_points t ON t.unit = p.unit AND t.indicator = p.indicator
        {joins}
    """
    return [
        Step(
            # The recent points are reduced to the trend's start right here, so the
            # lists are never passed on.
            "pair_summary",
            f"""
            SELECT unit, indicator, n_rows, n_dated, n_years, year, recent[1] AS value,
                   from_year AS default_from_year,
                   CASE WHEN n_window > 0 THEN recent[n_window + 1] END AS default_from_value
            FROM ({pairs})
            """,
            materialize=False,
        ),
        Step(
            "configured_trend_ends",
            _configured_trend_ends(as_of, join, ""),
            skip_unless=CONFIGURED_PERIODS,
        ),
        Step(
            "configured_trend_points",
            _generic_trend_points(options, "SELECT * FROM configured_trend_ends"),
            skip_unless="SELECT count(*) > 0 FROM configured_trend_ends",
            empty_like=(
                "SELECT as_of, unit, indicator, to_year, to_value, "
                "to_year AS from_year, to_value AS from_value FROM configured_trend_ends"
            ),
        ),
        Step(
            # Scanned, checked and scored in one step (`pair_summary` is a view): every
            # observed pair is scored, with `flawed` (the checks) and `applies`. Storing
            # the pairs first and checking them with anti-joins cost 0.03-0.07 s more
            # at M. Pairs without a value score as missing.
            "observed_scores",
            _indicator_scores(options, observed_pairs, passed=("applies", "flawed")),
        ),
    ]


# The columns of a scored (unit, indicator) row.
SCORE_COLUMNS = (
    "as_of, unit_code, indicator_code, goal, in_index, weight, coloured, year, value, score,"
    " dashboard_value, band, trend_code"
)


def _indicator_scores(options: SdsnOptions, pairs: str, passed: tuple[str, ...] = ()) -> str:
    """Rules 1, 5, 6 and 8 for each row of `pairs` (as_of, unit_code, indicator_code,
    shown, year, value, from_year, from_value, to_year, to_value): `SCORE_COLUMNS`,
    then the columns of `pairs` named in `passed`."""
    outer = "".join(f", {name}" for name in passed)
    inner = "".join(f", p.{name}" for name in passed)
    return f"""
        SELECT as_of, unit_code, indicator_code, goal,
               in_index, weight, coloured, year, value, score,
               CASE WHEN coloured THEN {dashboard_value("x", "band")} END AS dashboard_value,
               CASE WHEN coloured THEN band END AS band,
               {indicator_trend()} AS trend_code{outer}
        FROM (
            SELECT *, {colour_band("x")} AS band
            FROM (
                SELECT p.as_of, p.unit_code, p.indicator_code, p.shown, i.*
                         EXCLUDE (indicator_code, indicator),
                       p.shown AND i.green IS NOT NULL AS coloured,
                       p.year, p.value, p.from_value, p.to_value, p.value * i.sgn AS x,
                       {rescale("p.value")} AS score, {trend_paces(options)}{inner}
                FROM ({pairs}) p
                LEFT JOIN indicator_codes i ON i.indicator_code = p.indicator_code
            )
        ) scored
    """


# How many rows `applicability` has, counted per indicator from the flags (at M 5 ms
# where counting the relation, a cross join, took 50): every unit where the indicator
# has no scope; else the units whose flag is set, or with `!` the others.
APPLICABLE_PAIRS = """
    SELECT COALESCE(sum(CASE WHEN i.scope_column IS NULL THEN n.units
                             WHEN i.scope_negated THEN n.units - COALESCE(f.set_units, 0)
                             ELSE COALESCE(f.set_units, 0) END), 0)
    FROM indicator_codes i
    CROSS JOIN (SELECT count(*) AS units FROM unit_codes) n
    LEFT JOIN (
        SELECT flag, count(*) AS set_units FROM unit_code_flags WHERE is_set GROUP BY flag
    ) f ON f.flag = i.scope_column
"""


def _scoring_steps(options: SdsnOptions) -> list[Step]:
    """From `observed_scores` (the scored observed pairs, with `applies`) on.

    Only codes are stored: the unit and indicator ids are joined in by
    `indicator_results` when the results are read (text columns cost most to store).
    """
    goal_for_index = (
        "COALESCE(g.own_score, m.group_mean)"
        if options.missing_goal == "group-mean"
        else "g.own_score"
    )
    ordinal = " ".join(
        f"WHEN {TREND_CODES[word]} THEN {points}" for word, points in TREND_ORDINALS.items()
    )
    return [
        Step(
            # Applicable pairs with no value for a scoring year: scored as missing.
            "missing_scores",
            _indicator_scores(
                options,
                """
                SELECT y.as_of, a.unit_code, a.indicator_code, a.shown,
                       CAST(NULL AS INTEGER) AS year, CAST(NULL AS DOUBLE) AS value,
                       CAST(NULL AS INTEGER) AS from_year, CAST(NULL AS DOUBLE) AS from_value,
                       CAST(NULL AS INTEGER) AS to_year, CAST(NULL AS DOUBLE) AS to_value
                FROM applicability a CROSS JOIN scoring_years y
                WHERE NOT EXISTS (
                    SELECT 1 FROM observed_scores o
                    WHERE o.as_of = y.as_of AND o.unit_code = a.unit_code
                      AND o.indicator_code = a.indicator_code
                )
                """,
            ),
            skip_unless=(
                f"SELECT ({APPLICABLE_PAIRS}) * (SELECT count(*) FROM scoring_years)"
                " > (SELECT count(*) FROM observed_scores WHERE applies)"
            ),
        ),
        Step(
            "indicator_scores",
            f"SELECT {SCORE_COLUMNS} FROM observed_scores WHERE applies"
            " UNION ALL SELECT * FROM missing_scores",
            materialize=False,
        ),
        Step(
            "indicator_results",
            f"""
            SELECT r.as_of, u.unit, r.unit_code, i.indicator, r.indicator_code, r.goal,
                   r.in_index, r.weight, r.coloured, r.year, r.value, r.score,
                   r.dashboard_value,
                   CASE WHEN r.coloured THEN {indicator_colour("r.band")} END AS colour,
                   {trend_word("r.trend_code")} AS trend
            FROM indicator_scores r
            JOIN unit_codes u ON u.unit_code = r.unit_code
            JOIN indicator_codes i ON i.indicator_code = r.indicator_code
            """,
            materialize=False,
        ),
        Step(
            "goal_stats",
            f"""
            SELECT as_of, unit_code, goal,
                   count(*) FILTER (WHERE in_index) AS n_index,
                   count(score) FILTER (WHERE in_index) AS n_index_valued,
                   {exact_sum("CASE WHEN in_index THEN weight * score END")}
                     / {exact_sum("CASE WHEN in_index AND score IS NOT NULL THEN weight END")}
                     AS own_score,
                   count(*) FILTER (WHERE coloured) AS n_shown,
                   count(value) FILTER (WHERE coloured) AS n_shown_valued,
                   count(trend_code) FILTER (WHERE coloured) AS n_trend,
                   count(*) FILTER (WHERE coloured AND trend_code = {TREND_CODES["maintaining"]})
                     AS n_maintaining,
                   sum(CASE trend_code {ordinal} END) FILTER (WHERE coloured) AS trend_points,
                   -- Rule 7's two lowest 0-3 values (missing ones are NULL, so skipped)
                   -- and what `band_goal_colour` needs to know of their colours.
                   min_by(dashboard_value, dashboard_value, 2) AS low_values,
                   count(*) FILTER (WHERE band < 3) AS n_below_green,
                   count(*) FILTER (WHERE band = 0) AS n_red,
                   min(band) AS lowest_band
            FROM indicator_scores
            GROUP BY as_of, unit_code, goal
            """,
        ),
        Step(
            "unit_coverage",
            f"""
            SELECT y.as_of, u.unit, u.unit_code, u.group_name,
                   COALESCE(c.n_index, 0) AS n_index, COALESCE(c.n_index_valued, 0) AS n_valued,
                   COALESCE(c.n_index, 0) > 0
                     AND COALESCE(c.n_index_valued, 0)
                         >= {options.coverage} * c.n_index - {EPSILON} AS qualifies
            FROM unit_codes u CROSS JOIN scoring_years y
            LEFT JOIN (
                -- From the per-goal counts: a pass over 17 rows per unit, not 150.
                SELECT as_of, unit_code,
                       CAST(sum(n_index) AS BIGINT) AS n_index,
                       CAST(sum(n_index_valued) AS BIGINT) AS n_index_valued
                FROM goal_stats GROUP BY as_of, unit_code
            ) c ON c.as_of = y.as_of AND c.unit_code = u.unit_code
            """,
        ),
        Step(
            "goal_results",
            f"""
            SELECT g.as_of, c.unit, g.unit_code, g.goal,
                   CASE WHEN c.qualifies THEN g.own_score END AS score,
                   {band_goal_colour()} AS colour,
                   {band_goal_trend(options)} AS trend,
                   g.n_index, g.own_score, c.qualifies, c.group_name
            FROM (
                SELECT *, (low_values[1] + low_values[2]) / 2 AS low_average FROM goal_stats
            ) g
            JOIN unit_coverage c ON c.as_of = g.as_of AND c.unit_code = g.unit_code
            """,
        ),
        Step(
            "group_goal_means",
            f"""
            SELECT as_of, group_name, goal, {exact_mean("own_score")} AS group_mean
            FROM goal_results
            WHERE qualifies AND own_score IS NOT NULL AND group_name IS NOT NULL
            GROUP BY as_of, group_name, goal
            """,
            materialize=False,
        ),
        Step(
            "index_scores",
            f"""
            SELECT g.as_of, g.unit_code,
                   {exact_mean(goal_for_index)} AS score
            FROM goal_results g
            LEFT JOIN group_goal_means m
              ON m.as_of = g.as_of AND m.group_name = g.group_name AND m.goal = g.goal
            WHERE g.qualifies AND g.n_index > 0
            GROUP BY g.as_of, g.unit_code
            """,
            materialize=False,
        ),
        Step(
            "index_results",
            f"""
            SELECT c.as_of, c.unit, c.unit_code, s.score,
                   CASE WHEN s.score IS NOT NULL THEN
                     RANK() OVER (
                       PARTITION BY c.as_of, s.score IS NULL
                       ORDER BY ROUND(s.score, {RANK_DECIMALS}) DESC
                     )
                   END AS rank,
                   c.n_index, c.n_valued, c.qualifies
            FROM unit_coverage c
            LEFT JOIN index_scores s ON s.as_of = c.as_of AND s.unit_code = c.unit_code
            """,
        ),
    ]
