"""The Compress a photo page's panels: the photo, the set-up, the buttons, the numbers, the figures.

Streamlit glue only. A photo's pixels are the points x_n in RGB (D = 3); the run is a
:class:`clustering.stepper.Run` stepped with :func:`clustering.stepper.step` on the photo's
distinct colours weighted by their pixel counts (:func:`clustering.images.distinct_colours`:
the same labels per pixel and the same means up to the order of summation, from about a
quarter as many points), the labels in force
at a half-step come from :func:`clustering.derived.kmeans_labels`, J from
:func:`clustering.kmeans.objective`, the photo's numbers from :mod:`clustering.images`, the
figures from :mod:`clustering.plotting_compress`. Session state is reached through
:mod:`clustering.ui.state` only.

What is cached (in this session's state, never shared): the runs, one per
(photo, K, init, seed), and per half-step of those runs the labels (one byte per pixel), J,
PSNR and the quantized photo as a palette PNG, for the last few half-steps shown. A run's
half-step i is the same whatever path reached it (every step is deterministic), so
(set-up, i) names it.

The page's own buttons carry the K-means page's labels (``clustering.ui.stepping``); they are
not ``stepping.controls`` because that ties a run to the 2-D data set of the Data page, and
replays "Run to convergence" half-step by half-step, which on a photo of 10⁶ pixels would
recompute every frame.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from clustering import derived, images, kmeans, stepper
from clustering.constants import (
    DEFAULT_SEED,
    MAX_ITER,
    PHOTO_BITS_PER_COLOUR,
    PHOTO_DEFAULT_K,
    PHOTO_MAX_FILE_BYTES,
    PHOTO_MAX_ITER,
    PHOTO_MAX_K,
    PHOTO_MAX_PIXELS,
    PHOTO_MIN_K,
    PHOTO_RUN_CACHE_SIZE,
    PHOTO_SCATTER_POINTS,
    PHOTO_VIEW_CACHE_SIZE,
)
from clustering.plotting import compress as plotting_compress
from clustering.ui import layout, state, stepping, urls
from clustering.ui.figures import show_figure
from clustering.ui.numbers import MISSING, fmt

PAGE = "compress"
PHOTO_FOLDER = Path(__file__).resolve().parents[2] / "assets" / "photos"
PHOTOS = {  # link name: (file, what it shows)
    "astronaut": ("astronaut.jpg", "Astronaut Eileen Collins (NASA, public domain)"),
    "coffee": ("coffee.jpg", "A cup of coffee (Rachel Michetti, CC0)"),
    "chelsea": ("chelsea.jpg", "Chelsea the cat (Stefan van der Walt, CC0)"),
}
DEFAULT_PHOTO = "astronaut"
UPLOAD = "upload"  # the photo menu's entry for the person's own photo
INITS = {
    "kmeans++": "k-means++",
    "random": "Random pixels (Forgy)",
    "random-partition": "Random partition",
}
MAX_SEED = 2**32 - 1
MAX_STEP = 2 * MAX_ITER + 1  # the link may name any half-step a run can reach
SAMPLE_SEED = 12345

NEXT_HINT = {
    "E": "Give every pixel the palette colour nearest to its own (the palette was just placed "
         "or moved).",
    "M": "Move every palette colour to the mean colour of its pixels (the assignment just changed).",
}
UPLOAD_LINK_NOTE = (
    "A link can't carry an uploaded photo: the link of this page keeps K, the start and the "
    "half-step, and opens a shipped photo. Share the photo file itself along with the link."
)


# --------------------------------------------------------------------------------------
# The photo
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LoadedPhoto:
    """A photo ready for K-means.

    key : names these pixels within the session ("astronaut", "upload:3")
    label : what the page calls it
    image : (H, W, 3) floats in [0, 1]; X : (H·W, 3) its pixels (read-only)
    notes : what reading changed (scaled down, alpha dropped, ...)
    png : the photo as shown (JPEG bytes, quality 90)
    sample : (M,) indices of the pixels drawn in the 3-D scatter
    colours : (C, 3) the distinct colours of X, counts : (C,) pixels of each, inverse : (H·W,)
        the colour of every pixel (colours[inverse] == X); K-means runs on the weighted colours
    """

    key: str
    name: str
    label: str
    is_upload: bool
    image: np.ndarray
    X: np.ndarray
    notes: tuple[str, ...]
    png: bytes
    sample: np.ndarray
    colours: np.ndarray
    counts: np.ndarray
    inverse: np.ndarray

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def n(self) -> int:
        return int(self.X.shape[0])


def _loaded(key: str, name: str, label: str, is_upload: bool, photo: images.Photo) -> LoadedPhoto:
    X = images.pixels(photo.image)
    n = X.shape[0]
    rng = np.random.default_rng(SAMPLE_SEED)
    sample = np.sort(rng.choice(n, size=min(n, PHOTO_SCATTER_POINTS), replace=False))
    colours, counts, inverse = images.distinct_colours(X)
    for array in (X, colours, counts, inverse):
        array.setflags(write=False)
    return LoadedPhoto(key, name, label, is_upload, photo.image, X, photo.notes,
                       images.photo_jpeg(photo.image), sample, colours, counts, inverse)


def shipped_photo(name: str) -> LoadedPhoto:
    """A shipped photo (kept in this session once read)."""
    stored = state.get_value(PAGE, "shipped")
    if stored is not None and stored.key == name:
        return stored
    file, label = PHOTOS[name]
    photo = _loaded(name, name, label, False, images.read_photo(PHOTO_FOLDER / file))
    state.set_value(PAGE, "shipped", photo)
    return photo


def current_photo() -> LoadedPhoto:
    """The photo the menu names (the upload, or a shipped photo)."""
    choice = state.get_value(PAGE, "photo", DEFAULT_PHOTO)
    upload = state.get_value(PAGE, "upload")
    if choice == UPLOAD and upload is not None:
        return upload
    if choice not in PHOTOS:
        state.set_value(PAGE, "photo", DEFAULT_PHOTO)
        choice = DEFAULT_PHOTO
    return shipped_photo(choice)


def _uploader_key() -> str:
    return state.widget_key(PAGE, f"uploader.{state.get_value(PAGE, 'uploader_resets', 0)}")


def on_upload() -> None:
    """Callback of the uploader: read the photo; a bad file leaves the previous photo on screen."""
    file = st.session_state.get(_uploader_key())
    if file is None:
        return
    try:
        photo = images.read_photo(file.getvalue(), max_pixels=PHOTO_MAX_PIXELS)
    except images.ImageError as error:
        state.push_message(PAGE, f"“{_plain(file.name)}” can't be used. {error} The previous photo "
                                 "stays.", "error")
        # empty the uploader, so that it never shows a refused file as if it were in use
        state.set_value(PAGE, "uploader_resets", state.get_value(PAGE, "uploader_resets", 0) + 1)
        return
    count = int(state.get_value(PAGE, "upload_count", 0)) + 1
    state.set_value(PAGE, "upload_count", count)
    upload = _loaded(f"upload:{count}", str(file.name), f"your photo “{file.name}”", True, photo)
    state.set_value(PAGE, "upload", upload)
    state.set_value(PAGE, "photo", UPLOAD)


def _plain(text: str) -> str:
    """A file name shown as typed inside Streamlit markdown (no markup, no links)."""
    escaped = html.escape(str(text))
    for character in "\\*_`[]()#+-!$:~<>|{}":
        escaped = escaped.replace(character, "\\" + character)
    return escaped


# --------------------------------------------------------------------------------------
# The link
# --------------------------------------------------------------------------------------


def parse_query(query: Mapping[str, str]) -> tuple[dict, list[str]]:
    """The set-up a link asks for ({photo, k, init, init_seed, step}) and a message per bad value."""
    return urls.parse_each({
        "photo": lambda: urls.parse_choice(query, "photo", tuple(PHOTOS), None),
        "k": lambda: urls.parse_int(query, "k", PHOTO_MIN_K, PHOTO_MAX_K, None),
        "init": lambda: urls.parse_choice(query, "init", tuple(INITS), None),
        "init_seed": lambda: urls.parse_int(query, "init_seed", 0, MAX_SEED, None),
        "step": lambda: urls.parse_int(query, "step", 0, MAX_STEP, None),
    })


def read_url() -> None:
    """On the page's first visit in this session, take the photo, K, start and half-step from the link."""
    if not state.first_visit(PAGE):
        return
    found, messages = parse_query(urls.read_query())
    for message in messages:
        state.push_message(PAGE, message, "warning")
    for name in ("photo", "k", "init", "init_seed"):
        if name in found:
            state.set_value(PAGE, name, found[name])
    if "step" in found:
        state.set_value(PAGE, "pending_step", found["step"])


