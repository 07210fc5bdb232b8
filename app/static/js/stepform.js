/* Move the required marks (*) of a step form with its choices.
 * The form's data-required-by holds, for each choice whose value makes other fields required (if/then/else in the
 * form's JSON Schema), value → those fields (engine.forms.Form.required_by_choice). The server marks the fields
 * for the values it rendered; this keeps the marks right while staff change a choice before submitting. */
(function () {
  'use strict';

  function current(form, name) {
    var checked = form.querySelector('input[type=radio][name="' + name + '"]:checked');
    if (checked) { return checked.value; }
    var select = form.querySelector('select[name="' + name + '"]');
    return select ? select.value : '';
  }

  function update(form, byChoice) {
    var needed = {};
    var moved = {};
    Object.keys(byChoice).forEach(function (name) {
      var values = byChoice[name];
      var value = current(form, name);
      // No option chosen yet: the schema's own default branch decides, as the server rendered it.
      if (!Object.prototype.hasOwnProperty.call(values, value)) { return; }
      Object.keys(values).forEach(function (other) {
        values[other].forEach(function (field) { moved[field] = true; });
      });
      values[value].forEach(function (field) { needed[field] = true; });
    });
    Object.keys(moved).forEach(function (field) {
      var star = form.querySelector('.field[data-field="' + field + '"] > label .req');
      if (star) { star.hidden = !needed[field]; }
    });
  }

  document.querySelectorAll('form[data-required-by]').forEach(function (form) {
    var byChoice = JSON.parse(form.getAttribute('data-required-by'));
    form.addEventListener('change', function (event) {
      if (byChoice[event.target.name]) { update(form, byChoice); }
    });
    update(form, byChoice);  // a form the browser restored (back button) may hold other choices than rendered
  });
}());
