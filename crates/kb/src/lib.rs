//! camguard's knowledge base.
//!
//! Knowledge that changes — which ports cameras use, vendor ids and CPE names, fingerprints —
//! lives in versioned TOML files under the repository's `kb/` directory. Every file there is
//! embedded into the binary at build time (see `build.rs`), and a user can lay a directory of
//! newer files over them without a new binary:
//!
//! * [`KbBuilder::overlay_dir`] (`--kb DIR`): a file with the same relative path replaces the
//!   embedded one, new files are added;
//! * [`KbBuilder::fingerprint_dir`] (`--fingerprints DIR`): every `*.toml` in it adds rules.
//!
//! Each file carries `schema` (the format version this code understands) and `version` (the
//! data's own version); a file with a newer schema than this binary knows is refused.

#![forbid(clippy::print_stdout, clippy::print_stderr)]

pub mod assess;
pub mod fingerprint;
pub mod http_probes;
pub mod ports;
pub mod vendors;
pub mod words;

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use assess::{Clause, Credential, Cve, LatestFirmware, RtspRoute};
pub use fingerprint::FingerprintRule;
pub use http_probes::HttpProbe;
pub use ports::{PortEntry, PortTable};
pub use vendors::Vendor;

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// Every embedded data file, as (path relative to `kb/`, content).
pub fn embedded_files() -> impl Iterator<Item = (&'static str, &'static str)> {
    EMBEDDED.iter().copied()
}

/// The newest data-file schema this binary understands.
pub const SCHEMA: u32 = 1;

/// A knowledge-base error: which file, and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum KbError {
    #[error("cannot read knowledge-base file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("knowledge-base file {file}: {message}")]
    Invalid { file: String, message: String },
    #[error(
        "knowledge-base file {file} has schema {found}, newer than this camguard understands ({SCHEMA}); upgrade camguard"
    )]
    SchemaTooNew { file: String, found: u32 },
}

impl KbError {
    pub(crate) fn invalid(file: &str, message: impl ToString) -> Self {
        KbError::Invalid {
            file: file.to_string(),
            message: message.to_string(),
        }
    }
}

/// Where a data file came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Embedded,
    File(PathBuf),
}

/// One loaded data file, for `camguard kb` and for the scan header.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Path relative to the knowledge-base root, e.g. `fingerprints/hikvision.toml`.
    pub name: String,
    pub version: String,
    pub sha256: String,
    pub origin: Origin,
}

/// The loaded knowledge base.
#[derive(Clone, Debug)]
pub struct Kb {
    pub ports: PortTable,
    pub vendors: Vec<Vendor>,
    pub fingerprints: Vec<FingerprintRule>,
    pub http_probes: Vec<HttpProbe>,
    /// `assess/credentials.toml`, in file order.
    pub credentials: Vec<Credential>,
    /// `assess/rtsp-routes.toml`, in file order.
    pub rtsp_routes: Vec<RtspRoute>,
    /// `assess/cves.toml`, in file order.
    pub cves: Vec<Cve>,
    /// `assess/firmware.toml`, in file order.
    pub firmware: Vec<LatestFirmware>,
    /// `assess/baseline.toml`, in file order.
    pub baseline: Vec<Clause>,
    pub sources: Vec<SourceFile>,
    /// The text of every loaded file (embedded or overlaid), by relative path, for data that
    /// other crates parse themselves (`assess/findings.toml`, `assess/http-endpoints.toml`).
    files: BTreeMap<String, String>,
}

/// Common header every data file carries.
#[derive(serde::Deserialize)]
struct Header {
    schema: u32,
    #[serde(default)]
    version: String,
}

impl Kb {
    /// The knowledge base built into this binary.
    pub fn embedded() -> Result<Kb, KbError> {
        KbBuilder::default().build()
    }

    pub fn builder() -> KbBuilder {
        KbBuilder::default()
    }

    /// The text of a loaded data file (after overlays), by path relative to the kb root.
    pub fn file(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }

    pub fn vendor(&self, id: &str) -> Option<&Vendor> {
        self.vendors.iter().find(|v| v.id == id)
    }
}

