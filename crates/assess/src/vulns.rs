//! Known vulnerabilities (`kb/assess/cves.toml`) by version match and by read-only check, and
//! outdated firmware (`kb/assess/firmware.toml`).

use crate::budget::Budget;
use crate::ctx::Ctx;
use crate::evidence::response_summary;
use crate::options::Intrusive;
use crate::web::encode_query;
use camguard_kb::Cve;
use camguard_kb::assess::Certainty;
use camguard_probe::http_request;
use serde_json::{Value, json};

fn server(ctx: &Ctx<'_>) -> Option<String> {
    ctx.obs_any(camguard_probe::keys::HTTP_SERVER)
        .map(|(_, v)| v.to_string())
        .next()
}

fn base(cve: &Cve) -> Value {
    json!({
        "vulnerability": cve.id,
        "title_en": cve.title_en,
        "kev": cve.kev,
        "kev_added": cve.kev_added,
        "cvss": cve.cvss,
        "references": cve.references,
    })
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(m), Value::Object(extra)) = (a.as_object_mut(), b) {
        m.extend(extra);
    }
    a
}

/// Version matches (no network) and the outdated-firmware verdict.
pub(crate) fn version_matches(ctx: &Ctx<'_>) {
    let r = ctx.report;
    let vendor = r.vendor.as_deref().unwrap_or("");
    let server = server(ctx);
    // Identification's model and firmware, else what the device told a check (e.g. ONVIF
    // GetDeviceInformation after the default-credential check logged in).
    let model = ctx.model();
    let (firmware, read_by) = ctx.firmware().unzip();
    let read_by = read_by.flatten();
    for cve in &ctx.kb.cves {
        let Some(m) = cve.affects(
            vendor,
            r.brand.as_deref(),
            model.as_deref(),
            firmware.as_deref(),
            server.as_deref(),
        ) else {
            continue;
        };
        let mut how = String::from("version match");
        if m.certainty == Certainty::Possible {
            how.push_str(" (possible: the published affected range is wider than the real one)");
        }
        if m.build_date_unknown {
            how.push_str("; build date unknown");
        }
        let mut ev = json!({
            "evidence": how,
            "match": "version",
            "certainty": match m.certainty { Certainty::Exact => "exact", Certainty::Possible => "possible" },
            "build_date_unknown": m.build_date_unknown,
            "model": model,
            "firmware": firmware,
            "http_server": server,
            "affected_range": cve.affected[m.range].to_string(),
        });
        if let Some(how) = &read_by {
            ev["firmware_read_by"] = json!(how);
        }
        ctx.add_vuln(cve, None, merge(base(cve), ev));
    }
    if let (Some(v), Some(model), Some(fw)) = (r.vendor.as_deref(), model, firmware)
        && let Some(e) = ctx.kb.outdated_firmware(v, &model, &fw)
    {
        let mut ev = json!({
            "model": model,
            "installed": fw,
            "newest_known": e.newest().to_string(),
            "released": e.released,
            "source": e.source,
        });
        if let Some(how) = &read_by {
            ev["firmware_read_by"] = json!(how);
        }
        ctx.add("outdated-firmware", None, ev);
    }
}

/// Could the check apply? The kb's `check_applies` needs every targeted value; here a model or
/// brand the identification did not learn counts as "maybe" (the check is a harmless GET). A
/// `server` condition must hold, and the vendor must be the device's (or `*`).
fn may_apply(
    cve: &Cve,
    vendor: Option<&str>,
    brand: Option<&str>,
    model: Option<&str>,
    server: Option<&str>,
) -> bool {
    if cve.check.is_none() {
        return false;
    }
    let v = vendor.unwrap_or("");
    if cve.vendor != "*" && cve.vendor != v {
        return false;
    }
    if cve.check_applies(v, brand, model, server) {
        return true;
    }
    cve.affected.iter().any(|r| {
        r.models
            .as_ref()
            .is_none_or(|p| model.is_none_or(|m| p.is_match(m)))
            && r.brand
                .as_ref()
                .is_none_or(|b| brand.is_none_or(|x| x.eq_ignore_ascii_case(b)))
            && r.server
                .as_ref()
                .is_none_or(|p| server.is_some_and(|s| p.is_match(s)))
    })
}

