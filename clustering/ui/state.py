"""The one door to ``st.session_state``.

Every page reads and writes session state through the typed getters and setters here; keys
are page-prefixed strings held in this module only. Callbacks replace whole (immutable)
objects, never mutate them. Nothing here is module-global: each browser session has its own
``st.session_state``, so two students never share a run or a data set.

What is stored:
- the active data set (:class:`ActiveData`): its recipe (:class:`DataSpec`), the points, and a
  version number that grows every time the active data changes;
- per page, a run (:class:`clustering.stepper.Run`) tagged with the data version it was made
  on: a run made on other data is dropped on read, and the page is told so once;
- per page, small settings and one-shot messages;
- per page, bounded stores of values computed once (:func:`remember`, the one memo).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import streamlit as st

from clustering import datasets, generative
from clustering.constants import DEFAULT_DATASET, DEFAULT_SEED, MEMO_ENTRIES
from clustering.edits import Edits, edit_dataset
from clustering.stepper import Run

_DATA = "data.active"
_DATA_VERSION = "data.version"
_URL_READ = "url.read"  # set of scopes whose URL parameters were read in this session
_MESSAGES = "messages"
_PAGE_VISIT = "page.visit"  # (url path of the last full run, how many page changes so far)


@dataclass(frozen=True)
class DataSpec:
    """How to rebuild a data set: a generator's name, its size, seed and options.

    For an upload, ``name`` is "upload" and ``source_name`` the file's name; an upload can't be
    rebuilt from the URL. A mixture sampled on the Generative model page has ``name``
    "generated", its rows in ``options`` (("mixture", "π,μx,μy,σx,σy,ρ;..."),), N and seed:
    the link rebuilds the very same points.
    """

    name: str = DEFAULT_DATASET
    n: int | None = None
    seed: int = DEFAULT_SEED
    standardize: bool = False
    options: tuple[tuple[str, Any], ...] = ()
    source_name: str = ""
    edits: Edits = Edits()  # points added or removed by hand (clustering.edits)

    @property
    def is_upload(self) -> bool:
        """True for an uploaded file: its points can't be rebuilt from a link."""
        return self.name == "upload"

    def label(self) -> str:
        if self.name == "generated":
            base = f"sampled mixture ({self.source_name})"
            return f"{base} + {self.edits.describe()}" if self.edits else base
        base = f"uploaded file “{self.source_name}”" if self.is_upload else self.name
        return f"{base} + {self.edits.describe()}" if self.edits else base


@dataclass(frozen=True, eq=False)
class ActiveData:
    """The data set every page works on.

    dataset : the points as generated or read (original units), with the spec's edits
    spec : the recipe
    version : grows by one at every change of active data (runs remember it)
    X : the points the algorithms see: standardized (z-score) when spec.standardize
    source : the points as generated or read, before the edits (what ``build`` takes again)
    """

    dataset: datasets.Dataset
    spec: DataSpec
    version: int
    X: np.ndarray = field(repr=False)
    source: datasets.Dataset | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def key(self) -> str:
        """A string naming these exact points (for caches); unique within a session."""
        return f"{self.spec}|v{self.version}"


def build(spec: DataSpec, dataset: datasets.Dataset | None = None, version: int = 0) -> ActiveData:
    """Make the ActiveData for ``spec`` (generating the points unless ``dataset`` is given).

    ``dataset`` is the points before the edits (``ActiveData.source``); ``spec.edits`` are
    applied here (ValueError when they do not fit the points)."""
    if dataset is None and spec.name == "generated":  # a mixture's sample, rebuilt from its rows
        rows = generative.parse_components(dict(spec.options)["mixture"])
        dataset = generative.mixture_dataset(rows, spec.n, spec.seed)
    elif dataset is None:
        dataset = datasets.make(spec.name, n=spec.n, seed=spec.seed, **dict(spec.options))
    source = dataset
    try:
        dataset = edit_dataset(source, spec.edits)
    except ValueError as error:
        raise ValueError(f"The points edited by hand can't be used: {error}") from None
    X = datasets.standardize(dataset.X) if spec.standardize else dataset.X
    X = np.asarray(X, dtype=float)
    if X.flags.writeable:
        X = X.copy()
        X.setflags(write=False)
    return ActiveData(dataset, spec, version, X, source)


