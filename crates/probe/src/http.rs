//! HTTP(S) and ONVIF probing: bounded requests, response observations, the HTTP port flow.

use crate::auth::auth_observations;
use crate::config::{ProbeConfig, step};
use crate::error::ProbeError;
use crate::exchange::{HttpResponse, Outcome, build_request, exchange, outcome_to_http};
use crate::head::Protocol;
use crate::keys;
use crate::net::TlsInfo;
use crate::report::{Hint, Next, PortReport};
use crate::util::{escape_bytes, looks_like_tls, lossy_prefix, truncate_chars};
use crate::{rtsp, soap};
use camguard_model::Observation;
use std::net::IpAddr;
use std::time::Duration;
use tokio::time::Instant;

/// Bytes of a body kept in `http.body` / `http.path.*`.
pub const BODY_EXCERPT: usize = 4096;
/// Longest header value kept in an observation.
const HEADER_VALUE_CHARS: usize = 512;
/// Most `http.header.*` observations per response.
const MAX_HEADER_OBS: usize = 32;
/// Headers that say nothing about the device.
const NOISE_HEADERS: &[&str] = &[
    "date",
    "content-length",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "cache-control",
    "pragma",
    "expires",
    "server",
    "set-cookie",
    "location",
    "accept-ranges",
    "vary",
    "age",
];

/// One bounded `GET path` (Host = the address), no redirect followed. The whole exchange is
/// bounded by `step_timeout`, each read by `read_timeout`, the body by `max_response_bytes`.
pub async fn http_get(
    ip: IpAddr,
    port: u16,
    tls: bool,
    path: &str,
    cfg: &ProbeConfig,
) -> Result<HttpResponse, ProbeError> {
    let deadline = Instant::now() + cfg.step_timeout;
    let req = build_request("GET", path, ip, port, tls, cfg, &[], &[]);
    outcome_to_http(exchange(ip, port, tls, &req, false, cfg, deadline).await)
}

/// One bounded `POST` of a SOAP 1.2 ONVIF device-service operation.
pub async fn onvif_call(
    ip: IpAddr,
    port: u16,
    tls: bool,
    operation: &str,
    cfg: &ProbeConfig,
) -> Result<HttpResponse, ProbeError> {
    let deadline = Instant::now() + cfg.step_timeout;
    outcome_to_http(soap_exchange(ip, port, tls, operation, cfg, deadline).await)
}

/// The SOAP 1.2 request body of a parameterless ONVIF device-service operation.
pub fn onvif_envelope(operation: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\"><s:Body><tds:{operation}/></s:Body></s:Envelope>"
    )
}

async fn soap_exchange(
    ip: IpAddr,
    port: u16,
    tls: bool,
    operation: &str,
    cfg: &ProbeConfig,
    deadline: Instant,
) -> Outcome {
    let body = onvif_envelope(operation);
    let ct = format!(
        "application/soap+xml; charset=utf-8; action=\"http://www.onvif.org/ver10/device/wsdl/{operation}\""
    );
    let req = build_request(
        "POST",
        "/onvif/device_service",
        ip,
        port,
        tls,
        cfg,
        &[("Content-Type", &ct)],
        body.as_bytes(),
    );
    exchange(ip, port, tls, &req, false, cfg, deadline).await
}

fn obs(port: u16, key: &str, value: impl Into<String>) -> Observation {
    Observation::new(port, key, value)
}

