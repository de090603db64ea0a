// The demo sandbox: one viewer's overlay, driven by a host console in the same page.
// It uses only the public `hudong` API, as an integrator's page would.
import { createRoom } from '/dist/index.js';
import { scriptedTracker } from '/dist/testing.js';
import { hostHeaders, join } from './session.js';
import { startVideo } from './live-video.js';

const $ = (sel) => document.querySelector(sel);
// The console's own phone: one viewer per browser, kept across reloads (its points, answers
// and orders stay its own).
const userId = localStorage.getItem('hudong-demo-console-viewer') ?? `viewer-${Math.random().toString(36).slice(2, 7)}`;
localStorage.setItem('hudong-demo-console-viewer', userId);
$('#viewer-id').textContent = userId;
const roomId = new URLSearchParams(location.search).get('room') ?? 'demo';
$('#other-tab').href = `/viewer.html?room=${encodeURIComponent(roomId)}`;
$('#other-tab-hint').href = $('#other-tab').href;

// The reference backend (`npm start`) serves this page and decides everything a viewer
// asks for: grabs, redemptions, draws, claims, tallies. The console only sends commands.
const backend = await fetch('/backend').then((r) => (r.ok ? r.json() : null)).catch(() => null);
if (backend?.authoritative !== true) {
  $('#backend-missing').hidden = false;
  throw new Error('the sandbox needs the reference backend: run `npm start`');
}
document.body.dataset.backend = 'reference';
// The live test stream, when the backend makes one (`npm start` does): the phone plays it,
// and by default the overlay follows it (each command shows when the video gets there).
const live = await startVideo(backend, $('.phone .video'));
if (live) {
  const follow = new Option("the video's own (HLS program-date-time)", 'video', true, true);
  $('#delay').prepend(follow);
}

let room;
let poll = null; // the console's current poll: { id }
let pollSerial = 0;

async function mountRoom() {
  room?.destroy();
  const followVideo = $('#delay').value === 'video';
  const delay = followVideo ? 0 : Number($('#delay').value);
  // The viewer's session token: events are checked against it, and the command socket
  // carries this viewer's own commands (its quiz standing, its points) only with it.
  const session = await join(roomId, userId);
  room = await createRoom({
    roomId,
    mount: '#overlay',
    timeUrl: '/time',
    playhead: followVideo ? { get: live.streamTime } : delay > 0 ? { delayMs: delay } : undefined,
    userId,
    locale: $('#locale').value,
    theme: $('#theme').value,
    onEvent: logEvent,
    onError: logEvent,
    delivery: { flushIntervalMs: 1000 },
    tryOn: {
      // Each snapshot arrives as a JPEG blob: a real page would upload or share it.
      onSnapshot: (blob) => logEvent({ type: 'host.snapshot', bytes: blob.size, mime: blob.type }),
    },
    // Commands from the room hub (a late join or a reconnect gets a snapshot) and events to
    // the collector `npm start` runs beside the sandbox, both with the session token.
    ...session,
  });
  window.hudongRoom = room; // handy in the devtools console
  applyTracker();
  room.on('channel.state', (e) => ($('#conn').textContent = e.state));
  $('#conn').textContent = room.channelState;
}

// ---- host console -----------------------------------------------------------------------

/** Sends a command to every viewer of the room, through the hub. */
async function send(command) {
  const stamp = $('#stamp').checked && command.type !== 'poll.tally';
  const body = JSON.stringify(stamp ? { ...command, pts: 'now' } : command);
  // A request that never got an answer (the connection dropped, the server was restarting)
  // is tried again a few times: a host's command must not vanish in the middle of a show.
  // Resending is safe: the room absorbs a repeated open, and every other command is a state.
  for (let attempt = 1; ; attempt += 1) {
    try {
      const res = await fetch(`/rooms/${roomId}/commands`, { method: 'POST', headers: hostHeaders(), body });
      const out = await res.json();
      if (!out.ok) logEvent({ type: 'error', ...out.error, command_type: command.type });
      return out.ok;
    } catch (err) {
      if (attempt >= 4) {
        logEvent({ type: 'error', code: 'transport_failed', message: `could not reach the backend: ${err.message}`, command_type: command.type });
        return false;
      }
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  }
}

$('#poll-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.currentTarget);
  const labels = String(f.get('options')).split('\n').map((s) => s.trim()).filter(Boolean);
  const duration = Number(f.get('duration'));
  if (poll) await send({ type: 'widget.remove', widget_id: poll.id });
  const id = `poll-${Date.now().toString(36)}-${++pollSerial}`;
  const options = labels.map((label, i) => ({ id: String.fromCharCode(97 + i), label }));
  const ok = await send({
    type: 'poll.open',
    v: 1,
    widget_id: id,
    question: String(f.get('question')),
    options,
    max_choices: Number(f.get('max_choices')) || 1,
    revote: f.get('revote') === 'on',
    ...(duration > 0 ? { closes_at: room.serverNow() + duration * 1000 } : {}),
  });
  poll = ok ? { id } : null;
});