def url_params(photo: LoadedPhoto, setup: Setup, run: stepper.Run | None) -> dict:
    params = {} if photo.is_upload else {"photo": photo.key}
    params.update(k=setup.k, init=setup.init, init_seed=setup.init_seed,
                  step=0 if run is None else run.cursor)
    return params


def write_url(photo: LoadedPhoto, setup: Setup, run: stepper.Run | None) -> None:
    urls.write_query(url_params(photo, setup, run))


# --------------------------------------------------------------------------------------
# Set-up
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    k: int
    init: str
    init_seed: int


def sidebar() -> Setup:
    """The photo menu, the upload and K-means' set-up, in the sidebar."""
    state.set_default(PAGE, "photo", DEFAULT_PHOTO)
    state.set_default(PAGE, "k", PHOTO_DEFAULT_K)
    state.set_default(PAGE, "init", "kmeans++")
    state.set_default(PAGE, "init_seed", DEFAULT_SEED)
    upload = state.get_value(PAGE, "upload")
    choices = list(PHOTOS) + ([UPLOAD] if upload is not None else [])
    if state.get_value(PAGE, "photo") not in choices:
        state.set_value(PAGE, "photo", DEFAULT_PHOTO)
    with st.sidebar:
        st.markdown("**The photo**")
        st.selectbox(
            "Photo", choices, key=state.widget_key(PAGE, "photo"), persist_state="session",
            format_func=lambda name: (f"Your photo: {upload.name}" if name == UPLOAD
                                      else PHOTOS[name][1]),
        )
        st.file_uploader(
            "Or upload your own (PNG or JPEG)", type=["png", "jpg", "jpeg"], key=_uploader_key(),
            on_change=on_upload, max_upload_size=PHOTO_MAX_FILE_BYTES // 2**20,
            help=f"A photo larger than {PHOTO_MAX_PIXELS:,} pixels is scaled down. "
                 "It stays in this browser session only.",
        )
        layout.accessibility_fixes()  # the drop zone's roles (this page has no page_setup)
        st.markdown("**Set-up of K-means** (a change starts a new run)")
        k = st.number_input(
            "Number of colours K", min_value=PHOTO_MIN_K, max_value=PHOTO_MAX_K, step=1,
            key=state.widget_key(PAGE, "k"), persist_state="session",
            help=f"The palette's size, from {PHOTO_MIN_K} to {PHOTO_MAX_K}.")
        init = st.selectbox(
            "Initialization", list(INITS), format_func=INITS.get, key=state.widget_key(PAGE, "init"),
            persist_state="session",
            help="k-means++: each next colour is a pixel drawn with probability ∝ its squared "
                 "distance to the nearest colour so far. Random pixels: K distinct pixels. Random "
                 "partition: a random cluster for every pixel, then the K means (all near grey).")
        seed = st.number_input("Initialization seed", min_value=0, max_value=MAX_SEED, step=1,
                               key=state.widget_key(PAGE, "init_seed"), persist_state="session",
                               help="The same seed gives the same start.")
    return Setup(int(k), str(init), int(seed))


