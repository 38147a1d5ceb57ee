//! `assess/firmware.toml`: the newest known firmware per model family (finding
//! `outdated-firmware`).
//!
//! Contract: a verdict only when the model matches exactly one entry of its vendor; the
//! device is outdated when its normalised version is lower, or equal with an older build date.
//! A model matching no entry (or several) gets no verdict, nor does a firmware string without a
//! version.

use super::version::{BuildDate, FirmwareVersion, VersionSpec};
use super::{Pattern, entries, is_iso_date, raw_str, vendor_known};
use crate::{KbError, Vendor};
use serde::Deserialize;
use std::cmp::Ordering;
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatestFirmware {
    /// Vendor id of `vendors.toml`.
    pub vendor: String,
    /// Regex on the model (case-insensitive) of the family the package applies to.
    pub models: Pattern,
    /// Newest known version (no build date: that goes in `build`).
    pub version: VersionSpec,
    /// Build date of that package, YYMMDD.
    #[serde(default)]
    pub build: Option<BuildDate>,
    /// Release date as published, `YYYY-MM-DD`.
    pub released: String,
    /// Where the version was read.
    pub source: String,
}

impl LatestFirmware {
    pub fn applies_to(&self, vendor: &str, model: &str) -> bool {
        self.vendor == vendor && self.models.is_match(model)
    }

    /// The newest version with its build date.
    pub fn newest(&self) -> FirmwareVersion {
        FirmwareVersion::new(
            self.version.version.parts.clone(),
            self.build.map(BuildDate::get),
        )
    }

    /// Is `firmware` older than this package? `None` when the string holds no version.
    /// Equal versions compare by build date when both are known; otherwise they are not
    /// outdated (no evidence).
    pub fn is_outdated(&self, firmware: &str) -> Option<bool> {
        let device = FirmwareVersion::parse(firmware)?;
        Some(device.cmp_with_build(&self.newest()) == Some(Ordering::Less))
    }
}

/// The entry for a model: `Some` only when exactly one entry of `vendor` matches `model`.
pub fn kb_newest_for<'a>(
    list: &'a [LatestFirmware],
    vendor: &str,
    model: &str,
) -> Option<&'a LatestFirmware> {
    let mut matching = list.iter().filter(|e| e.applies_to(vendor, model));
    let first = matching.next()?;
    matching.next().is_none().then_some(first)
}

/// The newer package, when the model has exactly one entry and `firmware` is older than it.
pub fn outdated<'a>(
    list: &'a [LatestFirmware],
    vendor: &str,
    model: &str,
    firmware: &str,
) -> Option<&'a LatestFirmware> {
    kb_newest_for(list, vendor, model).filter(|e| e.is_outdated(firmware) == Some(true))
}

fn label(e: &LatestFirmware, n: usize) -> String {
    format!(
        "latest #{n} (vendor {:?}, version {:?})",
        e.vendor, e.version.raw
    )
}

pub(crate) fn parse(file: &str, text: &str) -> Result<Vec<LatestFirmware>, KbError> {
    let list: Vec<LatestFirmware> = entries(file, text, "latest", |t, n| {
        format!(
            "latest #{n} (vendor {:?}, version {:?})",
            raw_str(t, "vendor").unwrap_or("?"),
            raw_str(t, "version").unwrap_or("?")
        )
    })?;
    let mut families: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, e) in list.iter().enumerate() {
        let bad = |msg: String| KbError::invalid(file, format!("{}: {msg}", label(e, i + 1)));
        if e.vendor.trim().is_empty() || e.vendor == "*" {
            return Err(bad("vendor must be a vendor id".into()));
        }
        if !is_iso_date(&e.released) {
            return Err(bad(format!(
                "released {:?} must be a date YYYY-MM-DD",
                e.released
            )));
        }
        if e.source.trim().is_empty() {
            return Err(bad("source is empty".into()));
        }
        if let Some(prev) = families.insert((&e.vendor, e.models.as_str()), i + 1) {
            return Err(bad(format!("same vendor and models as latest #{prev}")));
        }
    }
    Ok(list)
}