$('#close').addEventListener('click', () => poll && send({ type: 'poll.close', widget_id: poll.id }));
// The results are the server's tallies of real votes.
$('#reveal').addEventListener('click', () => poll && send({ type: 'poll.reveal', widget_id: poll.id }));
$('#remove').addEventListener('click', () => {
  if (poll) send({ type: 'widget.remove', widget_id: poll.id });
  poll = null;
});
// ---- more widgets: every widget whose decision module offers an example (GET /widgets) -------

async function loadCatalog() {
  let examples = [];
  try {
    examples = (await (await fetch('/widgets')).json()).examples ?? [];
  } catch {
    return;
  }
  if (!examples.length) return;
  const pick = $('#catalog-kind');
  pick.replaceChildren(...examples.map((ex, i) => new Option(ex.type.replace(/\.open$/, ''), String(i))));
  const show = () => {
    const ex = examples[Number(pick.value)];
    $('#catalog-json').value = JSON.stringify(ex, null, 1);
  };
  pick.addEventListener('change', show);
  show();
  $('#catalog-form').hidden = false;
}
/** `ends_in` / `closes_in` (ms from now) become server times `ends_at` / `closes_at`. */
function withTimes(command) {
  const out = { ...command };
  for (const [k, v] of Object.entries(command)) {
    if (k.endsWith('_in') && typeof v === 'number') {
      delete out[k];
      out[`${k.slice(0, -3)}_at`] = room.serverNow() + v;
    }
  }
  return out;
}
$('#catalog-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  let command;
  try {
    command = JSON.parse($('#catalog-json').value);
  } catch (err) {
    logEvent({ type: 'error', code: 'malformed_command', message: `not JSON: ${err.message}` });
    return;
  }
  await send(withTimes(command));
});
$('#catalog-remove').addEventListener('click', async () => {
  try {
    const { widget_id } = JSON.parse($('#catalog-json').value);
    await send({ type: 'widget.remove', widget_id });
  } catch {}
});
loadCatalog();

$('#raw-form').addEventListener('submit', (e) => {
  e.preventDefault();
  room.receive(String(new FormData(e.currentTarget).get('json')));
});
$('#locale').addEventListener('change', mountRoom);
$('#theme').addEventListener('change', mountRoom);
$('#delay').addEventListener('change', mountRoom);
$('#clear-log').addEventListener('click', () => $('#log').replaceChildren());

// ---- quiz ------------------------------------------------------------------------------------

let quiz = null; // { id, mode, q: {id, optionIds, correct}, serial }

$('#quiz-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.currentTarget);
  if (quiz) await send({ type: 'widget.remove', widget_id: quiz.id });
  const id = `quiz-${Date.now().toString(36)}`;
  const ok = await send({ type: 'quiz.open', widget_id: id, title: String(f.get('title')), mode: String(f.get('mode')) });
  quiz = ok ? { id, mode: String(f.get('mode')), q: null, serial: 0 } : null;
  if (ok) askQuestion();
});

