//! String templates used by profile files, byte escapes, and the deterministic RNG.
//!
//! A template replaces `{name}` by the value of variable `name` (letters, digits, `_`, `:`, `-`).
//! Unknown names are left untouched, so JSON or JavaScript bodies with braces survive.

use std::collections::BTreeMap;

/// Template variables.
pub type Vars = BTreeMap<String, String>;

/// Replaces every `{name}` whose name is in `vars`.
pub fn render(tpl: &str, vars: &Vars) -> String {
    render_with(tpl, &|k| vars.get(k).cloned())
}

/// Like [`render`] with a lookup function (checked first) over `vars`.
pub fn render_extra(tpl: &str, vars: &Vars, extra: &[(&str, &str)]) -> String {
    render_with(tpl, &|k| {
        extra
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
            .or_else(|| vars.get(k).cloned())
    })
}

fn render_with(tpl: &str, look: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(tpl.len() + 16);
    let mut rest = tpl;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end =
            after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '-'));
        match end {
            Some(e) if e > 0 && after[e..].starts_with('}') => {
                let name = &after[..e];
                if let Some(v) = look(name) {
                    out.push_str(&v);
                } else {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
                rest = &after[e + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes `\xNN`, `\r`, `\n`, `\t`, `\0` and `\\` escapes written literally (profile files use
/// TOML literal strings for banners that carry telnet negotiation bytes). Other text is UTF-8.
pub fn unescape_bytes(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'x' if i + 4 <= b.len() => {
                    let hex = std::str::from_utf8(&b[i + 2..i + 4])
                        .ok()
                        .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()));
                    if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        out.push(v);
                        i += 4;
                        continue;
                    }
                }
                b'r' => {
                    out.push(b'\r');
                    i += 2;
                    continue;
                }
                b'n' => {
                    out.push(b'\n');
                    i += 2;
                    continue;
                }
                b't' => {
                    out.push(b'\t');
                    i += 2;
                    continue;
                }
                b'0' => {
                    out.push(0);
                    i += 2;
                    continue;
                }
                b'\\' => {
                    out.push(b'\\');
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Converts bare `\n` line ends to `\r\n` (SDP, RTSP bodies).
pub fn crlf(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 32);
    for line in s.split('\n') {
        if !out.is_empty() || s.starts_with('\n') {
            out.push_str("\r\n");
        }
        out.push_str(line.strip_suffix('\r').unwrap_or(line));
    }
    out
}

/// SplitMix64: a tiny, stable PRNG. The fleet layout must depend only on the seed, never on a
/// library's choice of algorithm, so it is implemented here.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// An independent stream for `(seed, a, b)`.
    pub fn derive(seed: u64, a: u64, b: u64) -> Self {
        let mut r = Rng::new(seed);
        let x = r.next_u64() ^ a.wrapping_mul(0xD6E8_FEB8_6659_FD93);
        let mut r2 = Rng::new(x);
        let y = r2.next_u64() ^ b.wrapping_mul(0xA076_1D64_78BD_642F);
        Rng::new(y)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[0, n)`; `n` must be > 0.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// Index drawn with the given weights (all ≥ 0, at least one > 0).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    pub fn string(&mut self, len: usize, alphabet: &[u8]) -> String {
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect()
    }

    pub fn hex(&mut self, len: usize) -> String {
        self.string(len, b"0123456789abcdef")
    }
}

/// A process-wide non-deterministic RNG for nonces, session ids and the like.
pub fn runtime_rng() -> Rng {
    use std::sync::atomic::{AtomicU64, Ordering};
    static CTR: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let c = CTR.fetch_add(1, Ordering::Relaxed);
    let addr = &raw const c as u64;
    Rng::derive(t, c, addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_replaces_known_and_keeps_unknown() {
        let mut v = Vars::new();
        v.insert("model".into(), "DS-2CD2032-I".into());
        assert_eq!(
            render("m={model} j={\"a\":1} x={nope} {", &v),
            "m=DS-2CD2032-I j={\"a\":1} x={nope} {"
        );
        assert_eq!(
            render_extra("{a}{model}", &v, &[("a", "1")]),
            "1DS-2CD2032-I"
        );
    }

    #[test]
    fn unescape_handles_telnet_bytes() {
        assert_eq!(
            unescape_bytes(r"\xff\xfd\x01login: \r\n"),
            vec![
                0xff, 0xfd, 0x01, b'l', b'o', b'g', b'i', b'n', b':', b' ', b'\r', b'\n'
            ]
        );
        assert_eq!(unescape_bytes(r"a\xZZ"), b"a\\xZZ".to_vec());
        assert_eq!(unescape_bytes("\\x4"), b"\\x4".to_vec());
    }

    #[test]
    fn crlf_normalises() {
        assert_eq!(crlf("v=0\nm=video\r\n"), "v=0\r\nm=video\r\n");
    }

    #[test]
    fn rng_is_stable() {
        let mut a = Rng::derive(7, 1, 2);
        let mut b = Rng::derive(7, 1, 2);
        assert_eq!(a.next_u64(), b.next_u64());
        assert_ne!(
            Rng::derive(7, 1, 2).next_u64(),
            Rng::derive(7, 2, 2).next_u64()
        );
        let w = Rng::new(1).weighted(&[0.0, 1.0, 0.0]);
        assert_eq!(w, 1);
    }
}
