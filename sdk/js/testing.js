// Test helpers for Hudong integrations: a tracker that needs no AR engine.
//
//   import { scriptedTracker } from 'hudong/testing';
//   room.setTracker(scriptedTracker({ path: (t) => ({ x: 0.5 + 0.2 * Math.sin(t / 1000), y: 0.45 }) }));
//
// It follows a path you give (a function of time in ms since init, or a list of poses
// played one per frame), and can be told to lose the target, so a page's try-on flow can
// be built and tested before the real tracker (a face-landmark model, say) is wired in.

/**
 * @param {{
 *   path?: ((ms: number) => import('./index').TrackerPose | null) | (import('./index').TrackerPose | null)[],
 *   lostWhen?: (ms: number) => boolean,
 * }} [options]
 * @returns {import('./index').Tracker & { lost: boolean, calls: number, frames: number, source: Element | null, disposed: boolean }}
 */
export function scriptedTracker(options = {}) {
  const { path = (ms) => ({ x: 0.5 + 0.15 * Math.sin(ms / 700), y: 0.45 + 0.05 * Math.cos(ms / 900), scale: 1, rotation: 0.15 * Math.sin(ms / 1100) }), lostWhen } = options;
  let start = 0;
  const tracker = {
    /** Set to true to make the tracker lose the target until set back. */
    lost: false,
    /** How many times `track` was called. */
    calls: 0,
    /** Distinct video times seen (a measure of per-frame work). */
    frames: 0,
    source: null,
    disposed: false,
    init(source) {
      tracker.source = source;
      tracker.disposed = false;
      start = performance.now();
    },
    track(source, now) {
      tracker.calls += 1;
      tracker.frames += 1;
      const ms = now - start;
      if (tracker.lost || lostWhen?.(ms)) return null;
      if (Array.isArray(path)) return path[Math.min(tracker.calls - 1, path.length - 1)] ?? null;
      return path(ms);
    },
    dispose() {
      tracker.disposed = true;
    },
  };
  return tracker;
}
