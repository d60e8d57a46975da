"""Shareable state: the URL's query parameters, parsed and written.

Parsing is pure (``parse_*`` take a plain mapping and return values or a plain message), so it
is tested without Streamlit; ``read_query`` / ``write_query`` are the only calls that touch
``st.query_params``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import streamlit as st

from clustering import datasets, edits, generative
from clustering.constants import (
    GENERATIVE_DEFAULT_POINTS,
    GENERATIVE_MAX_POINTS,
    MAX_POINTS,
    MAX_SEED,
)

DATA_KEYS = ("dataset", "n", "seed", "standardize", "edits")
UPLOAD = "upload"  # dataset=upload: made on an uploaded file, which no link can carry
MIXTURE = "mixture"  # dataset=mixture: a sample of the mixture in "mixture" (Generative model page)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class UrlError(ValueError):
    """A query parameter that can't be used; str() is a plain sentence."""


def parse_int(query: Mapping[str, str], key: str, low: int, high: int, default: int | None) -> int | None:
    """The integer ``query[key]`` within [low, high], ``default`` when absent; UrlError otherwise."""
    raw = query.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise UrlError(f"The link's “{key}” must be a whole number, not “{raw}”.") from None
    if not low <= value <= high:
        raise UrlError(f"The link's “{key}” must be between {low:,} and {high:,}; it was {value:,}.")
    return value


def parse_each(parsers: Mapping[str, Callable[[], Any]]) -> tuple[dict[str, Any], list[str]]:
    """Run every parser of a link's values: ({name: value} for the usable values present,
    [a plain message for each bad one, ending "Using the default instead."])."""
    found: dict[str, Any] = {}
    messages: list[str] = []
    for name, parse in parsers.items():
        try:
            value = parse()
        except ValueError as error:
            messages.append(f"{error} Using the default instead.")
            continue
        if value is not None:
            found[name] = value
    return found, messages


def parse_bool(query: Mapping[str, str], key: str, default: bool) -> bool:
    raw = query.get(key)
    if raw is None or raw == "":
        return default
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise UrlError(f"The link's “{key}” must be true or false, not “{raw}”.")


def parse_choice(query: Mapping[str, str], key: str, choices: tuple[str, ...], default: str) -> str:
    raw = query.get(key)
    if raw is None or raw == "":
        return default
    if raw not in choices:
        raise UrlError(f"The link's “{key}” must be one of {', '.join(choices)}; it was “{raw}”.")
    return str(raw)


def parse_data(query: Mapping[str, str]):
    """The DataSpec a link asks for, or None when it names no data set; UrlError if it is bad."""
    spec = _parse_data(query)
    if spec is None or not query.get("edits"):
        return spec
    return replace(spec, edits=parse_edits(query))


def parse_edits(query: Mapping[str, str]) -> edits.Edits:
    """The link's points edited by hand (``edits``); UrlError with a plain message if unusable.
    Whether they fit the data set's points is checked when the points are made."""
    try:
        return edits.parse_edits(str(query.get("edits") or ""))
    except ValueError as error:
        raise UrlError(f"The link's “edits” can't be used: {error}") from None


def _parse_data(query: Mapping[str, str]):
    from clustering.ui.state import DataSpec

    if not query.get("dataset"):
        return None
    if query.get("dataset") == MIXTURE:
        return parse_mixture_data(query)
    if query.get("dataset") == UPLOAD:
        name = str(query.get("file") or "a file")[:120]
        raise UrlError(
            f"This link was made on an uploaded file (“{name}”), and a link cannot carry a file: "
            "ask for the file (the page the link was made on offers it as a CSV download) and "
            "upload it on the Data page."
        )
    name = parse_choice(query, "dataset", tuple(datasets.NAMES), "mouse")
    n = parse_int(query, "n", 2, MAX_POINTS, None)
    seed = parse_int(query, "seed", 0, MAX_SEED, 0)
    standardize = parse_bool(query, "standardize", False)
    options = tuple(
        (option.name, value)
        for option in datasets.OPTIONS.get(name, ())
        if (value := parse_option(query, option)) is not None
    )
    return DataSpec(name=name, n=n, seed=seed, standardize=standardize, options=options)


def parse_mixture_data(query: Mapping[str, str]):
    """A sample of a mixture (the Generative model page's "Fit EM"): its rows, N and seed."""
    from clustering.ui.state import DataSpec

    try:
        rows = generative.parse_components(query.get("mixture", ""))
        generative.params_from_components(rows)  # rows that make no mixture: say so now
    except ValueError as error:
        raise UrlError(f"The link's “mixture” can't be used: {error}") from None
    n = parse_int(query, "n", 2, GENERATIVE_MAX_POINTS, GENERATIVE_DEFAULT_POINTS)
    seed = parse_int(query, "seed", 0, MAX_SEED, 0)
    return DataSpec(name="generated", n=n, seed=seed,
                    standardize=parse_bool(query, "standardize", False), options=(("mixture", generative.format_components(rows)),),
                    source_name=f"K = {len(rows)}, N = {n:,}, seed {seed}")


def parse_option(query: Mapping[str, str], option) -> int | float | None:
    """A generator's option (``datasets.Option``) from the link, None when absent; UrlError if bad."""
    raw = query.get(option.name)
    if raw is None or raw == "":
        return None
    if option.integer:
        return parse_int(query, option.name, int(option.min), int(option.max), None)
    try:
        value = float(str(raw).strip())
    except ValueError:
        raise UrlError(f"The link's “{option.name}” must be a number, not “{raw}”.") from None
    if not option.min <= value <= option.max:
        raise UrlError(
            f"The link's “{option.name}” must be between {option.min:g} and {option.max:g}; it was {value:g}."
        )
    return value


def data_query(spec) -> dict[str, str]:
    """The query parameters that rebuild ``spec`` (none for an upload: it can't be rebuilt),
    with ``edits`` when points were edited by hand (``too-many-<n>`` beyond what a link carries)."""
    query = _data_query(spec)
    if spec.edits and not spec.is_upload:
        query["edits"] = edits.format_edits(spec.edits)
    return query


def _data_query(spec) -> dict[str, str]:
    if spec.is_upload:  # a link can't carry a file: it names it, so the page that opens can say so
        return {"dataset": UPLOAD, "file": spec.source_name}
    if spec.name == "generated":
        query = {"dataset": MIXTURE, "mixture": dict(spec.options)["mixture"],
                 "n": str(spec.n), "seed": str(spec.seed)}
        return query | ({"standardize": "true"} if spec.standardize else {})
    query = {"dataset": spec.name, "seed": str(spec.seed)}
    if spec.n is not None:
        query["n"] = str(spec.n)
    if spec.standardize:
        query["standardize"] = "true"
    for name, value in spec.options:  # a generator's options (e.g. n_blobs, noise)
        query[name] = repr(float(value)) if isinstance(value, float) else str(int(value))
    return query


def read_query() -> dict[str, str]:
    """The URL's query parameters as a plain dict (last value wins for repeated keys)."""
    return {key: st.query_params.get(key) for key in st.query_params.keys()}


def write_query(params: Mapping[str, Any]) -> None:
    """Replace the URL's query parameters with ``params`` (only when they differ)."""
    wanted = {key: str(value) for key, value in params.items() if value is not None}
    if read_query() != wanted:
        st.query_params.from_dict(wanted)