/// Assembles a [`Kb`] from the embedded files and any user directories.
#[derive(Default)]
pub struct KbBuilder {
    overlays: Vec<PathBuf>,
    fingerprint_dirs: Vec<PathBuf>,
}

impl KbBuilder {
    /// Lay the files of `dir` (same layout as `kb/`) over the embedded ones.
    #[must_use]
    pub fn overlay_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.overlays.push(dir.into());
        self
    }

    /// Add the fingerprint rules of every `*.toml` file in `dir`.
    #[must_use]
    pub fn fingerprint_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.fingerprint_dirs.push(dir.into());
        self
    }

    pub fn build(self) -> Result<Kb, KbError> {
        let mut files: BTreeMap<String, (String, Origin)> = EMBEDDED
            .iter()
            .map(|(name, text)| (name.to_string(), (text.to_string(), Origin::Embedded)))
            .collect();
        for dir in &self.overlays {
            for (rel, abs) in list_toml(dir, dir)? {
                let text = read(&abs)?;
                files.insert(rel, (text, Origin::File(abs)));
            }
        }
        for dir in &self.fingerprint_dirs {
            for (rel, abs) in list_toml(dir, dir)? {
                let text = read(&abs)?;
                files.insert(
                    format!("fingerprints/user/{rel}"),
                    (text, Origin::File(abs)),
                );
            }
        }

        let mut ports = None;
        let mut vendors = None;
        let mut fingerprints = Vec::new();
        let mut word_rules = Vec::new();
        let mut http_probes = Vec::new();
        let mut credentials = Vec::new();
        let mut rtsp_routes = Vec::new();
        let mut cves = Vec::new();
        let mut extra_cves: Vec<Cve> = Vec::new();
        let mut kev: Vec<KevEntry> = Vec::new();
        let mut firmware = Vec::new();
        let mut baseline = Vec::new();
        let mut sources = Vec::new();
        for (name, (text, origin)) in &files {
            let header: Header = toml::from_str(text).map_err(|e| KbError::invalid(name, e))?;
            if header.schema > SCHEMA {
                return Err(KbError::SchemaTooNew {
                    file: name.clone(),
                    found: header.schema,
                });
            }
            if name == "ports.toml" {
                ports = Some(PortTable::parse(name, text)?);
            } else if name == "vendors.toml" {
                vendors = Some(vendors::parse(name, text)?);
            } else if name == "http-probes.toml" {
                http_probes = http_probes::parse(name, text)?;
            } else if name.starts_with("fingerprints/") {
                fingerprints.extend(fingerprint::parse(name, text)?);
            } else if name.starts_with("identify/") {
                word_rules.extend(words::parse(name, text)?);
            } else if name == assess::CREDENTIALS_FILE {
                credentials = assess::credentials::parse(name, text)?;
            } else if name == assess::RTSP_ROUTES_FILE {
                rtsp_routes = assess::routes::parse(name, text)?;
            } else if name == assess::CVES_FILE {
                cves = assess::cves::parse(name, text)?;
            } else if name.starts_with("assess/cves-") && name.ends_with(".toml") {
                // Imported CVEs (`camguard kb import-nvd`) extend the curated file.
                extra_cves.extend(assess::cves::parse(name, text)?);
            } else if name == KEV_FILE {
                kev = parse_kev(name, text)?;
            } else if name == assess::FIRMWARE_FILE {
                firmware = assess::firmware::parse(name, text)?;
            } else if name == assess::BASELINE_FILE {
                baseline = assess::baseline::parse(name, text)?;
            } else {
                // Unknown files are kept and listed, not rejected.
            }
            sources.push(SourceFile {
                name: name.clone(),
                version: header.version,
                sha256: hex(&Sha256::digest(text.as_bytes())),
                origin: origin.clone(),
            });
        }
        // Curated entries win over imported ones with the same id.
        for c in extra_cves {
            if !cves.iter().any(|have: &Cve| have.id == c.id) {
                cves.push(c);
            }
        }
        for k in &kev {
            if let Some(c) = cves.iter_mut().find(|c| c.id == k.id) {
                c.kev = true;
                c.kev_added = Some(k.date_added.clone());
            }
        }
        // Device words and the maker dictionary come after the hand-written rules.
        // Word and maker rules come after the files' own rules; the list is built once, to its
        // size (it holds ~20,000 rules of a few hundred bytes each).
        fingerprints.reserve_exact(word_rules.len());
        fingerprints.extend(word_rules);
        fingerprints.shrink_to_fit();
        let kb = Kb {
            ports: ports.ok_or_else(|| KbError::invalid("ports.toml", "missing"))?,
            vendors: vendors.ok_or_else(|| KbError::invalid("vendors.toml", "missing"))?,
            fingerprints,
            http_probes,
            credentials,
            rtsp_routes,
            cves,
            firmware,
            baseline,
            sources,
            files: files.into_iter().map(|(k, (text, _))| (k, text)).collect(),
        };
        fingerprint::validate(&kb.fingerprints, &kb.vendors)?;
        assess::validate(&kb)?;
        Ok(kb)
    }
}

