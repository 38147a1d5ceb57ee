//! What probing one port found, and the small vocabulary the flows share (port hints, hand-overs).

use camguard_model::Observation;

/// What probing one port found.
#[derive(Clone, Debug, Default)]
pub struct PortReport {
    pub port: u16,
    /// What the port actually spoke: `http`, `https`, `rtsp`, `onvif`, `telnet`, `ftp`, `ssh`,
    /// `<vendor>-sdk`, or `unknown` (connected, not recognised). `None`: could not connect.
    pub service: Option<String>,
    pub observations: Vec<Observation>,
    /// What went wrong or was notable, per step ("no reply to GET / within 2.0s", …).
    pub notes: Vec<String>,
}

/// Most notes kept per port.
const MAX_NOTES: usize = 32;
/// Most observations kept per port.
const MAX_OBSERVATIONS: usize = 512;

impl PortReport {
    /// Add an observation unless the same key and value are already there.
    pub(crate) fn add(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        if self.observations.len() >= MAX_OBSERVATIONS
            || self
                .observations
                .iter()
                .any(|o| o.key == key && o.value == value)
        {
            return;
        }
        self.observations
            .push(Observation::new(self.port, key, value));
    }

    pub(crate) fn extend(&mut self, obs: Vec<Observation>) {
        for o in obs {
            self.add(&o.key, o.value);
        }
    }

    pub(crate) fn note(&mut self, n: impl Into<String>) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(n.into());
        }
    }

    pub(crate) fn set_service(&mut self, s: &str) {
        self.service = Some(s.to_string());
    }

    /// Values of an observation key, in order.
    pub fn values<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.observations
            .iter()
            .filter(move |o| o.key == key)
            .map(|o| o.value.as_str())
    }

    /// First value of an observation key.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.observations
            .iter()
            .find(|o| o.key == key)
            .map(|o| o.value.as_str())
    }
}

/// The port hint of `kb/ports.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Hint {
    Http,
    Https,
    Onvif,
    Rtsp,
    Telnet,
    Ftp,
    Ssh,
    /// Vendor id, sanitised.
    Sdk(String),
    Rtmp,
    Unknown,
}

impl Hint {
    pub(crate) fn parse(s: &str) -> Hint {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "http" => Hint::Http,
            "https" => Hint::Https,
            "onvif" => Hint::Onvif,
            "rtsp" => Hint::Rtsp,
            "telnet" => Hint::Telnet,
            "ftp" => Hint::Ftp,
            "ssh" => Hint::Ssh,
            "rtmp" => Hint::Rtmp,
            other => match other.strip_prefix("sdk:") {
                Some(v) => {
                    let v: String = v
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .take(32)
                        .collect();
                    Hint::Sdk(if v.is_empty() { "vendor".into() } else { v })
                }
                None => Hint::Unknown,
            },
        }
    }
}

/// Where a flow hands over to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    Done,
    Http,
    Https,
    Rtsp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints() {
        assert_eq!(Hint::parse("sdk:hikvision"), Hint::Sdk("hikvision".into()));
        assert_eq!(Hint::parse("SDK:Da hua!"), Hint::Sdk("dahua".into()));
        assert_eq!(Hint::parse("sdk:"), Hint::Sdk("vendor".into()));
        assert_eq!(Hint::parse("HTTPS"), Hint::Https);
        assert_eq!(Hint::parse("gopher"), Hint::Unknown);
    }

    #[test]
    fn report_dedupes() {
        let mut r = PortReport {
            port: 80,
            ..Default::default()
        };
        r.add("k", "v");
        r.add("k", "v");
        r.add("k", "w");
        assert_eq!(r.values("k").collect::<Vec<_>>(), ["v", "w"]);
        assert_eq!(r.observations[0].port, 80);
    }
}
