//! Building findings and their evidence: excerpts of requests and responses, with secrets
//! redacted.

use crate::i18n;
use camguard_kb::{Cve, Kb};
use camguard_model::{Finding, REDACTED, Severity};
use camguard_probe::HttpResponse;
use serde_json::{Value, json};

/// Most characters of a body kept in evidence.
pub const BODY_EXCERPT: usize = 240;

/// A finding with its clauses and localised texts.
pub fn finding(
    kb: &Kb,
    id: &str,
    severity: Severity,
    port: Option<u16>,
    evidence: Value,
    cve: Option<&Cve>,
) -> Finding {
    let mut f = Finding::new(id, severity, port);
    f.evidence = evidence;
    f.clauses = kb
        .clauses_for_finding(id)
        .into_iter()
        .map(|c| c.id.clone())
        .collect();
    let vuln = cve.map(|c| (c.id.as_str(), c.title_vi.as_str(), c.title_en.as_str()));
    let t = i18n::finding_texts(id, vuln);
    f.title = t.title;
    f.description = t.description;
    f.remediation = t.remediation;
    f
}

/// Printable excerpt of a body: lossy UTF-8, control characters dropped, at most `max` chars.
pub fn excerpt(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(max * 4)]);
    let mut out: String = text
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(max)
        .collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out.trim().to_string()
}

/// Credentials out of URLs (userinfo passwords and password-like query values, e.g. XiongMai
/// stream URIs): the one rule, `camguard_model::redact`.
pub fn redact_url_credentials(url: &str) -> String {
    camguard_model::redact::url_credentials(url)
}

/// Evidence fields that name an account, not its password: kept when the password equals the
/// user name (`admin`/`admin`), so that the account to fix is still named.
const ACCOUNT_FIELDS: [&str; 2] = ["username", "user"];

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// `text` with every delimited occurrence of each secret replaced by `****`: an occurrence
/// not inside a longer word (`pass` is redacted in `root,pass` and `/pass/`, not in
/// `password`), as written or percent-encoded. Empty secrets are skipped.
pub fn redact_secrets_in(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        let encoded: String = s
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        for form in [s.to_string(), encoded] {
            out = redact_one(&out, &form);
        }
    }
    out
}

fn redact_one(text: &str, secret: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(off) = text[i..].find(secret) {
        let start = i + off;
        let end = start + secret.len();
        let before_ok =
            !secret.starts_with(is_word) || !text[..start].chars().next_back().is_some_and(is_word);
        let after_ok =
            !secret.ends_with(is_word) || !text[end..].chars().next().is_some_and(is_word);
        out.push_str(&text[i..start]);
        if before_ok && after_ok {
            out.push_str(REDACTED);
            i = end;
        } else {
            // Not this occurrence: keep its first character and look again after it.
            let c = text[start..].chars().next().unwrap_or(' ');
            out.push(c);
            i = start + c.len_utf8();
        }
    }
    out.push_str(&text[i..]);
    out
}

/// Redact `secrets` (see [`redact_secrets_in`]) in every string of `v` but the account-name
/// fields; object keys are kept.
pub fn redact_secrets(v: &mut Value, secrets: &[&str]) {
    if secrets.iter().all(|s| s.is_empty()) {
        return;
    }
    match v {
        Value::String(s) => {
            let r = redact_secrets_in(s, secrets);
            if r != *s {
                *s = r;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| redact_secrets(x, secrets)),
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if !ACCOUNT_FIELDS.contains(&k.as_str()) {
                    redact_secrets(x, secrets);
                }
            }
        }
        _ => {}
    }
}

