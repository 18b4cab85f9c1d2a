/* /findings: a changed filter applies at once (the form still works without script). */
(function () {
  "use strict";
  var form = document.querySelector("form.filters");
  if (!form) return;
  Array.prototype.forEach.call(form.querySelectorAll("select"), function (s) {
    s.addEventListener("change", function () { form.submit(); });
  });
})();
