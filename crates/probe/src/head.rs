//! Tolerant parser of HTTP/1.x and RTSP/1.0 response heads.
//!
//! Devices send bare LF line ends, odd spacing (`Server : x`, `HTTP/1.1  200`), duplicate
//! headers, folded lines, non-UTF-8 bytes and stray blank lines before the status line. All of
//! that is accepted; input that has no recognisable status line is an error, and lines that
//! are not headers are counted in [`Head::invalid_lines`] rather than dropped silently.

use crate::error::ParseError;

/// Largest head accepted (status line + headers + blank line).
pub const MAX_HEAD_BYTES: usize = 32 * 1024;
/// Most header lines accepted.
pub const MAX_HEADERS: usize = 128;
/// Stray CR/LF bytes tolerated before the status line.
const MAX_LEADING_BLANKS: usize = 16;

/// Which protocol the status line named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Http,
    Rtsp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "HTTP",
            Protocol::Rtsp => "RTSP",
        }
    }
}

/// A parsed response head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub protocol: Protocol,
    /// Version as sent after the slash, e.g. `1.1`.
    pub version: String,
    pub status: u16,
    pub reason: String,
    /// Headers in order, names as sent, values trimmed (lossy UTF-8). Folded continuation lines
    /// are joined to their header with one space.
    pub headers: Vec<(String, String)>,
    /// Lines that were neither a header nor a continuation.
    pub invalid_lines: usize,
    /// Bytes of input the head occupied, blank line included.
    pub len: usize,
}

/// First value of a header, case-insensitive (for every type that keeps its headers as pairs).
pub(crate) fn first_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// All values of a header, case-insensitive, in order.
pub(crate) fn all_headers<'a>(
    headers: &'a [(String, String)],
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

impl Head {
    /// First value of a header, case-insensitive.
    pub fn header(&self, name: &str) -> Option<&str> {
        first_header(&self.headers, name)
    }

    /// All values of a header, case-insensitive, in order.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        all_headers(&self.headers, name)
    }

    /// `Content-Length`, when one header carries a valid number (the first valid one wins).
    pub fn content_length(&self) -> Option<u64> {
        self.headers_named("content-length")
            .find_map(|v| v.trim().parse::<u64>().ok())
    }

    /// Whether `Transfer-Encoding` ends in `chunked`.
    pub fn is_chunked(&self) -> bool {
        self.headers_named("transfer-encoding").any(|v| {
            v.rsplit(',')
                .next()
                .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"))
        })
    }
}

/// Index just past the blank line that ends a head (accepts CRLFCRLF, LFLF, CRLFLF, LFCRLF),
/// ignoring stray blank lines before the status line.
pub fn find_head_end(buf: &[u8]) -> Option<usize> {
    let start = leading_blanks(buf);
    let b = &buf[start..];
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\n' {
            // after a LF: either LF or CR LF ends the head
            if i + 1 < b.len() && b[i + 1] == b'\n' {
                return Some(start + i + 2);
            }
            if i + 2 < b.len() && b[i + 1] == b'\r' && b[i + 2] == b'\n' {
                return Some(start + i + 3);
            }
        }
        i += 1;
    }
    None
}

fn leading_blanks(buf: &[u8]) -> usize {
    buf.iter()
        .take(MAX_LEADING_BLANKS)
        .take_while(|b| **b == b'\r' || **b == b'\n')
        .count()
}

/// Whether `buf` (possibly only a few bytes) can still be the start of an HTTP or RTSP status
/// line. Used to give up early on garbage rather than wait for a blank line that never comes.
pub fn could_be_status_line(buf: &[u8]) -> bool {
    let b = &buf[leading_blanks(buf)..];
    let n = b.len().min(5);
    b"HTTP/"[..n].eq_ignore_ascii_case(&b[..n]) || b"RTSP/"[..n].eq_ignore_ascii_case(&b[..n])
}

