//! HTTP checks: cleartext management, Basic over plain HTTP, unauthenticated snapshots and
//! configuration, vulnerability checks, default web credentials.

use crate::auth;
use crate::budget::Budget;
use crate::creds::{Attempt, Target};
use crate::ctx::Ctx;
use crate::data::{AssessData, LoginKind};
use crate::evidence::{request_summary, response_summary};
use crate::web::{authorization, challenges_of, encode_query};
use crate::{device_info, login, vulns};
use camguard_model::Secret;
use camguard_probe::{Challenge, HttpResponse, http_request};
use serde_json::{Value, json};

/// A path on a port that asked for credentials.
#[derive(Clone, Debug)]
pub(crate) struct AuthFound {
    pub port: u16,
    pub tls: bool,
    pub path: String,
    pub challenges: Vec<Challenge>,
    pub raw: Vec<String>,
    pub success_contains: Vec<String>,
}

pub(crate) async fn run(ctx: &Ctx<'_>) {
    let ports = ctx.web_ports();
    if ports.is_empty() {
        return;
    }
    cleartext(ctx, &ports).await;
    let found = discover_auth(ctx, &ports).await;
    basic_cleartext(ctx, &ports, &found);
    snapshots(ctx, &ports).await;
    configs(ctx, &ports).await;
    vulns::checks(ctx, &ports, None).await;
    let mut budget = Budget::new(ctx.opts.credential_budget, ctx.opts.attempt_interval);
    credentials(ctx, &ports, &found, &mut budget).await;
    vulns::checks(ctx, &ports, Some(&mut budget)).await;
}

fn is_https_redirect(r: &HttpResponse) -> bool {
    (300..400).contains(&r.status)
        && r.header("location")
            .is_some_and(|l| l.trim().to_ascii_lowercase().starts_with("https://"))
}

async fn cleartext(ctx: &Ctx<'_>, ports: &[(u16, bool)]) {
    for &(port, tls) in ports {
        if tls {
            continue;
        }
        let Some(r) = ctx.get(port, false, "/").await else {
            continue;
        };
        let serves = (200..300).contains(&r.status)
            || r.status == 401
            || r.status == 403
            || ((300..400).contains(&r.status) && !is_https_redirect(&r));
        if serves {
            ctx.add(
                "cleartext-management-http",
                Some(port),
                json!({
                    "request": "GET / HTTP/1.1",
                    "response": response_summary("HTTP", &r, false),
                    "https_redirect": false,
                }),
            );
        }
    }
}

/// One path per web port that answers 401 with a Basic or Digest challenge.
async fn discover_auth(ctx: &Ctx<'_>, ports: &[(u16, bool)]) -> Vec<AuthFound> {
    let data_paths = AssessData::for_vendor(&ctx.data.auth_paths, ctx.vendor(), |a| &a.vendor);
    let mut out = Vec::new();
    for &(port, tls) in ports {
        let mut candidates: Vec<(String, Vec<String>)> = Vec::new();
        if ctx
            .get(port, tls, "/")
            .await
            .is_some_and(|r| r.status == 401)
        {
            candidates.push(("/".into(), vec![]));
        }
        for (key, val) in ctx
            .obs
            .iter()
            .filter(|o| o.port == port)
            .map(|o| (o.key.as_str(), o.value.as_str()))
        {
            if let Some(path) = key.strip_prefix(camguard_probe::keys::HTTP_PATH_STATUS_PREFIX)
                && val == "401"
            {
                candidates.push((path.to_string(), vec![]));
            }
        }
        for a in &data_paths {
            candidates.push((encode_query(&a.path), a.success_contains.clone()));
        }
        let mut seen = std::collections::HashSet::new();
        for (path, success) in candidates {
            if !seen.insert(path.clone()) || ctx.expired() {
                continue;
            }
            let Some(r) = ctx.get(port, tls, &path).await else {
                continue;
            };
            if r.status != 401 {
                continue;
            }
            let (challenges, raw) = challenges_of(&r);
            if challenges.is_empty() {
                continue;
            }
            // A path from the data file keeps its success markers; an observed one borrows
            // them when the data file knows the same path.
            let success = if success.is_empty() {
                data_paths
                    .iter()
                    .find(|a| encode_query(&a.path) == path)
                    .map(|a| a.success_contains.clone())
                    .unwrap_or_default()
            } else {
                success
            };
            out.push(AuthFound {
                port,
                tls,
                path,
                challenges,
                raw,
                success_contains: success,
            });
            break;
        }
    }
    out
}

