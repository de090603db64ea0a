//! Limits on what commands may carry. Everything from the network is checked here before
//! it reaches a state machine, so a machine only ever holds valid content.
use crate::error::HudongError;

/// Longest widget or option id, in bytes.
pub const MAX_ID_LEN: usize = 64;
/// Longest `data:` image URL accepted, in bytes.
pub const MAX_DATA_URL_LEN: usize = 64 * 1024;

/// Ids are 1–64 characters of `A–Z a–z 0–9 _ - . :`.
pub fn id(field: &str, value: &str) -> Result<(), HudongError> {
    let ok = !value.is_empty()
        && value.len() <= MAX_ID_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'));
    if ok {
        Ok(())
    } else {
        Err(HudongError::field(format!(
            "{field} must be 1–{MAX_ID_LEN} characters of A–Z, a–z, 0–9, _ - . :"
        )))
    }
}

/// Display text: non-blank, at most `max_chars` characters, no control characters.
pub fn text(field: &str, value: &str, max_chars: usize) -> Result<(), HudongError> {
    if value.trim().is_empty() {
        return Err(HudongError::field(format!("{field} must not be empty")));
    }
    if value.chars().count() > max_chars {
        return Err(HudongError::field(format!(
            "{field} is longer than {max_chars} characters"
        )));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(HudongError::field(format!(
            "{field} contains control characters"
        )));
    }
    // Bidirectional overrides and isolates can make text read as something else
    // ("gnp.exe" shown as "exe.png"): refused.
    if value
        .chars()
        .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    {
        return Err(HudongError::field(format!(
            "{field} contains bidirectional control characters"
        )));
    }
    Ok(())
}

/// Image URLs: `https:`, a relative path, or a `data:image/(png|jpeg|gif|webp|avif);base64,`
/// URL of at most [`MAX_DATA_URL_LEN`] bytes. Anything else (`javascript:`, `http:`,
/// protocol-relative `//host`, whitespace or quotes inside) is refused.
pub fn image_url(field: &str, value: &str) -> Result<(), HudongError> {
    let refuse = |why: &str| Err(HudongError::field(format!("{field} {why}")));
    if value.is_empty() || value.len() > MAX_DATA_URL_LEN {
        return refuse("must be a non-empty URL of at most 64 KB");
    }
    if value
        .bytes()
        .any(|b| b <= b' ' || matches!(b, b'"' | b'\'' | b'<' | b'>' | b'`' | b'\\' | 0x7f))
    {
        return refuse("contains characters not allowed in a URL");
    }
    let lower = value.get(..16).unwrap_or(value).to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Ok(());
    }
    if lower.starts_with("data:") {
        const TYPES: [&str; 5] = ["png", "jpeg", "gif", "webp", "avif"];
        let ok = TYPES.iter().any(|t| {
            let prefix = format!("data:image/{t};base64,");
            value.len() > prefix.len() && value[..prefix.len()].eq_ignore_ascii_case(&prefix)
        });
        return if ok {
            Ok(())
        } else {
            refuse("may only be a base64 PNG, JPEG, GIF, WebP or AVIF data URL")
        };
    }
    let relative = (value.starts_with('/') && !value.starts_with("//"))
        || value.starts_with("./")
        || value.starts_with("../");
    if relative {
        Ok(())
    } else {
        refuse("must be an https: URL, a path starting with / ./ or ../, or an image data: URL")
    }
}

/// Link URLs (a lead card's QR code and link): `https:` only, at most 512 bytes, nothing that
/// could break out of an attribute.
pub fn link_url(field: &str, value: &str) -> Result<(), HudongError> {
    let ok = value.len() > "https://".len()
        && value.len() <= 512
        && value
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
        && !value
            .bytes()
            .any(|b| b <= b' ' || matches!(b, b'"' | b'\'' | b'<' | b'>' | b'`' | b'\\' | 0x7f));
    if ok {
        Ok(())
    } else {
        Err(HudongError::field(format!(
            "{field} must be an https: URL of at most 512 bytes"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for ok in [
            "https://cdn.example.com/a.png",
            "/img/a.png",
            "./a.png",
            "../a.png",
            "data:image/png;base64,AAAA",
        ] {
            assert!(image_url("image", ok).is_ok(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "http://example.com/a.png",
            "//evil.example/a.png",
            "data:text/html;base64,PHNjcmlwdD4=",
            "data:image/svg+xml;base64,AAAA",
            "https://a.example/\"onerror=alert(1)",
            "https://a.example/ a",
            "a.png",
            "",
        ] {
            assert!(image_url("image", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn links() {
        assert!(link_url("url", "https://work.weixin.qq.com/ca/abc?x=1").is_ok());
        for bad in [
            "http://a.example",
            "javascript:alert(1)",
            "https://",
            "/rel",
            "https://a.example/\"x",
            &format!("https://{}", "a".repeat(600)),
        ] {
            assert!(link_url("url", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_and_text() {
        assert!(id("widget_id", "poll-1:a.b_c").is_ok());
        assert!(id("widget_id", "").is_err());
        assert!(id("widget_id", "a b").is_err());
        assert!(id("widget_id", &"x".repeat(65)).is_err());
        assert!(text("label", "口红色号", 10).is_ok());
        assert!(text("label", "   ", 10).is_err());
        assert!(text("label", "a\u{0}b", 10).is_err());
        assert!(text("label", &"字".repeat(11), 10).is_err());
    }
}

/// Currency codes: three capital letters (ISO 4217), like `CNY`.
pub fn currency(field: &str, value: &str) -> Result<(), HudongError> {
    if value.len() == 3 && value.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(HudongError::field(format!(
            "{field} must be an ISO 4217 code like CNY"
        )))
    }
}
