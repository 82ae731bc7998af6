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
  // Streamlit's and plotly's own accessible names (what a screen reader says for a button or a field) are English
  // only and have no setting: in French they are rewritten in place. Exact names, then "<prefix> <our label>".
  var NAMES_FR = {
    "Sidebar": "Barre latérale", "Collapse sidebar": "Réduire la barre latérale",
    "Expand sidebar": "Ouvrir la barre latérale", "App pages": "Pages du site", "Open": "Ouvrir",
    "Close": "Fermer", "Clear all": "Tout effacer", "Clear value": "Effacer", "Choose an option": "Choisir une option",
    "Choose options": "Choisir des options", "Choose date range": "Choisir la période", "Choose date": "Choisir la date",
    "Link to heading": "Lien vers ce titre", "Download plot as a PNG": "Télécharger le graphique en PNG",
    "Zoom": "Zoomer", "Pan": "Déplacer", "Zoom in": "Zoom avant", "Zoom out": "Zoom arrière",
    "Autoscale": "Échelle automatique", "Reset axes": "Réinitialiser les axes", "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran", "Show/hide columns": "Afficher ou masquer des colonnes",
    "Download as CSV": "Télécharger en CSV", "Search": "Rechercher", "Show password text": "Afficher le mot de passe",
    "Hide password text": "Masquer le mot de passe"
  };
  var PATTERNS_FR = [
    [/^Help for (.+)$/, "Aide : $1"], [/^(.+) start date$/, "$1, date de début"], [/^(.+) end date$/, "$1, date de fin"],
    [/^year, /, "année, "], [/^month, /, "mois, "], [/^day, /, "jour, "]
  ];
  var NAMED = ["aria-label", "title", "placeholder", "data-title"];
  function frenchName(text) {
    if (Object.prototype.hasOwnProperty.call(NAMES_FR, text)) return NAMES_FR[text];
    PATTERNS_FR.forEach(function (pair) { text = text.replace(pair[0], pair[1]); });
    return text;
  }
  function frenchNames() {
    if (document.documentElement.lang !== "fr") return;
    NAMED.forEach(function (attr) {
      document.querySelectorAll("[" + attr + "]").forEach(function (el) {
        var text = el.getAttribute(attr), french = frenchName(text);
        if (french !== text) el.setAttribute(attr, french);
      });
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
  // attributes too: React puts its English names back when it redraws a widget; our rewrite is idempotent.
  new MutationObserver(function () { fixNavLists(); frenchHints(); frenchNames(); nameCharts(); }).observe(
    document.documentElement, {childList: true, subtree: true, characterData: true, attributes: true,
                               attributeFilter: NAMED});
  fixNavLists();
})();