def _setup_key(photo: LoadedPhoto, setup: Setup) -> tuple:
    return (photo.key, setup.k, setup.init, setup.init_seed)


def ensure_run(photo: LoadedPhoto, setup: Setup) -> stepper.Run | None:
    """The run of this (photo, K, init, seed), made (and taken to the link's half-step) if new.

    None, with a plain message, when no start can be made (fewer distinct colours than K).
    """
    key = _setup_key(photo, setup)
    run = state.recall(PAGE, "runs", key)
    pending = state.get_value(PAGE, "pending_step")
    if run is None:
        try:
            start = kmeans.init_centroids(photo.X, setup.k, setup.init, seed=setup.init_seed)
        except ValueError as error:
            st.error(f"{error} The photo has too few different colours for K = {setup.k}: choose "
                     "a smaller K or another start.")
            return None
        run = stepper.new_kmeans_run(start, max_iter=PHOTO_MAX_ITER,
                                     origin=f"{INITS[setup.init]}, seed {setup.init_seed}")
    if pending:
        state.set_value(PAGE, "pending_step", None)
        while run.cursor < int(pending):
            msg = stepper.EStep() if stepper.next_kind(run) == "E" else stepper.MStep()
            run = stepper.step(run, msg, photo.colours, weights=photo.counts)
    state.retain(PAGE, "runs", key, run, keep=PHOTO_RUN_CACHE_SIZE)  # the newest last
    state.set_value(PAGE, "setup_key", key)
    return run


