"""Run a snippet in a new Python interpreter and see which modules it left imported: the tests
that keep imports light (for notebooks, nbgrader's headless runs and JupyterLite) share this."""
from __future__ import annotations

import json
import subprocess
import sys


def modules_after(code: str, names) -> list[str]:
    """Which of ``names`` are imported once ``code`` has run in a fresh interpreter (``code``
    failing, an assert included, fails the calling test)."""
    probe = f"import json, sys\n{code}\nprint(json.dumps([m for m in {list(names)!r} " \
            "if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])
