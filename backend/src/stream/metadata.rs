//! Hudong commands carried by the live test stream itself, as timed metadata: what an
//! encoder's `PutMetadata` (Amazon IVS) or an OBS timed-metadata plugin does for hosts whose
//! commands travel with the video. `POST /stream/metadata` takes a command; each segment is
//! served with an ID3 stream declared in its PMT (`stream_type` 0x15, as Apple's timed
//! metadata for HLS), and the segment whose time covers the command carries it as an ID3 tag
//! in a PES packet stamped with the command's moment: one `TXXX` frame described `hudong`
//! whose value is the channel's message, `{pts, ...command}`. Players surface it (hls.js's
//! `FRAG_PARSING_METADATA`, Safari's metadata text track) and `room.attachHls` /
//! `room.attachVideo` hand it to the room, held for its `pts` like any command.
use hudong_core::limits::MAX_INBAND_BYTES;
use hudong_core::{decode_command_json, HudongError};
use serde_json::{Map, Value};
use std::sync::Mutex;

/// The PID the metadata stream travels on (ffmpeg's streams are 0x100 and 0x101).
const ID3_PID: u16 = 0x01ff;
/// The ID3 frame's description, naming the frames that are Hudong's.
pub const DESCRIPTION: &str = "hudong";
/// How long a command waits to be put in a segment (a segment is served within seconds of
/// being written; a viewer behind the room fetches it later, but it was written by then).
const KEEP_MS: u64 = 120_000;

/// The commands to carry: (moment in stream time, the message's JSON text).
static CUES: Mutex<Vec<(u64, String)>> = Mutex::new(Vec::new());

/// Takes a command for the stream at `now` (its moment: what the camera shows now). The
/// command is checked as the core checks any; the message (`{pts, ...command}`) must fit in
/// [`MAX_INBAND_BYTES`]. Returns the message.
pub fn add(now: u64, body: &str) -> Result<String, HudongError> {
    let command: Value = serde_json::from_str(body).map_err(|e| {
        HudongError::new(
            hudong_core::ErrorCode::MalformedCommand,
            format!("a command is a JSON object: {e}"),
        )
    })?;
    let Value::Object(mut fields) = command else {
        return Err(HudongError::new(
            hudong_core::ErrorCode::MalformedCommand,
            "a command is a JSON object",
        ));
    };
    fields.remove("pts");
    fields.remove("seq");
    decode_command_json(&Value::Object(fields.clone()).to_string())?;
    let mut message = Map::new();
    message.insert("pts".into(), now.into());
    message.extend(fields);
    let text = Value::Object(message).to_string();
    if text.len() > MAX_INBAND_BYTES {
        return Err(hudong_core::limits::too_large(
            text.len(),
            MAX_INBAND_BYTES,
            "a command in the stream's metadata",
        ));
    }
    let mut cues = CUES.lock().unwrap_or_else(|p| p.into_inner());
    cues.retain(|(at, _)| at + KEEP_MS > now);
    cues.push((now, text.clone()));
    Ok(text)
}

/// The commands whose moment falls in `[from, to)`.
pub fn between(from: u64, to: u64) -> Vec<(u64, String)> {
    CUES.lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .filter(|(at, _)| (from..to).contains(at))
        .cloned()
        .collect()
}

/// A segment's program-date-time and duration (ms) from the playlist, if it lists it.
pub fn segment_time(playlist: &str, name: &str) -> Option<(u64, u64)> {
    let mut date = None;
    let mut duration = None;
    for line in playlist.lines() {
        if let Some(d) = line.strip_prefix("#EXTINF:") {
            duration = d
                .split(',')
                .next()
                .and_then(|s| s.trim().parse::<f64>().ok());
        } else if let Some(d) = line.strip_prefix("#EXT-X-PROGRAM-DATE-TIME:") {
            date = parse_date(d.trim());
        } else if !line.starts_with('#') && !line.is_empty() {
            if line.trim() == name {
                return Some((date?, (duration? * 1000.0).round() as u64));
            }
            date = None;
            duration = None;
        }
    }
    None
}

/// `2026-12-07T20:58:22.931+0000` (ffmpeg's program-date-time; also `Z` and `+00:00`) as ms
/// since the epoch.
fn parse_date(s: &str) -> Option<u64> {
    let (date, rest) = s.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let split = rest.find(['Z', '+', '-']).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(split);
    let mut t = time.split(':');
    let (h, min) = (
        t.next()?.parse::<i64>().ok()?,
        t.next()?.parse::<i64>().ok()?,
    );
    let sec: f64 = t.next()?.parse().ok()?;
    let offset_min = match zone.trim_start_matches(['+', '-', 'Z']).replace(':', "") {
        z if z.is_empty() => 0,
        z if z.len() == 4 => z[..2].parse::<i64>().ok()? * 60 + z[2..].parse::<i64>().ok()?,
        _ => return None,
    } * if zone.starts_with('-') { -1 } else { 1 };
    // Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let ms = ((days * 86_400 + h * 3_600 + min * 60 - offset_min * 60) as f64 + sec) * 1000.0;
    (ms >= 0.0).then(|| ms.round() as u64)
}

