"""Memory of one session beyond its data: N = 100,000 points, 200 half-steps of K-means and of EM.

Run from the repository root:

    python bench/bench_memory.py              # N = 100,000, 200 half-steps on each page
    python bench/bench_memory.py --quick      # N = 20,000, 40 half-steps
    python bench/bench_memory.py --clicks 200 # every half-step by a click (slow: minutes)

One session (Streamlit's AppTest, through the real router ``app.py``) opens
``/kmeans?dataset=blobs&n=N&...&step=S`` (the link steps the run to half-step S = 200 − clicks,
exactly as the page does for a shared link), then clicks ``E step`` / ``M step`` until the
run is at half-step 200; then, in the same session, ``/gmm`` the same way. (For K-means the
link first runs to convergence, so its history may hold more half-steps than 200 until the
first click drops those after the cursor.) After each page it measures:

- the deep size of the session's state (``st.session_state`` as Streamlit holds it: user
  keys, widget values and their metadata), counting every object and numpy buffer once,
  split into the data (the active data set: points, labels) and everything beyond it, and
  broken down by key;
- the stepper runs themselves (``stepper.Run`` histories);
- with tracemalloc, the peak of one click above what was allocated before it (what a click
  costs while it runs), and what the session holds after it (an upper bound: AppTest also
  keeps the last page's element tree, which a real server does not).

The target (issue 8): under 50 MB beyond the data at N = 100,000 with 200 half-steps.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
import types
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from clustering.stepper import Run  # noqa: E402
from clustering.ui.state import ActiveData  # noqa: E402

APP = str(ROOT / "app.py")
TARGET_MB = 50
MB = 1024 * 1024
PAGES = {
    "kmeans": ("pages/kmeans.py",
               {"dataset": "blobs", "seed": "1", "k": "3", "init": "random", "init_seed": "0"}),
    "gmm": ("pages/gmm.py",
            {"dataset": "blobs", "seed": "1", "k": "3", "init": "kmeans", "init_seed": "0"}),
}
_NOT_STATE = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType,
              types.MethodType, types.CodeType, types.FrameType)


def deep_size(obj, seen: set[int]) -> int:
    """Bytes held by ``obj`` and everything it references, each object (and numpy buffer) once.

    Functions, classes and modules count as nothing (they are shared by every session); a
    numpy view counts its header and, once, the array it views; a protobuf message counts its
    serialized size.
    """
    total = 0
    stack = [obj]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, _NOT_STATE):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)  # a numpy array that owns its data includes its buffer
        if isinstance(item, np.ndarray):
            if item.base is not None:
                stack.append(item.base)
            if item.dtype == object:
                stack.extend(item.ravel().tolist())
            continue
        if isinstance(item, (str, bytes, bytearray, int, float, complex, bool, type(None))):
            continue
        if hasattr(item, "ByteSize") and hasattr(item, "SerializeToString"):
            total += item.ByteSize()
            continue
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        if hasattr(item, "__dict__"):
            stack.append(vars(item))
        for slot in getattr(type(item), "__slots__", ()):
            if isinstance(slot, str) and hasattr(item, slot):
                stack.append(getattr(item, slot))
    return total


def internal_state(at: AppTest):
    """The session's SessionState object (user keys, widget states and their metadata)."""
    return at._session_state._state


def user_items(at: AppTest) -> dict:
    state = internal_state(at)
    return {key: state[key] for key in state.filtered_state}


def active_data(at: AppTest) -> ActiveData | None:
    return next((v for v in user_items(at).values() if isinstance(v, ActiveData)), None)


def measure(at: AppTest) -> dict:
    """Data bytes, bytes beyond the data (one pass), and per key (each beyond the data)."""
    gc.collect()
    data = active_data(at)
    data_seen: set[int] = set()
    data_bytes = deep_size(data, data_seen) if data is not None else 0
    beyond = deep_size(internal_state(at), set(data_seen))
    per_key = {}
    for key, value in user_items(at).items():
        if value is data:
            continue
        per_key[key] = deep_size(value, set(data_seen))
    runs = {key: value for key, value in user_items(at).items()
            if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], Run)}
    run_bytes = {key: (len(value[1].history), deep_size(value[1], set(data_seen)))
                 for key, value in runs.items()}
    return {"data": data_bytes, "beyond": beyond, "per_key": per_key, "runs": run_bytes,
            "n": None if data is None else data.n}


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    if not found:
        raise RuntimeError(f"no button {label!r}; the page shows {[b.label for b in at.button]}")
    return found[0]


