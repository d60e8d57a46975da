"""Numbers as people read them: never "nan", never "inf", never a raw float repr.

Every number a page shows goes through :func:`fmt` (or :func:`fmt_exp` for a quantity known by
its logarithm, such as a tiny Gaussian density), so a missing or non-finite value shows as a
dash with, where it matters, a sentence nearby that says why.
"""

from __future__ import annotations

import math

MISSING = "—"


def is_number(value: object) -> bool:
    """True for a finite real number (not None, NaN or ±inf)."""
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def fmt(value: object, decimals: int = 3, signed: bool = False) -> str:
    """``value`` with ``decimals`` decimals and thousands separators; "—" when not a finite number.

    Very small or very large magnitudes switch to scientific notation (1.23e-07), so a tiny
    gap never reads as 0.000 when it is not zero.
    """
    if not is_number(value):
        return MISSING
    number = float(value)
    sign = "+" if signed else ""
    if number != 0 and (abs(number) < 10 ** (-decimals) or abs(number) >= 1e9):
        return f"{number:{sign}.{max(decimals - 1, 2)}e}"
    text = f"{number:{sign},.{decimals}f}"
    if text in ("-0." + "0" * decimals, "-0"):
        text = text[1:]
    return text


def fmt_exp(log_value: object, digits: int = 3, latex: bool = False) -> str:
    """The number exp(``log_value``), written without ever underflowing to 0.

    fmt_exp(-95.3) is "4.05e-42" (or "4.05 \\times 10^{-42}" with ``latex``); values between
    0.001 and 10,000 are written plainly. "—" when ``log_value`` is not a finite number, and "0"
    for a log of −inf (a true zero).
    """
    if log_value is not None and not isinstance(log_value, str):
        try:
            if float(log_value) == -math.inf:
                return "0"
        except (TypeError, ValueError):
            return MISSING
    if not is_number(log_value):
        return MISSING
    log10 = float(log_value) / math.log(10.0)
    if -3 <= log10 < 4:
        return f"{10**log10:.{digits}g}"
    exponent = math.floor(log10)
    mantissa = 10 ** (log10 - exponent)
    if round(mantissa, digits - 1) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    if latex:
        return f"{mantissa:.{digits - 1}f} \\times 10^{{{exponent}}}"
    return f"{mantissa:.{digits - 1}f}e{exponent:+03d}"
