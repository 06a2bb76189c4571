// The conversation lab in the book page (see partnership/book/convodemo.py).
// When the reader starts a conversation it loads Pyodide (vendored, same site) and the engine's
// own Python files, every one checked against the SRI hashes in the build's manifest (whose own
// hash is in the page): Pyodide's JavaScript modules are imported from checked bytes, and its
// WebAssembly, standard library and lock file are handed to it from checked bytes, so nothing
// unchecked runs. Then each turn runs in the browser. Nothing typed is sent anywhere: every
// request goes to this site's _static folder, and the conversation is kept in this browser only.
(function () {
  "use strict";
  const forms = document.querySelectorAll("form.conversation-demo");
  if (!forms.length) return;
  const root = document.documentElement.dataset.content_root || "./";
  const staticURL = new URL(root + "_static/", document.baseURI);
  const STORE = "partnership-conversation-v1";
  const HOME = "/home/pyodide/conversation-py/";
  let engine = null; // a promise of the Python module partnership.learner.conversation.page

  async function get(url, integrity, cache) {
    // the browser checks the bytes against the hash (subresource integrity) before resolving
    const resp = await fetch(url, { integrity: integrity, cache: cache || "no-cache" });
    if (!resp.ok) throw new Error("could not load " + url.pathname + " (HTTP " + resp.status + ")");
    return resp;
  }

  async function importVerified(url, integrity) {
    const bytes = await (await get(url, integrity, "default")).arrayBuffer();
    const blobURL = URL.createObjectURL(new Blob([bytes], { type: "text/javascript" }));
    try {
      return await import(blobURL);
    } finally {
      URL.revokeObjectURL(blobURL);
    }
  }

  async function load(form) {
    const filesURL = new URL(form.dataset.files, staticURL);
    const pyodideURL = new URL(form.dataset.pyodide, staticURL);
    const manifest = await (await get(new URL("manifest.json", filesURL),
      form.dataset.manifestIntegrity)).json();
    const sums = manifest.pyodide;
    const { loadPyodide } = await importVerified(new URL("pyodide.mjs", pyodideURL),
      sums["pyodide.mjs"]);
    const asm = await importVerified(new URL("pyodide.asm.mjs", pyodideURL),
      sums["pyodide.asm.mjs"]);
    // Pyodide's own files are fetched and checked here first; while Pyodide starts, its
    // requests are answered from those checked bytes, and any other request is refused.
    const types = { "pyodide.asm.wasm": "application/wasm", "python_stdlib.zip": "application/zip",
      "pyodide-lock.json": "application/json" };
    const verified = {};
    await Promise.all(Object.keys(types).map(async function (name) {
      const url = new URL(name, pyodideURL);
      verified[url.href] = { type: types[name],
        bytes: await (await get(url, sums[name], "default")).arrayBuffer() };
    }));
    const realFetch = window.fetch;
    window.fetch = function (input) {
      const raw = typeof input === "string" ? input : (input && input.url) || String(input);
      const file = verified[new URL(raw, document.baseURI).href];
      if (!file) return Promise.reject(new Error("unexpected request for " + raw));
      return Promise.resolve(new Response(file.bytes.slice(0),
        { status: 200, headers: { "Content-Type": file.type } }));
    };
    let py;
    try {
      py = await loadPyodide({ indexURL: pyodideURL.href, createPyodideModule: asm.default });
    } finally {
      window.fetch = realFetch;
    }
    for (const rel of Object.keys(manifest.files)) {
      const resp = await get(new URL(rel, filesURL), manifest.files[rel]);
      const path = HOME + rel;
      py.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
      py.FS.writeFile(path, new Uint8Array(await resp.arrayBuffer()));
    }
    py.runPython("import sys\nsys.path.insert(0, '" + HOME + "')");
    const page = py.pyimport("partnership.learner.conversation.page");
    page.load(HOME + "clients.json");
    return page;
  }

  function saved() {
    try {
      return JSON.parse(window.localStorage.getItem(STORE) || "null");
    } catch (e) {
      return null;
    }
  }

  function keep(record) {
    try {
      if (record) window.localStorage.setItem(STORE, record);
    } catch (e) { /* storage turned off: the conversation still works, unsaved */ }
  }

  function newId() {
    const a = new Uint32Array(2);
    window.crypto.getRandomValues(a);
    return a[0].toString(16) + a[1].toString(16);
  }

  forms.forEach(function (form) {
    const q = function (sel) { return form.querySelector(sel); };
    const select = form.elements.client;
    const turnBox = form.elements.turn;
    const codes = form.elements.codes;
    const start = q(".conversation-demo-start");
    const send = q(".conversation-demo-send");
    const finish = q(".conversation-demo-finish");
    const log = q(".conversation-demo-log");
    const live = q(".conversation-demo-live");
    const risk = q(".conversation-demo-risk");
    const progress = q(".conversation-demo-progress");
    const status = q(".conversation-demo-status");
    const summary = q(".conversation-demo-summary");
    let started = false;
    let busy = false;
    let finished = false;

    form.addEventListener("submit", function (event) { event.preventDefault(); });

    function showAbout() {
      form.querySelectorAll(".conversation-demo-about").forEach(function (div) {
        div.hidden = div.dataset.client !== select.value;
      });
      start.textContent = started ? "Start a new conversation" : "Start the conversation";
    }

    function setControls() {
      turnBox.disabled = send.disabled = !started || finished || busy;
      finish.disabled = !started || finished || busy;
      start.disabled = busy;
    }

    function showSummary(data) {
      const head = document.createElement("h3");
      head.textContent = "Your summary";
      head.tabIndex = -1;
      const body = document.createElement("div");
      body.innerHTML = data.summary + data.svg; // escaped by the engine
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([data.markdown], { type: "text/markdown" }));
      link.download = data.file;
      link.textContent = "Download the transcript and summary (Markdown)";
      const p = document.createElement("p");
      p.append(link);
      summary.replaceChildren(head, body, p);
      return head;
    }

    function showRisk(text) {
      risk.hidden = !text;
      risk.querySelector("p").textContent = text || "";
    }

    async function python() {
      if (!engine) {
        status.textContent = "Loading the client and the coach into this page (the first " +
          "time only)...";
        engine = load(form);
        engine.catch(function () { engine = null; }); // a failed load can be tried again
      }
      return engine;
    }

    async function run(what) {
      busy = true;
      setControls();
      form.setAttribute("aria-busy", "true");
      try {
        return await what(await python());
      } catch (err) {
        status.textContent = "The conversation lab could not run in this browser (" +
          err.message + "). The practice lab in JupyterLab works without it.";
        return null;
      } finally {
        busy = false;
        form.removeAttribute("aria-busy");
        setControls();
      }
    }

    start.addEventListener("click", function () {
      run(function (page) {
        const old = saved();
        // on the first start, carry on a conversation this browser kept for this client
        // (a finished one comes back with its summary; Start again begins a new one)
        const resume = !started && old && old.client === select.value;
        const seed = Math.floor(Math.random() * 1000000);
        const data = JSON.parse(page.start(select.value, seed, resume ? JSON.stringify(old) : "",
          codes.checked, newId()));
        started = true;
        finished = data.finished;
        log.innerHTML = data.log; // escaped by the engine
        summary.replaceChildren();
        if (data.summary) showSummary(data.summary);
        showRisk(data.risk);
        progress.textContent = data.progress;
        live.textContent = data.live;
        keep(data.record);
        status.textContent = data.summary ? "Finished: your summary is below. " +
          data.summary.text : "Your turn: write what you would say to " + data.name + ".";
        showAbout();
        return data;
      }).then(function (data) {
        const head = summary.querySelector("h3");
        if (data && data.finished && head) head.focus();
        else if (data) turnBox.focus();
      });
    });

    function sendTurn() {
      if (!started || finished || busy) return;
      const words = turnBox.value;
      run(function (page) {
        const data = JSON.parse(page.send(words, codes.checked));
        if (!data.ok) {
          live.textContent = data.live;
          return data;
        }
        log.insertAdjacentHTML("beforeend", data.turn); // escaped by the engine
        log.scrollTop = log.scrollHeight;
        turnBox.value = "";
        showRisk(data.risk);
        live.textContent = data.live + (data.risk && !risk.dataset.said ? " " + data.risk : "");
        if (data.risk) risk.dataset.said = "1";
        progress.textContent = data.progress;
        keep(data.record);
        status.textContent = data.full ? "This conversation is as long as it can be: finish it " +
          "to see your summary." : "";
        if (data.full) finished = true;
        return data;
      }).then(function () {
        if (!finished) turnBox.focus();
      });
    }

    send.addEventListener("click", sendTurn);
    turnBox.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        sendTurn();
      }
    });

    finish.addEventListener("click", function () {
      run(function (page) {
        const data = JSON.parse(page.finish(codes.checked));
        finished = true;
        log.innerHTML = data.log;
        progress.textContent = data.progress;
        keep(data.record);
        const head = showSummary(data);
        status.textContent = "Finished: your summary is below. " + data.text;
        return head;
      }).then(function (head) {
        if (head) head.focus();
      });
    });

    codes.addEventListener("change", function () {
      if (!started || busy || !engine) return;
      engine.then(function (page) { log.innerHTML = page.transcript(codes.checked); });
    });

    select.addEventListener("change", showAbout);
    showAbout();
    start.disabled = false; // disabled in the HTML until this script runs
  });
})();
