//! A minimal HTTP/1.1 server driven by a profile's site: routes, Basic/Digest auth, form/JSON
//! logins, HTTPS redirects, ONVIF hand-off. Every read is bounded in size and time.

use crate::auth::{self, Lockout};
use crate::onvif;
use crate::profile::{LoginKind, RouteAuth, RouteDef, Scheme, SiteDef};
use crate::runtime::{HostRt, SvcKind, SvcRt};
use crate::template::{Vars, render, render_extra, runtime_rng};
use base64::Engine as _;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

pub(crate) const MAX_HEAD: usize = 16 * 1024;
pub(crate) const MAX_BODY: usize = 256 * 1024;
const FIRST_TIMEOUT: Duration = Duration::from_secs(10);
const IDLE_TIMEOUT: Duration = Duration::from_secs(15);
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_REQUESTS: usize = 100;

#[derive(Debug)]
pub(crate) enum HeadErr {
    Closed,
    Timeout,
    TooLarge,
}

/// Reads until a blank line ends the head; returns the head's length (terminator included).
pub(crate) async fn read_head<S: AsyncRead + Unpin>(
    s: &mut S,
    buf: &mut Vec<u8>,
    max: usize,
    to: Duration,
) -> Result<usize, HeadErr> {
    let mut scanned = 0;
    loop {
        if let Some(end) = find_head_end(buf, scanned) {
            return Ok(end);
        }
        scanned = buf.len().saturating_sub(3);
        if buf.len() > max {
            return Err(HeadErr::TooLarge);
        }
        let mut tmp = [0u8; 4096];
        let n = match tokio::time::timeout(to, s.read(&mut tmp)).await {
            Err(_) => return Err(HeadErr::Timeout),
            Ok(Err(_) | Ok(0)) => return Err(HeadErr::Closed),
            Ok(Ok(n)) => n,
        };
        buf.extend_from_slice(&tmp[..n]);
    }
}

pub(crate) fn find_head_end(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < buf.len() {
        if buf[i] == b'\n' {
            if buf.get(i + 1) == Some(&b'\n') {
                return Some(i + 2);
            }
            if buf.get(i + 1) == Some(&b'\r') && buf.get(i + 2) == Some(&b'\n') {
                return Some(i + 3);
            }
        }
        i += 1;
    }
    None
}

/// Reads `n` more bytes past `have` into `buf`, bounded by time.
pub(crate) async fn read_exact_more<S: AsyncRead + Unpin>(
    s: &mut S,
    buf: &mut Vec<u8>,
    want_total: usize,
    to: Duration,
) -> bool {
    while buf.len() < want_total {
        let mut tmp = [0u8; 8192];
        let need = (want_total - buf.len()).min(tmp.len());
        match tokio::time::timeout(to, s.read(&mut tmp[..need])).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&tmp[..n]),
            _ => return false,
        }
    }
    true
}

/// Request line and headers.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub method: String,
    pub target: String,
    pub version: String,
    pub headers: Vec<(String, String)>,
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub(crate) fn parse_head(head: &[u8]) -> Option<Head> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let first = lines.next()?;
    let mut parts = first.split(' ').filter(|p| !p.is_empty());
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let version = parts.next()?.to_string();
    if parts.next().is_some()
        || method.len() > 32
        || !method
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c == b'_' || c == b'-')
    {
        return None;
    }
    if !(version.starts_with("HTTP/") || version.starts_with("RTSP/")) {
        return None;
    }
    let mut headers = Vec::new();
    for l in lines {
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':')?;
        if k.is_empty() || k.contains(' ') {
            return None;
        }
        headers.push((k.to_string(), v.trim().to_string()));
        if headers.len() > 100 {
            return None;
        }
    }
    Some(Head {
        method,
        target,
        version,
        headers,
    })
}

/// Splits a request target (`/p?q`, or absolute `http://h/p?q`) into path and raw query.
pub(crate) fn split_target(target: &str) -> (String, String) {
    let t = match target.find("://") {
        Some(i) => {
            let rest = &target[i + 3..];
            match rest.find('/') {
                Some(j) => &rest[j..],
                None => "/",
            }
        }
        None => target,
    };
    match t.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (t.to_string(), String::new()),
    }
}

pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            let hv = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hv(b[i + 1]) * 16 + hv(b[i + 2]));
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A complete request.
pub(crate) struct Request {
    pub head: Head,
    pub path: String,
    pub query: String,
    pub body: Vec<u8>,
}

