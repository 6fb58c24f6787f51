// Site-wide behaviour, kept out of the HTML so the Content-Security-Policy can
// forbid inline scripts. The language switch submits itself when changed (a
// <noscript> button does it without JavaScript).
(function () {
  "use strict";
  var select = document.getElementById("lang-select");
  if (select && select.form) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  }
})();
