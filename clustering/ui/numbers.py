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


_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")


def scientific(number: float, significant: int = 3, signed: bool = False) -> str:
    """``number`` as "3.42 × 10⁻⁵": a mantissa of ``significant`` digits and a superscript power.

    Written whole on purpose: "3.42e-05" cut at a box's edge reads "3.42…", five orders of
    magnitude wrong; a superscript exponent is short and reads as mathematics.
    """
    mantissa, exponent = f"{number:.{max(significant - 1, 0)}e}".split("e")
    sign = "+" if signed and number > 0 else ""
    return f"{sign}{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def fmt_sig(value: object, significant: int = 5, signed: bool = False) -> str:
    """``value`` with ``significant`` significant digits, for a metric box: "46,884", "-545.23".

    Digits after the point are only those that carry one of the ``significant`` digits, so a
    large J does not grow useless decimals and a small one keeps its digits. Magnitudes below
    0.001 or from 10⁷ on are written in scientific notation (:func:`scientific`); 0 is "0".
    "—" when ``value`` is not a finite number.
    """
    if not is_number(value):
        return MISSING
    number = float(value)
    if number == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(number)))
    if magnitude < -3 or magnitude >= 7:
        return scientific(number, min(significant, 3), signed)
    decimals = max(significant - 1 - magnitude, 0)
    sign = "+" if signed else ""
    text = f"{number:{sign},.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text


_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")


def read_number(text: str) -> float:
    """The number a person reads in ``text`` as :func:`fmt` or :func:`fmt_sig` wrote it
    ("46,884", "3.42 × 10⁻⁵", "−1.5"); ValueError for "—" or anything else."""
    cleaned = str(text).replace(",", "").replace("−", "-").strip()
    if " × 10" in cleaned:
        mantissa, power = cleaned.split(" × 10")
        return float(mantissa) * 10.0 ** int(power.translate(_DIGITS))
    return float(cleaned)


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