async function askQuestion() {
  if (!quiz) return;
  const f = new FormData($('#quiz-form'));
  const labels = String(f.get('options')).split('\n').map((s) => s.trim()).filter(Boolean);
  const options = labels.map((label, i) => ({ id: String.fromCharCode(97 + i), label }));
  const qid = `q${++quiz.serial}`;
  const correct = options[Math.min(options.length, Math.max(1, Number(f.get('correct')))) - 1]?.id;
  const ok = await send({
    type: 'quiz.question',
    widget_id: quiz.id,
    question_id: qid,
    text: String(f.get('text')),
    options,
    closes_at: room.serverNow() + Number(f.get('window')) * 1000,
  });
  // The answer stays on the server until the reveal: viewers never receive it earlier.
  if (ok) quiz.q = { id: qid, optionIds: options.map((o) => o.id), correct };
}

$('#quiz-ask').addEventListener('click', askQuestion);

$('#quiz-reveal').addEventListener('click', async () => {
  if (!quiz?.q) return;
  // How viewers answered: the answers the backend stored for this question. The backend
  // scores every viewer itself and sends standings and the leaderboard.
  const answers = await fetch(`/collect/events?room=${encodeURIComponent(roomId)}&type=quiz.answer`, { headers: hostHeaders() })
    .then((r) => (r.ok ? r.json() : []))
    .catch(() => []);
  const counts = Object.fromEntries(quiz.q.optionIds.map((o) => [o, 0]));
  for (const a of answers) if (a.widget_id === quiz.id && a.question_id === quiz.q.id && a.option_id in counts) counts[a.option_id] += 1;
  await send({ type: 'quiz.reveal', widget_id: quiz.id, question_id: quiz.q.id, correct: [quiz.q.correct], counts });
});

$('#quiz-revive').addEventListener('click', () => {
  if (!quiz) return;
  // The standing the backend gave this viewer, with the elimination lifted (a revive card).
  const mine = room.widgets.find((w) => w.kind === 'quiz' && w.spec.widget_id === quiz.id)?.standing;
  send({
    type: 'quiz.standing',
    widget_id: quiz.id,
    user_id: userId, // addressed: other viewers ignore it
    score: mine?.score ?? 0,
    streak: mine?.streak ?? 0,
    eliminated: false,
    ...(mine?.rank ? { rank: mine.rank } : {}),
    ...(quiz.mode === 'team' ? { team_id: 'team-1' } : {}),
  });
});

// ---- flash sale ----------------------------------------------------------------------------

let flash = null; // { id, endsAt }

$('#flash-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.currentTarget);
  if (flash) await send({ type: 'widget.remove', widget_id: flash.id });
  const id = `flash-${Date.now().toString(36)}`;
  const now = room.serverNow();
  const startsAt = now + Number(f.get('starts')) * 1000;
  const endsAt = startsAt + Number(f.get('lasts')) * 1000;
  const cents = (v) => Math.round(Number(v) * 100);
  const gated = f.get('gated') === 'on';
  const ok = await send({
    type: 'flash.open',
    widget_id: id,
    product: { name: String(f.get('name')), price: cents(f.get('price')), original_price: cents(f.get('was')) },
    stock_total: Number(f.get('stock')),
    starts_at: startsAt,
    ends_at: endsAt,
    per_viewer_limit: Number(f.get('limit')),
    ...(gated ? { gate: '加入品牌企业微信群后可抢 · Members of the brand WeCom group only' } : {}),
  });
  flash = ok ? { id, endsAt } : null;
});

// The WeCom group is the backend's knowledge: tell it whether this viewer joined.
async function syncMembership() {
  await fetch(`/rooms/${roomId}/members`, {
    method: 'POST',
    headers: hostHeaders(),
    body: JSON.stringify({ user_id: userId, member: $('#member').checked }),
  });
}
$('#member').addEventListener('change', syncMembership);
syncMembership();

$('#flash-extend').addEventListener('click', () => {
  if (!flash) return;
  flash.endsAt += 30_000;
  send({ type: 'flash.extend', widget_id: flash.id, ends_at: flash.endsAt });
});
$('#flash-end').addEventListener('click', () => flash && send({ type: 'flash.end', widget_id: flash.id }));

// ---- point redeem: the backend keeps the books and decides ----------------------------------

