/* Search ranking and snippets for this book (_config.yml: html_search_scorer). Sphinx bundles
 * this file into language_data.js, which the search page loads after searchtools.js.
 *
 * Ranking. Sphinx scores a glossary entry (an index entry) by how much of it the query covers,
 * up to 100, but a page title only up to 16; so "alliance" listed four glossary entries before
 * "The working alliance". Here a page whose title contains every word of the query ranks
 * above everything else (shorter titles first: the closer match), and other results keep
 * Sphinx's order below it.
 *
 * Sphinx also listed a chapter twice when its title matched both as the page's title and as
 * its first heading; each page and place is now listed once.
 *
 * Snippets. Sphinx takes the snippet from the first place the word appears in the page's main
 * element, which in this theme starts with a print-only table of contents, so chapter 10's
 * snippet was a string of section numbers. Here the text is taken from the article alone,
 * without headings' link symbols, print-only parts or navigation.
 */
var Scorer = {
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,

  queryWords: function () {
    var q = new URLSearchParams(window.location.search).get("q") || "";
    return q.toLowerCase().split(/[^\p{Letter}\p{Number}]+/u).filter(function (w) { return w.length > 1; });
  },

  score: function (result) {
    var docname = result[0], title = result[1], anchor = result[2], score = result[4];
    if (typeof Search === "undefined" || !Search._index) return score;
    var index = Search._index;
    var i = index.docnames.indexOf(docname);
    // titles carry the section number as HTML ("<span class=section-number>2. </span>...")
    var pageTitle = i >= 0 ? String(index.titles[i]).replace(/<[^>]*>/g, "")
      .replace(/^[\d.\s]+/, "").toLowerCase() : "";
    var titleWords = pageTitle.split(/[^\p{Letter}\p{Number}]+/u);
    var words = Scorer.queryWords();
    var matches = words.length > 0 && words.every(function (w) {
      return titleWords.some(function (t) { return t.indexOf(w) === 0; });
    });
    if (!matches) return Math.min(score, 999);
    var closeness = Math.round(100 * words.join(" ").length / Math.max(pageTitle.length, 1));
    // the page itself first; its sections just below it
    var isPage = anchor === "" || title === index.titles[i];
    return (isPage ? 2000 : 1000) + closeness;
  },
};

if (typeof Search !== "undefined") {
  // One result per page and place: Sphinx lists a chapter twice when its title also matches
  // as a section title ("2. The working alliance > The working alliance"). Results are in
  // ascending order (the page shows the last first), so the best of each pair is kept.
  var sphinxPerformSearch = Search._performSearch;
  Search._performSearch = function () {
    var results = sphinxPerformSearch.apply(this, arguments);
    var seen = new Set();
    var kept = [];
    for (var j = results.length - 1; j >= 0; j--) {
      var key = results[j][0] + "|" + results[j][2];
      if (seen.has(key)) continue;
      seen.add(key);
      kept.push(results[j]);
    }
    return kept.reverse();
  };

  Search.htmlToText = function (htmlString, anchor) {
    var doc = new DOMParser().parseFromString(htmlString, "text/html");
    var drop = [".headerlink", "script", "style", ".onlyprint", "#jb-print-docs-body", "nav",
                ".toctree-wrapper", ".prev-next-area", ".bd-header-article", "noscript",
                ".glossary-az"];
    drop.forEach(function (sel) {
      doc.querySelectorAll(sel).forEach(function (el) { el.remove(); });
    });
    var article = doc.querySelector('[role="main"] article') || doc.querySelector('[role="main"]');
    if (!article) return "";
    if (anchor) {
      var part = article.querySelector(anchor);
      if (part) {
        // a glossary term: the term and its definition
        var text = part.textContent;
        if (part.tagName === "DT" && part.nextElementSibling) text += " " + part.nextElementSibling.textContent;
        return text.replace(/\s+/g, " ");
      }
    }
    return article.textContent.replace(/\s+/g, " ");
  };
}
