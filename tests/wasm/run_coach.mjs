// Run partnership.coach inside Pyodide, the WebAssembly CPython that JupyterLite's kernel uses.
// Usage: node run_coach.mjs PYODIDE_DIR PACKAGE_DIR < inputs.json  (a JSON list of [response,
// client]). Prints one JSON object: the Python version, which heavy modules got imported, the
// model load time, and each input's code, sub-code, probabilities and source.
// No network: Pyodide comes from PYODIDE_DIR (the copy vendored for the book), the package
// from PACKAGE_DIR.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, pkg] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const inputs = readFileSync(0, "utf8");
const py = await loadPyodide({ indexURL: pyodideDir + "/" });

function copyTree(src, dst) {  // the package's .py files and the model, nothing else
  py.FS.mkdirTree(dst);
  for (const name of readdirSync(src)) {
    const s = join(src, name);
    if (statSync(s).isDirectory()) {
      if (name !== "__pycache__") copyTree(s, `${dst}/${name}`);
    } else if (name.endsWith(".py") || name.endsWith(".npz")) {
      py.FS.writeFile(`${dst}/${name}`, readFileSync(s));
    }
  }
}
copyTree(pkg, "/home/pyodide/lib/partnership");
py.globals.set("INPUTS", inputs);
console.log(py.runPython(`
import json, sys, time
sys.path.insert(0, "/home/pyodide/lib")
t = time.perf_counter()
from partnership.coach import analyse
from partnership.coach.model import get_model
ok = get_model() is not None
load_ms = 1000 * (time.perf_counter() - t)
results = []
for response, client in json.loads(INPUTS):
    r = analyse(response, client)
    results.append({"code": r.code, "subcode": r.subcode, "probabilities": r.probabilities,
                    "source": r.source, "hrq": r.hrq_score, "feedback": r.feedback})
json.dumps({"python": sys.version.split()[0], "model_loaded": ok, "load_ms": load_ms,
            "heavy": [m for m in ("numpy", "sklearn", "matplotlib") if m in sys.modules],
            "results": results})
`));