const CATALOG = [
  { item_id: 'coupon', name: '满100减20券', cost: 100, stock: 30, per_viewer_limit: 2 },
  { item_id: 'lipstick', name: '丝绒唇釉小样', cost: 200, stock: 3, per_viewer_limit: 1 },
  { item_id: 'giftbox', name: '达人专享礼盒', cost: 80, stock: 10, per_viewer_limit: 1, tier: 'pro' },
];
const TIERS = [{ id: 'new', name: '新手' }, { id: 'pro', name: '达人' }];
let shop = null; // { id }
let gainSerial = 0;

$('#redeem-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.currentTarget);
  if (shop) await send({ type: 'widget.remove', widget_id: shop.id });
  const id = `shop-${Date.now().toString(36)}`;
  const items = CATALOG.map((i) => (i.item_id === 'coupon' ? { ...i, stock: Number(f.get('stock')) } : i));
  const ok = await send({ type: 'redeem.open', widget_id: id, title: '直播间积分商城', tiers: TIERS, items });
  if (!ok) return (shop = null);
  shop = { id };
  // Every viewer's starting account (no user id: the whole room, the phones on viewer.html
  // too). The backend opens each viewer's own account from it at their first gain or
  // redemption and keeps it from then on.
  send({ type: 'redeem.account', widget_id: id, balance: Number(f.get('balance')), tier: String(f.get('tier')) });
});

function givePoints(delta, reason) {
  if (!shop) return;
  // A gain id is the gain's identity (a repeated one is ignored): unique across reloads.
  send({ type: 'redeem.points', widget_id: shop.id, user_id: userId, gain_id: `gain-${Date.now().toString(36)}-${++gainSerial}`, delta, reason });
}
$('#points-watch').addEventListener('click', () => givePoints(10, '看播5分钟'));
$('#points-share').addEventListener('click', () => givePoints(30, '分享直播间'));
// A slow network between viewers and the backend: their requests arrive 3 s late, so the
// pending state can be watched.
$('#redeem-slow').addEventListener('change', (e) => {
  const delay = e.currentTarget.checked ? 3000 : 0;
  fetch('/collect/faults', { method: 'POST', headers: hostHeaders(), body: JSON.stringify({ delay_ms: delay }) });
});
$('#redeem-sellout').addEventListener('click', () => {
  if (!shop) return;
  send({ type: 'redeem.stock', widget_id: shop.id, stock: { lipstick: 0 } });
});

// ---- AR try-on ------------------------------------------------------------------------------

let tryon = null;
let tracker = null;

function applyTracker() {
  if (!room) return;
  tracker = $('#tryon-tracker').checked ? scriptedTracker({ lostWhen: () => $('#tryon-lost').checked }) : null;
  room.setTracker(tracker);
  window.hudongTracker = tracker;
}
$('#tryon-tracker').addEventListener('change', applyTracker);

$('#tryon-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.currentTarget);
  if (tryon) await send({ type: 'widget.remove', widget_id: tryon.id });
  const id = `tryon-${Date.now().toString(36)}`;
  const ok = await send({
    type: 'tryon.open',
    widget_id: id,
    product: {
      name: String(f.get('name')),
      sku: String(f.get('sku')),
      image: '/assets/sunglasses.svg',
      anchor: { x: 0.5, y: 0.3 },
      width: 0.55,
      price: Math.round(Number(f.get('price')) * 100),
    },
  });
  tryon = ok ? { id } : null;
});
$('#tryon-remove').addEventListener('click', () => {
  if (tryon) send({ type: 'widget.remove', widget_id: tryon.id });
  tryon = null;
});

// ---- what the console does with the viewer's events -----------------------------------------

function onViewerEvent(event) {
  // "10,000 likes unlock a red packet": the room goal, reached, opens the reward.
  if (event.type === 'likes.goal_reached' && !goalsUnlocked.has(event.widget_id)) {
    goalsUnlocked.add(event.widget_id);
    offerCoupon({ kind: 'red_packet', name: '点赞目标达成红包', value: 888, quantity: 50, openMs: 60_000 });
  }
}

// ---- lucky bag ------------------------------------------------------------------------------

let lottery = null; // { id, drawAt } of the bag on show