/// A response before serialisation.
pub(crate) struct Resp {
    pub status: u16,
    pub reason: Option<String>,
    pub content_type: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub close: bool,
}

impl Resp {
    pub fn new(status: u16) -> Self {
        Resp {
            status,
            reason: None,
            content_type: None,
            headers: Vec::new(),
            body: Vec::new(),
            close: false,
        }
    }
    pub fn body(mut self, ct: &str, body: impl Into<Vec<u8>>) -> Self {
        self.content_type = Some(ct.to_string());
        self.body = body.into();
        self
    }
    pub fn header(mut self, k: &str, v: impl Into<String>) -> Self {
        self.headers.push((k.to_string(), v.into()));
        self
    }
}

pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        451 => "Parameter Not Understood",
        454 => "Session Not Found",
        455 => "Method Not Valid in This State",
        459 => "Aggregate Operation Not Allowed",
        461 => "Unsupported Transport",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// RFC 7231 date.
pub(crate) fn http_date() -> String {
    let f = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::OffsetDateTime::now_utc()
        .format(&f)
        .unwrap_or_default()
}

fn serialize(
    resp: &Resp,
    site: Option<&SiteDef>,
    server_override: Option<&str>,
    vars: &Vars,
    version: &str,
    head_only: bool,
) -> (Vec<u8>, bool) {
    let date = http_date();
    let server = match server_override {
        Some(s) => s.to_string(),
        None => site
            .and_then(|s| s.server.as_ref())
            .map(|s| render(s, vars))
            .unwrap_or_default(),
    };
    let clen = resp.body.len().to_string();
    let ctype = resp.content_type.clone().unwrap_or_default();
    let mut close = resp.close;
    let mut out = format!(
        "{version} {} {}\r\n",
        resp.status,
        resp.reason.as_deref().unwrap_or(reason(resp.status))
    );
    let mut push = |k: &str, v: &str, out: &mut String| {
        if k.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close") {
            close = true;
        }
        out.push_str(k);
        out.push_str(": ");
        out.push_str(v);
        out.push_str("\r\n");
    };
    match site.and_then(|s| s.headers.as_ref()) {
        Some(list) if server_override.is_none() => {
            let extra = [
                ("date", date.as_str()),
                ("server", server.as_str()),
                ("content_length", clen.as_str()),
                ("content_type", ctype.as_str()),
            ];
            for [k, v] in list {
                let v = render_extra(v, vars, &extra);
                if !v.is_empty() {
                    push(k, &v, &mut out);
                }
            }
        }
        _ => {
            push("Date", &date, &mut out);
            if !server.is_empty() {
                push("Server", &server, &mut out);
            }
            if !ctype.is_empty() {
                push("Content-Type", &ctype, &mut out);
            }
            push("Content-Length", &clen, &mut out);
            if resp.close {
                push("Connection", "close", &mut out);
            }
        }
    }
    for (k, v) in &resp.headers {
        push(k, v, &mut out);
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    if !head_only {
        bytes.extend_from_slice(&resp.body);
    }
    (bytes, close)
}

async fn write_plain<S: AsyncWrite + Unpin>(s: &mut S, status: u16) {
    let msg = format!(
        "HTTP/1.1 {status} {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        reason(status)
    );
    let _ = tokio::time::timeout(WRITE_TIMEOUT, s.write_all(msg.as_bytes())).await;
    let _ = tokio::time::timeout(WRITE_TIMEOUT, s.shutdown()).await;
}

