//! HTML `<title>` extraction: byte-level, case-insensitive, bounded, with the few entities that
//! camera pages use decoded.

use crate::util::find_ci;

/// Bytes of a body searched for the title.
pub const MAX_TITLE_SCAN: usize = 256 * 1024;
/// Longest raw title looked at.
const MAX_TITLE_RAW: usize = 4096;
/// Characters kept of the decoded title.
pub const MAX_TITLE_CHARS: usize = 256;

/// The document title, whitespace-collapsed and entity-decoded; `None` when there is no
/// non-empty `<title>`.
pub fn extract_title(body: &[u8]) -> Option<String> {
    let hay = &body[..body.len().min(MAX_TITLE_SCAN)];
    let mut from = 0;
    let open_end = loop {
        let at = find_ci(hay, b"<title", from)?;
        let next = hay.get(at + 6).copied();
        match next {
            Some(b'>') => break at + 7,
            Some(c) if c.is_ascii_whitespace() || c == b'/' => {
                let gt = hay[at..].iter().position(|b| *b == b'>')?;
                break at + gt + 1;
            }
            _ => from = at + 6, // <titlebar> or similar
        }
    };
    let close =
        find_ci(hay, b"</title", open_end).unwrap_or(hay.len().min(open_end + MAX_TITLE_RAW));
    let raw = &hay[open_end..close.min(open_end + MAX_TITLE_RAW)];
    let text = String::from_utf8_lossy(raw);
    let decoded = decode_entities(&text);
    let collapsed = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
    let t = crate::util::truncate_chars(&collapsed, MAX_TITLE_CHARS);
    if t.is_empty() { None } else { Some(t) }
}

/// Decode `&amp; &lt; &gt; &quot; &apos; &#39; &nbsp;` and numeric character references;
/// anything else is left as written.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let semi = rest.as_bytes().iter().take(12).position(|b| *b == b';');
        let Some(semi) = semi else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let rep = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                .ok()
                .and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse::<u32>().ok().and_then(char::from_u32),
            _ => None,
        };
        match rep {
            Some(c) if c != '\0' => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn titles_seen_on_cameras() {
        assert_eq!(
            extract_title(b"<html><head><title>NETSurveillance WEB</title>").as_deref(),
            Some("NETSurveillance WEB")
        );
        assert_eq!(
            extract_title(b"<HTML><HEAD><TITLE>\r\n  WEB SERVICE\r\n</TITLE>").as_deref(),
            Some("WEB SERVICE")
        );
        assert_eq!(
            extract_title(b"<title id=\"t\" >Hanwha Techwin</title>").as_deref(),
            Some("Hanwha Techwin")
        );
        assert_eq!(
            extract_title(b"<title>AT&amp;T &#8211; cam &#x41;&nbsp;&bogus; & x</title>")
                .as_deref(),
            Some("AT&T \u{2013} cam A &bogus; & x")
        );
    }

    #[test]
    fn no_or_empty_title() {
        assert_eq!(extract_title(b"<html><body>hi</body></html>"), None);
        assert_eq!(extract_title(b"<title></title>"), None);
        assert_eq!(extract_title(b"<titlebar>x</titlebar>"), None);
        assert_eq!(
            extract_title(b"<title>unterminated page").as_deref(),
            Some("unterminated page")
        );
        assert_eq!(extract_title(b"<title"), None);
    }

    #[test]
    fn bounded() {
        let mut body = b"<title>".to_vec();
        body.extend(std::iter::repeat_n(b'a', 100_000));
        assert_eq!(
            extract_title(&body).unwrap().chars().count(),
            MAX_TITLE_CHARS
        );
        assert_eq!(
            extract_title(b"<title>\xff\xfe</title>").as_deref(),
            Some("\u{fffd}\u{fffd}")
        );
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
            let _ = extract_title(&bytes);
        }
        #[test]
        fn never_panics_titleish(s in "(<title[ >]?|</title>|&#?x?[0-9a-z]{0,8};?|\\PC){0,40}") {
            let _ = extract_title(s.as_bytes());
            let _ = decode_entities(&s);
        }
    }
}
