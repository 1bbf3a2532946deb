"""Frameworks as data: the SDGs, WSIS Action Lines, strategic plans, KPI sets, crosswalks.

A framework is read into a ``FrameworkSpec`` (from the built-in data files or a user's
YAML/CSV file), validated completely, and only then written in one transaction.
``builtin`` loads the shipped frameworks (and ``open_store`` gives a new database them);
``linkage`` reads stated links and derives the others with their path; ``export`` writes
a framework back to a file.
"""

from sdgmap.frameworks.files import read_framework_file
from sdgmap.frameworks.save import save_crosswalk, save_framework
from sdgmap.frameworks.spec import FrameworkError, FrameworkSpec, LinkSpec, NodeSpec

__all__ = [
    "FrameworkError",
    "FrameworkSpec",
    "LinkSpec",
    "NodeSpec",
    "read_framework_file",
    "save_crosswalk",
    "save_framework",
]
