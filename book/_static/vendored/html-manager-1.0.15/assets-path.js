// Loaded after RequireJS and before the widget HTML manager (embed-amd.js): tells the manager
// that its webfonts are beside it. The bundle derives that folder from the RequireJS URL of its
// "@jupyter-widgets/..." modules, which would otherwise be the server's root (a 404 there).
(function () {
  var here = new URL(".", document.currentScript.src).href.replace(/\/$/, "");
  window.__jupyter_widgets_assets_path__ = here + "/";
  if (window.requirejs) {
    window.requirejs.config({ paths: { "@jupyter-widgets": here,
                                       "@jupyter-widgets/html-manager/dist": here } });
  }
})();
