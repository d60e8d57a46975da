"""The stepping controls shared by the K-means, GMM and Compare pages.

Buttons labelled exactly ``E step``, ``M step``, ``Step back``, ``Run to convergence`` and
``Reset``; a timeline slider over the half-steps; an animated run to convergence that a
``Stop`` button ends. Each button's callback applies one stepper message to the stored run and
stores the new run with one assignment, so a rerun always draws a consistent state.

A page that steps several runs together (Compare) passes a list of page keys.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import streamlit as st

from clustering import stepper
from clustering.ui import state

SPEEDS = {"slow": 0.9, "normal": 0.45, "fast": 0.12, "instant": 0.0}

LABEL_E = "E step"
LABEL_M = "M step"
LABEL_BACK = "Step back"
LABEL_RUN = "Run to convergence"
LABEL_RESET = "Reset"
LABEL_STOP = "Stop"


def apply(pages: Sequence[str], msg: stepper.Msg, X: np.ndarray) -> None:
    """Callback: apply ``msg`` to every page's run; a failed half-step becomes a plain message."""
    state.set_value(pages[0], "animating", False)
    for page in pages:
        run = state.get_run(page)
        if run is None:
            continue
        try:
            state.set_run(page, stepper.step(run, msg, X))
        except stepper.StepError as error:
            state.push_message(
                page, f"{error} The run stays at its last good step.", "error"
            )


def _start_animation(pages: Sequence[str], X: np.ndarray) -> None:
    """Callback: compute the whole run to convergence, then replay it from the current half-step."""
    for page in pages:
        run = state.get_run(page)
        if run is None:
            continue
        start = run.cursor
        finished = stepper.step(run, stepper.RunToConvergence(), X)
        instant = st.session_state.get(f"{pages[0]}.speed") == "instant"
        state.set_run(page, finished if instant else replace(finished, cursor=start))
        if finished.stop_reason not in ("converged", "max_iter"):
            state.push_message(page, f"{finished.stop_reason}", "error")
    state.set_value(pages[0], "animating", st.session_state.get(f"{pages[0]}.speed") != "instant")


def _stop(pages: Sequence[str]) -> None:
    state.set_value(pages[0], "animating", False)


def _jump(pages: Sequence[str], slider_key: str) -> None:
    index = int(st.session_state[slider_key])
    state.set_value(pages[0], "animating", False)
    for page in pages:
        run = state.get_run(page)
        if run is not None:
            state.set_run(page, stepper.step(run, stepper.JumpTo(index), np.empty((0, 2))))


def controls(pages: str | Sequence[str], X: np.ndarray, next_hint: dict[str, str]) -> None:
    """Draw the five buttons, the next-step hint, the speed control and the timeline slider.

    pages : the page key (or keys, stepped together) whose stored runs the buttons drive
    next_hint : {"E": why the E step comes next, "M": why the M step comes next}
    """
    pages = [pages] if isinstance(pages, str) else list(pages)
    runs = [state.get_run(page) for page in pages]
    if any(run is None for run in runs):
        return
    lead = runs[0]
    animating = bool(state.get_value(pages[0], "animating", False))

    columns = st.columns([1, 1, 1, 1.6, 1])
    columns[0].button(
        LABEL_E, key=f"{pages[0]}.btn.e", type="primary" if stepper.allowed(lead, stepper.EStep()) else "secondary",
        disabled=not stepper.allowed(lead, stepper.EStep()) or animating,
        on_click=apply, args=(pages, stepper.EStep(), X), width="stretch",
    )
    columns[1].button(
        LABEL_M, key=f"{pages[0]}.btn.m", type="primary" if stepper.allowed(lead, stepper.MStep()) else "secondary",
        disabled=not stepper.allowed(lead, stepper.MStep()) or animating,
        on_click=apply, args=(pages, stepper.MStep(), X), width="stretch",
    )
    columns[2].button(
        LABEL_BACK, key=f"{pages[0]}.btn.back",
        disabled=not stepper.allowed(lead, stepper.Back()) or animating,
        on_click=apply, args=(pages, stepper.Back(), X), width="stretch",
    )
    if animating:
        columns[3].button(LABEL_STOP, key=f"{pages[0]}.btn.stop", on_click=_stop, args=(pages,),
                          width="stretch")
    else:
        columns[3].button(
            LABEL_RUN, key=f"{pages[0]}.btn.run",
            disabled=not stepper.allowed(lead, stepper.RunToConvergence()),
            on_click=_start_animation, args=(pages, X), width="stretch",
        )
    columns[4].button(
        LABEL_RESET, key=f"{pages[0]}.btn.reset",
        disabled=not stepper.allowed(lead, stepper.Reset()) or animating,
        on_click=apply, args=(pages, stepper.Reset(), X), width="stretch",
    )

    status_column, speed_column = st.columns([3, 1])
    with status_column:
        st.markdown(status_line(lead, next_hint))
    with speed_column:
        st.select_slider(
            "Animation speed", options=list(SPEEDS), value="normal", key=f"{pages[0]}.speed",
            help="How fast “Run to convergence” replays the half-steps.",
        )

    last = max(len(run.history) for run in runs) - 1
    if last >= 1:
        slider_key = f"{pages[0]}.timeline"
        st.session_state[slider_key] = lead.cursor
        st.slider(
            "Timeline (half-step)", min_value=0, max_value=last, key=slider_key,
            on_change=_jump, args=(pages, slider_key), disabled=animating,
            help="Jump to any half-step: 0 is the start, odd numbers are E steps, even ones M steps.",
        )


def status_line(run: stepper.Run, next_hint: dict[str, str]) -> str:
    """One sentence: where the run is and which step comes next, and why."""
    at_end = run.cursor == len(run.history) - 1
    if at_end and run.stop_reason == "converged":
        why = ("the last step changed nothing" if run.algorithm == "kmeans" else
               f"the last iteration raised the log-likelihood by less than tol = {run.tol:g}")
        return (f"✅ **Converged after {run.current.iteration} iterations**: "
                f"{why}. Step back, or Reset to start again.")
    if at_end and run.stop_reason == "max_iter":
        return f"⏹ Stopped at the cap of {run.max_iter} iterations before convergence."
    if stepper.stopped_by_failure(run):
        return (f"⛔ **{run.stop_reason}** No further step is possible from here: step back, "
                "or change the set-up and start again.")
    kind = stepper.next_kind(run)
    name = "E step" if kind == "E" else "M step"
    return f"**Next: {name}.** {next_hint.get(kind, '')}"


def animate_tick(pages: str | Sequence[str]) -> None:
    """Call at the very end of a page: while animating, advance one half-step and rerun."""
    pages = [pages] if isinstance(pages, str) else list(pages)
    if not state.get_value(pages[0], "animating", False):
        return
    runs = [state.get_run(page) for page in pages]
    if any(run is None for run in runs) or all(run.cursor >= len(run.history) - 1 for run in runs):
        state.set_value(pages[0], "animating", False)
        return
    speed = st.session_state.get(f"{pages[0]}.speed", "normal")
    time.sleep(SPEEDS.get(speed, SPEEDS["normal"]))
    advanced = [replace(run, cursor=min(run.cursor + 1, len(run.history) - 1)) for run in runs]
    for page, run in zip(pages, advanced, strict=True):
        state.set_run(page, run)
    if all(run.cursor >= len(run.history) - 1 for run in advanced):
        # the last half-step: draw it with the buttons back (and Stop gone)
        state.set_value(pages[0], "animating", False)
    st.rerun()