# --------------------------------------------------------------------------------------
# The buttons
# --------------------------------------------------------------------------------------


def apply(msg: stepper.Msg) -> None:
    """Callback: apply one stepper message to the run on screen."""
    key = state.get_value(PAGE, "setup_key")
    run = state.recall(PAGE, "runs", key)
    if run is None:
        return
    photo = current_photo()
    if photo.key != key[0]:
        return
    state.retain(PAGE, "runs", key, stepper.step(run, msg, photo.colours, weights=photo.counts),
                 keep=PHOTO_RUN_CACHE_SIZE)


def controls(run: stepper.Run) -> None:
    """E step, M step, Step back, Run to convergence, Reset (the K-means page's labels) and the status."""
    columns = st.columns([1, 1, 1, 1.6, 1])
    nxt = stepper.next_kind(run)
    buttons = (
        (stepping.LABEL_E, stepper.EStep(), "primary" if nxt == "E" else "secondary"),
        (stepping.LABEL_M, stepper.MStep(), "primary" if nxt == "M" else "secondary"),
        (stepping.LABEL_BACK, stepper.Back(), "secondary"),
        (stepping.LABEL_RUN, stepper.RunToConvergence(), "secondary"),
        (stepping.LABEL_RESET, stepper.Reset(), "secondary"),
    )
    for column, (label, msg, kind) in zip(columns, buttons, strict=True):
        disabled = (stepper.is_converged(run) if isinstance(msg, stepper.RunToConvergence)
                    else not stepper.allowed(run, msg))
        column.button(label, key=state.widget_key(PAGE, f"btn.{label}"), type=kind,
                      disabled=disabled, on_click=apply, args=(msg,), width="stretch")
    st.markdown(stepping.status_line(run, NEXT_HINT)
                + f" Half-step {run.cursor} of {len(run.history) - 1}.")


# --------------------------------------------------------------------------------------
# Derived numbers, cached per (set-up, half-step)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StepView:
    """What the page shows for one half-step (None before the first E step).

    labels : (N,) uint8 clusters in force; j : J; psnr : dB of the quantized photo;
    sizes : (K,) pixels per colour; png : the quantized photo as a palette PNG;
    colour_labels : (C,) the clusters of the photo's distinct colours (labels = colour_labels[inverse])
    """

    labels: np.ndarray | None
    j: float | None
    psnr: float | None
    sizes: np.ndarray | None
    png: bytes | None
    colour_labels: np.ndarray | None = None


EMPTY_VIEW = StepView(None, None, None, None, None)


