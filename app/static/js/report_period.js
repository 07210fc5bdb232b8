// Choosing a report kind proposes its latest finished period (the field stays editable). No inline script: CSP.
document.getElementById('f-kind').addEventListener('change', function (e) {
  document.getElementById('f-period').value = e.target.selectedOptions[0].dataset.default;
});
