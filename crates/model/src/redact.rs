//! The one place that takes credentials out of URLs and of text holding URLs: a stream URI a
//! device reports, a request line, a body excerpt, a database URL in a message.
//!
//! Two places carry them: the userinfo (`rtsp://admin:12345@…`, `postgres://u:pw@…`: the
//! password is replaced, the user name kept, because it says which account) and query
//! parameters (`…?user=admin&password=12345`, as XiongMai and many NVRs write stream URLs: the
//! values of `password=`, `passwd=`, `pwd=`, `pass=` are replaced).

use crate::REDACTED;

/// Keys whose values are passwords in URL queries (case-insensitive).
const SECRET_KEYS: [&str; 4] = ["password=", "passwd=", "pwd=", "pass="];

/// Where a URL's authority ends.
fn ends_authority(c: char) -> bool {
    matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>' | '\\') || c.is_whitespace()
}

/// Replace the password of every `scheme://user:password@host` in `text`.
fn userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail.find(ends_authority).unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                let info = &authority[..at];
                match info.split_once(':') {
                    Some((user, _)) => {
                        out.push_str(user);
                        out.push(':');
                        out.push_str(REDACTED);
                    }
                    None => out.push_str(info),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Replace the values of password-like query parameters.
fn query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'outer: while !rest.is_empty() {
        for key in SECRET_KEYS {
            if rest.len() >= key.len()
                && rest.as_bytes()[..key.len()].eq_ignore_ascii_case(key.as_bytes())
            {
                out.push_str(&rest[..key.len()]);
                out.push_str(REDACTED);
                let end = rest[key.len()..]
                    .find(['&', '_', ';', ' ', '"', '<'])
                    .map_or(rest.len(), |i| i + key.len());
                rest = &rest[end..];
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `text` with the credentials of every URL in it replaced by `****`.
pub fn url_credentials(text: &str) -> String {
    query(&userinfo(text))
}

#[cfg(test)]
mod tests {
    use super::url_credentials as r;

    #[test]
    fn userinfo_passwords_are_replaced_and_user_names_kept() {
        assert_eq!(
            r("rtsp://admin:12345@127.0.0.1:554/Streaming/Channels/101"),
            "rtsp://admin:****@127.0.0.1:554/Streaming/Channels/101"
        );
        assert_eq!(
            r("postgres://camguard:s3cr@t@db.example/registry"),
            "postgres://camguard:****@db.example/registry"
        );
        assert_eq!(r("postgres://camguard@db/r"), "postgres://camguard@db/r");
        assert_eq!(
            r("uri=\"rtsp://u:p@10.0.0.1/a\" and http://x:y@h/"),
            "uri=\"rtsp://u:****@10.0.0.1/a\" and http://x:****@h/"
        );
        // An '@' after the authority is not userinfo.
        assert_eq!(r("http://h/a@b:c"), "http://h/a@b:c");
    }

    #[test]
    fn query_passwords_are_replaced() {
        assert_eq!(
            r("rtsp://127.0.0.1:554/user=admin_password=tlJwpbo6_channel=1_stream=0.sdp"),
            "rtsp://127.0.0.1:554/user=admin_password=****_channel=1_stream=0.sdp"
        );
        assert_eq!(
            r("/cgi-bin/snapshot.cgi?USER=admin&PWD=x1&chn=1"),
            "/cgi-bin/snapshot.cgi?USER=admin&PWD=****&chn=1"
        );
    }

    #[test]
    fn text_without_urls_is_unchanged() {
        for t in [
            "",
            "plain text",
            "a://",
            "://@",
            "ftp://",
            "ünïcödé://ü:ö@ä/",
        ] {
            let out = r(t);
            assert!(!out.contains(":ö@"), "{t} -> {out}");
            if !t.contains('@') {
                assert_eq!(out, t);
            }
        }
    }
}
