// kefu web chat client. Plain JS, no dependencies. Message text is untrusted:
// it is only ever put into the page with textContent, never innerHTML.
(function () {
  'use strict';
  var USER_KEY = 'kefu.user', SENT_KEY = 'kefu.sent', MAX_SENT = 50;
  var POLL_MS = 3000, GAP_MS = 5 * 60 * 1000;
  var $ = function (id) { return document.getElementById(id); };
  var listEl = $('list'), typingEl = $('typing'), inputEl = $('input'), sendBtn = $('send');
  var noticeEl = $('notice'), chipBtns = $('chips').querySelectorAll('button');

  var lastSeenId = 0;      // highest server message id rendered so far
  var lastTime = 0;        // time of the last rendered message (for separators)
  var sending = false, pollPromise = null, pollAgain = false, noticeTimer = 0;

  function randomHex() { // 128 random bits as 32 hex chars
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x < 16 ? '0' : '') + x.toString(16); }).join('');
  }
  function storeGet(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
  function storeSet(k, v) { try { localStorage.setItem(k, v); } catch (e) { /* storage disabled */ } }

  var user = storeGet(USER_KEY);
  if (!/^[0-9a-f]{32}$/.test(user || '')) { user = randomHex(); storeSet(USER_KEY, user); }

  function parseTime(t) { var n = Date.parse(t); return isNaN(n) ? Date.now() : n; }
  function loadSent() {
    try {
      var a = JSON.parse(storeGet(SENT_KEY) || '[]');
      return Array.isArray(a) ? a.filter(function (m) { return m && typeof m.text === 'string'; }) : [];
    } catch (e) { return []; }
  }
  function saveSent(text, time) {
    var a = loadSent();
    a.push({ text: text, time: new Date(time).toISOString() });
    storeSet(SENT_KEY, JSON.stringify(a.slice(-MAX_SENT)));
  }
  // The customer's own earlier messages; merged by time into the first history fetch.
  var ownHistory = loadSent().map(function (m) { return { text: m.text, from: 'me', time: parseTime(m.time) }; });

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function fmtTime(t) {
    var d = new Date(t), now = new Date(), hm = pad(d.getHours()) + ':' + pad(d.getMinutes());
    if (d.toDateString() === now.toDateString()) return hm;
    var y = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
    if (d.toDateString() === y.toDateString()) return '昨天 ' + hm;
    return (d.getFullYear() === now.getFullYear() ? '' : d.getFullYear() + '年') +
      (d.getMonth() + 1) + '月' + d.getDate() + '日 ' + hm;
  }
  // Invisible characters that reorder or hide text (bidi overrides, zero-width spaces …) are
  // not shown, as on the staff console (bot/console/formatting.py, INVISIBLE).
  var INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]|\ud82f[\udca0-\udca3]|\ud834[\udd73-\udd7a]|\udb40[\udc00-\udc7f]/g;
  function visible(text) { return String(text).replace(INVISIBLE, ''); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function scrollDown() { listEl.scrollTop = listEl.scrollHeight; }

  // m: {text, from: 'me' | 'bot' | 'staff', time: ms}; returns the row element.
  function render(m) {
    if (!lastTime || m.time - lastTime > GAP_MS) listEl.insertBefore(el('div', 'time', fmtTime(m.time)), typingEl);
    lastTime = Math.max(lastTime, m.time);
    var row = el('div', 'row ' + m.from), box = el('div', 'box');
    if (m.from !== 'me') row.appendChild(el('div', 'avatar', m.from === 'staff' ? '人' : '客'));
    if (m.from === 'staff') box.appendChild(el('div', 'label', '人工客服'));
    box.appendChild(el('div', 'bubble', visible(m.text)));
    row.appendChild(box);
    listEl.insertBefore(row, typingEl);
    scrollDown();
    return row;
  }

  function showNotice(text) {
    noticeEl.textContent = text;
    noticeEl.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () { noticeEl.hidden = true; }, 8000);
  }
  function setTyping(on) { typingEl.hidden = !on; if (on) scrollDown(); }

  // Fetch messages newer than lastSeenId and render them. Concurrent callers share
  // one run; a call made during a run triggers one more fetch before it resolves.
  function poll() {
    if (pollPromise) { pollAgain = true; return pollPromise; }
    pollPromise = (async function () {
      do {
        pollAgain = false;
        // The id goes in a header: URLs end up in access logs, and the id is a secret.
        var r = await fetch('/api/chat/messages?after=' + lastSeenId,
          { cache: 'no-store', headers: { 'X-Kefu-User': encodeURIComponent(user) } });
        if (!r.ok) return;
        var data = await r.json(), items = [];
        (data.messages || []).forEach(function (m) {
          if (!m || typeof m.id !== 'number' || m.id <= lastSeenId) return;
          lastSeenId = m.id;
          items.push({ text: String(m.text == null ? '' : m.text), from: m.from === 'staff' ? 'staff' : 'bot', time: parseTime(m.time) });
        });
        if (ownHistory) {
          items = ownHistory.concat(items).sort(function (a, b) { return a.time - b.time; });
          ownHistory = null;
        }
        items.forEach(render);
      } while (pollAgain);
    })().catch(function () { /* offline or bad reply: the next poll retries */ })
      .finally(function () { pollPromise = null; });
    return pollPromise;
  }

  function setBusy(on) {
    inputEl.readOnly = on; // readOnly rather than disabled keeps the mobile keyboard open
    sendBtn.disabled = on;
    for (var i = 0; i < chipBtns.length; i++) chipBtns[i].disabled = on;
  }

  function post(body) {
    return fetch('/api/chat', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body });
  }

  async function send(raw) {
    var text = String(raw).replace(/^\s+|\s+$/g, '').slice(0, 4000);
    if (!text || sending) return;
    sending = true;
    setBusy(true);
    noticeEl.hidden = true;
    var now = Date.now(), row = render({ text: text, from: 'me', time: now }), error = null;
    var body = JSON.stringify({ user: user, text: text, id: randomHex() });
    setTyping(true);
    try {
      var r;
      try { r = await post(body); } catch (e) { r = await post(body); } // network error: retry once, same id
      if (r.ok) saveSent(text, now);
      else {
        var data = await r.json().catch(function () { return {}; });
        error = (data && typeof data.error === 'string' && data.error) ||
          (r.status === 413 ? '消息太长了，请删减后再发送' : '发送失败，请稍后重试');
      }
    } catch (e) {
      error = '网络异常，请检查网络后重试';
    }
    setBusy(false);
    if (error) { row.classList.add('failed'); showNotice(error); }
    await poll();
    setTyping(false);
    sending = false;
  }

  function autoGrow() {
    inputEl.style.height = 'auto';
    inputEl.style.height = Math.min(inputEl.scrollHeight, 120) + 'px';
  }

  $('form').addEventListener('submit', function (e) {
    e.preventDefault();
    if (sending || !inputEl.value.trim()) return;
    var text = inputEl.value;
    inputEl.value = '';
    autoGrow();
    send(text);
  });
  inputEl.addEventListener('keydown', function (e) {
    // Enter sends, Shift+Enter inserts a newline; ignore Enter while an IME is composing.
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    $('form').requestSubmit ? $('form').requestSubmit() : sendBtn.click();
  });
  inputEl.addEventListener('input', autoGrow);
  Array.prototype.forEach.call(chipBtns, function (b) {
    b.addEventListener('click', function () { send(b.textContent); });
  });
  window.addEventListener('focus', poll);
  document.addEventListener('visibilitychange', function () { if (!document.hidden) poll(); });

  // Initial load: full history (after=0), merged with the customer's stored messages.
  poll().then(function () {
    if (ownHistory) { ownHistory.forEach(render); ownHistory = null; } // history fetch failed
    setInterval(poll, POLL_MS);
  });
})();
