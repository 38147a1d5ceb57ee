//! `ports.toml`: the camera port set and the protocol expected on each port.

use crate::KbError;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortEntry {
    pub port: u16,
    /// `http`, `https`, `rtsp`, `onvif`, `telnet`, `ftp`, `ssh`, `sdk:<vendor>`, `rtmp`, `unknown`.
    pub service: String,
    #[serde(default)]
    pub default: bool,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, Default)]
pub struct PortTable {
    pub entries: Vec<PortEntry>,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    port: Vec<PortEntry>,
}

impl PortTable {
    pub(crate) fn parse(name: &str, text: &str) -> Result<Self, KbError> {
        let f: File = toml::from_str(text).map_err(|e| KbError::invalid(name, e))?;
        for e in &f.port {
            if e.port == 0 {
                return Err(KbError::invalid(name, "port 0 is not a port"));
            }
        }
        Ok(PortTable { entries: f.port })
    }

    /// The default scan ports, in file order, without duplicates.
    pub fn defaults(&self) -> Vec<u16> {
        let mut out: Vec<u16> = Vec::new();
        for e in self.entries.iter().filter(|e| e.default) {
            if !out.contains(&e.port) {
                out.push(e.port);
            }
        }
        out
    }

    /// Every port the table knows.
    pub fn all(&self) -> Vec<u16> {
        let mut out: Vec<u16> = self.entries.iter().map(|e| e.port).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The service hint for a port (`unknown` when the table does not list it).
    pub fn service(&self, port: u16) -> &str {
        self.entries
            .iter()
            .find(|e| e.port == port)
            .map_or("unknown", |e| e.service.as_str())
    }
}
