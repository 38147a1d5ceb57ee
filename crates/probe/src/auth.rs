//! `WWW-Authenticate` challenge parsing (RFC 7235 shape, tolerant of device quirks).
//!
//! One header value may carry several challenges (`Digest realm="a", nonce="b", Basic
//! realm="a"`), and a response may carry several headers; [`parse_www_authenticate`] handles
//! one value, callers iterate over the headers.

use crate::exchange::HttpResponse;
use crate::util::truncate_chars;
use camguard_model::Observation;

/// Longest header value looked at.
pub const MAX_CHALLENGE_INPUT: usize = 4096;
/// Most challenges returned from one value.
pub const MAX_CHALLENGES: usize = 8;
/// Most parameters kept per challenge.
pub const MAX_PARAMS: usize = 16;

/// One authentication challenge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Challenge {
    /// Scheme, canonical case for the well-known ones (`Basic`, `Digest`, `Bearer`, `NTLM`,
    /// `Negotiate`), as sent otherwise.
    pub scheme: String,
    /// Parameters, names lower-cased, values unquoted.
    pub params: Vec<(String, String)>,
    /// A token68 credential blob (`Negotiate abc==`), if one was given instead of parameters.
    pub token68: Option<String>,
}

impl Challenge {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn realm(&self) -> Option<&str> {
        self.param("realm")
    }
    pub fn nonce(&self) -> Option<&str> {
        self.param("nonce")
    }
    pub fn qop(&self) -> Option<&str> {
        self.param("qop")
    }
    pub fn is_basic(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("basic")
    }
    pub fn is_digest(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("digest")
    }
}

/// The authentication schemes written in their registered spelling (RFC 7617, 7616, 6750, 4559).
const KNOWN_SCHEMES: [&str; 5] = ["Basic", "Digest", "Bearer", "NTLM", "Negotiate"];

fn canonical_scheme(s: &str) -> String {
    for known in KNOWN_SCHEMES {
        if s.eq_ignore_ascii_case(known) {
            return known.to_string();
        }
    }
    s.to_string()
}

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~/:".contains(c)
}

/// Parse one `WWW-Authenticate` (or `Proxy-Authenticate`) header value into its challenges.
/// Never fails: unparseable stretches are skipped, an empty vector means nothing usable.
pub fn parse_www_authenticate(value: &str) -> Vec<Challenge> {
    let value = crate::util::truncate_chars(value, MAX_CHALLENGE_INPUT);
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    let mut i = 0;
    let mut out: Vec<Challenge> = Vec::new();
    let skip_ws = |i: &mut usize| {
        while *i < n && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    while i < n {
        // separators
        while i < n && (chars[i].is_whitespace() || chars[i] == ',') {
            i += 1;
        }
        if i >= n {
            break;
        }
        let start = i;
        while i < n && is_tchar(chars[i]) {
            i += 1;
        }
        if i == start {
            // not a token: skip one character of garbage (e.g. a stray quote)
            i += 1;
            continue;
        }
        let token: String = chars[start..i].iter().collect();
        skip_ws(&mut i);
        let eq_run = chars[i..].iter().take_while(|c| **c == '=').count();
        let current_is_fresh = out
            .last()
            .is_some_and(|c| c.params.is_empty() && c.token68.is_none());
        if eq_run >= 2
            || (eq_run == 1 && current_is_fresh && {
                let mut j = i + 1;
                while j < n && chars[j].is_whitespace() {
                    j += 1;
                }
                j >= n || chars[j] == ','
            })
        {
            // token68 (base64 padding) belonging to the current challenge
            if let Some(c) = out.last_mut() {
                let mut t = token;
                t.extend(std::iter::repeat_n('=', eq_run));
                c.token68 = Some(t);
            }
            i += eq_run;
            continue;
        }
        if eq_run == 1 {
            // auth-param
            i += 1;
            skip_ws(&mut i);
            let value = if i < n && chars[i] == '"' {
                i += 1;
                let mut v = String::new();
                while i < n && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < n {
                        i += 1;
                    }
                    v.push(chars[i]);
                    i += 1;
                }
                i += 1; // closing quote (or past the end)
                v
            } else {
                let s = i;
                while i < n && chars[i] != ',' && !chars[i].is_whitespace() {
                    i += 1;
                }
                // Some devices leave a realm of several words unquoted (`Basic realm=IP
                // Camera`, Oncam): the words up to the next comma belong to it unless they
                // start another challenge or parameter.
                let end = chars[i..]
                    .iter()
                    .position(|c| *c == ',')
                    .map_or(n, |p| i + p);
                let rest: String = chars[i..end].iter().collect();
                let first = rest.split_whitespace().next().unwrap_or("");
                if !rest.trim().is_empty()
                    && !rest.contains(['=', '"'])
                    && !KNOWN_SCHEMES.iter().any(|k| k.eq_ignore_ascii_case(first))
                {
                    i = end;
                    chars[s..end]
                        .iter()
                        .collect::<String>()
                        .trim_end()
                        .to_string()
                } else {
                    chars[s..i].iter().collect()
                }
            };
            if out.is_empty() {
                out.push(Challenge::default());
            }
            if let Some(c) = out.last_mut()
                && c.params.len() < MAX_PARAMS
            {
                c.params.push((token.to_ascii_lowercase(), value));
            }
            continue;
        }
        // A new scheme. (A token68 without `=` padding after a scheme reads as another scheme;
        // no camera sends one.)
        if out.len() >= MAX_CHALLENGES {
            break;
        }
        out.push(Challenge {
            scheme: canonical_scheme(&token),
            ..Default::default()
        });
    }
    out
}

