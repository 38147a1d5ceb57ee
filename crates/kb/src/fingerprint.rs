//! `fingerprints/*.toml`: rules that turn observations into vendor, brand, model, firmware,
//! device type and camera / not-camera evidence.
//!
//! ```toml
//! schema = 1
//! version = "2026.11.1"
//!
//! [[rule]]
//! id = "hikvision-http-server"          # unique across all files
//! key = "http.server"                   # observation key; a trailing `*` matches a prefix,
//!                                       #   a leading `*` a suffix (`*.scope`)
//! pattern = '^(?:Hikvision|DNVRS|DVRDVS)-Webs$'   # regex, always case-insensitive
//! vendor = "hikvision"                  # optional: platform vendor id a match points to
//! brand = "hilook"                      # optional: consumer / OEM brand (mapped to its vendor)
//! device_type = "camera"                # optional: camera | nvr | dvr | other
//! model = "${model}"                    # optional: template over the regex's captures
//! firmware = "${fw}"                    #   (`$1`, `${1}`, `$name`, `${name}`)
//! weight = 80                           # 1–100: how much a match says
//! camera = true                         # optional: true = camera evidence, false = evidence of
//!                                       #   a non-camera (web server, printer, router, …)
//! ports = [8899]                        # optional: only observations from these ports
//! absent = ["http.server"]              # optional: only when no observation with one of these
//!                                       #   keys was seen on the same port
//! requires = ["other-rule-id"]          # optional: only when all these rules also matched
//! unless = ["other-rule-id"]            # optional: only when none of these rules matched
//!                                       #   (on what the host said; not chained)
//! if_vendor = "hikvision"               # optional: only when the engine chose this vendor
//!                                       #   (such a rule may not set `vendor`)
//! source = "Rapid7 Recog xml/http_servers.xml"   # public provenance of the fact
//! examples = ["Hikvision-Webs"]          # optional: values quoted from the source; the
//!                                       #   pattern must match each
//! ```
//!
//! Besides the observation keys of `camguard_model::keys`, rules may use two keys the engine
//! makes up itself: `port.open` (one per open TCP port, value = the port number) and
//! `derived.model` (the model the engine chose, evaluated after the vendor is known; used for
//! model-number → device-type rules).

use crate::{KbError, Vendor};
use camguard_model::DeviceType;
use regex::Regex;
use serde::Deserialize;
use std::collections::HashSet;
use std::sync::Arc;

/// The key of the engine-made observation that carries the chosen model.
pub const DERIVED_MODEL_KEY: &str = "derived.model";

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: String,
    pub key: String,
    /// Shared: the rules one `identify/*.toml` entry makes (one per key) hold one copy.
    pub pattern: Arc<str>,
    #[serde(default)]
    pub vendor: Option<String>,
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub device_type: Option<DeviceType>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub firmware: Option<String>,
    #[serde(default = "default_weight")]
    pub weight: u8,
    #[serde(default)]
    pub camera: Option<bool>,
    /// Only observations from these ports (empty: any port).
    #[serde(default)]
    pub ports: Vec<u16>,
    /// Only when no observation with one of these keys was seen on the match's port.
    #[serde(default)]
    pub absent: Vec<String>,
    /// Only when every rule listed here also matched on the host.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Only when none of the rules listed here matched on the host (evaluated once, on every
    /// rule that matched an observation, before `requires` drops any).
    #[serde(default)]
    pub unless: Vec<String>,
    /// Only when the engine chose this vendor; evaluated after the vendor choice.
    #[serde(default)]
    pub if_vendor: Option<String>,
    #[serde(default = "no_source")]
    pub source: Arc<str>,
    /// Values seen on real devices, quoted from `source`. The pattern must match each one (the
    /// file is refused otherwise), and the engine tests feed each one alone to the engine.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Rules of one group are one piece of camera evidence: however many of them fire (the same
    /// maker named in the title, the realm and the certificate), the camera score takes the
    /// strongest once. Set by `identify/*.toml` for a dual-use maker's `camera_hint`.
    #[serde(default)]
    pub group: Option<String>,
    /// A maker set's table (`identify/*.toml` `[[maker_set]]`): the maker the pattern's `maker`
    /// group matched, as [`maker_key`] writes it, → its vendor id. One rule names many makers.
    #[serde(skip)]
    pub makers: Option<Arc<std::collections::HashMap<String, String>>>,
}

