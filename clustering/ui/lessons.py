"""The Lessons page: one click sets the data, K, the start and the page, then asks a question.

Each lesson is a :class:`Lesson`: its words (guidance, a question to predict before stepping,
and the answer, hidden until asked for) and ``apply``, a function that makes the lesson's data
set active and puts the target page's settings into session state, the same values that
page's own widgets and presets write (``state.set_value`` under the page's keys, or the page's
own preset callback). The button's callback applies the lesson and queues the question as a
message on the target page; the rerun then switches there with ``st.switch_page``. A switch
clears the address bar's query parameters, so the target page's first-visit reading of the
link finds nothing that could override the lesson; the page then writes its own link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from clustering import lloyd1d
from clustering.constants import ANISOTROPIC_SEED
from clustering.ui import compare_panels, exact1d_panels, state

PAGE = "lessons"
OPEN_LABEL = "Start this lesson"

# The target pages: (file for st.switch_page, page key of its messages, title in the menu)
KMEANS_PAGE = ("pages/kmeans.py", "kmeans", "K-means")
GMM_PAGE = ("pages/gmm.py", "gmm", "Gaussian mixture (EM)")
COMPARE_PAGE = ("pages/compare.py", compare_panels.PAGE, "Compare K-means and EM")
EXACT_PAGE = ("pages/exact-1d.py", exact1d_panels.PAGE, "Exact 1-D optimum")

# The lessons' data and starts, kept here so tests and texts agree
# PRML Fig. 9.1 and 9.8, in standardized units: Bishop's (−1.5, 1.5) and (1.5, −1.5), nudged. From
# the exactly symmetric pair EM hovers near a saddle point for 25 cycles (both components astride
# the diagonal), which is not Bishop's picture; one coordinate moved by 0.4 breaks the tie, and
# EM then is part-way at L = 5 and done by L = 20, as in Fig. 9.8 (K-means: 6 iterations).
BISHOP_MEANS = "-1.5, 1.1; 1.5, -1.5"


@dataclass(frozen=True)
class Lesson:
    """One lesson: what it sets, where it goes, and what it asks.

    key : short name (button keys, tests); title : the card's heading
    page : (page file, page key, page title) of the page it opens
    setting : one line on what it loads ("blobs, K = 3, ...")
    guidance : two or three sentences; question : to predict before stepping
    answer : what the student should see (behind an expander)
    apply : sets the data and the page's settings (a callback's work; may raise ValueError)
    """

    key: str
    title: str
    page: tuple[str, str, str]
    setting: str
    guidance: str
    question: str
    answer: str
    apply: Callable[[], None]


# --------------------------------------------------------------------------------------
# What each lesson sets
# --------------------------------------------------------------------------------------


def _bad_start() -> None:
    from clustering.ui import kmeans_panels  # the K-means page's own preset callback

    state.set_data(state.DataSpec(name="blobs"))
    kmeans_panels.apply_preset("two-in-one")


def _compare(spec: state.DataSpec, k: int, init: str, seed: int = 0, typed: str = "",
             shape: str = "data") -> Callable[[], None]:
    def apply() -> None:
        state.set_data(spec)
        page = compare_panels.PAGE
        state.set_value(page, "k", k)
        state.set_value(page, "init", init)
        state.set_value(page, "init_seed", seed)
        state.set_value(page, "typed", typed)
        state.set_value(page, "shape", shape)

    return apply


def _collapse() -> None:
    from clustering.ui import gmm_panels  # the GMM page's own collapse example

    gmm_panels.load_collapse_example()


def _how_many(name: str) -> Callable[[], None]:
    """The data set, and K = 2 with its usual start on the K-means and GMM pages (not the
    answer: the "How many clusters?" panels, closed until opened, reveal it)."""

    def apply() -> None:
        state.set_data(state.DataSpec(name=name))
        for page, init in ((KMEANS_PAGE[1], "kmeans++"), (GMM_PAGE[1], "kmeans")):
            state.set_value(page, "k", 2)
            state.set_value(page, "init", init)
            state.set_value(page, "init_seed", 0)
        state.set_value(GMM_PAGE[1], "cov", "full")

    return apply


def _exact() -> None:
    page = exact1d_panels.PAGE
    state.set_value(page, "source", "preset")
    state.set_value(page, "preset", "stuck")
    state.set_value(page, "k", lloyd1d.line_presets()["stuck"].k)
    state.set_value(page, "start", "preset")
    state.set_value(page, "revealed", False)  # predict before the optimum is shown


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "bad-start", "A bad start", KMEANS_PAGE,
        "Gaussian blobs (1,500 points), K = 3, two centroids in one blob",
        "K-means only ever improves the partition it has, so where it starts decides where it "
        "ends. Here two centroids start inside the same blob and none in another.",
        "Will the two centroids that share a blob move apart to find the empty blob, or will "
        "they split their blob for good?",
        "They split their blob for good. The third centroid is nearer to the points of the "
        "empty blob, so it takes two blobs, and no E or M step ever moves a centroid across. J "
        "falls at every half-step and still ends far above the best J: start with k-means++ "
        "or run several restarts.",
        _bad_start,
    ),
    Lesson(
        "round-only", "Round clusters only", COMPARE_PAGE,
        f"Anisotropic blobs (seed {ANISOTROPIC_SEED}), K = 3, k-means++ start, K-means next to EM",
        "K-means gives every point to its nearest centroid, so its boundaries are straight lines "
        "halfway between centroids: it expects round clusters of equal size. These three blobs "
        "are stretched and sheared; both algorithms start from the same three means.",
        "Which one will recover the three stretched groups: K-means, EM with a full covariance "
        "per component, or both?",
        "K-means cuts straight across the stretched blobs and ends with about three points in "
        "four in the right group. EM's ellipses stretch and tilt with the blobs and recover all "
        "three.",
        _compare(state.DataSpec(name="anisotropic", seed=ANISOTROPIC_SEED), 3, "kmeans++"),
    ),
    Lesson(
        "mouse", "The mouse", COMPARE_PAGE,
        "The mouse (500 points), K = 3, k-means++ start, K-means next to EM",
        "The lecture's picture: a big round head and two small ears. K-means and EM start from "
        "the same three means and step together.",
        "K-means puts each boundary halfway between two centroids: where will the boundaries "
        "between the head and the ears fall? And what weights π will EM find?",
        "K-means cuts into the head: about 80 head points go to the ears. EM gives the head a "
        "wide ellipse and each ear a small one, finds all three parts, and its weights come out "
        "near 0.6, 0.2 and 0.2: the sizes of the head and the ears. (The 10 noise points belong "
        "to no part, so neither can get them right.)",
        _compare(state.DataSpec(name="mouse"), 3, "kmeans++"),
    ),
    Lesson(
        "old-faithful", "Old Faithful", COMPARE_PAGE,
        "Old Faithful, standardized, K = 2, Bishop's poor start, (−1.5, 1.1) and (1.5, −1.5)",
        "Bishop's PRML, Figures 9.1 and 9.8: K-means, then EM, on the standardized Old Faithful "
        "data from the same deliberately poor centres, EM's components starting as unit "
        "circles. Step E, M, E, M to walk through Figure 9.1 on the left; after Run to "
        "convergence, the timeline's half-steps 2, 4, 10 and 40 show EM after 1, 2, 5 and 20 "
        "cycles, as in Figure 9.8.",
        "The first E step draws the boundary halfway between the two centres, straight across "
        "the long eruptions. Will the algorithms still find the short and the long eruptions, "
        "and which needs more iterations?",
        "Both find the two groups. K-means settles after 6 iterations. EM's components first "
        "stretch along the data, are only part of the way apart after 5 cycles, and reach the "
        "two groups by 20 (Bishop's L = 20), with weights of about 0.36 (short eruptions) and "
        "0.64 (long ones). (From the exactly symmetric centres (−1.5, 1.5) and (1.5, −1.5), EM "
        "hovers near a saddle point for more than twenty cycles before it splits: type them in "
        "the sidebar and see.)",
        _compare(state.DataSpec(name="old-faithful", standardize=True), 2, "typed",
                 typed=BISHOP_MEANS, shape="round"),
    ),
    Lesson(
        "collapse", "Collapse", GMM_PAGE,
        "4 distinct points × 6 copies, K = 4, reg_covar = 0 (no regularization)",
        "The log-likelihood of a mixture has no maximum: a component sitting on one point can "
        "shrink its variance towards zero and make that point's density, and so ℓ, as large as "
        "it likes. Here there are only four distinct points, and reg_covar, the safety net, is "
        "off.",
        "What will happen to the ellipses and to the log-likelihood as you step, and how will "
        "the run end?",
        "The ellipses shrink onto the points and ℓ climbs without limit until a covariance is "
        "singular: the run stops at its last good step with a message naming the component "
        "that collapsed. Raise reg_covar in the sidebar and it runs to the end.",
        _collapse,
    ),
    Lesson(
        "exact-1d", "The exact 1-D answer", EXACT_PAGE,
        "The line “Lloyd gets stuck”, K = 3, its own start",
        "K-means is NP-hard in general, yet on a line the best partition can be found exactly, "
        "by dynamic programming over the sorted points. This line has three groups, and "
        "Lloyd's start puts two centroids in the left one.",
        "Lloyd's algorithm from this start, and the exact optimum: how far apart will their J "
        "be?",
        "Lloyd gets stuck: it splits the left group and keeps the other two together, and ends "
        "with a J several times the optimum's. Every step lowered J; the start decided the end.",
        _exact,
    ),
)

# "How many clusters?": predict, then open the pages' panels to see
LESSONS += (
    Lesson(
        "how-many-mouse", "How many clusters does the mouse have?", KMEANS_PAGE,
        "The mouse (500 points), K = 2 here and on the Gaussian mixture page (full covariances)",
        "Suppose nobody told you that the mouse is a head, two ears and a little noise. Below "
        "the figures, “How many clusters?” draws J of the best of 10 restarts and the mean "
        "silhouette for K = 1 to 10; the Gaussian mixture page's panel draws BIC and AIC. Both "
        "stay closed until you open them.",
        "Where will J's curve bend, and which K will BIC pick for a mixture with full "
        "covariances? Guess, then open the panel here, then the one on the Gaussian mixture page.",
        "The elbow is soft: J falls by 44 % from K = 1 to 2 and by 52 % to 3, then by about a "
        "quarter at each of the next two steps, so the bend at 3 is there but arguable. The "
        "silhouette is highest at K = 3 (about 0.50). BIC with full covariances is smallest at "
        "K = 3, the head and two ears, about 20 below K = 4; AIC, whose price per parameter is 2 "
        "instead of ln 500 ≈ 6.2, goes on to K = 6. Click K = 3 on the BIC curve and run to "
        "convergence to see the three parts.",
        _how_many("mouse"),
    ),
    Lesson(
        "how-many-noise", "How many clusters in noise?", GMM_PAGE,
        "Uniform square (500 points), K = 2 here and on the K-means page, full covariances",
        "These points are spread evenly over a square: there are no clusters at all, yet K-means "
        "and EM return K groups for whatever K you ask. Can the criteria say “none”?",
        "Will BIC pick K = 1, and will J's curve show a bend? Guess, then open “How many "
        "clusters?” here and on the K-means page.",
        "No honest answer comes out, and none can: each criterion compares K = 1, 2, … and must "
        "name one. J falls smoothly, by more than a third at each of the first three steps, with "
        "no clear bend; the silhouette stays between 0.36 and 0.41 for every K; BIC with full "
        "covariances picks K = 3, because a flat square is not a Gaussian and three ellipses "
        "tile it better than one, and AIC picks 10. The K they name describes the shape of the "
        "density, not groups in the data: look at the points before trusting a K. Here the "
        "honest answer is “no clusters”.",
        _how_many("uniform"),
    ),
)

LESSON_KEYS = tuple(lesson.key for lesson in LESSONS)


def get(key: str) -> Lesson:
    """The lesson called ``key``; ValueError naming the known ones otherwise."""
    for lesson in LESSONS:
        if lesson.key == key:
            return lesson
    raise ValueError(f"There is no lesson {key!r}; choose one of {', '.join(LESSON_KEYS)}.")


# --------------------------------------------------------------------------------------
# Opening a lesson
# --------------------------------------------------------------------------------------


def open_lesson(key: str) -> None:
    """Callback: load the lesson's data and settings, queue its question, then switch pages."""
    lesson = get(key)
    try:
        lesson.apply()
    except ValueError as error:
        state.push_message(PAGE, f"The lesson “{lesson.title}” could not load its data: {error}",
                           "error")
        return
    _, page_key, _ = lesson.page
    state.push_message(page_key, f"**Lesson: {lesson.title}.** Predict before you step: "
                                 f"{lesson.question}", "info")
    state.set_value(PAGE, "open", lesson.page[0])