/// Observations from a response to `GET /` (or a followed redirect).
pub fn response_observations(port: u16, resp: &HttpResponse) -> Vec<Observation> {
    let mut out = vec![obs(port, keys::HTTP_STATUS, resp.status.to_string())];
    if let Some(s) = resp.header("server") {
        out.push(obs(
            port,
            keys::HTTP_SERVER,
            truncate_chars(s, HEADER_VALUE_CHARS),
        ));
    }
    if let Some(t) = crate::html::extract_title(&resp.body) {
        out.push(obs(port, keys::HTTP_TITLE, t));
    }
    if !resp.body.is_empty() {
        out.push(obs(
            port,
            keys::HTTP_BODY,
            lossy_prefix(&resp.body, BODY_EXCERPT),
        ));
    }
    out.extend(auth_observations(
        port,
        resp,
        keys::HTTP_REALM,
        keys::HTTP_AUTH_SCHEME,
    ));
    for c in resp.headers_named("set-cookie").take(8) {
        out.push(obs(port, keys::HTTP_COOKIE, truncate_chars(c, 256)));
    }
    if let Some(l) = resp.header("location") {
        out.push(obs(
            port,
            keys::HTTP_LOCATION,
            truncate_chars(l, HEADER_VALUE_CHARS),
        ));
    }
    let mut n = 0;
    for (name, value) in &resp.headers {
        let lower = name.to_ascii_lowercase();
        if NOISE_HEADERS.contains(&lower.as_str()) || n >= MAX_HEADER_OBS {
            continue;
        }
        n += 1;
        out.push(obs(
            port,
            &format!("{}{lower}", keys::HTTP_HEADER_PREFIX),
            truncate_chars(value, HEADER_VALUE_CHARS),
        ));
    }
    out
}

/// Observations for a vendor endpoint fetched by path:
/// * `http.path.<path>`: the body excerpt (first 4 KiB, lossy UTF-8), only for a 2xx reply;
/// * `http.path_status.<path>`: the status code, always (a separate prefix, so that
///   `http.path.<prefix>*` fingerprint globs never see it);
/// * `http.realm` / `http.auth_scheme` for each challenge of a 401 (the port's facts);
/// * `http.server` when the header is present.
pub fn http_path_observations(port: u16, path: &str, resp: &HttpResponse) -> Vec<Observation> {
    let key = format!("{}{path}", keys::HTTP_PATH_PREFIX);
    let mut out = Vec::new();
    if (200..300).contains(&resp.status) {
        out.push(obs(port, &key, lossy_prefix(&resp.body, BODY_EXCERPT)));
    }
    out.push(obs(
        port,
        &format!("{}{path}", keys::HTTP_PATH_STATUS_PREFIX),
        resp.status.to_string(),
    ));
    out.extend(auth_observations(
        port,
        resp,
        keys::HTTP_REALM,
        keys::HTTP_AUTH_SCHEME,
    ));
    if let Some(s) = resp.header("server") {
        out.push(obs(
            port,
            keys::HTTP_SERVER,
            truncate_chars(s, HEADER_VALUE_CHARS),
        ));
    }
    out
}

/// Observations of a TLS handshake: version, cipher, leaf certificate (DER, base64), subject,
/// issuer, validity, and whether it is self-issued.
pub fn tls_observations(port: u16, info: &TlsInfo) -> Vec<Observation> {
    use base64::Engine as _;
    let mut out = Vec::new();
    if !info.version.is_empty() {
        out.push(obs(port, keys::TLS_VERSION, info.version.clone()));
    }
    if !info.cipher.is_empty() {
        out.push(obs(port, keys::TLS_CIPHER, info.cipher.clone()));
    }
    let Some(der) = &info.leaf_der else {
        return out;
    };
    out.push(obs(
        port,
        keys::TLS_CERT_DER_B64,
        base64::engine::general_purpose::STANDARD.encode(der),
    ));
    match x509_parser::parse_x509_certificate(der) {
        Ok((_, cert)) => {
            let subject = cert.subject().to_string();
            let issuer = cert.issuer().to_string();
            out.push(obs(
                port,
                keys::TLS_SELF_SIGNED,
                (subject == issuer).to_string(),
            ));
            out.push(obs(port, keys::TLS_SUBJECT, truncate_chars(&subject, 512)));
            out.push(obs(port, keys::TLS_ISSUER, truncate_chars(&issuer, 512)));
            let v = cert.validity();
            for (k, t) in [
                (keys::TLS_NOT_BEFORE, v.not_before.timestamp()),
                (keys::TLS_NOT_AFTER, v.not_after.timestamp()),
            ] {
                if let Ok(dt) = time::OffsetDateTime::from_unix_timestamp(t)
                    && let Ok(s) = dt.format(&time::format_description::well_known::Rfc3339)
                {
                    out.push(obs(port, k, s));
                }
            }
        }
        Err(e) => out.push(obs(
            port,
            keys::TLS_SUBJECT,
            format!("(unparseable certificate: {e})"),
        )),
    }
    out
}

