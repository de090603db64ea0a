import type { Tracker, TrackerPose } from './index.js';

export interface ScriptedTracker extends Tracker {
  /** Set to true to make the tracker lose the target until set back. */
  lost: boolean;
  /** How many times `track` was called. */
  calls: number;
  frames: number;
  /** What `init` was given. */
  source: HTMLVideoElement | HTMLImageElement | null;
  disposed: boolean;
}

/** A tracker that follows a scripted path: for building and testing a try-on flow. */
export declare function scriptedTracker(options?: {
  path?: ((ms: number) => TrackerPose | null) | (TrackerPose | null)[];
  lostWhen?: (ms: number) => boolean;
}): ScriptedTracker;
