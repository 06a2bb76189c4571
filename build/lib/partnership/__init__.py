"""Therapy as Partnership: the Python package behind the course's book, practice labs and exercises.

Kept light on import: submodules load their heavy dependencies (ipywidgets, matplotlib) only when
they are used, so ``import partnership`` stays fast in a notebook and in JupyterLite.
"""

__version__ = "0.1.0"
