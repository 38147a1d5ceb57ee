//! Vendor password policies (`kb/assess/password-policy.toml`): the rules a vendor's account
//! password must satisfy, whether the devices ever had a factory password, and the weak
//! passwords users pick within the rules. They order and prune the default-credential list so
//! that the small per-device budget is not spent on passwords a device cannot have.

use camguard_kb::assess::Pattern;
use serde::Deserialize;

/// A character class of a password rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CharClass {
    Digit,
    Lower,
    Upper,
    /// Lower or upper case (vendors that count "letters" as one kind).
    Letter,
    /// Anything else (punctuation, space, non-ASCII).
    Symbol,
}

impl CharClass {
    fn contains(self, c: char) -> bool {
        match self {
            CharClass::Digit => c.is_ascii_digit(),
            CharClass::Lower => c.is_ascii_lowercase(),
            CharClass::Upper => c.is_ascii_uppercase(),
            CharClass::Letter => c.is_ascii_alphabetic(),
            CharClass::Symbol => !c.is_ascii_alphanumeric(),
        }
    }
}

/// May the vendor's factory pairs of `credentials.toml` still be tried?
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactoryDefaults {
    /// They predate the rules (older firmware): tried first, exempt from the rules.
    Legacy,
    /// Such devices never have a factory password: the vendor's pairs are not tried.
    None,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    pub vendor: String,
    /// Only devices identified with this brand, or whose model matches `models` (both absent:
    /// every device of the vendor).
    #[serde(default)]
    pub brand: Option<String>,
    /// Regex on the model (case-insensitive), for product lines the identification names by
    /// model rather than by brand.
    #[serde(default)]
    pub models: Option<Pattern>,
    /// Protocols whose account the rules govern (absent: all).
    #[serde(default)]
    pub protocols: Option<Vec<String>>,
    pub factory_defaults: FactoryDefaults,
    #[serde(default)]
    pub min_length: usize,
    #[serde(default)]
    pub max_length: Option<usize>,
    /// At least this many different classes among `classes`.
    #[serde(default)]
    pub min_classes: usize,
    #[serde(default)]
    pub classes: Vec<CharClass>,
    /// When set, the only classes a password may contain.
    #[serde(default)]
    pub allowed: Option<Vec<CharClass>>,
    /// Characters that may not occur.
    #[serde(default)]
    pub forbidden: String,
    /// Common weak passwords of the vendor's users that satisfy the rules, in try order.
    #[serde(default)]
    pub weak: Vec<String>,
    #[serde(default = "admin")]
    pub weak_user: String,
    pub source: String,
    #[serde(default)]
    pub weak_source: String,
}

fn admin() -> String {
    "admin".into()
}

impl PasswordPolicy {
    /// Is the policy narrower than its vendor (a brand or model line)?
    pub fn is_scoped(&self) -> bool {
        self.brand.is_some() || self.models.is_some()
    }

    /// Does the policy govern `protocol` on a device of `vendor`/`brand`/`model`?
    pub fn governs(
        &self,
        vendor: &str,
        brand: Option<&str>,
        model: Option<&str>,
        protocol: &str,
    ) -> bool {
        let brand_ok = self
            .brand
            .as_deref()
            .is_some_and(|b| brand.is_some_and(|x| x.eq_ignore_ascii_case(b)));
        let model_ok = self
            .models
            .as_ref()
            .is_some_and(|p| model.is_some_and(|m| p.is_match(m)));
        self.vendor == vendor
            && (!self.is_scoped() || brand_ok || model_ok)
            && self
                .protocols
                .as_ref()
                .is_none_or(|p| p.iter().any(|x| x == protocol))
    }

    /// Could the device's account have this password?
    pub fn allows(&self, password: &str) -> bool {
        let len = password.chars().count();
        if len < self.min_length || self.max_length.is_some_and(|m| len > m) {
            return false;
        }
        if password.chars().any(|c| self.forbidden.contains(c)) {
            return false;
        }
        if let Some(allowed) = &self.allowed
            && !password
                .chars()
                .all(|c| allowed.iter().any(|k| k.contains(c)))
        {
            return false;
        }
        let kinds = self
            .classes
            .iter()
            .filter(|k| password.chars().any(|c| k.contains(c)))
            .count();
        kinds >= self.min_classes
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    schema: u32,
    #[serde(default)]
    #[expect(
        dead_code,
        reason = "read by serde to check the file's shape; the loader checks schema only"
    )]
    version: String,
    #[serde(default)]
    policy: Vec<PasswordPolicy>,
}

/// Parse and check `password-policy.toml`.
pub(crate) fn parse(text: &str, schema: u32) -> Result<Vec<PasswordPolicy>, String> {
    let f: PolicyFile =
        toml::from_str(text).map_err(|e| format!("assess/password-policy.toml: {e}"))?;
    if f.schema > schema {
        return Err(format!(
            "assess/password-policy.toml has a newer schema than this camguard understands ({schema}); upgrade camguard"
        ));
    }
    for (i, p) in f.policy.iter().enumerate() {
        let bad = |m: &str| {
            Err(format!(
                "assess/password-policy.toml: policy #{} ({}{}): {m}",
                i + 1,
                p.vendor,
                p.brand
                    .as_deref()
                    .map(|b| format!("/{b}"))
                    .unwrap_or_default()
            ))
        };
        if p.vendor.is_empty() || p.vendor == "*" {
            return bad("vendor must be a vendor id");
        }
        if p.source.trim().is_empty() {
            return bad("source is empty");
        }
        if p.max_length.is_some_and(|m| m < p.min_length) {
            return bad("max_length is below min_length");
        }
        if p.min_classes > p.classes.len() {
            return bad("min_classes exceeds the classes listed");
        }
        if let Some(w) = p.weak.iter().find(|w| !p.allows(w)) {
            return bad(&format!(
                "weak password {w:?} breaks the policy's own rules"
            ));
        }
        if !p.weak.is_empty() && p.weak_source.trim().is_empty() {
            return bad("weak passwords need a weak_source");
        }
        if let Some(ps) = &p.protocols
            && let Some(x) = ps
                .iter()
                .find(|x| !camguard_kb::assess::PROTOCOLS.contains(&x.as_str()))
        {
            return bad(&format!("unknown protocol {x:?}"));
        }
        let dup = f.policy[..i].iter().any(|q| {
            q.vendor == p.vendor
                && q.brand == p.brand
                && q.models.as_ref().map(Pattern::as_str) == p.models.as_ref().map(Pattern::as_str)
                && q.protocols == p.protocols
        });
        if dup {
            return bad("same vendor, brand and protocols as an earlier policy");
        }
    }
    Ok(f.policy)
}

