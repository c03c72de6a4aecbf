// The trajectory viewer: vanilla JS over the trainer's own REST API (/v1/trajectories, /v1/stats, /v1/jobs). No build step,
// nothing fetched from elsewhere. Every value from the store is written with textContent, never as HTML.
'use strict';

// Qwen3's chat-format literals, in this one place: the thinking block and the hermes tool call in completion_text.
const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';
const TOOL_CALL_BLOCK = /<tool_call>[\s\S]*?(<\/tool_call>|$)/g;

const TOKEN_KEY = 'aster.internal-token';
const PAGE_SIZE = 50;
const $ = (id) => document.getElementById(id);

let nextCursor = null;
// A newer list request wins: answers of older ones (filters changed meanwhile) are dropped.
let listGeneration = 0;

// The launcher prints .../ui/#token=...: a fragment never reaches a server or its logs. Keep it for this tab only
// and drop it from the address bar at once.
function takeTokenFromFragment() {
  const m = location.hash.match(/^#token=(.+)$/);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + '#/');
  }
}

async function api(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const response = await fetch(path, { headers: { Authorization: 'Bearer ' + token } });
  if (response.status === 401 || response.status === 403) {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin('The token was refused (' + response.status + '); enter it again.');
    throw new Error('unauthorised');
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(body && body.error ? body.error.message : 'HTTP ' + response.status);
  }
  return body;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

function showOnly(id) {
  for (const s of ['login', 'list', 'detail', 'jobs']) $(s).hidden = s !== id;
  $('error').hidden = true;
  $('forget').hidden = id === 'login';
}

function showError(e) {
  if (e.message === 'unauthorised') return;
  $('error').textContent = e.message;
  $('error').hidden = false;
}

function showLogin(message) {
  showOnly('login');
  if (message) { $('error').textContent = message; $('error').hidden = false; }
  $('token').focus();
}

function yesNo(v) {
  if (v === true) return el('span', { class: 'yes' }, 'correct');
  if (v === false) return el('span', { class: 'no' }, 'wrong');
  return el('span', { class: 'muted' }, 'not graded');
}

function fmt(v) { return v === null || v === undefined ? '–' : v; }

// ---- list --------------------------------------------------------------------------------------------------------

function filterQuery() {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($('filters'))) if (String(v).trim() !== '') params.set(k, String(v).trim());
  params.set('limit', PAGE_SIZE);
  return params;
}

async function loadList(append) {
  const generation = ++listGeneration;
  const params = filterQuery();
  if (append && nextCursor) params.set('cursor', nextCursor);
  const body = $('trajectories').tBodies[0];
  if (!append) body.replaceChildren();
  $('trajectories').dataset.loaded = 'false';
  $('list-status').textContent = 'Loading…';
  try {
    const page = await api('/v1/trajectories?' + params);
    if (generation !== listGeneration) return;
    for (const t of page.data) body.append(row(t));
    nextCursor = page.next_cursor;
    $('more').hidden = !nextCursor;
    $('list-status').textContent = body.rows.length === 0 ? 'No trajectories match.'
        : body.rows.length + ' shown' + (nextCursor ? ', more below' : '');
    $('trajectories').dataset.loaded = 'true';
  } catch (e) {
    $('list-status').textContent = '';
    showError(e);
  }
}

function row(t) {
  const tr = el('tr', { 'data-id': t.id },
      el('td', {}, new Date(t.created_at).toLocaleString()),
      el('td', {}, t.source), el('td', { class: 'mono' }, fmt(t.problem_id)), el('td', {}, fmt(t.policy_version)),
      el('td', {}, t.tool_calls), el('td', {}, t.completion_tokens), el('td', {}, t.finish_reason),
      el('td', {}, fmt(t.reward)), el('td', {}, yesNo(t.correct)));
  tr.addEventListener('click', () => { location.hash = '#/t/' + encodeURIComponent(t.id); });
  return tr;
}

async function loadStats() {
  try {
    const s = await api('/v1/stats');
    $('stats').textContent = s.total + ' trajectories' + (s.accuracy === null ? ''
        : ' · accuracy ' + (100 * s.accuracy).toFixed(1) + '% of ' + s.graded + ' graded');
  } catch (e) { showError(e); }
}

// ---- one trajectory ----------------------------------------------------------------------------------------------