def _colour_labels(photo: LoadedPhoto, run: stepper.Run, index: int, key: tuple) -> np.ndarray:
    """The clusters of the photo's distinct colours in force at half-step ``index`` ≥ 1 (C,):
    the E step's (cached) or derived.kmeans_labels; a pixel's is that of its colour."""
    e_index = index if run.history[index].kind == "E" else index - 1
    known = state.recall(PAGE, "views", (key, e_index))
    if known is not None and known.colour_labels is not None:
        return known.colour_labels
    labels = derived.kmeans_labels(photo.colours, run, index)
    return labels.astype(np.uint8 if run.k <= 256 else np.intp)


def step_view(photo: LoadedPhoto, run: stepper.Run, index: int | None = None) -> StepView:
    """Labels, J, PSNR, pixel counts and the quantized photo at half-step ``index`` (cursor)."""
    index = run.cursor if index is None else index
    if run.history[index].kind == "init":
        return EMPTY_VIEW
    key = state.get_value(PAGE, "setup_key")
    return state.remember(PAGE, "views", (key, index), lambda: _new_view(photo, run, index, key),
                          keep=PHOTO_VIEW_CACHE_SIZE)


def _new_view(photo: LoadedPhoto, run: stepper.Run, index: int, key: tuple) -> StepView:
    colour_labels = _colour_labels(photo, run, index, key)
    labels = colour_labels[photo.inverse]
    centroids = run.history[index].params
    j = kmeans.objective(photo.colours, centroids, colour_labels, weights=photo.counts)  # J of every pixel
    # PSNR of the quantized photo, whose MSE over every pixel and channel is J / 3N (the same
    # number as images.psnr(image, images.quantize(image, centroids, labels)), without making
    # the quantized photo in floats)
    view = StepView(labels, j, images.psnr_from_mse(j / (3 * photo.n)),
                    np.bincount(labels, minlength=run.k),
                    images.palette_png(labels.reshape(photo.height, photo.width), centroids), colour_labels)
    _remember_j(key, index, j)
    return view


def _remember_j(key: tuple, index: int, j: float) -> None:
    curves = dict(state.get_value(PAGE, "curves") or {})
    curve = dict(curves.get(key, {}))
    curve[index] = j
    curves[key] = curve
    state.set_value(PAGE, "curves", curves)


def objective_curve(photo: LoadedPhoto, run: stepper.Run) -> list[float | None]:
    """J after every half-step of the run (None for the start); each J computed once per set-up."""
    key = state.get_value(PAGE, "setup_key")
    known = dict((state.get_value(PAGE, "curves") or {}).get(key, {}))
    missing = [i for i in range(1, len(run.history)) if i not in known]
    if missing:
        last_e, last_labels = None, None
        for i in missing:
            kind = run.history[i].kind
            e_index = i if kind == "E" else i - 1
            if e_index != last_e:
                cached = state.recall(PAGE, "views", (key, e_index))
                last_labels = (cached.colour_labels if cached is not None and cached.colour_labels is not None
                               else derived.kmeans_labels(photo.colours, run, i))
                last_e = e_index
            known[i] = kmeans.objective(photo.colours, run.history[i].params, last_labels, weights=photo.counts)
        curves = dict(state.get_value(PAGE, "curves") or {})
        curves[key] = known
        state.set_value(PAGE, "curves", curves)
    return [None] + [known[i] for i in range(1, len(run.history))]


# --------------------------------------------------------------------------------------
# Panels
# --------------------------------------------------------------------------------------


def size_numbers(photo: LoadedPhoto, k: int) -> tuple[int, int, float]:
    """(bits of the original at 24 bits a pixel, bits quantized, ratio original / quantized)."""
    original = PHOTO_BITS_PER_COLOUR * photo.height * photo.width
    compressed = images.compressed_bits(photo.height, photo.width, k)
    return original, compressed, original / compressed


def _bytes(bits: int) -> str:
    size = math.ceil(bits / 8)
    if size >= 1_000_000:
        return f"{size / 1e6:,.2f} MB"
    if size >= 1_000:
        return f"{size / 1e3:,.1f} kB"
    return f"{size:,} bytes"


