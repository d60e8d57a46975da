"""Times every rerun inside a Streamlit server started by the benchmarks; the app never loads it.

Python imports ``sitecustomize`` at start-up from the first folder on its path that has one;
``bench/browser_timing.start_server(..., rerun_log=path)`` puts this folder first on the
server's PYTHONPATH and sets ``BENCH_RERUN_LOG``. Then every rerun request (a click) and
every script end is written to that file as ``session-id request|finished wall-time``, on the
server's own clock, so a benchmark can tell the server's share of a click from the browsers'.
Without ``BENCH_RERUN_LOG`` it does nothing.
"""

import os

_PATH = os.environ.get("BENCH_RERUN_LOG")

if _PATH:
    import threading
    import time

    from streamlit.runtime import app_session
    from streamlit.runtime.scriptrunner import ScriptRunnerEvent

    _LOCK = threading.Lock()
    _ENDS = {
        ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS: "finished",
        ScriptRunnerEvent.FRAGMENT_STOPPED_WITH_SUCCESS: "finished",  # a fragment's rerun alone
        ScriptRunnerEvent.SCRIPT_STOPPED_WITH_COMPILE_ERROR: "failed",
        ScriptRunnerEvent.SCRIPT_STOPPED_FOR_RERUN: "interrupted",
    }

    def _record(session_id: str, what: str) -> None:
        line = f"{session_id} {what} {time.time():.6f}\n"
        with _LOCK, open(_PATH, "a", encoding="utf-8") as log:
            log.write(line)

    _handle_backmsg = app_session.AppSession.handle_backmsg
    _on_scriptrunner_event = app_session.AppSession._on_scriptrunner_event

    def handle_backmsg(self, msg):
        if msg.WhichOneof("type") == "rerun_script":
            _record(self.id, "request")
        return _handle_backmsg(self, msg)

    def on_scriptrunner_event(self, sender, event, *args, **kwargs):
        if event in _ENDS:  # called from the script's thread as it ends
            _record(self.id, _ENDS[event])
        return _on_scriptrunner_event(self, sender, event, *args, **kwargs)

    app_session.AppSession.handle_backmsg = handle_backmsg
    app_session.AppSession._on_scriptrunner_event = on_scriptrunner_event