/// Serves one HTTP connection.
pub(crate) async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    svc: &SvcRt,
    _peer: SocketAddr,
    tls: bool,
) {
    let mut buf: Vec<u8> = Vec::with_capacity(2048);
    for i in 0..MAX_REQUESTS {
        let to = if i == 0 { FIRST_TIMEOUT } else { IDLE_TIMEOUT };
        let end = match read_head(&mut s, &mut buf, MAX_HEAD, to).await {
            Ok(e) => e,
            Err(HeadErr::TooLarge) => return write_plain(&mut s, 431).await,
            Err(_) => return,
        };
        let Some(head) = parse_head(&buf[..end]) else {
            return write_plain(&mut s, 400).await;
        };
        if !head.version.starts_with("HTTP/1.") {
            return write_plain(&mut s, 400).await;
        }
        if head
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
        {
            return write_plain(&mut s, 411).await;
        }
        let clen = match head.header("content-length") {
            None => 0,
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) => n,
                Err(_) => return write_plain(&mut s, 400).await,
            },
        };
        if clen > MAX_BODY {
            return write_plain(&mut s, 413).await;
        }
        if !read_exact_more(&mut s, &mut buf, end + clen, IDLE_TIMEOUT).await {
            return;
        }
        let body = buf[end..end + clen].to_vec();
        buf.drain(..end + clen);
        let (path, query) = split_target(&head.target);
        let req = Request {
            head,
            path,
            query,
            body,
        };
        let mut resp = respond(svc, &req, tls);
        let v10 = req.head.version == "HTTP/1.0";
        let conn = req
            .head
            .header("connection")
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if conn.contains("close") || (v10 && !conn.contains("keep-alive")) {
            resp.close = true;
        }
        let host = &svc.host;
        let (site, server_override) = match &svc.kind {
            SvcKind::OnvifOnly => (
                None,
                Some(
                    host.plan
                        .profile
                        .def
                        .onvif
                        .as_ref()
                        .and_then(|o| o.server.clone())
                        .map(|s| render(&s, &host.plan.vars))
                        .unwrap_or_default(),
                ),
            ),
            _ => (svc.site(), None),
        };
        let version = site
            .and_then(|s| s.http_version.as_deref())
            .unwrap_or(if v10 { "HTTP/1.0" } else { "HTTP/1.1" });
        if version == "HTTP/1.0" {
            resp.close = true;
        }
        let (bytes, close) = serialize(
            &resp,
            site,
            server_override.as_deref(),
            &host.plan.vars,
            version,
            req.head.method == "HEAD",
        );
        match tokio::time::timeout(WRITE_TIMEOUT, s.write_all(&bytes)).await {
            Ok(Ok(())) => {}
            _ => return,
        }
        if close {
            let _ = tokio::time::timeout(WRITE_TIMEOUT, s.shutdown()).await;
            return;
        }
    }
}

fn path_matches(pat: &str, path: &str, ci: bool) -> bool {
    match pat.strip_suffix('*') {
        Some(pre) => {
            if ci {
                path.len() >= pre.len()
                    && path.is_char_boundary(pre.len())
                    && path[..pre.len()].eq_ignore_ascii_case(pre)
            } else {
                path.starts_with(pre)
            }
        }
        None => {
            if ci {
                pat.eq_ignore_ascii_case(path)
            } else {
                pat == path
            }
        }
    }
}

fn respond(svc: &SvcRt, req: &Request, tls: bool) -> Resp {
    let host = &svc.host;
    let plan = &host.plan;
    let def = &plan.profile.def;
    let (onvif_here, redirect) = match &svc.kind {
        SvcKind::OnvifOnly => (true, false),
        SvcKind::Web {
            onvif, redirect, ..
        } => (*onvif, *redirect && !tls),
        _ => (false, false),
    };
    if onvif_here
        && let Some(o) = &def.onvif
        && o.paths.iter().any(|p| req.path.starts_with(p.as_str()))
    {
        if req.head.method == "POST" {
            return onvif::handle(host, req, svc.port);
        }
        return Resp::new(405).header("Allow", "POST");
    }
    let Some(site) = svc.site() else {
        return Resp::new(404).body(
            "text/html",
            "<html><body><h1>404 Not Found</h1></body></html>",
        );
    };
    if redirect {
        let loc = render_extra(
            &site.https_redirect,
            &plan.vars,
            &[("path", req.head.target.as_str())],
        );
        return Resp::new(site.https_redirect_status)
            .header("Location", loc)
            .body("text/html", "");
    }
    let query = percent_decode(&req.query);
    let route = site.routes.iter().find(|r| {
        path_matches(&r.path, &req.path, site.case_insensitive)
            && r.methods
                .iter()
                .any(|m| *m == req.head.method || (m == "GET" && req.head.method == "HEAD"))
            && r.query.as_ref().is_none_or(|q| query.contains(q.as_str()))
            && plan.flags_hold(&r.when)
    });
    let Some(route) = route else {
        return not_found(site, plan);
    };
    if route.auth == RouteAuth::Required {
        let scheme = match plan.variant.http_auth {
            Scheme::None => Scheme::Basic,
            s => s,
        };
        let realm = render(&site.realm, &plan.vars);
        if !check_auth(
            host,
            scheme,
            &req.head.method,
            &req.head.target,
            req.head.header("authorization"),
            &realm,
            host.locks.http.as_ref(),
        ) {
            return unauthorized(host, site, scheme, &realm);
        }
    }
    if let Some(login) = &route.login {
        return do_login(host, route, login, req);
    }
    route_response(route, plan, &req.path)
}

