//! `assess/cves.toml`: known camera / recorder vulnerabilities (findings `cve:<CVE-ID>` and
//! `known-vuln:<id>`), matched from the fingerprint or confirmed by a read-only check.
//!
//! Matching ([`Cve::affects`]) follows the file header:
//! * the CVE's `vendor` must be the device's vendor, or `*`;
//! * a device is affected when ANY `[[cve.affected]]` range matches;
//! * in a range every given condition must hold: `models` (regex on the model), `brand` (equal
//!   to the device's brand, ignoring case), `server` (regex on the HTTP `Server` header),
//!   `from` (inclusive), `to` (inclusive) or `fixed` (exclusive) — versions compared by the
//!   convention of [`FirmwareVersion`], ignoring the build — and `build_before` (build date
//!   older than it). A condition on a value the fingerprint lacks does not hold, except
//!   `build_before`: without a build date the range still matches, and the match says
//!   "build date unknown";
//! * a `match = "check"` vulnerability never matches from the fingerprint alone: only its
//!   check can report it ([`Cve::check_applies`] says whether to run it).

use super::version::{BuildDate, FirmwareVersion, VersionSpec};
use super::{Pattern, entries, is_cve_id, is_iso_date, is_slug, raw_str};
use crate::{KbError, Vendor};
use camguard_model::Severity;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// How a vulnerability is reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// When the fingerprint falls in an affected range (or the check confirms).
    #[default]
    Version,
    /// Only when the read-only check confirms.
    Check,
}

/// How sure a version match is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Certainty {
    /// The ranges are those published (default).
    #[default]
    Exact,
    /// The ranges are broader than the real ones (e.g. no fixed version is public): the
    /// finding evidence must say the device may be affected.
    Possible,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cve {
    /// `CVE-YYYY-NNNN`, or a camguard id `<vendor>-<year>-<slug>` when no CVE exists.
    pub id: String,
    /// Vendor id, or `*` for a white-label family without one (then narrowed by `server`
    /// and/or `match = "check"`).
    pub vendor: String,
    pub title_en: String,
    pub title_vi: String,
    /// critical, high, medium or low.
    pub severity: Severity,
    /// CVSS base score as published.
    #[serde(default)]
    pub cvss: Option<f64>,
    /// On CISA's Known Exploited Vulnerabilities catalog.
    #[serde(default)]
    pub kev: bool,
    /// The catalog's dateAdded, `YYYY-MM-DD`.
    #[serde(default)]
    pub kev_added: Option<String>,
    /// Date the CVE record was published, `YYYY-MM-DD`.
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default, rename = "match")]
    pub match_mode: MatchMode,
    #[serde(default)]
    pub certainty: Certainty,
    #[serde(default)]
    pub references: Vec<String>,
    /// Affected ranges; a device matches if any range matches.
    #[serde(default)]
    pub affected: Vec<Affected>,
    /// Optional read-only confirmation.
    #[serde(default)]
    pub check: Option<Check>,
}

/// One affected range (`[[cve.affected]]`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Affected {
    /// Regex on the model (case-insensitive, anchored by the author); `None` = any model.
    #[serde(default)]
    pub models: Option<Pattern>,
    /// Brand the device must carry (compared ignoring case).
    #[serde(default)]
    pub brand: Option<String>,
    /// Regex on the HTTP `Server` header.
    #[serde(default)]
    pub server: Option<Pattern>,
    /// First affected version, inclusive.
    #[serde(default)]
    pub from: Option<VersionSpec>,
    /// Last affected version, inclusive (ignores the build).
    #[serde(default)]
    pub to: Option<VersionSpec>,
    /// First fixed version, exclusive.
    #[serde(default)]
    pub fixed: Option<VersionSpec>,
    /// Only builds older than this date (YYMMDD).
    #[serde(default)]
    pub build_before: Option<BuildDate>,
}

/// A read-only HTTP request that confirms a vulnerability (`[cve.check]`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// `GET` or `HEAD`; `POST` only with `intrusive = true`.
    #[serde(default = "default_method")]
    pub method: String,
    /// Path and query, starting with `/`.
    pub path: String,
    /// Extra request headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Request body (intrusive checks only).
    #[serde(default)]
    pub body: Option<String>,
    /// Send `path` byte for byte (no dot-segment normalisation).
    #[serde(default)]
    pub raw_path: bool,
    /// Expected status.
    #[serde(default)]
    pub status: Option<u16>,
    /// All must occur in the body.
    #[serde(default)]
    pub body_contains: Vec<String>,
    /// None may occur in the body.
    #[serde(default)]
    pub body_not_contains: Vec<String>,
    /// Substrings expected in the named response headers.
    #[serde(default)]
    pub header_contains: BTreeMap<String, String>,
    /// The response carries credentials or system files: keep only a redacted excerpt.
    #[serde(default)]
    pub sensitive: bool,
    /// The check logs in or creates state: run only when the user opts in.
    #[serde(default)]
    pub intrusive: bool,
}

