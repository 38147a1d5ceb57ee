//! `assess/credentials.toml`: default and common weak credentials (findings
//! `default-credential:<proto>`).
//!
//! Try order (the file's contract): the identified vendor's pairs by `priority`, then the
//! generic `*` pairs by `priority`; only pairs that apply to the protocol; a pair already in the
//! list is not repeated. The attempt budget of the scan profile cuts the list.

use super::{PROTOCOLS, entries, raw_str, vendor_known};
use crate::{KbError, Vendor};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    /// Vendor id of `vendors.toml`, or `*` for a generic pair tried on any device.
    pub vendor: String,
    pub username: String,
    /// `""` is an empty password.
    pub password: String,
    /// Protocols the pair applies to (values of [`PROTOCOLS`]); `None` = every protocol.
    #[serde(default)]
    pub protocols: Option<Vec<String>>,
    /// Try order inside the vendor (1 first).
    pub priority: u32,
    #[serde(default)]
    pub note: String,
    /// The public document the pair comes from.
    pub source: String,
}

impl Credential {
    pub fn is_generic(&self) -> bool {
        self.vendor == "*"
    }

    /// Does the pair apply to `protocol` (`http`, `rtsp`, …)?
    pub fn applies_to(&self, protocol: &str) -> bool {
        self.protocols
            .as_ref()
            .is_none_or(|p| p.iter().any(|x| x == protocol))
    }

    fn label(&self, n: usize) -> String {
        format!(
            "credential #{n} (vendor {:?}, user {:?})",
            self.vendor, self.username
        )
    }
}

/// The pairs to try for `protocol` on a device of `vendor` (`None` = unknown vendor), in order:
/// the vendor's own pairs by priority, then the generic `*` pairs by priority, skipping a
/// user/password pair already listed.
pub fn for_vendor<'a>(
    creds: &'a [Credential],
    vendor: Option<&str>,
    protocol: &str,
) -> Vec<&'a Credential> {
    let mut own: Vec<&Credential> = match vendor {
        Some(v) if v != "*" => creds
            .iter()
            .filter(|c| c.vendor == v && c.applies_to(protocol))
            .collect(),
        _ => Vec::new(),
    };
    own.sort_by_key(|c| c.priority);
    let mut generic: Vec<&Credential> = creds
        .iter()
        .filter(|c| c.is_generic() && c.applies_to(protocol))
        .collect();
    generic.sort_by_key(|c| c.priority);
    let mut out = own;
    for g in generic {
        if !out
            .iter()
            .any(|c| c.username == g.username && c.password == g.password)
        {
            out.push(g);
        }
    }
    out
}

pub(crate) fn parse(file: &str, text: &str) -> Result<Vec<Credential>, KbError> {
    let creds: Vec<Credential> = entries(file, text, "credential", |t, n| {
        format!(
            "credential #{n} (vendor {:?}, user {:?})",
            raw_str(t, "vendor").unwrap_or("?"),
            raw_str(t, "username").unwrap_or("?")
        )
    })?;
    let mut pairs: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let mut ranks: HashMap<(&str, u32), usize> = HashMap::new();
    for (i, c) in creds.iter().enumerate() {
        let n = i + 1;
        let bad = |msg: String| KbError::invalid(file, format!("{}: {msg}", c.label(n)));
        if c.vendor.trim().is_empty() {
            return Err(bad("vendor is empty (use \"*\" for a generic pair)".into()));
        }
        for (field, value) in [("username", &c.username), ("password", &c.password)] {
            if value.chars().any(char::is_control) {
                return Err(bad(format!("{field} holds a control character")));
            }
        }
        if let Some(protocols) = &c.protocols {
            if protocols.is_empty() {
                return Err(bad(
                    "protocols = [] would never be tried; omit it to mean every protocol".into(),
                ));
            }
            for (k, p) in protocols.iter().enumerate() {
                if !PROTOCOLS.contains(&p.as_str()) {
                    return Err(bad(format!(
                        "unknown protocol {p:?} (known: {})",
                        PROTOCOLS.join(", ")
                    )));
                }
                if protocols[..k].contains(p) {
                    return Err(bad(format!("protocol {p:?} listed twice")));
                }
            }
        }
        if c.priority == 0 {
            return Err(bad("priority must be 1 or more (1 is tried first)".into()));
        }
        if c.source.trim().is_empty() {
            return Err(bad(
                "source is empty: name the public document the pair comes from".into(),
            ));
        }
        if let Some(prev) = pairs.insert((&c.vendor, &c.username, &c.password), n) {
            return Err(bad(format!(
                "same vendor, user and password as credential #{prev}"
            )));
        }
        if let Some(prev) = ranks.insert((&c.vendor, c.priority), n) {
            return Err(bad(format!(
                "priority {} is also given to credential #{prev} of the same vendor",
                c.priority
            )));
        }
    }
    Ok(creds)
}

