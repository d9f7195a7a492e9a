"""Order of the examples gallery: the tutorial first, then the topics in reading order."""

ORDER = [
    "plot_tutorial_digits.py",
    "plot_custom_layer.py",
    "plot_early_stopping_vs_sklearn.py",
    "plot_training_monitor.py",
    "plot_regressor.py",
    "plot_multilabel.py",
    "plot_grid_search.py",
    "plot_dataframe_pipeline.py",
    "plot_onnx_export.py",
]


class ExampleOrder:
    """Sort key for sphinx-gallery: listed examples first, any others after, by name.

    Parameters
    ----------
    src_dir : str
        The gallery's source directory (required by sphinx-gallery, unused).
    """

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        rank = ORDER.index(filename) if filename in ORDER else len(ORDER)
        return rank, filename
