/* The book's self-checks as a short test with a score (partnership/book/selfcheck.py).

   Without this script every option is a <details> dropdown that reveals its verdict when
   opened. This script turns each question into radio buttons and a "Check answer" button: the
   reader chooses first, then sees the verdict and the reason for their own choice, and only
   then may open the other options to compare. The chapter's score is shown above and below the
   questions.

   Privacy: answers are kept in this tab's sessionStorage only (closing the tab forgets them);
   nothing is sent anywhere and no other storage is used. If storage is blocked the test still
   works and simply forgets answers on reload. */
(function () {
  "use strict";

  var PREFIX = "partnership-selfcheck:";

  function storageKey(box) {
    return PREFIX + window.location.pathname + "#" + box.id;
  }

  function load(box) {
    try {
      var raw = window.sessionStorage.getItem(storageKey(box));
      var data = raw ? JSON.parse(raw) : {};
      return data && typeof data === "object" ? data : {};
    } catch (e) {
      return {};
    }
  }

  function save(box, state) {
    try {
      window.sessionStorage.setItem(storageKey(box), JSON.stringify(state));
    } catch (e) {
      /* storage blocked or full: keep the answers for this visit only */
    }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function enhance(box) {
    var state = load(box);
    var questions = [];
    var scoreTop = el("p", { "class": "self-check-score" });
    var scoreBottom = el("p", { "class": "self-check-score" });
    var reset = el("button", { type: "button", "class": "self-check-reset" }, "Start again");
    var footer = el("div", { "class": "self-check-footer" });
    var announce = el("p", { "class": "self-check-visually-hidden", role: "status" });
    footer.appendChild(scoreBottom);
    footer.appendChild(reset);
    footer.appendChild(announce);

    Array.prototype.forEach.call(box.querySelectorAll(".self-check-question"), function (q, n) {
      var options = Array.prototype.filter.call(q.children, function (c) {
        return c.matches("details.self-check-option");
      });
      var key = options.findIndex(function (o) { return o.classList.contains("self-check-key"); });
      if (!q.id || options.length < 2 || key < 0) { return; }
      questions.push(build(q, n + 1, options, key));
    });
    if (!questions.length) { return; }
    questions.forEach(function (item) {      /* forget answers that no longer fit */
      var v = state[item.id];
      if (item.id in state && !(Number.isInteger(v) && v >= 0 && v < item.options.length)) {
        delete state[item.id];
      }
    });

    function score() {
      var answered = 0, right = 0;
      questions.forEach(function (item) {
        if (item.id in state) {
          answered += 1;
          if (state[item.id] === item.key) { right += 1; }
        }
      });
      return { answered: answered, right: right, total: questions.length };
    }

    function scoreText() {
      var s = score();
      var text = "Your score: " + s.right + " of " + s.total;
      if (s.answered < s.total) {
        text += " (" + s.answered + " of " + s.total + " answered)";
      } else {
        text += " (all answered)";
      }
      return text + ".";
    }

    function showScore() {
      scoreTop.textContent = scoreText();
      scoreBottom.textContent = scoreText();
    }

    function build(q, number, options, key) {
      var id = q.id;
      var item = { id: id, key: key, q: q, options: options };
      var form = el("form", { "class": "self-check-form", novalidate: "" });
      var fieldset = el("fieldset");
      var legend = el("legend", {}, "Your answer to question " + number);
      fieldset.appendChild(legend);
      item.radios = options.map(function (opt, i) {
        var rid = id + "-choice-" + i;
        var row = el("div", { "class": "self-check-choice" });
        var input = el("input", { type: "radio", id: rid, name: id + "-choice", value: String(i) });
        var label = el("label", { "for": rid });
        var text = opt.querySelector(".sd-summary-text");
        Array.prototype.forEach.call((text || opt.querySelector("summary")).childNodes,
          function (c) { label.appendChild(c.cloneNode(true)); });
        row.appendChild(input);
        row.appendChild(label);
        fieldset.appendChild(row);
        return input;
      });
      form.appendChild(fieldset);
      var submit = el("button", { type: "submit", "class": "self-check-submit" }, "Check answer");
      var hint = el("p", { "class": "self-check-hint", "aria-live": "polite" });
      form.appendChild(submit);
      form.appendChild(hint);
      var result = el("div", { "class": "self-check-result", tabindex: "-1" });
      result.hidden = true;
      var review = el("div", { "class": "self-check-review" });
      review.appendChild(el("p", { "class": "self-check-review-note" },
        "Open any option to read why it is right or wrong:"));
      var first = options[0];
      first.parentNode.insertBefore(form, first);
      first.parentNode.insertBefore(result, first);
      first.parentNode.insertBefore(review, first);
      options.forEach(function (opt) { review.appendChild(opt); });
      review.hidden = true;
      var instruction = q.querySelector(".self-check-instruction");
      if (instruction) { instruction.hidden = true; }
      item.form = form;
      item.submit = submit;
      item.hint = hint;
      item.result = result;
      item.review = review;

      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var chosen = item.radios.findIndex(function (r) { return r.checked; });
        if (chosen < 0) {
          hint.textContent = "Choose an answer first.";
          item.radios[0].focus();
          return;
        }
        state[id] = chosen;
        save(box, state);
        showAnswered(item, true);
      });
      return item;
    }

    function showAnswered(item, focus) {
      var chosen = state[item.id];
      var opt = item.options[chosen];
      if (!opt) { return; }
      item.radios.forEach(function (r, i) {
        r.checked = i === chosen;
        r.disabled = true;
      });
      item.submit.hidden = true;
      item.hint.textContent = "";
      var right = chosen === item.key;
      var letter = String.fromCharCode(65 + chosen);
      item.result.className = "self-check-result " +
        (right ? "self-check-result-right" : "self-check-result-wrong");
      item.result.textContent = "";
      var head = el("p", { "class": "self-check-verdict" });
      head.appendChild(el("strong", {}, right ? "Correct." : "Not quite."));
      head.appendChild(document.createTextNode(" You chose " + letter + "."));
      item.result.appendChild(head);
      var body = opt.querySelector(".sd-summary-content");
      if (body) {
        var why = body.cloneNode(true);
        why.className = "self-check-why";
        var verdict = why.querySelector("p > strong:first-child");
        if (verdict) {       /* already said above */
          var next = verdict.nextSibling;
          verdict.parentNode.removeChild(verdict);
          if (next && next.nodeType === 3) { next.textContent = next.textContent.replace(/^\s+/, ""); }
        }
        item.result.appendChild(why);
      }
      showScore();
      item.result.appendChild(el("p", { "class": "self-check-running" }, scoreText()));
      item.result.hidden = false;
      item.review.hidden = false;
      item.options.forEach(function (o, i) {
        o.classList.toggle("self-check-chosen", i === chosen);
        var mark = o.querySelector(".self-check-your-answer");
        if (i === chosen && !mark) {
          var text = o.querySelector(".sd-summary-text") || o.querySelector("summary");
          text.appendChild(el("span", { "class": "self-check-your-answer" }, " (your answer)"));
        } else if (i !== chosen && mark) {
          mark.parentNode.removeChild(mark);
        }
      });
      if (focus) { item.result.focus(); }
    }

    function showUnanswered(item) {
      item.radios.forEach(function (r) { r.checked = false; r.disabled = false; });
      item.submit.hidden = false;
      item.hint.textContent = "";
      item.result.hidden = true;
      item.result.textContent = "";
      item.review.hidden = true;
      item.options.forEach(function (o) {
        o.open = false;
        o.classList.remove("self-check-chosen");
        var mark = o.querySelector(".self-check-your-answer");
        if (mark) { mark.parentNode.removeChild(mark); }
      });
    }

    reset.addEventListener("click", function () {
      state = {};
      save(box, state);
      questions.forEach(showUnanswered);
      showScore();
      announce.textContent = "Your answers to this self-check are cleared.";
      questions[0].radios[0].focus();
    });

    box.insertBefore(scoreTop, box.firstChild);
    box.appendChild(footer);
    questions.forEach(function (item) {
      if (item.id in state) { showAnswered(item, false); }
    });
    showScore();
    box.classList.add("self-check-js");
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".self-check"), function (box) {
      try {
        enhance(box);
      } catch (e) {
        /* leave the no-JavaScript dropdowns in place */
        if (window.console) { window.console.error("self-check:", e); }
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
