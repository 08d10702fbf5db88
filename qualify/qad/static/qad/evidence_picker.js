// The section page's one evidence picker: each question's "Attach an uploaded file" link asks htmx for the picker
// of that question and puts it in the shared dialog; open the dialog then and put the cursor in its search box.
// Without this script (or htmx) the link opens the picker as a page of its own, which works the same way.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "evidence-picker-body") return;
    var dialog = document.getElementById("evidence-picker");
    if (!dialog.open) dialog.showModal();
    var search = dialog.querySelector("input[type=search]");
    if (search) search.focus();
  });
})();