/// If `location` points at the same host, scheme and port (or is a relative path), the path
/// to follow.
pub(crate) fn same_host_path(location: &str, ip: IpAddr, port: u16, tls: bool) -> Option<String> {
    let loc = location.trim();
    if loc.is_empty() {
        return None;
    }
    if loc.starts_with('/') && !loc.starts_with("//") {
        return Some(loc.to_string());
    }
    let (scheme_tls, rest) = if let Some(r) = loc.strip_prefix("//") {
        (tls, r)
    } else if let Some(r) = strip_prefix_ci(loc, "http://").filter(|r| !r.is_empty()) {
        (false, r)
    } else if let Some(r) = strip_prefix_ci(loc, "https://").filter(|r| !r.is_empty()) {
        (true, r)
    } else if !loc.contains(':') {
        // relative path without a slash
        return Some(format!("/{loc}"));
    } else {
        return None;
    };
    if scheme_tls != tls {
        return None;
    }
    let (auth, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let auth = auth.rsplit('@').next().unwrap_or(auth);
    let (host, p) = if let Some(h) = auth.strip_prefix('[') {
        let end = h.find(']')?;
        (&h[..end], h[end + 1..].strip_prefix(':'))
    } else {
        match auth.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (auth, None),
        }
    };
    let want_port = match p {
        Some(p) => p.parse::<u16>().ok()?,
        None => {
            if tls {
                443
            } else {
                80
            }
        }
    };
    let host_ip: IpAddr = host.parse().ok()?;
    if host_ip != ip || want_port != port {
        return None;
    }
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    Some(path)
}

/// `s` without an ASCII `prefix` matched in any case (never slicing inside a character).
fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

fn mentions_https(body: &[u8]) -> bool {
    let b = &body[..body.len().min(4096)];
    crate::util::find_ci(b, b"sent to HTTPS port", 0).is_some()
        || crate::util::find_ci(b, b"speaking plain HTTP to an SSL", 0).is_some()
}

fn describe_silence(what: &str, after: Duration) -> String {
    format!("no reply to {what} within {:.1}s", after.as_secs_f64())
}

