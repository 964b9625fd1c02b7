// 长者模式 (large text, higher contrast, bigger targets: the `elder` class on <html>, styled in app.css). The
// choice is remembered per browser in the cookie chengxin_elder (core/context_processors.py reads it for the
// signed-in pages, which the server draws in the right mode). The public pages are cached once for everybody, so
// their HTML never carries the class: this script, loaded without defer in their <head>, adds it before the body
// is drawn. Any button with data-elder-toggle switches the mode and says its state with aria-pressed.
(function () {
  "use strict";

  var COOKIE = "chengxin_elder";
  var root = document.documentElement;

  function chosen() {
    return /(?:^|;\s*)chengxin_elder=1(?:;|$)/.test(document.cookie);
  }

  function showState() {
    var on = root.classList.contains("elder") ? "true" : "false";
    document.querySelectorAll("[data-elder-toggle]").forEach(function (b) { b.setAttribute("aria-pressed", on); });
  }

  if (chosen()) root.classList.add("elder");

  document.addEventListener("DOMContentLoaded", showState);
  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-elder-toggle]")) return;
    var on = !root.classList.contains("elder");
    // Secure over HTTPS, like the site's other cookies in production; cleared (max-age=0) when switched off.
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=1; path=/; max-age=" + (on ? 31536000 : 0) + "; SameSite=Lax" + secure;
    root.classList.toggle("elder", on);
    showState();
  });
})();
