"""Numbers as shown: whole (never cut to "3.419…"), with the digits the quantity needs."""

import math

from hypothesis import given
from hypothesis import strategies as st

from clustering.ui.numbers import MISSING, fmt_sig, read_number


def test_a_tiny_gap_keeps_its_power_of_ten():
    # The converged GMM gap: "3.419e-05" cut at the box's edge read "3.419…".
    assert fmt_sig(3.419e-05, 4) == "3.42 × 10⁻⁵"
    assert fmt_sig(-3.2e-9) == "-3.20 × 10⁻⁹"
    assert fmt_sig(1.5e8) == "1.50 × 10⁸"


def test_significant_digits_not_fixed_decimals():
    assert fmt_sig(46_884.27, 6) == "46,884.3"
    assert fmt_sig(46_884.27, 5) == "46,884"
    assert fmt_sig(-545.2345, 6) == "-545.235"
    assert fmt_sig(0.0123456, 3) == "0.0123"
    assert fmt_sig(-0.00004, 2, signed=True) == "-4.0 × 10⁻⁵"
    assert fmt_sig(2.5, 3, signed=True) == "+2.50"
    assert fmt_sig(0.0) == "0"


def test_missing_and_non_finite_values_are_a_dash():
    for value in (None, math.nan, math.inf, -math.inf, "x"):
        assert fmt_sig(value) == MISSING


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).filter(lambda v: abs(v) > 1e-12),
       st.integers(min_value=3, max_value=7))
def test_what_is_shown_reads_back_to_the_value(value, significant):
    shown = fmt_sig(value, significant)
    assert "…" not in shown and "e" not in shown
    digits = significant if 1e-3 <= abs(value) < 1e7 else min(significant, 3)
    assert math.isclose(read_number(shown), value, rel_tol=0.51 * 10 ** (1 - digits))
