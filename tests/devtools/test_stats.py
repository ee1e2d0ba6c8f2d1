"""The one percentile definition behind every reported figure."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

from qa_service.devtools.stats import percentile


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([5.0, 1.0, 3.0], 50) == 3.0
    assert percentile([float(i) for i in range(1, 11)], 90) == pytest.approx(9.1)
    assert percentile([2.0], 99) == 2.0
    assert percentile([1.0, 2.0], 0) == 1.0 and percentile([1.0, 2.0], 100) == 2.0
    assert math.isnan(percentile([], 90))


@pytest.mark.parametrize("q", [1, 25, 50, 90, 95, 99])
def test_percentile_is_numpys_and_statistics_inclusive(q: int) -> None:
    values = [float(x) for x in np.random.default_rng(q).gamma(2.0, 30.0, size=57)]
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    inclusive = statistics.quantiles(values, n=100, method="inclusive")
    assert percentile(values, q) == pytest.approx(inclusive[q - 1])
