//! HTTP helpers shared by the web checks, the vulnerability checks and the device-information
//! reads: query encoding and the `Authorization` that answers a 401. A leaf (no check lives
//! here), so that `http`, `vulns` and `device_info` need not import each other.

use crate::auth;
use camguard_model::Secret;
use camguard_probe::{Challenge, HttpResponse, parse_www_authenticate};

/// `"` `{` `}` and other characters RFC 3986 does not allow raw in a query, percent-encoded
/// (paths in data files are written readable).
pub(crate) fn encode_query(path: &str) -> String {
    let Some((p, q)) = path.split_once('?') else {
        return path.to_string();
    };
    let mut out = String::with_capacity(path.len() + 16);
    out.push_str(p);
    out.push('?');
    for c in q.chars() {
        match c {
            '"' | '{' | '}' | '|' | '\\' | '^' | '`' | '<' | '>' | ' ' => {
                out.push_str(&format!("%{:02X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// The Basic and Digest challenges of a 401, and the raw `WWW-Authenticate` values.
pub(crate) fn challenges_of(r: &HttpResponse) -> (Vec<Challenge>, Vec<String>) {
    let raw: Vec<String> = r
        .headers_named("www-authenticate")
        .map(str::to_string)
        .collect();
    let ch = raw
        .iter()
        .flat_map(|v| parse_www_authenticate(v))
        .filter(|c| c.is_basic() || c.is_digest())
        .collect();
    (ch, raw)
}

/// The `Authorization` header that answers a 401's challenges: Digest when one is usable, else
/// Basic when offered; `(scheme, header value)`.
pub(crate) fn authorization(
    r401: &HttpResponse,
    method: &str,
    path: &str,
    user: &str,
    password: &Secret,
) -> Option<(&'static str, String)> {
    let (challenges, _) = challenges_of(r401);
    let digest = challenges.iter().filter(|c| c.is_digest()).find_map(|c| {
        auth::digest(c, method, path, user, password.expose(), &auth::cnonce(), 1)
            .map(|h| ("Digest", h))
    });
    digest.or_else(|| {
        challenges
            .iter()
            .any(Challenge::is_basic)
            .then(|| ("Basic", auth::basic(user, password.expose())))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_encoding() {
        assert_eq!(
            encode_query(r#"/cgi-bin/main-cgi?json={"cmd":255,"szUserName":""}"#),
            "/cgi-bin/main-cgi?json=%7B%22cmd%22:255,%22szUserName%22:%22%22%7D"
        );
        assert_eq!(encode_query("/a/b"), "/a/b");
    }
}
