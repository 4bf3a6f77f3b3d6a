// pamilu on a weak link (every page): registers the service worker, keeps the report
// being typed in IndexedDB, queues "Kirim" when the server cannot be reached, shows the
// queue, and wipes the phone's copies at sign-out.
//
// The report form is found by its field *names* (operation, report_date, summary,
// act-N-*, inc-N-*, attachment), never by its layout. Rows added by the form's own
// script are asked for with a "pamilu:add-row" event ({detail: {prefix: "act"}}) on the
// form before a saved draft is put back.
(function () {
  "use strict";
  var box = window.pamiluOutbox;
  var cfgEl = document.getElementById("pamilu-offline");
  if (!box || !cfgEl || !window.indexedDB) { return; }
  var cfg = cfgEl.dataset;
  var user = cfg.user;
  box.configure({ session: cfg.session, api: cfg.api });

  function t(name) { return cfg["t" + name.charAt(0).toUpperCase() + name.slice(1)] || name; }

  // --- service worker ----------------------------------------------------------------

  // The worker's page cache holds one user's pages (a shared phone): signed in as another
  // user than the one recorded ("pagesOwner"), the other's cached pages are deleted before
  // any is served offline. The worker checks the same on every page it caches.
  var PAGE_CACHE = "pamilu-pages";
  var pagesOwned = !user || !window.caches ? Promise.resolve() : box.getMeta("pagesOwner").then(function (owner) {
    if (owner !== undefined && owner !== null && String(owner) === String(user)) { return; }
    return caches.delete(PAGE_CACHE).then(function () { return box.setMeta("pagesOwner", String(user)); });
  }).catch(function () { /* no cache storage: nothing cached to guard */ });

  var swReady = Promise.resolve(null);
  if ("serviceWorker" in navigator && window.isSecureContext) {
    swReady = navigator.serviceWorker.register(cfg.sw, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // Cache the home and the form once after sign-in; visits keep them fresh after that.
      if (user && registration.active && window.caches) {
        pagesOwned.then(function () { return caches.open(PAGE_CACHE); })
          .then(function (cache) { return cache.keys(); }).then(function (keys) {
            if (keys.length < 2) { registration.active.postMessage({ type: "warm" }); }
          });
      }
      return registration;
    }).catch(function () { return null; });
  }

  // --- the queue's status on the page --------------------------------------------------

  var statusEl = null;
  // States in which the server has answered and the kapolsek acts (fix, confirm, look).
  var ANSWERED = ["error", "conflict", "confirm"];
  var form = findReportForm();

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  // A field's label on the form, else the one kept with the queued report (other pages).
  function fieldLabel(field, it) {
    if (!field) { return ""; }
    var name = apiFieldToName(field);
    var found = form && labelOf(form, name);
    return found || (it && it.labels && it.labels[name]) || field;
  }

  function labelOf(scope, name) {
    var input = scope.querySelector('[name="' + name + '"]');
    var label = input && input.id && document.querySelector('label[for="' + input.id + '"]');
    var section = !input && document.querySelector("#section-" + name + " legend");
    return (label || section) ? (label || section).textContent.trim() : "";
  }

  // The labels of the report's fields (and its two sections), kept with a queued report.
  function labels() {
    var found = {};
    ["activities", "incidents"].concat(Array.prototype.map.call(form.elements, function (input) {
      return input.name;
    })).forEach(function (name) {
      var text = name && labelOf(form, name);
      if (text) { found[name] = text; }
    });
    return found;
  }

  function timeText(ms) {
    var date = new Date(ms);
    return date.toLocaleString(document.documentElement.lang || "id", {
      day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"
    });
  }

  function renderStatus() {
    return Promise.all([box.items(), box.getMeta("lastSync:" + user)]).then(function (r) {
      var mine = r[0].filter(function (it) { return !user || String(it.user) === String(user); });
      var lastSync = r[1];
      // The report pages: the form, the list and the kapolsek's home (reports/today/).
      var onReportPage = !!form || /^\/reports\/(today\/)?$/.test(location.pathname);
      if (!mine.length && !onReportPage) { if (statusEl) { statusEl.hidden = true; } return; }
      if (!statusEl) {
        statusEl = el("section", "alert outbox-status small");
        statusEl.id = "outbox-status";
        statusEl.setAttribute("role", "status");
        statusEl.setAttribute("aria-live", "polite");
        var main = document.getElementById("main") || document.body;
        main.insertBefore(statusEl, main.firstChild);
      }
      statusEl.hidden = false;
      var waiting = mine.filter(function (it) { return it.state === "waiting" || it.state === "sending"; });
      var problems = mine.filter(function (it) { return ANSWERED.indexOf(it.state) !== -1; });
      statusEl.className = "alert small outbox-status " +
        (problems.length ? "alert-danger" : mine.length ? "alert-warning" : "alert-light border");
      statusEl.textContent = "";
      var head = el("div", "outbox-summary");
      var count = el("strong", null, mine.length + " " + t("queueCount"));
      count.setAttribute("data-queue-count", String(mine.length));
      head.appendChild(count);
      if (waiting.length) { head.appendChild(document.createTextNode(" · " + t("waiting"))); }
      head.appendChild(el("br"));
      var sync = el("span", "outbox-last-sync",
        lastSync ? t("lastSync") + ": " + timeText(lastSync) : t("neverSynced"));
      sync.setAttribute("data-last-sync", lastSync ? String(lastSync) : "");
      head.appendChild(sync);
      statusEl.appendChild(head);
      mine.forEach(function (it) { statusEl.appendChild(renderItem(it)); });
    });
  }

  function renderItem(it) {
    var row = el("div", "outbox-item mt-2");
    row.setAttribute("data-outbox-item", it.id);
    row.setAttribute("data-state", it.state);
    row.appendChild(el("div", "fw-semibold", it.label || ""));
    var text = {
      waiting: t("waiting") + (it.nextAt > Date.now() ? " · " + t("retry") + " " + timeText(it.nextAt) : ""),
      sending: t("sending"),
      auth: t("signin"),
      conflict: t("conflict"),
      confirm: t("confirmState"),
      error: t("rejected") + ":"
    }[it.state] || it.state;
    row.appendChild(el("div", "outbox-state", text));
    var errors = (it.lastError && it.lastError.errors) || [];
    var warnings = (it.state === "confirm" && it.lastError && it.lastError.warnings) || [];
    if (ANSWERED.indexOf(it.state) !== -1) {
      var list = el("ul", "outbox-errors mb-0");
      if (!errors.length && !warnings.length && it.lastError && it.lastError.detail) {
        list.appendChild(el("li", null, it.lastError.detail));
      }
      errors.concat(warnings).forEach(function (e) {
        var item = el("li", null, (e.field ? t("field") + " «" + fieldLabel(e.field, it) + "»: " : "") + e.message);
        if (e.field) { item.setAttribute("data-field", apiFieldToName(e.field)); }
        if (warnings.indexOf(e) !== -1) { item.setAttribute("data-warning", e.code); }
        list.appendChild(item);
      });
      row.appendChild(list);
      if (warnings.length) { row.appendChild(confirmButton(it, warnings)); }
      if (it.reportId || it.conflictWith) {
        var open = el("a", "me-3", t("open"));
        open.href = "/reports/" + (it.conflictWith || it.reportId) + "/";
        row.appendChild(open);
      }
      var discard = el("button", "btn btn-link btn-sm p-0", t("discard"));
      discard.type = "button";
      discard.addEventListener("click", function () { box.removeItem(it.id).then(renderStatus); });
      row.appendChild(discard);
      if (form && it.draftKey === currentKey()) {
        markErrors(errors);
        // The server has answered: "waiting for a signal" no longer holds.
        var stale = document.querySelector('[data-offline-notice="queued"]');
        if (stale) { stale.remove(); }
      }
    }
    return row;
  }

  // The server asks to confirm warnings: "Konfirmasi dan kirim" sends the same report
  // again with their codes.
  function confirmButton(it, warnings) {
    var button = el("button", "btn btn-warning btn-sm d-block my-2", t("confirmSend"));
    button.type = "button";
    button.setAttribute("data-confirm-send", it.id);
    button.addEventListener("click", function () {
      button.disabled = true;
      box.confirm(it.id, warnings.map(function (w) { return w.code; })).then(function () {
        box.requestSync();
        return renderStatus();
      }).then(function () { return deliver(true); });
    });
    return button;
  }

  // --- the report form ---------------------------------------------------------------

  function findReportForm() {
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      if (forms[i].querySelector('[name="summary"]') && forms[i].querySelector('[name="act-TOTAL_FORMS"]')) {
        return forms[i];
      }
    }
    return null;
  }

  function value(name) {
    var input = form.querySelector('[name="' + name + '"]');
    if (!input) { return ""; }
    if (input.type === "checkbox") { return input.checked; }
    return input.value;
  }

  function today() {
    var offset = cfg.zoneOffset || "+07:00";
    var minutes = (offset[0] === "-" ? -1 : 1) * (parseInt(offset.slice(1, 3), 10) * 60 + parseInt(offset.slice(4, 6), 10));
    return new Date(Date.now() + minutes * 60000).toISOString().slice(0, 10);
  }

  // "2026-12-02" as the page's language writes a day ("2 Desember 2026").
  function dayText(iso) {
    var day = new Date(iso + "T00:00:00Z");
    if (isNaN(day.getTime())) { return iso; }
    return day.toLocaleDateString(document.documentElement.lang || "id",
      { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }

  function editingId() {
    var match = location.pathname.match(/^\/reports\/(\d+)\/edit\/$/);
    return match ? parseInt(match[1], 10) : null;
  }

  function currentKey() {
    if (!form) { return null; }
    var id = editingId();
    return box.draftKey(user, value("operation") || (id ? "r" + id : ""), value("report_date") || today());
  }

  function pagePointer() { return "page:" + user + ":" + location.pathname; }

  function collect() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.type === "file" || input.type === "submit" || input.type === "button" ||
          input.name === "csrfmiddlewaretoken" || /-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(input.name)) {
        return;
      }
      values[input.name] = input.type === "checkbox" ? input.checked : input.value;
    });
    return values;
  }

  var photo = null;  // {blob, name, type}: the attachment, downscaled, kept with the draft
  var photoPending = null;  // the photo being downscaled (Kirim waits for it)
  var saving = null;
  var dirty = false;

  function saveDraft() {
    if (!form || !user) { return Promise.resolve(); }
    if (saving) { dirty = true; return saving; }
    var key = currentKey();
    var draft = { key: key, user: user, path: location.pathname, values: collect(), photo: photo, savedAt: Date.now() };
    saving = box.putDraft(key, draft).then(function () {
      return box.setMeta(pagePointer(), key);
    }).then(function () {
      saving = null;
      keepalive();
      if (dirty) { dirty = false; return saveDraft(); }
    }, function () { saving = null; });
    return saving;
  }

  // accounts' keep-alive: typing a long report keeps the session (hook, once a minute).
  var lastKeepalive = 0;
  function keepalive() {
    if (!cfg.keepalive || !navigator.onLine || Date.now() - lastKeepalive < 60000) { return; }
    lastKeepalive = Date.now();
    var token = form.querySelector('[name="csrfmiddlewaretoken"]');
    fetch(cfg.keepalive, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token ? token.value : "" }
    }).catch(function () { /* offline: nothing to keep alive */ });
  }
  window.pamiluKeepalive = keepalive;

  function ensureRow(name) {
    var match = name.match(/^(act|inc)-(\d+)-/);
    if (!match || form.querySelector('[name="' + name + '"]')) { return; }
    for (var guard = 0; guard < 60 && !form.querySelector('[name="' + name + '"]'); guard++) {
      var before = form.querySelectorAll('[name^="' + match[1] + '-"]').length;
      form.dispatchEvent(new CustomEvent("pamilu:add-row", { bubbles: true, detail: { prefix: match[1] } }));
      if (form.querySelectorAll('[name^="' + match[1] + '-"]').length === before) { break; }
    }
  }

  function restore(draft) {
    var names = Object.keys(draft.values || {});
    names.forEach(ensureRow);
    var changed = false;
    names.forEach(function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      if (!input || input.disabled) { return; }
      var v = draft.values[name];
      if (input.type === "checkbox") {
        if (input.checked !== v) { input.checked = !!v; changed = true; }
      } else if (input.value !== v) {
        input.value = v; changed = true;
        input.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
    if (draft.photo) {
      photo = draft.photo;
      putPhotoInInput(photo);
      changed = true;
    }
    if (changed) { notice(t("restored"), "info", "restored"); }
  }

  function putPhotoInInput(p) {
    var input = form.querySelector('[name="attachment"]');
    if (!input || typeof DataTransfer !== "function") { return; }
    try {
      var transfer = new DataTransfer();
      transfer.items.add(new File([p.blob], p.name, { type: p.type }));
      input.files = transfer.files;
    } catch (e) { /* older browsers: the photo still travels with the queue */ }
  }

  function notice(text, kind, tag) {
    var old = document.querySelector('[data-offline-notice="' + tag + '"]');
    if (old) { old.remove(); }
    var node = el("div", "alert alert-" + kind + " small", text);
    node.setAttribute("data-offline-notice", tag);
    node.setAttribute("role", "status");
    form.parentNode.insertBefore(node, form);
    return node;
  }

  // Photos are made small on the phone: at most 1600 px, JPEG, within the limit.
  function downscale(file) {
    var max = parseInt(cfg.maxBytes, 10) || 5242880;
    if (!/^image\//.test(file.type) || typeof createImageBitmap !== "function") {
      return Promise.resolve(file.size <= max ? { blob: file, name: file.name, type: file.type } : null);
    }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
      var quality = 0.82;
      var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
      function attempt() {
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(bitmap.width * scale));
        canvas.height = Math.max(1, Math.round(bitmap.height * scale));
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); })
          .then(function (blob) {
            if (blob && blob.size <= max) { return { blob: blob, name: name, type: "image/jpeg" }; }
            if (quality > 0.5) { quality -= 0.15; } else { scale *= 0.7; }
            return scale * Math.max(bitmap.width, bitmap.height) < 200 ? null : attempt();
          });
      }
      return attempt();
    }).catch(function () { return null; });
  }

  // --- checks on the phone and the body for the API -----------------------------------

  function rows(prefix, fields) {
    var total = parseInt(value(prefix + "-TOTAL_FORMS"), 10) || 0;
    var found = [];
    for (var i = 0; i < Math.max(total, 60); i++) {
      if (!form.querySelector('[name^="' + prefix + "-" + i + '-"]')) {
        if (i >= total) { break; }
        continue;
      }
      var row = { index: i };
      fields.forEach(function (f) { row[f] = value(prefix + "-" + i + "-" + f); });
      found.push(row);
    }
    return found;
  }

  var ACT = ["kind", "task_force", "count", "personnel", "notes", "DELETE"];
  var INC = ["category", "severity", "time", "place", "description", "action_taken", "deaths",
    "injured_serious", "injured_light", "loss_rupiah", "forwarded_to_gakkumdu", "DELETE"];

  function intOr(v, fallback) { var n = parseInt(v, 10); return isNaN(n) ? fallback : n; }

  function validateAndBuild() {
    var errors = [];
    function need(name, ok, message) { if (!ok) { errors.push({ name: name, message: message || t("required") }); } }
    function nonNegative(name, v, min) {
      if (v === "" || v === undefined) { return; }
      var n = Number(v);
      need(name, Number.isInteger(n) && n >= min, t("min") + " " + min + ".");
    }
    need("operation", !!value("operation"));
    nonNegative("personnel_on_duty", value("personnel_on_duty"), 0);
    Array.prototype.forEach.call(form.elements, function (input) {
      if (input.name && input.willValidate && !input.checkValidity() && input.type !== "file") {
        errors.push({ name: input.name, message: input.validationMessage });
      }
    });
    var activityRows = [];
    var activities = rows("act", ACT).filter(function (r) {
      return !r.DELETE && (r.kind || r.count || r.notes || intOr(r.personnel, 0) > 0);
    }).map(function (r) {
      var p = "act-" + r.index + "-";
      need(p + "kind", !!r.kind);
      need(p + "count", r.count !== "");
      nonNegative(p + "count", r.count, 1);
      nonNegative(p + "personnel", r.personnel, 0);
      activityRows.push(r.index);
      return {
        kind: r.kind, task_force: r.task_force ? intOr(r.task_force, null) : null,
        count: intOr(r.count, 0), personnel: intOr(r.personnel, 0), notes: r.notes || ""
      };
    });
    var day = value("report_date") || today();
    var incidentRows = [];
    var incidents = rows("inc", INC).filter(function (r) {
      return !r.DELETE && (r.category || r.time || r.place || r.description || r.action_taken);
    }).map(function (r) {
      var p = "inc-" + r.index + "-";
      ["category", "time", "place", "description"].forEach(function (f) { need(p + f, !!r[f]); });
      ["deaths", "injured_serious", "injured_light", "loss_rupiah"].forEach(function (f) {
        nonNegative(p + f, r[f], 0);
      });
      incidentRows.push(r.index);
      return {
        category: r.category, severity: r.severity || "hijau",
        occurred_at: day + "T" + (r.time || "00:00") + ":00" + (cfg.zoneOffset || "+07:00"),
        place: r.place, description: r.description, action_taken: r.action_taken || "",
        deaths: intOr(r.deaths, 0), injured_serious: intOr(r.injured_serious, 0),
        injured_light: intOr(r.injured_light, 0), loss_rupiah: intOr(r.loss_rupiah, 0),
        forwarded_to_gakkumdu: !!r.forwarded_to_gakkumdu
      };
    });
    var body = {
      operation: intOr(value("operation"), null),
      personnel_on_duty: intOr(value("personnel_on_duty"), 0),
      summary: value("summary"),
      obstacles: value("obstacles"),
      next_day_plan: value("next_day_plan"),
      activities: activities,
      incidents: incidents
    };
    if (value("report_date")) { body.report_date = value("report_date"); }
    return { errors: errors, body: body, rowMap: { act: activityRows, inc: incidentRows } };
  }

  // "incidents[0].place" (API) -> "inc-<row>-place" (form); "occurred_at" is the time field.
  var rowMap = { act: [], inc: [] };
  function apiFieldToName(field) {
    var m = String(field).match(/^(activities|incidents)\[(\d+)\]\.(\w+)$/);
    if (!m) { return field; }
    var prefix = m[1] === "activities" ? "act" : "inc";
    var index = rowMap[prefix][parseInt(m[2], 10)];
    var name = m[3] === "occurred_at" ? "time" : m[3];
    return prefix + "-" + (index === undefined ? m[2] : index) + "-" + name;
  }

  function clearMarks() {
    form.querySelectorAll("[data-offline-error]").forEach(function (n) { n.remove(); });
    form.querySelectorAll(".is-invalid[data-offline-invalid]").forEach(function (n) {
      n.classList.remove("is-invalid");
      n.removeAttribute("data-offline-invalid");
    });
  }

  function markErrors(errors) {
    if (!form) { return; }
    clearMarks();
    errors.forEach(function (e) {
      var name = e.name || apiFieldToName(e.field || "");
      var input = name && form.querySelector('[name="' + name + '"]');
      if (!input) { return; }
      input.classList.add("is-invalid");
      input.setAttribute("data-offline-invalid", "");
      var message = el("div", "invalid-feedback d-block", e.message);
      message.setAttribute("data-offline-error", name);
      input.insertAdjacentElement("afterend", message);
    });
  }

  // --- "Kirim" and "Simpan draf" without a link ----------------------------------------

  function reachable() {
    return box.session().then(function (who) { return who; }, function () { return null; });
  }

  function queueReport() {
    var built = validateAndBuild();
    if (built.errors.length) {
      markErrors(built.errors);
      notice(t("fix"), "danger", "queued");
      var first = form.querySelector(".is-invalid");
      if (first) { first.focus(); }
      return Promise.resolve(false);
    }
    clearMarks();
    rowMap = built.rowMap;
    var key = currentKey();
    var label = (form.querySelector('[name="operation"] option:checked') || {}).textContent || "";
    label = label.trim() + " · " + dayText(value("report_date") || today());
    return Promise.resolve(photoPending).then(saveDraft).then(function () {
      return box.enqueue({
        id: crypto.randomUUID(),
        user: user,
        draftKey: key,
        path: location.pathname,
        localDate: value("report_date") || today(),
        label: label,
        body: built.body,
        rowMap: built.rowMap,
        labels: labels(),
        photo: photo,
        reportId: editingId(),
        editing: !!editingId()
      });
    }).then(function () {
      notice(t("queued"), "warning", "queued");
      box.requestSync();  // Background Sync where the browser has it (not awaited)
      return renderStatus();
    }).then(function () {
      // Said plainly, where the kapolsek looks: the top of the page, with the queue.
      if (statusEl) { statusEl.scrollIntoView({ block: "start" }); }
      return true;
    });
  }

  function onSubmit(event) {
    var submitter = event.submitter;
    if (!submitter || form.dataset.offlinePass === "1") { return; }
    var action = submitter.value;
    if (action !== "submit" && action !== "save") { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    saveDraft().then(reachable).then(function (who) {
      if (who && who.authenticated && String(who.user) === String(user)) {
        // The server answers: the normal form post. The local copy goes once the server
        // has taken it (the next page is not this form again, see forgetPosted).
        form.dataset.offlinePass = "1";
        return box.setMeta("posted:" + user, { key: currentKey(), path: location.pathname }).then(function () {
          form.requestSubmit(submitter);
        });
      }
      if (action === "save") {
        notice(t("draftOffline"), "warning", "queued");
        return;
      }
      return queueReport();
    });
  }

  // After a normal post: the form again (with the server's errors) keeps the local copy;
  // any other page (the report, after the redirect) means the server has it.
  function forgetPosted() {
    if (!user) { return Promise.resolve(); }
    var marker = "posted:" + user;
    return box.getMeta(marker).then(function (posted) {
      if (!posted || form) { return box.setMeta(marker, null); }
      // The server has the report: this page's draft and anything queued from it go.
      // The marker goes last, so a page left before the cleanup ends repeats it on the next.
      return box.deleteDraft(posted.key).then(box.items).then(function (all) {
        return Promise.all(all.filter(function (it) {
          return String(it.user) === String(user) && it.path === posted.path;
        }).map(function (it) { return box.removeItem(it.id); }));
      }).then(function () {
        return box.setMeta(marker, null);
      }).then(renderStatus);
    });
  }
  forgetPosted();

  if (form && user) {
    form.addEventListener("input", function () { saveDraft(); });
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.name === "attachment" && target.files && target.files[0]) {
        photoPending = downscale(target.files[0]).then(function (p) {
          photoPending = null;
          if (!p) { notice(t("photoBig"), "danger", "photo"); return; }
          photo = p;
          return saveDraft();
        });
        return;
      }
      saveDraft();
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { saveDraft(); }
    });
    window.addEventListener("pagehide", function () { saveDraft(); });
    form.addEventListener("submit", onSubmit, true);
    box.getMeta(pagePointer()).then(function (key) {
      return box.getDraft(key || currentKey());
    }).then(function (draft) {
      if (draft) { restore(draft); }
      return box.items();
    }).then(function (all) {
      var mine = all.filter(function (it) { return it.draftKey === currentKey(); })[0];
      if (mine && mine.rowMap) { rowMap = mine.rowMap; }
      form.setAttribute("data-offline-ready", "");
      return renderStatus();
    });
  } else {
    renderStatus();
  }

  // --- sign-out wipes this phone's copies ----------------------------------------------

  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (!target.action || !/\/accounts\/logout\/$/.test(new URL(target.action, location.href).pathname)) { return; }
    if (target.dataset.wiped === "1") { return; }
    event.preventDefault();
    box.items().then(function (all) {
      var pending = all.filter(function (it) { return String(it.user) === String(user); });
      if (pending.length && !window.confirm(t("logoutQueue"))) { return; }
      return Promise.all([
        box.wipe(user),
        window.caches ? caches.delete(PAGE_CACHE) : null
      ]).then(function () {
        target.dataset.wiped = "1";
        target.submit();
      });
    });
  }, true);

  // --- delivery: now, when the link returns, when a retry is due -----------------------

  var timer = null;
  function deliver(force) {
    if (!user) { return Promise.resolve(); }
    return box.deliverAll({ force: force === true }).then(function (result) {
      renderStatus();
      if (result && result.sent && form) {
        var done = (result.items || []).filter(function (it) { return it.draftKey === currentKey(); })[0];
        if (done) {
          notice(t("sent"), "success", "queued");
          photo = null;
        }
      }
      return box.items();
    }).then(function (all) {
      var next = all.filter(function (it) { return it.state === "waiting"; })
        .map(function (it) { return it.nextAt || 0; }).sort()[0];
      clearTimeout(timer);
      if (next !== undefined) {
        timer = setTimeout(deliver, Math.max(1000, next - Date.now()));
      }
    }).catch(function () { /* try again on the next event */ });
  }
  window.addEventListener("online", function () { deliver(true); });
  if (box.channel) {
    box.channel.addEventListener("message", function () { renderStatus(); });
  }
  swReady.then(function () { return deliver(true); });
  window.pamiluOffline = {
    deliver: function () { return deliver(true); },
    renderStatus: renderStatus,
    saveDraft: saveDraft,
    draft: function () { return form ? box.getDraft(currentKey()) : Promise.resolve(null); }
  };
})();
