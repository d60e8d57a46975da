"""Several students at once: browser sessions on different data and runs share nothing.

Three browser contexts (three Streamlit sessions of one server) stay open together: K-means on
blobs, K-means on moons with another K and start, EM on blobs of another size. They step in an
interleaved order, and once all at the same instant; after every click each session must still
show its own data set (N in the sidebar), its own iteration, half-step (in its link) and its own
J or log-likelihood, as computed here from its own data with the core alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from conftest import wait_for_app

from clustering import datasets, derived, gmm, kmeans, stepper
from clustering.ui.numbers import fmt_sig

pytestmark = pytest.mark.browser

BUTTON_FOR = {"E": "E step", "M": "M step"}


@dataclass
class Student:
    """One session: its link, and the run it should show, stepped here with the core."""

    name: str
    path: str
    query: dict[str, str]
    run: stepper.Run
    X: object
    page: object = None
    steps: list[str] = field(default_factory=list)

    @property
    def link(self) -> str:
        return f"/{self.path}?{urlencode(self.query)}"

    def expected_value(self) -> str:
        """J (K-means) or the log-likelihood (EM) of the half-step on screen, as the page writes it."""
        if self.run.algorithm == "kmeans":
            return fmt_sig(derived.kmeans_view(self.X, self.run).objective, 6)
        return fmt_sig(derived.gmm_view(self.X, self.run).log_likelihood, 6)

    def take(self, kind: str) -> None:
        msg = stepper.EStep() if kind == "E" else stepper.MStep()
        self.run = stepper.step(self.run, msg, self.X)
        self.steps.append(kind)


def kmeans_student(name: str, dataset: str, n: int, seed: int, k: int, init: str,
                   init_seed: int) -> Student:
    X = datasets.make(dataset, n=n, seed=seed).X
    run = stepper.new_kmeans_run(kmeans.init_centroids(X, k, init, seed=init_seed))
    query = {"dataset": dataset, "n": str(n), "seed": str(seed), "k": str(k), "init": init,
             "init_seed": str(init_seed)}
    return Student(name, "kmeans", query, run, X)


def gmm_student(name: str, dataset: str, n: int, seed: int, k: int, init_seed: int) -> Student:
    X = datasets.make(dataset, n=n, seed=seed).X
    # random means: a run long enough to step (from a converged K-means, EM may converge at
    # once, and the stage steps no further than convergence)
    run = stepper.new_gmm_run(gmm.init_params(X, k, method="random", seed=init_seed))
    query = {"dataset": dataset, "n": str(n), "seed": str(seed), "k": str(k), "init": "random",
             "init_seed": str(init_seed)}
    return Student(name, "gmm", query, run, X)


def metric_text(page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def assert_shows_its_own(student: Student) -> None:
    """The session shows its own N, half-step, iteration and J / log-likelihood."""
    page = student.page
    sidebar = page.get_by_test_id("stSidebar").inner_text()
    assert re.search(rf"N = {len(student.X):,} points", sidebar), (student.name, sidebar[:300])
    step = page.evaluate("() => new URLSearchParams(location.search).get('step')")
    assert step == str(student.run.cursor), (student.name, step, student.steps)
    assert metric_text(page, "Iteration") == str(student.run.current.iteration), student.name
    label = "J" if student.run.algorithm == "kmeans" else "Log-likelihood"
    assert metric_text(page, label) == student.expected_value(), (student.name, student.steps)


def click(student: Student, kind: str) -> None:
    student.page.get_by_role("button", name=BUTTON_FOR[kind], exact=True).click()
    student.take(kind)
    wait_for_step(student)


def wait_for_step(student: Student) -> None:
    try:
        student.page.wait_for_function(
            f"() => new URLSearchParams(location.search).get('step') === '{student.run.cursor}'",
            timeout=60_000)
    except Exception:
        cursor = student.page.locator(".cl-stage").get_attribute("data-cursor")
        raise AssertionError(f"{student.name}: stage at {cursor}, link {student.page.url}, "
                             f"expected {student.run.cursor} after {student.steps}") from None
    wait_for_app(student.page, timeout=60_000)


def test_simultaneous_sessions_keep_their_own_data_and_runs(app_url, browser):
    students = [
        kmeans_student("blobs K-means", "blobs", 1000, 1, 3, "random", 0),
        kmeans_student("moons K-means", "moons", 600, 2, 2, "kmeans++", 5),
        gmm_student("blobs EM", "blobs", 700, 3, 3, 0),
    ]
    contexts = []
    try:
        for i, student in enumerate(students):
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            contexts.append(context)
            student.page = context.new_page()
            if i == 0:  # the server's very first request goes through the router (see test_browser_kmeans)
                student.page.goto(f"{app_url}/")
                wait_for_app(student.page)
            student.page.goto(f"{app_url}{student.link}")
            student.page.locator(".cl-stage[data-ready='1']").wait_for(timeout=60_000)  # the stage
            wait_for_app(student.page, timeout=60_000)
        for student in students:
            assert_shows_its_own(student)

        blobs, moons, em = students
        # interleaved: after every click, every session still shows its own state
        for student, kind in [(blobs, "E"), (moons, "E"), (moons, "M"), (em, "E"), (moons, "E"),
                              (blobs, "M"), (em, "M"), (moons, "M"), (blobs, "E")]:
            click(student, kind)
            for other in students:
                assert_shows_its_own(other)

        # all at the same instant: each session's own next step
        at = students[0].page.evaluate("() => Date.now() + 800")
        for student in students:
            kind = stepper.next_kind(student.run)
            student.page.evaluate(
                """([at, label]) => {
                    // the stage's buttons (in its shadow root, when it has one)
                    const host = [...document.querySelectorAll('*')]
                        .find((e) => e.shadowRoot && e.shadowRoot.querySelector('.cl-stage'));
                    const root = host ? host.shadowRoot : document;
                    const button = [...root.querySelectorAll('.cl-stage button')]
                        .find((b) => b.textContent.trim() === label);
                    setTimeout(() => button.click(), Math.max(0, at - Date.now()));
                }""",
                [at, BUTTON_FOR[kind]],
            )
            student.take(kind)
        for student in students:
            wait_for_step(student)
        for student in students:
            assert_shows_its_own(student)
        assert [len(s.steps) for s in students] == [4, 5, 3]
    finally:
        for context in contexts:
            context.close()