def check(at: AppTest) -> None:
    if at.exception:
        raise RuntimeError(f"the page raised: {at.exception[0].message}")


def cursor(at: AppTest, page: str) -> int:
    stored = user_items(at).get(f"{page}.run")
    return -1 if stored is None else stored[1].cursor


def drive(at: AppTest, page: str, n: int, half_steps: int, clicks: int) -> dict:
    """Open ``page`` with a link at half-step ``half_steps - clicks``, then click to ``half_steps``."""
    page_file, link = PAGES[page]
    at.switch_page(page_file)
    at.query_params.clear()
    at.query_params.update({**link, "n": str(n), "step": str(half_steps - clicks)})
    started = time.perf_counter()
    at.run()
    check(at)
    opened = time.perf_counter() - started
    click_seconds, click_peaks = [], []
    while cursor(at, page) < half_steps:
        label = "E step" if not button(at, "E step").disabled else "M step"
        gc.collect()
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        started = time.perf_counter()
        button(at, label).click().run()
        click_seconds.append(time.perf_counter() - started)
        check(at)
        click_peaks.append(tracemalloc.get_traced_memory()[1] - before)
        if len(click_seconds) > clicks + 2:
            raise RuntimeError(f"/{page}: the clicks do not reach half-step {half_steps}")
    return {"opened_s": opened, "click_s": click_seconds, "click_peak": click_peaks,
            "linked_to": half_steps - clicks}


def print_measure(title: str, numbers: dict, extra: dict, traced: int) -> None:
    print(f"\n{title}")
    print(f"  data (the active data set, N = {numbers['n']:,}): {numbers['data'] / MB:8.2f} MB")
    verdict = "ok" if numbers["beyond"] / MB < TARGET_MB else "OVER"
    print(f"  session state beyond the data:        {numbers['beyond'] / MB:8.2f} MB   "
          f"(target < {TARGET_MB} MB: {verdict})")
    for key, (length, size) in numbers["runs"].items():
        print(f"    run {key!r}: a history of {length - 1} half-steps, {size / 1024:,.1f} KB")
    print("  largest keys (each beyond the data; shared objects counted in each):")
    for key, size in sorted(numbers["per_key"].items(), key=lambda kv: -kv[1])[:8]:
        print(f"    {key:<28} {size / MB:8.3f} MB")
    clicks = extra["click_s"]
    if clicks:
        print(f"  page opened in {extra['opened_s']:.1f} s (a link to half-step "
              f"{extra['linked_to']}), then {len(clicks)} clicks: median {np.median(clicks):.2f} s "
              f"each (slowed by tracemalloc); tracemalloc peak of a click above what was held before it: median "
              f"{np.median(extra['click_peak']) / MB:.1f} MB, max {max(extra['click_peak']) / MB:.1f} MB")
    print(f"  tracemalloc: the session holds {traced / MB:.1f} MB (everything it allocated and "
          "still holds, data and AppTest's element tree included: an upper bound)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="points (100000)")
    parser.add_argument("--half-steps", type=int, default=200, help="half-steps per page (200)")
    parser.add_argument("--clicks", type=int, default=10,
                        help="of those, how many are taken by clicking (10; the rest by the link)")
    parser.add_argument("--quick", action="store_true", help="N = 20,000, 40 half-steps")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.half_steps, args.clicks = 20_000, 40, 4
    args.clicks = min(args.clicks, args.half_steps)

    print(f"Memory of one session: N = {args.n:,}, {args.half_steps} half-steps per page "
          f"({args.half_steps - args.clicks} by the link, {args.clicks} by clicks)")
    began = time.perf_counter()
    # warm up: imports and Streamlit's own one-time structures are not the session's
    warm = AppTest.from_file(APP, default_timeout=600)
    for page in PAGES:
        drive(warm, page, 1_000, 4, 2)
    del warm
    gc.collect()

    tracemalloc.start()
    baseline, _ = tracemalloc.get_traced_memory()
    at = AppTest.from_file(APP, default_timeout=600)
    kmeans = drive(at, "kmeans", args.n, args.half_steps, args.clicks)
    gc.collect()
    print_measure("After the K-means page:", measure(at), kmeans,
                  tracemalloc.get_traced_memory()[0] - baseline)
    gmm = drive(at, "gmm", args.n, args.half_steps, args.clicks)
    gc.collect()
    both = measure(at)
    print_measure("After the GMM page too (the same session holds both runs):", both, gmm,
                  tracemalloc.get_traced_memory()[0] - baseline)
    tracemalloc.stop()
    print(f"\nTotal {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
