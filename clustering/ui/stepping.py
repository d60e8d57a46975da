"""The stepping buttons' labels and the status line, for a page that steps on the server.

The K-means, GMM and Compare pages step in the browser, on the stage (clustering/ui/stage.py),
which carries the same labels; the Compress page steps a photo on the server with buttons of
its own and uses these. Labels are exactly ``E step``, ``M step``, ``Step back``,
``Run to convergence`` and ``Reset``.
"""

from __future__ import annotations

from clustering import stepper

LABEL_E = "E step"
LABEL_M = "M step"
LABEL_BACK = "Step back"
LABEL_RUN = "Run to convergence"
LABEL_RESET = "Reset"


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