const PACKET: usize = 188;

/// The segment with the metadata stream declared in every PMT, and each cue (moment, text)
/// as an ID3 PES packet after the first PMT, stamped `pdt`'s presentation time plus the
/// cue's offset from `pdt`. A segment that is not MPEG-TS as ffmpeg writes it is returned
/// as it was.
pub fn with_metadata(ts: &[u8], pdt: u64, cues: &[(u64, String)]) -> Vec<u8> {
    if ts.len() % PACKET != 0 || ts.chunks(PACKET).any(|p| p[0] != 0x47) {
        return ts.to_vec();
    }
    let pid = |p: &[u8]| (u16::from(p[1] & 0x1f) << 8) | u16::from(p[2]);
    let unit_start = |p: &[u8]| p[1] & 0x40 != 0;
    let payload = |p: &[u8]| -> usize {
        match (p[3] >> 4) & 0x3 {
            0b01 => 4,
            0b11 => 5 + usize::from(p[4]),
            _ => PACKET,
        }
    };
    // The PMT's PID (from the PAT) and the first video PES's presentation time.
    let mut pmt_pid = None;
    let mut first_pts = None;
    for p in ts.chunks(PACKET) {
        let start = payload(p);
        if start + 1 >= PACKET || !unit_start(p) {
            continue;
        }
        if pid(p) == 0 && pmt_pid.is_none() {
            let s = start + 1 + usize::from(p[start]);
            if s + 12 <= PACKET {
                pmt_pid = Some((u16::from(p[s + 10] & 0x1f) << 8) | u16::from(p[s + 11]));
            }
        } else if first_pts.is_none()
            && Some(pid(p)) != pmt_pid
            && start + 14 <= PACKET
            && p[start..start + 3] == [0, 0, 1]
            && (0xe0..=0xef).contains(&p[start + 3])
            && p[start + 7] & 0x80 != 0
        {
            first_pts = Some(read_pts(&p[start + 9..start + 14]));
        }
    }
    let (Some(pmt_pid), Some(first_pts)) = (pmt_pid, first_pts) else {
        return ts.to_vec();
    };
    let mut out = Vec::with_capacity(ts.len() + PACKET * (1 + cues.len() * 7));
    let mut cues_done = false;
    let mut cc = 0u8;
    for p in ts.chunks(PACKET) {
        if pid(p) == pmt_pid && unit_start(p) {
            out.extend_from_slice(&declare_metadata(p).unwrap_or_else(|| p.to_vec()));
            if !cues_done {
                for (at, text) in cues {
                    let pts = first_pts + at.saturating_sub(pdt) * 90;
                    out.extend(pes_packets(&id3_tag(text), pts, &mut cc));
                }
                cues_done = true;
            }
        } else {
            out.extend_from_slice(p);
        }
    }
    out
}

/// A 33-bit presentation time from a PES header's five bytes.
fn read_pts(b: &[u8]) -> u64 {
    (u64::from(b[0] & 0x0e) << 29)
        | (u64::from(b[1]) << 22)
        | (u64::from(b[2] & 0xfe) << 14)
        | (u64::from(b[3]) << 7)
        | (u64::from(b[4]) >> 1)
}

/// The PMT packet with an ID3 metadata stream added to its table (and its CRC made again);
/// `None` if it does not hold a whole PMT section or already names the stream.
fn declare_metadata(p: &[u8]) -> Option<Vec<u8>> {
    let start = match (p[3] >> 4) & 0x3 {
        0b01 => 4,
        0b11 => 5 + usize::from(p[4]),
        _ => return None,
    };
    let s = start + 1 + usize::from(*p.get(start)?);
    let section_length = (usize::from(p.get(s + 1)? & 0x0f) << 8) | usize::from(*p.get(s + 2)?);
    let end = s + 3 + section_length; // after the CRC
    if p.get(s) != Some(&0x02) || end > PACKET || section_length < 13 {
        return None;
    }
    let program_info = (usize::from(p[s + 10] & 0x0f) << 8) | usize::from(p[s + 11]);
    let mut i = s + 12 + program_info;
    while i + 5 <= end - 4 {
        if (u16::from(p[i + 1] & 0x1f) << 8 | u16::from(p[i + 2])) == ID3_PID {
            return None;
        }
        i += 5 + ((usize::from(p[i + 3] & 0x0f) << 8) | usize::from(p[i + 4]));
    }
    // stream_type 0x15 (metadata in PES), the PID, and Apple's metadata_descriptor for ID3.
    let mut entry = vec![0x15, 0xe0 | (ID3_PID >> 8) as u8, ID3_PID as u8];
    let descriptor = [
        0x26, 0x0d, 0xff, 0xff, b'I', b'D', b'3', b' ', 0xff, b'I', b'D', b'3', b' ', 0x00, 0x0f,
    ];
    entry.extend([0xf0, descriptor.len() as u8]);
    entry.extend(descriptor);
    let mut section = p[s..end - 4].to_vec();
    section.extend(&entry);
    let length = section.len() - 3 + 4;
    section[1] = (section[1] & 0xf0) | ((length >> 8) as u8 & 0x0f);
    section[2] = length as u8;
    let crc = crc32_mpeg2(&section);
    section.extend(crc.to_be_bytes());
    let mut out = p[..s].to_vec();
    out.extend(&section);
    if out.len() > PACKET {
        return None;
    }
    out.resize(PACKET, 0xff);
    Some(out)
}

