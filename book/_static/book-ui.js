/* Reading the book on any screen: fixes and small additions to the theme
 * (pydata-sphinx-theme 0.17 + sphinx-book-theme 1.3). Loaded on every page by
 * partnership/book/theme.py; tests/test_browser_book.py checks each part at phone, tablet
 * and desktop widths.
 *
 * 1. Navigation menus. Both themes bind their menu buttons with
 *    document.querySelector(".primary-toggle") / (".secondary-toggle"): the FIRST such button,
 *    which was a hidden copy in the top bar (known upstream: pydata-sphinx-theme #2451,
 *    sphinx-book-theme #988), so the buttons a reader could see did nothing below 992 px and
 *    the contents button did not fold the sidebar away on wide screens. The top bar is now
 *    switched off (partnership/book/theme.py), which makes the visible buttons the bound ones;
 *    should a layout bring it back, every other menu button passes its click to the bound one
 *    here, so the theme's own behaviour runs: a drawer (<dialog>) on narrow screens, a folding
 *    sidebar on wide ones. This script also keeps aria-expanded true to what is shown, gives
 *    each drawer a close button (Escape and a tap outside also close it), and keeps keyboard
 *    focus on the button after folding the sidebar and back on it after closing a drawer
 *    (the theme blurred it, leaving focus nowhere).
 * 2. Wide tables scroll sideways inside their box, with a visible cue (a shadow on the side
 *    that has more, and a line of text) and keyboard focus.
 * 3. Figures open full size: each figure's image is also a link to the image file (an SVG,
 *    so it stays sharp however far a reader zooms).
 */