/// Run the checks of `cves.toml`: read-only ones (`budget` = `None`), or the intrusive ones
/// when the user opted in (`budget` = the HTTP login budget, since they are logins).
pub(crate) async fn checks(ctx: &Ctx<'_>, ports: &[(u16, bool)], mut budget: Option<&mut Budget>) {
    let intrusive_pass = budget.is_some();
    if intrusive_pass && !ctx.opts.intrusive.contains(&Intrusive::Cve) {
        return;
    }
    let r = ctx.report;
    let server = server(ctx);
    for cve in &ctx.kb.cves {
        let Some(check) = &cve.check else { continue };
        if check.is_read_only() == intrusive_pass {
            continue;
        }
        if !may_apply(
            cve,
            r.vendor.as_deref(),
            r.brand.as_deref(),
            r.model.as_deref(),
            server.as_deref(),
        ) {
            continue;
        }
        let path = if check.raw_path {
            check.path.clone()
        } else {
            encode_query(&check.path)
        };
        for &(port, tls) in ports.iter().take(2) {
            if ctx.expired() {
                return;
            }
            let resp = if !intrusive_pass
                && check.method == "GET"
                && check.headers.is_empty()
                && check.body.is_none()
            {
                ctx.get(port, tls, &path).await
            } else {
                if let Some(b) = budget.as_deref_mut()
                    && b.acquire(ctx.deadline).await.is_err()
                {
                    ctx.note(format!(
                        "{}: intrusive check not run (login budget or deadline)",
                        cve.id
                    ));
                    return;
                }
                let headers: Vec<(&str, &str)> = check
                    .headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let body = check.body.as_deref().unwrap_or("").as_bytes();
                http_request(
                    ctx.ip,
                    port,
                    tls,
                    &check.method,
                    &path,
                    &headers,
                    body,
                    &ctx.cfg(),
                )
                .await
                .ok()
            };
            let Some(resp) = resp else { continue };
            let headers: Vec<(&str, &str)> = resp
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            if check.confirms(resp.status, &headers, &String::from_utf8_lossy(&resp.body)) {
                if let Some(b) = budget.as_deref_mut() {
                    b.succeeded();
                }
                let how = if check.intrusive {
                    "confirmed by an opt-in intrusive check"
                } else {
                    "confirmed by read-only check"
                };
                let mut ev = json!({
                    "evidence": how,
                    "check": {
                        "request": format!("{} {} HTTP/1.1", check.method, if check.sensitive { cve_path_redacted(&path) } else { path.clone() }),
                        "response": response_summary("HTTP", &resp, !check.sensitive),
                        "matched": check.body_contains,
                        "tls": tls,
                    },
                });
                if check.sensitive {
                    ev["check"]["body"] =
                        json!("withheld: the response carries credentials or system files");
                }
                ctx.add_vuln(cve, Some(port), merge(base(cve), ev));
                break;
            }
        }
        if let Some(b) = budget.as_deref_mut() {
            b.settle();
        }
    }
}

/// Paths of sensitive checks carry no secret themselves; kept as is (a hook for future
/// checks whose path would).
fn cve_path_redacted(path: &str) -> String {
    crate::evidence::redact_url_credentials(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use camguard_kb::Kb;

    #[test]
    fn checks_may_apply_with_unknown_model() {
        let kb = Kb::embedded().unwrap();
        let c = kb.cve("CVE-2017-7921").unwrap();
        assert!(
            may_apply(c, Some("hikvision"), None, None, None),
            "model unknown: a harmless GET may run"
        );
        assert!(may_apply(
            c,
            Some("hikvision"),
            None,
            Some("DS-2CD2032F-I"),
            None
        ));
        assert!(
            !may_apply(c, Some("hikvision"), None, Some("DS-7608NI-K2"), None),
            "model known and outside"
        );
        assert!(!may_apply(c, Some("dahua"), None, None, None));
        assert!(!may_apply(c, None, None, None, None));
        let w = kb.cve("CVE-2017-8225").unwrap();
        assert!(
            !may_apply(w, Some("generic-onvif"), None, None, None),
            "a server condition must hold"
        );
        assert!(may_apply(
            w,
            Some("generic-onvif"),
            None,
            None,
            Some("GoAhead-Webs")
        ));
        let u = kb.cve("uniview-2017-main-cgi").unwrap();
        assert!(may_apply(u, Some("uniview"), None, None, None));
    }
}