fn basic_cleartext(ctx: &Ctx<'_>, ports: &[(u16, bool)], found: &[AuthFound]) {
    for f in found.iter().filter(|f| !f.tls) {
        if f.challenges.iter().any(Challenge::is_basic) {
            ctx.add(
                "http-basic-auth-cleartext",
                Some(f.port),
                json!({ "request": format!("GET {} HTTP/1.1", f.path), "www_authenticate": f.raw, "tls": false }),
            );
            return;
        }
    }
    // What the identification saw (a 401 to GET / or to a vendor endpoint).
    for &(port, tls) in ports.iter().filter(|(_, tls)| !tls) {
        let _ = tls;
        if ctx
            .obs_on(port, camguard_probe::keys::HTTP_AUTH_SCHEME)
            .any(|s| s.eq_ignore_ascii_case("basic"))
        {
            let raw: Vec<&str> = ctx.obs_on(port, "http.header.www-authenticate").collect();
            ctx.add(
                "http-basic-auth-cleartext",
                Some(port),
                json!({ "www_authenticate": raw, "tls": false, "seen_by": "identification" }),
            );
            return;
        }
    }
}

fn is_jpeg(r: &HttpResponse) -> bool {
    r.status == 200
        && r.header("content-type")
            .is_some_and(|c| c.trim().to_ascii_lowercase().starts_with("image/"))
        && r.body.starts_with(&[0xFF, 0xD8, 0xFF])
}

async fn snapshots(ctx: &Ctx<'_>, ports: &[(u16, bool)]) {
    let list = AssessData::for_vendor(&ctx.data.snapshots, ctx.vendor(), |s| &s.vendor);
    for &(port, tls) in ports {
        for s in &list {
            if ctx.expired() {
                return;
            }
            let path = encode_query(&s.path);
            let Some(r) = ctx.get(port, tls, &path).await else {
                continue;
            };
            if !is_jpeg(&r) {
                continue;
            }
            let random = format!("/camguard-{:08x}.jpg", rand::random::<u32>());
            let control = ctx.get(port, tls, &random).await;
            if control.as_ref().is_some_and(is_jpeg) {
                ctx.note(format!(
                    "http/{port}: {path} returns a JPEG, but so does a random path; not reported"
                ));
                return;
            }
            ctx.add(
                "unauthenticated-snapshot",
                Some(port),
                json!({
                    "request": format!("GET {path} HTTP/1.1"),
                    "response": response_summary("HTTP", &r, false),
                    "bytes": r.body.len(),
                    "jpeg_magic": "ff d8 ff",
                    "control": format!("GET {random}: {}", control.map_or("no answer".to_string(), |c| format!("HTTP {}", c.status))),
                    "tls": tls,
                    "source": s.source,
                }),
            );
            return;
        }
    }
}

async fn configs(ctx: &Ctx<'_>, ports: &[(u16, bool)]) {
    let list = AssessData::for_vendor(&ctx.data.configs, ctx.vendor(), |s| &s.vendor);
    for &(port, tls) in ports {
        for c in &list {
            if ctx.expired() {
                return;
            }
            let path = encode_query(&c.path);
            let Some(r) = ctx.get(port, tls, &path).await else {
                continue;
            };
            let body = String::from_utf8_lossy(&r.body);
            if r.status != 200 || !c.body_contains.iter().all(|m| body.contains(m.as_str())) {
                continue;
            }
            let mut ev = json!({
                "request": format!("GET {path} HTTP/1.1"),
                "response": response_summary("HTTP", &r, !c.sensitive),
                "matched": c.body_contains,
                "tls": tls,
                "source": c.source,
            });
            if c.sensitive {
                ev["body"] = json!("withheld: the response may carry credentials");
            }
            ctx.add("unauthenticated-config", Some(port), ev);
            return;
        }
    }
}

async fn credentials(
    ctx: &Ctx<'_>,
    ports: &[(u16, bool)],
    found: &[AuthFound],
    budget: &mut Budget,
) {
    // Prefer a TLS port: the password then does not cross the network in clear.
    let pick = found.iter().find(|f| f.tls).or_else(|| found.first());
    if let Some(f) = pick {
        let target = Target::HttpAuth {
            port: f.port,
            tls: f.tls,
            path: f.path.clone(),
            success_contains: f.success_contains.clone(),
        };
        let t = &target;
        if login::check(
            ctx,
            &target,
            budget,
            move |u: String, p: Secret| async move { attempt(ctx, t, &u, &p).await },
        )
        .await
        {
            device_info::read(ctx, f.port, f.tls).await;
        }
        return;
    }
    let Some(vendor) = ctx.vendor() else { return };
    let logins: Vec<_> = ctx
        .data
        .logins
        .iter()
        .filter(|l| l.vendor == vendor)
        .collect();
    let port = ports.iter().find(|p| p.1).or_else(|| ports.first());
    for l in logins {
        let Some(&(port, tls)) = port else { return };
        let target = Target::HttpLogin {
            port,
            tls,
            login: l.clone(),
        };
        let t = &target;
        if login::check(
            ctx,
            &target,
            budget,
            move |u: String, p: Secret| async move { attempt(ctx, t, &u, &p).await },
        )
        .await
        {
            device_info::read(ctx, port, tls).await;
            return;
        }
    }
}

