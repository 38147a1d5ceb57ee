//! ONVIF checks: which operations beyond `GetSystemDateAndTime` answer without WS-Security
//! (device information, profiles, stream URIs, users), and default credentials with a
//! WS-UsernameToken PasswordDigest.

use crate::auth;
use crate::budget::Budget;
use crate::creds::{Attempt, Cred, Target};
use crate::ctx::Ctx;
use crate::evidence::{excerpt, redact_url_credentials};
use crate::facts::DeviceFacts;
use crate::login;
use camguard_model::Secret;
use camguard_probe::soap::{flatten, parse_soap};
use camguard_probe::{HttpResponse, http_request, parse_www_authenticate};
use serde_json::json;

const NS: &str = r#"xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema""#;

fn envelope(header: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><s:Envelope {NS}><s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    )
}

fn op_body(op: &str, token: &str) -> String {
    match op {
        "GetProfiles" => "<trt:GetProfiles/>".into(),
        "GetStreamUri" => format!(
            "<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>{}</trt:ProfileToken></trt:GetStreamUri>",
            token.replace(['<', '>', '&', '"'], "")
        ),
        other => format!("<tds:{other}/>"),
    }
}

/// How one operation went.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Answer {
    /// HTTP 200 with the operation's response element and no fault.
    Answered(HttpResponse),
    /// A NotAuthorized fault, or HTTP 401/403.
    NeedsAuth { http_401: bool },
    /// Anything else (not supported, wrong service, garbage).
    Other(String),
}

fn classify(op: &str, r: HttpResponse) -> Answer {
    if r.status == 401 {
        return Answer::NeedsAuth {
            http_401: r.headers_named("www-authenticate").next().is_some(),
        };
    }
    if r.status == 403 {
        return Answer::NeedsAuth { http_401: false };
    }
    match parse_soap(&r.body) {
        Ok(s) => {
            if let Some(f) = &s.fault {
                let text = f.to_string().to_ascii_lowercase();
                if text.contains("notauthorized")
                    || text.contains("not authorized")
                    || text.contains("authority")
                    || text.contains("auth")
                {
                    return Answer::NeedsAuth { http_401: false };
                }
                return Answer::Other(f.to_string());
            }
            if r.status == 200 && s.body_element.as_deref() == Some(&format!("{op}Response")) {
                Answer::Answered(r)
            } else {
                Answer::Other(format!(
                    "HTTP {} {}",
                    r.status,
                    s.body_element.unwrap_or_default()
                ))
            }
        }
        Err(_) => Answer::Other(format!("HTTP {} without SOAP", r.status)),
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one SOAP call: host, port, path, action, body, credential, deadline are all distinct"
)]
async fn call(
    ctx: &Ctx<'_>,
    port: u16,
    tls: bool,
    path: &str,
    op: &str,
    token: &str,
    header: &str,
    http_auth: Option<&str>,
) -> Result<HttpResponse, String> {
    let body = envelope(header, &op_body(op, token));
    let ns = if matches!(op, "GetProfiles" | "GetStreamUri") {
        "media"
    } else {
        "device"
    };
    let ct = format!(
        "application/soap+xml; charset=utf-8; action=\"http://www.onvif.org/ver10/{ns}/wsdl/{op}\""
    );
    let mut h: Vec<(&str, &str)> = vec![("Content-Type", &ct)];
    if let Some(a) = http_auth {
        h.push(("Authorization", a));
    }
    http_request(
        ctx.ip,
        port,
        tls,
        "POST",
        path,
        &h,
        body.as_bytes(),
        &ctx.cfg(),
    )
    .await
    .map_err(|e| e.to_string())
}

