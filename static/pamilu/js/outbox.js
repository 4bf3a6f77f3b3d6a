// pamilu offline store and outbox, shared by the pages (offline.js) and the service
// worker (sw.js). IndexedDB through idb (vendor/idb-8.0.4/umd.js, global `idb`).
//
// Stores: "drafts" (the report being typed, key user|operation|date), "outbox" (reports
// waiting to be delivered, keyPath id = the Idempotency-Key made on the phone) and
// "meta" (last sync per user, which draft belongs to which page, whose pages the
// worker's page cache holds).
//
// Delivery goes through /api/v1/ with session auth and a fresh CSRF token from
// /pwa/session/. A report without a photo goes in ONE request: POST reports/ with
// "submit": true (key id:send), or, for an existing draft or returned report being
// edited, PATCH reports/<id>/ with "submit": true (id:send). A photo can only go on a
// draft, so a report with one goes in steps: create the draft (id:create) or PATCH its
// changes (id:update), the photo (id:attach), then submit (id:submit). Every step is
// stored as it succeeds, and each carries its own key, so a delivery cut anywhere and
// repeated by the page and the service worker at once still makes one report with one
// photo, sent once. A 400 "duplicate" at create or a 409 is a conflict (the report was
// sent from another device, or returned): shown, never overwritten.
//
// Warnings (422, code "confirm_warnings") put the item in state "confirm"; once the
// kapolsek confirms them (confirm()), the same item goes again with their codes in
// confirm_warnings, under a key naming them (id:send+code, id:submit+code): the server
// refuses a key reused with another body.
(function (root) {
  "use strict";

  var DB_NAME = "pamilu";
  var SYNC_TAG = "pamilu-outbox";
  var config = { session: "/pwa/session/", api: "/api/v1/" };
  var dbPromise = null;
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("pamilu-outbox") : null;

  function db() {
    if (!dbPromise) {
      dbPromise = root.idb.openDB(DB_NAME, 1, {
        upgrade: function (database) {
          database.createObjectStore("drafts");
          database.createObjectStore("outbox", { keyPath: "id" });
          database.createObjectStore("meta");
        }
      });
    }
    return dbPromise;
  }

  function now() { return Date.now(); }

  // --- drafts and meta ---------------------------------------------------------------

  function draftKey(user, operation, date) {
    return [user, operation || "-", date || "-"].join("|");
  }

  function getDraft(key) { return db().then(function (d) { return d.get("drafts", key); }); }
  function putDraft(key, draft) { return db().then(function (d) { return d.put("drafts", draft, key); }); }
  function deleteDraft(key) { return db().then(function (d) { return d.delete("drafts", key); }); }
  function getMeta(key) { return db().then(function (d) { return d.get("meta", key); }); }
  function setMeta(key, value) { return db().then(function (d) { return d.put("meta", value, key); }); }

  // --- outbox ------------------------------------------------------------------------

  function items() { return db().then(function (d) { return d.getAll("outbox"); }); }
  function saveItem(item) { return db().then(function (d) { return d.put("outbox", item); }); }
  function removeItem(id) { return db().then(function (d) { return d.delete("outbox", id); }); }

  function notify(message) {
    if (channel) { channel.postMessage(message); }
  }

  // Queue a report. A report queued again from the same draft (after a fix) replaces
  // the waiting one and keeps what the server already has (the report's id).
  function enqueue(item) {
    return items().then(function (all) {
      var previous = all.filter(function (it) { return it.draftKey === item.draftKey; })[0];
      if (previous) {
        item.reportId = item.reportId || previous.reportId || null;
        if (previous.reportId && !previous.submitted) { item.editing = true; }
        if (previous.attached) { item.photo = null; }
      }
      item.state = "waiting";
      item.attempts = 0;
      item.nextAt = 0;
      item.queuedAt = now();
      return (previous ? removeItem(previous.id) : Promise.resolve())
        .then(function () { return saveItem(item); })
        .then(function () { notify({ type: "changed" }); return item; });
    });
  }

  function requestSync() {
    var sw = root.navigator && root.navigator.serviceWorker;
    if (!sw || !root.document) { return Promise.resolve(false); }
    return sw.ready.then(function (registration) {
      if (!registration.sync) { return false; }
      return registration.sync.register(SYNC_TAG).then(function () { return true; });
    }).catch(function () { return false; });
  }

  // --- HTTP --------------------------------------------------------------------------

  function timeoutFetch(url, options, ms) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, ms) : null;
    if (controller) { options.signal = controller.signal; }
    return fetch(url, options).then(function (response) {
      if (timer) { clearTimeout(timer); }
      return response;
    }, function (error) {
      if (timer) { clearTimeout(timer); }
      throw error;
    });
  }

  function session() {
    return timeoutFetch(config.session, {
      credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" }
    }, 15000).then(function (response) {
      if (!response.ok) {
        var error = new Error("session " + response.status);
        error.status = response.status;
        error.retryAfter = response.headers.get("Retry-After");
        throw error;
      }
      return response.json();
    });
  }

  function call(method, path, csrf, key, body) {
    var headers = { Accept: "application/json", "X-CSRFToken": csrf };
    if (key) { headers["Idempotency-Key"] = key; }
    var payload = body;
    if (body && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    return timeoutFetch(config.api + path, {
      method: method, credentials: "same-origin", headers: headers, body: payload, cache: "no-store"
    }, 60000).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: response.status, data: data, retryAfter: response.headers.get("Retry-After") };
      });
    }, function () {
      return { status: 0, data: null, retryAfter: null };  // no link (or it timed out)
    });
  }

  function backoff(attempts, retryAfter) {
    var seconds = parseInt(retryAfter, 10);
    if (!isNaN(seconds) && seconds >= 0) { return seconds * 1000; }
    if (retryAfter) {
      var at = Date.parse(retryAfter);
      if (!isNaN(at)) { return Math.max(0, at - now()); }
    }
    var base = Math.min(600000, 5000 * Math.pow(2, Math.min(attempts, 7)));
    return base / 2 + Math.random() * base / 2;
  }

  // What an answer means for the queued report.
  function classify(result, step) {
    var status = result.status;
    var data = result.data || {};
    if (status === 0 || status === 429 || status >= 500) {
      return { outcome: "retry", status: status, retryAfter: result.retryAfter };
    }
    if (status === 401 || (status === 403 && /not_authenticated|authentication_failed/.test(data.code || ""))) {
      return { outcome: "auth", status: status };
    }
    if (status === 403 && /csrf/i.test(data.detail || "")) {
      return { outcome: "retry", status: status, retryAfter: "1" };
    }
    var errors = data.errors || [];
    // Warnings to confirm (code "confirm_warnings"), never a reused key's 422 (its code is
    // "idempotency_key_reused": shown as an error).
    if (status === 422 && data.code === "confirm_warnings" && (data.warnings || []).length) {
      return { outcome: "confirm", status: status, detail: data.detail || "", errors: [], warnings: data.warnings };
    }
    var duplicate = step === "create" && errors.some(function (e) { return e.code === "duplicate"; });
    if (status === 409 || duplicate) {
      return { outcome: "conflict", status: status, detail: data.detail || "", errors: errors };
    }
    return { outcome: "error", status: status, detail: data.detail || "", errors: errors, code: data.code || "" };
  }

  // A step's Idempotency-Key. The steps that send carry the confirmed warnings' codes in
  // their key: a resend whose body changed needs a key of its own (the server refuses a
  // reused key with another body), and page and worker make the same key for the same body.
  function stepKey(item, name) {
    var codes = name === "send" || name === "submit" ? confirmed(item) : [];
    return item.id + ":" + name + (codes.length ? "+" + codes.join("+") : "");
  }

  function confirmed(item) { return (item.confirm_warnings || []).slice().sort(); }

  // The body that sends: the report's fields (or nothing, for submit) with "submit": true
  // and the confirmed warnings' codes.
  function sending(item, fields) {
    var body = Object.assign({}, fields || {});
    if (fields) { body.submit = true; }
    if (confirmed(item).length) { body.confirm_warnings = confirmed(item); }
    return body;
  }

  function changes(item) {
    var fields = Object.assign({}, item.body);
    delete fields.operation; delete fields.report_date; delete fields.unit;
    return fields;
  }

  function step(item, csrf) {
    var next = function () { return saveItem(item).then(function () { return step(item, csrf); }); };
    var photoLeft = !!item.photo && !item.attached;
    var done = function () {
      item.submitted = true;
      return { outcome: "done", status: 200 };
    };
    if (!item.reportId) {
      // No photo: create and send in one request. A photo goes on a draft first.
      var create = photoLeft ? item.body : sending(item, item.body);
      return call("POST", "reports/", csrf, stepKey(item, photoLeft ? "create" : "send"), create)
        .then(function (r) {
          if (r.status === 201 && r.data) {
            item.reportId = r.data.id;
            item.updated = true;
            return photoLeft ? next() : done();
          }
          if (r.status === 400) { return existing(item, r); }
          return classify(r, "create");
        });
    }
    if (item.editing && !item.updated) {
      // An existing draft or returned report: its changes, sent in the same request when
      // there is no photo to attach first.
      var patch = photoLeft ? changes(item) : sending(item, changes(item));
      return call("PATCH", "reports/" + item.reportId + "/", csrf,
        stepKey(item, photoLeft ? "update" : "send"), patch).then(function (r) {
        if (r.status === 200) {
          item.updated = true;
          return photoLeft ? next() : done();
        }
        return classify(r, "update");
      });
    }
    if (photoLeft) {
      var form = new FormData();
      form.append("file", item.photo.blob, item.photo.name);
      return call("POST", "reports/" + item.reportId + "/attachments/", csrf, stepKey(item, "attach"), form)
        .then(function (r) {
          if (r.status === 201) {
            item.attached = true;
            return next();
          }
          return classify(r, "attach");
        });
    }
    var codes = sending(item, null);
    return call("POST", "reports/" + item.reportId + "/submit/", csrf, stepKey(item, "submit"),
      codes.confirm_warnings ? codes : null).then(function (r) {
      if (r.status === 200) { return done(); }
      return classify(r, "submit");
    });
  }

  // Refused at create: is there already a report for this operation and day (sent from
  // another device, or returned meanwhile)? Then it is a conflict, never overwritten.
  function existing(item, refused) {
    var query = "reports/?operation=" + encodeURIComponent(item.body.operation) +
      (item.body.report_date ? "&report_date=" + encodeURIComponent(item.body.report_date) : "");
    return call("GET", query, "", null, null).then(function (r) {
      var found = r.status === 200 && r.data && (r.data.results || []).filter(function (rep) {
        return !item.body.report_date || rep.report_date === item.body.report_date;
      });
      var today = found && item.body.report_date ? found : (found || []).filter(function (rep) {
        return rep.report_date === item.localDate;
      });
      if (today && today.length) {
        item.conflictWith = today[0].id;
        return { outcome: "conflict", status: 409, detail: refused.data && refused.data.detail, errors: [] };
      }
      return classify(refused, "create");
    });
  }

  // The kapolsek confirmed a queued report's warnings: it goes again, the same item, with
  // their codes in confirm_warnings (and so under a key of its own, see stepKey).
  function confirm(id, codes) {
    return db().then(function (d) { return d.get("outbox", id); }).then(function (item) {
      if (!item) { return null; }
      var all = (item.confirm_warnings || []).concat(codes || []);
      item.confirm_warnings = all.filter(function (c, i) { return c && all.indexOf(c) === i; }).sort();
      item.state = "waiting";
      item.attempts = 0;
      item.nextAt = 0;
      item.lastError = null;
      return saveItem(item).then(function () { notify({ type: "changed" }); return item; });
    });
  }

  function withLock(fn) {
    var locks = root.navigator && root.navigator.locks;
    if (locks && locks.request) { return locks.request("pamilu-outbox", fn); }
    return fn();
  }

  // force: the link just came back or the app was opened: a report that waits only
  // because there was no link goes now; a server's Retry-After is still honoured.
  function deliverAll(options) {
    var force = !!(options && options.force);
    return withLock(function () {
      return items().then(function (all) {
        var due = all.filter(function (it) {
          if (["waiting", "sending", "auth"].indexOf(it.state) === -1) { return false; }
          var noLink = !it.lastError || !it.lastError.status;
          return (it.nextAt || 0) <= now() || (force && noLink);
        });
        var later = all.some(function (it) {
          return it.state === "waiting" && it.nextAt > now() && due.indexOf(it) === -1;
        });
        if (!due.length) { return { retry: later, sent: 0 }; }
        notify({ type: "sending" });
        return session().then(function (who) {
          return deliverItems(due, who).then(function (result) {
            result.retry = result.retry || later;
            return result;
          });
        }, function (error) {
          // No link (or the server is down): every due report waits, with backoff.
          return Promise.all(due.map(function (it) {
            it.attempts = (it.attempts || 0) + 1;
            it.nextAt = now() + backoff(it.attempts, error.retryAfter);
            it.state = "waiting";
            it.lastError = { status: error.status || 0 };
            return saveItem(it);
          })).then(function () { return setMeta("lastAttempt", now()); })
            .then(function () { notify({ type: "changed" }); return { retry: true, sent: 0 }; });
        });
      });
    });
  }

  function deliverItems(due, who) {
    var sent = [];
    var retry = false;
    var chain = Promise.resolve();
    due.forEach(function (item) {
      chain = chain.then(function () {
        if (retry) { return; }
        if (!who.authenticated || String(who.user) !== String(item.user)) {
          item.state = "auth";  // waits for its user's next sign-in; never dropped
          return saveItem(item);
        }
        item.state = "sending";
        return saveItem(item).then(function () { return step(item, who.csrf); }).then(function (r) {
          item.lastStatus = r.status;
          if (r.outcome === "done") {
            sent.push({ id: item.id, draftKey: item.draftKey, reportId: item.reportId });
            return removeItem(item.id).then(function () { return deleteDraft(item.draftKey); });
          }
          if (r.outcome === "retry") {
            retry = true;
            item.state = "waiting";
            item.attempts = (item.attempts || 0) + 1;
            item.nextAt = now() + backoff(item.attempts, r.retryAfter);
          } else {
            item.state = r.outcome;  // "auth", "conflict", "confirm" or "error": shown on the page
            item.attempts = 0;
            item.nextAt = 0;
          }
          item.lastError = {
            status: r.status, detail: r.detail || "", errors: r.errors || [], warnings: r.warnings || []
          };
          return saveItem(item);
        });
      });
    });
    return chain.then(function () {
      return setMeta("lastAttempt", now());
    }).then(function () {
      return retry ? null : setMeta("lastSync:" + who.user, now());
    }).then(function () {
      notify({ type: sent.length ? "sent" : "changed", sent: sent });
      return { retry: retry, sent: sent.length, items: sent };
    });
  }

  // Everything this phone keeps for one user: at sign-out. Another user's drafts and
  // queued reports (a shared phone) stay; they wait for that user's next sign-in.
  function mine(user, key) {
    var u = String(user);
    key = String(key);
    return key.indexOf(u + "|") === 0 || key.slice(-u.length - 1) === ":" + u ||
      key.indexOf(":" + u + ":") !== -1;
  }

  function wipe(user) {
    if (user === undefined || user === null || user === "") { return Promise.resolve(); }
    return db().then(function (d) {
      var tx = d.transaction(["drafts", "outbox", "meta"], "readwrite");
      var work = [tx.objectStore("drafts").getAllKeys().then(function (keys) {
        return Promise.all(keys.filter(function (k) { return mine(user, k); }).map(function (k) {
          return tx.objectStore("drafts").delete(k);
        }));
      }), tx.objectStore("outbox").getAll().then(function (all) {
        return Promise.all(all.filter(function (it) { return String(it.user) === String(user); })
          .map(function (it) { return tx.objectStore("outbox").delete(it.id); }));
      }), tx.objectStore("meta").getAllKeys().then(function (keys) {
        return Promise.all(keys.filter(function (k) { return mine(user, k); }).map(function (k) {
          return tx.objectStore("meta").delete(k);
        }));
      })];
      return Promise.all(work.concat([tx.done]));
    }).then(function () { notify({ type: "changed" }); });
  }

  root.pamiluOutbox = {
    configure: function (options) { Object.assign(config, options || {}); },
    draftKey: draftKey,
    getDraft: getDraft,
    putDraft: putDraft,
    deleteDraft: deleteDraft,
    getMeta: getMeta,
    setMeta: setMeta,
    items: items,
    removeItem: removeItem,
    enqueue: enqueue,
    confirm: confirm,
    requestSync: requestSync,
    deliverAll: deliverAll,
    session: session,
    wipe: wipe,
    channel: channel
  };
})(self);
