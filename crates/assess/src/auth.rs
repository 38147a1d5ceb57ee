//! Client-side authentication material: HTTP/RTSP Basic and Digest (RFC 7616: MD5, MD5-sess,
//! SHA-256, SHA-256-sess; qop `auth` or none), ONVIF WS-UsernameToken PasswordDigest, and the
//! Dahua `RPC2_Login` password hash.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use camguard_probe::Challenge;
use md5::{Digest as _, Md5};
use sha1::Sha1;
use sha2::Sha256;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn md5_hex(s: &str) -> String {
    hex(&Md5::digest(s.as_bytes()))
}

/// `Basic base64(user:password)`.
pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", B64.encode(format!("{user}:{password}")))
}

/// A quoted-string value (backslash-escaped `"` and `\`).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        if !c.is_control() {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// The `Authorization` value answering a Digest challenge, or `None` for an algorithm or qop
/// this client does not speak. `uri` must be the request target exactly as sent.
pub fn digest(
    ch: &Challenge,
    method: &str,
    uri: &str,
    user: &str,
    password: &str,
    cnonce: &str,
    nc: u32,
) -> Option<String> {
    let realm = ch.realm().unwrap_or("");
    let nonce = ch.nonce()?;
    let alg = ch.param("algorithm").unwrap_or("MD5");
    let h: fn(&str) -> String = match alg.to_ascii_uppercase().as_str() {
        "MD5" | "MD5-SESS" => md5_hex,
        "SHA-256" | "SHA-256-SESS" => |s: &str| hex(&Sha256::digest(s.as_bytes())),
        _ => return None,
    };
    let sess = alg.to_ascii_uppercase().ends_with("-SESS");
    let qop = match ch.qop() {
        None => None,
        Some(list) => {
            if list
                .split(',')
                .any(|q| q.trim().eq_ignore_ascii_case("auth"))
            {
                Some("auth")
            } else {
                return None;
            }
        }
    };
    let mut ha1 = h(&format!("{user}:{realm}:{password}"));
    if sess {
        ha1 = h(&format!("{ha1}:{nonce}:{cnonce}"));
    }
    let ha2 = h(&format!("{method}:{uri}"));
    let nc = format!("{nc:08x}");
    let response = match qop {
        Some(q) => h(&format!("{ha1}:{nonce}:{nc}:{cnonce}:{q}:{ha2}")),
        None => h(&format!("{ha1}:{nonce}:{ha2}")),
    };
    let mut out = format!(
        "Digest username={}, realm={}, nonce={}, uri={}, response=\"{response}\"",
        quote(user),
        quote(realm),
        quote(nonce),
        quote(uri)
    );
    if ch.param("algorithm").is_some() {
        out.push_str(&format!(", algorithm={alg}"));
    }
    if let Some(q) = qop {
        out.push_str(&format!(", qop={q}, nc={nc}, cnonce={}", quote(cnonce)));
    }
    if let Some(o) = ch.param("opaque") {
        out.push_str(&format!(", opaque={}", quote(o)));
    }
    Some(out)
}

