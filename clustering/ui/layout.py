"""What every page does first: read the link once, show the shared sidebar, show queued messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
import streamlit as st

from clustering import edits
from clustering.ui import presenter, serving, state, urls

WHERE_TO_START = {
    "home": "Start on **Data** to pick points, then step through **K-means**.",
    "data": "Pick a data set here, then open **K-means** and click **E step**.",
    "kmeans": "Click **E step**, then **M step**, and watch J fall.",
    "gmm": "Click **E step**, then **M step**: the bound touches, then both rise.",
    "compare": "Step both algorithms together from the same start.",
    "generative": "Set the components, sample, then fit EM to your own mixture.",
    "exact-1d": "Compare Lloyd's answer with the true optimum on a line.",
    "lessons": "Pick a lesson, predict what will happen, then step.",
}


# What no page may do: cut a number or a label. A metric box wraps its label and value onto a
# second line instead of ending them with "…", and its value shrinks a little on narrow screens;
# a display formula wider than its column gets smaller type instead of running off its edge
# (and a little room for KaTeX's overhang, so no formula becomes a scroll region a keyboard
# can't reach). Sections are h2 under the page's h1 (no skipped level), at a subheader's size.
# Captions: Streamlit's 60% of the text colour is 4.43:1 on the sidebar's grey (4.5:1 needed;
# axe-core can't decide it, the sidebar's layers hide the background); 75% is 6.4:1.
STYLE = """<style>
[data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div,
[data-testid="stMetricValue"], [data-testid="stMetricValue"] div {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: break-word;
}
[data-testid="stMetricValue"] { font-size: clamp(1.35rem, 2.1vw, 2.1rem) !important; line-height: 1.2; }
[data-testid="stMetricLabel"] { height: auto !important; min-height: 1.5rem; }
[data-testid="stElementContainer"]:has(.katex-display) { container-type: inline-size; width: 100%; }
.katex-display > .katex { font-size: clamp(0.85em, 4.6cqi, 1.21em); }
.katex-display { padding: 0 4px; }
h2 { font-size: 1.6rem !important; }
[data-testid="stCaptionContainer"] { opacity: 0.75 !important; }
/* Fit the projector: at 1280×720 the title takes one line near the top (not under ~100 px of
   space), so the stage's buttons, figure and the key numbers fit in the first screen. The
   header stays transparent over the top padding; its buttons keep working. */
[data-testid="stMainBlockContainer"] { padding-top: 2.6rem !important; padding-left: 3rem !important; padding-right: 3rem !important; }
[data-testid="stHeader"] { background: transparent !important; }
[data-testid="stMainBlockContainer"] h1 { font-size: clamp(1.6rem, 2.5vw, 2.3rem) !important; line-height: 1.2 !important; padding: 0.2rem 0 0.3rem 0 !important; }
</style>"""

# Streamlit's file drop zone is a <section role="presentation"> with a label and a tabindex,
# which assistive technology is told both to ignore and to announce (axe-core:
# presentation-role-conflict): name it a group instead, now and whenever Streamlit redraws it.
A11Y_SCRIPT = """<script>
(() => {
  if (window.__clusteringLabA11y) return;
  window.__clusteringLabA11y = true;
  const fix = () => document.querySelectorAll(
    '[data-testid="stFileUploaderDropzone"][role="presentation"]').forEach((zone) => zone.setAttribute("role", "group"));
  fix();
  new MutationObserver(fix).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["role"] });
})();
</script>"""


def accessibility_fixes() -> None:
    """Run A11Y_SCRIPT once in this browser tab (from the sidebar: no room taken on the page)."""
    st.sidebar.html(A11Y_SCRIPT, unsafe_allow_javascript=True)


def page_setup(page: str, own_data: str | None = None) -> state.ActiveData:
    """Read the link's data set (first visit only), draw the sidebar, show queued messages.

    own_data : for a page that works on data of its own (Generative model, Exact 1-D), one
        line saying what, shown in the sidebar instead of the active data set.
    Returns the active data set.
    """
    serving.admit_or_stop()  # a public server: "the class is full" beyond the session cap
    notice = serving.restart_notice(page)  # before any widget: values from a lost session
    _through_the_router()
    st.html(STYLE)
    accessibility_fixes()
    presenter.setup()  # the toggle at the top right; ?present=1
    if state.first_visit("data"):
        query = urls.read_query()
        try:
            spec = urls.parse_data(query)
            if spec is not None:
                state.set_data(spec)
        except ValueError as error:  # UrlError or a generator's own plain message
            state.push_message(page, f"{error} Showing the default data set instead.", "warning")
    active = state.get_data()
    _sidebar(page, active, own_data)
    if notice:
        st.info(serving.RESTARTED_TEXT, icon="🔄")
    for level, text in state.pop_messages(page):
        getattr(st, level if level in ("info", "warning", "error", "success") else "info")(text)
    return active


def _through_the_router() -> None:
    """Make sure the page runs inside app.py's ``st.navigation``, never alone.

    Streamlit runs a fresh server in its old "pages/ directory" mode until ``st.navigation``
    has run once, because a folder named pages/ sits next to app.py: a link straight to
    /data?dataset=... as the server's first visitor would run pages/data.py alone (narrow
    layout, file names in the menu). Switching that mode off and rerunning sends the same
    request (page and query parameters) through the router.
    """
    if leave_pages_directory_mode():
        st.rerun()


def leave_pages_directory_mode() -> bool:
    """Switch off Streamlit's "pages/ directory" mode; True if it was on.

    Streamlit has no public API for this: it is the private class attribute
    ``streamlit.runtime.pages_manager.PagesManager.uses_pages_directory`` (a bool), touched here
    and nowhere else. tests/test_ui_state.py fails loudly if a Streamlit release renames or
    removes it; the app itself then carries on without the switch.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a Streamlit without it (the test says so)
        return False
    if getattr(PagesManager, "uses_pages_directory", False) is True:
        PagesManager.uses_pages_directory = False
        return True
    return False


