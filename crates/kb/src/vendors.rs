//! `vendors.toml`: vendor ids of the scan-output contract and their CPE naming.

use crate::KbError;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub cpe_vendor: Option<String>,
    /// Template of the CPE product; `{model}` is replaced by the normalised model.
    #[serde(default)]
    pub cpe_product: Option<String>,
    #[serde(default)]
    pub brands: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    vendor: Vec<Vendor>,
}

pub(crate) fn parse(name: &str, text: &str) -> Result<Vec<Vendor>, KbError> {
    let f: File = toml::from_str(text).map_err(|e| KbError::invalid(name, e))?;
    for v in &f.vendor {
        let ok = !v.id.is_empty()
            && v.id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            return Err(KbError::invalid(
                name,
                format!(
                    "vendor id {:?} must be lower-case letters, digits and '-'",
                    v.id
                ),
            ));
        }
    }
    Ok(f.vendor)
}
