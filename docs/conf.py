"""Sphinx configuration of the skmlp documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``
(the examples gallery is executed). Everything works offline: no intersphinx,
no math rendering from a CDN.
"""

import os
import re
import sys

import skmlp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _gallery_order

project = "skmlp"
author = "the skmlp developers"
copyright = "the skmlp developers"
version = release = skmlp.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "**.codeobj.json"]
default_role = "literal"
# Every cross-reference into skmlp must resolve. There is no intersphinx (the
# build runs offline), so references to other libraries and to Python's
# standard library stay plain text.
nitpicky = True
nitpick_ignore_regex = [("py:.*", r"(?!skmlp\b).*")]
# The user guide includes scaling_out.rst when it exists (a toctree glob).
suppress_warnings = ["toc.empty_glob"]

# -- autodoc, autosummary, numpydoc -------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "member-order": "bysource"}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True


def skip_metadata_requests(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated ``set_*_request`` methods.

    They belong to scikit-learn's metadata routing, documented there; their
    docstrings refer to scikit-learn's own glossary and labels.
    """
    if re.fullmatch(r"set_\w+_request", name):
        return True
    return None


def setup(app):
    """Connect the member filter."""
    app.connect("autodoc-skip-member", skip_metadata_requests)


# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skmlp {version}"
html_theme_options = {
    "navbar_end": ["navbar-icon-links"],
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
# No left sidebar where the width is better spent on the content: the
# installation page, the API overview and the examples, whose figures are
# wide (the example pages then use the full page width, see _static/skmlp.css).
html_sidebars = {"install": [], "api": [], "auto_examples/*": []}
html_show_sourcelink = False
html_static_path = ["_static"]
html_css_files = ["skmlp.css"]
# The "On this page" menu of a class lists its methods as ``fit()``, not
# ``MLPLayerClassifier.fit()``, so that the names fit beside the page.
toc_object_entries_show_parents = "hide"

# -- examples gallery ---------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "within_subsection_order": "_gallery_order.ExampleOrder",
    "doc_module": ("skmlp",),
    "reference_url": {"skmlp": None},
    "backreferences_dir": "generated/backreferences",
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 1,
    "matplotlib_animations": False,
}