/// A maker's name as a maker set looks it up: letters and digits only, lower case
/// (`Neo CoolCam`, `neo-coolcam` and `NEOCOOLCAM` are one maker).
pub fn maker_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn no_source() -> Arc<str> {
    Arc::from("")
}

fn default_weight() -> u8 {
    50
}

/// A compiled fingerprint rule.
#[derive(Clone, Debug)]
pub struct FingerprintRule {
    pub raw: RawRule,
    /// Shared by every rule made from one entry (a word list or a maker gives one rule per key):
    /// a `Regex` clone would get its own cache pool, one more per thread that runs it.
    pub regex: Arc<Regex>,
    /// File the rule came from.
    pub file: String,
}

impl FingerprintRule {
    /// Does this rule look at observations with `key`?
    pub fn applies_to(&self, key: &str) -> bool {
        if let Some(prefix) = self.raw.key.strip_suffix('*') {
            key.starts_with(prefix)
        } else if let Some(suffix) = self.raw.key.strip_prefix('*') {
            key.ends_with(suffix)
        } else {
            key == self.raw.key
        }
    }

    /// Does this rule look at observations from `port`?
    pub fn applies_to_port(&self, port: u16) -> bool {
        self.raw.ports.is_empty() || self.raw.ports.contains(&port)
    }

    /// Is the rule's key a glob (`http.header.*` prefix or `*.scope` suffix)?
    pub fn is_prefix(&self) -> bool {
        self.raw.key.ends_with('*') || self.raw.key.starts_with('*')
    }

    /// Is this a rule evaluated after the vendor choice (`if_vendor` or `derived.model`)?
    pub fn is_second_phase(&self) -> bool {
        self.raw.if_vendor.is_some() || self.raw.key == DERIVED_MODEL_KEY
    }
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    rule: Vec<RawRule>,
}

pub(crate) fn parse(name: &str, text: &str) -> Result<Vec<FingerprintRule>, KbError> {
    let f: File = toml::from_str(text).map_err(|e| KbError::invalid(name, e))?;
    f.rule
        .into_iter()
        .map(|raw| {
            if raw.id.trim().is_empty() {
                return Err(KbError::invalid(name, "a rule has an empty id"));
            }
            if raw.key.trim().is_empty() || raw.key.trim_matches('*').is_empty() || (raw.key.starts_with('*') && raw.key.ends_with('*')) {
                return Err(KbError::invalid(name, format!("rule {}: key must name an observation key", raw.id)));
            }
            if raw.weight == 0 || raw.weight > 100 {
                return Err(KbError::invalid(name, format!("rule {}: weight must be 1–100", raw.id)));
            }
            if raw.vendor.is_some() && raw.if_vendor.is_some() {
                return Err(KbError::invalid(name, format!("rule {}: set either vendor or if_vendor, not both", raw.id)));
            }
            let regex = regex::RegexBuilder::new(&raw.pattern)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| KbError::invalid(name, format!("rule {}: bad pattern: {e}", raw.id)))?;
            if let Some(e) = raw.examples.iter().find(|e| !regex.is_match(e)) {
                return Err(KbError::invalid(name, format!("rule {}: pattern does not match its example {e:?}", raw.id)));
            }
            for (field, template) in [("model", &raw.model), ("firmware", &raw.firmware), ("brand", &raw.brand)] {
                if let Some(t) = template {
                    check_template(&regex, t)
                        .map_err(|group| KbError::invalid(name, format!("rule {}: {field} template names capture {group:?} the pattern does not have", raw.id)))?;
                }
            }
            Ok(FingerprintRule { raw, regex: Arc::new(regex), file: name.to_string() })
        })
        .collect()
}

