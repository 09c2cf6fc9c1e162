// strand chat — the browser side. No build step: plain modern JavaScript.
// Joining creates a session (POST /api/session). Then, when the browser has WebSocket, events
// and typed lines travel over one WebSocket (GET /api/ws?token=...); otherwise (or with
// ?transport=sse in the page's URL, or if the socket cannot open) events arrive over
// Server-Sent Events (GET /api/events?token=...) and each line is POSTed to /api/send. Either
// way the server parses a line exactly like one from a TCP client (/nick, /join, /me, ...).

const $ = (id) => document.getElementById(id);
const joinView = $('join-view'), chatView = $('chat-view');
const messages = $('messages'), log = $('log'), people = $('people');

/** The current session: { token, nick, room, events, ws }, or null when not joined. */
let session = null;
const members = new Set();

function setStatus(text) {
  $('status').textContent = text;
}

async function postJSON(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  let data = null;
  if (res.status !== 204) data = await res.json().catch(() => null);
  return { ok: res.ok, status: res.status, data };
}

$('join-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const nick = $('nick').value.trim(), room = $('room').value.trim() || 'lobby';
  $('join-error').textContent = '';
  const res = await postJSON('/api/session', { nick, room }).catch(() => null);
  if (res === null || !res.ok) {
    $('join-error').textContent = res?.data?.error ?? 'Could not reach the server.';
    $('nick').focus();
    return;
  }
  start(res.data);
});

const wantSSE = new URLSearchParams(location.search).get('transport') === 'sse';

function start({ token, nick, room }) {
  messages.replaceChildren();
  members.clear();
  session = { token, nick, room, events: null, ws: null };
  if (typeof WebSocket === 'function' && !wantSSE) openSocket(session);
  else openEvents(session);
  showRoom(nick, room);
  joinView.hidden = true;
  chatView.hidden = false;
  $('text').focus();
}

/** Events and lines over one WebSocket; falls back to SSE + POST if it never opens. */
function openSocket(s) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${location.host}/api/ws?token=${encodeURIComponent(s.token)}`);
  let opened = false;
  s.ws = ws;
  document.body.dataset.transport = 'websocket';
  ws.onopen = () => {
    opened = true;
    setStatus('Connected');
  };
  ws.onmessage = (m) => onEvent(JSON.parse(m.data));
  ws.onclose = (e) => {
    if (session !== s) return;
    if (!opened) {
      s.ws = null;
      openEvents(s); // the socket never opened (a proxy, a policy): SSE + POST instead
      return;
    }
    stop(e.reason ? `Disconnected: ${e.reason}` : 'Disconnected from the server.');
  };
}

/** Events over Server-Sent Events; lines are POSTed. */
function openEvents(s) {
  const events = new EventSource(`/api/events?token=${encodeURIComponent(s.token)}`);
  s.events = events;
  document.body.dataset.transport = 'sse';
  events.onmessage = (m) => onEvent(JSON.parse(m.data));
  events.onopen = () => setStatus('Connected');
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED) stop('Disconnected from the server.');
    else setStatus('Reconnecting…');
  };
}

/** Sends one line: over the WebSocket, or POSTed. Resolves like postJSON. */
async function sendLine(text) {
  const ws = session?.ws;
  if (ws && ws.readyState === WebSocket.OPEN) {
    ws.send(text); // a refused line comes back as an 'error' event
    return { ok: true, status: 204, data: null };
  }
  return postJSON('/api/send', { token: session.token, text });
}

function stop(reason) {
  if (session === null) return;
  if (session.events) session.events.close();
  if (session.ws) session.ws.close(1000);
  session = null;
  setStatus(reason);
  chatView.hidden = true;
  joinView.hidden = false;
  $('join-error').textContent = reason;
  $('nick').focus();
}

function showRoom(nick, room) {
  $('room-title').textContent = `#${room}`;
  $('me-nick').textContent = nick;
  document.title = `#${room} — strand chat`;
}

$('send-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = $('text');
  const text = input.value;
  if (session === null || text.trim() === '') return;
  $('send-error').textContent = '';
  const res = await sendLine(text).catch(() => null);
  if (res === null) {
    $('send-error').textContent = 'Could not reach the server.';
  } else if (!res.ok) {
    $('send-error').textContent = res.data?.error ?? `The server refused the message (${res.status}).`;
    if (res.status === 404) stop('Your session has ended.');
  } else {
    input.value = '';
  }
  input.focus();
});

$('leave').addEventListener('click', () => {
  if (session !== null) sendLine('/quit').catch(() => {});
});

function clock(ts) {
  return new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Appends one line to the log; `parts` are strings or [className, text] pairs (never HTML). */
function addLine(cls, ts, ...parts) {
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  const li = document.createElement('li');
  if (cls) li.className = cls;
  if (ts) {
    const t = document.createElement('time');
    t.dateTime = new Date(ts).toISOString();
    t.textContent = clock(ts);
    li.append(t);
  }
  for (const p of parts) {
    if (typeof p === 'string') li.append(p);
    else {
      const span = document.createElement('span');
      span.className = p[0];
      span.textContent = p[1];
      li.append(span);
    }
  }
  messages.append(li);
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function renderPeople() {
  people.replaceChildren(...[...members].sort().map((n) => {
    const li = document.createElement('li');
    li.textContent = n === session?.nick ? `${n} (you)` : n;
    return li;
  }));
}

function onEvent(ev) {
  if (session === null) return;
  const here = ev.room === undefined || ev.room === session.room;
  switch (ev.type) {
    case 'welcome':
      addLine('system', 0, ev.text);
      break;
    case 'state': {
      const moved = ev.room !== session.room;
      session.nick = ev.nick;
      session.room = ev.room;
      showRoom(ev.nick, ev.room);
      if (moved) {
        members.clear();
        addLine('system', 0, `You are now in #${ev.room}.`);
      }
      sendLine('/who').catch(() => {});
      break;
    }
    case 'message': {
      const mine = ev.nick === session.nick ? ' mine' : '';
      addLine(`${ev.history ? 'history' : ''}${mine}`, ev.ts, ['nick', ev.nick], ': ', ev.text);
      break;
    }
    case 'action':
      addLine(ev.history ? 'history' : '', ev.ts, '* ', ['nick', ev.nick], ' ', ev.text);
      break;
    case 'join':
      if (here) { members.add(ev.nick); renderPeople(); }
      addLine('system', ev.ts, `${ev.nick} joined #${ev.room}`);
      break;
    case 'leave':
      if (here) { members.delete(ev.nick); renderPeople(); }
      addLine('system', ev.ts, `${ev.nick} left #${ev.room}${ev.reason ? ` (${ev.reason})` : ''}`);
      break;
    case 'rename':
      if (here) { members.delete(ev.from); members.add(ev.nick); renderPeople(); }
      addLine('system', ev.ts, `${ev.from} is now known as ${ev.nick}`);
      break;
    case 'who':
      if (here) {
        members.clear();
        for (const n of ev.nicks) members.add(n);
        renderPeople();
      }
      break;
    case 'rooms':
      addLine('system', 0, `Rooms: ${ev.rooms.map((r) => `#${r.room} (${r.members})`).join(', ')}`);
      break;
    case 'info':
      addLine('system', 0, ev.text);
      break;
    case 'error':
      addLine('error', 0, ev.text);
      break;
    case 'bye':
      addLine('system', 0, `Bye: ${ev.text}`);
      stop(`Disconnected: ${ev.text}`);
      break;
  }
}