// completion_text split as a person reads it: the thinking, then what the model said (tool-call markup removed,
// the call itself is shown from tool_call).
function splitCompletion(text) {
  let thinking = '';
  let rest = text || '';
  const open = rest.indexOf(THINK_OPEN);
  if (open >= 0) {
    const close = rest.indexOf(THINK_CLOSE, open);
    thinking = rest.slice(open + THINK_OPEN.length, close < 0 ? undefined : close).trim();
    rest = rest.slice(0, open) + (close < 0 ? '' : rest.slice(close + THINK_CLOSE.length));
  }
  return { thinking, said: rest.replace(TOOL_CALL_BLOCK, '').trim() };
}

function card(title, ...children) {
  return el('div', { class: 'card' }, el('h2', {}, title), ...children);
}

function meta(pairs) {
  return el('div', { class: 'meta' }, ...pairs.map(([k, v]) => el('div', {}, el('span', {}, k), v)));
}

function turnCard(turn, index) {
  const { thinking, said } = splitCompletion(turn.completion_text);
  const parts = [];
  if (thinking) parts.push(el('div', { class: 'thinking' }, thinking));
  if (said) parts.push(el('div', { class: 'text' }, said));
  if (turn.tool_call) {
    parts.push(el('div', { class: 'status' }, 'code call · ' + (turn.tool_call.name || 'tool')));
    parts.push(el('pre', { class: 'code' }, turn.tool_call.code || JSON.stringify(turn.tool_call)));
  }
  const r = turn.tool_result;
  if (r) {
    const ok = r.status === 'ok';
    parts.push(el('div', { class: 'status' }, 'output · ',
        el('span', { class: ok ? 'ok' : 'fail' }, r.status), ' · ', fmt(r.duration_ms) + ' ms'));
    parts.push(el('pre', { class: 'output' }, r.text === '' ? '(no output)' : fmt(r.text)));
  }
  const tokens = (turn.completion_token_ids || []).length;
  return card('Turn ' + (index + 1) + ' · ' + tokens + ' model tokens · ' + fmt(turn.finish_reason), ...parts);
}

function tokenViewCard(view) {
  const box = el('div', { class: 'tokens', id: 'token-view' });
  const frag = document.createDocumentFragment();
  for (let i = 0; i < view.token_ids.length; i++) {
    const kind = view.mask[i];
    const lp = view.logprobs[i];
    const tok = el('span', { class: 'tok ' + kind }, view.token_ids[i]);
    tok.title = kind + ' #' + i + (lp === null || lp === undefined ? '' : ' · logprob ' + lp.toFixed(3));
    frag.append(tok);
  }
  box.append(frag);
  const legend = el('p', { class: 'legend' },
      el('span', { class: 'prompt' }, 'prompt ' + view.prompt_tokens),
      el('span', { class: 'model' }, 'model ' + view.model_tokens + ' (trained on)'),
      el('span', { class: 'tool' }, 'tool ' + view.tool_tokens + ' (masked)'),
      view.logprobs_complete ? '' : el('em', { class: 'muted' }, 'some log-probs missing'));
  return card('Token view · token ids as the model saw them; hover for the log-prob', legend, box);
}

async function loadDetail(id) {
  const root = $('detail');
  root.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  try {
    const { trajectory: t, token_view: view } = await api('/v1/trajectories/' + encodeURIComponent(id));
    const question = (t.messages || []).filter((m) => m.role === 'user').map((m) => m.content).join('\n\n');
    const system = (t.messages || []).filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    const usage = t.usage || {};
    const timings = t.timings || {};
    root.replaceChildren(...[
        el('p', {}, el('a', { href: '#/' }, '← all trajectories')),
        el('h1', { class: 'mono' }, t.id),
        card('Run', meta([
          ['source', t.source], ['model', fmt(t.model)], ['policy version', fmt(t.policy_version)],
          ['problem', fmt(t.problem_id)], ['created', new Date(t.created_at).toLocaleString()],
          ['finish reason', fmt(t.finish_reason)], ['tool calls', fmt(usage.tool_calls)],
          ['format errors', fmt(usage.format_errors)], ['completion tokens', fmt(usage.completion_tokens)],
          ['time', fmt(timings.total_ms) + ' ms (model ' + fmt(timings.model_ms) + ', tools ' + fmt(timings.tool_ms) + ')'],
        ])),
        system ? card('System', el('div', { class: 'text' }, system)) : null,
        card('Question', el('div', { class: 'text', id: 'question' }, question || '(none)')),
        ...(t.turns || []).map(turnCard),
        card('Answer', el('div', { class: 'answer text', id: 'answer' }, fmt(t.final_answer)),
            meta([['reward', fmt(t.reward)], ['graded', yesNo(t.correct)],
              ['reference answer', fmt(t.reference_answer)]])),
        tokenViewCard(view)].filter((part) => part !== null));
  } catch (e) {
    root.replaceChildren();
    showError(e);
  }
}

