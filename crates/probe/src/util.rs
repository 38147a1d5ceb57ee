//! Small text helpers: escaping device bytes, bounding strings.

use std::fmt::Write as _;

/// Escape arbitrary device bytes into printable ASCII: printable characters stay, `\\`, `\r`,
/// `\n`, `\t` are written as escapes and every other byte as `\xHH`. At most `max_in` input
/// bytes are looked at; `…` marks a cut.
pub fn escape_bytes(bytes: &[u8], max_in: usize) -> String {
    let take = bytes.len().min(max_in);
    let mut out = String::with_capacity(take + 8);
    for &b in &bytes[..take] {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    if bytes.len() > take {
        out.push('…');
    }
    out
}

/// Lower-case hex of at most `max_in` bytes.
pub fn hex(bytes: &[u8], max_in: usize) -> String {
    let take = bytes.len().min(max_in);
    let mut out = String::with_capacity(take * 2);
    for b in &bytes[..take] {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Truncate a string to at most `max_chars` characters (on a char boundary).
pub fn truncate_chars(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

/// Lossy UTF-8 of at most `max_in` bytes, cut on a character boundary.
pub fn lossy_prefix(bytes: &[u8], max_in: usize) -> String {
    let take = bytes.len().min(max_in);
    String::from_utf8_lossy(&bytes[..take]).into_owned()
}

/// Turn a banner (text a server printed) into a readable single string: lossy UTF-8, `\r`
/// dropped, `\n` and `\t` kept, other control characters escaped as `\xHH`, outer
/// whitespace trimmed, at most `max_chars` characters.
pub fn banner_text(bytes: &[u8], max_chars: usize) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(max_chars * 4)]);
    let mut out = String::new();
    let mut n = 0;
    for c in text.chars() {
        if n >= max_chars {
            break;
        }
        match c {
            '\r' | '\0' => continue,
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
        n += 1;
    }
    out.trim().to_string()
}

/// Case-insensitive search of `needle` (ASCII) in `hay`.
pub fn find_ci(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from >= hay.len() || hay.len() - from < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len())
        .find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// Whether bytes look like the start of a TLS record (handshake or alert, SSL3/TLS version).
pub fn looks_like_tls(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && (bytes[0] == 0x15 || bytes[0] == 0x16) && bytes[1] == 0x03
}

/// Format an address for a URL authority or Host header (`[v6]`), with `:port` unless it is
/// the scheme default.
pub fn authority(ip: std::net::IpAddr, port: u16, default_port: u16) -> String {
    let host = match ip {
        std::net::IpAddr::V4(a) => a.to_string(),
        std::net::IpAddr::V6(a) => format!("[{a}]"),
    };
    if port == default_port {
        host
    } else {
        format!("{host}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            escape_bytes(b"ab\r\n\x00\xff\\", 100),
            "ab\\r\\n\\x00\\xff\\\\"
        );
        assert_eq!(escape_bytes(b"abcdef", 3), "abc…");
        assert_eq!(hex(&[0, 0xab, 0x10], 2), "00ab");
    }

    #[test]
    fn banner_cleanup() {
        assert_eq!(
            banner_text(b"\r\n\x1b[0mLocalHost login: ", 100),
            "\\x1b[0mLocalHost login:"
        );
        assert_eq!(truncate_chars("héllo", 2), "hé");
    }

    #[test]
    fn find_case_insensitive() {
        assert_eq!(find_ci(b"xx<TiTlE>", b"<title", 0), Some(2));
        assert_eq!(find_ci(b"ab", b"abc", 0), None);
        assert_eq!(find_ci(b"abcabc", b"ABC", 1), Some(3));
    }

    #[test]
    fn authority_forms() {
        let v4: std::net::IpAddr = "127.0.0.1".parse().unwrap();
        let v6: std::net::IpAddr = "::1".parse().unwrap();
        assert_eq!(authority(v4, 80, 80), "127.0.0.1");
        assert_eq!(authority(v4, 8080, 80), "127.0.0.1:8080");
        assert_eq!(authority(v6, 554, 554), "[::1]");
    }
}
