"""Download and load the answers file from inside a lab (ipywidgets; JupyterLab and the book).

In the book's in-browser labs the answers file lives in the browser's storage for the site, so
without this a learner's work would be locked into one browser. The download is a plain link to
the file's bytes (a ``data:`` URL, refreshed after every save), so it needs no server and no
JavaScript of ours; loading uses ipywidgets' file picker and merges the chosen file into this one
(:meth:`partnership.learner.store.AnswerStore.merge`: attempts matched by id, nothing
duplicated, the newest answer stays current), from the local labs or another browser alike.
"""
from __future__ import annotations

import base64
import html

import ipywidgets as W

from partnership.learner.store import AnswerStore, StoreError

#: A data URL larger than this is not offered (browsers cap them); the file itself is still
#: there, and in JupyterLab it can be copied from the folder.
MAX_DOWNLOAD_BYTES = 20_000_000


class AnswersTransfer:
    """``widget``: a "Download my answers" link, a "Load answers" picker and a status line.
    ``on_loaded()`` is called after a file was merged, so the lab can show the answers."""

    def __init__(self, store: AnswerStore, on_loaded=None):
        self.store = store
        self.on_loaded = on_loaded
        self.link = W.HTML(value="")
        self.picker = W.FileUpload(accept=".json,application/json", multiple=False,
                                   description="Load answers", icon="upload",
                                   tooltip="Load an answers file (downloaded from these labs in "
                                           "another browser or on your computer)",
                                   layout=W.Layout(width="auto"))
        self.status = W.HTML(value="")
        self.picker.observe(self._picked, names="value")
        self.widget = W.VBox([W.HBox([self.link, self.picker],
                                     layout=W.Layout(flex_flow="row wrap", align_items="center",
                                                     grid_gap="0.75em")),
                              self.status])
        self.refresh()

    def refresh(self) -> None:
        """Point the download link at the answers as they are now."""
        data = self.store.export()
        if len(data) > MAX_DOWNLOAD_BYTES:
            self.link.value = ("<p>Your answers file is too large to download from here; copy "
                               f"{html.escape(self.store.path.name)} from its folder.</p>")
            return
        b64 = base64.b64encode(data).decode("ascii")
        name = html.escape(self.store.path.name, quote=True)
        self.link.value = (f"<a class='partnership-download' download='{name}' "
                           f"href='data:application/json;base64,{b64}'>Download my answers</a>")

    def _say(self, text: str, alert: bool = False) -> None:
        role = "alert" if alert else "status"
        self.status.value = f"<p role='{role}'>{html.escape(text)}</p>"

    def _picked(self, change=None) -> None:
        files = list(self.picker.value or ())
        if not files:
            return
        f = files[0]
        name = str(f.get("name") or "the file")
        try:
            added, had = self.store.merge(bytes(f["content"]), name)
        except StoreError as exc:
            self._say(f"Nothing was loaded: {exc}", alert=True)
            return
        finally:
            self.picker.value = ()          # the same file can be chosen again
        self.refresh()
        if self.on_loaded is not None:
            self.on_loaded()
        self._say(f"Loaded {name}: {added} answer(s) added"
                  + (f", {had} already here." if had else "."))