async function openLottery({ prize, count, drawInMs, condition, keyword }) {
  const id = `bag-${Date.now().toString(36)}`;
  const drawAt = room.serverNow() + drawInMs;
  const ok = await send({
    type: 'lottery.open', widget_id: id, prize: { name: prize, count }, condition,
    ...(condition === 'keyword' ? { keyword } : {}), ...(condition === 'watch' ? { watch_ms: 60_000 } : {}), draw_at: drawAt,
  });
  if (!ok) return null;
  // The backend draws at draw_at.
  lottery = { id, drawAt };
  return id;
}

$('#lottery-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.currentTarget);
  await openLottery({
    prize: String(f.get('prize')), count: Number(f.get('count')) || 1, drawInMs: Number(f.get('draw')) * 1000,
    condition: String(f.get('condition')), keyword: String(f.get('keyword')),
  });
});

async function syncFollow() {
  await fetch(`/rooms/${roomId}/follows`, {
    method: 'POST',
    headers: hostHeaders(),
    body: JSON.stringify({ user_id: userId, follow: $('#follows').checked }),
  });
}
$('#follows').addEventListener('change', syncFollow);
syncFollow();

// ---- product card -------------------------------------------------------------------------

let productsId = null;
async function presentProduct(product, how = 'present') {
  if (!productsId) {
    const id = `shelf-${Date.now().toString(36)}`;
    if (!(await send({ type: 'products.open', widget_id: id }))) return null;
    productsId = id;
  }
  await send({ type: how === 'pin' ? 'product.pin' : 'product.present', widget_id: productsId, product });
  return productsId;
}

$('#products-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.currentTarget);
  const num = (k) => (f.get(k) === '' ? undefined : Number(f.get(k)));
  await presentProduct({
    sku: String(f.get('sku')), name: String(f.get('name')), price: num('price') ?? 0,
    ...(num('original') ? { original_price: num('original') } : {}), ...(num('stock') !== undefined ? { stock_left: num('stock') } : {}),
  }, e.submitter?.value);
});

// ---- question queue -------------------------------------------------------------------------

let questionsId = null;
async function openQuestions(prompt) {
  const id = `qa-${Date.now().toString(36)}`;
  const ok = await send({ type: 'questions.open', widget_id: id, ...(prompt ? { prompt } : {}) });
  if (ok) questionsId = id;
  return ok ? id : null;
}

/** The question at the top of the waiting queue, as this page's room sees it. */
function topQuestion() {
  const w = room.widgets.find((x) => x.kind === 'questions' && x.spec.widget_id === questionsId);
  return w?.items.find((i) => i.state === 'queued')?.question_id;
}

async function markQuestion(state, questionId = topQuestion()) {
  if (!questionsId || !questionId) return null;
  await send({ type: 'question.mark', widget_id: questionsId, question_id: questionId, state });
  return questionId;
}

$('#questions-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.currentTarget);
  const how = e.submitter?.value;
  if (how === 'open') await openQuestions(String(f.get('prompt') ?? '').trim());
  else await markQuestion(how, String(f.get('question_id') ?? '').trim() || undefined);
});

// ---- room tasks -------------------------------------------------------------------------------

async function openTasks({ watch, like, answer, share }) {
  const id = `tasks-${Date.now().toString(36)}`;
  const tasks = [
    ...(watch > 0 ? [{ task_id: 'watch', kind: 'watch', target: watch, reward: '10 积分' }] : []),
    ...(like > 0 ? [{ task_id: 'like', kind: 'like', target: like, reward: '5 积分' }] : []),
    ...(answer > 0 ? [{ task_id: 'answer', kind: 'answer', target: answer, reward: '5 积分' }] : []),
    ...(share ? [{ task_id: 'share', kind: 'share', target: 1, reward: '5 元券' }] : []),
  ];
  const ok = await send({ type: 'tasks.open', widget_id: id, tasks });
  return ok ? id : null;
}

$('#tasks-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.currentTarget);
  await openTasks({ watch: Number(f.get('watch')), like: Number(f.get('like')), answer: Number(f.get('answer')), share: f.get('share') === 'on' });
});

// ---- coupons and red packets ---------------------------------------------------------------

async function offerCoupon({ kind = 'coupon', name, value, threshold, quantity, openMs, gate = 'none' }) {
  const id = `coupon-${Date.now().toString(36)}`;
  const ok = await send({
    type: 'coupon.open', widget_id: id, kind, name, value, ...(threshold ? { threshold } : {}), quantity,
    ends_at: room.serverNow() + openMs, valid_ms: 7 * 24 * 3600 * 1000, gate,
  });
  return ok ? id : null;
}