def get_data() -> ActiveData:
    """The active data set; the default (the mouse set) on a fresh session."""
    active = st.session_state.get(_DATA)
    if active is None:
        active = build(DataSpec(), version=0)
        st.session_state[_DATA] = active
        st.session_state[_DATA_VERSION] = 0
    return active


def set_data(spec: DataSpec, dataset: datasets.Dataset | None = None) -> ActiveData:
    """Make ``spec`` (or an uploaded ``dataset``) the active data set for every page.

    Raises whatever ``datasets.make`` raises (ValueError with a plain message); the previous
    data set then stays active.
    """
    version = int(st.session_state.get(_DATA_VERSION, 0)) + 1
    active = build(spec, dataset, version)  # may raise: nothing is stored before this works
    st.session_state[_DATA] = active
    st.session_state[_DATA_VERSION] = version
    return active


# --------------------------------------------------------------------------------------
# Runs, per page
# --------------------------------------------------------------------------------------


def get_run(page: str) -> Run | None:
    """The page's run on the active data, or None.

    A run made on another data set is dropped here, and a one-shot message tells the page.
    """
    stored = st.session_state.get(f"{page}.run")
    if stored is None:
        return None
    version, run = stored
    if version != get_data().version:
        del st.session_state[f"{page}.run"]
        push_message(page, "The data set changed, so the run made on the previous data was reset.")
        return None
    return run


def run_for(page: str, key: tuple) -> Run | None:
    """The page's stored run if it was made for set-up ``key`` (on the active data), else None."""
    run = get_run(page)
    return run if run is not None and get_value(page, "run_key") == key else None


def forget_run(page: str) -> None:
    """No run on the page (its set-up can't make one yet); the next one is made anew."""
    set_run(page, None)
    set_value(page, "run_key", None)


def set_run(page: str, run: Run | None) -> None:
    """Store the page's run (tagged with the active data's version); None forgets it."""
    if run is None:
        st.session_state.pop(f"{page}.run", None)
    else:
        st.session_state[f"{page}.run"] = (get_data().version, run)


# --------------------------------------------------------------------------------------
# Small per-page values and one-shot messages
# --------------------------------------------------------------------------------------


def start_run(page: str, run: Run, key: object, X) -> Run:
    """Store a run just made for the set-up ``key``: a link's pending ``step=`` is reached first
    (through the reducer, :func:`clustering.stepper.advance_to`), and no animation runs on."""
    from clustering import stepper

    pending = get_value(page, "pending_step")
    if pending:
        set_value(page, "pending_step", None)
        run = stepper.advance_to(run, int(pending), X)
    set_run(page, run)
    set_value(page, "run_key", key)
    set_value(page, "animating", False)
    return run


def get_value(page: str, name: str, default: Any = None) -> Any:
    return st.session_state.get(f"{page}.{name}", default)


def set_value(page: str, name: str, value: Any) -> None:
    st.session_state[f"{page}.{name}"] = value


def set_default(page: str, name: str, value: Any) -> None:
    """Set a page value only when it has none yet (a widget's starting value)."""
    if get_value(page, name) is None:
        set_value(page, name, value)


def request_app_rerun(page: str) -> None:
    """Callback helper: a widget in the page's cursor part (a fragment) changed the set-up or
    the data, so the whole page must run again (sidebar included), not the fragment alone."""
    set_value(page, "rerun_app", True)


def push_message(page: str, text: str, level: str = "info") -> None:
    """Queue a message (info, warning or error) that the page shows once on its next run."""
    messages = dict(st.session_state.get(_MESSAGES, {}))
    messages[page] = tuple(messages.get(page, ())) + ((level, text),)
    st.session_state[_MESSAGES] = messages


def pop_messages(page: str) -> tuple[tuple[str, str], ...]:
    """The page's queued messages, forgotten once read."""
    messages = dict(st.session_state.get(_MESSAGES, {}))
    mine = tuple(messages.pop(page, ()))
    st.session_state[_MESSAGES] = messages
    return mine


def begin_full_run(page_path: str) -> None:
    """The router, before every full run: a run of another page than the last starts a new
    visit (in-app navigation, or the first run of the session)."""
    last, visits = st.session_state.get(_PAGE_VISIT, (None, 0))
    if page_path != last:
        st.session_state[_PAGE_VISIT] = (page_path, visits + 1)