/// The policy for `protocol` on a device of `vendor`/`brand`/`model`: a brand or model-line
/// policy before the vendor's.
pub fn for_device<'a>(
    policies: &'a [PasswordPolicy],
    vendor: Option<&str>,
    brand: Option<&str>,
    model: Option<&str>,
    protocol: &str,
) -> Option<&'a PasswordPolicy> {
    let vendor = vendor?;
    let matching: Vec<&PasswordPolicy> = policies
        .iter()
        .filter(|p| p.governs(vendor, brand, model, protocol))
        .collect();
    matching
        .iter()
        .find(|p| p.is_scoped())
        .or_else(|| matching.first())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMBEDDED: &str = include_str!("../../../kb/assess/password-policy.toml");

    fn embedded() -> Vec<PasswordPolicy> {
        parse(EMBEDDED, 1).unwrap()
    }

    #[test]
    fn embedded_rules_hold_as_published() {
        let p = embedded();
        let hik = for_device(&p, Some("hikvision"), None, None, "rtsp").unwrap();
        assert!(hik.brand.is_none());
        assert!(!hik.allows("12345"), "5 characters");
        assert!(!hik.allows("12345678"), "one kind of character");
        assert!(hik.allows("admin12345"));
        assert!(!hik.allows("abcdefgh12345678X"), "17 characters");
        let dahua = for_device(&p, Some("dahua"), None, None, "http").unwrap();
        assert!(!dahua.allows("12345678"));
        assert!(dahua.allows("admin123"));
        assert!(!dahua.allows("admin;123"), "forbidden character");
        assert!(
            !dahua.allows("ADMINabc"),
            "upper and lower are one kind (letters)"
        );
        let tapo = for_device(&p, Some("tp-link"), Some("tapo"), None, "rtsp").unwrap();
        assert_eq!(tapo.factory_defaults, FactoryDefaults::None);
        assert!(!tapo.allows(""));
        assert!(tapo.allows("12345678"));
        assert!(
            for_device(&p, Some("tp-link"), Some("tapo"), None, "telnet").is_none(),
            "the camera account is RTSP/ONVIF"
        );
        let vigi = for_device(&p, Some("tp-link"), None, Some("VIGI C340"), "rtsp").unwrap();
        assert_eq!(
            vigi.brand.as_deref(),
            Some("vigi"),
            "by model when the brand is unknown"
        );
        assert_eq!(vigi.factory_defaults, FactoryDefaults::None);
        assert!(for_device(&p, Some("tp-link"), Some("vigi"), None, "rtsp").is_some());
        assert!(
            for_device(&p, Some("tp-link"), None, Some("TL-SC3171G"), "rtsp").is_none(),
            "older TP-Link cameras keep admin/admin"
        );
        assert!(for_device(&p, Some("tp-link"), None, None, "rtsp").is_none());
        let ezviz = for_device(&p, Some("hikvision"), Some("EZVIZ"), None, "rtsp").unwrap();
        assert_eq!(
            ezviz.brand.as_deref(),
            Some("ezviz"),
            "brand wins over vendor"
        );
        assert!(ezviz.allows("QWERTY"));
        assert!(!ezviz.allows("12345678") && !ezviz.allows("qwerty"));
        assert!(for_device(&p, Some("axis"), None, None, "http").is_none());
        assert!(for_device(&p, None, None, None, "http").is_none());
        // The telnet root accounts of the firmware are not the user account.
        assert!(for_device(&p, Some("dahua"), None, None, "telnet").is_none());
    }

    #[test]
    fn rejects_inconsistent_policies() {
        let head = "schema = 1\n[[policy]]\nvendor = \"dahua\"\nfactory_defaults = \"legacy\"\nsource = \"s\"\n";
        assert!(parse(head, 1).is_ok());
        let e = parse(
            &format!("{head}min_length = 8\nweak = [\"1234\"]\nweak_source = \"w\"\n"),
            1,
        );
        assert!(e.unwrap_err().contains("breaks the policy's own rules"));
        let e = parse(&format!("{head}weak = [\"abc\"]\n"), 1);
        assert!(e.unwrap_err().contains("weak_source"));
        let e = parse(&format!("{head}min_length = 9\nmax_length = 8\n"), 1);
        assert!(e.unwrap_err().contains("max_length"));
        let e = parse(&format!("{head}protocols = [\"gopher\"]\n"), 1);
        assert!(e.unwrap_err().contains("unknown protocol"));
        let e = parse(&format!("{head}{}", &head[11..]), 1);
        assert!(e.unwrap_err().contains("same vendor"));
        assert!(
            parse("schema = 2\n", 1)
                .unwrap_err()
                .contains("newer schema")
        );
        assert!(parse(&head.replace("\"legacy\"", "\"maybe\""), 1).is_err());
    }
}
