// Served at /shell/page.js and loaded by the page shell (supplywatch/page_shell.py); no inline script is needed.
(function () {
  "use strict";
  // <html lang> follows the URL's lang parameter, which the language switch keeps; Streamlit changes the URL with
  // history.pushState/replaceState on every page or language switch, without a reload.
  function syncLang() {
    var lang = new URLSearchParams(window.location.search).get("lang");
    document.documentElement.lang = lang === "fr" ? "fr" : "en";
  }
  ["pushState", "replaceState"].forEach(function (name) {
    var original = window.history[name];
    window.history[name] = function () {
      var out = original.apply(this, arguments);
      syncLang();
      return out;
    };
  });
  window.addEventListener("popstate", syncLang);
  syncLang();

  // Streamlit's sidebar navigation puts each section (a <div> with a <header> and the <li> links) straight in one
  // <ul>, so screen readers announce a broken list (axe: list, listitem). Each section becomes the list its links
  // belong to, named by its header; the outer <ul> only groups them.
  function fixNavLists() {
    document.querySelectorAll('[data-testid="stSidebarNavItems"]').forEach(function (ul) {
      var sections = Array.prototype.filter.call(ul.children, function (c) { return c.tagName === "DIV"; });
      if (!sections.length) return;
      if (ul.getAttribute("role") !== "none") ul.setAttribute("role", "none");
      sections.forEach(function (section, i) {
        if (section.getAttribute("role") !== "list") section.setAttribute("role", "list");
        var header = section.querySelector('[data-testid="stNavSectionHeader"]');
        if (header) {
          if (!header.id) header.id = "sw-nav-section-" + i;
          if (section.getAttribute("aria-labelledby") !== header.id) section.setAttribute("aria-labelledby", header.id);
          if (header.getAttribute("role") !== "none") header.setAttribute("role", "none");
        }
      });
    });
  }
  // Streamlit writes its typing hints ("Press Enter to submit form") in English only and has no setting for them;
  // in French they are rewritten in place (the character counter beside them is left alone).
  var HINTS_FR = [
    [/Press Enter to submit form/g, "Appuyez sur Entrée pour envoyer le formulaire"],
    [/Press Enter to apply/g, "Appuyez sur Entrée pour valider"],
    [/Press (⌘|Ctrl)\+Enter to submit form/g, "$1+Entrée pour envoyer le formulaire"],
    [/Press (⌘|Ctrl)\+Enter to apply/g, "$1+Entrée pour valider"]
  ];
  function frenchHints() {
    if (document.documentElement.lang !== "fr") return;
    document.querySelectorAll('[data-testid="InputInstructions"]').forEach(function (box) {
      var walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        var text = node.nodeValue;
        HINTS_FR.forEach(function (pair) { text = text.replace(pair[0], pair[1]); });
        if (text !== node.nodeValue) node.nodeValue = text;
      }
    });
  }
  // A chart drawn by supplywatch/chart_frame.py sits in a container keyed sw-chart-<key> with its caption (name and
  // text summary) after it: the chart becomes a figure named by that caption, so a screen reader reads the sentence
  // instead of the tick labels (WCAG 1.1.1).
  var captionSeq = 0;
  function nameCharts() {
    document.querySelectorAll('[class*="st-key-sw-chart-"]').forEach(function (box) {
      var chart = box.querySelector('[data-testid="stPlotlyChart"]');
      var caption = box.querySelector('[data-testid="stCaptionContainer"]');
      if (!chart || !caption) return;
      if (!caption.id) caption.id = "sw-chart-name-" + (++captionSeq);
      if (chart.getAttribute("role") !== "figure") chart.setAttribute("role", "figure");
      if (chart.getAttribute("aria-labelledby") !== caption.id) chart.setAttribute("aria-labelledby", caption.id);
    });
  }
  new MutationObserver(function () { fixNavLists(); frenchHints(); nameCharts(); }).observe(
    document.documentElement, {childList: true, subtree: true, characterData: true});
  fixNavLists();
})();
