// Pre-fill of the statistics entry form from the unit's published activities (templates/activities/_prefill.html):
// the button copies each row's suggested number into the input named f_<code>. Nothing is saved: the reporter
// checks the numbers and presses 保存 as usual.
(function () {
  "use strict";

  function apply(section) {
    var filled = 0;
    section.querySelectorAll("tr[data-code]").forEach(function (row) {
      var input = document.querySelector('input[name="f_' + row.getAttribute("data-code") + '"]');
      if (!input || input.readOnly || input.disabled) {
        return;
      }
      var value = row.getAttribute("data-suggested");
      if (input.value !== value) {
        input.value = value;
        input.classList.add("prefilled");
        // Let live checks (htmx, listeners on input/change) see the new value.
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
      filled += 1;
    });
    var done = section.querySelector("[data-prefill-done]");
    if (done && filled) {
      done.hidden = false;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-prefill-apply]");
    if (!button) {
      return;
    }
    var section = button.closest("[data-prefill]");
    if (section) {
      event.preventDefault();
      apply(section);
    }
  });
})();