/// The device service: (port, tls, path). The WS-Discovery XAddr when it names this host,
/// else the first port where the identification's ONVIF probe got a SOAP answer.
fn endpoint(ctx: &Ctx<'_>) -> Option<(u16, bool, String)> {
    let https = ctx.ports_with(&["https"]);
    for (_, v) in ctx.obs_any(camguard_probe::keys::WSD_XADDRS) {
        for url in v.split_whitespace() {
            let lower = url.to_ascii_lowercase();
            let (tls, rest) = if let Some(r) = lower.strip_prefix("http://") {
                (false, &url[7..7 + r.len()])
            } else if let Some(r) = lower.strip_prefix("https://") {
                (true, &url[8..8 + r.len()])
            } else {
                continue;
            };
            let (hostport, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let (host, port) = match hostport.rsplit_once(':') {
                Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => {
                    (h, p.parse().ok())
                }
                _ => (hostport, None),
            };
            let port = port.unwrap_or(if tls { 443 } else { 80 });
            if host.trim_matches(['[', ']']) == ctx.ip.to_string()
                && ctx.report.open_ports.iter().any(|p| p.port == port)
            {
                let path = if path.is_empty() {
                    "/onvif/device_service".to_string()
                } else {
                    path.to_string()
                };
                return Some((port, tls, path));
            }
        }
    }
    let keys = [
        camguard_probe::keys::ONVIF_DATETIME,
        camguard_probe::keys::ONVIF_FAULT,
        camguard_probe::keys::ONVIF_MANUFACTURER,
        camguard_probe::keys::ONVIF_SCOPE,
    ];
    let mut ports: Vec<u16> = ctx
        .obs
        .iter()
        .filter(|o| keys.contains(&o.key.as_str()))
        .map(|o| o.port)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    // A plain port first (most devices serve ONVIF on HTTP).
    ports.sort_by_key(|p| https.contains(p));
    ports
        .first()
        .map(|&p| (p, https.contains(&p), "/onvif/device_service".to_string()))
}

/// The device clock minus ours, in seconds (UsernameTokens carry the time they were made).
async fn clock_offset(ctx: &Ctx<'_>, port: u16, tls: bool, path: &str) -> i64 {
    let Ok(r) = call(ctx, port, tls, path, "GetSystemDateAndTime", "", "", None).await else {
        return 0;
    };
    let Some(u) = parse_soap(&r.body)
        .ok()
        .and_then(|s| s.datetime)
        .and_then(|d| d.utc)
    else {
        return 0;
    };
    let Ok(month) = time::Month::try_from(u.month as u8) else {
        return 0;
    };
    let Ok(date) = time::Date::from_calendar_date(u.year as i32, month, u.day as u8) else {
        return 0;
    };
    let Ok(t) = time::Time::from_hms(u.hour as u8, u.minute as u8, u.second as u8) else {
        return 0;
    };
    let device = time::PrimitiveDateTime::new(date, t).assume_utc();
    (device - time::OffsetDateTime::now_utc()).whole_seconds()
}

fn profile_token(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let i = text.find("Profiles")?;
    let rest = &text[i..];
    let j = rest.find("token=\"")? + 7;
    let end = rest[j..].find('"')?;
    Some(rest[j..j + end].to_string())
}

fn leaf(body: &[u8], name: &str) -> Option<String> {
    flatten(body)
        .ok()?
        .leaves
        .into_iter()
        .find(|l| l.path.last().is_some_and(|n| n == name))
        .map(|l| l.text)
}

pub(crate) async fn run(ctx: &Ctx<'_>) {
    let Some((port, tls, path)) = endpoint(ctx) else {
        return;
    };
    let mut answered: Vec<&str> = Vec::new();
    let mut needs_auth = None;
    let mut details = serde_json::Map::new();
    let mut token = String::from("Profile_1");
    let mut media_path = path.clone();
    for op in [
        "GetDeviceInformation",
        "GetNetworkInterfaces",
        "GetProfiles",
        "GetStreamUri",
        "GetUsers",
    ] {
        if ctx.expired() {
            break;
        }
        let is_media = matches!(op, "GetProfiles" | "GetStreamUri");
        let paths: Vec<String> = if is_media && op == "GetProfiles" {
            let mut v = vec![path.clone()];
            for p in ["/onvif/Media", "/onvif/media_service"] {
                if !v.iter().any(|x| x == p) {
                    v.push(p.to_string());
                }
            }
            v
        } else if is_media {
            vec![media_path.clone()]
        } else {
            vec![path.clone()]
        };
        for p in paths {
            let Ok(r) = call(ctx, port, tls, &p, op, &token, "", None).await else {
                break;
            };
            match classify(op, r) {
                Answer::Answered(r) => {
                    answered.push(op);
                    match op {
                        "GetDeviceInformation" => {
                            for k in ["Manufacturer", "Model", "FirmwareVersion"] {
                                if let Some(v) = leaf(&r.body, k) {
                                    details.insert(
                                        k.to_ascii_lowercase(),
                                        json!(excerpt(v.as_bytes(), 80)),
                                    );
                                }
                            }
                            ctx.learn(device_information(
                                &r.body,
                                "ONVIF GetDeviceInformation without WS-Security",
                            ));
                        }
                        "GetNetworkInterfaces" => {
                            ctx.learn(network_interfaces(
                                &r.body,
                                "ONVIF GetNetworkInterfaces without WS-Security",
                            ));
                        }
                        "GetProfiles" => {
                            media_path = p.clone();
                            if let Some(t) = profile_token(&r.body) {
                                token = t;
                            }
                        }
                        "GetStreamUri" => {
                            if let Some(u) = leaf(&r.body, "Uri") {
                                details
                                    .insert("stream_uri".into(), json!(redact_url_credentials(&u)));
                                remember_stream(ctx, &u);
                            }
                        }
                        "GetUsers" => {
                            let n = flatten(&r.body).map_or(0, |f| {
                                f.leaves
                                    .iter()
                                    .filter(|l| l.path.last().is_some_and(|n| n == "Username"))
                                    .count()
                            });
                            details.insert("users_listed".into(), json!(n));
                        }
                        _ => {}
                    }
                    break;
                }
                Answer::NeedsAuth { http_401 } => {
                    if op == "GetDeviceInformation" {
                        needs_auth = Some(http_401);
                    }
                    break;
                }
                Answer::Other(_) => {}
            }
        }
    }
    if !answered.is_empty() {
        ctx.add(
            "unauthenticated-onvif",
            Some(port),
            json!({
                "endpoint": format!("{}://{}:{port}{path}", if tls { "https" } else { "http" }, ctx.ip),
                "operations_without_ws_security": answered,
                "details": details,
            }),
        );
        return;
    }
    let Some(http_digest) = needs_auth else {
        return;
    };
    let offset_secs = if http_digest {
        0
    } else {
        clock_offset(ctx, port, tls, &path).await
    };
    let mut budget = Budget::new(ctx.opts.credential_budget, ctx.opts.attempt_interval);
    let target = Target::Onvif {
        port,
        tls,
        path: path.clone(),
        offset_secs,
        http_digest,
    };
    let t = &target;
    if !login::check(
        ctx,
        &target,
        &mut budget,
        move |u: String, p: Secret| async move { attempt(ctx, t, &u, &p).await },
    )
    .await
    {
        return;
    }
    // With the working credential, read-only queries: the network interface (the MAC address
    // for inventory matching) and the stream URIs (routes for the RTSP checks).
    // GetDeviceInformation already answered in the login attempt itself.
    let Some(cred) = ctx
        .found
        .lock()
        .ok()
        .and_then(|f| f.get("onvif").map(|x| x.cred.clone()))
    else {
        return;
    };
    let authed = |p: String, op: &'static str, token: String| {
        let (target, cred) = (&target, &cred);
        async move { authed_call(ctx, target, cred, &p, op, &token).await }
    };
    if let Some(r) = authed(path.clone(), "GetNetworkInterfaces", String::new()).await {
        ctx.learn(network_interfaces(
            &r.body,
            "ONVIF GetNetworkInterfaces with the credential found",
        ));
    }
    let mut token = String::from("Profile_1");
    let mut media = path.clone();
    for p in [path.as_str(), "/onvif/Media", "/onvif/media_service"] {
        if let Some(r) = authed(p.to_string(), "GetProfiles", String::new()).await {
            media = p.to_string();
            if let Some(t) = profile_token(&r.body) {
                token = t;
            }
            break;
        }
    }
    if let Some(r) = authed(media, "GetStreamUri", token).await
        && let Some(u) = leaf(&r.body, "Uri")
    {
        remember_stream(ctx, &u);
    }
}

