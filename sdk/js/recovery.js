// Failure isolation for the rooms of a page: which build of the module is in use, and how
// the page gets its rooms back after the module fails.
//
// A panic inside the module (a bug in one widget's code) leaves it unusable: wasm cannot
// unwind. The module tells us which widget's code was running; we let go of what its rooms
// hold in the page, start a fresh instance of the module, and rebuild every room by
// replaying its journal (the steps it took: a room is a pure function of them), then take
// that widget down. The room reports an `internal` error with the widget's id; the other
// widgets go on where they were, and the event queue (from storage, or handed over when
// there is none) is taken over by the rebuilt room.
import * as shipped from './hudong_wasm.js';

/**
 * The module in use: the shipped one, until a failure has to restore a room from a
 * checkpoint of its journal, which only the recovery build (`./recover/`, readied when the
 * page is idle once a journal has a checkpoint, see `prepareRecovery`) can read.
 */
export let M = shipped;

/** The recovery build, made ready ahead (see `prepareRecovery`), if it was. */
let recoveryReady;

/**
 * Once a room's journal has its first checkpoint, the recovery build is fetched, compiled
 * and warmed up when the page is idle: a throwaway room, with no transport, source or
 * storage, is restored from that journal into a detached element, so the code a recovery
 * runs is compiled before it is needed, and a failure later restores the rooms in tens of
 * milliseconds instead of waiting for a download and a cold start. Skipped when the viewer
 * asked to save data; a failure then fetches it.
 */
export function prepareRecovery(journal, options) {
  if (recoveryReady || M.canRestore() || globalThis.navigator?.connection?.saveData) return;
  const idle = globalThis.requestIdleCallback ?? ((fn) => setTimeout(fn, 1_000));
  recoveryReady = new Promise((ready) => idle(ready, { timeout: 10_000 }))
    .then(startRecovery)
    .then((recovery) => {
      const quiet = { ...options, transport: undefined, commands: undefined, time_url: undefined, persist: false, consent: 'denied' };
      const room = new recovery.RoomCore(document.createElement('div'), quiet, { emit: () => {}, replay: [...journal] });
      room.destroy();
      room.free();
      return recovery;
    })
    .catch(() => {
      recoveryReady = undefined; // fetched again when a failure needs it
    });
}

/** Fetches, compiles and instantiates the recovery build. */
async function startRecovery() {
  const recovery = await import('./recover/hudong_wasm.js');
  await recovery.default({ module_or_path: new URL('./recover/hudong_wasm_bg.wasm', import.meta.url) });
  return recovery;
}

/** The recovery build for the rooms: a fresh instance of the warmed-up one, or started now. */
async function recoveryModule() {
  const ready = await recoveryReady;
  if (!ready) return startRecovery();
  ready.__wbg_reset_state();
  return ready;
}

/** What the recovery asks of each live room: restore yourself (after a failure), answer a
 * cheap call (is the module usable?), does your journal start from a checkpoint? */
export const RESTORE = Symbol('restore');
export const PROBE = Symbol('probe');
export const CHECKPOINTED = Symbol('checkpointed');

const liveRooms = new Set();
/** `{message, widgetId}` between a panic and the restart that follows it. */
export let failure = null;
const restarts = [];
/** More restarts than this within the window and the rooms stop instead (a failure that
 * no widget can be blamed for, and that comes back). */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

export function onPanic(message, widgetId, unwound = false) {
  if (failure) return; // a second failure while letting go of the first
  failure = { message: String(message), widgetId: widgetId ?? null };
  // At once when nothing of the module is on the stack (a failure reported by the page's
  // error event): none of its other timers or frames gets to run, and fail again, before
  // it lets go of the rooms. Otherwise after the failed call has unwound.
  if (unwound) restart();
  else setTimeout(restart, 0);
}

/**
 * A failure no widget can be blamed for: an exception that came out of the module where
 * none ever should (its stack exhausted, its memory corrupt). The module may be left
 * unusable for every room, so it is restarted and the rooms rebuilt, as after a widget's
 * failure, with no widget taken down.
 */
export function moduleFault(err, unwound = false) {
  onPanic(`Hudong failed: ${err?.message ?? err}`, undefined, unwound);
}

/** A live room, watched for failures (the page's error events only while there is one). */
export function watch(room) {
  if (liveRooms.size === 0) {
    globalThis.addEventListener?.('error', checkModule);
    globalThis.addEventListener?.('unhandledrejection', checkModule);
  }
  liveRooms.add(room);
}

export function unwatch(room) {
  if (!liveRooms.delete(room) || liveRooms.size > 0) return;
  globalThis.removeEventListener?.('error', checkModule);
  globalThis.removeEventListener?.('unhandledrejection', checkModule);
}

/**
 * An uncaught error in the page that may have come out of the module (from one of its
 * timers, sockets or frames, where no call of ours can catch it): each live room is asked
 * something cheap, and if the module cannot answer, it is restarted. Errors of the page's
 * own, or of another module, find it answering and change nothing.
 */
function checkModule(event) {
  const err = event?.error ?? event?.reason;
  const fromWasm = err instanceof WebAssembly.RuntimeError || (err instanceof RangeError && /wasm/.test(String(err.stack)));
  if (!fromWasm || failure) return;
  for (const room of liveRooms) {
    try {
      room[PROBE]();
    } catch {
      moduleFault(err, true);
      return;
    }
  }
}

function restart() {
  try {
    failure.queues = M.releaseAll();
  } catch {
    // The failed module could not release everything; what it could not is dropped below.
  }
  // What the release set in motion inside the failed module runs there before it is
  // replaced: unmounting the overlays (microtasks), and the last turn of the views' frame
  // loops, which end instead of scheduling another (one frame; a hidden tab has none).
  let done = false;
  const next = () => {
    if (done) return;
    done = true;
    setTimeout(rebuild, 0);
  };
  requestAnimationFrame(next);
  setTimeout(next, 100);
}

async function rebuild() {
  const { message, widgetId, queues } = failure;
  const now = Date.now();
  while (restarts.length && now - restarts[0] > RESTART_WINDOW_MS) restarts.shift();
  restarts.push(now);
  let giveUp = restarts.length > MAX_RESTARTS;
  try {
    // A room whose journal starts from a checkpoint is restored by the recovery build;
    // otherwise the module starts again as it was loaded.
    const checkpointed = [...liveRooms].some((room) => room[CHECKPOINTED]());
    if (!giveUp && checkpointed && !M.canRestore()) M = await recoveryModule();
    else M.__wbg_reset_state();
    M.setPanicHandler(onPanic);
  } catch (err) {
    console.error('[hudong] the module could not be restarted', err);
    giveUp = true;
  }
  failure = null;
  for (const room of [...liveRooms]) room[RESTORE]({ message, widgetId, giveUp, queue: queues?.[room.sessionId] });
}