def metrics(photo: LoadedPhoto, run: stepper.Run, view: StepView) -> None:
    """The st.metrics, one under the other: J per pixel, PSNR, Bits per pixel, and the size."""
    k = run.k
    original, compressed, ratio = size_numbers(photo, k)
    j_per_pixel = None if view.j is None else view.j / photo.n
    st.metric("J per pixel", MISSING if j_per_pixel is None else fmt(j_per_pixel, 5),
              help="J / N = (1/N) Σₙ ‖xₙ − u_{zₙ}‖²: the mean squared error of a pixel, colours "
                   "in 0…1 (summed over R, G, B).")
    if view.psnr is None:
        psnr_text = MISSING
    elif math.isinf(view.psnr):
        psnr_text = "∞ dB (identical)"
    else:
        psnr_text = f"{fmt(view.psnr, 1)} dB"
    st.metric("PSNR", psnr_text,
              help="10 log₁₀(1 / MSE), MSE the mean of (original − quantized)² over every pixel "
                   "and channel (= J / 3N). Higher is closer to the original.")
    st.metric("Bits per pixel", fmt(compressed / (photo.height * photo.width), 3),
              help=f"⌈log₂ K⌉ = {images.bits_per_index(k)} bits to name a palette colour, plus "
                   f"the palette (24 bits × K = {24 * k} bits) shared by all pixels; the original "
                   "takes 24.")
    st.metric("Size", _bytes(compressed),
              help="⌈log₂ K⌉ bits per pixel plus the palette, before any further compression "
                   "(PNG or JPEG would add their own).")
    st.caption(f"{ratio:,.1f}× smaller than the original's {_bytes(original)} (24 bits per pixel)")


def original(photo: LoadedPhoto) -> None:
    """The photo as read (drawn first: it needs no K-means)."""
    st.markdown("**Original**")
    st.image(photo.png, width="stretch", alt=f"The original photo, {photo.width} × {photo.height} pixels")
    st.caption(f"{photo.width:,} × {photo.height:,} = {photo.n:,} pixels, 24 bits each")


def quantized(run: stepper.Run, view: StepView) -> None:
    """The quantized photo of this half-step (a note before the first E step)."""
    st.markdown(f"**Quantized: K = {run.k} colours**")
    if view.png is None:
        st.info("Click **E step**: every pixel takes the colour of its nearest palette entry "
                "(centroid), and the quantized photo appears here.")
        return
    st.image(view.png, width="stretch", alt=f"The photo quantized to K = {run.k} colours")
    st.caption("After the E step: every pixel took its nearest palette colour." if run.current.kind == "E"
               else "After the M step: the assignment held, every palette colour moved to the mean "
                    "of its pixels.")


def palette(run: stepper.Run, view: StepView, n: int) -> None:
    """The palette as K swatches, each with its share of the pixels."""
    centroids = run.current.params
    colours = plotting_compress.css_colours(centroids)
    shares = None if view.sizes is None else view.sizes / n
    cells = []
    for k, colour in enumerate(colours):
        share = MISSING if shares is None else f"{100 * shares[k]:.1f}%"
        ink = "#000" if np.dot(centroids[k], [0.299, 0.587, 0.114]) > 0.5 else "#fff"
        cells.append(
            f'<div style="background:{colour};color:{ink};border:1px solid #888;border-radius:4px;'
            f'padding:4px 2px;min-width:52px;flex:1 0 52px;text-align:center;font-size:0.9rem">'
            f'u<sub>{k + 1}</sub><br>{share}</div>'
        )
    st.markdown(f"**The palette**: {run.k} centroids uₖ, each with its share of the pixels"
                + ("" if shares is not None else " (shares after the first E step)"))
    st.html('<div style="display:flex;flex-wrap:wrap;gap:4px">' + "".join(cells) + "</div>")
    if view.sizes is not None:
        empty = np.flatnonzero(view.sizes == 0)
        if empty.size:
            names = ", ".join(f"u{k + 1}" for k in empty)
            st.warning(f"No pixel is nearest to {names}: an empty cluster keeps its colour where it "
                       "was (its M step has no pixels to average).")