/// CRC-32/MPEG-2, the checksum of PSI sections.
fn crc32_mpeg2(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04c1_1db7
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// An ID3v2.4 tag with one `TXXX` frame: UTF-8, described [`DESCRIPTION`], the text as value.
pub fn id3_tag(text: &str) -> Vec<u8> {
    let mut frame = vec![0x03];
    frame.extend(DESCRIPTION.as_bytes());
    frame.push(0);
    frame.extend(text.as_bytes());
    let mut tag = b"ID3\x04\x00\x00".to_vec();
    tag.extend(syncsafe(10 + frame.len()));
    tag.extend(b"TXXX");
    tag.extend(syncsafe(frame.len()));
    tag.extend([0, 0]);
    tag.extend(frame);
    tag
}

fn syncsafe(n: usize) -> [u8; 4] {
    [
        (n >> 21) as u8 & 0x7f,
        (n >> 14) as u8 & 0x7f,
        (n >> 7) as u8 & 0x7f,
        n as u8 & 0x7f,
    ]
}

/// A presentation time as a PES header carries it (`'0010'`, 33 bits, marker bits).
fn pts_bytes(pts: u64) -> [u8; 5] {
    [
        0x21 | ((pts >> 29) as u8 & 0x0e),
        (pts >> 22) as u8,
        0x01 | ((pts >> 14) as u8 & 0xfe),
        (pts >> 7) as u8,
        0x01 | ((pts << 1) as u8 & 0xfe),
    ]
}

/// A PES packet (private stream 1, data aligned, with its presentation time) in TS packets of
/// the metadata PID; the last one padded with an adaptation field.
fn pes_packets(data: &[u8], pts: u64, cc: &mut u8) -> Vec<u8> {
    let pts = pts & 0x1_ffff_ffff;
    let mut pes = vec![0, 0, 1, 0xbd];
    pes.extend(((3 + 5 + data.len()) as u16).to_be_bytes());
    pes.extend([0x84, 0x80, 5]);
    pes.extend(pts_bytes(pts));
    pes.extend(data);
    let mut out = Vec::new();
    for (i, chunk) in pes.chunks(PACKET - 4).enumerate() {
        let mut p = vec![
            0x47,
            (if i == 0 { 0x40 } else { 0 }) | (ID3_PID >> 8) as u8,
            ID3_PID as u8,
        ];
        let pad = PACKET - 4 - chunk.len();
        if pad == 0 {
            p.push(0x10 | *cc);
        } else {
            p.push(0x30 | *cc);
            p.push((pad - 1) as u8);
            if pad > 1 {
                p.push(0x00);
                p.extend(std::iter::repeat_n(0xff, pad - 2));
            }
        }
        p.extend(chunk);
        *cc = (*cc + 1) & 0x0f;
        out.extend(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny segment as ffmpeg writes one: PAT, PMT (video 0x100, audio 0x101), a video
    /// PES start with a presentation time.
    fn segment(pts: u64) -> Vec<u8> {
        let mut pat = vec![0x47, 0x40, 0x00, 0x10, 0x00];
        let mut section = vec![
            0x00, 0xb0, 0x0d, 0x00, 0x01, 0xc1, 0x00, 0x00, 0x00, 0x01, 0xf0, 0x00,
        ];
        section.extend(crc32_mpeg2(&section).to_be_bytes());
        pat.extend(section);
        pat.resize(PACKET, 0xff);
        let mut pmt = vec![0x47, 0x50, 0x00, 0x10, 0x00];
        let mut section = vec![
            0x02, 0xb0, 0x17, 0x00, 0x01, 0xc1, 0x00, 0x00, 0xe1, 0x00, 0xf0, 0x00, 0x1b, 0xe1,
            0x00, 0xf0, 0x00, 0x0f, 0xe1, 0x01, 0xf0, 0x00,
        ];
        section.extend(crc32_mpeg2(&section).to_be_bytes());
        pmt.extend(section);
        pmt.resize(PACKET, 0xff);
        let mut video = vec![0x47, 0x41, 0x00, 0x10, 0, 0, 1, 0xe0, 0, 0, 0x80, 0x80, 5];
        video.extend(pts_bytes(pts));
        video.resize(PACKET, 0x00);
        [pat, pmt, video].concat()
    }

    #[test]
    fn a_cue_rides_in_its_segment_as_an_id3_pes_at_its_moment() {
        let ts = segment(900_000);
        let out = with_metadata(
            &ts,
            1_000_000,
            &[(
                1_000_500,
                r#"{"pts":1000500,"type":"widget.remove","widget_id":"w"}"#.into(),
            )],
        );
        let packets: Vec<&[u8]> = out.chunks(PACKET).collect();
        // The PMT names the ID3 stream, and its CRC holds (over the section with it, 0).
        let pmt = packets[1];
        let len = (usize::from(pmt[6] & 0x0f) << 8) | usize::from(pmt[7]);
        assert_eq!(crc32_mpeg2(&pmt[5..5 + 3 + len]), 0);
        assert!(pmt[5..5 + 3 + len]
            .windows(3)
            .any(|w| w == [0x15, 0xe1, 0xff]));
        // After it, the PES: private stream 1, its PTS half a second after the segment's.
        let pes = packets[2];
        assert_eq!(pes[1] & 0x40, 0x40);
        let start = if pes[3] & 0x20 != 0 {
            5 + usize::from(pes[4])
        } else {
            4
        };
        assert_eq!(&pes[start..start + 4], &[0, 0, 1, 0xbd]);
        assert_eq!(read_pts(&pes[start + 9..start + 14]), 900_000 + 500 * 90);
        let body: Vec<u8> = packets[2..packets.len() - 1]
            .iter()
            .map(|p| {
                let start = if p[3] & 0x20 != 0 {
                    5 + usize::from(p[4])
                } else {
                    4
                };
                &p[start..]
            })
            .collect::<Vec<_>>()
            .concat();
        let tag = &body[14..];
        assert_eq!(&tag[..3], b"ID3");
        let text = String::from_utf8_lossy(tag);
        assert!(
            text.contains("TXXX") && text.contains("hudong\0{\"pts\":1000500"),
            "{text}"
        );
        assert_eq!(packets.len(), 4, "PAT, PMT, one PES packet, the video");
        // Without cues, only the PMT changes; a segment that is not TS is left alone.
        assert_eq!(with_metadata(&ts, 1_000_000, &[]).len(), ts.len());
        assert_eq!(with_metadata(b"not ts", 0, &[]), b"not ts");
    }

    #[test]
    fn a_command_for_the_stream_is_checked_and_held_to_1_kb() {
        let ok = add(5_000, r#"{"type":"widget.remove","widget_id":"w","pts":1}"#).unwrap();
        assert_eq!(ok, r#"{"pts":5000,"type":"widget.remove","widget_id":"w"}"#);
        assert_eq!(between(5_000, 5_001).len(), 1);
        assert!(between(5_001, 9_000).is_empty());
        let long = format!(
            r#"{{"type":"widget.remove","widget_id":"{}"}}"#,
            "w".repeat(1100)
        );
        assert_eq!(
            add(5_000, &long).unwrap_err().code,
            hudong_core::ErrorCode::MalformedCommand
        );
        assert_eq!(
            add(5_000, r#"{"type":"nope"}"#).unwrap_err().code,
            hudong_core::ErrorCode::UnknownCommand
        );
        assert!(add(5_000, "[]").is_err());
    }

    #[test]
    fn segment_times_come_from_the_playlist() {
        let playlist = "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:5\n#EXTINF:2.000000,\n#EXT-X-PROGRAM-DATE-TIME:2026-12-07T20:58:22.931+0000\nseg_00005.ts\n#EXTINF:2.000000,\n#EXT-X-PROGRAM-DATE-TIME:2026-12-07T20:58:24.931+0000\nseg_00006.ts\n";
        assert_eq!(
            segment_time(playlist, "seg_00006.ts"),
            Some((1_796_677_104_931, 2_000))
        );
        assert_eq!(segment_time(playlist, "seg_00007.ts"), None);
        assert_eq!(parse_date("1970-01-01T00:00:01.500Z"), Some(1_500));
        assert_eq!(parse_date("1970-01-01T08:00:00.000+08:00"), Some(0));
    }
}
