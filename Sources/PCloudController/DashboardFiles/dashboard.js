// pcloud dashboard: the JSON API and its event stream, with the session cookie and CSRF token.
// Text from the controller (event sentences, reasons from guests) only ever goes in textContent.
'use strict';

const app = {
  csrf: null,
  lastSeq: 0,
  events: [],
  stream: null,
  refreshTimer: null,
  filters: { deployable: '', severity: '', kind: '' },
};
const MAX_EVENTS = 2000;
/** How far back the page reads: the last this many events (of every deployable). */
const HISTORY = 10000;

function $(id) { return document.getElementById(id); }

/** An element with attributes (on* never) and children (strings become text nodes). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && app.csrf) headers['X-CSRF-Token'] = app.csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin', cache: 'no-store',
  });
  let data = null;
  if (response.status !== 204) { try { data = await response.json(); } catch (_) { data = null; } }
  if (response.status === 401 && path !== '/dashboard/login') showLogin();
  return { status: response.status, ok: response.ok, data };
}

// ---- states -------------------------------------------------------------------------------

const STATE_CLASS = {
  running: 'ok', started: 'ok', reachable: 'ok',
  failed: 'bad', unrecoverable: 'bad', blocked: 'bad', fenced: 'bad', unreachable: 'bad',
  stopped: 'off', undefined: 'off', unknown: 'unknown',
};
const STATE_SYMBOL = { ok: '\u2714', bad: '\u2716', busy: '\u21bb', off: '\u25a0', unknown: '?' };

function stateClass(state) { return STATE_CLASS[state] || 'busy'; }

/** The state as a badge: colour, and a symbol and the word for those who do not see colour. */
function badge(state) {
  const kind = stateClass(state);
  return el('span', { class: `badge ${kind}`, 'data-state': state }, `${STATE_SYMBOL[kind]} ${state}`);
}

function counts(states) {
  const tally = {};
  for (const state of states) tally[state] = (tally[state] || 0) + 1;
  const parts = Object.entries(tally).sort().map(([state, n]) => `${n} ${state}`);
  return parts.length ? parts.join(', ') : 'none';
}

function time(at) { return new Date(at * 1000).toLocaleTimeString(); }

function table(caption, head, rows, attrs) {
  return el('div', { class: 'scroll' },
    el('table', attrs || {},
      el('caption', { text: caption }),
      el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, rows)));
}

// ---- login and session --------------------------------------------------------------------

function showLogin(message) {
  stopStream();
  app.csrf = null;
  $('nav').hidden = true;
  $('view').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('token').focus();
}

function showApp(session) {
  app.csrf = session.csrf;
  // The stream starts from recent history, not from the first event ever stored.
  app.lastSeq = Math.max(app.lastSeq, (session.lastSeq || 0) - MAX_EVENTS);
  $('login').hidden = true;
  $('nav').hidden = false;
  $('view').hidden = false;
  startStream();
  route();
}

async function login(event) {
  event.preventDefault();
  const field = $('token');
  const answer = await api('POST', '/dashboard/login', { token: field.value });
  field.value = '';
  if (answer.ok) showApp(answer.data);
  else showLogin(answer.status === 401 ? 'That token was refused.' : `Login failed (${answer.status}).`);
}

async function logout() {
  await api('POST', '/dashboard/logout');
  showLogin('Logged out.');
}

// ---- the live stream ----------------------------------------------------------------------

function setLive(on) {
  const live = $('live');
  live.className = `live ${on ? 'on' : 'off'}`;
  live.textContent = on ? 'live' : 'offline';
}

function stopStream() {
  if (app.stream) app.stream.abort();
  app.stream = null;
  setLive(false);
}

