// Behaviour shared by every signed-in page. The Content-Security-Policy allows no inline script or event handler
// attribute, so the templates mark elements with data-* attributes and these listeners do the work.
(function () {
  "use strict";

  // Confirmation before consequential actions: any button or form with data-confirm asks first.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", function (event) {
    // data-print: the print page's 打印 button.
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    // data-history-back: a link back to where the user came from; its href is the fallback without history.
    var back = event.target.closest("a[data-history-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  // data-autosubmit: a filter <select> that reloads the page with the chosen value (a <noscript> button does
  // the same without JavaScript).
  document.addEventListener("change", function (event) {
    var el = event.target.closest("[data-autosubmit]");
    if (el && el.form) el.form.submit();
  });
})();
