/* Working without a signal (README "On the phone").
 *
 * 1. The offline banner (#offline-banner in base.html): shown while the
 *    browser is offline or an htmx request could not reach the server, so a
 *    tap never fails silently; hidden when the connection returns.
 * 2. The offline queue, for every form marked
 *      <form data-offline-queue hx-post="…"> with a hidden client_key field
 *    (the visit form, on the factory page and on My day). When the browser
 *    is offline, or the request cannot be sent (htmx:sendError), the form's
 *    fields are kept in localStorage with their client_key, the form says
 *    "waiting to send" and is drawn afresh for the next entry (a new key). The
 *    queue is sent, oldest first, on the `online` event, on every page load
 *    and every RETRY_MS while something waits, with the page's CSRF token.
 *    The server accepts each client_key once, so sending an entry twice
 *    (an answer lost on the way back) never makes a second row.
 *    Answers: 2xx -> sent (swapped into the page it was logged on, like
 *    htmx would; elsewhere a message); 409/422 -> the form with its
 *    messages and the input kept (on its page) or a message; any other
 *    4xx -> a message, dropped; no answer or 5xx -> kept for the next try;
 *    signed out -> kept until the user signs in again. Each entry is
 *    sent only while the user who logged it is signed in (<body
 *    data-offline-user>), never under someone else's session.
 *    A field named in data-offline-time-field (visited_at) is filled with
 *    the moment of queueing when left empty, so "now" means when it
 *    happened, not when the signal came back.
 * No service worker: nothing here needs one, and no page is ever cached.
 */