fn default_method() -> String {
    "GET".to_string()
}

/// Why a device matched a vulnerability by version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchDetail {
    /// Index of the matching range in [`Cve::affected`].
    pub range: usize,
    /// The range has `build_before` and the firmware string has no build date.
    pub build_date_unknown: bool,
    pub certainty: Certainty,
    /// The device's normalised firmware, when it has one.
    pub version: Option<FirmwareVersion>,
}

impl Cve {
    /// `true` for a CVE id, `false` for a camguard id.
    pub fn is_cve(&self) -> bool {
        is_cve_id(&self.id)
    }

    /// The finding id: `cve:<CVE-ID>`, or `known-vuln:<id>` for a camguard id.
    pub fn finding_id(&self) -> String {
        if self.is_cve() {
            format!("cve:{}", self.id)
        } else {
            format!("known-vuln:{}", self.id)
        }
    }

    fn vendor_matches(&self, vendor: &str) -> bool {
        self.vendor == "*" || self.vendor == vendor
    }

    /// Is the device affected, from its fingerprint alone? `None` for `match = "check"`
    /// vulnerabilities, other vendors, and devices outside every range. See the module
    /// documentation for the rules.
    pub fn affects(
        &self,
        vendor: &str,
        brand: Option<&str>,
        model: Option<&str>,
        firmware: Option<&str>,
        http_server: Option<&str>,
    ) -> Option<MatchDetail> {
        if self.match_mode == MatchMode::Check || !self.vendor_matches(vendor) {
            return None;
        }
        let version = firmware.and_then(FirmwareVersion::parse);
        self.affected.iter().enumerate().find_map(|(i, r)| {
            if !r.targets(brand, model, http_server) {
                return None;
            }
            if r.has_version_bounds() && !r.version_in_range(version.as_ref()?) {
                return None;
            }
            let mut build_date_unknown = false;
            if let Some(before) = r.build_before {
                match version.as_ref().and_then(|v| v.build) {
                    Some(build) if build >= before.get() => return None,
                    Some(_) => {}
                    None => build_date_unknown = true,
                }
            }
            Some(MatchDetail {
                range: i,
                build_date_unknown,
                certainty: self.certainty,
                version: version.clone(),
            })
        })
    }

    /// Should the check run on this device? True when there is a check and the device is a
    /// target of one of the ranges — vendor, `models`, `brand`, `server` — whatever its
    /// firmware version. Whether an intrusive check may run is the caller's decision.
    pub fn check_applies(
        &self,
        vendor: &str,
        brand: Option<&str>,
        model: Option<&str>,
        http_server: Option<&str>,
    ) -> bool {
        self.check.is_some()
            && self.vendor_matches(vendor)
            && self
                .affected
                .iter()
                .any(|r| r.targets(brand, model, http_server))
    }
}

impl Affected {
    /// Do `models`, `brand` and `server` hold for the device? (A condition on a value the
    /// device lacks does not hold.)
    pub fn targets(
        &self,
        brand: Option<&str>,
        model: Option<&str>,
        http_server: Option<&str>,
    ) -> bool {
        let model_ok = self
            .models
            .as_ref()
            .is_none_or(|p| model.is_some_and(|m| p.is_match(m)));
        let brand_ok = self
            .brand
            .as_ref()
            .is_none_or(|b| brand.is_some_and(|x| x.eq_ignore_ascii_case(b)));
        let server_ok = self
            .server
            .as_ref()
            .is_none_or(|p| http_server.is_some_and(|s| p.is_match(s)));
        model_ok && brand_ok && server_ok
    }

    /// Does the range bound the version (`from`, `to` or `fixed`)?
    pub fn has_version_bounds(&self) -> bool {
        self.from.is_some() || self.to.is_some() || self.fixed.is_some()
    }

    /// Is `v` within `from` ..= `to` / `from` .. `fixed` (build ignored)?
    pub fn version_in_range(&self, v: &FirmwareVersion) -> bool {
        self.from.as_ref().is_none_or(|f| *v >= f.version)
            && self.to.as_ref().is_none_or(|t| *v <= t.version)
            && self.fixed.as_ref().is_none_or(|x| *v < x.version)
    }
}