/// Parse a response head. `bytes` may carry more data (the body) after the head; the head
/// must be complete (end with a blank line) or this returns [`ParseError::Incomplete`].
pub fn parse_head(bytes: &[u8]) -> Result<Head, ParseError> {
    let end = match find_head_end(bytes) {
        Some(e) if e <= MAX_HEAD_BYTES => e,
        Some(_) => {
            return Err(ParseError::TooLarge {
                limit: MAX_HEAD_BYTES,
            });
        }
        None if bytes.len() > MAX_HEAD_BYTES => {
            return Err(ParseError::TooLarge {
                limit: MAX_HEAD_BYTES,
            });
        }
        None => {
            // Distinguish garbage from a head that simply has not ended yet.
            if !could_be_status_line(bytes) {
                return Err(ParseError::malformed("status line"));
            }
            return Err(ParseError::Incomplete);
        }
    };
    let start = leading_blanks(bytes);
    let mut lines = bytes[start..end]
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next().unwrap_or_default();
    let (protocol, version, status, reason) = parse_status_line(status_line)?;

    let mut headers: Vec<(String, String)> = Vec::new();
    let mut invalid_lines = 0;
    for line in lines {
        if line.is_empty() {
            break; // the terminating blank line
        }
        if line[0] == b' ' || line[0] == b'\t' {
            match headers.last_mut() {
                Some((_, v)) => {
                    let more = String::from_utf8_lossy(line);
                    let more = more.trim();
                    if !more.is_empty() {
                        if !v.is_empty() {
                            v.push(' ');
                        }
                        v.push_str(more);
                    }
                }
                None => invalid_lines += 1,
            }
            continue;
        }
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            invalid_lines += 1;
            continue;
        };
        let name = String::from_utf8_lossy(&line[..colon]).trim().to_string();
        if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c.is_control()) {
            invalid_lines += 1;
            continue;
        }
        if headers.len() >= MAX_HEADERS {
            return Err(ParseError::TooLarge { limit: MAX_HEADERS });
        }
        let value = String::from_utf8_lossy(&line[colon + 1..])
            .trim()
            .to_string();
        headers.push((name, value));
    }
    Ok(Head {
        protocol,
        version,
        status,
        reason,
        headers,
        invalid_lines,
        len: end,
    })
}