/// `realm` and `auth_scheme` observations, one pair per challenge of every
/// `WWW-Authenticate` header.
pub(crate) fn auth_observations(
    port: u16,
    resp: &HttpResponse,
    realm_key: &str,
    scheme_key: &str,
) -> Vec<Observation> {
    let mut out = Vec::new();
    for v in resp.headers_named("www-authenticate") {
        for c in parse_www_authenticate(v) {
            if !c.scheme.is_empty() {
                out.push(Observation::new(port, scheme_key, c.scheme.clone()));
            }
            if let Some(r) = c.realm() {
                out.push(Observation::new(port, realm_key, truncate_chars(r, 256)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hikvision_digest() {
        // Shape of a Hikvision ISAPI/RTSP challenge.
        let c = parse_www_authenticate(
            r#"Digest qop="auth", realm="IP Camera(C6952)", nonce="4e6a4d354e444531...", stale="FALSE""#,
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].scheme, "Digest");
        assert_eq!(c[0].realm(), Some("IP Camera(C6952)"));
        assert_eq!(c[0].qop(), Some("auth"));
        assert_eq!(c[0].param("stale"), Some("FALSE"));
    }

    #[test]
    fn basic_realm_hikvision_recog() {
        // Recog http_wwwauth.xml: `(Basic|Digest) realm="hikvision"`.
        let c = parse_www_authenticate(r#"Basic realm="hikvision""#);
        assert_eq!(c[0].scheme, "Basic");
        assert!(c[0].is_basic());
        assert_eq!(c[0].realm(), Some("hikvision"));
    }

    #[test]
    fn dahua_and_axis() {
        // Dahua cameras answer with realm="Login to <serial>".
        let c = parse_www_authenticate(
            r#"Digest realm="Login to 4K0123PAZ00000", qop="auth", nonce="1234567890", opaque="deadbeef""#,
        );
        assert_eq!(c[0].realm(), Some("Login to 4K0123PAZ00000"));
        assert_eq!(c[0].param("opaque"), Some("deadbeef"));
        // Axis: realm "AXIS_ACCC8E000000", algorithm=MD5, unquoted token values.
        let c = parse_www_authenticate(
            r#"Digest realm="AXIS_ACCC8E000000", nonce="abc", algorithm=MD5, qop="auth""#,
        );
        assert_eq!(c[0].param("algorithm"), Some("MD5"));
    }

    #[test]
    fn multiple_challenges_in_one_value() {
        let c = parse_www_authenticate(
            r#"Digest realm="a", nonce="n", basic realm="a", Negotiate abc==, NTLM"#,
        );
        let schemes: Vec<_> = c.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(schemes, ["Digest", "Basic", "Negotiate", "NTLM"]);
        assert_eq!(c[1].realm(), Some("a"));
        assert_eq!(c[2].token68.as_deref(), Some("abc=="));
    }

    #[test]
    fn quoted_escapes_and_garbage() {
        let c = parse_www_authenticate(r#"Basic realm="say \"hi\", ok""#);
        assert_eq!(c[0].realm(), Some(r#"say "hi", ok"#));
        let c = parse_www_authenticate(r#"Basic realm="unterminated"#);
        assert_eq!(c[0].realm(), Some("unterminated"));
        assert!(parse_www_authenticate("").is_empty());
        assert!(parse_www_authenticate("\"\"\"").is_empty());
        let c = parse_www_authenticate(r#"realm="orphan""#);
        assert_eq!(c[0].scheme, "");
        assert_eq!(c[0].realm(), Some("orphan"));
    }

    #[test]
    fn unquoted_realm_of_several_words() {
        // Oncam IP360 (Greenbone gb_oncam_ip360_detect.nasl): `Basic realm=IP Camera`.
        let c = parse_www_authenticate("Basic realm=IP Camera");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].realm(), Some("IP Camera"));
        let c = parse_www_authenticate(r#"Basic realm=IP Camera , Digest realm="x", nonce="n""#);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].realm(), Some("IP Camera"));
        assert_eq!(c[1].realm(), Some("x"));
        // A following scheme or parameter is not part of the realm.
        let c = parse_www_authenticate("Basic realm=cam Negotiate");
        assert_eq!(c[0].realm(), Some("cam"));
        assert_eq!(c[1].scheme, "Negotiate");
        let c = parse_www_authenticate("Digest realm=cam nonce=abc");
        assert_eq!(c[0].realm(), Some("cam"));
        assert_eq!(c[0].nonce(), Some("abc"));
        let c = parse_www_authenticate("Basic realm=cam basic");
        assert_eq!(c[0].realm(), Some("cam"));
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,300}") {
            let c = parse_www_authenticate(&s);
            prop_assert!(c.len() <= MAX_CHALLENGES);
        }
    }
}