/// Percent-encode for `application/x-www-form-urlencoded`.
fn form_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Escape for the inside of a JSON string.
fn json_escape(s: &str) -> String {
    let q = serde_json::to_string(s).unwrap_or_default();
    q[1..q.len().saturating_sub(1)].to_string()
}

fn classify(r: &HttpResponse) -> Attempt {
    match r.status {
        401 => Attempt::Failure("HTTP 401".into()),
        403 | 423 | 429 | 503 => Attempt::Blocked(format!("HTTP {}", r.status)),
        s => Attempt::Failure(format!("HTTP {s} (not a login)")),
    }
}

/// One login attempt over HTTP.
pub(crate) async fn attempt(
    ctx: &Ctx<'_>,
    target: &Target,
    user: &str,
    password: &Secret,
) -> Attempt {
    let cfg = ctx.cfg();
    let reveal = ctx.opts.reveal_secrets;
    match target {
        Target::HttpAuth {
            port,
            tls,
            path,
            success_contains,
        } => {
            // A fresh challenge (no credentials: never a failed login).
            let r0 = match http_request(ctx.ip, *port, *tls, "GET", path, &[], &[], &cfg).await {
                Ok(r) => r,
                Err(e) => return Attempt::Error(e.to_string()),
            };
            if r0.status != 401 {
                return Attempt::Error(format!(
                    "{path} answered {} without credentials",
                    r0.status
                ));
            }
            let Some((scheme, header)) = authorization(&r0, "GET", path, user, password) else {
                return Attempt::Error("no Basic or usable Digest challenge".into());
            };
            let hdrs = [("Authorization", header.as_str())];
            let r = match http_request(ctx.ip, *port, *tls, "GET", path, &hdrs, &[], &cfg).await {
                Ok(r) => r,
                Err(e) => return Attempt::Error(e.to_string()),
            };
            let body = String::from_utf8_lossy(&r.body);
            if (200..300).contains(&r.status)
                && success_contains.iter().all(|m| body.contains(m.as_str()))
            {
                return Attempt::Success(json!({
                    "scheme": scheme,
                    "path": path,
                    "tls": tls,
                    "request": request_summary(&format!("GET {path} HTTP/1.1"), &hdrs, reveal),
                    // The page behind the login may hold anything: its body is shown only when
                    // it is the known success marker page (e.g. ISAPI userCheck).
                    "response": response_summary("HTTP", &r, !success_contains.is_empty()),
                }));
            }
            classify(&r)
        }
        Target::HttpLogin { port, tls, login } => match login.kind {
            LoginKind::Form | LoginKind::Json => {
                let tpl = login.body.clone().unwrap_or_default();
                let (body, ctype) = if login.kind == LoginKind::Form {
                    (
                        tpl.replace("{user}", &form_escape(user))
                            .replace("{password}", &form_escape(password.expose())),
                        "application/x-www-form-urlencoded",
                    )
                } else {
                    (
                        tpl.replace("{user}", &json_escape(user))
                            .replace("{password}", &json_escape(password.expose())),
                        "application/json",
                    )
                };
                let path = encode_query(&login.path);
                let r = match http_request(
                    ctx.ip,
                    *port,
                    *tls,
                    "POST",
                    &path,
                    &[("Content-Type", ctype)],
                    body.as_bytes(),
                    &cfg,
                )
                .await
                {
                    Ok(r) => r,
                    Err(e) => return Attempt::Error(e.to_string()),
                };
                let text = String::from_utf8_lossy(&r.body);
                let ok = (200..300).contains(&r.status)
                    && login
                        .success_contains
                        .iter()
                        .all(|m| text.contains(m.as_str()))
                    && !login
                        .failure_contains
                        .iter()
                        .any(|m| text.contains(m.as_str()));
                if ok {
                    let shown = if reveal {
                        body.clone()
                    } else {
                        tpl.replace("{user}", user)
                            .replace("{password}", camguard_model::REDACTED)
                    };
                    return Attempt::Success(json!({
                        "scheme": format!("{:?} login", login.kind).to_ascii_lowercase(),
                        "path": login.path,
                        "tls": tls,
                        "request": format!("POST {path} HTTP/1.1\r\nContent-Type: {ctype}\r\n\r\n{shown}"),
                        // No body: a successful login answers with a session token.
                        "response": response_summary("HTTP", &r, false),
                        "matched": if login.success_contains.is_empty() { json!({"absent": login.failure_contains}) } else { json!({"present": login.success_contains}) },
                        "source": login.source,
                    }));
                }
                classify(&r)
            }
            LoginKind::DahuaRpc2 => {
                dahua_rpc2(
                    ctx,
                    *port,
                    *tls,
                    &login.path,
                    user,
                    password,
                    &login.success_contains,
                )
                .await
            }
        },
        _ => Attempt::Error("not an HTTP target".into()),
    }
}

