/* The site navigation on a narrow screen, and its menus.
 *
 * Without JavaScript the navigation wraps onto as many lines as it needs and each group (<details>) opens on a
 * click. With it, a narrow screen (the CSS decides the width) shows one "Menu" button in place of the whole
 * navigation, and an open group closes when the person clicks elsewhere or presses Escape.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function closeMenus(except) {
    var open = document.querySelectorAll(".top nav details[open]");
    for (var i = 0; i < open.length; i += 1) {
      if (open[i] !== except) open[i].removeAttribute("open");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var nav = document.getElementById("site-nav");
    if (!nav) return;
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "nav-toggle secondary";
    toggle.textContent = "Menu";
    toggle.setAttribute("aria-controls", "site-nav");
    toggle.setAttribute("aria-expanded", "false");
    nav.parentNode.insertBefore(toggle, nav);
    toggle.addEventListener("click", function () {
      var opened = nav.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", opened ? "true" : "false");
    });
    nav.addEventListener("toggle", function (event) {
      if (event.target.open) closeMenus(event.target);
    }, true);
    document.addEventListener("click", function (event) {
      if (!nav.contains(event.target)) closeMenus(null);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") closeMenus(null);
    });
  });
})();
