//! camguard's fingerprint engine: turns the observations probes made on one host into an
//! [`Identification`] (vendor, brand, model, firmware, device type, CPE, camera or not) with the
//! rule behind every conclusion.
//!
//! The knowledge is data: the rules of `kb/fingerprints/*.toml` (format in
//! `camguard_kb::fingerprint`). This crate only decides how evidence combines:
//!
//! * **Matching.** Every rule runs on every observation whose key it names (exact key, `x.*`
//!   prefix or `*.x` suffix), on the ports it allows, when none of its `absent` keys was seen on
//!   that port, all of its `requires` rules matched and none of its `unless` rules did. Open
//!   TCP ports become engine-made `port.open` observations (value = the port number). A rule
//!   counts once per host.
//! * **Vendor.** Weights of the rules pointing to a vendor (directly or through a brand listed
//!   in `vendors.toml`) combine with diminishing returns, `100·(1 − Π(1 − w/100))`. The highest
//!   score wins if it reaches [`VENDOR_THRESHOLD`] and rests on at least one rule that is not a
//!   bare `port.open`; `generic-onvif` wins only when no real vendor does.
//! * **Camera.** `camera = true` rules (vendor fingerprints specific to cameras and recorders,
//!   ONVIF answers, RTSP video) combine the same way; vendor hints without `camera = true`
//!   (titles, copyright lines, model prefixes) never count, and port-level rules (`port.open`,
//!   `sdk.reply`) count only next to a camera sign of another kind. A host is a camera when that
//!   score reaches [`CAMERA_THRESHOLD`] and beats the combined `camera = false` (decoy) score
//!   (a decoy rule of weight 100 therefore overrules any camera evidence).
//!   A host that is not a camera gets no vendor, brand, model, firmware or CPE.
//! * **Details.** Once the vendor is chosen, the `if_vendor` rules of that vendor run; model,
//!   firmware and brand come from the best-weighted extraction of a rule that is vendor-neutral
//!   or points to the chosen vendor; `derived.model` rules then run on the chosen model (device
//!   types from model numbers, model clean-ups such as `Tapo C200`). The device type with the
//!   largest summed weight wins; a camera with none is a `camera`.
//! * **Confidence** (0–100): for a vendor, its score minus half the runner-up's; with no vendor,
//!   the camera score of a camera or the decoy score of a non-camera.
//! * **CPE**: `cpe:2.3:o:<cpe_vendor>:<product>:<version>:*:*:*:*:*:*:*` when the vendor has a
//!   CPE naming in `vendors.toml` and model and a numeric firmware version are known; see
//!   [`normalize_firmware`] and [`normalize_model`].

#![forbid(clippy::print_stdout, clippy::print_stderr)]

mod cpe;
mod engine;
mod service;

pub use cpe::{cpe_for, escape_component, normalize_firmware, normalize_model};
pub use engine::{
    CAMERA_THRESHOLD, GENERIC_ONVIF, Identifier, MAX_MATCH_BYTES, VENDOR_THRESHOLD, noisy_or,
};

use camguard_kb::Kb;
use camguard_model::{Identification, Observation};

/// Identify one host from everything the probes observed on it and its open TCP ports.
pub fn identify(kb: &Kb, observations: &[Observation], open_tcp_ports: &[u16]) -> Identification {
    Identifier::new(kb).identify(observations, open_tcp_ports)
}

/// The service name of one open port, from what the port actually said (`http`, `https`,
/// `rtsp`, `onvif`, `telnet`, `ftp`, `ssh`, `ws-discovery`, `<vendor>-sdk`), falling back to
/// the port table's hint (`sdk:hikvision` → `hikvision-sdk`) and finally `unknown`.
pub fn service_for(kb: &Kb, port: u16, observations: &[Observation]) -> String {
    service::service_for(kb, port, observations)
}

#[cfg(test)]
mod tests;
