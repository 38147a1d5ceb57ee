//! The firmware version convention of `kb/assess/cves.toml` (also used by `firmware.toml`).
//!
//! A vendor firmware string is normalised before comparison:
//!
//! 1. The version is the first word (words are split on white space, `,`, `;`, brackets) that
//!    starts with a digit, or with `V`/`v` and a digit. The leading `V` is stripped; anything
//!    after a `_` is a suffix (a build date, see 2); the rest is split on `.` and each component
//!    becomes its first run of decimal digits (leading zeros ignored). Components without
//!    digits (`R`) are dropped. Components compare numerically, left to right; a missing
//!    component is 0 (`5.4` = `5.4.0`).
//! 2. The build date is a YYMMDD number taken from, in this order:
//!    * the word `build` (any case, optionally followed by `date` and `:`), then `YYMMDD`,
//!      `YYYYMMDD` or `YYYY-MM-DD` (also with `.` or `/`): `V5.4.0 build 160530`,
//!      `1.1.15 Build 211130 Rel.36154n`, `2.800.0000000.16.R, Build Date 2021-06-04`;
//!    * a `_` suffix of the version: `V5.5.800_210628`; an 8-digit suffix is read as YYYYMMDD
//!      when that is a date, else as YYMMDD and a 2-digit sequence number (Reolink
//!      `v3.0.0.183_21012800` → 210128);
//!    * a last `.` component that is a date of 6 or 8 digits: `2.800.0000000.16.R.210603`,
//!      `2.420.AC00.18.R.20200217` (→ 200217). A 6-digit last component that is not a valid
//!      date (`2.623.999999`) stays a version component.
//!
//!    A date must have a month 01–12 and a day 01–31; an 8-digit YYYYMMDD a year 1990–2099.
//!    It is reduced to YYMMDD, so build dates compare as numbers within 2000–2099.
//!
//! Equality and ordering of [`FirmwareVersion`] look at the version components only; the build
//! date is compared separately ([`FirmwareVersion::cmp_with_build`], `build_before`).

use serde::Deserialize;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// A normalised firmware version.
#[derive(Clone, Debug)]
pub struct FirmwareVersion {
    /// Numeric components, as written (trailing zeros kept).
    pub parts: Vec<u64>,
    /// Build date as YYMMDD, when the string carries one.
    pub build: Option<u32>,
}

impl FirmwareVersion {
    pub fn new(parts: Vec<u64>, build: Option<u32>) -> FirmwareVersion {
        FirmwareVersion { parts, build }
    }

    /// Normalise a vendor firmware string; `None` when it holds no version.
    pub fn parse(text: &str) -> Option<FirmwareVersion> {
        let lower = text.to_ascii_lowercase();
        let bytes = lower.as_bytes();
        let keyword = keyword_build(bytes);
        let mut build = keyword.map(|(date, _)| date);
        let skip = keyword.map(|(_, span)| span);

        let token = words(text)
            .into_iter()
            .filter_map(|(start, end)| match skip {
                // a word that runs into the build phrase (`V5.5.800build 210628`) ends there
                Some((s, e)) if end > s && start < e => (start < s).then(|| &text[start..s]),
                _ => Some(&text[start..end]),
            })
            .find(|w| {
                w.strip_prefix(['V', 'v'])
                    .unwrap_or(w)
                    .starts_with(|c: char| c.is_ascii_digit())
            })?;
        let token = token.strip_prefix(['V', 'v']).unwrap_or(token);

        let (version, suffix) = token.split_once('_').unwrap_or((token, ""));
        if build.is_none() {
            let run = leading_digits(suffix);
            build = match run.len() {
                6 => yymmdd(run),
                8 => yyyymmdd(run).or_else(|| yymmdd(&run[..6])),
                _ => None,
            };
        }

        let mut comps: Vec<&str> = version.split('.').collect();
        if comps.len() >= 2 {
            let last = comps[comps.len() - 1];
            let date = if last.bytes().all(|b| b.is_ascii_digit()) {
                match last.len() {
                    6 => yymmdd(last),
                    8 => yyyymmdd(last),
                    _ => None,
                }
            } else {
                None
            };
            if let Some(date) = date {
                comps.pop();
                build = build.or(Some(date));
            }
        }

        let mut parts = Vec::new();
        for comp in comps {
            let Some(start) = comp.find(|c: char| c.is_ascii_digit()) else {
                continue;
            };
            let run = leading_digits(&comp[start..]);
            let trimmed = run.trim_start_matches('0');
            parts.push(if trimmed.is_empty() {
                0
            } else {
                trimmed.parse::<u64>().ok()?
            });
        }
        if parts.is_empty() {
            return None;
        }
        Some(FirmwareVersion { parts, build })
    }