fn parse_status_line(line: &[u8]) -> Result<(Protocol, String, u16, String), ParseError> {
    if line.len() < 5 {
        return Err(ParseError::malformed("status line"));
    }
    let protocol = if line[..5].eq_ignore_ascii_case(b"HTTP/") {
        Protocol::Http
    } else if line[..5].eq_ignore_ascii_case(b"RTSP/") {
        Protocol::Rtsp
    } else {
        return Err(ParseError::malformed("status line"));
    };
    let rest = &line[5..];
    let vend = rest
        .iter()
        .position(|b| !(b.is_ascii_digit() || *b == b'.'))
        .unwrap_or(rest.len());
    let version = &rest[..vend];
    if version.is_empty() || !version[0].is_ascii_digit() || version.len() > 8 {
        return Err(ParseError::malformed("protocol version"));
    }
    let rest = &rest[vend..];
    let sp = rest
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    if sp == 0 {
        return Err(ParseError::malformed("status line"));
    }
    let rest = &rest[sp..];
    if rest.len() < 3
        || !rest[..3].iter().all(u8::is_ascii_digit)
        || rest.get(3).is_some_and(u8::is_ascii_digit)
    {
        return Err(ParseError::malformed("status code"));
    }
    let status = u16::from(rest[0] - b'0') * 100
        + u16::from(rest[1] - b'0') * 10
        + u16::from(rest[2] - b'0');
    let reason = String::from_utf8_lossy(&rest[3..]).trim().to_string();
    Ok((
        protocol,
        String::from_utf8_lossy(version).into_owned(),
        status,
        reason,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Captured reply of a Dahua camera to OPTIONS, from scottlamb/retina
    // src/client/testdata/dahua_options.txt (MIT/Apache-2.0).
    const DAHUA_OPTIONS: &[u8] = b"RTSP/1.0 200 OK\r\nCSeq: 5\r\nSession: 136527041864\r\nServer: Rtsp Server/3.0\r\nPublic: OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, RECORD, PAUSE, TEARDOWN, SET_PARAMETER, GET_PARAMETER\r\n\r\n";
    // Captured 401 of a Longse camera (retina src/client/testdata/longse_unauthorized.txt);
    // note the trailing space after the CSeq value.
    const LONGSE_401: &[u8] = b"RTSP/1.0 401 Unauthorized\r\nCSeq: 1 \r\nServer: Rtsp Server 1920*1080*20*2048\r\nWWW-Authenticate: Digest realm=\"Surveillance Server\", nonce=\"98481030\"\r\n\r\n";

    #[test]
    fn rtsp_options_reply() {
        let h = parse_head(DAHUA_OPTIONS).unwrap();
        assert_eq!(h.protocol, Protocol::Rtsp);
        assert_eq!(h.version, "1.0");
        assert_eq!(h.status, 200);
        assert_eq!(h.reason, "OK");
        assert_eq!(h.header("server"), Some("Rtsp Server/3.0"));
        assert!(h.header("PUBLIC").unwrap().contains("DESCRIBE"));
        assert_eq!(h.len, DAHUA_OPTIONS.len());
    }

    #[test]
    fn rtsp_401_with_trailing_spaces() {
        let h = parse_head(LONGSE_401).unwrap();
        assert_eq!(h.status, 401);
        assert_eq!(h.header("cseq"), Some("1"));
        assert_eq!(
            h.header("www-authenticate"),
            Some("Digest realm=\"Surveillance Server\", nonce=\"98481030\"")
        );
    }

    #[test]
    fn http_with_body_after_head() {
        // Shape of a Hikvision web server reply (App-webs), body follows the head.
        let raw = b"HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nServer: App-webs/\r\nContent-Length: 5\r\nContent-Type: text/html\r\n\r\nhello";
        let h = parse_head(raw).unwrap();
        assert_eq!(h.protocol, Protocol::Http);
        assert_eq!(h.content_length(), Some(5));
        assert_eq!(&raw[h.len..], b"hello");
    }

    #[test]
    fn bare_lf_odd_spacing_duplicates_non_utf8() {
        let raw = b"\r\nHTTP/1.0  401 \nServer : uc-httpd 1.0.0\nWWW-Authenticate: Basic realm=\"a\"\nWWW-Authenticate: Digest realm=\"b\"\nX-Junk: caf\xe9\n  folded\nnot a header\n\nbody";
        let h = parse_head(raw).unwrap();
        assert_eq!(h.status, 401);
        assert_eq!(h.reason, "");
        assert_eq!(h.header("server"), Some("uc-httpd 1.0.0"));
        assert_eq!(h.headers_named("www-authenticate").count(), 2);
        assert_eq!(h.header("x-junk"), Some("caf\u{fffd} folded"));
        assert_eq!(h.invalid_lines, 1);
        assert_eq!(&raw[h.len..], b"body");
    }

    #[test]
    fn incomplete_and_garbage() {
        assert_eq!(
            parse_head(b"HTTP/1.1 200 OK\r\nServer: x\r\n"),
            Err(ParseError::Incomplete)
        );
        assert_eq!(parse_head(b"HTT"), Err(ParseError::Incomplete));
        assert!(matches!(
            parse_head(b"\x15\x03\x01\x00\x02\x02\x0a"),
            Err(ParseError::Malformed { .. })
        ));
        assert!(matches!(
            parse_head(b"SSH-2.0-dropbear\r\n\r\n"),
            Err(ParseError::Malformed { .. })
        ));
        assert!(matches!(
            parse_head(b"HTTP/1.1 2x0 OK\r\n\r\n"),
            Err(ParseError::Malformed { .. })
        ));
        assert!(matches!(
            parse_head(b"HTTP/1.1 2000 OK\r\n\r\n"),
            Err(ParseError::Malformed { .. })
        ));
        assert!(matches!(
            parse_head(b"HTTP/ 200 OK\r\n\r\n"),
            Err(ParseError::Malformed { .. })
        ));
    }

    #[test]
    fn bounds() {
        let mut big = b"HTTP/1.1 200 OK\r\n".to_vec();
        big.extend(std::iter::repeat_n(b'a', MAX_HEAD_BYTES + 10));
        assert_eq!(
            parse_head(&big),
            Err(ParseError::TooLarge {
                limit: MAX_HEAD_BYTES
            })
        );
        let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..=MAX_HEADERS {
            many.extend(format!("X-{i}: y\r\n").bytes());
        }
        many.extend(b"\r\n");
        assert_eq!(
            parse_head(&many),
            Err(ParseError::TooLarge { limit: MAX_HEADERS })
        );
    }

    #[test]
    fn chunked_detection() {
        let h = parse_head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n").unwrap();
        assert!(h.is_chunked());
        assert_eq!(h.content_length(), None);
    }

    #[test]
    fn early_garbage_detection() {
        assert!(could_be_status_line(b"HT"));
        assert!(could_be_status_line(b"\r\nrtsp/1.0"));
        assert!(!could_be_status_line(b"\x16\x03"));
        assert!(!could_be_status_line(b"SSH-2"));
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = parse_head(&bytes);
            let _ = find_head_end(&bytes);
        }

        #[test]
        fn never_panics_on_headish(body in "[A-Za-z0-9:\\r\\n \\t/.-]{0,400}") {
            let raw = format!("HTTP/1.1 200 OK\r\n{body}");
            if let Ok(h) = parse_head(raw.as_bytes()) {
                prop_assert!(h.len <= raw.len());
            }
        }
    }
}
