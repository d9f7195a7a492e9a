"""The tutorial's digits split."""

import numpy as np

from skmlp.datasets import load_tutorial_digits


def test_tutorial_split_is_80_20_stratified_and_reproducible():
    X_fit, X_test, y_fit, y_test = load_tutorial_digits(random_state=0)
    assert X_fit.shape == (1437, 64)
    assert X_test.shape == (360, 64)
    assert X_fit.max() == 16  # raw pixel values, as in the tutorial
    np.testing.assert_allclose(np.bincount(y_test) / 360, np.bincount(y_fit) / 1437, atol=0.01)
    again = load_tutorial_digits(random_state=0)
    np.testing.assert_array_equal(again[1], X_test)
    other = load_tutorial_digits(random_state=1)
    assert not np.array_equal(other[1], X_test)