(function () {
  "use strict";

  var STORE = "superfactory.offline-queue.v1";
  var RETRY_MS = 20000;
  var sentHere = {};   // form action URL -> times sent during this page view
  var flushing = false;
  var retryTimer = null;

  /* --- storage ------------------------------------------------------------ */
  function load() {
    try { return JSON.parse(window.localStorage.getItem(STORE)) || []; }
    catch (error) { return []; }
  }

  function save(entries) { window.localStorage.setItem(STORE, JSON.stringify(entries)); }

  /* Entries belong to the user who logged them (a shared phone): only theirs
   * are shown and sent, while they are the one signed in. */
  function mine() {
    var user = document.body.getAttribute("data-offline-user");
    return user ? load().filter(function (e) { return e.user === user; }) : [];
  }

  function remove(key) { save(load().filter(function (e) { return e.key !== key; })); }

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  /* --- what the page says -------------------------------------------------- */
  function text(name) { return document.body.getAttribute("data-offline-" + name) || ""; }

  function banner(show) {
    var box = document.getElementById("offline-banner");
    if (box) { box.hidden = !show; }
  }

  function flash(message, kind) {
    var box = document.getElementById("flash");
    if (!box) { return; }
    var p = document.createElement("p");
    p.className = "flash flash-" + kind;
    p.textContent = message;
    box.replaceChildren(p);
  }

  function clock(time) {
    return new Date(time).toLocaleTimeString(document.documentElement.lang,
                                             { hour: "2-digit", minute: "2-digit" });
  }

  function actionOf(form) { return form.getAttribute("hx-post") || form.getAttribute("action"); }

  function formFor(url) {
    return Array.prototype.find.call(document.querySelectorAll("form[data-offline-queue]"),
                                     function (form) { return actionOf(form) === url; });
  }

  /* Each queue form's status line: its entries waiting, then those sent
   * during this page view. */
  function renderStatus() {
    var entries = mine();
    document.querySelectorAll("form[data-offline-queue]").forEach(function (form) {
      var status = form.querySelector("[data-offline-status]");
      if (!status) { return; }
      var action = actionOf(form);
      var lines = entries.filter(function (e) { return e.url === action; }).map(function (e) {
        return ["waiting", status.getAttribute("data-text-waiting") + " · " + clock(e.queuedAt)];
      }).concat((sentHere[action] || []).map(function (time) {
        return ["sent", status.getAttribute("data-text-sent") + " · " + clock(time)];
      }));
      status.replaceChildren.apply(status, lines.map(function (line) {
        var p = document.createElement("p");
        p.className = "offline-" + line[0];
        p.setAttribute("data-offline-state", line[0]);
        p.textContent = line[1];
        return p;
      }));
      status.hidden = !lines.length;
    });
  }

  /* --- queueing -------------------------------------------------------------- */
  function queue(form) {
    var keyField = form.querySelector("input[name=client_key]");
    if (!keyField) { return false; }
    if (!keyField.value) { keyField.value = newKey(); }
    var fields = new URLSearchParams(new FormData(form));
    var timeName = form.getAttribute("data-offline-time-field");
    if (timeName && !fields.get(timeName)) { fields.set(timeName, new Date().toISOString()); }
    var entry = { key: keyField.value, url: actionOf(form), body: fields.toString(),
                  user: document.body.getAttribute("data-offline-user"),
                  page: window.location.pathname, queuedAt: Date.now() };
    try {
      save(load().filter(function (e) { return e.key !== entry.key; }).concat([entry]));
    } catch (error) {  // storage full or refused (a private window): say so, keep the form
      flash(text("unkept"), "error");
      return false;
    }
    form.dispatchEvent(new CustomEvent("offline:queued", { bubbles: true, detail: entry }));
    startOver(form);
    renderStatus();
    scheduleRetry();
    return true;
  }

  /* The form as the server drew it (kept when first seen), with a new
   * client_key: ready for the next entry, as after a successful post. */
  function remember(root) {
    root.querySelectorAll("form[data-offline-queue]").forEach(function (form) {
      if (!form.pristine) { form.pristine = form.outerHTML; }
    });
  }

  function startOver(form) {
    var fresh = document.createElement("template");
    fresh.innerHTML = form.pristine || form.outerHTML;
    var key = fresh.content.querySelector("input[name=client_key]");
    if (key) { key.setAttribute("value", newKey()); }
    if (window.htmx) {
      window.htmx.swap(form, fresh.innerHTML, { swapStyle: "outerHTML" });
    } else {
      form.reset();
      form.querySelector("input[name=client_key]").value = newKey();
    }
  }

  function isQueueForm(elt) { return elt && elt.matches && elt.matches("form[data-offline-queue]"); }

  /* --- sending -------------------------------------------------------------- */
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; }
    catch (error) { return ""; }
  }

  function withToken(body, token) {
    var fields = new URLSearchParams(body);
    if (token) { fields.set("csrf_token", token); }
    return fields.toString();
  }

  /* The events an answer asks for (HX-Trigger: a name, names separated by
   * commas, or JSON), fired as htmx would: My day refreshes its list on
   * "factory-changed", so a visit sent late leaves the list too. */
  function fireTriggers(header) {
    if (!header || !window.htmx) { return; }
    var events;
    try { events = JSON.parse(header); } catch (error) { events = null; }
    if (!events || typeof events !== "object") {
      events = {};
      header.split(",").forEach(function (name) { if (name.trim()) { events[name.trim()] = null; } });
    }
    Object.keys(events).forEach(function (name) { window.htmx.trigger(document.body, name, events[name]); });
  }

  function swapIn(entry, response, html) {
    var selector = response.headers.get("HX-Retarget");
    var target = selector ? document.querySelector(selector) : formFor(entry.url);
    if (!target || !window.htmx) { return false; }
    window.htmx.swap(target, html, { swapStyle: response.headers.get("HX-Reswap") || "outerHTML" });
    return true;
  }

  /* One entry: "sent", "dropped" (the server refused it), or "kept". */
  function send(entry) {
    var token = csrfToken();
    return window.fetch(entry.url, {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true",
                 "HX-Current-URL": window.location.href, "X-CSRFToken": token },
      body: withToken(entry.body, token)
    }).then(function (response) {
      var redirect = response.headers.get("HX-Redirect") || "";
      if (response.type === "opaqueredirect" || redirect.indexOf("/login") === 0) {
        flash(text("signin"), "error");
        return "kept";
      }
      if (response.status >= 500) { return "kept"; }
      return response.text().then(function (html) {
        var here = entry.page === window.location.pathname;
        remove(entry.key);
        if (response.ok) {
          (sentHere[entry.url] = sentHere[entry.url] || []).push(Date.now());
          var swapped = here && html && swapIn(entry, response, html);
          if (here && !swapped && redirect) { window.location.assign(redirect); }
          if (here) { fireTriggers(response.headers.get("HX-Trigger")); }
          flash(text("sent"), "success");
          return "sent";
        }
        if (here && (response.status === 409 || response.status === 422) && swapIn(entry, response, html)) {
          flash(text("check"), "error");
        } else {
          var reason = response.headers.get("X-Error-Message");
          flash(text("refused") + (reason ? " " + decodeURIComponent(reason) : ""), "error");
        }
        return "dropped";
      });
    }, function () { return "unreachable"; });
  }

  function flush() {
    if (flushing || !navigator.onLine) { return Promise.resolve(); }
    var entries = mine();
    if (!entries.length) { return Promise.resolve(); }
    flushing = true;
    var next = function (i) {
      if (i >= entries.length) { return Promise.resolve(true); }
      return send(entries[i]).then(function (result) {
        return result === "kept" || result === "unreachable" ? result : next(i + 1);
      });
    };
    return next(0).then(function (result) {
      flushing = false;
      if (result === "unreachable") { banner(true); }
      renderStatus();
      scheduleRetry();
    });
  }

  function scheduleRetry() {
    window.clearTimeout(retryTimer);
    if (mine().length) { retryTimer = window.setTimeout(flush, RETRY_MS); }
  }

  /* --- wiring --------------------------------------------------------------- */
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!navigator.onLine && isQueueForm(event.detail.elt) && queue(event.detail.elt)) {
      event.preventDefault();
      banner(true);
    }
  });
  document.addEventListener("htmx:sendError", function (event) {
    banner(true);
    if (isQueueForm(event.detail.elt)) { queue(event.detail.elt); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.xhr && event.detail.xhr.status && navigator.onLine) { banner(false); }
  });
  document.addEventListener("htmx:afterSettle", function () { remember(document); renderStatus(); });
  window.addEventListener("offline", function () { banner(true); });
  window.addEventListener("online", function () { banner(false); flush(); });
  /* The banner at once; the queue (localStorage, the first read of which
   * opens the store) in a task of its own after the page has been set up,
   * so it does not lengthen the page's first long task (issue 17). A form
   * queued before it runs still starts over (startOver falls back to the
   * form as it is). */
  document.addEventListener("DOMContentLoaded", function () {
    banner(!navigator.onLine);
    window.setTimeout(function () {
      remember(document);
      renderStatus();
      flush();
    }, 0);
  });
})();
