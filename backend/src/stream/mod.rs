//! `--stream DIR`: a live HLS test stream for the sandbox and the tests, made on this machine
//! by ffmpeg: a portrait (360×640, as a phone films a live show) test pattern with the wall clock burnt in (UTC, to the millisecond) and a
//! tone, H.264/AAC in MPEG-TS, 2-second segments in a rolling playlist of twenty (40 s: room for a viewer 30 s behind), every segment
//! stamped with `EXT-X-PROGRAM-DATE-TIME`. The backend serves the folder at `/stream/`
//! (`/stream/live.m3u8`), so a viewer's player reads the stream time of what it shows, the
//! clock a command's `pts` is in.

pub mod metadata;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

/// Until when (ms since the epoch) segment requests are held: a stall the tests cause
/// (`POST /stream/stall`, a host call), as a slow CDN or a dropped packet would.
static STALL_UNTIL: AtomicU64 = AtomicU64::new(0);

/// The longest stall one call may cause.
pub const MAX_STALL_MS: u64 = 30_000;

/// Holds segment requests from now for `ms` (at most [`MAX_STALL_MS`]); returns until when.
pub fn stall(now_ms: u64, ms: u64) -> Result<u64, String> {
    if ms > MAX_STALL_MS {
        return Err(format!("a stall is at most {MAX_STALL_MS} ms, not {ms}"));
    }
    let until = now_ms + ms;
    STALL_UNTIL.store(until, Ordering::Relaxed);
    Ok(until)
}

/// How long a segment request made now waits (0 unless a stall is on).
pub fn held_for(path: &str, now_ms: u64) -> u64 {
    if !path.ends_with(".ts") {
        return 0;
    }
    STALL_UNTIL.load(Ordering::Relaxed).saturating_sub(now_ms)
}

/// The playlist's name in the folder.
pub const PLAYLIST: &str = "live.m3u8";

/// The ffmpeg process writing the stream; stopped when dropped or when the backend dies.
pub struct Stream {
    child: Child,
    /// The wall clock (ms since the epoch) the burnt-in clock starts from.
    pub started_at_ms: u64,
}

/// The font of the burnt-in clock (fonts-dejavu-core, which Chromium and ffmpeg bring along).
const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf";

/// ffmpeg's arguments: everything but the folder is fixed, so every run makes the same stream.
fn arguments(dir: &Path, start_ms: u64) -> Vec<String> {
    let start = start_ms as f64 / 1000.0;
    let frac = (start_ms % 1000) as f64 / 1000.0;
    // drawtext: the frame's time as HH:MM:SS.mmm UTC, from the stream's start time.
    let clock = format!(
        "drawtext=fontfile={FONT}:fontsize=34:fontcolor=white:box=1:boxcolor=black@0.65:boxborderw=10:\
         x=(w-tw)/2:y=120:text='%{{pts\\:gmtime\\:{start:.3}\\:%H\\\\\\:%M\\\\\\:%S}}.%{{eif\\:mod((t+{frac:.3})*1000\\,1000)\\:d\\:3}}'"
    );
    let mut v: Vec<String> = [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-re",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=360x640:rate=25",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:beep_factor=4:sample_rate=44100",
        "-vf",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push(clock);
    v.extend(
        [
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
            "-pix_fmt",
            "yuv420p",
            "-g",
            "50",
            "-keyint_min",
            "50",
            "-sc_threshold",
            "0",
            "-b:v",
            "500k",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-f",
            "hls",
            "-hls_time",
            "2",
            "-hls_list_size",
            "20",
            "-hls_flags",
            "delete_segments+program_date_time+omit_endlist+independent_segments",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    v.push("-hls_segment_filename".into());
    v.push(dir.join("seg_%05d.ts").to_string_lossy().into_owned());
    v.push(dir.join(PLAYLIST).to_string_lossy().into_owned());
    v
}

/// Starts ffmpeg writing the stream into `dir` (made empty first). Call it from the main
/// thread: ffmpeg is told to stop when the thread that started it ends.
pub fn start(dir: &Path, now_ms: u64) -> Result<Stream, String> {
    if !Path::new(FONT).exists() {
        return Err(format!("the live test stream's clock needs the font {FONT} (Debian: apt-get install fonts-dejavu-core; `npm start` installs it)"));
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let mut cmd = Command::new("ffmpeg");
    cmd.args(arguments(dir, now_ms))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl only changes this child's own signal setting, between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
    }
    let child = cmd.spawn().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            "the live test stream needs ffmpeg (`npm start` installs it; Debian: apt-get install ffmpeg)".to_string()
        } else {
            format!("cannot start ffmpeg: {e}")
        }
    })?;
    Ok(Stream {
        child,
        started_at_ms: now_ms,
    })
}

impl Stream {
    /// `Some(reason)` once ffmpeg has exited (it never should while the backend runs).
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(format!("ffmpeg exited ({status})")),
            _ => None,
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stall_holds_segments_only_and_is_bounded() {
        assert!(stall(1_000, MAX_STALL_MS + 1).is_err());
        assert_eq!(stall(1_000, 4_000), Ok(5_000));
        assert_eq!(held_for("/seg_00007.ts", 2_000), 3_000);
        assert_eq!(held_for("/live.m3u8", 2_000), 0);
        assert_eq!(held_for("/seg_00008.ts", 6_000), 0);
    }

    #[test]
    fn the_clock_starts_at_the_given_time_to_the_millisecond() {
        let args = arguments(Path::new("/tmp/s"), 1_795_373_881_110);
        let vf = &args[args.iter().position(|a| a == "-vf").unwrap() + 1];
        assert!(vf.contains("gmtime\\:1795373881.110\\:"), "{vf}");
        assert!(vf.contains("mod((t+0.110)*1000"), "{vf}");
        assert_eq!(args.last().unwrap(), "/tmp/s/live.m3u8");
        assert!(args.iter().any(|a| a.contains("program_date_time")));
    }
}