def follow() -> None:
    """Switch to the page of the lesson just opened.

    The button's callback only records the target; the switch happens here, in the script
    run that follows, as the Generative model page's "Fit EM" does.
    """
    target = state.get_value(PAGE, "open")
    if target:
        state.set_value(PAGE, "open", None)
        st.switch_page(target)


def card(lesson: Lesson, number: int) -> None:
    """One lesson as a bordered card: title, what it loads, guidance, question, button, answer."""
    with st.container(border=True):
        st.markdown(f"## {number}. {lesson.title}")
        st.caption(f"Opens **{lesson.page[2]}** · {lesson.setting}")
        st.markdown(lesson.guidance)
        st.markdown(f"**Predict before you step:** {lesson.question}")
        st.button(OPEN_LABEL, key=state.widget_key(PAGE, f"open.{lesson.key}"), type="primary",
                  on_click=open_lesson, args=(lesson.key,), icon=":material/play_arrow:")
        with st.expander("What you should see (open it after stepping)"):
            st.markdown(lesson.answer)


def cards(columns: int = 2) -> None:
    for start in range(0, len(LESSONS), columns):
        row = st.columns(columns, gap="medium")
        for offset, lesson in enumerate(LESSONS[start:start + columns]):
            with row[offset]:
                card(lesson, start + offset + 1)
