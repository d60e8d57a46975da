"""Presenter mode: the figure takes the screen of a projector (``?present=1`` in the link).

One switch per browser session, shown at the top right of every page (where a slide tool keeps
its "Present" button) and carried by the link (``present=1``; :func:`url_params`). While it is
on, the sidebar collapses (it can still be opened), the secondary panels (formulas, notes,
tables, expanders) fold away, the stage spans the page and draws type and markers bigger with
the key numbers (J, or ℓ and 𝓛), the curve and the keys hint beside the figure
(``options["present"]`` of the stage's payload, see :mod:`clustering.ui.stage`).
"""

from __future__ import annotations

import streamlit as st

from clustering.ui import state, urls

PARAM = "present"  # the link's parameter: present=1
LABEL = "Presenter mode"
HELP = ("For a projector: the figure takes the screen, type and markers grow, the formulas and "
        "notes fold away. The link carries it (present=1).")
_SCOPE = "presenter"
KEY = state.widget_key(_SCOPE, "on")  # the toggle's key: its element carries .st-key-presenter-on
_SIDEBAR = "sidebar_state"

# The toggle sits in the header's free space at the top right, on every page.
TOGGLE_STYLE = """<style>
/* left of the header's "Running…" indicator, which appears at the far right */
.st-key-presenter-on { position: fixed; top: 0.7rem; right: 9.5rem; z-index: 999991; width: auto !important;
  background: rgba(255, 255, 255, 0.92); border-radius: 0.5rem; padding: 0.1rem 0.5rem; }
</style>"""

# While presenting, on a page with a stage: what is not the title, the stage or a message folds
# away, at every level of blocks that holds the stage above its column (the page, and the
# fragment that reruns with the stage's cursor); the stage spans the page. The stage's own element (.st-key-<page>-stage) is found by its
# key. Other pages only get the narrower margins and the smaller title.
_STAGES = ".st-key-kmeans-stage, .st-key-gmm-stage, .st-key-compare-stage"
PRESENT_STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding: 2.9rem 1.5rem 2rem 1.5rem !important; max-width: none !important; }
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"]:has(STAGES):not([data-testid="stColumn"] *) > :not(:has(h1)):not(:has(STAGES)):not(:has([data-testid="stAlert"])):not(.st-key-presenter-on):not(STAGES) { display: none !important; }
[data-testid="stMainBlockContainer"] h1 { font-size: 1.6rem !important; padding: 0 0 0.2rem 0 !important; }
[data-testid="stHorizontalBlock"]:has(STAGES) > [data-testid="stColumn"]:not(:has(STAGES)) { display: none !important; }
[data-testid="stHorizontalBlock"]:has(STAGES) > [data-testid="stColumn"]:has(STAGES) { flex: 1 1 100% !important; width: 100% !important; max-width: 100% !important; }
[data-testid="stColumn"]:has(STAGES) [data-testid="stElementContainer"]:has([data-testid="stCaptionContainer"]) { display: none !important; }
[data-testid="stColumn"]:has(STAGES) [data-testid="stExpander"] { display: none !important; }
</style>""".replace("STAGES", _STAGES)


def setup() -> bool:
    """Read the link's ``present`` once per session, draw the toggle, apply the mode's look.

    A bad value ("present=maybe") is a plain message and the mode stays off. Returns whether
    presenter mode is on.
    """
    if state.first_visit(_SCOPE):
        try:
            st.session_state[KEY] = urls.parse_bool(urls.read_query(), PARAM, False)
        except urls.UrlError as error:
            st.session_state[KEY] = False
            st.warning(f"{error} Presenter mode stays off.")
    st.html(TOGGLE_STYLE)
    on = st.toggle(LABEL, key=KEY, help=HELP, persist_state="session")
    _sidebar(on)
    if on:
        st.html(PRESENT_STYLE)
    return bool(on)


def _sidebar(on: bool) -> None:
    """Collapse the sidebar when the mode turns on, open it again when it turns off (only on a
    change: in between, the person opens or closes it as they like)."""
    wanted = "collapsed" if on else "auto"
    if state.get_value(_SCOPE, _SIDEBAR) != wanted:
        if on or state.get_value(_SCOPE, _SIDEBAR) is not None:
            st.set_page_config(initial_sidebar_state="collapsed" if on else "expanded")
        state.set_value(_SCOPE, _SIDEBAR, wanted)


def is_on() -> bool:
    """Whether presenter mode is on in this session."""
    return bool(st.session_state.get(KEY, False))


def url_params() -> dict[str, str]:
    """The link's share of presenter mode: {"present": "1"} while it is on, else nothing."""
    return {PARAM: "1"} if is_on() else {}