/// WS-Security UsernameToken `PasswordDigest` = Base64(SHA1(nonce + created + password)),
/// `nonce` being the raw bytes (sent Base64-encoded).
pub fn wsse_password_digest(nonce: &[u8], created: &str, password: &str) -> String {
    let mut h = Sha1::new();
    h.update(nonce);
    h.update(created.as_bytes());
    h.update(password.as_bytes());
    B64.encode(h.finalize())
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The `<Security>` SOAP header carrying a UsernameToken with PasswordDigest.
pub fn wsse_header(user: &str, password: &str, nonce: &[u8], created: &str) -> String {
    format!(
        "<wsse:Security s:mustUnderstand=\"1\" xmlns:wsse=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\" xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\"><wsse:UsernameToken><wsse:Username>{}</wsse:Username><wsse:Password Type=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest\">{}</wsse:Password><wsse:Nonce EncodingType=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary\">{}</wsse:Nonce><wsu:Created>{}</wsu:Created></wsse:UsernameToken></wsse:Security>",
        xml_escape(user),
        wsse_password_digest(nonce, created, password),
        B64.encode(nonce),
        xml_escape(created)
    )
}

/// Dahua `RPC2_Login` step-2 password for `encryption: Default`:
/// `MD5(user:random:MD5(user:realm:password))`, both in upper-case hex.
pub fn dahua_rpc2_hash(user: &str, password: &str, realm: &str, random: &str) -> String {
    let inner = md5_hex(&format!("{user}:{realm}:{password}")).to_ascii_uppercase();
    md5_hex(&format!("{user}:{random}:{inner}")).to_ascii_uppercase()
}

/// A fresh client nonce (hex).
pub fn cnonce() -> String {
    hex(&rand::random::<[u8; 8]>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use camguard_probe::parse_www_authenticate;

    #[test]
    fn basic_header() {
        assert_eq!(
            basic("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }

    /// RFC 2617 §3.5.
    #[test]
    fn digest_rfc2617_vector() {
        let ch = &parse_www_authenticate(
            r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        )[0];
        let h = digest(
            ch,
            "GET",
            "/dir/index.html",
            "Mufasa",
            "Circle Of Life",
            "0a4f113b",
            1,
        )
        .unwrap();
        assert!(
            h.contains("response=\"6629fae49393a05397450978507c4ef1\""),
            "{h}"
        );
        assert!(
            h.contains("qop=auth, nc=00000001, cnonce=\"0a4f113b\""),
            "{h}"
        );
        assert!(
            h.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""),
            "{h}"
        );
        assert!(h.contains("uri=\"/dir/index.html\""));
    }

    /// RFC 7616 §3.9.1, SHA-256.
    #[test]
    fn digest_rfc7616_sha256_vector() {
        let ch = &parse_www_authenticate(
            r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#,
        )[0];
        let h = digest(
            ch,
            "GET",
            "/dir/index.html",
            "Mufasa",
            "Circle of Life",
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            1,
        )
        .unwrap();
        assert!(
            h.contains("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
            "{h}"
        );
        assert!(h.contains("algorithm=SHA-256"));
    }

    #[test]
    fn digest_without_qop_and_refusals() {
        let ch =
            &parse_www_authenticate(r#"Digest realm="Hikvision", nonce="abc", stale="FALSE""#)[0];
        let h = digest(ch, "DESCRIBE", "rtsp://127.0.0.1/x", "admin", "pw", "c", 1).unwrap();
        let ha1 = md5_hex("admin:Hikvision:pw");
        let ha2 = md5_hex("DESCRIBE:rtsp://127.0.0.1/x");
        assert!(h.contains(&md5_hex(&format!("{ha1}:abc:{ha2}"))));
        assert!(!h.contains("qop") && !h.contains("algorithm"));
        let odd =
            &parse_www_authenticate(r#"Digest realm="r", nonce="n", algorithm=SHA-512-256"#)[0];
        assert!(digest(odd, "GET", "/", "a", "b", "c", 1).is_none());
        let intonly = &parse_www_authenticate(r#"Digest realm="r", nonce="n", qop="auth-int""#)[0];
        assert!(digest(intonly, "GET", "/", "a", "b", "c", 1).is_none());
        let q = &parse_www_authenticate(r#"Digest realm="r", nonce="n""#)[0];
        assert!(
            digest(q, "GET", "/", "a\"b", "x", "c", 1)
                .unwrap()
                .contains(r#"username="a\"b""#)
        );
    }

    /// Expected values computed independently (Python hashlib/base64).
    #[test]
    fn wsse_vector() {
        let nonce = B64.decode("LKqI6G/AikKCQrN0zqZFlg==").unwrap();
        assert_eq!(
            wsse_password_digest(&nonce, "2010-09-16T07:50:45Z", "userpassword"),
            "tuOSpGlFlIXsozq4HFNeeGeFLEI="
        );
        let h = wsse_header("ad<min", "pw", b"0123456789abcdef", "2024-01-01T00:00:00Z");
        assert!(
            h.contains("<wsse:Username>ad&lt;min</wsse:Username>") && h.contains("#PasswordDigest")
        );
        assert!(!h.contains(">pw<"), "the password itself is never sent");
    }

    #[test]
    fn dahua_hash_vector() {
        // Python: md5(("admin:1234567890:" + md5("admin:Login to ABC:admin").upper())).upper()
        assert_eq!(
            dahua_rpc2_hash("admin", "admin", "Login to ABC", "1234567890"),
            "8E7A064757A6D9900AE498ED579596E6"
        );
    }
}