/// The HTTP/HTTPS/ONVIF port flow (see the crate docs).
pub(crate) async fn probe_http(
    ip: IpAddr,
    port: u16,
    hint: Hint,
    cfg: &ProbeConfig,
    rep: &mut PortReport,
) -> Next {
    let onvif_hint = hint == Hint::Onvif;
    let mut tls = hint == Hint::Https;
    let root = |tls: bool| build_request("GET", "/", ip, port, tls, cfg, &[], &[]);
    let first_deadline = step(cfg);
    let mut out = exchange(ip, port, tls, &root(tls), false, cfg, first_deadline).await;

    // Find the right transport.
    let retry = match &out {
        Outcome::Failed(ProbeError::Tls(e)) if tls => {
            rep.note(format!(
                "TLS handshake failed ({}); trying plain HTTP",
                truncate_chars(e, 120)
            ));
            Some(false)
        }
        Outcome::Failed(ProbeError::Timeout {
            stage: "TLS handshake",
            ..
        }) if tls => {
            // Either a tarpit or a plain server waiting for a request line: try plain HTTP in
            // what is left of this step, so a tarpit still costs one step.
            rep.note("no reply to the TLS handshake; trying plain HTTP");
            tls = false;
            out = exchange(ip, port, tls, &root(tls), false, cfg, first_deadline).await;
            None
        }
        Outcome::NotProtocol { bytes, .. } if !tls && looks_like_tls(bytes) => {
            rep.note("plain HTTP request got a TLS record; retrying with TLS");
            Some(true)
        }
        Outcome::Response { head, body, .. }
            if !tls && head.status == 400 && mentions_https(body) =>
        {
            rep.note("server asked for HTTPS; retrying with TLS");
            Some(true)
        }
        _ => None,
    };
    if let Some(t) = retry {
        tls = t;
        out = exchange(ip, port, tls, &root(tls), false, cfg, step(cfg)).await;
    }

    let root_resp = match out {
        Outcome::Response {
            head,
            body,
            tls: info,
        } => {
            if head.protocol == Protocol::Rtsp {
                rep.note("port answered GET / with RTSP");
                return Next::Rtsp;
            }
            if let Some(info) = &info {
                rep.extend(tls_observations(port, info));
            }
            HttpResponse::from_head(head, body)
        }
        Outcome::Silent { after } => {
            rep.note(describe_silence("GET /", after));
            rep.set_service("unknown");
            return Next::Done;
        }
        Outcome::Failed(e) => {
            let connected = !matches!(
                e,
                ProbeError::Connect(_)
                    | ProbeError::Timeout {
                        stage: "connect",
                        ..
                    }
            );
            rep.note(format!("GET /: {e}"));
            if connected {
                if e.is_silent() {
                    rep.set_service("unknown");
                    return Next::Done;
                }
                if onvif_hint && onvif_probe(ip, port, tls, cfg, rep).await {
                    rep.set_service("onvif");
                    return Next::Done;
                }
                rep.set_service("unknown");
            }
            return Next::Done;
        }
        other @ (Outcome::NotProtocol { .. } | Outcome::Closed) => {
            let raw = if let Outcome::NotProtocol { bytes, .. } = &other {
                rep.note(format!(
                    "garbage reply to GET /: {}",
                    escape_bytes(bytes, 48)
                ));
                Some(bytes.clone())
            } else {
                rep.note("connection closed without a reply to GET /");
                None
            };
            if onvif_hint && onvif_probe(ip, port, tls, cfg, rep).await {
                rep.set_service("onvif");
                return Next::Done;
            }
            // The hinted protocol made no sense: try the other one.
            if rtsp::probe_rtsp_quiet(ip, port, cfg, rep).await {
                return Next::Done;
            }
            if let Some(raw) = raw {
                rep.add(keys::BANNER_RAW, escape_bytes(&raw, 256));
            }
            rep.set_service("unknown");
            return Next::Done;
        }
    };

    rep.extend(response_observations(port, &root_resp));
    let root_ok = (200..400).contains(&root_resp.status)
        || root_resp.status == 401
        || root_resp.status == 403;

    // One same-host redirect.
    if (300..400).contains(&root_resp.status)
        && let Some(path) = root_resp
            .header("location")
            .and_then(|l| same_host_path(l, ip, port, tls))
        && path != "/"
    {
        let req = build_request("GET", &path, ip, port, tls, cfg, &[], &[]);
        match exchange(ip, port, tls, &req, false, cfg, step(cfg)).await {
            Outcome::Response { head, body, .. } if head.protocol == Protocol::Http => {
                rep.extend(response_observations(
                    port,
                    &HttpResponse::from_head(head, body),
                ));
            }
            o if o.is_silent() => {
                rep.note(format!(
                    "no reply to the redirect to {}",
                    truncate_chars(&path, 80)
                ));
                rep.set_service(if tls { "https" } else { "http" });
                return Next::Done;
            }
            _ => rep.note(format!(
                "redirect to {} gave no HTTP reply",
                truncate_chars(&path, 80)
            )),
        }
    }

    // Favicon.
    let req = build_request("GET", "/favicon.ico", ip, port, tls, cfg, &[], &[]);
    match exchange(ip, port, tls, &req, false, cfg, step(cfg)).await {
        Outcome::Response { head, body, .. }
            if head.protocol == Protocol::Http && head.status == 200 && !body.is_empty() =>
        {
            let start = String::from_utf8_lossy(&body[..body.len().min(64)])
                .trim_start()
                .to_ascii_lowercase();
            let full = head
                .content_length()
                .is_none_or(|n| n as usize == body.len())
                && body.len() < cfg.max_response_bytes;
            if start.starts_with("<!doctype") || start.starts_with("<html") {
                // a soft 404 page, not an icon
            } else if !full {
                rep.note("favicon larger than the response cap; not hashed");
            } else {
                rep.add(keys::HTTP_FAVICON_MD5, crate::favicon::favicon_md5(&body));
                rep.add(
                    keys::HTTP_FAVICON_MMH3,
                    crate::favicon::favicon_mmh3(&body).to_string(),
                );
            }
        }
        o if o.is_silent() => {
            rep.note("no reply to GET /favicon.ico");
            rep.set_service(if tls { "https" } else { "http" });
            return Next::Done;
        }
        _ => {}
    }

    let onvif = onvif_probe(ip, port, tls, cfg, rep).await;
    rep.set_service(if onvif && !root_ok {
        "onvif"
    } else if tls {
        "https"
    } else {
        "http"
    });
    Next::Done
}

