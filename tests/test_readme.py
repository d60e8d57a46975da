"""The README's promises stay true: its notebook example runs, and its two commands are the real ones."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_notebook_example_runs_and_converges():
    code = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # our own README, not user input
    assert namespace["run"].stop_reason == "converged"
    likelihoods, bounds = namespace["likelihoods"], namespace["bounds"]
    assert len(likelihoods) == len(namespace["run"].history)
    assert bounds[0] is None and likelihoods[-1] >= likelihoods[0]


def test_the_two_commands_are_the_ones_ci_runs():
    assert "pip install -r requirements.txt && streamlit run app.py" in README
    assert "bash scripts/test.sh" in README
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
