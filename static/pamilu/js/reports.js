// Daily report pages. Everything works without this file (the form offers spare rows
// and the error summary's links are plain anchors); with it:
// - buttons and forms with data-confirm ask before sending;
// - "Tambah kegiatan" / "Tambah kejadian" add a formset row from its <template> without a
//   round trip (the row's fields keep Django's names, act-N-kind and so on);
// - after a refused send the page moves to the first field in error (or warning).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  function addRow(prefix) {
    var template = document.querySelector('template[data-row-template="' + prefix + '"]');
    var rows = document.querySelector('[data-rows="' + prefix + '"]');
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!template || !rows || !total) {
      return;
    }
    var index = parseInt(total.value, 10) || 0;
    if (max && index >= parseInt(max.value, 10)) {
      return;
    }
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.firstElementChild;
    rows.appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("select, input, textarea");
    if (first) {
      first.focus();
    }
    row.dispatchEvent(new CustomEvent("pamilu:row-added", { bubbles: true, detail: { prefix: prefix, index: index } }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-row]");
    if (button) {
      event.preventDefault();
      addRow(button.getAttribute("data-add-row"));
    }
  });

  // The offline draft (offline.js) asks for the rows it is about to restore.
  document.addEventListener("pamilu:add-row", function (event) {
    if (event.detail && event.detail.prefix) {
      addRow(event.detail.prefix);
    }
  });

  // Error summary links: move to the field and focus it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-link]");
    if (!link) {
      return;
    }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (target) {
      event.preventDefault();
      var field = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
      (field || target).focus();
      target.scrollIntoView({ block: "center" });
    }
  });

  function firstProblem() {
    return document.querySelector(
      ".has-error input, .has-error select, .has-error textarea, .section-error, .send-warning input"
    );
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-add-row]").forEach(function (button) {
      button.hidden = false;
    });
    if (document.querySelector("[data-error-summary]")) {
      var problem = firstProblem();
      if (problem) {
        if (problem.matches("input, select, textarea")) {
          problem.focus();
        }
        problem.scrollIntoView({ block: "center" });
      }
    }
  });
})();
