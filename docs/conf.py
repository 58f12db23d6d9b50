"""Sphinx configuration for the spheres_theory documentation."""

from __future__ import annotations

import spheres_theory

project = "spheres_theory"
author = "spheres_theory developers"
copyright = "2026, spheres_theory developers"
version = release = spheres_theory.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
root_doc = "index"

# Markdown: ``$...$`` maths and ``:::`` fences; anchors for the section links.
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

# API reference: numpydoc renders the docstrings; members in source order.
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "alabaster"
html_title = f"spheres_theory {release}"
html_static_path: list[str] = []