    /// The components without trailing zeros (`5.4.0` → `[5, 4]`).
    fn significant(&self) -> &[u64] {
        let n = self
            .parts
            .iter()
            .rposition(|&p| p != 0)
            .map_or(0, |i| i + 1);
        &self.parts[..n]
    }

    /// Compare the versions, then — when they are equal — the build dates. `None` when the
    /// versions are equal and either build date is unknown.
    pub fn cmp_with_build(&self, other: &FirmwareVersion) -> Option<Ordering> {
        match self.cmp(other) {
            Ordering::Equal => match (self.build, other.build) {
                (Some(a), Some(b)) => Some(a.cmp(&b)),
                _ => None,
            },
            o => Some(o),
        }
    }
}

impl PartialEq for FirmwareVersion {
    fn eq(&self, other: &Self) -> bool {
        self.significant() == other.significant()
    }
}

impl Eq for FirmwareVersion {}

impl Hash for FirmwareVersion {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.significant().hash(state);
    }
}

impl PartialOrd for FirmwareVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FirmwareVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.parts.len().max(other.parts.len());
        (0..n)
            .map(|i| {
                let a = self.parts.get(i).copied().unwrap_or(0);
                let b = other.parts.get(i).copied().unwrap_or(0);
                a.cmp(&b)
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl fmt::Display for FirmwareVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.parts.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{p}")?;
        }
        if let Some(b) = self.build {
            write!(f, " build {b:06}")?;
        }
        Ok(())
    }
}

/// A version bound written in a data file (`from`, `to`, `fixed`, `version`): the text as
/// written and its normalised form. It may not carry a build date (ranges compare versions
/// only; dates go in `build_before` / `build`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct VersionSpec {
    pub raw: String,
    pub version: FirmwareVersion,
}

impl TryFrom<String> for VersionSpec {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        let version = FirmwareVersion::parse(&raw)
            .ok_or_else(|| format!("{raw:?} is not a firmware version"))?;
        if version.build.is_some() {
            return Err(format!(
                "version {raw:?} carries a build date; write the date in `build_before` / `build`"
            ));
        }
        Ok(VersionSpec { raw, version })
    }
}

impl fmt::Display for VersionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.version.fmt(f)
    }
}

/// A build date written in a data file: exactly six digits, YYMMDD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct BuildDate(u32);

impl BuildDate {
    pub fn parse(s: &str) -> Option<BuildDate> {
        (s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| yymmdd(s))
            .flatten()
            .map(BuildDate)
    }

    /// The date as the number YYMMDD.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<String> for BuildDate {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        BuildDate::parse(&s).ok_or_else(|| format!("build date {s:?} must be six digits YYMMDD"))
    }
}

impl fmt::Display for BuildDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

