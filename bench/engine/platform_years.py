"""The platform's call: every year with data scored at once, in-process.

357 units x 10 indicators x 20 years (10% missing), `score_sdsn(..., years="all")`,
three times, then one year alone. Usage: python bench/engine/platform_years.py
"""

import time

import numpy as np
import pyarrow as pa

from sdgnet.engine.framework import parse_framework
from sdgnet.engine.scoring import score_sdsn

rng = np.random.default_rng(1)
n_u, n_i, n_y = 357, 10, 20
fw = parse_framework(
    pa.table(
        {
            "indicator": [f"i{k}" for k in range(n_i)],
            "goal": [str(1 + k % 5) for k in range(n_i)],
            "best": ["100"] * n_i,
            "worst": ["0"] * n_i,
            "green": ["80"] * n_i,
            "red": ["50"] * n_i,
        }
    )
)
units = pa.table(
    {"unit": [f"U{u}" for u in range(n_u)], "group": [f"G{u % 11}" for u in range(n_u)]}
)
unit_index = np.repeat(np.arange(n_u), n_i * n_y)
indicator_index = np.tile(np.repeat(np.arange(n_i), n_y), n_u)
year_of_row = np.tile(np.arange(2005, 2005 + n_y), n_u * n_i)
vals = rng.normal(60, 20, unit_index.size)
mask = rng.random(unit_index.size) < 0.1
obs = pa.table(
    {
        "unit": pa.array([f"U{u}" for u in unit_index]),
        "indicator": pa.array([f"i{i}" for i in indicator_index]),
        "year": pa.array(year_of_row, pa.int32()),
        "value": pa.array(vals, mask=mask),
    }
)
for _run in range(3):
    t = time.time()
    c = time.process_time()
    r = score_sdsn(fw, obs, units, years="all")
    print("all years wall", round(time.time() - t, 3), "cpu", round(time.process_time() - c, 3))
t = time.time()
r = score_sdsn(fw, obs, units)
print("one year", round(time.time() - t, 3))
