// 受理登记: show only the material list of the power chosen in the form (app/templates/files/_registration_materials.html).
(function () {
  "use strict";
  var select = document.querySelector("select[name=power]");
  if (!select) { return; }
  function show() {
    document.querySelectorAll(".power-materials").forEach(function (block) {
      block.hidden = block.getAttribute("data-power") !== select.value;
    });
  }
  select.addEventListener("change", show);
  show();
}());