/// One operation with a working credential (WS-UsernameToken, or HTTP Digest for endpoints that
/// want it); the response when the device answered it.
async fn authed_call(
    ctx: &Ctx<'_>,
    target: &Target,
    cred: &Cred,
    path: &str,
    op: &str,
    token: &str,
) -> Option<HttpResponse> {
    let Target::Onvif {
        port,
        tls,
        offset_secs,
        http_digest,
        ..
    } = target
    else {
        return None;
    };
    if ctx.expired() {
        return None;
    }
    let r = if *http_digest {
        let h = digest_for(ctx, *port, *tls, path, op, &cred.user, &cred.password)
            .await
            .ok()?;
        call(ctx, *port, *tls, path, op, token, "", Some(&h)).await
    } else {
        let nonce: [u8; 16] = rand::random();
        let header = auth::wsse_header(
            &cred.user,
            cred.password.expose(),
            &nonce,
            &created(*offset_secs),
        );
        call(ctx, *port, *tls, path, op, token, &header, None).await
    };
    match classify(op, r.ok()?) {
        Answer::Answered(r) => Some(r),
        _ => None,
    }
}

/// An HTTP Digest `Authorization` for `op`: the challenge comes from an unauthenticated try.
async fn digest_for(
    ctx: &Ctx<'_>,
    port: u16,
    tls: bool,
    path: &str,
    op: &str,
    user: &str,
    password: &Secret,
) -> Result<String, String> {
    let r0 = call(ctx, port, tls, path, op, "", "", None).await?;
    r0.headers_named("www-authenticate")
        .flat_map(parse_www_authenticate)
        .filter(camguard_probe::Challenge::is_digest)
        .find_map(|c| {
            auth::digest(
                &c,
                "POST",
                path,
                user,
                password.expose(),
                &auth::cnonce(),
                1,
            )
        })
        .ok_or_else(|| "no usable Digest challenge".to_string())
}