def _sidebar(page: str, active: state.ActiveData, own_data: str | None) -> None:
    with st.sidebar:
        if own_data is not None:
            st.markdown("**This page's data**")
            st.text(own_data)
        else:
            st.markdown("**Active data set**")
            scaled = "standardized (z-score)" if active.spec.standardize else "original units"
            st.text(f"{active.spec.label()}\nN = {active.n:,} points, {scaled}")
            too_many = bool(active.spec.edits) and not edits.fits_in_link(active.spec.edits)
            if (active.spec.is_upload or too_many) and page != "data":  # the Data page has its own
                from clustering.ui import data_controls

                st.caption("A link cannot carry an uploaded file: send this CSV with it."
                           if active.spec.is_upload else
                           "A link cannot carry this many points edited by hand: send this CSV with it.")
                st.download_button(  # written only when clicked
                    "Download the data (CSV)", on_click="ignore", mime="text/csv",
                    data=lambda: data_controls.csv_bytes(data_controls.table(active)),
                    file_name=data_controls.download_name(active), key=f"{page}.download_data")
        st.caption("Where to start: " + WHERE_TO_START.get(page, WHERE_TO_START["home"]).replace("**", ""))


def write_url(active: state.ActiveData, page_params: Mapping[str, Any] | None = None) -> None:
    """Put the active data set (and the page's own parameters) into the URL."""
    params = dict(urls.data_query(active.spec))
    params.update(page_params or {})
    params.update(presenter.url_params())
    urls.write_query(params)


def read_page_params(page: str) -> dict[str, str] | None:
    """The URL's query parameters on the page's first visit in this session, else None."""
    if state.first_visit(page):
        return urls.read_query()
    return None


def table(rows: Sequence[Mapping[str, str]]) -> None:
    """A small table of ready-formatted cells, one mapping per row (the same keys in each), as
    plain HTML without an index. It goes to ``st.table`` as an Arrow table, not through pandas:
    half the server's time of a table, which the stepping pages draw at every half-step."""
    names = list(rows[0]) if rows else []
    st.table(pa.table({name: [row[name] for row in rows] for name in names}), hide_index=True)


def lazy_expander(page: str, name: str, label: str):
    """An expander whose content is made only while it is open: ``with box: ...`` if ``box.open``.

    A closed expander's content would otherwise be built and sent at every click (for the
    K-means page's factorization, a third of the page's drawing time). Opening it reruns the
    page, which then fills it.
    """
    return st.expander(label, key=state.widget_key(page, f"open.{name}"), on_change="rerun")