(function () {
  "use strict";

  const WIDE = "(min-width: 992px)";
  const isShown = (el) => !!el && el.getClientRects().length > 0 &&
    getComputedStyle(el).visibility !== "hidden";

  /* ------------------------------------------------------------------ 1. menus */
  function setUpMenus() {
    const pairs = [
      [".primary-toggle", "pst-primary-sidebar", "pst-primary-sidebar-modal", "Close the book contents"],
      [".secondary-toggle", "pst-secondary-sidebar", "pst-secondary-sidebar-modal", "Close on this page"],
    ];
    for (const [selector, sidebarId, dialogId, closeLabel] of pairs) {
      const bound = document.querySelector(selector);   // the button the theme listens to
      const sidebar = document.getElementById(sidebarId);
      const dialog = document.getElementById(dialogId);
      if (!bound || !sidebar) continue;
      const buttons = Array.from(document.querySelectorAll(selector));
      const sync = () => {
        let expanded;
        if (dialog && dialog.open) expanded = true;
        else if (window.matchMedia(WIDE).matches && selector === ".primary-toggle")
          expanded = !sidebar.classList.contains("pst-sidebar-hidden");
        else expanded = false;
        buttons.forEach((b) => b.setAttribute("aria-expanded", String(expanded)));
      };
      let opener = null;
      const afterToggle = (button) => {
        opener = button;
        // sphinx-book-theme blurs the button on click (to hide a tooltip), which leaves
        // keyboard focus nowhere when the sidebar folds away; give it back.
        setTimeout(() => {
          if (!(dialog && dialog.open) && isShown(button) &&
              (document.activeElement === document.body || !document.activeElement)) button.focus();
          sync();
        }, 0);
      };
      buttons.forEach((button) => {
        if (button === bound) return;
        // a visible copy: hand the click to the button the theme listens to
        button.addEventListener("click", (event) => {
          event.preventDefault();
          button.focus();      // the theme returns focus to the active element on close
          bound.click();
          afterToggle(button);
        });
      });
      // Capture at the document: runs before the themes' own listeners on the button, one of
      // which (sphinx-book-theme, wide screens) stops the event from reaching any other.
      document.addEventListener("click", (event) => {
        const button = event.target.closest && event.target.closest(selector);
        if (button && button === bound && isShown(button)) afterToggle(button);
      }, true);

      if (dialog) {
        const close = document.createElement("button");
        close.type = "button";
        close.className = "pt-drawer-close btn";
        close.setAttribute("aria-label", closeLabel);
        close.innerHTML = '<i class="fa-solid fa-xmark" aria-hidden="true"></i>';
        close.addEventListener("click", () => dialog.close());
        // The theme moves the sidebar's content into the dialog when it opens, and back when
        // it closes; the close button stays in the dialog, first in its focus order.
        new MutationObserver(() => {
          if (dialog.open && dialog.firstElementChild !== close) dialog.prepend(close);
          sync();
        }).observe(dialog, { attributes: true, attributeFilter: ["open"] });
        dialog.addEventListener("close", () => {
          if (close.parentNode === dialog) close.remove();
          sync();
          if (opener && isShown(opener)) opener.focus();
          opener = null;
        });
        // A link that points into this page (the page's own contents) closes the drawer and
        // then goes to the section: done in that order, because closing moves the links back
        // into the hidden sidebar and lets the page scroll again.
        dialog.addEventListener("click", (event) => {
          const link = event.target.closest("a[href]");
          const hash = link && link.getAttribute("href");
          if (!hash || !hash.startsWith("#") || hash.length < 2) return;
          event.preventDefault();
          opener = null;       // focus goes to the section, not back to the menu button
          dialog.close();
          const target = document.getElementById(decodeURIComponent(hash.slice(1)));
          if (location.hash === hash && target) target.scrollIntoView();
          else location.hash = hash;
          if (target) {
            if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
            target.focus({ preventScroll: true });
          }
        });
      }
      new MutationObserver(sync).observe(sidebar, { attributes: true, attributeFilter: ["class"] });
      window.matchMedia(WIDE).addEventListener("change", () => {
        if (dialog && dialog.open && window.matchMedia(WIDE).matches) dialog.close();
        sync();
      });
      sync();
    }
  }

  /* ------------------------------------------------------------------ 2. tables */
  function setUpTables() {
    const boxes = document.querySelectorAll(".bd-article .pst-scrollable-table-container");
    const update = (box) => {
      const more = box.scrollWidth - box.clientWidth > 1;
      box.classList.toggle("pt-scrolls", more);
      box.classList.toggle("pt-more-left", more && box.scrollLeft > 1);
      box.classList.toggle("pt-more-right", more && box.scrollLeft + box.clientWidth < box.scrollWidth - 1);
      let hint = box.previousElementSibling;
      if (!(hint && hint.classList.contains("pt-scroll-hint"))) hint = null;
      if (more && !hint) {
        hint = document.createElement("p");
        hint.className = "pt-scroll-hint";
        hint.id = "pt-scroll-hint-" + Math.random().toString(36).slice(2, 9);
        hint.textContent = "The table is wider than the screen: scroll it sideways to see every column.";
        box.before(hint);
      } else if (!more && hint) {
        hint.remove();
        hint = null;
      }
      if (more) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        const caption = box.querySelector("caption");
        box.setAttribute("aria-label", (caption ? caption.textContent.trim() + " " : "") + "(scrolls sideways)");
        box.setAttribute("aria-describedby", hint.id);
      } else {
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        box.removeAttribute("aria-describedby");
      }
    };
    boxes.forEach((box) => {
      update(box);
      box.addEventListener("scroll", () => update(box), { passive: true });
    });
    let timer = null;
    window.addEventListener("resize", () => {
      clearTimeout(timer);
      timer = setTimeout(() => boxes.forEach(update), 150);
    });
  }

  /* ------------------------------------------------------------------ 3. figures */
  function setUpFigures() {
    document.querySelectorAll(".bd-article figure img").forEach((img) => {
      if (img.closest("a")) return;
      const link = document.createElement("a");
      link.href = img.getAttribute("src");
      link.className = "pt-figure-open";
      const figure = img.closest("figure");
      const number = figure && figure.querySelector(".caption-number");
      link.setAttribute("aria-label", "Open " + (number ? number.textContent.trim().replace(/\s+$/, "") : "the figure") + " full size");
      img.replaceWith(link);
      link.append(img);
      const hint = document.createElement("span");
      hint.className = "pt-figure-hint";
      hint.setAttribute("aria-hidden", "true");
      hint.textContent = "Open full size";
      link.append(hint);
    });
  }

  const ready = (fn) => (document.readyState === "loading"
    ? document.addEventListener("DOMContentLoaded", fn) : fn());
  ready(() => { setUpMenus(); setUpTables(); setUpFigures(); });
})();