$('#coupon-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.currentTarget);
  await offerCoupon({
    kind: String(f.get('kind')), name: String(f.get('name')), value: Number(f.get('value')),
    threshold: Number(f.get('threshold')) || undefined, quantity: Number(f.get('quantity')),
    openMs: Number(f.get('open_s')) * 1000, gate: String(f.get('gate')),
  });
});

// ---- likes with a room goal ----------------------------------------------------------------

async function openLikes({ target, reward }) {
  const id = `likes-${Date.now().toString(36)}`;
  const ok = await send({ type: 'likes.open', widget_id: id, ...(target > 0 && reward ? { goal: { target, reward } } : {}) });
  return ok ? id : null;
}

const goalsUnlocked = new Set();

$('#likes-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.currentTarget);
  await openLikes({ target: Number(f.get('target')), reward: String(f.get('reward') ?? '').trim() });
});

// ---- follow / private-domain card ----------------------------------------------------------

let lead = null; // { id, perkUntil } of the card on show

async function openLead({ target, title, perk, perkMs, url, code, purpose }) {
  const id = `lead-${Date.now().toString(36)}`;
  const perkUntil = perk && perkMs > 0 ? room.serverNow() + perkMs : undefined;
  const ok = await send({
    type: 'lead.open', widget_id: id, target, title,
    ...(perk ? { perk } : {}), ...(perkUntil ? { perk_until: perkUntil } : {}),
    ...(url ? { url } : {}), ...(code ? { code } : {}), ...(purpose && target !== 'follow' ? { purpose } : {}),
  });
  if (!ok) return null;
  lead = { id, perkUntil, perk };
  return id;
}

$('#lead-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.currentTarget);
  const str = (k) => String(f.get(k) ?? '').trim();
  await openLead({
    target: str('target'), title: str('title'), perk: str('perk'), perkMs: Number(f.get('perk_s')) * 1000,
    url: str('url'), code: str('code'), purpose: str('purpose'),
  });
});

// ---- the scripted show ---------------------------------------------------------------------