def page_visit() -> int:
    """How many times this session's full runs changed page: a visit's number (0 before any)."""
    return st.session_state.get(_PAGE_VISIT, (None, 0))[1]


def first_visit(scope: str) -> bool:
    """True the first time it is asked for ``scope`` in this session (to read URL parameters once)."""
    seen = st.session_state.get(_URL_READ, frozenset())
    if scope in seen:
        return False
    st.session_state[_URL_READ] = seen | {scope}
    return True


def with_standardize(spec: DataSpec, standardize: bool) -> DataSpec:
    return replace(spec, standardize=bool(standardize))


def widget_key(page: str, name: str) -> str:
    """The ``key=`` of a page's widget, so that get_value / set_value read and set it."""
    return f"{page}.{name}"


def pages_with_runs() -> tuple[str, ...]:
    """The pages holding a run made on the active data set (a data change will reset them)."""
    version = get_data().version
    return tuple(
        key[: -len(".run")]
        for key in list(st.session_state)
        if isinstance(key, str) and key.endswith(".run")
        and isinstance(st.session_state[key], tuple) and st.session_state[key][0] == version
    )


# --------------------------------------------------------------------------------------
# The one bounded per-session memo: a page's named store of values by key
# --------------------------------------------------------------------------------------

_MEMO = "memo"


def _kept(page: str, name: str) -> dict:
    """The page's store ``name`` (a dict, oldest key first), made empty on first use."""
    return st.session_state.setdefault(f"{page}.{name}", {})


def _put(store: dict, key: Hashable, value: Any, keep: int) -> None:
    store.pop(key, None)
    store[key] = value  # the newest last
    while len(store) > keep:
        del store[next(iter(store))]  # the oldest first


def remember(page: str, name: str, key: Hashable, compute: Callable[[], Any], keep: int) -> Any:
    """The value for ``key`` in the page's store ``name``: ``compute()`` on a miss, then kept.

    The one memo of the pages (per browser session: it lives in this session's state, so two
    students never share a value). The store keeps the ``keep`` keys stored last; the oldest
    goes first. A hit does not make a key newer. ``key`` must name everything the value
    depends on (data key, set-up, snapshot keys: values, never ``id()``).
    """
    store = _kept(page, name)
    if key in store:
        return store[key]
    value = compute()
    _put(store, key, value, keep)
    return value


def recall(page: str, name: str, key: Hashable, default: Any = None) -> Any:
    """The value kept for ``key`` in the page's store ``name``, else ``default`` (nothing computed)."""
    store = st.session_state.get(f"{page}.{name}")
    return default if store is None else store.get(key, default)


def retain(page: str, name: str, key: Hashable, value: Any, keep: int) -> Any:
    """Keep ``value`` for ``key`` in the page's store ``name`` (replacing one kept before, and
    making it the newest), keeping the last ``keep`` keys; returns ``value``."""
    _put(_kept(page, name), key, value, keep)
    return value


def memo(page: str, data_key: object, snapshot_keys: tuple, compute):
    """The value ``compute()`` for (data, snapshot), computed once per session.

    :func:`remember` for a derived number (J, ℓ, 𝓛 of a half-step), which depends only on the
    data and the parameters: kept under (data key, snapshot keys) with snapshot keys from
    :func:`clustering.derived.snapshot_key`. At most MEMO_ENTRIES values per page are kept
    (the oldest go first).
    """
    return remember(page, _MEMO, (data_key, *snapshot_keys), compute, keep=MEMO_ENTRIES)


def memo_many(page: str, data_key: object, keyed: dict, compute_missing):
    """:func:`memo` for many values at once: ``keyed`` maps a name (e.g. a half-step's index)
    to its snapshot keys; ``compute_missing(names)`` returns {name: value} for the names not
    kept yet, computed together (one pass can share work between them). Returns {name: value}.
    """
    store = _kept(page, _MEMO)
    found = {name: store[(data_key, *keys)] for name, keys in keyed.items()
             if (data_key, *keys) in store}
    missing = [name for name in keyed if name not in found]
    if missing:
        computed = compute_missing(missing)
        for name in missing:
            found[name] = computed[name]
            _put(store, (data_key, *keyed[name]), computed[name], MEMO_ENTRIES)
    return found
