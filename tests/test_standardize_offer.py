"""The stepping pages offer "Standardize" when one axis spreads more than ~10x the other."""

from __future__ import annotations

import numpy as np
import pytest

from clustering import datasets
from clustering.constants import STANDARDIZE_OFFER_RATIO
from clustering.ui import state
from tests.conftest import open_page


def test_spread_ratio():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 2)) * [1.0, 20.0]
    assert datasets.spread_ratio(X) == pytest.approx(X[:, 1].std() / X[:, 0].std())
    assert datasets.spread_ratio(X[:, ::-1]) == pytest.approx(datasets.spread_ratio(X))
    assert datasets.spread_ratio(datasets.standardize(X)) == pytest.approx(1.0)
    assert datasets.spread_ratio(np.column_stack([X[:, 0], np.zeros(500)])) == np.inf
    assert datasets.spread_ratio(np.zeros((5, 2))) == 1.0
    assert datasets.spread_ratio(datasets.make("old-faithful").X) > STANDARDIZE_OFFER_RATIO
    assert datasets.spread_ratio(datasets.make("mouse").X) < STANDARDIZE_OFFER_RATIO


def offers(at) -> bool:
    return any(button.label == "Standardize" for button in at.button)


@pytest.mark.parametrize("page_file", ["pages/gmm.py", "pages/kmeans.py", "pages/compare.py"])
def test_old_faithful_is_offered_standardize_in_one_click(page_file):
    at = open_page(page_file, {"dataset": "old-faithful", "k": "2"})
    assert offers(at)
    warning = " ".join(w.value for w in at.warning)
    assert "waiting" in warning and "12 times as far as eruptions" in warning, warning
    next(b for b in at.button if b.label == "Standardize").click().run()
    assert not at.exception, at.exception
    assert not offers(at)
    assert at.query_params.get("standardize") in ("true", ["true"])
    active = at.session_state[state._DATA]
    assert active.spec.standardize
    assert active.X.std(axis=0) == pytest.approx([1.0, 1.0])


def test_round_data_gets_no_offer():
    at = open_page("pages/kmeans.py", {"dataset": "mouse", "k": "3"})
    assert not offers(at)
    assert not [w for w in at.warning if "times as far as" in w.value]
