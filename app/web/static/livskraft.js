/* Livskraft progressive enhancement. The pages work fully without it.
   - Autosave: forms marked data-autosave post their fields to their data-autosave URL (a server-side
     draft) a moment after typing stops, so a closed tab or a lost connection loses nothing.
   - Inline validation: required-when rules (rationale for a non-zero score, mitigation for a negative
     one, a reason for "not relevant") are checked as the official leaves a field; the server checks
     again on submit, and its error summary is authoritative.
   - The error summary takes focus on load so screen-reader users hear it first. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

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
  function showError(field, message) {
    var group = field.closest(".form-group");
    var id = field.id + "-inline-error";
    var existing = document.getElementById(id);
    if (!message) {
      if (existing) { existing.remove(); }
      if (group && !group.querySelector(".error-message")) { group.classList.remove("form-group-error"); }
      field.removeAttribute("aria-invalid");
      return;
    }
    if (existing) { return; }
    var p = document.createElement("p");
    p.className = "error-message";
    p.id = id;
    p.textContent = message;
    field.parentNode.insertBefore(p, field);
    if (group) { group.classList.add("form-group-error"); }
    field.setAttribute("aria-invalid", "true");
    var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf(id) < 0) { described.push(id); field.setAttribute("aria-describedby", described.join(" ")); }
  }
  function inlineRules(form) {
    var rules = form.querySelectorAll("[data-required-when]");
    function check(field) {
      var spec = field.getAttribute("data-required-when").split(":");
      var value = checked(form, spec[0]);
      var need = spec[1] === "nonzero" ? (value !== "" && value !== "0")
               : spec[1] === "negative" ? (value !== "" && value !== "unknown" && Number(value) < 0)
               : value === spec[1];
      showError(field, need && !field.value.trim() ? field.getAttribute("data-required-message") : "");
    }
    rules.forEach(function (field) { field.addEventListener("blur", function () { check(field); }); });
  }

  document.querySelectorAll("form[data-autosave]").forEach(autosave);
  document.querySelectorAll("form[data-inline-validation]").forEach(inlineRules);
}());
