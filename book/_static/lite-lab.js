// The live practice lab in a lab page (see partnership/book/litepage.py).
// The iframe holds JupyterLite's Notebook app (same site) on a notebook with one cell, the lab.
// This script loads it when the reader presses "Start the lab" (or at once, once this browser
// has started a lab before), runs that cell as soon as the kernel is there, hides the
// notebook's own chrome so that only the lab shows (no code, no menus), and says in the page
// what is happening. Every request stays on this site: JupyterLite, Pyodide and the wheels are
// all served from it.
(function () {
  "use strict";
  const STEP_MS = 250;
  const STARTED_KEY = "partnership-labs-started";   // this browser has started a lab before
  const START_TIMEOUT_MS = 180000;
  // Only the lab's output is shown: the notebook's header, menus, toolbars, code, prompts and
  // cell controls are hidden (keyboard focus cannot reach what is not displayed).
  const CSS = [
    "#top-panel-wrapper, #menu-panel-wrapper, .jp-NotebookPanel-toolbar,",
    ".jp-Cell-inputWrapper, .jp-InputPrompt, .jp-OutputPrompt, .jp-cell-toolbar,",
    ".jp-Collapser, .jp-Notebook-footer, .jp-Cell-inputCollapser,",
    ".jp-Cell-outputCollapser, .jp-Notebook-cell .jp-InputArea { display: none !important; }",
    ".jp-Notebook { padding: 0.5rem !important; }",
    // the app and the notebook are laid out below the (hidden) header and toolbar: move them
    // up into that space
    "#main-panel, .jp-NotebookPanel-notebook { top: 0 !important; height: 100% !important; }",
    ".jp-WindowedPanel-outer, .jp-WindowedPanel-viewport { background: #fff !important; }",
    ".jp-WindowedPanel-viewport { padding-top: 0 !important; }",
    ".jp-Cell { padding: 0 !important; border: 0 !important; box-shadow: none !important; }",
    ".jp-Notebook-cell.jp-mod-selected, .jp-Notebook-cell.jp-mod-active {",
    "  background: transparent !important; }",
    ".jp-OutputArea-output { overflow-x: hidden !important; }",
  ].join("\n");

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  async function until(test, what, deadline) {
    for (;;) {
      let value = null;
      try { value = test(); } catch (e) { value = null; }
      if (value) return value;
      if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
      await sleep(STEP_MS);
    }
  }

  function remembered() {
    try { return window.localStorage.getItem(STARTED_KEY) === "yes"; } catch (e) { return false; }
  }

  function remember() {
    try { window.localStorage.setItem(STARTED_KEY, "yes"); } catch (e) { /* private mode */ }
  }

  async function start(section) {
    const frame = section.querySelector("iframe.lite-lab-frame");
    const status = section.querySelector(".lite-lab-status");
    const button = section.querySelector("button.lite-lab-start");
    const say = function (text) { status.textContent = text; };
    const deadline = Date.now() + START_TIMEOUT_MS;
    button.disabled = true;
    button.hidden = true;
    remember();
    frame.hidden = false;
    frame.src = frame.dataset.src;
    say("Loading the lab: starting Python in your browser (the first visit takes a few " +
        "seconds)...");
    try {
      const win = await until(function () {
        return frame.contentWindow && frame.contentWindow.jupyterapp && frame.contentWindow;
      }, "the notebook application", deadline);
      const app = win.jupyterapp;
      const doc = win.document;
      if (!doc.getElementById("partnership-lite-lab-css")) {
        const style = doc.createElement("style");
        style.id = "partnership-lite-lab-css";
        style.textContent = CSS;
        doc.head.appendChild(style);
      }
      const panel = await until(function () {
        const w = app.shell.currentWidget;
        return w && w.sessionContext && w.content && w;
      }, "the lab notebook", deadline);
      await panel.context.ready;
      await panel.sessionContext.ready;
      say("Loading the lab: Python is running; building the lab...");
      await app.commands.execute("notebook:run-all-cells");
      const shown = await until(function () {
        const lab = doc.querySelector(".partnership-lab");
        if (lab) return { lab: lab };
        const err = doc.querySelector(".jp-OutputArea-output[data-mime-type=" +
                                      "'application/vnd.jupyter.stderr']");
        if (err && /Error|Traceback/.test(err.textContent)) {
          return { error: err.textContent.trim().split("\n").pop() };
        }
        return null;
      }, "the lab to appear", deadline);
      if (shown.error) throw new Error(shown.error);
      section.classList.add("lite-lab-ready");
      say("The lab is ready. Answer in any order; each answer is checked at once and saved " +
          "in this browser.");
      return shown.lab;
    } catch (err) {
      section.classList.add("lite-lab-failed");
      say("The lab could not start in this browser (" + err.message + "). Try reloading the " +
          "page; the learner guide explains how to run the labs on your own computer instead.");
      throw err;
    }
  }

  document.querySelectorAll("section.lite-lab").forEach(function (section) {
    const go = function () { start(section).catch(function () { /* said in the status */ }); };
    const button = section.querySelector("button.lite-lab-start");
    if (remembered()) { go(); return; }
    button.disabled = false;   // disabled in the HTML until this script runs
    button.addEventListener("click", go);
    section.querySelector(".lite-lab-status").textContent =
      "Press Start the lab to run it here (about 25 MB the first time).";
  });
})();
