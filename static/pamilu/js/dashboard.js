/* Command-center dashboard: draws the trend charts (Chart.js) and the map (Leaflet)
 * from the JSON that the server puts in #dashboard-data, and redraws them when htmx
 * swaps in fresh panels. The canvases and the map are kept across swaps (hx-preserve).
 * Markers are vector circles, so the map draws them even when no tile can load. */
(function () {
  "use strict";

  // htmx would add its indicator <style> element, which the strict CSP refuses.
  if (window.htmx) { window.htmx.config.includeIndicatorStyles = false; }

  var COLORS = {
    on_time: "#198754",
    late: "#ffc107",
    missing: "#dc3545",
    personnel: "#0d6efd",
    vulnerability: {
      kurang_rawan: "#198754",
      rawan: "#ffc107",
      sangat_rawan: "#dc3545",
      khusus: "#6f42c1"
    },
    post: "#0d6efd",
    severity: { hijau: "#198754", kuning: "#ffc107", merah: "#dc3545" },
    categories: ["#5a1f1f", "#0d6efd", "#fd7e14", "#20c997", "#6f42c1", "#d63384",
                 "#6c757d", "#198754", "#ffc107", "#0dcaf0", "#343a40"]
  };

  var charts = {};
  var map = null;
  var markerLayer = null;

  function readData() {
    var el = document.getElementById("dashboard-data");
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function upsertChart(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas || typeof Chart === "undefined") { return; }
    var existing = charts[id];
    if (existing && existing.canvas === canvas) {
      existing.data = config.data;
      existing.update("none");
      return;
    }
    if (existing) { existing.destroy(); }
    charts[id] = new Chart(canvas, config);
  }

  function baseOptions(stacked) {
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      scales: {
        x: { stacked: stacked, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
        y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } }
      }
    };
  }

  function shortDays(days) {
    return days.map(function (d) { return d.slice(8, 10) + "/" + d.slice(5, 7); });
  }

  function drawCharts(data) {
    var t = data.trends || {};
    var labels = data.labels || {};
    var days = shortDays(t.days || []);
    upsertChart("chart-compliance", {
      type: "bar",
      data: {
        labels: days,
        datasets: [
          { label: labels.on_time, data: t.on_time || [], backgroundColor: COLORS.on_time },
          { label: labels.late, data: t.late || [], backgroundColor: COLORS.late },
          { label: labels.missing, data: t.missing || [], backgroundColor: COLORS.missing }
        ]
      },
      options: baseOptions(true)
    });
    upsertChart("chart-personnel", {
      type: "line",
      data: {
        labels: days,
        datasets: [{
          label: labels.personnel, data: t.personnel || [], borderColor: COLORS.personnel,
          backgroundColor: COLORS.personnel, tension: 0.2, pointRadius: 2
        }]
      },
      options: baseOptions(false)
    });
    upsertChart("chart-incidents", {
      type: "bar",
      data: {
        labels: days,
        datasets: (t.incidents || []).map(function (cat, i) {
          return {
            label: cat.label, data: cat.counts,
            backgroundColor: COLORS.categories[i % COLORS.categories.length]
          };
        })
      },
      options: baseOptions(true)
    });
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function drawMap(data) {
    var el = document.getElementById("dashboard-map");
    if (!el || typeof L === "undefined") { return; }
    if (!map || map.getContainer() !== el) {
      if (map) { map.remove(); }
      map = L.map(el, { zoomControl: true, attributionControl: true, preferCanvas: false });
      var tileUrl = el.getAttribute("data-tile-url");
      if (tileUrl) {
        L.tileLayer(tileUrl, { maxZoom: 18 }).addTo(map);
      }
      markerLayer = L.featureGroup().addTo(map);
      map.setView([-2.5, 118], 5);
    }
    markerLayer.clearLayers();
    var m = data.map || {};
    var labels = data.labels || {};
    var vulnLabels = labels.vulnerability || {};
    var kindLabels = labels.post_kind || {};
    (m.posts || []).forEach(function (p) {
      var isTps = p.kind === "tps";
      var color = isTps ? (COLORS.vulnerability[p.vulnerability] || COLORS.post) : COLORS.post;
      L.circleMarker([p.lat, p.lng], {
        radius: isTps ? 4 : 6, color: "#333", weight: 1, fillColor: color, fillOpacity: 0.85,
        className: "dash-marker dash-post vuln-" + p.vulnerability
      }).bindTooltip(
        escapeHtml(p.name) + "<br>" + escapeHtml(isTps ? vulnLabels[p.vulnerability] : kindLabels[p.kind])
      ).addTo(markerLayer);
    });
    (m.incidents || []).forEach(function (inc) {
      L.circleMarker([inc.lat, inc.lng], {
        radius: 9, color: "#000", weight: 3,
        fillColor: COLORS.severity[inc.severity] || "#fff", fillOpacity: 0.9,
        className: "dash-marker dash-incident"
      }).bindTooltip(escapeHtml(inc.category) + ": " + escapeHtml(inc.place)).addTo(markerLayer);
    });
    (m.units || []).forEach(function (u) {
      var text = escapeHtml(u.name) + (u.total ? " · " + (u.total - u.missing) + "/" + u.total : "");
      if (m.aggregated) {
        // Above a Polres: one marker per unit, sized by its TPS, coloured by the most
        // vulnerable level it holds, ringed red while reports are missing.
        var detail = text + "<br>" + (u.tps || 0) + " TPS" +
          (u.worst ? " · " + escapeHtml(vulnLabels[u.worst] || u.worst) : "") +
          (u.incidents_today ? "<br>" + escapeHtml(labels.incidents) + ": " + u.incidents_today : "");
        L.circleMarker([u.lat, u.lng], {
          radius: Math.max(6, Math.min(24, 4 + Math.sqrt(u.tps || 0) / 6)),
          color: u.missing ? COLORS.missing : "#212529", weight: u.incidents_today ? 4 : 2,
          fillColor: COLORS.vulnerability[u.worst] || COLORS.post, fillOpacity: 0.7,
          className: "dash-marker dash-unit dash-aggregate"
        }).bindTooltip(detail).addTo(markerLayer);
        return;
      }
      L.circleMarker([u.lat, u.lng], {
        radius: 5, color: "#212529", weight: 2, fillColor: "#fff", fillOpacity: 1,
        className: "dash-marker dash-unit"
      }).bindTooltip(text, {
        permanent: true, direction: "right", className: "dash-unit-label" + (u.missing ? " has-missing" : "")
      }).addTo(markerLayer);
    });
    map.invalidateSize();
    if (markerLayer.getLayers().length && !el.getAttribute("data-fitted")) {
      map.fitBounds(markerLayer.getBounds(), { padding: [20, 20], maxZoom: 12 });
      el.setAttribute("data-fitted", "1");
    }
  }

  var drawn = null;  // the JSON last drawn, and where

  function render() {
    var el = document.getElementById("dashboard-data");
    if (!el) { return; }
    var mapEl = document.getElementById("dashboard-map");
    var canvas = document.getElementById("chart-compliance");
    if (drawn && drawn.text === el.textContent && drawn.map === mapEl && drawn.canvas === canvas) {
      return;  // a poll that moved other panels: charts and map stay as they are
    }
    var data = readData();
    if (!data) { return; }
    drawCharts(data);
    drawMap(data);
    drawn = { text: el.textContent, map: mapEl, canvas: canvas };
  }

  document.addEventListener("DOMContentLoaded", render);
  // The poll says which panels the page holds; the server sends back only those that
  // moved, swapped out of band (dashboard/panels.py).
  document.body.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    var held = document.getElementById("dashboard-panel-digests");
    if (!elt || elt.id !== "dashboard-panels" || !held) { return; }
    event.detail.headers["X-Dashboard-Panels"] = held.getAttribute("data-digests") || "";
  });
  // After a refresh of the panels (not the readiness panel), redraw from the new data.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt;
    if (target && target.id === "readiness-panel") { return; }
    render();
  });
  document.body.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "panel-data") { render(); }
  });
})();