pub(crate) fn validate_vendors(creds: &[Credential], vendors: &[Vendor]) -> Result<(), KbError> {
    for (i, c) in creds.iter().enumerate() {
        if !c.is_generic() && !vendor_known(vendors, &c.vendor) {
            return Err(KbError::invalid(
                super::CREDENTIALS_FILE,
                format!(
                    "{}: unknown vendor id {:?} (add it to vendors.toml, or use \"*\")",
                    c.label(i + 1),
                    c.vendor
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

    fn one(body: &str) -> Result<Vec<Credential>, KbError> {
        parse("assess/credentials.toml", &format!("schema = 1\n{body}"))
    }

    fn pairs(list: &[&Credential]) -> Vec<String> {
        list.iter()
            .map(|c| format!("{}:{}/{}", c.vendor, c.username, c.password))
            .collect()
    }

    #[test]
    fn embedded_credentials_load() {
        let kb = Kb::embedded().unwrap();
        assert!(kb.credentials.len() > 30, "{}", kb.credentials.len());
        let hik = kb
            .credentials
            .iter()
            .find(|c| c.vendor == "hikvision" && c.priority == 1)
            .unwrap();
        assert_eq!(
            (hik.username.as_str(), hik.password.as_str()),
            ("admin", "12345")
        );
        assert!(hik.protocols.is_none() && hik.applies_to("telnet"));
        let xm = kb
            .credentials
            .iter()
            .find(|c| c.vendor == "xiongmai" && c.username == "admin")
            .unwrap();
        assert_eq!(xm.password, "", "empty password");
        // The small default budget: generic priorities 1-10 apply to every protocol; the
        // Mirai root passwords (>= 20) are telnet-only.
        for c in kb.credentials.iter().filter(|c| c.is_generic()) {
            if c.priority <= 10 {
                assert!(
                    c.protocols.is_none(),
                    "generic #{} {}",
                    c.priority,
                    c.username
                );
            } else {
                assert!(
                    c.priority >= 20 && c.protocols.as_deref() == Some(&["telnet".to_string()][..])
                );
            }
        }
    }

    #[test]
    fn order_is_vendor_first_then_generic() {
        let kb = Kb::embedded().unwrap();
        let list = kb.credentials_for(Some("dahua"), "rtsp");
        let p = pairs(&list);
        assert_eq!(p[..2], ["dahua:admin/admin", "dahua:666666/666666"]);
        assert!(list[2..].iter().all(|c| c.is_generic()), "{p:?}");
        assert!(
            !p.contains(&"*:admin/admin".to_string()),
            "admin/admin is not tried twice: {p:?}"
        );
        assert!(
            !p.iter().any(|x| x.contains("vizxv")),
            "telnet-only pairs are not tried on RTSP"
        );
        assert_eq!(list.len(), 2 + 9);

        let telnet = pairs(&kb.credentials_for(Some("dahua"), "telnet"));
        assert_eq!(
            telnet[..5],
            [
                "dahua:admin/admin",
                "dahua:root/vizxv",
                "dahua:root/7ujMko0admin",
                "dahua:admin/7ujMko0admin",
                "dahua:root/7ujMko0vizxv"
            ]
        );
        assert!(
            telnet.contains(&"*:root/juantech".to_string()),
            "Mirai telnet pairs: {telnet:?}"
        );
        assert_eq!(
            telnet.last().unwrap(),
            "*:root/jvbzd",
            "highest generic priority last"
        );

        // Unknown vendor, or a vendor without pairs: the generic list only, by priority.
        let unknown = kb.credentials_for(None, "http");
        assert_eq!(unknown.len(), 10);
        assert!(unknown.windows(2).all(|w| w[0].priority < w[1].priority));
        assert_eq!(pairs(&unknown)[0], "*:admin/admin");
        assert_eq!(
            pairs(&kb.credentials_for(Some("milesight"), "http")),
            pairs(&unknown)
        );

        // Hikvision: its own two pairs, then the generic ones minus admin/12345.
        let hik = pairs(&kb.credentials_for(Some("hikvision"), "onvif"));
        assert_eq!(
            hik[..2],
            ["hikvision:admin/12345", "hikvision:admin/wbox123"]
        );
        assert!(!hik.contains(&"*:admin/12345".to_string()));
        let hik_ftp = pairs(&kb.credentials_for(Some("hikvision"), "ftp"));
        assert!(
            !hik_ftp.contains(&"hikvision:admin/wbox123".to_string()),
            "wbox123 is http/rtsp/onvif only"
        );
    }

    #[test]
    fn rejects_bad_entries() {
        let ok = "[[credential]]\nvendor = \"*\"\nusername = \"a\"\npassword = \"\"\npriority = 1\nsource = \"s\"\n";
        assert_eq!(one(ok).unwrap().len(), 1);
        let cases = [
            (
                ok.replace("priority = 1", "priority = 1\nprotocols = [\"smtp\"]"),
                "unknown protocol",
            ),
            (
                ok.replace("priority = 1", "priority = 1\nprotocols = []"),
                "protocols = []",
            ),
            (ok.replace("priority = 1", "priority = 0"), "priority"),
            (ok.replace("source = \"s\"", "source = \"\""), "source"),
            (
                ok.replace("priority = 1", "priority = 1\nprio = 2"),
                "unknown field",
            ),
            (
                ok.replace("password = \"\"", "password = \"a\\r\\nb\""),
                "control",
            ),
            (format!("{ok}{ok}"), "same vendor"),
            (
                format!("{ok}{}", ok.replace("username = \"a\"", "username = \"b\"")),
                "priority 1 is also",
            ),
        ];
        for (text, want) in cases {
            let err = one(&text).unwrap_err().to_string();
            assert!(
                err.contains("assess/credentials.toml")
                    && err.contains("credential #")
                    && err.contains(want),
                "{want}: {err}"
            );
        }
    }
}
