// Shared console helpers: JSON and form posts that carry the CSRF token.
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="csrf-token"]');
  window.kefu = {
    csrfToken: meta ? meta.content : '',
    post: function (url, data) {
      return fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': window.kefu.csrfToken },
        body: JSON.stringify(data || {})
      });
    }
  };
})();
