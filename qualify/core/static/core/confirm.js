/* Confirmation before a step that cannot simply be undone.
 *
 * A form asks for confirmation with a tick box inside a <label class="confirm"> (name "confirm"), which the server
 * requires. Without JavaScript the tick box is the confirmation (and a server-side confirmation page catches a form
 * sent without it). With JavaScript the tick box is hidden and submitting opens a dialog that says what will happen
 * (the label's words) with two buttons: go back, or take the step; taking it ticks the box and sends the form with
 * the button that was pressed. One dialog serves the page; no inline script, so the Content-Security-Policy holds.
 */
(function () {
  "use strict";

  var dialog = null;

  function buildDialog() {
    dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    dialog.setAttribute("aria-describedby", "confirm-dialog-text");
    dialog.innerHTML =
      '<h2 id="confirm-dialog-title"></h2>' +
      '<p id="confirm-dialog-text"></p>' +
      '<p class="confirm-note">This cannot simply be undone.</p>' +
      '<div class="confirm-actions">' +
      '<button type="button" class="secondary" data-confirm-cancel>Go back</button> ' +
      '<button type="button" data-confirm-go></button>' +
      "</div>";
    document.body.appendChild(dialog);
    dialog.querySelector("[data-confirm-cancel]").addEventListener("click", function () {
      dialog.close();
    });
    return dialog;
  }

  function stepName(form, submitter) {
    var text = submitter ? (submitter.value && submitter.tagName === "INPUT" ? submitter.value : submitter.textContent) : "";
    text = (text || "").trim();
    if (text) return text;
    var named = form.querySelector("button[type=submit], button:not([type])");
    return named ? named.textContent.trim() : "Confirm";
  }

  function ask(form, box, submitter) {
    var d = dialog || buildDialog();
    var name = stepName(form, submitter);
    d.querySelector("#confirm-dialog-title").textContent = name + "?";
    d.querySelector("#confirm-dialog-text").textContent = box.closest("label").textContent.trim();
    var go = d.querySelector("[data-confirm-go]");
    var fresh = go.cloneNode(false);
    fresh.textContent = "Yes, " + name.charAt(0).toLowerCase() + name.slice(1);
    fresh.className = submitter && submitter.classList.contains("danger") ? "danger" : "";
    go.parentNode.replaceChild(fresh, go);
    fresh.addEventListener("click", function () {
      box.checked = true;
      d.close();
      if (submitter && form.requestSubmit) {
        form.requestSubmit(submitter);
      } else if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    });
    d.showModal();
    fresh.focus();
  }

  function enhance(form) {
    var box = form.querySelector('label.confirm input[type=checkbox][name=confirm]');
    if (!box || form.dataset.confirmReady) return;
    form.dataset.confirmReady = "1";
    box.required = false;
    box.closest("label").classList.add("confirm-by-dialog");
    form.addEventListener("submit", function (event) {
      if (box.checked) return;
      event.preventDefault();
      ask(form, box, event.submitter || null);
    });
  }

  function enhanceAll(root) {
    var forms = (root || document).querySelectorAll("form");
    for (var i = 0; i < forms.length; i += 1) enhance(forms[i]);
  }

  if (typeof HTMLDialogElement === "undefined") return; // an old browser keeps the tick box
  document.addEventListener("DOMContentLoaded", function () {
    enhanceAll(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    enhanceAll(event.target);
  });
})();