fn route_response(route: &RouteDef, plan: &crate::plan::HostPlan, path: &str) -> Resp {
    let mut r = Resp::new(route.status);
    r.reason.clone_from(&route.reason);
    let extra = [("path", path)];
    for [k, v] in &route.headers {
        r.headers
            .push((k.clone(), render_extra(v, &plan.vars, &extra)));
    }
    r.content_type = route.content_type.as_ref().map(|c| render(c, &plan.vars));
    r.body = if route.body_builtin.as_deref() == Some("jpeg") {
        tiny_jpeg()
    } else if let Some(b) = &route.body_base64 {
        base64::engine::general_purpose::STANDARD
            .decode(b)
            .unwrap_or_default()
    } else if let Some(b) = &route.body {
        render_extra(b, &plan.vars, &extra).into_bytes()
    } else {
        Vec::new()
    };
    r
}

fn not_found(site: &SiteDef, plan: &crate::plan::HostPlan) -> Resp {
    match &site.not_found {
        Some(nf) => resp_from_def(nf, 404, plan),
        None => Resp::new(404).body("text/html", "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"),
    }
}

fn resp_from_def(
    d: &crate::profile::ResponseDef,
    default_status: u16,
    plan: &crate::plan::HostPlan,
) -> Resp {
    let mut r = Resp::new(d.status.unwrap_or(default_status));
    r.reason.clone_from(&d.reason);
    r.content_type.clone_from(&d.content_type);
    for [k, v] in &d.headers {
        r.headers.push((k.clone(), render(v, &plan.vars)));
    }
    r.body = d
        .body
        .as_ref()
        .map(|b| render(b, &plan.vars).into_bytes())
        .unwrap_or_default();
    r
}

fn unauthorized(host: &HostRt, site: &SiteDef, scheme: Scheme, realm: &str) -> Resp {
    let mut r = match &site.unauthorized {
        Some(d) => resp_from_def(d, 401, &host.plan),
        None => Resp::new(401).body("text/html", "<html><head><title>401 Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>"),
    };
    let ch = challenges(
        host,
        scheme,
        &site.digest_challenge,
        &site.basic_challenge,
        realm,
        site.nonce_upper,
    );
    // Challenges go before the profile's own extra headers, as most servers send them early.
    let mut hs: Vec<(String, String)> = ch
        .into_iter()
        .map(|c| ("WWW-Authenticate".to_string(), c))
        .collect();
    hs.append(&mut r.headers);
    r.headers = hs;
    r
}

/// `WWW-Authenticate` values for `scheme` (Digest first, then Basic).
pub(crate) fn challenges(
    host: &HostRt,
    scheme: Scheme,
    digest_tpl: &str,
    basic_tpl: &str,
    realm: &str,
    upper: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    if scheme.digest() {
        let mut rng = runtime_rng();
        let mut nonce = rng.hex(32);
        if upper {
            nonce = nonce.to_ascii_uppercase();
        }
        let nonce = host.nonces.issue(nonce);
        let opaque = rng.hex(32);
        out.push(render_extra(
            digest_tpl,
            &host.plan.vars,
            &[
                ("realm", realm),
                ("nonce", nonce.as_str()),
                ("opaque", opaque.as_str()),
            ],
        ));
    }
    if scheme.basic() {
        out.push(render_extra(
            basic_tpl,
            &host.plan.vars,
            &[("realm", realm)],
        ));
    }
    out
}

/// Whether a Digest `uri` parameter names the requested resource (absolute or relative form).
pub(crate) fn same_resource(uri: &str, target: &str) -> bool {
    let (p1, q1) = split_target(uri);
    let (p2, q2) = split_target(target);
    p1.trim_end_matches('/') == p2.trim_end_matches('/') && q1 == q2
}

