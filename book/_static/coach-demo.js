// The reflection coach in the book page (see partnership/book/coachdemo.py).
// On the first check it loads Pyodide (vendored, same site) and the coach's own Python files
// (listed in _static/coach-py/manifest.json), then codes each response in the browser.
// Nothing typed here is sent anywhere: every request goes to this site's _static folder.
(function () {
  "use strict";
  const forms = document.querySelectorAll("form.coach-demo");
  if (!forms.length) return;
  const root = document.documentElement.dataset.content_root || "./";
  const staticURL = new URL(root + "_static/", document.baseURI);
  let coach = null; // a promise of the Python function, shared by every form on the page

  const PY = [
    "import json, sys",
    "sys.path.insert(0, '/home/pyodide/coach-py')",
    "from partnership.coach import analyse, describe_code",
    "def _coach(response, client):",
    "    r = analyse(response, client)",
    // the feedback is plain text; show() puts it in the page as text, never as HTML
    "    return json.dumps({'coded': r.coded, 'code': describe_code(r.code, r.subcode),",
    "                       'confidence': r.confidence, 'feedback': r.feedback,",
    "                       'hrq': r.hrq_score, 'source': r.source})",
    "_coach",
  ].join("\n");

  async function sha256(bytes) {
    if (!(window.crypto && crypto.subtle)) {
      throw new Error("this page is not served securely (https), so the coach's files " +
                      "cannot be checked");
    }
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    return Array.from(digest, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  async function load(form) {
    const pyodideURL = new URL(form.dataset.pyodide, staticURL);
    const coachURL = new URL(form.dataset.coach, staticURL);
    const { loadPyodide } = await import(new URL("pyodide.mjs", pyodideURL).href);
    const py = await loadPyodide({ indexURL: pyodideURL.href });
    const listing = await fetch(new URL("manifest.json", coachURL), { cache: "no-cache" });
    if (!listing.ok) throw new Error("could not load the coach (HTTP " + listing.status + ")");
    const listed = new Uint8Array(await listing.arrayBuffer());
    if (await sha256(listed) !== form.dataset.manifestSha256) {
      throw new Error("the coach's list of files does not match this page");
    }
    const manifest = JSON.parse(new TextDecoder().decode(listed));
    for (const rel of manifest.files) {
      const want = manifest.sha256[rel];
      const resp = await fetch(new URL(rel + "?v=" + want.slice(0, 16), coachURL));
      if (!resp.ok) throw new Error("could not load " + rel + " (HTTP " + resp.status + ")");
      const bytes = new Uint8Array(await resp.arrayBuffer());
      // a file that does not match the book's build (tampered or mixed up) is refused
      if (await sha256(bytes) !== want) throw new Error(rel + " does not match its checksum");
      const path = "/home/pyodide/coach-py/" + rel;
      py.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
      py.FS.writeFile(path, bytes);
    }
    return py.runPython(PY);
  }

  function show(result, data) {
    result.replaceChildren();
    const head = document.createElement("p");
    const strong = document.createElement("strong");
    if (data.coded) {
      strong.textContent = "The coach's code: " + data.code;
      head.append(strong, " (" + Math.round(100 * data.confidence) + "% sure; HRQ-style score " +
        data.hrq + " of 5)");
    } else { // nothing written: no code and no score, only a prompt to write something
      strong.textContent = "Nothing to code yet";
      head.append(strong);
    }
    const body = document.createElement("p");
    body.textContent = data.feedback; // text, never HTML: the feedback quotes the client
    result.append(head, body);
  }

  forms.forEach(function (form) {
    const status = form.querySelector(".coach-demo-status");
    const result = form.querySelector(".coach-demo-result");
    const button = form.querySelector("button");
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    button.disabled = false; // disabled in the HTML until this script runs
    button.addEventListener("click", async function () {
      button.disabled = true;
      form.setAttribute("aria-busy", "true");
      try {
        if (!coach) {
          status.textContent = "Loading the coach into this page (the first time only)...";
          coach = load(form);
          coach.catch(function () { coach = null; }); // a failed load can be tried again
        }
        const fn = await coach;
        status.textContent = "Coding your response...";
        const data = JSON.parse(fn(form.elements.response.value, form.elements.client.value));
        show(result, data);
        status.textContent = "Done: the coach's feedback is below.";
      } catch (err) {
        status.textContent = "The coach could not run in this browser (" + err.message +
          "). The practice labs and the partnership coach command work without it.";
      } finally {
        button.disabled = false;
        form.removeAttribute("aria-busy");
      }
    });
  });
})();