/// Words of `text` as byte ranges.
fn words(text: &str) -> Vec<(usize, usize)> {
    let is_sep = |c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '[' | ']');
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_sep(c), start) {
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

fn leading_digits(s: &str) -> &str {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    &s[..n]
}

fn valid(m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && (1..=31).contains(&d)
}

/// Six ASCII digits YYMMDD → the number, when month and day are valid.
fn yymmdd(s: &str) -> Option<u32> {
    let n: u32 = s.parse().ok()?;
    (s.len() == 6 && valid(n / 100 % 100, n % 100)).then_some(n)
}

/// Eight ASCII digits YYYYMMDD → YYMMDD, when it is a date of 1990–2099.
fn yyyymmdd(s: &str) -> Option<u32> {
    let n: u32 = s.parse().ok()?;
    let (y, m, d) = (n / 10000, n / 100 % 100, n % 100);
    (s.len() == 8 && (1990..=2099).contains(&y) && valid(m, d))
        .then_some((y % 100) * 10000 + m * 100 + d)
}

/// The first `build [date] [:] DATE` of the lower-cased string: (YYMMDD, byte span).
fn keyword_build(b: &[u8]) -> Option<(u32, (usize, usize))> {
    let mut from = 0;
    while let Some(off) = b.get(from..)?.windows(5).position(|w| w == b"build") {
        let pos = from + off;
        from = pos + 5;
        if pos > 0 && b[pos - 1].is_ascii_alphabetic() {
            continue;
        }
        let mut j = skip_filler(b, pos + 5);
        if b[j..].starts_with(b"date") {
            j = skip_filler(b, j + 4);
        }
        if let Some((date, end)) = date_at(b, j) {
            return Some((date, (pos, end)));
        }
    }
    None
}

fn skip_filler(b: &[u8], mut j: usize) -> usize {
    while j < b.len() && matches!(b[j], b' ' | b'\t' | b':' | b'=' | b'-' | b'_') {
        j += 1;
    }
    j
}

/// A date starting at `j`: `YYMMDD`, `YYYYMMDD`, or `YYYY-MM-DD` (`-`, `.` or `/`).
fn date_at(b: &[u8], j: usize) -> Option<(u32, usize)> {
    let run = |at: usize| {
        b.get(at..)
            .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    let num = |at: usize, n: usize| std::str::from_utf8(&b[at..at + n]).ok();
    let n = run(j);
    match n {
        6 => yymmdd(num(j, 6)?).map(|d| (d, j + 6)),
        8 => yyyymmdd(num(j, 8)?).map(|d| (d, j + 8)),
        4 => {
            let sep = *b.get(j + 4)?;
            if !matches!(sep, b'-' | b'.' | b'/') {
                return None;
            }
            let m_at = j + 5;
            let m_len = run(m_at);
            if !(1..=2).contains(&m_len) || b.get(m_at + m_len) != Some(&sep) {
                return None;
            }
            let d_at = m_at + m_len + 1;
            let d_len = run(d_at);
            if !(1..=2).contains(&d_len) {
                return None;
            }
            let (y, m, d): (u32, u32, u32) = (
                num(j, 4)?.parse().ok()?,
                num(m_at, m_len)?.parse().ok()?,
                num(d_at, d_len)?.parse().ok()?,
            );
            ((1990..=2099).contains(&y) && valid(m, d))
                .then_some(((y % 100) * 10000 + m * 100 + d, d_at + d_len))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::{prop_assert, prop_assert_eq};

    fn v(s: &str) -> FirmwareVersion {
        FirmwareVersion::parse(s).unwrap_or_else(|| panic!("{s:?} did not parse"))
    }

    #[track_caller]
    fn check(s: &str, parts: &[u64], build: Option<u32>) {
        let got = v(s);
        assert_eq!(got.parts, parts, "parts of {s:?}");
        assert_eq!(got.build, build, "build of {s:?}");
    }

    #[test]
    fn header_examples() {
        check("V5.4.0 build 160530", &[5, 4, 0], Some(160530));
        check("V5.5.800_210628", &[5, 5, 800], Some(210628));
        check("2.800.0000000.16.R", &[2, 800, 0, 16], None);
        check("2.800.0000000.16.R.210603", &[2, 800, 0, 16], Some(210603));
        check("1.1.15 Build 211130 Rel.1234", &[1, 1, 15], Some(211130));
        check("V5.11.0_260716", &[5, 11, 0], Some(260716));
    }

    #[test]
    fn real_vendor_strings() {
        // Hikvision
        check("V5.5.82 build 190220", &[5, 5, 82], Some(190220));
        check("V5.4.0 Build 160401", &[5, 4, 0], Some(160401));
        check("V5.3.0 build 150513", &[5, 3, 0], Some(150513));
        check("V4.85.040 build 260725", &[4, 85, 40], Some(260725));
        check("V5.5.800build 210628", &[5, 5, 800], Some(210628));
        // Dahua: date form of the build
        check(
            "2.800.0000000.16.R, Build Date 2021-06-04",
            &[2, 800, 0, 16],
            Some(210604),
        );
        check(
            "2.622.0000000.3.R, Build Date: 2018.06.15",
            &[2, 622, 0, 3],
            Some(180615),
        );
        check("V2.622.0000000.3.R.180615", &[2, 622, 0, 3], Some(180615));
        // Amcrest (Dahua OEM): 8-digit YYYYMMDD reduced to YYMMDD
        check("V2.420.AC00.18.R.20200217", &[2, 420, 0, 18], Some(200217));
        check("2.623.00AC004.0.R.200316", &[2, 623, 0, 0], Some(200316)); // "00AC004": first digit run
        // TP-Link Tapo
        check("1.1.15 Build 211130 Rel.36154n", &[1, 1, 15], Some(211130));
        check(
            "1.1.16 Build 211209 Rel.37726n(4555)",
            &[1, 1, 16],
            Some(211209),
        );
        // Reolink: YYMMDD + 2-digit sequence number
        check("v3.0.0.183_21012800", &[3, 0, 0, 183], Some(210128));
        check("v3.0.0.2356_23062000", &[3, 0, 0, 2356], Some(230620));
        // ... an 8-digit suffix that is also a YYYYMMDD date is read as one (documented ambiguity)
        check("v3.0.0.136_20121102", &[3, 0, 0, 136], Some(121102));
        // XiongMai: no build date; "140700" is not the last component
        check(
            "V4.02.R11.00000532.10010.140700.0000000",
            &[4, 2, 11, 532, 10010, 140700, 0],
            None,
        );
        check(
            "4.02.R12.00035520.12012.047500.00200",
            &[4, 2, 12, 35520, 12012, 47500, 200],
            None,
        );
        // D-Link, Axis
        check("1.06.01", &[1, 6, 1], None);
        check("10.12.182", &[10, 12, 182], None);
        // Words around the version
        check("Firmware version: V5.4.0", &[5, 4, 0], None);
        check("IPC_G3 5.5.160_210416", &[5, 5, 160], Some(210416));
    }

    #[test]
    fn six_digit_last_component_that_is_no_date_stays_a_component() {
        check("2.623.999999", &[2, 623, 999999], None);
        check("1.0.227", &[1, 0, 227], None);
        check("3.0.0.136", &[3, 0, 0, 136], None);
        check("V5.4.0 build 991399", &[5, 4, 0], None);
    }

    #[test]
    fn no_version() {
        for s in [
            "",
            "   ",
            "V",
            "v.",
            "R.R",
            "unknown",
            "build 160530",
            "Build Date 2021-06-04",
            "IPC_G3",
            "1.99999999999999999999999",
        ] {
            assert_eq!(FirmwareVersion::parse(s), None, "{s:?}");
        }
    }

    #[test]
    fn ordering_and_equality() {
        assert_eq!(v("5.4"), v("V5.4.0"));
        assert_eq!(v("1.06.01"), v("1.6.1"));
        assert!(v("5.4.0") < v("5.4.1"));
        assert!(v("5.10") > v("5.9.99"));
        assert!(
            v("5.4.0 build 170101") <= v("5.4.0 build 160530"),
            "order ignores the build"
        );
        assert!(v("4.02.R11.00000532") < v("4.02.R12.00035520"));
        assert!(v("2.800.0000000.16.R") > v("2.800"));
        assert!(v("2.800.0000000.16.R") < v("2.800.999999"));
        use std::collections::HashSet;
        let set: HashSet<FirmwareVersion> =
            [v("5.4"), v("5.4.0"), v("5.4.0.0")].into_iter().collect();
        assert_eq!(set.len(), 1, "hash agrees with equality");
    }

    #[test]
    fn compare_with_build() {
        assert_eq!(
            v("5.4.0 build 160530").cmp_with_build(&v("5.4.0 build 160401")),
            Some(Ordering::Greater)
        );
        assert_eq!(
            v("5.4.0_160530").cmp_with_build(&v("5.4.0 build 160530")),
            Some(Ordering::Equal)
        );
        assert_eq!(v("5.4.0").cmp_with_build(&v("5.4.0 build 160401")), None);
        assert_eq!(
            v("5.3.9").cmp_with_build(&v("5.4.0 build 160401")),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn display() {
        assert_eq!(v("V5.4.0 build 160530").to_string(), "5.4.0 build 160530");
        assert_eq!(v("V5.5.800_010628").to_string(), "5.5.800 build 010628");
        assert_eq!(v("2.800.0000000.16.R").to_string(), "2.800.0.16");
    }

    #[test]
    fn specs_and_build_dates() {
        let s = VersionSpec::try_from("5.4.0".to_string()).unwrap();
        assert_eq!(s.version.parts, vec![5, 4, 0]);
        assert!(VersionSpec::try_from("5.4.0 build 160530".to_string()).is_err());
        assert!(VersionSpec::try_from("nope".to_string()).is_err());
        assert_eq!(BuildDate::parse("210628").map(BuildDate::get), Some(210628));
        for bad in ["21062", "2106280", "211328", "210600", "21o628", "20210628"] {
            assert!(BuildDate::parse(bad).is_none(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = FirmwareVersion::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_version_like_text(s in "[vV]?[0-9._RrAC ,:/-]{0,40}(build|Build|_)?[ :]?[0-9.-]{0,12}") {
            if let Some(v) = FirmwareVersion::parse(&s) {
                prop_assert!(!v.parts.is_empty());
                prop_assert_eq!(v.cmp(&v), Ordering::Equal);
            }
        }

        #[test]
        fn parsed_components_round_trip(parts in proptest::collection::vec(0u64..100_000, 1..6)) {
            let text = parts.iter().map(std::string::ToString::to_string).collect::<Vec<_>>().join(".");
            let got = FirmwareVersion::parse(&text).unwrap();
            prop_assert_eq!(got.build, None);
            prop_assert_eq!(got.parts, parts);
        }
    }
}