/// The Dahua web UI's two-step `global.login`: a challenge (no password, not a failed login),
/// then the hashed password. Nothing else is called, and no logout is needed.
async fn dahua_rpc2(
    ctx: &Ctx<'_>,
    port: u16,
    tls: bool,
    path: &str,
    user: &str,
    password: &Secret,
    success: &[String],
) -> Attempt {
    let cfg = ctx.cfg();
    let hdrs = [
        ("Content-Type", "application/json"),
        ("X-Requested-With", "XMLHttpRequest"),
    ];
    let step1 = json!({"method": "global.login", "params": {"userName": user, "password": "", "clientType": "Web3.0"}, "id": 1});
    let r1 = match http_request(
        ctx.ip,
        port,
        tls,
        "POST",
        path,
        &hdrs,
        step1.to_string().as_bytes(),
        &cfg,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return Attempt::Error(e.to_string()),
    };
    let v: Value = match serde_json::from_slice(&r1.body) {
        Ok(v) => v,
        Err(_) => {
            return Attempt::Error(format!(
                "RPC2_Login step 1: HTTP {} without JSON",
                r1.status
            ));
        }
    };
    let p = &v["params"];
    let (Some(realm), Some(random)) = (p["realm"].as_str(), p["random"].as_str()) else {
        return Attempt::Error("RPC2_Login step 1: no realm/random challenge".into());
    };
    let enc = p["encryption"].as_str().unwrap_or("Default");
    if !enc.eq_ignore_ascii_case("Default") {
        return Attempt::Error(format!("RPC2_Login encryption {enc:?} not supported"));
    }
    let hash = auth::dahua_rpc2_hash(user, password.expose(), realm, random);
    let step2 = json!({
        "method": "global.login",
        "params": {"userName": user, "password": hash, "clientType": "Web3.0", "authorityType": "Default", "passwordType": "Default"},
        "id": 2,
        "session": v["session"].clone(),
    });
    let r2 = match http_request(
        ctx.ip,
        port,
        tls,
        "POST",
        path,
        &hdrs,
        step2.to_string().as_bytes(),
        &cfg,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return Attempt::Error(e.to_string()),
    };
    let text: String = String::from_utf8_lossy(&r2.body)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if (200..300).contains(&r2.status)
        && !success.is_empty()
        && success.iter().all(|m| text.contains(m.as_str()))
    {
        return Attempt::Success(json!({
            "scheme": "dahua-rpc2 login",
            "path": path,
            "tls": tls,
            "request": format!("POST {path} global.login (step 2: userName {user:?}, password = MD5 challenge response ****)"),
            "response": {"status": r2.status, "result": true, "session": camguard_model::REDACTED},
        }));
    }
    let r2v: Value = serde_json::from_slice(&r2.body).unwrap_or(Value::Null);
    let code = r2v["error"]["code"].as_i64();
    // 268632081: the account is locked (Dahua error table); stop at once.
    if code == Some(268632081) {
        return Attempt::Blocked("RPC2_Login: account locked".into());
    }
    if (200..300).contains(&r2.status) {
        Attempt::Failure(format!("RPC2_Login result false ({code:?})"))
    } else {
        classify(&r2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(form_escape("a b&c"), "a%20b%26c");
        assert_eq!(json_escape("a\"b"), "a\\\"b");
    }

    #[test]
    fn a_404_or_other_status_is_never_a_login() {
        for s in [404u16, 302, 500, 400] {
            let r = HttpResponse {
                status: s,
                headers: vec![],
                body: b"<statusValue>200</statusValue>".to_vec(),
            };
            assert!(matches!(classify(&r), Attempt::Failure(_)), "{s}");
        }
        let r = HttpResponse {
            status: 403,
            headers: vec![],
            body: vec![],
        };
        assert!(matches!(classify(&r), Attempt::Blocked(_)));
    }

    #[test]
    fn jpeg_detection() {
        let img = HttpResponse {
            status: 200,
            headers: vec![("Content-Type".into(), "image/jpeg".into())],
            body: vec![0xFF, 0xD8, 0xFF, 0xE0],
        };
        assert!(is_jpeg(&img));
        let html = HttpResponse {
            status: 200,
            headers: vec![("Content-Type".into(), "image/jpeg".into())],
            body: b"<html>".to_vec(),
        };
        assert!(!is_jpeg(&html));
        let notfound = HttpResponse {
            status: 404,
            ..img.clone()
        };
        assert!(!is_jpeg(&notfound));
    }
}
