// The show dashboard: the reference backend's /rooms/:id/analytics, charted with uPlot.
import uPlot from '/dist/vendor/uplot/uPlot.esm.js';
import { hostHeaders } from './session.js';

const $ = (sel) => document.querySelector(sel);
const form = $('#pick');
const params = new URLSearchParams(location.search);
form.room.value = params.get('room') ?? 'demo';
form.window.value = params.get('window') ?? '30';

const pct = (x) => `${(x * 100).toFixed(1)}%`;
const charts = {};

/** A bar chart of labelled categories (uPlot draws bars with its bars path builder). Bars
 * start at zero; long category names are slanted so they never run into each other. */
function bars(id, labels, series, { slant = false } = {}) {
  const el = $(`#${id}`);
  const data = [labels.map((_, i) => i), ...series.map((s) => s.values)];
  const opts = {
    width: Math.min(el.clientWidth || 720, 960),
    height: 240,
    scales: {
      x: { time: false, range: [-0.5, labels.length - 0.5] },
      y: { range: (_, __, max) => [0, Math.max(1, max) * 1.1] },
    },
    axes: [
      { values: (_, ticks) => ticks.map((t) => labels[t] ?? ''), splits: () => labels.map((_, i) => i), ...(slant ? { rotate: -35, size: 90 } : {}) },
      {},
    ],
    series: [{ label: '' }, ...series.map((s, i) => ({
      label: s.label,
      stroke: s.color,
      fill: s.color + '99',
      paths: uPlot.paths.bars({ size: [0.8 / series.length, 60], align: series.length === 1 ? 0 : i === 0 ? -1 : 1 }),
      points: { show: false },
      value: (_, v) => (v == null ? '' : s.format ? s.format(v) : String(v)),
    }))],
    legend: { show: true, live: false }, // the series' names, not a value under the cursor
  };
  charts[id]?.destroy();
  charts[id] = new uPlot(opts, data, el);
}

function row(tbody, cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = String(c);
    tr.append(td);
  }
  tbody.append(tr);
  return tr;
}

function kpi(name, value, key) {
  const dt = document.createElement('dt');
  dt.textContent = name;
  const dd = document.createElement('dd');
  dd.textContent = value;
  dd.dataset.key = key;
  // Each figure under its own label: a pair is one cell of the grid.
  const pair = document.createElement('div');
  pair.append(dt, dd);
  $('#kpis').append(pair);
}

async function refresh() {
  const room = form.room.value;
  let a;
  try {
    const res = await fetch(`/rooms/${encodeURIComponent(room)}/analytics?window_min=${Number(form.window.value) || 30}`, { headers: hostHeaders() });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    a = await res.json();
  } catch (err) {
    $('#state').textContent = `unavailable (${err.message}); the dashboard needs the reference backend: npm start`;
    return;
  }
  $('#state').textContent = `updated ${new Date().toLocaleTimeString()}`;
  document.body.dataset.viewers = String(a.viewers);

  $('#kpis').replaceChildren();
  kpi('Viewers online', a.online, 'online');
  kpi('Viewers (seen in events)', a.viewers, 'viewers');
  kpi('Interactions', a.interactions, 'interactions');
  kpi('Interaction rate (interactions ÷ viewers)', pct(a.interaction_rate.per_viewer), 'rate_per_viewer');
  kpi('Interaction rate (viewers who interacted ÷ viewers)', pct(a.interaction_rate.share_of_viewers), 'rate_share');
  kpi('Average time in room', `${(a.avg_time_in_room_ms / 60000).toFixed(1)} min`, 'time_in_room');
  kpi('Orders', a.orders, 'orders');
  kpi(`Orders attributed to an interaction (≤ ${a.attribution_window_ms / 60000} min before)`,
    `${a.orders_attributed} (${pct(a.orders ? a.orders_attributed / a.orders : 0)})`, 'attributed');

  const tbody = $('#rate-table tbody');
  tbody.replaceChildren();
  for (const t of a.by_type) {
    row(tbody, [t.type, t.interactions, t.viewers, pct(t.per_viewer), pct(t.share_of_viewers)]).dataset.type = t.type;
  }
  bars('rate-chart', a.by_type.map((t) => t.type), [
    { label: 'interactions ÷ viewers', values: a.by_type.map((t) => t.per_viewer * 100), color: '#d1123f', format: (v) => `${v.toFixed(1)}%` },
    { label: 'viewers who interacted ÷ viewers', values: a.by_type.map((t) => t.share_of_viewers * 100), color: '#1f6feb', format: (v) => `${v.toFixed(1)}%` },
  ], { slant: true });
  bars('funnel-chart', ['exposed', 'participated', 'converted'], [
    { label: 'viewers', values: [a.funnel.exposed, a.funnel.participated, a.funnel.converted], color: '#d1123f' },
  ]);
  const heat = a.heatmap;
  bars('heat-chart', heat.map((h) => new Date(h.minute).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })), [
    { label: 'interactions per minute', values: heat.map((h) => h.interactions), color: '#d1123f' },
  ]);
  const wt = $('#widget-table tbody');
  wt.replaceChildren();
  for (const w of a.widgets) {
    const tr = row(wt, [w.title ?? w.widget_id, w.kind ?? '', w.exposed, w.participated, pct(w.participation)]);
    tr.dataset.widget = w.widget_id;
    tr.cells[0].title = w.widget_id; // the id, for whoever looks it up in the logs
  }
  document.body.dataset.ready = 'true';
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  history.replaceState(null, '', `?room=${encodeURIComponent(form.room.value)}&window=${form.window.value}`);
  refresh();
});
refresh();
setInterval(refresh, 3000);