/// Checks an `Authorization` header against the host's account under `scheme`.
pub(crate) fn check_auth(
    host: &HostRt,
    scheme: Scheme,
    method: &str,
    target: &str,
    header: Option<&str>,
    realm: &str,
    lock: Option<&Lockout>,
) -> bool {
    let Some(h) = header else { return false };
    if lock.is_some_and(super::auth::Lockout::locked) {
        return false;
    }
    let plan = &host.plan;
    let ok = if scheme.basic()
        && h.trim_start().len() >= 6
        && h.trim_start()[..6].eq_ignore_ascii_case("basic ")
    {
        match auth::parse_basic(h) {
            Some((u, p)) => u == plan.user && auth::ct_eq(p.as_bytes(), plan.password.as_bytes()),
            None => false,
        }
    } else if scheme.digest() {
        match auth::parse_digest(h) {
            Some(d) => {
                same_resource(&d.uri, target)
                    && auth::verify_digest(
                        &d,
                        method,
                        &plan.user,
                        &plan.password,
                        realm,
                        &host.nonces,
                    )
            }
            None => false,
        }
    } else {
        false
    };
    if !ok && let Some(l) = lock {
        l.failure();
    }
    ok
}

fn do_login(
    host: &HostRt,
    route: &RouteDef,
    login: &crate::profile::LoginDef,
    req: &Request,
) -> Resp {
    let plan = &host.plan;
    let (user, pass) = match login.kind {
        LoginKind::Form => {
            let body = String::from_utf8_lossy(&req.body);
            let mut u = None;
            let mut p = None;
            for pair in body.split('&').chain(req.query.split('&')) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let k = percent_decode(k);
                if k == login.user_field && u.is_none() {
                    u = Some(percent_decode(v));
                } else if k == login.pass_field && p.is_none() {
                    p = Some(percent_decode(v));
                }
            }
            (u, p)
        }
        LoginKind::Json => match serde_json::from_slice::<serde_json::Value>(&req.body) {
            Ok(v) => (
                v.pointer(&login.user_field)
                    .and_then(|x| x.as_str())
                    .map(str::to_string),
                v.pointer(&login.pass_field)
                    .and_then(|x| x.as_str())
                    .map(str::to_string),
            ),
            Err(_) => (None, None),
        },
    };
    let lock = host.locks.http.as_ref();
    let ok = !lock.is_some_and(super::auth::Lockout::locked)
        && user.as_deref() == Some(plan.user.as_str())
        && pass
            .as_deref()
            .is_some_and(|p| auth::ct_eq(p.as_bytes(), plan.password.as_bytes()));
    if !ok && let Some(l) = lock {
        l.failure();
    }
    let token = runtime_rng().hex(16);
    let extra = [("token", token.as_str())];
    let (status, body) = if ok {
        (login.ok_status, &login.ok_body)
    } else {
        (login.fail_status, &login.fail_body)
    };
    let mut r = Resp::new(status);
    r.content_type = route.content_type.clone().or(Some("text/html".into()));
    for [k, v] in &route.headers {
        r.headers
            .push((k.clone(), render_extra(v, &plan.vars, &extra)));
    }
    r.body = render_extra(body, &plan.vars, &extra).into_bytes();
    r
}

/// A 1×1 grey baseline JPEG (SOI, DQT, SOF0, two one-code DHTs, SOS, one byte of scan, EOI).
pub(crate) fn tiny_jpeg() -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8];
    v.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x43, 0x00]);
    v.extend_from_slice(&[1u8; 64]);
    v.extend_from_slice(&[
        0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00,
    ]);
    for class in [0x00u8, 0x10] {
        v.extend_from_slice(&[0xFF, 0xC4, 0x00, 0x14, class, 0x01]);
        v.extend_from_slice(&[0u8; 15]);
        v.push(0x00);
    }
    v.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
    v.push(0x3F);
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_heads_and_targets() {
        let h = parse_head(b"GET /a?b=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YQ==\r\n\r\n")
            .unwrap();
        assert_eq!(h.method, "GET");
        assert_eq!(h.header("authorization"), Some("Basic YQ=="));
        assert!(parse_head(b"\x16\x03\x01garbage\r\n\r\n").is_none());
        assert!(parse_head(b"GET /\r\n\r\n").is_none());
        assert_eq!(
            split_target("http://1.2.3.4:80/x/y?z=1"),
            ("/x/y".into(), "z=1".into())
        );
        assert_eq!(split_target("/p"), ("/p".into(), String::new()));
        assert_eq!(
            percent_decode("json=%7B%22cmd%22:255%7D"),
            "json={\"cmd\":255}"
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(find_head_end(b"GET / HTTP/1.0\n\n", 0), Some(16));
    }

    #[test]
    fn jpeg_is_framed() {
        let j = tiny_jpeg();
        assert_eq!(&j[..2], &[0xFF, 0xD8]);
        assert_eq!(&j[j.len() - 2..], &[0xFF, 0xD9]);
    }
}
