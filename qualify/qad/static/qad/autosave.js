// Autosave safety net for QAD answers: if a save fails (network down, server unreachable), keep what was typed in
// this browser and retry, so nothing typed is lost; a reload restores unsent answers and sends them again.
(function () {
  "use strict";
  var PREFIX = "qad-unsaved:" + window.location.pathname + ":";

  function formData(form) {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "expected_version") return;
      (data[name] = data[name] || []).push(value);
    });
    return data;
  }

  function restore(form, data) {
    Object.keys(data).forEach(function (name) {
      var fields = form.querySelectorAll('[name="' + name + '"]');
      fields.forEach(function (field, index) {
        if (field.type === "radio" || field.type === "checkbox") {
          field.checked = data[name].indexOf(field.value) !== -1;
        } else if (index < data[name].length) {
          field.value = data[name][index];
        }
      });
    });
  }

  function status(form, text) {
    var el = form.querySelector(".status");
    if (el) el.textContent = text;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest && event.target.closest("form.answer");
    if (form) localStorage.setItem(PREFIX + form.dataset.qid, JSON.stringify(formData(form)));
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form.answer");
    if (!form) return;
    if (event.detail.successful) {
      localStorage.removeItem(PREFIX + form.dataset.qid);
    } else {
      status(form, "Not saved yet (connection problem) — kept in this browser, retrying…");
      setTimeout(function () { htmx.trigger(form, "change"); }, 3000);
    }
  });
  document.querySelectorAll("form.answer").forEach(function (form) {
    var kept = localStorage.getItem(PREFIX + form.dataset.qid);
    if (!kept) return;
    restore(form, JSON.parse(kept));
    status(form, "Restored an answer that was not saved; saving it now…");
    setTimeout(function () { htmx.trigger(form, "change"); }, 500);
  });
})();
