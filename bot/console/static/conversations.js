// The conversation pages, live: the event stream (/console/api/events) says that something
// changed and the page fetches the part it shows. Customers' text only ever arrives as HTML
// the server escaped, or is set with textContent / value: never build HTML from it here.
(function () {
  'use strict';
  var lists = document.getElementById('conversation-lists');
  var view = document.getElementById('conversation');
  if (!lists && !view) { return; }

  var conversationId = view ? view.getAttribute('data-conversation') : null;
  var lastMessageId = view ? Number(view.getAttribute('data-last-message')) || 0 : 0;
  var note = document.getElementById('live-note');
  var loading = false;
  var again = false;

  function setNote(text) {
    if (!note) { return; }
    note.textContent = text;
    note.hidden = !text;
  }

  function get(url) {
    return fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(function (response) {
      if (response.status === 401) {
        setNote('登录已过期，请刷新页面重新登录');
        throw new Error('signed out');
      }
      if (!response.ok) { throw new Error('HTTP ' + response.status); }
      return response;
    });
  }

  function refreshLists() {
    return get('/console/api/conversations')
      .then(function (response) { return response.text(); })
      .then(function (html) { lists.innerHTML = html; });
  }

  function messagesBox() { return document.getElementById('messages'); }

  function nearBottom(box) {
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  function toBottom(box) { box.scrollTop = box.scrollHeight; }

  function refreshConversation() {
    var url = '/console/api/conversations/' + encodeURIComponent(conversationId) +
      '/messages?after=' + lastMessageId;
    return get(url)
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var box = messagesBox();
        var follow = nearBottom(box);
        if (data.messages_html.trim()) {
          box.insertAdjacentHTML('beforeend', data.messages_html);
          var empty = document.getElementById('no-messages');
          if (empty) { empty.remove(); }
        }
        lastMessageId = data.last_message_id;
        document.getElementById('conversation-status').innerHTML = data.status_html;
        document.getElementById('unsent').innerHTML = data.unsent_html;
        document.getElementById('conversation-side').innerHTML = data.side_html;
        document.getElementById('reply-form').hidden = !data.can_reply;
        if (follow) { toBottom(box); }
      });
  }

  // One refresh at a time; changes that arrive meanwhile cause one more.
  function refresh() {
    if (loading) { again = true; return; }
    loading = true;
    var done = function () {
      loading = false;
      if (again) { again = false; refresh(); }
    };
    (view ? refreshConversation() : refreshLists()).then(done, done);
  }

  function listen() {
    if (!window.EventSource) {
      setInterval(refresh, 5000);
      return;
    }
    var url = '/console/api/events' +
      (conversationId ? '?conversation=' + encodeURIComponent(conversationId) : '');
    var source = new EventSource(url);
    source.addEventListener('ready', function () {
      // Something may have changed between rendering the page (or a dropped stream) and
      // this connection: the stream only reports changes from now on.
      refresh();
      setNote('');
    });
    source.addEventListener('changed', refresh);
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) {
        setNote('实时更新已断开，请刷新页面');
      } else {
        setNote('实时更新连接中断，正在重新连接…');
      }
    };
  }

  function replyBox() {
    var form = document.getElementById('reply-form');
    if (!form) { return; }
    var textBox = document.getElementById('reply-text');
    var picker = document.getElementById('canned-picker');
    var error = document.getElementById('reply-error');
    var button = form.querySelector('button[type="submit"]');

    function showError(text) {
      error.textContent = text;
      error.hidden = !text;
    }

    if (picker) {
      picker.addEventListener('change', function () {
        var option = picker.options[picker.selectedIndex];
        var text = option ? option.getAttribute('data-text') : '';
        if (text) {
          var start = textBox.selectionStart;
          var end = textBox.selectionEnd;
          textBox.value = textBox.value.slice(0, start) + text + textBox.value.slice(end);
          textBox.selectionStart = textBox.selectionEnd = start + text.length;
        }
        picker.value = '';
        textBox.focus();
      });
    }

    textBox.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var text = textBox.value.trim();
      if (!text) {
        showError('请输入回复内容');
        return;
      }
      button.disabled = true;
      window.kefu.post(form.action, { text: text })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            if (response.ok && body.ok) {
              textBox.value = '';
              showError('');
              refresh();
            } else {
              showError(body.error || ('发送失败（' + response.status + '），请刷新页面后重试'));
              refresh();
            }
          });
        })
        .catch(function () { showError('网络错误，发送失败，请重试'); })
        .then(function () { button.disabled = false; });
    });
  }

  if (view) {
    toBottom(messagesBox());
    replyBox();
  } else {
    // Waiting times grow while nothing else changes.
    setInterval(refresh, 30000);
  }
  listen();
})();
