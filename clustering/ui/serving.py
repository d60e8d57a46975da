"""A public server's two page-level rules: a cap on the sessions one process admits, and a plain
word to a student whose server restarted (scripts/serve.sh starts a dead process again).

Streamlit has no session cap of its own. This module keeps, per process, the set of admitted
session ids (ids only, never anything of a session's data), and forgets an id as soon as
Streamlit's runtime says that session is no longer active (its tab closed or its websocket
dropped). A session beyond the cap gets "the class is full" and nothing else; it is not counted,
so the next one to reload after a seat frees up gets in. Why not nginx's ``limit_conn``: it
counts connections per key before nginx has chosen a process, not sessions per process, and a
student holds several connections (the websocket, static files, components).
"""

from __future__ import annotations

import os
import threading

import streamlit as st

from clustering.constants import MAX_SESSIONS_PER_PROCESS

SESSIONS_ENV = "CLUSTERING_LAB_MAX_SESSIONS"  # scripts/serve.sh --max-sessions sets it
CLASS_FULL_TITLE = "The class is full"
CLASS_FULL_TEXT = ("This server holds as many students as it can right now. "
                   "Try again in a minute: reload this page.")
RESTARTED_TEXT = ("The server restarted, and your link brought your run back: "
                  "this is where you were. Go on stepping.")
_SEEN = "serving.seen"  # session_state: this session has run a page before
_NOTICE_PAGE = "serving.restart_notice_page"  # session_state: where the restart notice stays

_blas = None  # threadpoolctl's controller of this process' BLAS libraries, found once

_admitted: set[str] = set()  # ids of the sessions this process admitted (no session data)
_admitted_lock = threading.Lock()


def session_cap() -> int:
    """The most sessions this process admits: $CLUSTERING_LAB_MAX_SESSIONS, else the constant."""
    try:
        cap = int(os.environ.get(SESSIONS_ENV, ""))
    except ValueError:
        return MAX_SESSIONS_PER_PROCESS
    return cap if cap >= 1 else MAX_SESSIONS_PER_PROCESS


def admit(session_id: str, is_active, cap: int) -> bool:
    """Whether session ``session_id`` may use this process (it is then counted until inactive).

    is_active : session id -> bool, the runtime's view of which sessions still have a browser.
    """
    with _admitted_lock:
        if session_id in _admitted:
            return True
        for other in [s for s in _admitted if not is_active(s)]:
            _admitted.discard(other)
        if len(_admitted) >= cap:
            return False
        _admitted.add(session_id)
        return True


def admit_or_stop() -> None:
    """Show "the class is full" and stop the script when this process has no room for the
    session. Without a running server (AppTest, bare mode) every session is admitted."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return
    runtime = Runtime.instance()
    if admit(ctx.session_id, runtime.is_active_session, session_cap()):
        return
    st.title(CLASS_FULL_TITLE)
    st.markdown(f"## {CLASS_FULL_TEXT}")
    st.stop()


def restart_notice(page: str) -> bool:
    """Whether ``page`` shows the restart notice in this run.

    The notice appears on the first run of a session that lost its server (:func:`restarted`)
    and stays on every later run of that page (the stage's cursor reports rerun it within a
    second, and a notice gone before it is read tells nothing); it goes once the student opens
    another page.
    """
    if restarted():
        st.session_state[_NOTICE_PAGE] = page
    shown = st.session_state.get(_NOTICE_PAGE)
    if shown is not None and shown != page:
        del st.session_state[_NOTICE_PAGE]
        return False
    return shown == page


def restarted() -> bool:
    """True once, on the first run of a session whose browser brought widget values with it.

    A fresh session starts with no widget values; the browser sends the values it holds only
    when it reconnects to a process that has lost its session (the process restarted, or the
    student was moved to another process). Streamlit's client then waits for the student's next
    click, which arrives here with the page's link (its query string) and the clicked button.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if st.session_state.get(_SEEN):
        return False
    st.session_state[_SEEN] = True
    ctx = get_script_run_ctx()
    if ctx is None:
        return False
    try:
        return len(ctx.session_state.get_widget_states()) > 0
    except AttributeError:  # a future Streamlit without it: no message, nothing else changes
        return False


def one_blas_thread() -> None:
    """One BLAS / OpenMP thread in the server process: many sessions share few cores, and
    bench/bench_sessions.py measured a click's numerics with two processes at once at 0.52 ms
    with one BLAS thread against 5.2 ms with the default (N = 1,000), and 9.7 against 62 ms at
    N = 100,000. The clustering package itself leaves threads alone (notebooks keep theirs).

    The libraries are looked up once per process (numpy's and scipy's BLAS loaded first):
    ``threadpool_limits`` looks them up again at every call, which took ~56 ms of every page
    run in the server, whose process has hundreds of shared libraries loaded.
    """
    global _blas
    if _blas is None:
        import numpy  # noqa: F401  (their BLAS libraries must be loaded before they are looked up)
        import scipy.linalg  # noqa: F401
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController()
    _blas.limit(limits=1)
