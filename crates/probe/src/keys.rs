//! Observation keys: everything in [`camguard_model::keys`] plus the ones only this crate
//! produces.

pub use camguard_model::keys::*;
/// Negotiated TLS version (`TLSv1.2`, `TLSv1.3`).
pub const TLS_VERSION: &str = "tls.version";
/// Negotiated cipher suite (rustls name).
pub const TLS_CIPHER: &str = "tls.cipher";
/// The leaf certificate, DER, standard base64 (for later TLS checks).
pub const TLS_CERT_DER_B64: &str = "tls.cert.der_b64";
/// Validity bounds of the leaf certificate, RFC 3339.
pub const TLS_NOT_BEFORE: &str = "tls.not_before";
pub const TLS_NOT_AFTER: &str = "tls.not_after";
/// `true` when subject and issuer of the leaf certificate are the same name.
pub const TLS_SELF_SIGNED: &str = "tls.self_signed";
/// Status of the RTSP `OPTIONS` reply (`rtsp.status` is the `DESCRIBE` one).
pub const RTSP_OPTIONS_STATUS: &str = "rtsp.options_status";
/// POSIX TZ string from `GetSystemDateAndTime`.
pub const ONVIF_TIMEZONE: &str = "onvif.timezone";
/// `NTP` or `Manual`, from `GetSystemDateAndTime`.
pub const ONVIF_DATETIME_TYPE: &str = "onvif.datetime_type";
/// Prefix: `http.path_status.<path>` holds the status of a vendor endpoint fetched by path
/// (its body is `http.path.<path>`, recorded for 2xx replies only).
pub const HTTP_PATH_STATUS_PREFIX: &str = "http.path_status.";
/// WS-Discovery endpoint reference address (`urn:uuid:…`).
pub const WSD_ADDRESS: &str = "wsd.address";