$('#show-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.currentTarget);
  const pace = Number(form.get('pace')) || 1;
  const s = (seconds) => Math.round(seconds * 1000 * pace);
  // Each step runs on its clock, unless the host moves on with "Next step": the rest of the
  // step's waits are then skipped, and its closing commands go out at once. Host-paced, a
  // step ends only on Next (its widgets' own deadlines still run: a poll closes, a bag is
  // drawn, a sale starts at the times they announced).
  const manual = form.get('manual') === 'on';
  show.step = 0;
  show.skipped = 0;
  const wait = (ms) => new Promise((resolve) => {
    if (show.skipped >= show.step) return resolve();
    const timer = manual ? undefined : setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      show.endWait = null;
      resolve();
    }
    show.endWait = done;
  });
  const until = (at) => new Promise((r) => setTimeout(r, Math.max(0, at - room.serverNow())));
  const status = (text) => {
    show.step += 1;
    $('#show-status').textContent = text;
  };
  const tag = Date.now().toString(36);
  $('#show-start').disabled = true;
  $('#show-next').disabled = false;
  try {
    // Likes run through the whole show, with a room goal; tasks reward staying and taking part.
    const likesId = await openLikes({ target: 200, reward: '解锁 5 元无门槛券' });
    const tasksId = await openTasks({ watch: 3, like: 10, answer: 1, share: false });
    // The host decides what is seen together: two cards at a time, the top of the video (the
    // host's face) kept clear; the rest wait in the tray.
    const focus = (...ids) => send({ type: 'room.layout', max_cards: 2, keep_clear: 30, focus: ids });
    status('1/5 lucky bag at the opening');
    const bagId = await openLottery({ prize: '开场福袋：唇釉小样', count: 3, drawInMs: s(25), condition: 'keyword', keyword: '想要唇釉' });
    await focus(bagId, tasksId);
    // The bag is drawn at the time it announced, whatever the host presses.
    if (bagId) await until(lottery.drawAt);
    await wait(s(5));
    await send({ type: 'widget.remove', widget_id: bagId });

    status('2/5 poll: what should the host explain next? Questions are queued');
    const qaId = await openQuestions('关于这几款，你想问什么？');
    const pollId = `show-poll-${tag}`;
    await send({ type: 'poll.open', widget_id: pollId, question: '下一个讲解哪款?',
      options: [{ id: 'lip', label: '丝绒唇釉' }, { id: 'serum', label: '精华液' }, { id: 'sun', label: '防晒霜' }],
      closes_at: room.serverNow() + s(30) });
    await focus(pollId, qaId);
    await wait(s(32));
    await send({ type: 'poll.reveal', widget_id: pollId });
    // The host takes the top question of the queue.
    await markQuestion('answering');
    await wait(s(5));
    await send({ type: 'widget.remove', widget_id: pollId });

    status('3/5 quiz on the product');
    const shelfId = await presentProduct({ sku: 'lip-velvet-01', name: '丝绒雾面唇釉 #03', price: 8900, original_price: 12900, stock_left: 18 });
    const couponId = await offerCoupon({ name: '直播间专享 满 99 减 20', value: 2000, threshold: 9900, quantity: 100, openMs: s(90) });
    const quizId = `show-quiz-${tag}`;
    await send({ type: 'quiz.open', widget_id: quizId, title: '唇釉小知识' });
    await focus(quizId, shelfId);
    await send({ type: 'quiz.question', widget_id: quizId, question_id: 'q1', text: '丝绒唇釉上嘴前第一步?',
      options: [{ id: 'a', label: '唇膜打底' }, { id: 'b', label: '直接涂' }], closes_at: room.serverNow() + s(20) });
    await wait(s(22));
    await send({ type: 'quiz.reveal', widget_id: quizId, question_id: 'q1', correct: ['a'] });
    await wait(s(6));
    await send({ type: 'widget.remove', widget_id: quizId });
    await send({ type: 'widget.remove', widget_id: qaId });
    questionsId = null;

    status('4/5 flash sale');
    const flashId = `show-flash-${tag}`;
    const start = room.serverNow() + s(8);
    await send({ type: 'flash.open', widget_id: flashId, product: { name: '丝绒唇釉 限时秒杀', price: 4900, original_price: 8900 },
      stock_total: 20, starts_at: start, ends_at: start + s(40), per_viewer_limit: 1 });
    await focus(flashId, couponId);
    await wait(s(50));
    await send({ type: 'widget.remove', widget_id: flashId });
    await send({ type: 'widget.remove', widget_id: shelfId });
    await send({ type: 'widget.remove', widget_id: couponId });
    productsId = null;

    // The close: turn live viewers into the brand's private-domain contacts.
    status('5/5 follow card: join the WeCom group');
    const leadId = await openLead({ target: 'wecom_group', title: '进粉丝群 下次开播第一时间通知你', perk: '限时进群领 5 元无门槛券',
      perkMs: s(45), url: 'https://work.weixin.qq.com/gm/hudong-demo', code: 'hudong-fans',
      purpose: '用于发送直播预告与粉丝专属优惠，可随时退出' });
    await focus(leadId);
    await wait(s(50));
    await send({ type: 'widget.remove', widget_id: likesId });
    await send({ type: 'widget.remove', widget_id: tasksId });
    status('show over');
  } finally {
    show.endWait = null;
    $('#show-start').disabled = false;
    $('#show-next').disabled = true;
  }
});

/** The scripted show's step on screen, the last step the host ended early, and the wait in progress. */
const show = { step: 0, skipped: 0, endWait: null };
$('#show-next').addEventListener('click', () => {
  show.skipped = show.step;
  show.endWait?.();
});

// ---- presence and the inspector ------------------------------------------------------------

$('#inspector-link').href = `/inspector.html?room=${encodeURIComponent(roomId)}`;
$('#dashboard-link').href = `/dashboard.html?room=${encodeURIComponent(roomId)}`;
$('#delays-link').href = `/delays.html?room=${encodeURIComponent(roomId)}`;
async function refreshPresence() {
  try {
    const { online } = await (await fetch(`/rooms/${roomId}/presence`)).json();
    $('#online').textContent = `${online} online`;
  } catch {
    $('#online').textContent = '';
  }
}
refreshPresence();
setInterval(refreshPresence, 2000);

