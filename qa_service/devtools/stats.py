"""The one percentile definition of every figure the project reports (benchmarks, load test,
backend comparison), so that figures compare."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (``q`` from 0 to 100) of ``values``, interpolated linearly
    between the two nearest ranks (numpy's default, ``statistics.quantiles(...,
    method="inclusive")``); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * min(max(q, 0.0), 100.0) / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