async function startStream() {
  stopStream();
  const controller = new AbortController();
  app.stream = controller;
  while (app.stream === controller) {
    try {
      const response = await fetch(`/v1/events/stream?after=${app.lastSeq}`, {
        credentials: 'same-origin', cache: 'no-store', signal: controller.signal,
      });
      if (response.status === 401) { showLogin(); return; }
      if (response.ok) {
        setLive(true);
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end;
          while ((end = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, end);
            buffer = buffer.slice(end + 1);
            if (line.trim()) received(JSON.parse(line));
          }
        }
      }
    } catch (_) { /* aborted or dropped: try again below */ }
    if (app.stream !== controller) return;
    setLive(false);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function received(event) {
  if (event.seq <= app.lastSeq) return;
  app.lastSeq = event.seq;
  app.events.push(event);
  if (app.events.length > MAX_EVENTS) app.events.splice(0, app.events.length - MAX_EVENTS);
  const view = currentRoute();
  if (view.name === 'events') { if (matches(event)) prependEvent(event); return; }
  if (view.name === 'overview' || view.deployable === event.deployable) scheduleRefresh();
}

/** Events come in bursts (a decision and its actions): redraw once per burst. */
function scheduleRefresh() {
  if (app.refreshTimer) return;
  app.refreshTimer = setTimeout(() => { app.refreshTimer = null; route(true); }, 150);
}

// ---- routing ------------------------------------------------------------------------------

function currentRoute() {
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  if (hash === 'events') return { name: 'events' };
  if (hash.startsWith('d/')) return { name: 'deployable', deployable: hash.slice(2) };
  return { name: 'overview' };
}

let drawing = 0;
async function route(refresh) {
  if (!app.csrf) return;
  const view = currentRoute();
  for (const link of document.querySelectorAll('nav a')) {
    const here = (link.getAttribute('href') === '#/events') === (view.name === 'events');
    if (here) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  const ticket = ++drawing;
  let content;
  if (view.name === 'events') content = eventsView();
  else if (view.name === 'deployable') content = await deployableView(view.deployable);
  else content = await overviewView();
  if (ticket !== drawing || !content) return;
  const target = $('view');
  // A live redraw keeps the keyboard where it was: the same button (by what it does) gets focus back.
  const focused = refresh ? focusKey(document.activeElement) : null;
  target.replaceChildren(content);
  if (focused) { const again = target.querySelector(focused); if (again) again.focus(); }
  if (!refresh) { const heading = target.querySelector('h2'); if (heading) heading.focus(); }
}

function focusKey(element) {
  if (!element || !$('view').contains(element)) return null;
  for (const name of ['data-action', 'data-cleanup']) {
    if (element.hasAttribute(name)) return `[${name}="${CSS.escape(element.getAttribute(name))}"]`;
  }
  if (element.tagName === 'A' && element.getAttribute('href')) return `a[href="${CSS.escape(element.getAttribute('href'))}"]`;
  return null;
}

// ---- overview -----------------------------------------------------------------------------

async function overviewView() {
  const [list, cluster] = await Promise.all([api('GET', '/v1/deployables'), api('GET', '/v1/cluster')]);
  if (!list.ok) return el('p', { class: 'error', text: `Cannot list deployables (${list.status}).` });
  const statuses = await Promise.all(list.data.map((d) => api('GET', `/v1/deployables/${encodeURIComponent(d.name)}/status`)));
  const rows = statuses.filter((s) => s.ok).map(({ data: s }) => {
    const resources = s.assemblies.flatMap((a) => a.resources.map((r) => r.state));
    return el('tr', { 'data-deployable': s.name },
      el('th', { scope: 'row' }, el('a', { href: `#/d/${encodeURIComponent(s.name)}`, text: s.name })),
      el('td', { class: 'state' }, badge(s.state)),
      el('td', { text: s.infrastructure }),
      el('td', { text: s.monitor }),
      el('td', { text: counts(s.assemblies.map((a) => a.state)) }),
      el('td', { text: counts(resources) }),
      el('td', { text: s.lastEvent || '' }));
  });
  return el('section', {},
    el('h2', { tabindex: '-1', text: 'Overview' }),
    rows.length ? table('Deployables', ['Deployable', 'State', 'Infrastructure', 'Monitor', 'Assemblies', 'Resources', 'Last event'], rows, { id: 'deployables' })
      : el('p', { text: 'No deployables are defined yet (pcloudsh deployable_create).' }),
    cluster.ok && cluster.data.mode === 'cluster' ? controllersTable(cluster.data) : el('p', { text: 'One controller (SQLite store): it owns every deployable.' }));
}

// Several controllers on one PostgreSQL store: each with its heartbeat age and what it owns.
function controllersTable(view) {
  const held = view.leases.filter((l) => l.holder && l.expiresIn > 0);
  const rows = view.members.map((m) => el('tr', { 'data-controller': m.controller },
    el('th', { scope: 'row', text: m.controller + (m.controller === view.controller ? ' (this one)' : '') }),
    el('td', { text: m.address }),
    el('td', { text: `${m.heartbeatAge.toFixed(1)} s ago` }),
    el('td', { class: 'owns', text: held.filter((l) => l.holder === m.controller).map((l) => `${l.deployable} (epoch ${l.epoch})`).join(', ') })));
  return table('Controllers', ['Controller', 'Address', 'Heartbeat', 'Owns (lease epoch)'], rows, { id: 'controllers' });
}

// ---- one deployable -----------------------------------------------------------------------

async function deployableView(name) {
  const path = `/v1/deployables/${encodeURIComponent(name)}`;
  const [status, history] = await Promise.all([
    api('GET', `${path}/status`), api('GET', `/v1/events?deployable=${encodeURIComponent(name)}&after=${Math.max(0, app.lastSeq - HISTORY)}&limit=${HISTORY}`),
  ]);
  if (!status.ok) return el('p', { class: 'error', text: (status.data && status.data.error) || `No deployable ${name}.` });
  const s = status.data;
  const events = mergeEvents(history.ok ? history.data : [], app.events.filter((e) => e.deployable === name));
  const action = (verb, label, danger) => el('button', { type: 'button', class: danger ? 'danger' : null, 'data-action': verb, text: label });
  const actions = el('div', { class: 'actions' },
    action('start', 'Start'), action('stop', 'Stop', true), action('reload', 'Reload definitions'));
  actions.addEventListener('click', (event) => {
    const verb = event.target.dataset && event.target.dataset.action;
    if (verb) confirmThen(`${verb} deployable ${name}?`, () => api('POST', `${path}/${verb}`), `${verb} ${name}`);
  });
  const assemblies = s.assemblies.map((a) => el('tr', { 'data-assembly': a.name },
    el('th', { scope: 'row', text: a.name }), el('td', { class: 'state' }, badge(a.state)),
    el('td', { text: a.address || '' }), el('td', { text: uptime(a) }),
    el('td', { class: 'fingerprint' }, fingerprint(a.hostKey)),
    el('td', { class: 'failures', text: failureText(a.failures, a.window) })));
  const resources = s.assemblies.flatMap((a) => a.resources.map((r) => {
    const id = `${a.name}/${r.name}`;
    const cleanup = el('button', { type: 'button', 'data-cleanup': id, text: 'Clean up' });
    cleanup.addEventListener('click', () => confirmThen(`Clean up ${id} (forget its failures and probe it again)?`,
      () => api('POST', `${path}/cleanup?resource=${encodeURIComponent(id)}`), `cleanup ${id}`));
    return el('tr', { 'data-resource': id },
      el('th', { scope: 'row', text: r.name }), el('td', { text: a.name }), el('td', { class: 'state' }, badge(r.state)),
      el('td', { class: 'failures', 'data-total': r.failures, text: failureText(r.failures, r.window) }),
      el('td', { text: r.lastReason || '' }), el('td', {}, cleanup));
  }));
  const placed = s.placed.flatMap((p) => p.instances.map((i) => el('tr', {},
    el('th', { scope: 'row', text: i.name }), el('td', { text: p.clone ? `clone ${p.clone}` : 'floating' }), el('td', { text: p.agent }),
    el('td', { text: i.assembly || 'nowhere' }), el('td', {}, badge(i.state)), el('td', { text: String(i.failures) }))));
  const failed = s.failedActions.map((f) => el('tr', {},
    el('th', { scope: 'row', text: `${f.assembly}/${f.resource}` }), el('td', { text: f.action }),
    el('td', { text: `${f.meaning} (rc ${f.code})` }), el('td', { text: f.detail || '' }), el('td', { text: time(f.at) })));
  return el('section', { 'data-deployable': s.name },
    el('h2', { tabindex: '-1' }, `Deployable ${s.name} `, badge(s.state)),
    el('p', { class: 'meta', text: `${s.infrastructure} infrastructure, ${s.monitor} monitor, uuid ${s.uuid}` }),
    el('p', { class: 'meta', text: s.lastEvent ? `Last event: ${s.lastEvent}` : 'No events yet.' }),
    actions,
    table('Assemblies', ['Assembly', 'State', 'Address', 'Uptime and boot id', 'Pinned host key', 'Failures'], assemblies, { id: 'assemblies' }),
    table('Resources', ['Resource', 'Assembly', 'State', 'Failures', 'Last reason', ''], resources, { id: 'resources' }),
    placed.length ? table('Placed resources and clone instances', ['Instance', 'Kind', 'Agent', 'Runs on', 'State', 'Failures'], placed) : null,
    failed.length ? table('Failed actions', ['Resource', 'Action', 'Result', 'Detail', 'At'], failed, { id: 'failed-actions' })
      : el('p', { text: 'No failed actions.' }),
    recoveryChart(recoveries(events)));
}

/** "2 total; 1 of 3 in 2m; held back until 10:01:02": the count against its escalation limit. */
function failureText(total, window) {
  const parts = [`${total} total`];
  if (window) {
    parts.push(window.limit ? `${window.recent} of ${window.limit} in ${seconds(window.period)}` : `${window.recent} recent, no limit`);
    if (window.notBefore && window.notBefore > Date.now() / 1000) parts.push(`held back until ${time(window.notBefore)}`);
  }
  return parts.join('; ');
}

function seconds(value) {
  if (!value) return '0s';
  if (value >= 3600 && value % 3600 === 0) return `${value / 3600}h`;
  if (value >= 60 && value % 60 === 0) return `${value / 60}m`;
  return `${value}s`;
}

function uptime(a) {
  if (a.uptime === undefined || a.uptime === null) return a.bootID ? `boot ${a.bootID.slice(0, 8)}` : '';
  const up = Math.floor(a.uptime);
  const text = up >= 86400 ? `${Math.floor(up / 86400)}d ${Math.floor((up % 86400) / 3600)}h`
    : up >= 3600 ? `${Math.floor(up / 3600)}h ${Math.floor((up % 3600) / 60)}m` : `${Math.floor(up / 60)}m ${up % 60}s`;
  return a.bootID ? `${text}, boot ${a.bootID.slice(0, 8)}` : text;
}

/** The host key as ssh-keygen -l shows it (SHA256:...), computed in the page when the browser
 * allows (a secure context: https or loopback); otherwise the key's type and its last characters. */
function fingerprint(key) {
  const node = el('span', { title: key || '' }, key ? '' : 'not pinned yet');
  if (!key) return node;
  const [type, blob] = key.trim().split(/\s+/);
  node.textContent = `${type} \u2026${(blob || '').slice(-12)}`;
  if (window.crypto && crypto.subtle && blob) {
    try {
      const bytes = Uint8Array.from(atob(blob), (c) => c.charCodeAt(0));
      crypto.subtle.digest('SHA-256', bytes).then((digest) => {
        const text = btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/=+$/, '');
        node.textContent = `SHA256:${text}`;
        node.dataset.fingerprint = `SHA256:${text}`;
      });
    } catch (_) { /* not base64: keep the short form */ }
  }
  return node;
}

function mergeEvents(stored, live) {
  const bySeq = new Map();
  for (const event of stored.concat(live)) bySeq.set(event.seq, event);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

const LEVELS = ['resource', 'assembly', 'deployable'];

/** Recoveries from the events: the first restart decision (failure detected) to the restarted
 * resource's next successful start, or to the deployable running again; the level is the highest
 * escalation decided on the way. */
function recoveries(events) {
  const found = [];
  let open = null;
  for (const event of events) {
    const restart = /^(resource|assembly|deployable)\.restart$/.exec(event.kind);
    if (restart) {
      const what = event.resource ? `${event.assembly}/${event.resource}` : (event.assembly || event.deployable);
      if (!open) open = { start: event.at, level: restart[1], what, reason: event.message, end: null };
      else if (LEVELS.indexOf(restart[1]) > LEVELS.indexOf(open.level)) { open.level = restart[1]; open.what = what; }
      continue;
    }
    if (!open) continue;
    const startedAgain = event.kind === 'resource.start-result' && / ok$/.test(event.message)
      && open.level === 'resource' && open.what === `${event.assembly}/${event.resource}`;
    let state = null;
    if (event.kind === 'deployable.state') { try { state = JSON.parse(event.data || '{}').state; } catch (_) { state = null; } }
    if (startedAgain || state === 'running' || state === 'failed' || event.kind === 'deployable.stop') {
      open.end = event.at;
      open.outcome = state === 'failed' ? 'failed' : event.kind === 'deployable.stop' ? 'stopped' : 'recovered';
      found.push(open);
      open = null;
    }
  }
  if (open) found.push(open);
  return found.slice(-10);
}

/** The last recoveries as an SVG chart (one bar each, from detection to recovery, coloured and
 * labelled by escalation level), with the same facts as a list for screen readers. */
function recoveryChart(list) {
  const section = el('section', { id: 'recoveries', 'aria-labelledby': 'recoveries-title' },
    el('h3', { id: 'recoveries-title', text: 'Last recoveries' }));
  if (!list.length) { section.append(el('p', { text: 'No recoveries yet.' })); return section; }
  const now = Date.now() / 1000;
  const start = Math.min(...list.map((r) => r.start));
  const end = Math.max(...list.map((r) => r.end || now), start + 1);
  const width = 640, left = 210, right = 10, row = 26, top = 10;
  const height = top + list.length * row + 24;
  const x = (t) => left + ((t - start) / (end - start)) * (width - left - right);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const set = (node, attrs) => { for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v)); return node; };
  set(svg, { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-labelledby': 'recoveries-title' });
  list.forEach((r, index) => {
    const y = top + index * row;
    const x0 = x(r.start), x1 = Math.max(x(r.end || now), x0 + 3);
    const bar = set(document.createElementNS(ns, 'rect'), {
      x: x0, y, width: x1 - x0, height: row - 8, class: `${r.level}${r.end ? '' : ' open'}`, 'data-level': r.level,
    });
    const title = document.createElementNS(ns, 'title');
    title.textContent = describe(r);
    bar.append(title);
    // Labels in their own column on the left, bars on the time axis to their right.
    const label = set(document.createElementNS(ns, 'text'), { x: 4, y: y + row - 12 });
    label.textContent = `${r.what}: ${duration(r)} (${r.level})`;
    svg.append(bar, label);
  });
  const axisY = top + list.length * row + 4;
  svg.append(set(document.createElementNS(ns, 'line'), { x1: left, y1: axisY, x2: width - right, y2: axisY, class: 'axis' }));
  for (const [t, anchor] of [[start, 'start'], [end, 'end']]) {
    const tick = set(document.createElementNS(ns, 'text'), { x: x(t), y: axisY + 14, 'text-anchor': anchor });
    tick.textContent = time(t);
    svg.append(tick);
  }
  section.append(svg,
    el('ul', { class: 'legend' }, LEVELS.map((level) => el('li', {}, el('span', { class: `swatch ${level}` }), `${level} restart`))),
    el('ol', { class: 'recovery-list' }, list.map((r) => el('li', { 'data-level': r.level, 'data-outcome': r.end ? r.outcome : 'ongoing', 'data-end': r.end, text: describe(r) }))));
  return section;
}

function duration(r) { return r.end ? `${(r.end - r.start).toFixed(1)} s` : 'ongoing'; }

function describe(r) {
  const outcome = r.end ? `${r.outcome} after ${duration(r)}` : 'not recovered yet';
  return `${time(r.start)} ${r.what}: failure detected, ${r.level} restart, ${outcome}. ${r.reason}`;
}

// ---- events -------------------------------------------------------------------------------

function matches(event) {
  const f = app.filters;
  return (!f.deployable || event.deployable === f.deployable) && (!f.severity || event.severity === f.severity)
    && (!f.kind || event.kind.includes(f.kind));
}

function eventRow(event) {
  return el('tr', { 'data-seq': event.seq, 'data-kind': event.kind },
    el('td', { text: time(event.at) }), el('td', { text: event.deployable }),
    el('td', { class: `sev-${event.severity}`, text: event.severity }), el('td', { text: event.kind }),
    el('td', { text: event.message }));
}

function prependEvent(event) {
  const body = document.querySelector('#events tbody');
  if (body) body.prepend(eventRow(event));
}

function eventsView() {
  const deployables = [...new Set(app.events.map((e) => e.deployable))].sort();
  const select = (id, label, options, value) => [
    el('label', { for: id, text: label }),
    el('select', { id }, el('option', { value: '', text: 'all' }),
      options.map((o) => el('option', { value: o, selected: o === value, text: o }))),
  ];
  const filters = el('form', { class: 'filters', role: 'search' },
    el('div', {}, select('filter-deployable', 'Deployable', deployables, app.filters.deployable)),
    el('div', {}, select('filter-severity', 'Severity', ['info', 'warning', 'error'], app.filters.severity)),
    el('div', {}, el('label', { for: 'filter-kind', text: 'Kind contains' }),
      el('input', { id: 'filter-kind', type: 'search', value: app.filters.kind })));
  const list = el('div', { id: 'event-list' });
  const redraw = () => {
    const shown = app.events.filter(matches).slice(-500).reverse();
    list.replaceChildren(table(`Events (${shown.length} shown, newest first)`, ['Time', 'Deployable', 'Severity', 'Kind', 'What happened'],
      shown.map(eventRow), { id: 'events' }));
  };
  filters.addEventListener('input', () => {
    app.filters = { deployable: $('filter-deployable').value, severity: $('filter-severity').value, kind: $('filter-kind').value.trim() };
    redraw();
  });
  filters.addEventListener('submit', (event) => event.preventDefault());
  redraw();
  return el('section', {}, el('h2', { tabindex: '-1', text: 'Events' }), filters, list);
}

// ---- actions ------------------------------------------------------------------------------

function confirmThen(question, run, label) {
  const dialog = $('confirm');
  $('confirm-text').textContent = question.charAt(0).toUpperCase() + question.slice(1);
  dialog.returnValue = '';
  dialog.addEventListener('close', async () => {
    if (dialog.returnValue !== 'ok') return;
    const result = $('result');
    result.textContent = `${label}: sent\u2026`;
    const answer = await run();
    result.textContent = answer.ok ? `${label}: accepted; the states below follow live.`
      : `${label}: refused (${answer.status}): ${(answer.data && answer.data.error) || ''}`;
    result.className = answer.ok ? 'result' : 'result error';
    route(true);
  }, { once: true });
  dialog.showModal();
  $('confirm-cancel').focus();
}

// ---- start --------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', async () => {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  window.addEventListener('hashchange', () => { $('result').textContent = ''; route(); });
  const session = await api('GET', '/dashboard/session');
  if (session.ok) showApp(session.data); else showLogin();
});