/// Model, firmware and serial number from a `GetDeviceInformationResponse`.
fn device_information(body: &[u8], how: &str) -> DeviceFacts {
    let get = |k: &str| leaf(body, k).map(|v| excerpt(v.as_bytes(), 80));
    DeviceFacts {
        model: get("Model"),
        firmware: get("FirmwareVersion"),
        serial: get("SerialNumber"),
        ..Default::default()
    }
    .read_by(how)
}

/// The first interface's hardware address from a `GetNetworkInterfacesResponse`.
fn network_interfaces(body: &[u8], how: &str) -> DeviceFacts {
    DeviceFacts {
        mac: leaf(body, "HwAddress").and_then(|v| camguard_model::normalize_mac(&v)),
        ..Default::default()
    }
    .read_by(how)
}

/// `YYYY-MM-DDTHH:MM:SSZ`, shifted to the device's clock.
fn created(offset_secs: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::seconds(offset_secs))
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Keep the path of an `rtsp://` stream URI (unless it carries credentials) for the RTSP
/// route discovery.
fn remember_stream(ctx: &Ctx<'_>, uri: &str) {
    let Some(rest) = uri
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("rtsp://"))
        .map(|_| &uri[7..])
    else {
        return;
    };
    let (hostport, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if hostport.contains('@') {
        return; // credentials in the URI
    }
    let port = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => p.parse().unwrap_or(554),
        _ => 554,
    };
    let path = if path.is_empty() {
        "/".to_string()
    } else {
        path.to_string()
    };
    let low = path.to_ascii_lowercase();
    if low.contains("password=") || low.contains("user=") {
        return;
    }
    if let Ok(mut v) = ctx.stream_paths.lock()
        && !v.iter().any(|(p, x)| *p == port && *x == path)
        && v.len() < 8
    {
        v.push((port, path));
    }
}

/// One GetDeviceInformation with credentials.
pub(crate) async fn attempt(
    ctx: &Ctx<'_>,
    target: &Target,
    user: &str,
    password: &Secret,
) -> Attempt {
    let Target::Onvif {
        port,
        tls,
        path,
        offset_secs,
        http_digest,
    } = target
    else {
        return Attempt::Error("not an ONVIF target".into());
    };
    let op = "GetDeviceInformation";
    let (header, http_auth, scheme) = if *http_digest {
        match digest_for(ctx, *port, *tls, path, op, user, password).await {
            Ok(h) => (String::new(), Some(h), "HTTP Digest"),
            Err(e) => return Attempt::Error(e),
        }
    } else {
        let created = created(*offset_secs);
        let nonce: [u8; 16] = rand::random();
        (
            auth::wsse_header(user, password.expose(), &nonce, &created),
            None,
            "WS-UsernameToken PasswordDigest",
        )
    };
    let r = match call(
        ctx,
        *port,
        *tls,
        path,
        op,
        "",
        &header,
        http_auth.as_deref(),
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return Attempt::Error(e),
    };
    let status = r.status;
    match classify(op, r) {
        Answer::Answered(r) => {
            ctx.learn(device_information(
                &r.body,
                "ONVIF GetDeviceInformation with the credential found",
            ));
            Attempt::Success(json!({
            "scheme": scheme,
            "endpoint": path,
            "operation": op,
            "response": { "status": r.status, "model": leaf(&r.body, "Model") },
            }))
        }
        Answer::NeedsAuth { .. } => Attempt::Failure(format!("HTTP {status} NotAuthorized")),
        Answer::Other(o) => Attempt::Failure(o),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_and_parsing_helpers() {
        let e = envelope("", &op_body("GetStreamUri", "Profile_2"));
        assert!(
            e.contains("<trt:ProfileToken>Profile_2</trt:ProfileToken>") && e.contains("<s:Body>")
        );
        assert_eq!(
            profile_token(br#"<trt:Profiles token="Main" fixed="true">"#).as_deref(),
            Some("Main")
        );
        let fault = HttpResponse {
            status: 400,
            headers: vec![],
            body: br#"<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value></s:Subcode></s:Code><s:Reason><s:Text>Sender not Authorized</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"#.to_vec(),
        };
        assert_eq!(
            classify("GetDeviceInformation", fault),
            Answer::NeedsAuth { http_401: false }
        );
        let ok = HttpResponse {
            status: 200,
            headers: vec![],
            body: br#"<s:Envelope xmlns:s="x"><s:Body><tds:GetUsersResponse xmlns:tds="y"><tds:User><tt:Username>admin</tt:Username></tds:User></tds:GetUsersResponse></s:Body></s:Envelope>"#.to_vec(),
        };
        assert!(matches!(
            classify("GetUsers", ok.clone()),
            Answer::Answered(_)
        ));
        assert!(
            matches!(classify("GetProfiles", ok), Answer::Other(_)),
            "the wrong response element is not an answer"
        );
    }
}
