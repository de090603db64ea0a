//! Limits on what comes in from outside (a command, a source's message, a snapshot, what
//! storage held), checked on the JSON text before anything decodes it: decoding is
//! recursive, and input nested thousands of levels deep would exhaust the stack. Checking
//! is one pass over the bytes, with no recursion and no allocation.
use crate::error::{ErrorCode, HudongError};

/// The deepest nesting of arrays and objects taken: a command is a few levels deep, a
/// room snapshot a few more.
pub const MAX_DEPTH: usize = 32;

/// The largest command, action or message taken, in bytes of JSON text (a snapshot of a
/// full room is well under this).
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// The largest command carried in a video's timed metadata (`{pts, ...command}` as JSON
/// text, in an ID3 `TXXX` frame of the stream): 1 KB, as Amazon IVS's timed metadata. The
/// reference backend refuses a larger one and `room.attachHls` drops one, with an error.
pub const MAX_INBAND_BYTES: usize = 1024;

/// The largest saved state read back from storage, in bytes of JSON text.
pub const MAX_STORED_BYTES: usize = 4 * 1024 * 1024;

/// Checks JSON text against a size (`max_bytes`) and [`MAX_DEPTH`] before it is decoded.
/// `what` names the input in the error ("a command", "a stored queue"). Text that is not
/// JSON passes here and fails where it is parsed; brackets inside strings do not count.
pub fn check_json(text: &str, max_bytes: usize, what: &str) -> Result<(), HudongError> {
    if text.len() > max_bytes {
        return Err(too_large(text.len(), max_bytes, what));
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in text.as_bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(HudongError::new(
                        ErrorCode::MalformedCommand,
                        format!(
                            "{what} is nested more than {MAX_DEPTH} levels deep (the limit is {MAX_DEPTH})"
                        ),
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The error for input over a size limit (also for callers that know the size before they
/// have the text).
pub fn too_large(bytes: usize, max_bytes: usize, what: &str) -> HudongError {
    HudongError::new(
        ErrorCode::MalformedCommand,
        format!("{what} is {bytes} bytes long; the limit is {max_bytes} bytes"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!(
            "{{\"type\":\"poll.close\",\"x\":{}{}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    }

    #[test]
    fn depth_counts_arrays_and_objects_but_not_brackets_in_strings() {
        // The command object itself is one level.
        assert!(check_json(&nested(MAX_DEPTH - 1), MAX_MESSAGE_BYTES, "a command").is_ok());
        let err = check_json(&nested(MAX_DEPTH), MAX_MESSAGE_BYTES, "a command").unwrap_err();
        assert_eq!(err.code, ErrorCode::MalformedCommand);
        assert!(err.message.contains("32 levels"), "{}", err.message);
        for depth in [1_000, 10_000, 100_000] {
            assert!(check_json(&nested(depth), usize::MAX, "a command").is_err());
        }
        let quoted = format!("{{\"q\":\"{}\\\"{}\"}}", "[".repeat(100), "{".repeat(100));
        assert!(check_json(&quoted, MAX_MESSAGE_BYTES, "a command").is_ok());
    }

    #[test]
    fn size_is_checked_first_and_named() {
        let big = format!("{{\"q\":\"{}\"}}", "x".repeat(10 * 1024 * 1024));
        let err = check_json(&big, MAX_MESSAGE_BYTES, "a message").unwrap_err();
        assert_eq!(err.code, ErrorCode::MalformedCommand);
        assert!(
            err.message
                .starts_with("a message is 10485768 bytes long; the limit is 1048576"),
            "{}",
            err.message
        );
    }
}
