//! What the user chose: the profile, the opt-in check classes, and the bounds of one host's
//! assessment.

use crate::data::AssessData;
use camguard_probe::ProbeConfig;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// How much the assessment tries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// Few routes, two failed logins per protocol, no frame check.
    Quick,
    /// About twenty routes, four failed logins per protocol, frame check on answering streams.
    #[default]
    Default,
    /// Every route, four failed logins per 30-second window (paced), frame check.
    Thorough,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Quick => "quick",
            Profile::Default => "default",
            Profile::Thorough => "thorough",
        }
    }
}

impl FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "quick" => Ok(Profile::Quick),
            "default" => Ok(Profile::Default),
            "thorough" => Ok(Profile::Thorough),
            other => Err(format!(
                "unknown profile {other:?} (quick, default, thorough)"
            )),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Opt-in check classes. Default scans run none of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Intrusive {
    /// Six wrong passwords within 30 s on one protocol, then the working credential: the
    /// device may lock its logins for minutes (`no-login-lockout`).
    Lockout,
    /// CVE checks marked `intrusive` in `kb/assess/cves.toml` (they log in / open a session).
    Cve,
}

impl Intrusive {
    pub fn as_str(self) -> &'static str {
        match self {
            Intrusive::Lockout => "lockout",
            Intrusive::Cve => "cve",
        }
    }
}

impl FromStr for Intrusive {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "lockout" => Ok(Intrusive::Lockout),
            "cve" => Ok(Intrusive::Cve),
            other => Err(format!(
                "unknown intrusive check class {other:?} (lockout, cve)"
            )),
        }
    }
}

impl fmt::Display for Intrusive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one host is assessed.
#[derive(Clone, Debug)]
pub struct AssessOptions {
    pub profile: Profile,
    /// Most failed login attempts per protocol per device.
    pub credential_budget: usize,
    /// Least time between two login attempts on one protocol.
    pub attempt_interval: Duration,
    /// Opt-in check classes.
    pub intrusive: BTreeSet<Intrusive>,
    /// Put found passwords (and authorization headers) into evidence in clear.
    pub reveal_secrets: bool,
    /// Confirm open RTSP streams by receiving one RTP packet (SETUP + PLAY, at most 2 s).
    pub frame_check: bool,
    /// RTSP routes tried per port (besides the root and one random route).
    pub rtsp_routes: usize,
    pub probe: ProbeConfig,
    /// Upper bound of one host's assessment.
    pub deadline: Duration,
    /// Assess every host with an open port, not only those identified as camera systems
    /// (`--assess-all`; for testing against servers that are not cameras).
    pub assess_all: bool,
    /// The assessment's own data files (`assess/findings.toml`, `assess/http-endpoints.toml`);
    /// `None`: the embedded ones. For `--kb DIR`: `AssessData::with_overlay(DIR)`.
    pub data: Option<std::sync::Arc<AssessData>>,
}

impl AssessOptions {
    pub fn for_profile(p: Profile) -> Self {
        let probe = ProbeConfig::default();
        match p {
            Profile::Quick => AssessOptions {
                profile: p,
                credential_budget: 2,
                attempt_interval: Duration::from_millis(100),
                intrusive: BTreeSet::new(),
                reveal_secrets: false,
                frame_check: false,
                rtsp_routes: 5,
                probe,
                deadline: Duration::from_secs(30),
                assess_all: false,
                data: None,
            },
            Profile::Default => AssessOptions {
                profile: p,
                credential_budget: 4,
                attempt_interval: Duration::from_millis(250),
                intrusive: BTreeSet::new(),
                reveal_secrets: false,
                frame_check: true,
                rtsp_routes: 20,
                probe,
                deadline: Duration::from_secs(60),
                assess_all: false,
                data: None,
            },
            Profile::Thorough => AssessOptions {
                profile: p,
                credential_budget: 12,
                attempt_interval: Duration::from_secs(1),
                intrusive: BTreeSet::new(),
                reveal_secrets: false,
                frame_check: true,
                rtsp_routes: usize::MAX,
                probe,
                deadline: Duration::from_secs(240),
                assess_all: false,
                data: None,
            },
        }
    }
}

impl Default for AssessOptions {
    fn default() -> Self {
        AssessOptions::for_profile(Profile::Default)
    }
}