/// For evidence: `models /^DS-2CD2\d\d2F-I/, from 5.2.0, to 5.4.0`.
impl fmt::Display for Affected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(p) = &self.models {
            parts.push(format!("models /{}/", p.as_str()));
        }
        if let Some(b) = &self.brand {
            parts.push(format!("brand {b}"));
        }
        if let Some(p) = &self.server {
            parts.push(format!("server /{}/", p.as_str()));
        }
        for (name, v) in [
            ("from", &self.from),
            ("to", &self.to),
            ("fixed in", &self.fixed),
        ] {
            if let Some(v) = v {
                parts.push(format!("{name} {}", v.raw));
            }
        }
        if let Some(b) = self.build_before {
            parts.push(format!("build before {b}"));
        }
        if parts.is_empty() {
            f.write_str("every device of the vendor")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

impl Check {
    /// GET or HEAD, and not intrusive: may run in a default scan.
    pub fn is_read_only(&self) -> bool {
        !self.intrusive && matches!(self.method.as_str(), "GET" | "HEAD")
    }

    /// Does a response confirm the flaw? `status` must be equal, every `body_contains`
    /// present, no `body_not_contains` present, and each `header_contains` value a substring
    /// (ignoring case) of a header of that name (name compared ignoring case).
    pub fn confirms(&self, status: u16, headers: &[(&str, &str)], body: &str) -> bool {
        self.status.is_none_or(|s| s == status)
            && self.body_contains.iter().all(|s| body.contains(s.as_str()))
            && !self
                .body_not_contains
                .iter()
                .any(|s| body.contains(s.as_str()))
            && self.header_contains.iter().all(|(name, want)| {
                let want = want.to_ascii_lowercase();
                headers.iter().any(|(n, v)| {
                    n.eq_ignore_ascii_case(name) && v.to_ascii_lowercase().contains(&want)
                })
            })
    }
}

/// Severity band of a CVSS base score, as the file header defines it.
fn band(cvss: f64) -> Severity {
    if cvss >= 9.0 {
        Severity::Critical
    } else if cvss >= 7.0 {
        Severity::High
    } else if cvss >= 4.0 {
        Severity::Medium
    } else {
        Severity::Low
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn label(c: &Cve, n: usize) -> String {
    if c.id.is_empty() {
        format!("cve #{n}")
    } else {
        format!("cve {}", c.id)
    }
}

pub(crate) fn parse(file: &str, text: &str) -> Result<Vec<Cve>, KbError> {
    let cves: Vec<Cve> = entries(file, text, "cve", |t, n| match raw_str(t, "id") {
        Some(id) if !id.is_empty() => format!("cve {id}"),
        _ => format!("cve #{n}"),
    })?;
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, c) in cves.iter().enumerate() {
        let bad = |msg: String| KbError::invalid(file, format!("{}: {msg}", label(c, i + 1)));
        validate_one(c).map_err(bad)?;
        if let Some(prev) = ids.insert(&c.id, i + 1) {
            return Err(KbError::invalid(
                file,
                format!("{}: duplicate id (also entry #{prev})", label(c, i + 1)),
            ));
        }
    }
    Ok(cves)
}

fn validate_one(c: &Cve) -> Result<(), String> {
    if !is_cve_id(&c.id) {
        let has_year =
            c.id.split('-')
                .any(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit()));
        if !is_slug(&c.id) || !has_year {
            return Err(
                "id must be CVE-YYYY-NNNN or a camguard id <vendor>-<year>-<slug> in lower case"
                    .into(),
            );
        }
        if c.vendor != "*" && !c.id.starts_with(&format!("{}-", c.vendor)) {
            return Err(format!(
                "a camguard id must start with the vendor id ({}-…)",
                c.vendor
            ));
        }
    }
    if c.vendor.trim().is_empty() {
        return Err("vendor is empty".into());
    }
    if c.title_en.trim().is_empty() || c.title_vi.trim().is_empty() {
        return Err("title_en and title_vi are required".into());
    }
    if c.severity == Severity::Info {
        return Err("severity must be critical, high, medium or low".into());
    }
    if let Some(score) = c.cvss {
        if !(0.0..=10.0).contains(&score) {
            return Err(format!("cvss {score} is not a CVSS base score (0-10)"));
        }
        if band(score) != c.severity {
            return Err(format!(
                "severity {} does not match cvss {score} (>=9 critical, >=7 high, >=4 medium, else low)",
                c.severity.as_str()
            ));
        }
    }
    match (&c.kev_added, c.kev) {
        (Some(_), false) => return Err("kev_added is set but kev = false".into()),
        (None, true) => return Err("kev = true needs kev_added (the catalog's dateAdded)".into()),
        _ => {}
    }
    for (field, date) in [("kev_added", &c.kev_added), ("published", &c.published)] {
        if let Some(d) = date
            && !is_iso_date(d)
        {
            return Err(format!("{field} {d:?} must be a date YYYY-MM-DD"));
        }
    }
    if let Some(r) = c
        .references
        .iter()
        .find(|r| !(r.starts_with("https://") || r.starts_with("http://")))
    {
        return Err(format!("reference {r:?} is not an http(s) URL"));
    }
    if c.affected.is_empty() {
        return Err("needs at least one [[cve.affected]] range (an empty one means every device of the vendor)".into());
    }
    if c.vendor == "*"
        && c.match_mode != MatchMode::Check
        && c.affected.iter().any(|r| r.server.is_none())
    {
        return Err("a vendor \"*\" entry must be narrowed: give every range a `server`, or set match = \"check\"".into());
    }
    for (k, r) in c.affected.iter().enumerate() {
        let at = |msg: String| format!("affected range #{}: {msg}", k + 1);
        if r.to.is_some() && r.fixed.is_some() {
            return Err(at(
                "set `to` (last affected, inclusive) or `fixed` (first fixed, exclusive), not both"
                    .into(),
            ));
        }
        if let (Some(from), Some(to)) = (&r.from, &r.to)
            && from.version > to.version
        {
            return Err(at(format!("from {} is after to {}", from.raw, to.raw)));
        }
        if let (Some(from), Some(fixed)) = (&r.from, &r.fixed)
            && from.version >= fixed.version
        {
            return Err(at(format!(
                "from {} is not before fixed {}",
                from.raw, fixed.raw
            )));
        }
        if r.brand.as_ref().is_some_and(|b| b.trim().is_empty()) {
            return Err(at("brand is empty".into()));
        }
    }
    match (&c.check, c.match_mode) {
        (None, MatchMode::Check) => return Err("match = \"check\" needs a [cve.check]".into()),
        (Some(check), _) => validate_check(check).map_err(|m| format!("check: {m}"))?,
        _ => {}
    }
    Ok(())
}

fn validate_check(k: &Check) -> Result<(), String> {
    match k.method.as_str() {
        "GET" | "HEAD" => {}
        "POST" if k.intrusive => {}
        "POST" => return Err("method POST is not read-only: only GET and HEAD, unless the check is marked `intrusive = true`".into()),
        m => return Err(format!("method {m:?} is not allowed (GET or HEAD; POST only with intrusive = true)")),
    }
    if k.body.is_some() && !k.intrusive {
        return Err("a request body is only for checks marked `intrusive = true`".into());
    }
    if !k.path.starts_with('/') || k.path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "path {:?} must start with '/' and hold no spaces or control characters",
            k.path
        ));
    }
    let path_only = k.path.split('?').next().unwrap_or("");
    if !k.raw_path && path_only.split('/').any(|s| s == ".." || s == ".") {
        return Err(
            "path has dot-segments that an HTTP client would remove: set raw_path = true".into(),
        );
    }
    for (name, value) in k.headers.iter().chain(&k.header_contains) {
        if !is_token(name) {
            return Err(format!("header name {name:?} is not an HTTP token"));
        }
        if value.chars().any(char::is_control) {
            return Err(format!("header {name} holds a control character"));
        }
    }
    if let Some(s) = k.status
        && !(100..=599).contains(&s)
    {
        return Err(format!("status {s} is not an HTTP status"));
    }
    if k.body_contains
        .iter()
        .chain(&k.body_not_contains)
        .chain(k.header_contains.values())
        .any(std::string::String::is_empty)
    {
        return Err("an empty expected string matches every response".into());
    }
    if k.body_contains.is_empty() && k.header_contains.is_empty() {
        return Err("needs body_contains or header_contains: a status alone also matches servers that answer 200 to everything".into());
    }
    Ok(())
}

