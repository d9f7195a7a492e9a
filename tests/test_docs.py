"""The docs: guide code runs, every public name is documented with an example, gallery format."""

import ast
import doctest
import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"

PUBLIC_MODULES = [
    "skmlp",
    "skmlp.layers",
    "skmlp.plotting",
    "skmlp.datasets",
    "skmlp.io",
    "skmlp.onnx",
]

pytestmark = pytest.mark.skipif(not DOCS.is_dir(), reason="needs a source checkout")


def _pages_with_code():
    return sorted(p for p in DOCS.glob("*.rst") if ">>>" in p.read_text(encoding="utf-8"))


def _public_objects():
    """(qualified name, object) for every public class and function."""
    found = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None)
        if names is None:  # a module without __all__: its own public functions and classes
            names = [
                name
                for name, obj in vars(module).items()
                if not name.startswith("_")
                and (inspect.isclass(obj) or inspect.isfunction(obj))
                and obj.__module__ == module_name
            ]
        for name in names:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                found.setdefault(obj, f"{module_name}.{name}")
    return sorted((name, obj) for obj, name in found.items())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("page", _pages_with_code(), ids=lambda p: p.name)
def test_user_guide_code_runs(page):
    if "from sklearn.callback import" in page.read_text(encoding="utf-8"):
        pytest.importorskip(
            "sklearn.callback", reason="needs scikit-learn >= 1.9 (sklearn.callback)"
        )
    failures, attempted = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
        verbose=False,
    )
    assert attempted > 0
    assert failures == 0, f"{failures} of {attempted} examples failed in {page.name}"


def test_api_page_lists_every_public_name():
    api = (DOCS / "api.rst").read_text(encoding="utf-8")
    listed = set(re.findall(r"^   (\w+)$", api, flags=re.MULTILINE))
    missing = [name for name, obj in _public_objects() if obj.__name__ not in listed]
    assert not missing, f"not in docs/api.rst: {missing}"


@pytest.mark.parametrize(
    ("name", "obj"), _public_objects(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_public_docstrings_have_examples(name, obj):
    """Each public class and function shows a runnable example (pytest runs it)."""
    doc = inspect.getdoc(obj) or ""
    assert re.search(r"^Examples\n-{8}\n+(.*\n)*>>> ", doc, flags=re.MULTILINE), (
        f"{name} has no Examples section with doctest lines"
    )


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("plot_*.py")), ids=lambda p: p.name)
def test_example_is_a_gallery_script(example):
    source = example.read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source))
    assert docstring, "an example opens with a title docstring"
    title_lines = docstring.strip().splitlines()
    assert set(title_lines[0]) == {"="}, "the title is overlined with '='"
    assert set(title_lines[2]) == {"="}, "the title is underlined with '='"
    assert len(title_lines) > 4, "the title is followed by a description"
    assert "\n# %%\n" in source, "the code is split into '# %%' cells"


def test_python_version_agrees_with_requires_python():
    requires = re.search(
        r'^requires-python = ">=(3\.\d+)"$',
        (ROOT / "pyproject.toml").read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    assert requires, "pyproject.toml states requires-python as >=3.x"
    version = requires.group(1)
    for path in (ROOT / "README.md", DOCS / "install.rst"):
        stated = set(re.findall(r"Python (3\.\d+)", path.read_text(encoding="utf-8")))
        assert stated == {version}, f"{path.name} states Python {stated}, pyproject {version}"


def test_coming_from_sklearn_page_is_linked():
    toctree = (DOCS / "user_guide.rst").read_text(encoding="utf-8")
    assert re.search(r"^   coming_from_sklearn$", toctree, flags=re.MULTILINE)
    assert "docs/coming_from_sklearn.rst" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_custom_css_is_registered():
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    for name in re.findall(r"html_css_files = \[(.*)\]", conf)[0].split(","):
        assert (DOCS / "_static" / name.strip().strip('"')).is_file()
