/* Livskraft progressive enhancement. The pages work fully without it.
   - Autosave: forms marked data-autosave post their fields to their data-autosave URL (a server-side
     draft) a moment after typing stops, so a closed tab or a lost connection loses nothing.
   - Inline validation: required-when rules (rationale for a non-zero score, mitigation for a negative
     one, a reason for "not relevant") are checked as the official leaves a field; the server checks
     again on submit, and its error summary is authoritative. A field has one message at most, the
     server's element (id "<field>-error") reused, and a new message is announced in one polite live
     region.
   - The error summary takes focus on load so screen-reader users hear it first; otherwise a notice
     marked data-focus-on-load does (a refused save, GOV.UK's success banner, a restored draft). A link in the summary
     focuses its field with the field's label or legend scrolled into view (as GOV.UK Frontend does),
     not the field alone at the very top of the window.
   - Typing survives the language switch: the switch is a link, so what was typed in a form without a
     server-side draft (a decision, an alternative, a comment) is kept in this tab's sessionStorage when a
     language is chosen and put back when the same page loads in the new language. Never passwords or
     hidden fields (the CSRF token is the new page's own); kept for that one page load only. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  var notice = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); } else if (notice) { notice.focus(); }

  function openDetails(el) {
    for (var d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) {
      d.open = true;
    }
  }
  function legendOrLabel(input) {
    var fieldset = input.closest("fieldset");
    var legend = fieldset ? fieldset.querySelector("legend") : null;
    if (legend) {
      if (input.type === "radio" || input.type === "checkbox") { return legend; }
      // a text field: its fieldset's legend only when both fit in the top half of the window
      var legendTop = legend.getBoundingClientRect().top;
      var rect = input.getBoundingClientRect();
      if (rect.height && window.innerHeight && rect.top + rect.height - legendTop < window.innerHeight / 2) {
        return legend;
      }
    }
    return (input.id && document.querySelector("label[for='" + CSS.escape(input.id) + "']")) || input.closest("label");
  }
  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a") : null;
      var href = link ? link.getAttribute("href") || "" : "";
      if (href.charAt(0) !== "#") { return; }
      var target = document.getElementById(decodeURIComponent(href.slice(1)));
      if (!target) { return; }
      event.preventDefault();
      openDetails(target);
      var anchor = legendOrLabel(target);
      if (anchor) { anchor.scrollIntoView(); target.focus({ preventScroll: true }); } else { target.focus(); }
    });
  }

  function autosave(form) {
    var url = form.getAttribute("data-autosave");
    var status = document.getElementById(form.getAttribute("data-autosave-status") || "autosave-status");
    var timer = null, dirty = false, busy = false;
    function say(text) { if (status) { status.textContent = text; } }
    function send() {
      if (busy || !dirty) { return; }
      busy = true; dirty = false;
      var body = new URLSearchParams(new FormData(form));
      fetch(url, { method: "POST", body: body, credentials: "same-origin",
                   headers: { "Accept": "application/json" } })
        .then(function (r) {
          if (!r.ok) { throw new Error(String(r.status)); }
          return r.json();
        })
        .then(function (data) { say(data.message || ""); })
        .catch(function () { dirty = true; say(form.getAttribute("data-autosave-failed") || ""); })
        .then(function () { busy = false; });
    }
    function changed() {
      dirty = true;
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(send, 1500);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () { dirty = false; if (timer) { clearTimeout(timer); } });
    window.addEventListener("pagehide", function () {
      if (dirty && navigator.sendBeacon) {
        navigator.sendBeacon(url, new URLSearchParams(new FormData(form)));
      }
    });
  }

  function checked(form, name) {
    var el = form.querySelector("input[name='" + name + "']:checked");
    return el ? el.value : "";
  }
  function messageOf(el) {
    var copy = el.cloneNode(true);
    copy.querySelectorAll(".visually-hidden").forEach(function (s) { s.remove(); });
    return copy.textContent.trim();
  }
  function inlineRules(form) {
    var rules = form.querySelectorAll("[data-required-when]");
    var label = form.getAttribute("data-error-label") || "";
    var live = document.createElement("div");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    live.setAttribute("data-inline-announcer", "");
    form.appendChild(live);
    var pending = null;
    function announce(text, field) {
      clearTimeout(pending);
      live.textContent = "";
      live.setAttribute("data-for", field.id);
      pending = setTimeout(function () { live.textContent = text; }, 50);
    }
    function unannounce(field) {
      // a fixed field's message leaves the live region too, so it is not read again as current
      if (live.getAttribute("data-for") === field.id) {
        clearTimeout(pending);
        live.textContent = "";
        live.removeAttribute("data-for");
      }
    }
    function describe(field, id, add) {
      var ids = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
      if (add) { ids.push(id); }
      if (ids.length) { field.setAttribute("aria-describedby", ids.join(" ")); } else { field.removeAttribute("aria-describedby"); }
    }
    function showError(field, message) {
      var group = field.closest(".form-group");
      var id = field.id + "-error";
      var el = document.getElementById(id);
      if (!message) {
        // the server's message of another kind (a text too long) stays until the text changes
        if (el && field.value === field.defaultValue && messageOf(el) !== field.getAttribute("data-required-message")) { return; }
        if (el) { el.remove(); }
        unannounce(field);
        describe(field, id, false);
        field.removeAttribute("aria-invalid");
        field.classList.remove("input-error");
        if (group && !group.querySelector(".error-message")) { group.classList.remove("form-group-error"); }
        return;
      }
      var shown = el && messageOf(el) === message;
      if (!el) {
        el = document.createElement("p");
        el.className = "error-message";
        el.id = id;
        field.parentNode.insertBefore(el, field);
      }
      if (!shown) {
        el.textContent = "";
        var prefix = document.createElement("span");
        prefix.className = "visually-hidden";
        prefix.textContent = label;
        el.appendChild(prefix);
        el.appendChild(document.createTextNode(" " + message));
        announce(label + " " + message, field);
      }
      if (group) { group.classList.add("form-group-error"); }
      field.classList.add("input-error");
      field.setAttribute("aria-invalid", "true");
      describe(field, id, true);
    }
    function check(field) {
      var spec = field.getAttribute("data-required-when").split(":");
      var value = checked(form, spec[0]);
      var need = spec[1] === "nonzero" ? (value !== "" && value !== "0")
               : spec[1] === "negative" ? (value !== "" && value !== "unknown" && Number(value) < 0)
               : value === spec[1];
      showError(field, need && !field.value.trim() ? field.getAttribute("data-required-message") : "");
    }
    rules.forEach(function (field) {
      field.addEventListener("blur", function () { check(field); });
      // a changed answer can make the field optional: its message goes (a new one waits for the field)
      var name = field.getAttribute("data-required-when").split(":")[0];
      form.querySelectorAll("input[name='" + name + "']").forEach(function (radio) {
        radio.addEventListener("change", function () {
          if (field.getAttribute("aria-invalid") === "true") { check(field); }
        });
      });
    });
  }

  var KEPT = "livskraft-kept:" + location.pathname + location.search;
  function keptFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !el.disabled && ["hidden", "password", "submit", "button", "file", "reset"].indexOf(el.type) < 0;
    });
  }
  function keptForms() {
    return Array.prototype.filter.call(document.forms, function (form) {
      return form.method === "post" && !form.hasAttribute("data-autosave");
    });
  }
  function keepTyping(event) {
    var link = event.target.closest ? event.target.closest("a[hreflang]") : null;
    if (!link) { return; }
    var kept = [];
    keptForms().forEach(function (form, f) {
      keptFields(form).forEach(function (el, i) {
        var changed = (el.type === "radio" || el.type === "checkbox") ? el.checked !== el.defaultChecked
          : el.tagName === "SELECT" ? Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; })
          : el.value !== el.defaultValue;
        if (changed) {
          kept.push({ form: f, action: form.getAttribute("action"), i: i, name: el.name,
                      value: el.value, checked: el.checked });
        }
      });
    });
    try {
      if (kept.length) { sessionStorage.setItem(KEPT, JSON.stringify(kept)); }
    } catch (e) { /* storage full or refused: the switch goes on, as without JavaScript */ }
  }
  function restoreTyping() {
    var kept;
    try {
      kept = JSON.parse(sessionStorage.getItem(KEPT) || "null");
      sessionStorage.removeItem(KEPT);
    } catch (e) { return; }
    if (!Array.isArray(kept)) { return; }
    var forms = keptForms();
    kept.forEach(function (k) {
      var form = forms[k.form];
      if (!form || form.getAttribute("action") !== k.action) { return; }
      var el = keptFields(form)[k.i];
      if (!el || el.name !== k.name) { return; }
      if (el.type === "radio" || el.type === "checkbox") { el.checked = k.checked; } else { el.value = k.value; }
    });
  }
  var languages = document.querySelector(".lang-switch");
  if (languages) { languages.addEventListener("click", keepTyping); }
  restoreTyping();

  document.querySelectorAll("form[data-autosave]").forEach(autosave);
  document.querySelectorAll("form[data-inline-validation]").forEach(inlineRules);
}());