pub(crate) fn validate_vendors(cves: &[Cve], vendors: &[Vendor]) -> Result<(), KbError> {
    for (i, c) in cves.iter().enumerate() {
        let bad =
            |msg: String| KbError::invalid(super::CVES_FILE, format!("{}: {msg}", label(c, i + 1)));
        if c.vendor == "*" {
            continue;
        }
        let Some(v) = vendors.iter().find(|v| v.id == c.vendor) else {
            return Err(bad(format!(
                "unknown vendor id {:?} (add it to vendors.toml, or use \"*\")",
                c.vendor
            )));
        };
        for b in c.affected.iter().filter_map(|r| r.brand.as_ref()) {
            if !v.brands.iter().any(|x| x.eq_ignore_ascii_case(b)) {
                return Err(bad(format!(
                    "brand {b:?} is not listed under vendor {:?} in vendors.toml",
                    c.vendor
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Kb;

    fn kb() -> Kb {
        Kb::embedded().unwrap()
    }

    fn cve<'a>(kb: &'a Kb, id: &str) -> &'a Cve {
        kb.cve(id).unwrap_or_else(|| panic!("{id} missing"))
    }

    /// (vendor, model, firmware) → matching range index.
    fn hit(c: &Cve, vendor: &str, model: &str, fw: &str) -> Option<usize> {
        c.affects(vendor, None, Some(model), Some(fw), None)
            .map(|m| m.range)
    }

    #[test]
    fn embedded_cves_load() {
        let kb = kb();
        assert!(kb.cves.len() >= 20, "{}", kb.cves.len());
        let c = cve(&kb, "CVE-2017-7921");
        assert_eq!(c.vendor, "hikvision");
        assert_eq!(c.severity, Severity::Critical);
        assert!(c.kev && c.kev_added.as_deref() == Some("2026-03-05"));
        assert_eq!(c.affected.len(), 7);
        assert_eq!(c.finding_id(), "cve:CVE-2017-7921");
        let check = c.check.as_ref().unwrap();
        assert!(check.is_read_only());
        assert_eq!(
            check
                .header_contains
                .get("Content-Type")
                .map(String::as_str),
            Some("application/xml")
        );
        assert_eq!(
            cve(&kb, "uniview-2017-main-cgi").finding_id(),
            "known-vuln:uniview-2017-main-cgi"
        );
        let login = cve(&kb, "CVE-2021-33044").check.as_ref().unwrap();
        assert!(
            login.intrusive
                && login.method == "POST"
                && login.body.is_some()
                && login.sensitive
                && !login.is_read_only()
        );
        assert!(cve(&kb, "CVE-2017-7577").check.as_ref().unwrap().raw_path);
        assert_eq!(cve(&kb, "CVE-2021-36260").certainty, Certainty::Possible);
        assert_eq!(cve(&kb, "CVE-2018-9995").match_mode, MatchMode::Check);
        for c in &kb.cves {
            assert!(
                crate::assess::is_known_finding_id(&c.finding_id()),
                "{}",
                c.id
            );
        }
    }

    #[test]
    fn cve_2017_7921_ranges() {
        let kb = kb();
        let c = cve(&kb, "CVE-2017-7921");
        // range 1: DS-2CD2xx2F-I, 5.2.0 ..= 5.4.0 (the build is ignored by `to`)
        assert_eq!(
            hit(c, "hikvision", "DS-2CD2032F-I", "V5.3.0 build 150513"),
            Some(0)
        );
        assert_eq!(
            hit(c, "hikvision", "DS-2CD2132F-IS", "V5.2.0 build 140721"),
            Some(0)
        );
        assert_eq!(
            hit(c, "hikvision", "DS-2CD2032F-I", "V5.4.0 build 160530"),
            Some(0)
        );
        assert_eq!(
            hit(c, "hikvision", "DS-2CD2032F-I", "V5.4.1 build 170109"),
            None
        );
        assert_eq!(
            hit(c, "hikvision", "DS-2CD2032F-I", "V5.1.6 build 131227"),
            None
        );
        // DS-2CD2032-I (no "F") is in none of the record's series
        assert_eq!(
            hit(c, "hikvision", "DS-2CD2032-I", "V5.3.0 build 150513"),
            None
        );
        // range 3: DS-2CD2xx2FWD, 5.3.1 ..= 5.4.4
        assert_eq!(
            hit(c, "hikvision", "DS-2CD2142FWD-IS", "V5.4.4 Build 161125"),
            Some(2)
        );
        assert_eq!(
            hit(c, "hikvision", "DS-2CD2142FWD-IS", "V5.3.0 build 150513"),
            None
        );
        assert_eq!(
            hit(c, "hikvision", "DS-2CD2142FWD-IS", "V5.4.5 build 170123"),
            None
        );
        // range 6: DS-2DF (PTZ), 5.2.0 ..= 5.4.5
        assert_eq!(
            hit(c, "hikvision", "DS-2DF8223I-AEL", "V5.4.5 Build 160928"),
            Some(5)
        );
        assert_eq!(
            hit(c, "hikvision", "DS-2DF8223I-AEL", "V5.5.0 build 170725"),
            None
        );
        // range 7: DS-2CD63, 5.0.9 ..= 5.3.5
        assert_eq!(
            hit(c, "hikvision", "DS-2CD6362F-IV", "V5.0.9 build 140305"),
            Some(6)
        );
        assert_eq!(hit(c, "hikvision", "DS-2CD6362F-IV", "V5.3.6"), None);
        // case-insensitive model patterns; other vendor; unknown firmware or model
        assert_eq!(hit(c, "hikvision", "ds-2cd2032f-i", "V5.3.0"), Some(0));
        assert_eq!(hit(c, "dahua", "DS-2CD2032F-I", "V5.3.0"), None);
        assert_eq!(
            c.affects("hikvision", None, Some("DS-2CD2032F-I"), None, None),
            None
        );
        assert_eq!(
            c.affects("hikvision", None, None, Some("V5.3.0"), None),
            None
        );
        assert_eq!(hit(c, "hikvision", "DS-2CD2032F-I", "garbage"), None);
        // the check targets the same series whatever the firmware
        assert!(c.check_applies("hikvision", None, Some("DS-2CD2032F-I"), None));
        assert!(!c.check_applies("hikvision", None, Some("DS-2CD2032-I"), None));
        assert_eq!(
            c.affected[0].to_string(),
            r"models /^DS-2CD2\d\d2F-I/, from 5.2.0, to 5.4.0"
        );
    }

    #[test]
    fn build_date_ranges() {
        let kb = kb();
        let c = cve(&kb, "CVE-2021-36260");
        let m = c
            .affects(
                "hikvision",
                None,
                Some("DS-2CD2143G0-I"),
                Some("V5.5.82 build 190220"),
                None,
            )
            .unwrap();
        assert_eq!(
            (m.range, m.build_date_unknown, m.certainty),
            (0, false, Certainty::Possible)
        );
        assert_eq!(m.version.unwrap().parts, vec![5, 5, 82]);
        assert_eq!(
            hit(c, "hikvision", "DS-2CD2143G0-I", "V5.5.800 build 210628"),
            None,
            "patched build"
        );
        assert_eq!(
            hit(c, "hikvision", "DS-2CD2143G0-I", "V5.3.0 build 150513"),
            None,
            "before 5.4.0"
        );
        assert_eq!(
            hit(c, "hikvision", "DS-7608NI-K2", "V5.5.82 build 190220"),
            None,
            "NVRs not modelled"
        );
        let unknown = c
            .affects(
                "hikvision",
                None,
                Some("DS-2DE4425IW-DE"),
                Some("V5.6.0"),
                None,
            )
            .unwrap();
        assert!(
            unknown.build_date_unknown,
            "no build date: still matches, says so"
        );

        // Dahua: build date only, Dahua's date form
        let d = cve(&kb, "CVE-2021-33044");
        assert_eq!(
            hit(
                d,
                "dahua",
                "IPC-HDW3441T-ZS",
                "2.800.0000000.16.R, Build Date 2021-06-04"
            ),
            None
        );
        assert_eq!(
            hit(
                d,
                "dahua",
                "IPC-HDW3441T-ZS",
                "2.800.0000000.16.R, Build Date 2021-05-04"
            ),
            Some(0)
        );
        assert_eq!(
            hit(
                d,
                "dahua",
                "DH-IPC-HFW5241E-ZE",
                "V2.800.0000000.8.R.200101"
            ),
            Some(1)
        );
        assert_eq!(
            hit(d, "dahua", "IPC-HFW2431S-S-S2", "V2.800.0000000.8.R.200101"),
            None,
            "2-series not listed"
        );
        let m = d
            .affects("dahua", None, Some("IPC-HUM7243"), None, None)
            .unwrap();
        assert!(m.build_date_unknown && m.range == 2);

        // Amcrest (brand) on Dahua firmware lines, version window + build date
        let a = cve(&kb, "CVE-2020-5735");
        let fw = |f| {
            a.affects("dahua", Some("Amcrest"), Some("IP2M-841"), Some(f), None)
                .map(|m| m.range)
        };
        assert_eq!(fw("V2.420.AC00.18.R.20200101"), Some(1));
        assert_eq!(fw("V2.420.AC00.18.R.20200217"), None, "fixed build");
        assert_eq!(fw("V2.800.0000000.6.R.200314"), Some(2));
        assert_eq!(fw("V3.100.0000000.1.R.190101"), None, "no such line");
        assert_eq!(
            a.affects(
                "dahua",
                None,
                Some("IP2M-841"),
                Some("V2.420.AC00.18.R.20200101"),
                None
            ),
            None,
            "brand required"
        );
    }

    #[test]
    fn tapo_c200_fixed_in_1_1_16() {
        let kb = kb();
        let c = cve(&kb, "CVE-2021-4045");
        assert_eq!(
            hit(c, "tp-link", "Tapo C200", "1.1.15 Build 211130 Rel.36154n"),
            Some(0)
        );
        assert_eq!(
            hit(c, "tp-link", "C200", "1.0.2 Build 200731 Rel.34578n"),
            Some(0)
        );
        assert_eq!(
            hit(c, "tp-link", "Tapo C200", "1.1.16 Build 211209 Rel.37726n"),
            None
        );
        assert_eq!(
            hit(c, "tp-link", "Tapo C200", "1.3.4 Build 230424 Rel.59541n"),
            None
        );
        assert_eq!(
            hit(c, "tp-link", "Tapo C210", "1.1.15 Build 211130 Rel.36154n"),
            None
        );
    }

    #[test]
    fn other_ranges() {
        let kb = kb();
        let dl = cve(&kb, "CVE-2020-25078");
        assert_eq!(
            hit(dl, "d-link", "DCS-2530L", "1.06.01"),
            Some(0),
            "to is inclusive"
        );
        assert_eq!(hit(dl, "d-link", "DCS-2530L", "1.06.02"), None);
        assert_eq!(hit(dl, "d-link", "DCS-2670L", "2.02"), Some(1));
        assert_eq!(hit(dl, "d-link", "DCS-2670L", "2.03"), None);
        let xm = cve(&kb, "CVE-2019-11878");
        assert_eq!(
            hit(
                xm,
                "xiongmai",
                "IP20H1",
                "V4.02.R12.00035520.12012.047500.00200"
            ),
            Some(0)
        );
        assert_eq!(
            hit(
                xm,
                "xiongmai",
                "IP20H1",
                "V4.02.R11.00000532.10010.140700.0000000"
            ),
            None
        );
        // server-only ranges
        let uc = cve(&kb, "CVE-2018-10088");
        assert!(
            uc.affects("xiongmai", None, None, None, Some("uc-httpd 1.0.0"))
                .is_some()
        );
        assert!(
            uc.affects("xiongmai", None, None, None, Some("uc-httpd/1.0.1"))
                .is_none()
        );
        assert!(uc.affects("xiongmai", None, None, None, None).is_none());
        // no conditions: every device of the vendor
        assert!(
            cve(&kb, "CVE-2019-20085")
                .affects("tvt", None, None, None, None)
                .is_some()
        );
        assert!(
            cve(&kb, "CVE-2019-20085")
                .affects("hikvision", None, None, None, None)
                .is_none()
        );
        assert!(
            cve(&kb, "CVE-2024-7029")
                .affects("avtech", None, Some("AVM1203"), None, None)
                .is_some()
        );
    }

    #[test]
    fn check_only_entries_never_match_by_version() {
        let kb = kb();
        let tbk = cve(&kb, "CVE-2018-9995");
        assert_eq!(
            tbk.affects("tbk", None, Some("DVR4104"), Some("1.0.0"), None),
            None
        );
        assert!(tbk.check_applies("tbk", None, Some("DVR4104"), None));
        assert!(!tbk.check_applies("dahua", None, Some("DVR4104"), None));
        let wificam = cve(&kb, "CVE-2017-8225");
        assert_eq!(wificam.vendor, "*");
        assert_eq!(
            wificam.affects("generic-onvif", None, None, None, Some("GoAhead-Webs")),
            None
        );
        assert!(wificam.check_applies("generic-onvif", None, None, Some("GoAhead-Webs")));
        assert!(!wificam.check_applies("generic-onvif", None, None, Some("lighttpd")));
        assert!(!wificam.check_applies("generic-onvif", None, None, None));
        assert!(
            !cve(&kb, "CVE-2021-36260").check_applies(
                "hikvision",
                None,
                Some("DS-2CD2143G0-I"),
                None
            ),
            "no check"
        );
    }

    #[test]
    fn check_confirmation() {
        let kb = kb();
        let k = cve(&kb, "CVE-2017-7921").check.clone().unwrap();
        let body = "<DeviceInfo><firmwareVersion>V5.4.0</firmwareVersion></DeviceInfo>";
        assert!(k.confirms(
            200,
            &[("content-type", "Application/XML; charset=UTF-8")],
            body
        ));
        assert!(!k.confirms(401, &[("Content-Type", "application/xml")], body));
        assert!(!k.confirms(200, &[("Content-Type", "text/html")], body));
        assert!(!k.confirms(
            200,
            &[("Content-Type", "application/xml")],
            "<html>login</html>"
        ));
        let w = cve(&kb, "CVE-2017-8225").check.clone().unwrap();
        assert!(w.confirms(200, &[("Content-Type", "text/plain")], "[user]\nadmin"));
        assert!(!w.confirms(200, &[("Content-Type", "text/plain")], "<html>"));
    }

    fn one(body: &str) -> Result<Vec<Cve>, KbError> {
        parse("assess/cves.toml", &format!("schema = 1\n{body}"))
    }

    const OK: &str = r#"
[[cve]]
id = "CVE-2099-0001"
vendor = "hikvision"
title_en = "t"
title_vi = "t"
severity = "high"
cvss = 7.5
published = "2099-01-01"
references = ["https://example.org/a"]
[[cve.affected]]
models = '^DS-'
from = "5.0"
fixed = "5.5"
[cve.check]
method = "GET"
path = "/x"
status = 200
body_contains = ["y"]
"#;

    #[test]
    fn accepts_a_minimal_entry() {
        let c = one(OK).unwrap();
        assert_eq!(
            c[0].affected[0].fixed.as_ref().unwrap().version.parts,
            vec![5, 5]
        );
        assert_eq!(hit(&c[0], "hikvision", "DS-1", "5.4.99"), Some(0));
        assert_eq!(
            hit(&c[0], "hikvision", "DS-1", "5.5"),
            None,
            "fixed is exclusive"
        );
    }

    #[test]
    fn rejects_bad_entries() {
        let cases: Vec<(String, &str)> = vec![
            (OK.replace("'^DS-'", "'^(DS-'"), "bad regex"),
            (OK.replace("'^DS-'", "'.*'"), "matches an empty value"),
            (
                OK.replace("method = \"GET\"", "method = \"POST\""),
                "intrusive = true",
            ),
            (
                OK.replace("method = \"GET\"", "method = \"DELETE\"\nintrusive = true"),
                "not allowed",
            ),
            (
                OK.replace("method = \"GET\"", "method = \"GET\"\nbody = \"x\""),
                "request body",
            ),
            (
                OK.replace("fixed = \"5.5\"", "fixed = \"5.5\"\nto = \"5.4\""),
                "not both",
            ),
            (
                OK.replace("from = \"5.0\"", "from = \"6.0\""),
                "not before fixed",
            ),
            (
                OK.replace("fixed = \"5.5\"", "fixed = \"5.5 build 210101\""),
                "carries a build date",
            ),
            (
                OK.replace("fixed = \"5.5\"", "build_before = \"2101\""),
                "YYMMDD",
            ),
            (
                OK.replace("severity = \"high\"", "severity = \"severe\""),
                "unknown variant",
            ),
            (
                OK.replace("severity = \"high\"", "severity = \"critical\""),
                "does not match cvss",
            ),
            (
                OK.replace("cvss = 7.5", "cvss = 7.5\nkev = true"),
                "kev_added",
            ),
            (
                OK.replace("published = \"2099-01-01\"", "published = \"01/01/2099\""),
                "YYYY-MM-DD",
            ),
            (OK.replace("CVE-2099-0001", "CVE-99-1"), "id must be"),
            (
                OK.replace("CVE-2099-0001", "dahua-2099-x"),
                "start with the vendor id",
            ),
            (
                OK.replace("path = \"/x\"", "path = \"/../etc/passwd\""),
                "raw_path",
            ),
            (
                OK.replace("body_contains = [\"y\"]", ""),
                "body_contains or header_contains",
            ),
            (
                OK.replace("status = 200", "status = 200\nexpect = 1"),
                "unknown field",
            ),
            (
                OK.replace("from = \"5.0\"", "from = \"5.0\"\nmodel = 'x'"),
                "unknown field",
            ),
            (
                OK.replace("vendor = \"hikvision\"", "vendor = \"*\""),
                "must be narrowed",
            ),
            (
                OK.replace(
                    "[[cve.affected]]\nmodels = '^DS-'\nfrom = \"5.0\"\nfixed = \"5.5\"\n",
                    "",
                ),
                "at least one",
            ),
            (OK.replace("[cve.check]", "[cve.nocheck]"), "unknown field"),
            (format!("{OK}{OK}"), "duplicate id"),
            (format!("{OK}\n[[vuln]]\nid = 1\n"), "unknown top-level key"),
        ];
        for (text, want) in cases {
            let err = one(&text).unwrap_err().to_string();
            assert!(
                err.contains("assess/cves.toml") && err.contains(want),
                "want {want:?} in: {err}"
            );
            assert!(
                err.contains("CVE-2099-0001")
                    || err.contains("dahua-2099-x")
                    || err.contains("CVE-99-1")
                    || want == "unknown top-level key",
                "entry named: {err}"
            );
        }
        let no_check = OK.replace(
            "severity = \"high\"",
            "severity = \"high\"\nmatch = \"check\"",
        );
        let no_check = &no_check[..no_check.find("[cve.check]").unwrap()];
        let err = one(no_check).unwrap_err().to_string();
        assert!(err.contains("needs a [cve.check]"), "{err}");
    }

    #[test]
    fn vendors_and_brands_are_checked() {
        let vendors = vec![Vendor {
            id: "hikvision".into(),
            name: "H".into(),
            cpe_vendor: None,
            cpe_product: None,
            brands: vec!["hilook".into()],
        }];
        validate_vendors(&one(OK).unwrap(), &vendors).unwrap();
        let err = validate_vendors(
            &one(&OK.replace("\"hikvision\"", "\"acme\"")).unwrap(),
            &vendors,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("CVE-2099-0001") && err.contains("unknown vendor id \"acme\""),
            "{err}"
        );
        let branded = one(&OK.replace("models = '^DS-'", "brand = \"HiLook\"")).unwrap();
        validate_vendors(&branded, &vendors).unwrap();
        let err = validate_vendors(
            &one(&OK.replace("models = '^DS-'", "brand = \"amcrest\"")).unwrap(),
            &vendors,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("brand \"amcrest\""), "{err}");
    }
}
