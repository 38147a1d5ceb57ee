//! Device facts read after a login: once the default-credential check has logged in to a
//! camera's web server, the vendor's device-information endpoints
//! (`[[device_info]]` of `kb/assess/http-endpoints.toml`: Hikvision `GET
//! /ISAPI/System/deviceInfo`, Dahua `GET /cgi-bin/magicBox.cgi?action=getSoftwareVersion` …)
//! are read with that credential. Many cameras tell their firmware, serial number and MAC
//! address only to a logged-in user; with them the outdated-firmware and CVE checks and the
//! inventory matching work on those cameras too.
//!
//! Only GETs the data file lists, only with a credential that just worked, only after it
//! worked: nothing is guessed here and nothing changes on the device.

use crate::ctx::Ctx;
use crate::data::{DeviceInfoEndpoint, InfoFormat};
use crate::facts::DeviceFacts;
use camguard_probe::http_request;
use std::collections::BTreeMap;

/// Longest value kept (a firmware string, a serial number).
const MAX_VALUE: usize = 80;

/// Read the vendor's device-information endpoints on `port` with the HTTP credential found.
pub(crate) async fn read(ctx: &Ctx<'_>, port: u16, tls: bool) {
    let Some(vendor) = ctx.vendor() else { return };
    let Some(cred) = ctx
        .found
        .lock()
        .ok()
        .and_then(|f| f.get("http").map(|x| x.cred.clone()))
    else {
        return;
    };
    for e in ctx.data.device_info.iter().filter(|e| e.vendor == vendor) {
        if ctx.expired() {
            return;
        }
        let cfg = ctx.cfg();
        let Ok(r0) = http_request(ctx.ip, port, tls, "GET", &e.path, &[], &[], &cfg).await else {
            continue;
        };
        let r = match r0.status {
            200 => r0,
            401 => {
                let Some((_, header)) =
                    crate::web::authorization(&r0, "GET", &e.path, &cred.user, &cred.password)
                else {
                    continue;
                };
                let hdrs = [("Authorization", header.as_str())];
                match http_request(ctx.ip, port, tls, "GET", &e.path, &hdrs, &[], &cfg).await {
                    Ok(r) if r.status == 200 => r,
                    _ => continue,
                }
            }
            _ => continue,
        };
        ctx.learn(facts(e, &r.body));
    }
}

/// The facts an endpoint's response gives.
fn facts(e: &DeviceInfoEndpoint, body: &[u8]) -> DeviceFacts {
    let values = match e.format {
        InfoFormat::KeyValue => key_values(body),
        InfoFormat::Xml => xml_values(body),
    };
    let fill = |t: &Option<String>| t.as_deref().and_then(|t| fill(t, &values));
    DeviceFacts {
        model: fill(&e.model),
        firmware: fill(&e.firmware),
        serial: fill(&e.serial),
        // Written as the inventory writes it (`aa:bb:cc:dd:ee:ff`); anything else is dropped.
        mac: fill(&e.mac).and_then(|m| camguard_model::normalize_mac(&m)),
        ..Default::default()
    }
    .read_by(&format!("GET {} with the credential found", e.path))
}

