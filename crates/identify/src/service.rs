//! Service names of open ports.

use camguard_kb::Kb;
use camguard_model::{Observation, keys};

pub(crate) fn service_for(kb: &Kb, port: u16, observations: &[Observation]) -> String {
    let on_port: Vec<&Observation> = observations.iter().filter(|o| o.port == port).collect();
    let has = |prefix: &str| on_port.iter().any(|o| o.key.starts_with(prefix));
    let hint = kb.ports.service(port);

    if has("rtsp.") {
        return "rtsp".into();
    }
    let web_page = on_port
        .iter()
        .any(|o| o.key == keys::HTTP_TITLE || o.key == keys::HTTP_BODY);
    if has("onvif.") && !web_page {
        return "onvif".into();
    }
    if has(keys::SDK_REPLY) {
        return sdk_service(kb, port, &on_port)
            .unwrap_or_else(|| hint_service(hint).unwrap_or_else(|| "unknown".into()));
    }
    if has("http.") || has("onvif.") {
        return if has("tls.") || hint == "https" {
            "https".into()
        } else {
            "http".into()
        };
    }
    if has(keys::BANNER_SSH) {
        return "ssh".into();
    }
    if has(keys::BANNER_TELNET) {
        return "telnet".into();
    }
    if has(keys::BANNER_FTP) {
        return "ftp".into();
    }
    if has("wsd.") {
        return "ws-discovery".into();
    }
    hint_service(hint).unwrap_or_else(|| "unknown".into())
}

/// `sdk:hikvision` → `hikvision-sdk`; other hints as they are.
fn hint_service(hint: &str) -> Option<String> {
    match hint.strip_prefix("sdk:") {
        Some(v) if !v.is_empty() => Some(format!("{v}-sdk")),
        _ if hint.is_empty() || hint == "unknown" => None,
        _ => Some(hint.to_string()),
    }
}

/// The vendor whose `sdk.reply` rule recognised the reply, as `<vendor>-sdk`.
fn sdk_service(kb: &Kb, port: u16, on_port: &[&Observation]) -> Option<String> {
    let mut best: Option<(u8, &str)> = None;
    for o in on_port.iter().filter(|o| o.key == keys::SDK_REPLY) {
        for r in kb
            .fingerprints
            .iter()
            .filter(|r| r.applies_to(keys::SDK_REPLY) && r.applies_to_port(port))
        {
            let Some(v) = r.raw.vendor.as_deref() else {
                continue;
            };
            if r.regex.is_match(&o.value) && best.is_none_or(|(w, _)| r.raw.weight > w) {
                best = Some((r.raw.weight, v));
            }
        }
    }
    best.map(|(_, v)| format!("{v}-sdk"))
}
