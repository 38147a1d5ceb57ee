//! Row → [`CameraRecord`]: the checks of each value of an inventory row.

use std::net::IpAddr;

use super::record::{
    BRAND, CERT_CONFORMITY, CERT_CONFORMITY_BODY, CERT_CONFORMITY_DATE, CERT_CONFORMITY_STANDARD,
    CERT_ORIGIN, CERT_QUALITY, CameraRecord, FIRMWARE, INSTALLED_ON, IP, InventoryFile, LOCATION,
    MAC, MODEL, ORG, ParsedRow, SERIAL, SYSTEM, VENDOR,
};
use crate::table::RowValues;
use crate::table::{FileWarning, TableRows, quote};
use camguard_model::normalize_mac;

/// The warning on a row that cannot be matched to a registered camera.
pub const UNMATCHABLE: &str = "no serial or MAC: the row cannot be matched to a camera already \
     registered, so importing this file again adds the camera again (rows are matched by \
     serial, else MAC, within the organisation)";

// ---------------------------------------------------------------------------------------------
// Row → CameraRecord

pub(super) fn org_satisfied(default_org: Option<&str>) -> &'static [&'static str] {
    if default_org.is_some() { &["org"] } else { &[] }
}

pub(super) fn to_camera(
    v: &mut RowValues,
    default_org: Option<&str>,
    errors: &mut Vec<String>,
) -> Option<CameraRecord> {
    let org = v.text(ORG).or_else(|| default_org.map(str::to_owned));
    if org.is_none() {
        errors.push("org: required value is missing".to_owned());
    }
    let vendor = v.required_text(VENDOR, errors);
    let model = v.required_text(MODEL, errors);
    let mac = v.text(MAC).and_then(|s| {
        if let Some(mac) = normalize_mac(&s) {
            Some(mac)
        } else {
            errors.push(format!("mac: {} is not a MAC address", quote(&s)));
            None
        }
    });
    let ip = v.text(IP).and_then(|s| {
        if let Some(ip) = parse_ip(&s) {
            Some(ip)
        } else {
            errors.push(format!("ip: {} is not an IP address", quote(&s)));
            None
        }
    });
    let installed_on = v.date(INSTALLED_ON, errors);
    let cert_conformity_date = v.date(CERT_CONFORMITY_DATE, errors);
    let record = CameraRecord {
        org: org?,
        system: v.text(SYSTEM),
        vendor: vendor?,
        brand: v.text(BRAND),
        model: model?,
        firmware: v.text(FIRMWARE),
        serial: v.text(SERIAL),
        mac,
        ip,
        location: v.text(LOCATION),
        installed_on,
        cert_origin: v.text(CERT_ORIGIN),
        cert_quality: v.text(CERT_QUALITY),
        cert_conformity: v.text(CERT_CONFORMITY),
        cert_conformity_standard: v.text(CERT_CONFORMITY_STANDARD),
        cert_conformity_body: v.text(CERT_CONFORMITY_BODY),
        cert_conformity_date,
        attributes: std::mem::take(&mut v.attributes),
    };
    Some(record)
}

/// An IPv4 or IPv6 address; brackets around IPv6 (`[fe80::1]`) are accepted.
fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    let s = s
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(s);
    s.parse().ok()
}

impl TableRows<CameraRecord> {
    pub(super) fn into_inventory(mut self) -> InventoryFile {
        // Rows are matched to registered cameras by serial, else MAC (camguard-store): a row
        // with neither is added as a new camera every time the file is imported.
        for (line, r) in &self.rows {
            if r.serial.is_none() && r.mac.is_none() {
                self.warnings.push(FileWarning {
                    line: *line,
                    warning: UNMATCHABLE.to_owned(),
                });
            }
        }
        InventoryFile {
            rows: self
                .rows
                .into_iter()
                .map(|(line, record)| ParsedRow { line, record })
                .collect(),
            rejected: self.rejected,
            warnings: self.warnings,
        }
    }
}
