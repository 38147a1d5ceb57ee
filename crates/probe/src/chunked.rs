//! Bounded decoding of HTTP/1.1 chunked transfer coding.

use crate::error::ParseError;

/// Longest chunk-size line (size + extensions) accepted.
const MAX_SIZE_LINE: usize = 1024;
/// Longest trailer section accepted.
const MAX_TRAILERS: usize = 8 * 1024;

/// Result of decoding a (possibly partial) chunked body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunked {
    /// Decoded data, at most the cap given.
    pub body: Vec<u8>,
    /// The terminating zero-size chunk (and trailers) were seen.
    pub complete: bool,
    /// Decoding stopped at the cap; more data followed.
    pub truncated: bool,
    /// Input bytes consumed (the whole message when `complete`).
    pub consumed: usize,
}

/// Decode chunked data. Partial input decodes as far as it goes (`complete == false`); a
/// chunk-size line that is not hexadecimal, or a size that does not fit in 64 bits, is an
/// error. Never allocates more than `max_body` for the output, whatever the sizes claim.
pub fn decode_chunked(input: &[u8], max_body: usize) -> Result<Chunked, ParseError> {
    let mut body = Vec::with_capacity(input.len().min(max_body).min(64 * 1024));
    let mut pos = 0;
    loop {
        // chunk-size line
        let Some(nl) = input[pos..]
            .iter()
            .take(MAX_SIZE_LINE + 1)
            .position(|b| *b == b'\n')
        else {
            if input.len() - pos > MAX_SIZE_LINE {
                return Err(ParseError::malformed("chunk size line"));
            }
            return Ok(Chunked {
                body,
                complete: false,
                truncated: false,
                consumed: pos,
            });
        };
        let line = &input[pos..pos + nl];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let size_part = line.split(|b| *b == b';').next().unwrap_or_default();
        let size_str = size_part.trim_ascii();
        if size_str.is_empty() || size_str.len() > 16 || !size_str.iter().all(u8::is_ascii_hexdigit)
        {
            return Err(ParseError::malformed("chunk size"));
        }
        let mut size: u64 = 0;
        for d in size_str {
            let v = u64::from((*d as char).to_digit(16).unwrap_or(0));
            size = size
                .checked_mul(16)
                .and_then(|s| s.checked_add(v))
                .ok_or_else(|| ParseError::malformed("chunk size"))?;
        }
        let data_start = pos + nl + 1;
        if size == 0 {
            // trailers until an empty line
            let mut p = data_start;
            loop {
                let Some(nl) = input[p..].iter().position(|b| *b == b'\n') else {
                    return Ok(Chunked {
                        body,
                        complete: false,
                        truncated: false,
                        consumed: pos,
                    });
                };
                let l = &input[p..p + nl];
                let l = l.strip_suffix(b"\r").unwrap_or(l);
                p += nl + 1;
                if l.is_empty() {
                    return Ok(Chunked {
                        body,
                        complete: true,
                        truncated: false,
                        consumed: p,
                    });
                }
                if p - data_start > MAX_TRAILERS {
                    return Err(ParseError::TooLarge {
                        limit: MAX_TRAILERS,
                    });
                }
            }
        }
        let avail = (input.len() - data_start) as u64;
        let take = size.min(avail) as usize;
        let room = max_body - body.len();
        if take > room {
            body.extend_from_slice(&input[data_start..data_start + room]);
            return Ok(Chunked {
                body,
                complete: false,
                truncated: true,
                consumed: data_start + room,
            });
        }
        body.extend_from_slice(&input[data_start..data_start + take]);
        if (take as u64) < size {
            return Ok(Chunked {
                body,
                complete: false,
                truncated: false,
                consumed: data_start + take,
            });
        }
        // chunk data must be followed by CRLF (LF tolerated)
        let mut p = data_start + take;
        match input.get(p) {
            None => {
                return Ok(Chunked {
                    body,
                    complete: false,
                    truncated: false,
                    consumed: pos,
                });
            }
            Some(b'\r') => match input.get(p + 1) {
                None => {
                    return Ok(Chunked {
                        body,
                        complete: false,
                        truncated: false,
                        consumed: pos,
                    });
                }
                Some(b'\n') => p += 2,
                Some(_) => return Err(ParseError::malformed("chunk terminator")),
            },
            Some(b'\n') => p += 1,
            Some(_) => return Err(ParseError::malformed("chunk terminator")),
        }
        pos = p;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_complete() {
        let d = decode_chunked(
            b"4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-T: 1\r\n\r\nNEXT",
            1024,
        )
        .unwrap();
        assert_eq!(d.body, b"Wikipedia in\r\n\r\nchunks.");
        assert!(d.complete);
        assert!(!d.truncated);
        assert_eq!(d.consumed, 57);
    }

    #[test]
    fn partial_and_bare_lf() {
        let d = decode_chunked(b"4\nWiki\n5\r\nped", 1024).unwrap();
        assert_eq!(d.body, b"Wikiped");
        assert!(!d.complete);
        let d = decode_chunked(b"4\r\nWiki\r\n0\r\n", 1024).unwrap();
        assert!(!d.complete);
        assert_eq!(d.body, b"Wiki");
    }

    #[test]
    fn capped_and_lying_sizes() {
        let d = decode_chunked(b"ffffffffffffffff\r\nabc", 2).unwrap();
        assert_eq!(d.body, b"ab");
        assert!(d.truncated);
        assert!(decode_chunked(b"1ffffffffffffffff\r\n", 10).is_err());
        assert!(decode_chunked(b"zz\r\n", 10).is_err());
        assert!(decode_chunked(b"2\r\nabX", 10).is_err());
        assert!(decode_chunked(&[b'1'; 2000], 10).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..1024), cap in 0usize..512) {
            if let Ok(d) = decode_chunked(&bytes, cap) {
                prop_assert!(d.body.len() <= cap);
                prop_assert!(d.consumed <= bytes.len());
            }
        }

        #[test]
        fn roundtrip(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..50), 0..8)) {
            let mut enc: Vec<u8> = Vec::new();
            let mut plain: Vec<u8> = Vec::new();
            for c in &chunks {
                enc.extend(format!("{:x}\r\n", c.len()).bytes());
                enc.extend(c);
                enc.extend(b"\r\n");
                plain.extend(c);
            }
            enc.extend(b"0\r\n\r\n");
            let d = decode_chunked(&enc, 1 << 20).unwrap();
            prop_assert!(d.complete);
            prop_assert_eq!(d.body, plain);
            prop_assert_eq!(d.consumed, enc.len());
        }
    }
}
