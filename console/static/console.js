// Understudy web console: live updates without reloading the page.
// Loaded from the console itself (no inline script: the Content Security
// Policy forbids it). Without it every page still works; it only stops
// updating by itself.
"use strict";
(function () {
  var POLL_MS = 1000;
  var RETRY_MS = 3000;

  function expired() {
    location.assign("/login?expired");
  }

  function setState(el, text, lost) {
    if (!el || el.textContent === text) return;
    el.textContent = text;
    el.classList.toggle("lost", lost);
  }

  function get(url) {
    return fetch(url, {
      credentials: "same-origin",
      cache: "no-store",
      redirect: "error",
      headers: { "Accept": "text/html" }
    });
  }

  // replace puts html in el, keeping the keyboard focus on the element
  // with the same id, if it is still there.
  function replace(el, html) {
    var active = document.activeElement;
    var id = active && active !== document.body && el.contains(active) ? active.id : "";
    el.innerHTML = html;
    if (id) {
      var again = document.getElementById(id);
      if (again) again.focus();
    }
  }

  // live keeps el ([data-live]) up to date with what its URL answers,
  // asked every second while the page is visible.
  function live(el) {
    var state = document.getElementById("live-state");
    var last = null;
    function tick() {
      if (document.hidden) {
        setTimeout(tick, POLL_MS);
        return;
      }
      get(el.dataset.live).then(function (r) {
        if (r.status === 401) {
          expired();
          return null;
        }
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      }).then(function (text) {
        if (text === null) return;
        if (text !== last) {
          replace(el, text);
          last = text;
        }
        el.dataset.updates = (parseInt(el.dataset.updates, 10) || 0) + 1;
        setState(state, "Live: updated every second.", false);
        setTimeout(tick, POLL_MS);
      }).catch(function (e) {
        setState(state, "Connection to the node lost (" + e.message + "): retrying.", true);
        setTimeout(tick, RETRY_MS);
      });
    }
    setTimeout(tick, POLL_MS);
  }

  // tail adds the log records newer than the newest row to tbody
  // ([data-tail]): the server holds each request until one comes.
  function tail(tbody) {
    var pause = document.getElementById("tail-pause");
    var state = document.getElementById("tail-state");
    var max = parseInt(tbody.dataset.max, 10) || 200;
    function tick() {
      if (document.hidden || (pause && pause.checked)) {
        setState(state, pause && pause.checked ? "Paused." : "", false);
        setTimeout(tick, POLL_MS);
        return;
      }
      var first = tbody.querySelector("tr");
      var since = first ? first.dataset.time : tbody.dataset.since;
      var after = first ? first.dataset.id : "0";
      var url = tbody.dataset.tail + (tbody.dataset.tail.indexOf("?") >= 0 ? "&" : "?") +
        "since=" + encodeURIComponent(since) + "&after=" + encodeURIComponent(after);
      setState(state, "Live tail: waiting for new lines.", false);
      get(url).then(function (r) {
        if (r.status === 401) {
          expired();
          return null;
        }
        if (r.status === 204) return "";
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      }).then(function (html) {
        if (html === null) return;
        if (html !== "") {
          var t = document.createElement("template");
          t.innerHTML = html;
          tbody.querySelectorAll("tr.new").forEach(function (tr) { tr.classList.remove("new"); });
          t.content.querySelectorAll("tr").forEach(function (tr) { tr.classList.add("new"); });
          tbody.prepend(t.content);
          while (tbody.rows.length > max) tbody.deleteRow(-1);
          var empty = document.getElementById("log-empty");
          if (empty) empty.remove();
        }
        setTimeout(tick, POLL_MS);
      }).catch(function (e) {
        setState(state, "Live tail stopped (" + e.message + "): retrying.", true);
        setTimeout(tick, RETRY_MS);
      });
    }
    tick();
  }

  document.querySelectorAll("[data-live]").forEach(live);
  document.querySelectorAll("[data-tail]").forEach(tail);
})();