/// `assess/kev.toml`: CISA Known Exploited Vulnerabilities flags, written by
/// `camguard kb import-kev` and applied to the CVEs of the knowledge base.
pub const KEV_FILE: &str = "assess/kev.toml";

/// One entry of `assess/kev.toml`.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct KevEntry {
    pub id: String,
    pub date_added: String,
    #[serde(default)]
    pub vendor_project: String,
    #[serde(default)]
    pub product: String,
}

fn parse_kev(name: &str, text: &str) -> Result<Vec<KevEntry>, KbError> {
    #[derive(serde::Deserialize)]
    struct File {
        #[serde(default)]
        kev: Vec<KevEntry>,
    }
    let f: File = toml::from_str(text).map_err(|e| KbError::invalid(name, e))?;
    Ok(f.kev)
}

fn read(path: &Path) -> Result<String, KbError> {
    std::fs::read_to_string(path).map_err(|source| KbError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Every `*.toml` under `dir`, as (path relative to `root` with `/`, absolute path).
fn list_toml(root: &Path, dir: &Path) -> Result<Vec<(String, PathBuf)>, KbError> {
    let rd = std::fs::read_dir(dir).map_err(|source| KbError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for entry in rd {
        let path = entry
            .map_err(|source| KbError::Io {
                path: dir.to_path_buf(),
                source,
            })?
            .path();
        if path.is_dir() {
            out.extend(list_toml(root, &path)?);
        } else if path.extension().is_some_and(|e| e == "toml") {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, path));
        }
    }
    out.sort();
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_kb_loads() {
        let kb = Kb::embedded().unwrap();
        assert!(kb.ports.defaults().contains(&554));
        assert!(
            !kb.ports.defaults().contains(&2024),
            "2024 must never be a default port"
        );
        assert!(kb.vendor("hikvision").is_some());
        assert!(
            kb.sources
                .iter()
                .any(|s| s.name == "ports.toml" && s.sha256.len() == 64)
        );
    }

    #[test]
    fn overlay_replaces_and_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ports.toml"), "schema = 1\nversion = \"t\"\n[[port]]\nport = 554\nservice = \"rtsp\"\ndefault = true\n").unwrap();
        let kb = Kb::builder().overlay_dir(dir.path()).build().unwrap();
        assert_eq!(kb.ports.defaults(), vec![554]);

        std::fs::write(dir.path().join("ports.toml"), "schema = 99\n").unwrap();
        let err = Kb::builder().overlay_dir(dir.path()).build().unwrap_err();
        assert!(
            matches!(err, KbError::SchemaTooNew { found: 99, .. }),
            "{err}"
        );
    }

    #[test]
    fn broken_file_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("ports.toml"),
            "schema = 1\n[[port]]\nport = \"x\"\n",
        )
        .unwrap();
        let err = Kb::builder()
            .overlay_dir(dir.path())
            .build()
            .unwrap_err()
            .to_string();
        assert!(err.contains("ports.toml"), "{err}");
    }
}
