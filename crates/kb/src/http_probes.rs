//! `http-probes.toml`: read-only vendor endpoints fetched once a host looks like a vendor.

use crate::KbError;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpProbe {
    /// Vendor id, or `*` for every web port.
    pub vendor: String,
    /// Path and query, starting with `/`.
    pub path: String,
    #[serde(default)]
    pub note: String,
    /// Only on these TCP ports (empty: every web port).
    #[serde(default)]
    pub ports: Vec<u16>,
    /// The answer is a UPnP device description: read its fields as `upnp.*` observations
    /// (skipped when the SSDP `LOCATION` already gave one).
    #[serde(default)]
    pub upnp: bool,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    probe: Vec<HttpProbe>,
}

pub(crate) fn parse(name: &str, text: &str) -> Result<Vec<HttpProbe>, KbError> {
    let f: File = toml::from_str(text).map_err(|e| KbError::invalid(name, e))?;
    for p in &f.probe {
        if !p.path.starts_with('/') || p.path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(KbError::invalid(
                name,
                format!(
                    "probe path {:?} must start with '/' and hold no spaces",
                    p.path
                ),
            ));
        }
    }
    Ok(f.probe)
}

/// The probes worth sending to a host that looks like `vendor`.
pub fn for_vendor<'a>(
    probes: &'a [HttpProbe],
    vendor: Option<&str>,
) -> impl Iterator<Item = &'a HttpProbe> {
    probes
        .iter()
        .filter(move |p| p.vendor == "*" || Some(p.vendor.as_str()) == vendor)
}