/// `key=value` lines.
fn key_values(body: &[u8]) -> BTreeMap<String, String> {
    String::from_utf8_lossy(body)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

/// Leaf elements by their local name (the first of each name wins).
fn xml_values(body: &[u8]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(flat) = camguard_probe::soap::flatten(body) {
        for l in flat.leaves {
            if let Some(name) = l.path.last() {
                out.entry(name.clone())
                    .or_insert_with(|| l.text.trim().to_string());
            }
        }
    }
    out
}

/// Fill `{key}` placeholders; `None` when no key of the template has a value, or the result
/// is not a plausible single-line value.
fn fill(template: &str, values: &BTreeMap<String, String>) -> Option<String> {
    let mut out = String::new();
    let mut any = false;
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let key = &rest[open + 1..open + close];
        if let Some(v) = values.get(key).filter(|v| !v.is_empty()) {
            out.push_str(v);
            any = true;
        }
        rest = &rest[open + close + 1..];
    }
    if !rest.contains('{') {
        out.push_str(rest);
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (any && !out.is_empty() && out.len() <= MAX_VALUE && !out.chars().any(char::is_control))
        .then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::AssessData;

    fn endpoint(vendor: &str, path: &str) -> &'static DeviceInfoEndpoint {
        AssessData::embedded()
            .device_info
            .iter()
            .find(|e| e.vendor == vendor && e.path == path)
            .unwrap()
    }

    #[test]
    fn hikvision_isapi_device_info() {
        // ISAPI DeviceInfo as Hikvision cameras send it (namespaced, firmware split in two).
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<DeviceInfo version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
<deviceName>IP CAMERA</deviceName>
<model>DS-2CD2043G2-IU</model>
<serialNumber>DS-2CD2043G2-IU20200101AAWRE12345678</serialNumber>
<macAddress>44:19:b6:01:02:03</macAddress>
<firmwareVersion>V5.5.82</firmwareVersion>
<firmwareReleasedDate>build 190220</firmwareReleasedDate>
</DeviceInfo>"#;
        let f = facts(endpoint("hikvision", "/ISAPI/System/deviceInfo"), body);
        assert_eq!(f.model.as_deref(), Some("DS-2CD2043G2-IU"));
        assert_eq!(f.firmware.as_deref(), Some("V5.5.82 build 190220"));
        assert_eq!(
            f.serial.as_deref(),
            Some("DS-2CD2043G2-IU20200101AAWRE12345678")
        );
        assert_eq!(f.mac.as_deref(), Some("44:19:b6:01:02:03"));
    }

    #[test]
    fn dahua_magicbox() {
        let v = facts(
            endpoint("dahua", "/cgi-bin/magicBox.cgi?action=getSoftwareVersion"),
            b"version=2.622.0000000.3.R,build:2018-06-15\r\n",
        );
        assert_eq!(
            v.firmware.as_deref(),
            Some("2.622.0000000.3.R,build:2018-06-15")
        );
        let s = facts(
            endpoint("dahua", "/cgi-bin/magicBox.cgi?action=getSystemInfo"),
            b"deviceType=IPC-HDW4631C-A\r\nprocessor=S2L55M\r\nserialNumber=4K02B2BPAZ12345\r\n",
        );
        assert_eq!(s.model.as_deref(), Some("IPC-HDW4631C-A"));
        assert_eq!(s.serial.as_deref(), Some("4K02B2BPAZ12345"));
        assert_eq!(s.firmware, None);
    }

    #[test]
    fn axis_vapix_properties() {
        let f = facts(
            endpoint("axis", "/axis-cgi/param.cgi?action=list&group=Properties"),
            b"root.Properties.API.HTTP.Version=3\nroot.Properties.Firmware.Version=9.80.1\nroot.Properties.System.SerialNumber=B8A44F7BE746\n",
        );
        assert_eq!(f.firmware.as_deref(), Some("9.80.1"));
        assert_eq!(f.serial.as_deref(), Some("B8A44F7BE746"));
        // The serial number is the MAC address, written as the inventory writes MACs.
        assert_eq!(f.mac.as_deref(), Some("b8:a4:4f:7b:e7:46"));
    }

    #[test]
    fn garbage_and_missing_keys_give_nothing() {
        let e = endpoint("hikvision", "/ISAPI/System/deviceInfo");
        for body in [
            &b""[..],
            b"<html><body>login</body></html>",
            b"\xff\xfe<<<",
            b"<DeviceInfo><model></model></DeviceInfo>",
        ] {
            let f = facts(e, body);
            assert_eq!(
                (f.model, f.firmware, f.serial, f.mac),
                (None, None, None, None)
            );
        }
        let long = format!(
            "<DeviceInfo><model>{}</model></DeviceInfo>",
            "A".repeat(500)
        );
        assert_eq!(facts(e, long.as_bytes()).model, None);
        let values = BTreeMap::from([("a".to_string(), "1".to_string())]);
        assert_eq!(fill("{a} {b}", &values).as_deref(), Some("1"));
        assert_eq!(fill("{b}", &values), None);
        assert_eq!(fill("{a", &values), None);
    }

    proptest::proptest! {
        /// Whatever a device sends, the facts are bounded single-line values or nothing.
        #[test]
        fn hostile_replies_give_bounded_values(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
                                              kv in "[a-zA-Z=\r\n<>/ {}.:-]{0,200}") {
            for e in &AssessData::embedded().device_info {
                for b in [&body[..], kv.as_bytes()] {
                    let f = facts(e, b);
                    for v in [f.model, f.firmware, f.serial, f.mac].into_iter().flatten() {
                        proptest::prop_assert!(!v.is_empty() && v.len() <= MAX_VALUE);
                        proptest::prop_assert!(!v.chars().any(char::is_control));
                    }
                }
            }
        }
    }
}
