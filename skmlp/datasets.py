"""The tutorial's data: scikit-learn's digits, with a fifth held out for testing."""

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def load_tutorial_digits(random_state=0):
    """Split sklearn's digits as the tutorial does: 60% train, 20% validation, 20% test.

    The validation fifth is not split off here: it is taken out of the
    returned fit set by the estimator's early stopping
    (``validation_fraction=0.25`` of the 80% fit set is 20% of the data).
    Pixel values are kept raw (0 to 16), as in the tutorial.

    Parameters
    ----------
    random_state : int or None, default=0
        Seeds the stratified split.

    Returns
    -------
    X_fit : ndarray of shape (1437, 64)
        Training plus validation images.
    X_test : ndarray of shape (360, 64)
        Test images.
    y_fit : ndarray of shape (1437,)
        Digits of ``X_fit``.
    y_test : ndarray of shape (360,)
        Digits of ``X_test``.

    Examples
    --------
    >>> from skmlp.datasets import load_tutorial_digits
    >>> X_fit, X_test, y_fit, y_test = load_tutorial_digits(random_state=0)
    >>> X_fit.shape, X_test.shape
    ((1437, 64), (360, 64))
    """
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.2, stratify=y, random_state=random_state)
