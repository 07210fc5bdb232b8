/* Keeps a signed-in session in use while its user works in an open page (base.html, signed-in pages only).
 *
 * The server ends a session after SUNSHINE_SESSION_IDLE_MINUTES without a request (docs/security.md). Typing a
 * long opinion or drawing a flowchart makes no request, so without this the form would be refused on submit.
 * A key press, click or touch tells the server the user is here, at most once every five minutes: well inside
 * any sensible idle limit, and the server writes "last seen" at most once a minute anyway. A page merely left
 * open sends nothing, so an unattended desk still signs itself out.
 */
(function () {
  'use strict';
  var url = document.body && document.body.getAttribute('data-alive');
  if (!url) { return; }
  var EVERY_MS = 5 * 60 * 1000;
  var last = Date.now();  // loading the page was a request

  function active() {
    var now = Date.now();
    if (now - last < EVERY_MS) { return; }
    last = now;
    fetch(url, { credentials: 'same-origin', cache: 'no-store' }).catch(function () { /* offline: try later */ });
  }

  // 'input' too: text typed through an input method (Chinese) or pasted may come without key events.
  ['keydown', 'input', 'pointerdown', 'wheel'].forEach(function (type) {
    document.addEventListener(type, active, { capture: true, passive: true });
  });
}());