/// Every `$1`, `${1}`, `$name`, `${name}` of a template must be a capture group of the regex.
fn check_template(regex: &Regex, template: &str) -> Result<(), String> {
    let names: HashSet<&str> = regex.capture_names().flatten().collect();
    let groups = regex.captures_len();
    let bytes = template.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        i += 1;
        if i < bytes.len() && bytes[i] == b'$' {
            i += 1; // `$$` is a literal dollar
            continue;
        }
        let braced = i < bytes.len() && bytes[i] == b'{';
        if braced {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        let group = &template[start..i];
        if braced {
            if i >= bytes.len() || bytes[i] != b'}' {
                return Err(template[start..].to_string());
            }
            i += 1;
        }
        if group.is_empty() {
            continue;
        }
        let ok = match group.parse::<usize>() {
            Ok(n) => n < groups,
            Err(_) => names.contains(group),
        };
        if !ok {
            return Err(group.to_string());
        }
    }
    Ok(())
}

/// Cross-file checks: unique ids, known vendor ids, known brands, `requires` and `unless` name
/// real rules.
pub(crate) fn validate(rules: &[FingerprintRule], vendors: &[Vendor]) -> Result<(), KbError> {
    let mut seen = HashSet::new();
    for r in rules {
        if !seen.insert(r.raw.id.as_str()) {
            return Err(KbError::invalid(
                &r.file,
                format!("duplicate rule id {}", r.raw.id),
            ));
        }
    }
    for r in rules {
        let set_vendors = r.raw.makers.iter().flat_map(|m| m.values());
        for v in r
            .raw
            .vendor
            .iter()
            .chain(r.raw.if_vendor.iter())
            .chain(set_vendors)
        {
            if !vendors.iter().any(|known| &known.id == v) {
                return Err(KbError::invalid(
                    &r.file,
                    format!(
                        "rule {}: unknown vendor id {v:?} (add it to vendors.toml)",
                        r.raw.id
                    ),
                ));
            }
        }
        // A brand given without a vendor must be listed under exactly one vendor, so that the
        // engine can map it to its platform vendor. Brands with a template are not checked.
        if let (Some(b), None) = (&r.raw.brand, &r.raw.vendor)
            && !b.contains('$')
            && !vendors
                .iter()
                .any(|v| v.brands.iter().any(|x| x.eq_ignore_ascii_case(b)))
        {
            return Err(KbError::invalid(
                &r.file,
                format!(
                    "rule {}: brand {b:?} is listed under no vendor in vendors.toml",
                    r.raw.id
                ),
            ));
        }
        if let (Some(b), Some(v)) = (&r.raw.brand, &r.raw.vendor) {
            let listed = vendors
                .iter()
                .find(|x| &x.id == v)
                .is_some_and(|x| x.brands.iter().any(|y| y.eq_ignore_ascii_case(b)));
            if !b.contains('$') && !listed {
                return Err(KbError::invalid(
                    &r.file,
                    format!(
                        "rule {}: brand {b:?} is not listed under vendor {v:?} in vendors.toml",
                        r.raw.id
                    ),
                ));
            }
        }
        // `requires` and `unless` both name other rules of the knowledge base.
        for (list, verb) in [
            (&r.raw.requires, "requires"),
            (&r.raw.unless, "unless names"),
        ] {
            for req in list {
                if !seen.contains(req.as_str()) {
                    return Err(KbError::invalid(
                        &r.file,
                        format!("rule {}: {verb} unknown rule {req:?}", r.raw.id),
                    ));
                }
                if req == &r.raw.id {
                    return Err(KbError::invalid(
                        &r.file,
                        format!("rule {}: {verb} itself", r.raw.id),
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Result<Vec<FingerprintRule>, KbError> {
        parse("fingerprints/t.toml", &format!("schema = 1\n{text}"))
    }

    #[test]
    fn unless_must_name_another_real_rule() {
        let ok = one("[[rule]]\nid = \"a\"\nkey = \"k\"\npattern = \"x\"\n[[rule]]\nid = \"b\"\nkey = \"k\"\npattern = \"y\"\nunless = [\"a\"]\n").unwrap();
        assert!(validate(&ok, &[]).is_ok());
        let unknown =
            one("[[rule]]\nid = \"b\"\nkey = \"k\"\npattern = \"y\"\nunless = [\"nope\"]\n")
                .unwrap();
        assert!(
            validate(&unknown, &[])
                .unwrap_err()
                .to_string()
                .contains("unless names unknown rule")
        );
        let itself =
            one("[[rule]]\nid = \"b\"\nkey = \"k\"\npattern = \"y\"\nunless = [\"b\"]\n").unwrap();
        assert!(
            validate(&itself, &[])
                .unwrap_err()
                .to_string()
                .contains("unless names itself")
        );
    }

    #[test]
    fn an_example_the_pattern_does_not_match_refuses_the_file() {
        let rule = |example: &str| {
            one(&format!(
                "[[rule]]\nid = \"a\"\nkey = \"http.server\"\npattern = '^GS-Webs$'\nexamples = [\"{example}\"]\n"
            ))
        };
        assert_eq!(
            rule("GS-Webs").unwrap()[0].raw.examples,
            vec!["GS-Webs".to_string()]
        );
        let err = rule("GoAhead-Webs").unwrap_err().to_string();
        assert!(
            err.contains("does not match its example \"GoAhead-Webs\""),
            "{err}"
        );
    }

    #[test]
    fn parses_extended_fields() {
        let rules = one(r#"
[[rule]]
id = "a"
key = "http.title"
pattern = '^WEB SERVICE$'
vendor = "dahua"
ports = [80, 8080]
absent = ["http.server"]
camera = true
weight = 70
"#)
        .unwrap();
        let r = &rules[0];
        assert!(r.applies_to("http.title"));
        assert!(!r.applies_to("http.body"));
        assert!(r.applies_to_port(8080));
        assert!(!r.applies_to_port(81));
        assert_eq!(r.raw.absent, vec!["http.server".to_string()]);
        assert!(
            r.regex.is_match("web service"),
            "patterns are case-insensitive"
        );
        assert!(!r.is_second_phase());
    }

    #[test]
    fn prefix_keys_and_second_phase() {
        let rules = one(r#"
[[rule]]
id = "p"
key = "http.header.*"
pattern = 'x'
[[rule]]
id = "d"
key = "derived.model"
pattern = '^DS-7\d{3}N'
device_type = "nvr"
if_vendor = "hikvision"
"#)
        .unwrap();
        assert!(rules[0].is_prefix());
        assert!(rules[0].applies_to("http.header.x-powered-by"));
        let s = one("[[rule]]\nid = \"s\"\nkey = \"*.scope\"\npattern = \"x\"\n").unwrap();
        assert!(
            s[0].applies_to("wsd.scope")
                && s[0].applies_to("onvif.scope")
                && !s[0].applies_to("wsd.types")
        );
        assert!(rules[1].is_second_phase());
        assert_eq!(rules[1].raw.device_type, Some(DeviceType::Nvr));
    }

    #[test]
    fn rejects_bad_rules() {
        assert!(one("[[rule]]\nid = \"w\"\nkey = \"k\"\npattern = \"x\"\nweight = 0\n").is_err());
        assert!(one("[[rule]]\nid = \"w\"\nkey = \"k\"\npattern = \"(\"\n").is_err());
        assert!(one("[[rule]]\nid = \"w\"\nkey = \"\"\npattern = \"x\"\n").is_err());
        assert!(one("[[rule]]\nid = \"w\"\nkey = \"k\"\npattern = \"x\"\nvendor = \"a\"\nif_vendor = \"a\"\n").is_err());
        assert!(
            one("[[rule]]\nid = \"w\"\nkey = \"k\"\npattern = \"x\"\nunknown_field = 1\n").is_err()
        );
        let err =
            one("[[rule]]\nid = \"w\"\nkey = \"k\"\npattern = '(?P<m>x)'\nmodel = '${nope}'\n")
                .unwrap_err()
                .to_string();
        assert!(err.contains("nope"), "{err}");
        assert!(one("[[rule]]\nid = \"w\"\nkey = \"k\"\npattern = '(x)'\nmodel = '$2'\n").is_err());
        assert!(
            one(
                "[[rule]]\nid = \"w\"\nkey = \"k\"\npattern = '(?P<m>x)(y)'\nmodel = '${m} $2 $$'\n"
            )
            .is_ok()
        );
    }

    #[test]
    fn validate_checks_vendors_brands_and_requires() {
        let vendors = vec![Vendor {
            id: "dahua".into(),
            name: "Dahua".into(),
            cpe_vendor: None,
            cpe_product: None,
            brands: vec!["imou".into()],
        }];
        let ok = one("[[rule]]\nid = \"a\"\nkey = \"k\"\npattern = \"x\"\nbrand = \"imou\"\n[[rule]]\nid = \"b\"\nkey = \"k\"\npattern = \"y\"\nrequires = [\"a\"]\n").unwrap();
        validate(&ok, &vendors).unwrap();
        let bad_vendor =
            one("[[rule]]\nid = \"a\"\nkey = \"k\"\npattern = \"x\"\nvendor = \"nope\"\n").unwrap();
        assert!(validate(&bad_vendor, &vendors).is_err());
        let bad_brand =
            one("[[rule]]\nid = \"a\"\nkey = \"k\"\npattern = \"x\"\nbrand = \"nobrand\"\n")
                .unwrap();
        assert!(validate(&bad_brand, &vendors).is_err());
        let bad_req =
            one("[[rule]]\nid = \"a\"\nkey = \"k\"\npattern = \"x\"\nrequires = [\"zzz\"]\n")
                .unwrap();
        assert!(validate(&bad_req, &vendors).is_err());
        let dup = one("[[rule]]\nid = \"a\"\nkey = \"k\"\npattern = \"x\"\n[[rule]]\nid = \"a\"\nkey = \"k\"\npattern = \"x\"\n").unwrap();
        assert!(validate(&dup, &vendors).is_err());
    }

    #[test]
    fn shipped_fingerprints_are_sound() {
        let kb = crate::Kb::embedded().unwrap();
        assert!(
            kb.fingerprints.len() > 200,
            "only {} rules",
            kb.fingerprints.len()
        );
        for r in &kb.fingerprints {
            assert!(
                !r.raw.source.trim().is_empty(),
                "rule {} has no source",
                r.raw.id
            );
        }
        // An empty value never says anything.
        for r in &kb.fingerprints {
            assert!(
                !r.regex.is_match(""),
                "rule {} matches an empty value",
                r.raw.id
            );
        }
        // A vendor SDK port (open, or even answering) is never enough on its own: such rules
        // stay below the engine's camera threshold (50).
        for r in kb.fingerprints.iter().filter(|r| {
            r.raw.camera == Some(true) && (r.raw.key == "port.open" || r.raw.key == "sdk.reply")
        }) {
            assert!(
                r.raw.weight < 50,
                "rule {} on {} weighs {}",
                r.raw.id,
                r.raw.key,
                r.raw.weight
            );
        }
        // Decoy rules never name a camera vendor.
        for r in kb
            .fingerprints
            .iter()
            .filter(|r| r.raw.camera == Some(false))
        {
            assert!(
                r.raw.vendor.is_none(),
                "non-camera rule {} names vendor {:?}",
                r.raw.id,
                r.raw.vendor
            );
        }
        // Every vendor id of the scan-output contract is known.
        for id in [
            "hikvision",
            "dahua",
            "xiongmai",
            "uniview",
            "axis",
            "hanwha",
            "tp-link",
            "reolink",
            "vivotek",
            "bosch",
            "avtech",
            "geovision",
            "foscam",
            "mobotix",
            "tvt",
            "milesight",
            "tiandy",
            "gwell",
            "generic-onvif",
        ] {
            assert!(
                kb.vendor(id).is_some(),
                "vendor {id} missing from vendors.toml"
            );
        }
    }
}