// ---- simulated audience ----------------------------------------------------------------------

$('#load-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.currentTarget);
  const res = await fetch('/load', {
    method: 'POST',
    headers: hostHeaders(),
    body: JSON.stringify({ room: roomId, viewers: Number(f.get('viewers')), seconds: Number(f.get('seconds')) }),
  });
  const out = await res.json();
  $('#load-status').textContent = out.ok ? `${out.viewers} simulated viewers joined for ${out.seconds} s.` : `Could not start: ${out.error}`;
});

// ---- delivery ------------------------------------------------------------------------------

async function refreshDelivery() {
  const q = room?.delivery;
  if (q) $('#queue-stats').textContent = `queued ${q.queued}, in flight ${q.in_flight}, delivered ${q.delivered}, retries ${q.retries}, dropped ${q.dropped}`;
  try {
    const s = await (await fetch('/collect/stats', { headers: hostHeaders() })).json();
    $('#collector-stats').textContent = `${s.unique} events stored, ${s.duplicates} duplicate copies ignored, ${s.failed} requests failed`;
  } catch {
    $('#collector-stats').textContent = 'unreachable';
  }
}
setInterval(refreshDelivery, 1000);

$('#collector-down').addEventListener('click', async (e) => {
  // The event's currentTarget is gone once the handler awaits.
  const button = e.currentTarget;
  const down = button.getAttribute('aria-pressed') !== 'true';
  const res = await fetch('/collect/faults', { method: 'POST', headers: hostHeaders(), body: JSON.stringify({ down }) }).catch(() => null);
  if (!res?.ok) {
    $('#collector-stats').textContent = `the collector's fault switch did not answer (${res ? `HTTP ${res.status}` : 'unreachable'})`;
    return;
  }
  button.setAttribute('aria-pressed', String(down));
  button.textContent = down ? 'Bring the collector back' : 'Take the collector down';
});

// ---- event log ----------------------------------------------------------------------------

function logEvent(event) {
  const li = document.createElement('li');
  li.dataset.type = event.type;
  if (event.type === 'error') li.className = 'error';
  const t = document.createElement('span');
  t.className = 't';
  t.textContent = event.type;
  const meta = document.createElement('span');
  meta.className = 'meta';
  const { type: _t, v: _v, room_id: _r, session_id: _s, user_id: _u, ...rest } = event;
  meta.textContent = JSON.stringify(rest);
  li.append(t, ' ', meta);
  $('#log').prepend(li);
  while ($('#log').children.length > 200) $('#log').lastElementChild.remove();
  if (event.type !== 'error') onViewerEvent(event);
}

/**
 * What this console opened before a reload, or another console of the room: the room's
 * snapshot (the backend's, with the host key) names the widgets on show, and the console's
 * buttons act on them — Open poll replaces the poll on show instead of adding a second one.
 */
async function adoptOpenWidgets() {
  const snap = await fetch(`/rooms/${encodeURIComponent(roomId)}/snapshot`, { headers: hostHeaders() })
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);
  for (const w of snap?.widgets ?? []) {
    const id = w.spec?.widget_id;
    if (!id) continue;
    if (w.kind === 'poll') poll = { id };
    else if (w.kind === 'quiz') quiz = { id, mode: w.spec.mode ?? 'classic', q: null, serial: Date.now() % 1e6 };
    else if (w.kind === 'flash_sale') flash = { id, endsAt: w.spec.ends_at };
    else if (w.kind === 'redeem') shop = { id };
    else if (w.kind === 'try_on') tryon = { id };
    else if (w.kind === 'products') productsId = id;
    else if (w.kind === 'questions') questionsId = id;
    else if (w.kind === 'lottery') lottery = { id, drawAt: w.spec.draw_at };
  }
  document.body.dataset.adopted = String(snap?.widgets?.length ?? 0);
}

await mountRoom();
await adoptOpenWidgets();
// The console's forms act on the room: they take input once it is mounted (before, a send
// would have no room to read the server's clock from).
$('section.console').inert = false;
$('section.console').removeAttribute('aria-busy');
document.body.dataset.ready = 'true';
