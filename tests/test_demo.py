"""``python -m skmlp``: a short smoke run, with and without ``--plot``."""

import subprocess
import sys

import pytest

from skmlp._demo import build_parser, main
from skmlp.datasets import TUTORIAL_PARAMS

SHORT = ["--max-iter", "3", "--hidden-layer-sizes", "8"]
FIGURES = ["sample_digits.png", "cost_curves.png", "confusion_matrix.png"]

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_demo_prints_the_results(capsys, tmp_path):
    assert main(SHORT) == 0
    out = capsys.readouterr().out
    assert "Network: 64-8-10 (Logistic hidden units)" in out  # the tutorial's, not the default
    assert "Epochs run: 3" in out
    assert "Test accuracy:" in out
    assert "Confusion matrix" in out
    assert not list(tmp_path.iterdir())


def test_demo_plot_writes_the_figures(capsys, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    directory = tmp_path / "figures" / "nested"
    assert main([*SHORT, "--plot", str(directory)]) == 0
    out = capsys.readouterr().out
    for name in FIGURES:
        path = directory / name
        assert path.read_bytes().startswith(b"\x89PNG"), name
        assert f"Wrote {path}" in out


def test_demo_plot_without_matplotlib_names_the_extra(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(SystemExit) as exc:
        main([*SHORT, "--plot", str(tmp_path)])
    assert exc.value.code == 2
    assert "pip install 'skmlp[plot]'" in capsys.readouterr().err


def test_python_m_skmlp_help():
    out = subprocess.run(
        [sys.executable, "-m", "skmlp", "--help"], check=True, capture_output=True, text=True
    ).stdout
    assert "--plot DIR" in out
    assert "60% train, 20% validation" in out
    assert "%%" not in out


def test_cli_defaults_are_the_tutorial_settings():
    args = build_parser().parse_args([])
    assert tuple(args.hidden_layer_sizes) == TUTORIAL_PARAMS["hidden_layer_sizes"]
    assert args.learning_rate_init == TUTORIAL_PARAMS["learning_rate_init"]
    assert args.batch_size == TUTORIAL_PARAMS["batch_size"]
    assert args.max_iter == TUTORIAL_PARAMS["max_iter"]