/// ONVIF device-service probing: `GetSystemDateAndTime` (unauthenticated by spec), then, if
/// the port speaks SOAP, `GetDeviceInformation` and `GetScopes` without credentials. Returns
/// whether the port answered SOAP.
pub(crate) async fn onvif_probe(
    ip: IpAddr,
    port: u16,
    tls: bool,
    cfg: &ProbeConfig,
    rep: &mut PortReport,
) -> bool {
    let first = soap_exchange(ip, port, tls, "GetSystemDateAndTime", cfg, step(cfg)).await;
    let parsed = match first {
        Outcome::Response { head, body, .. } if head.protocol == Protocol::Http => {
            soap::parse_soap(&body).ok()
        }
        o if o.is_silent() => {
            rep.note("no reply to ONVIF GetSystemDateAndTime");
            return false;
        }
        _ => None,
    };
    let Some(r) = parsed else { return false };
    if let Some(dt) = &r.datetime {
        if let Some(s) = dt.display() {
            rep.add(keys::ONVIF_DATETIME, s);
        }
        if let Some(tz) = &dt.tz {
            rep.add(keys::ONVIF_TIMEZONE, truncate_chars(tz, 64));
        }
        if let Some(t) = &dt.date_time_type {
            rep.add(keys::ONVIF_DATETIME_TYPE, truncate_chars(t, 32));
        }
    }
    if let Some(f) = &r.fault {
        rep.add(
            keys::ONVIF_FAULT,
            format!(
                "GetSystemDateAndTime: {}",
                truncate_chars(&f.to_string(), 200)
            ),
        );
    }

    for op in ["GetDeviceInformation", "GetScopes"] {
        match soap_exchange(ip, port, tls, op, cfg, step(cfg)).await {
            Outcome::Response { head, body, .. } if head.protocol == Protocol::Http => {
                if let Ok(r) = soap::parse_soap(&body) {
                    if let Some(d) = &r.device_info {
                        for (k, v) in [
                            (keys::ONVIF_MANUFACTURER, &d.manufacturer),
                            (keys::ONVIF_MODEL, &d.model),
                            (keys::ONVIF_FIRMWARE, &d.firmware_version),
                            (keys::ONVIF_SERIAL, &d.serial_number),
                            (keys::ONVIF_HARDWARE_ID, &d.hardware_id),
                        ] {
                            if let Some(v) = v {
                                rep.add(k, truncate_chars(v, 256));
                            }
                        }
                    }
                    for s in &r.scopes {
                        rep.add(keys::ONVIF_SCOPE, truncate_chars(s, 512));
                    }
                    if let Some(f) = &r.fault {
                        rep.add(
                            keys::ONVIF_FAULT,
                            format!("{op}: {}", truncate_chars(&f.to_string(), 200)),
                        );
                    }
                } else {
                    let resp = HttpResponse::from_head(head, body);
                    if resp.status == 401 || resp.status == 403 {
                        rep.add(keys::ONVIF_FAULT, format!("{op}: HTTP {}", resp.status));
                        rep.extend(auth_observations(
                            port,
                            &resp,
                            keys::HTTP_REALM,
                            keys::HTTP_AUTH_SCHEME,
                        ));
                    } else {
                        rep.note(format!(
                            "ONVIF {op}: HTTP {} without a SOAP body",
                            resp.status
                        ));
                    }
                }
            }
            o if o.is_silent() => {
                rep.note(format!("no reply to ONVIF {op}"));
                break;
            }
            _ => rep.note(format!("ONVIF {op}: no usable reply")),
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4() -> IpAddr {
        "127.93.0.1".parse().unwrap()
    }

    #[test]
    fn redirects() {
        let ip = v4();
        assert_eq!(
            same_host_path("/doc/page/login.asp?_1", ip, 80, false).as_deref(),
            Some("/doc/page/login.asp?_1")
        );
        assert_eq!(
            same_host_path("http://127.93.0.1/x", ip, 80, false).as_deref(),
            Some("/x")
        );
        assert_eq!(
            same_host_path("http://127.93.0.1:8080", ip, 8080, false).as_deref(),
            Some("/")
        );
        assert_eq!(same_host_path("https://127.93.0.1/x", ip, 80, false), None);
        assert_eq!(same_host_path("http://10.0.0.1/x", ip, 80, false), None);
        assert_eq!(same_host_path("http://evil.example/x", ip, 80, false), None);
        assert_eq!(
            same_host_path("//127.93.0.1/y", ip, 80, false).as_deref(),
            Some("/y")
        );
        assert_eq!(
            same_host_path("login.htm", ip, 80, false).as_deref(),
            Some("/login.htm")
        );
        let v6: IpAddr = "::1".parse().unwrap();
        assert_eq!(
            same_host_path("http://[::1]:81/z", v6, 81, false).as_deref(),
            Some("/z")
        );
        // A Location whose 7th or 8th byte falls inside a character (a hostile device's
        // header): no slicing panic, and no path either.
        assert_eq!(same_host_path("ab\u{20ac}\u{20ac}:x", ip, 80, false), None);
        assert_eq!(
            same_host_path("http:/\u{20ac}\u{20ac}:x", ip, 80, false),
            None
        );
    }

    #[test]
    fn observations_of_a_dahua_like_401() {
        // Dahua web servers send no Server header; the digest realm names the device.
        let resp = HttpResponse {
            status: 401,
            headers: vec![
                ("WWW-Authenticate".into(), "Digest realm=\"Login to 4K0123PAZ00000\", qop=\"auth\", nonce=\"1\", opaque=\"2\"".into()),
                ("X-Frame-Options".into(), "SAMEORIGIN".into()),
                ("Content-Length".into(), "0".into()),
            ],
            body: vec![],
        };
        let o = response_observations(80, &resp);
        let get = |k: &str| {
            o.iter()
                .filter(|x| x.key == k)
                .map(|x| x.value.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(get(keys::HTTP_STATUS), ["401"]);
        assert!(get(keys::HTTP_SERVER).is_empty());
        assert_eq!(get(keys::HTTP_REALM), ["Login to 4K0123PAZ00000"]);
        assert_eq!(get(keys::HTTP_AUTH_SCHEME), ["Digest"]);
        assert_eq!(get("http.header.x-frame-options"), ["SAMEORIGIN"]);
        assert!(get("http.header.content-length").is_empty());
        assert_eq!(get("http.header.www-authenticate").len(), 1);
    }

    #[test]
    fn path_observations() {
        let resp = HttpResponse {
            status: 200,
            headers: vec![("Server".into(), "App-webs/".into())],
            body: b"<firmwareVersion>V5.4.5</firmwareVersion>".to_vec(),
        };
        let o = http_path_observations(80, "/System/deviceInfo", &resp);
        assert_eq!(o[0].key, "http.path./System/deviceInfo");
        assert!(o[0].value.contains("V5.4.5"));
        assert_eq!(o[1].key, "http.path_status./System/deviceInfo");
        assert_eq!(o[1].value, "200");
        assert!(o.iter().any(|x| x.key == keys::HTTP_SERVER));
        let resp = HttpResponse {
            status: 404,
            headers: vec![],
            body: b"nope".to_vec(),
        };
        let o = http_path_observations(80, "/x", &resp);
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].value, "404");
    }
}
