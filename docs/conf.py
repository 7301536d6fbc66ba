"""Sphinx configuration of the smttask documentation (Sphinx + MyST Markdown).

Build with ``make docs`` (``python -m sphinx -W -q -b html docs docs/_build/html``):
every warning is an error, so the site never ships with a broken link or a
page missing from the table of contents.
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

project = "smttask"
author = "the smttask developers"
copyright = "smttask developers"

try:
    release = version("smttask-core")
except PackageNotFoundError:  # building without the package installed
    release = "0.3"
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "README.md"]

# MyST: ::: fences for admonitions, definition lists, and anchors on headings
# up to level 3 so pages can link to sections (`storage.md#claims`).
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

nitpicky = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# smttask's docstrings are plain reST (no Google/NumPy sections), so napoleon is
# not used: it would misread "The task's key: 32 hex digits" as a type.

html_theme = "alabaster"
html_title = f"smttask {release}"
html_static_path: list[str] = []
html_theme_options = {
    "description": "Lazy, typed, cached and recorded tasks for scientific computing",
    "fixed_sidebar": True,
}

# Pages written alongside this guide. The toctrees of index.md include them with :glob: patterns so the site builds whether or not
# they exist yet; Sphinx reports a glob matching nothing as a warning (which -W
# makes an error, and which `suppress_warnings` cannot silence because it has no
# warning type), so the warning is dropped for exactly these patterns.
OPTIONAL_GLOBS = frozenset({"cli*", "recording*", "benchmarks*"})


class _OptionalGlobFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if "didn't match any documents" in str(record.msg) and record.args:
            return record.args[0] not in OPTIONAL_GLOBS
        return True


def setup(app):  # noqa: ANN001, ANN201 - Sphinx extension entry point
    logging.getLogger("sphinx.sphinx.directives.other").addFilter(_OptionalGlobFilter())
    return {"parallel_read_safe": True}
