//! TLS checks on every port that completed a TLS handshake during identification:
//! self-signed and expired certificates (from the handshake's observations) and old protocol
//! versions (a hand-written TLS 1.0 / 1.1 `ClientHello`, see
//! [`camguard_probe::client::legacy_client_hello`] for why by hand).

use crate::ctx::Ctx;
use camguard_probe::client::{TLS10, TLS11};
use camguard_probe::keys;
use serde_json::json;
use std::collections::BTreeSet;

fn version_name(v: u16) -> &'static str {
    match v {
        0x0300 => "SSLv3",
        0x0301 => "TLSv1.0",
        0x0302 => "TLSv1.1",
        _ => "?",
    }
}

pub(crate) async fn run(ctx: &Ctx<'_>) {
    let mut ports: BTreeSet<u16> = ctx.obs_any(keys::TLS_VERSION).map(|(p, _)| p).collect();
    ports.extend(ctx.ports_with(&["https"]));
    for port in ports {
        if ctx.expired() {
            return;
        }
        let subject = ctx
            .obs_on(port, keys::TLS_SUBJECT)
            .next()
            .unwrap_or("")
            .to_string();
        let issuer = ctx
            .obs_on(port, keys::TLS_ISSUER)
            .next()
            .unwrap_or("")
            .to_string();
        if ctx.obs_on(port, keys::TLS_SELF_SIGNED).any(|v| v == "true") {
            ctx.add(
                "self-signed-tls",
                Some(port),
                json!({ "subject": subject, "issuer": issuer, "rule": "issuer == subject" }),
            );
        }
        if let Some(na) = ctx.obs_on(port, keys::TLS_NOT_AFTER).next()
            && let Ok(t) =
                time::OffsetDateTime::parse(na, &time::format_description::well_known::Rfc3339)
            && t < time::OffsetDateTime::now_utc()
        {
            ctx.add(
                "expired-tls-cert",
                Some(port),
                json!({ "not_after": na, "subject": subject, "issuer": issuer }),
            );
        }
        let mut accepted = Vec::new();
        for v in [TLS10, TLS11] {
            match camguard_probe::legacy_tls_server_hello(ctx.ip, port, v, &ctx.cfg()).await {
                Ok(Some(got)) if (0x0300..=TLS11).contains(&got) => {
                    accepted.push(version_name(got));
                }
                _ => {}
            }
        }
        accepted.dedup();
        if !accepted.is_empty() {
            ctx.add(
                "weak-tls",
                Some(port),
                json!({
                    "accepted_versions": accepted,
                    "method": "ClientHello offering only that version; the server answered with a ServerHello of it",
                    "negotiated_by_modern_client": ctx.obs_on(port, keys::TLS_VERSION).next(),
                }),
            );
        }
    }
}
