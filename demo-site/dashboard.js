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
      value: (_, v) => fmt(s, v),
    }))],
    legend: { show: true, live: false }, // the series' names; each bar carries its value
    hooks: { draw: [(u) => labelBars(u, series)] },
  };
  // The chart's text alternative: every value, in words.
  el.setAttribute('aria-label', `${el.dataset.title ?? (el.dataset.title = el.getAttribute('aria-label'))}: ` +
    series.map((s) => `${s.label} — ${labels.map((l, i) => `${l} ${fmt(s, s.values[i])}`).join(', ')}`).join('; '));
  charts[id]?.destroy();
  charts[id] = new uPlot(opts, data, el);
}

const fmt = (s, v) => (v == null ? '' : s.format ? s.format(v) : String(v));

/** Writes each bar's value above it, so the figures read without hovering. */
function labelBars(u, series) {
  const { ctx } = u;
  const n = series.length;
  const step = u.valToPos(1, 'x', true) - u.valToPos(0, 'x', true);
  const width = step * (0.8 / n);
  ctx.save();
  ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  series.forEach((s, si) => {
    ctx.fillStyle = s.color;
    s.values.forEach((v, i) => {
      if (v == null) return;
      // Where uPlot put the bar: centred on its category, or two side by side, each half
      // the width `size` gives one bar (measured against the drawn bars).
      const offset = n === 1 ? 0 : (si === 0 ? -1 : 1) * (width / 4);
      const x = u.valToPos(i, 'x', true) + offset;
      const y = u.valToPos(v, 'y', true) - 2 * devicePixelRatio;
      ctx.fillText(fmt(s, v), x, Math.max(y, u.bbox.top + 12 * devicePixelRatio));
    });
  });
  ctx.restore();
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
  // The chart shows the types the show had (the table lists every type, zeros too).
  const used = a.by_type.some((t) => t.interactions > 0) ? a.by_type.filter((t) => t.interactions > 0) : a.by_type;
  bars('rate-chart', used.map((t) => t.type), [
    { label: 'interactions ÷ viewers', values: used.map((t) => t.per_viewer * 100), color: '#d1123f', format: (v) => `${v.toFixed(1)}%` },
    { label: 'viewers who interacted ÷ viewers', values: used.map((t) => t.share_of_viewers * 100), color: '#1f6feb', format: (v) => `${v.toFixed(1)}%` },
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