pub(crate) fn validate_vendors(list: &[LatestFirmware], vendors: &[Vendor]) -> Result<(), KbError> {
    for (i, e) in list.iter().enumerate() {
        if !vendor_known(vendors, &e.vendor) {
            return Err(KbError::invalid(
                super::FIRMWARE_FILE,
                format!(
                    "{}: unknown vendor id {:?} (add it to vendors.toml)",
                    label(e, i + 1),
                    e.vendor
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Kb;

    #[test]
    fn embedded_firmware_loads() {
        let kb = Kb::embedded().unwrap();
        assert!(kb.firmware.len() >= 10, "{}", kb.firmware.len());
        let e = kb.kb_newest_for("hikvision", "DS-2CD1023G3-LIU").unwrap();
        assert_eq!(e.version.raw, "5.11.0");
        assert_eq!(e.build.map(BuildDate::get), Some(260716));
        assert_eq!(e.newest().to_string(), "5.11.0 build 260716");
        assert_eq!(
            kb.kb_newest_for("hikvision", "ds-2cd2043g2-iu")
                .unwrap()
                .version
                .raw,
            "5.7.23",
            "case-insensitive"
        );
        assert_eq!(
            kb.kb_newest_for("hikvision", "DS-7608NI-M2/8P")
                .unwrap()
                .version
                .version
                .parts,
            vec![5, 4, 87]
        );
        assert!(
            kb.kb_newest_for("hikvision", "DS-2CD2032-I").is_none(),
            "no entry: no verdict"
        );
        assert!(
            kb.kb_newest_for("dahua", "DS-2CD1023G3-LIU").is_none(),
            "other vendor"
        );
        assert!(
            kb.kb_newest_for("dahua", "IPC-HDW3441T-ZS").is_none(),
            "no Dahua data"
        );
        assert!(
            kb.kb_newest_for("hikvision", "DS-7608NXI-K2/VPRO")
                .is_none(),
            "the /VPRO variants are excluded"
        );
    }

    #[test]
    fn outdated_verdicts() {
        let kb = Kb::embedded().unwrap();
        let e = kb.kb_newest_for("hikvision", "DS-2CD1023G3-LIU").unwrap();
        assert_eq!(e.is_outdated("V5.8.0 build 230101"), Some(true));
        assert_eq!(
            e.is_outdated("V5.11.0 build 250101"),
            Some(true),
            "same version, older build"
        );
        assert_eq!(e.is_outdated("V5.11.0 build 260716"), Some(false));
        assert_eq!(
            e.is_outdated("V5.11.0"),
            Some(false),
            "same version, build unknown: no evidence"
        );
        assert_eq!(
            e.is_outdated("V5.12.0 build 250101"),
            Some(false),
            "newer version, whatever the build"
        );
        assert_eq!(e.is_outdated("unknown"), None);
        assert!(
            kb.outdated_firmware("hikvision", "DS-2CD2043G2-IU", "V5.7.3 build 220112")
                .is_some()
        );
        assert!(
            kb.outdated_firmware("hikvision", "DS-2CD2043G2-IU", "V5.7.23 build 260320")
                .is_none()
        );
        assert!(
            kb.outdated_firmware("hikvision", "DS-2CD2032-I", "V5.3.0 build 150513")
                .is_none(),
            "no entry for the model"
        );
    }

    fn one(body: &str) -> Result<Vec<LatestFirmware>, KbError> {
        parse("assess/firmware.toml", &format!("schema = 1\n{body}"))
    }

    const OK: &str = "[[latest]]\nvendor = \"hikvision\"\nmodels = '^DS-2CD1'\nversion = \"5.7.1\"\nbuild = \"230101\"\nreleased = \"2023-01-01\"\nsource = \"s\"\n";

    #[test]
    fn ambiguous_models_get_no_verdict() {
        let two = format!("{OK}{}", OK.replace("'^DS-2CD1'", "'^DS-2CD10'"));
        let list = one(&two).unwrap();
        assert!(
            kb_newest_for(&list, "hikvision", "DS-2CD1023").is_none(),
            "two entries match"
        );
        assert_eq!(
            kb_newest_for(&list, "hikvision", "DS-2CD1123").map(|e| e.models.as_str()),
            Some("^DS-2CD1")
        );
        assert!(outdated(&list, "hikvision", "DS-2CD1023", "V1.0").is_none());
    }

    #[test]
    fn rejects_bad_entries() {
        assert_eq!(one(OK).unwrap().len(), 1);
        let cases = [
            (OK.replace("'^DS-2CD1'", "'^DS-(2CD1'"), "bad regex"),
            (OK.replace("\"5.7.1\"", "\"5.7.1_230101\""), "build date"),
            (
                OK.replace("\"5.7.1\"", "\"latest\""),
                "not a firmware version",
            ),
            (OK.replace("\"230101\"", "\"2023-01-01\""), "YYMMDD"),
            (OK.replace("\"2023-01-01\"", "\"2023\""), "released"),
            (OK.replace("\"hikvision\"", "\"*\""), "vendor id"),
            (
                OK.replace("source = \"s\"", "source = \"s\"\nnote = \"n\""),
                "unknown field",
            ),
            (format!("{OK}{OK}"), "same vendor and models"),
        ];
        for (text, want) in cases {
            let err = one(&text).unwrap_err().to_string();
            assert!(
                err.contains("assess/firmware.toml")
                    && err.contains("latest #")
                    && err.contains(want),
                "{want}: {err}"
            );
        }
    }
}