/// The response line and a few headers of an HTTP/RTSP response, for evidence.
pub fn response_summary(proto: &str, r: &HttpResponse, with_body: bool) -> Value {
    let mut v = json!({ "status": r.status });
    let keep = [
        "server",
        "content-type",
        "www-authenticate",
        "location",
        "content-base",
        "public",
    ];
    let headers: Vec<String> = r
        .headers
        .iter()
        .filter(|(k, _)| keep.contains(&k.to_ascii_lowercase().as_str()))
        .take(8)
        .map(|(k, val)| format!("{k}: {}", redact_url_credentials(val)))
        .collect();
    v["line"] = json!(format!("{proto} {}", r.status));
    if !headers.is_empty() {
        v["headers"] = json!(headers);
    }
    if with_body && !r.body.is_empty() {
        v["body_excerpt"] = json!(redact_url_credentials(&excerpt(&r.body, BODY_EXCERPT)));
    }
    v
}

/// A request line plus the headers sent, an `Authorization` value shown as `****` unless
/// `reveal`.
pub fn request_summary(line: &str, headers: &[(&str, &str)], reveal: bool) -> String {
    let mut s = redact_url_credentials(line);
    for (k, v) in headers {
        let secret = k.eq_ignore_ascii_case("authorization");
        s.push_str(&format!(
            "\r\n{k}: {}",
            if secret && !reveal { REDACTED } else { v }
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_credentials_are_redacted() {
        assert_eq!(
            redact_url_credentials(
                "rtsp://1.2.3.4/user=admin&password=tlJwpbo6&channel=1&stream=0.sdp"
            ),
            "rtsp://1.2.3.4/user=admin&password=****&channel=1&stream=0.sdp"
        );
        assert_eq!(
            redact_url_credentials("http://x/a?pwd=1"),
            "http://x/a?pwd=****"
        );
        assert_eq!(redact_url_credentials("no secrets"), "no secrets");
        assert_eq!(
            redact_url_credentials("20211201…x"),
            "20211201…x",
            "multi-byte characters"
        );
        assert_eq!(redact_url_credentials("…password=é&x"), "…password=****&x");
    }

    #[test]
    fn authorization_is_redacted_unless_revealed() {
        let s = request_summary(
            "GET / HTTP/1.1",
            &[("Authorization", "Basic YWRtaW46MTIzNDU=")],
            false,
        );
        assert!(s.contains("Authorization: ****") && !s.contains("YWRt"));
        let s = request_summary(
            "GET / HTTP/1.1",
            &[("Authorization", "Basic YWRtaW46MTIzNDU=")],
            true,
        );
        assert!(s.contains("YWRt"));
    }

    #[test]
    fn secrets_are_redacted_where_delimited() {
        let r = |t: &str, s: &str| redact_secrets_in(t, &[s]);
        assert_eq!(r("'Axis,root,pass'", "pass"), "'Axis,root,****'");
        assert_eq!(r("password: pass.", "pass"), "password: ****.");
        assert_eq!(r("passpass pass", "pass"), "passpass ****");
        assert_eq!(r("root/7ujMko0vizxv", "vizxv"), "root/7ujMko0vizxv");
        assert_eq!(r("root/vizxv", "vizxv"), "root/****");
        assert_eq!(r("a 123456 b 12345", "12345"), "a 123456 b ****");
        assert_eq!(r("x=Cg-1!&y", "Cg-1!"), "x=****&y");
        assert_eq!(r("pw=a%20b", "a b"), "pw=****");
        assert_eq!(r("é pass é", "pass"), "é **** é");
        assert_eq!(r("nothing", ""), "nothing");
        let mut v = json!({"username": "admin", "a": ["admin/admin", {"b": "admin"}], "n": 1});
        redact_secrets(&mut v, &["admin"]);
        assert_eq!(
            v,
            json!({"username": "admin", "a": ["****/****", {"b": "****"}], "n": 1})
        );
    }

    #[test]
    fn excerpts_are_bounded() {
        let e = excerpt(&[b'a'; 1000], 10);
        assert_eq!(e, "aaaaaaaaaa…");
        assert_eq!(excerpt(b"a\x00b\r\nc", 10), "ab\nc");
    }
}