def scatter(photo: LoadedPhoto, run: stepper.Run, view: StepView) -> None:
    """The pixels in RGB space, coloured by cluster, with the centroids: in an expander made only
    while open (a 3-D WebGL scene costs a machine without a graphics card seconds per draw,
    and would hold up the photos at every click)."""
    from clustering.ui import layout

    box = layout.lazy_expander(PAGE, "rgb", f"The pixels as points in RGB space: a rotatable 3-D "
                                            f"scatter of {photo.sample.size:,} pixels and the K centroids")
    if not box.open:
        return
    with box:
        st.caption(f"{photo.sample.size:,} of {photo.n:,} pixels (a fixed random sample), each in "
                   "its centroid's colour; the diamonds are the centroids uₖ. Drag to rotate.")
        labels = None if view.labels is None else view.labels[photo.sample]
        figure = plotting_compress.rgb_scatter(photo.X[photo.sample], labels, run.current.params)
        coloured = ("uncoloured before the first E step" if labels is None
                    else f"each coloured by its cluster (clusters of {_shares(view.sizes)} pixels of the photo)")
        alt = (f"Rotatable 3-D scatter plot in RGB space of {photo.sample.size:,} of the photo's "
               f"{photo.n:,} pixels, {coloured}, with the K = {run.k} centroids.")
        show_figure(figure, alt, key=state.widget_key(PAGE, "rgb"), config=plotting_compress.PLOT_CONFIG)


def _shares(sizes: np.ndarray | None) -> str:
    """"1,200, 800, 40": the pixels of each cluster (the whole photo's), or "unknown"."""
    return "unknown" if sizes is None else ", ".join(f"{int(n):,}" for n in sizes)


def objective_chart(run: stepper.Run, curve: list[float | None], n: int) -> None:
    st.markdown("**J per pixel after every half-step**")
    if all(value is None for value in curve):
        st.caption("J appears after the first E step: before it no pixel has a colour yet.")
        return
    values = [None if value is None else value / n for value in curve]
    figure = plotting_compress.j_per_pixel_figure(values, [s.kind for s in run.history], run.cursor)
    now = values[run.cursor]
    alt = (f"Line chart of J per pixel after each of the {len(values)} half-steps so far"
           + ("" if now is None else f": at half-step {run.cursor}, J per pixel = {fmt(now, 5)}")
           + f"; K = {run.k}.")
    show_figure(figure, alt, key=state.widget_key(PAGE, "j_chart"), config=plotting_compress.PLOT_CONFIG)
    st.caption("J never rises: the E step lowers it with the palette held fixed, the M step with "
               "the assignment held fixed.")


def formulas(photo: LoadedPhoto, k: int) -> None:
    bits = images.bits_per_index(k)
    st.markdown(
        "**Vector quantization.** Each pixel is a point $x_n \\in [0, 1]^3$ (R, G, B); K-means "
        "finds K colours $u_k$ and gives pixel n the colour $u_{z_n}$. Stored that way a pixel "
        f"needs $\\lceil \\log_2 K \\rceil = {bits}$ bits (the index of its colour) instead of 24, "
        f"plus $24 K = {24 * k}$ bits for the palette:\n\n"
        f"$$\\text{{bits}} = H W \\lceil \\log_2 K \\rceil + 24K = {photo.height:,} \\cdot "
        f"{photo.width:,} \\cdot {bits} + {24 * k} = {images.compressed_bits(photo.height, photo.width, k):,}$$\n\n"
        "$$\\frac{J}{N} = \\frac{1}{N} \\sum_n \\lVert x_n - u_{z_n} \\rVert^2, \\qquad "
        "\\text{PSNR} = 10 \\log_{10} \\frac{1}{\\text{MSE}}, \\quad \\text{MSE} = \\frac{J}{3N}$$"
    )


def notes(photo: LoadedPhoto) -> None:
    for note in photo.notes:
        st.info(note)
    if photo.is_upload:
        st.caption(UPLOAD_LINK_NOTE)
