/* The catalog import page (catalog_io/index.html): large catalogs take a while, so show that the upload is being
 * processed and block a second submit. */
(function () {
  'use strict';
  var form = document.getElementById('import-form');
  if (!form) { return; }
  form.addEventListener('submit', function () {
    document.getElementById('importing').hidden = false;
    document.getElementById('import-button').disabled = true;
  });
}());