// ---- training jobs ----------------------------------------------------------------------------------------------

function num(v, digits) { return typeof v === 'number' ? v.toFixed(digits) : '–'; }

async function loadJobs(selected) {
  const body = $('jobs-table').tBodies[0];
  $('jobs-table').dataset.loaded = 'false';
  $('jobs-status').textContent = 'Loading…';
  try {
    const { data } = await api('/v1/jobs');
    body.replaceChildren(...data.map((j) => {
      const m = (j.last && j.last.metrics) || {};
      const tr = el('tr', { 'data-id': j.id, class: j.id === selected ? 'selected' : '' },
          el('td', { class: 'mono' }, j.id), el('td', {}, j.type),
          el('td', {}, el('span', { class: 'job-status ' + j.status }, j.status)),
          el('td', {}, j.step + ' / ' + j.total_steps), el('td', {}, num(m.loss, 4)), el('td', {}, num(m.reward_mean, 3)),
          el('td', {}, fmt(j.policy_version)), el('td', {}, j.created_at ? new Date(j.created_at).toLocaleString() : '–'),
          el('td', { class: 'error-cell' }, fmt(j.error)));
      tr.addEventListener('click', () => { location.hash = '#/jobs/' + encodeURIComponent(j.id); });
      return tr;
    }));
    $('jobs-status').textContent = data.length === 0 ? 'No training jobs yet (./aster train sft --config FILE).'
        : data.length + ' jobs; click one for its curves';
    $('jobs-table').dataset.loaded = 'true';
  } catch (e) {
    $('jobs-status').textContent = '';
    showError(e);
  }
}

// A curve is behind the token like every API path: fetched with it, shown from a blob URL.
async function curveImage(jobId, name) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const response = await fetch('/v1/jobs/' + encodeURIComponent(jobId) + '/curves/' + encodeURIComponent(name) + '.png',
      { headers: { Authorization: 'Bearer ' + token } });
  if (!response.ok) return el('p', { class: 'muted' }, name + ': not drawn yet');
  const img = el('img', { class: 'curve', alt: name, 'data-curve': name });
  const loaded = new Promise((resolve) => { img.onload = resolve; img.onerror = resolve; });
  img.src = URL.createObjectURL(await response.blob());
  await loaded;
  return el('figure', {}, img, el('figcaption', {}, name + '.png'));
}

async function loadJob(id) {
  const root = $('job-detail');
  root.dataset.loaded = 'false';
  try {
    const j = await api('/v1/jobs/' + encodeURIComponent(id));
    const m = (j.last && j.last.metrics) || {};
    const figures = await Promise.all((j.curves || []).map((name) => curveImage(j.id, name)));
    root.replaceChildren(card('Job ' + j.id, meta([
          ['type', j.type], ['status', j.status], ['step', j.step + ' / ' + j.total_steps],
          ['loss', num(m.loss, 4)], ['policy version', fmt(j.policy_version)], ['folder', j.folder],
          ['error', fmt(j.error)]])),
        card('Curves', el('div', { class: 'curves', id: 'curves' }, ...figures)));
    root.dataset.loaded = 'true';
  } catch (e) {
    root.replaceChildren();
    showError(e);
  }
}

// ---- routing -----------------------------------------------------------------------------------------------------

function route() {
  takeTokenFromFragment();
  if (!sessionStorage.getItem(TOKEN_KEY)) { showLogin(); return; }
  const job = location.hash.match(/^#\/jobs(?:\/(.+))?$/);
  if (job) {
    showOnly('jobs');
    const id = job[1] ? decodeURIComponent(job[1]) : null;
    loadJobs(id);
    if (id) loadJob(id); else $('job-detail').replaceChildren();
    return;
  }
  const m = location.hash.match(/^#\/t\/(.+)$/);
  if (m) {
    showOnly('detail');
    loadDetail(decodeURIComponent(m[1]));
  } else {
    showOnly('list');
    loadStats();
    loadList(false);
  }
}

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  route();
});
$('filters').addEventListener('submit', (e) => { e.preventDefault(); loadList(false); });
$('clear').addEventListener('click', () => { $('filters').reset(); loadList(false); });
$('more').addEventListener('click', () => loadList(true));
$('forget').addEventListener('click', () => { sessionStorage.removeItem(TOKEN_KEY); showLogin(); });
window.addEventListener('hashchange', route);
route();
