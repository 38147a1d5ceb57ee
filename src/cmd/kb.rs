//! `camguard kb`: show the knowledge base, install update bundles, import CISA KEV and NVD data.
//!
//! User updates live in the *user knowledge-base directory* (`$CAMGUARD_KB_HOME`, else
//! `$XDG_DATA_HOME/camguard/kb`, else `~/.local/share/camguard/kb`), laid over the embedded
//! files on every run, so a new fingerprint or CVE needs no new binary.

use crate::cli::{KbAction, KbArgs};
use crate::{exit, usage};
use anyhow::Context;
use camguard_kb::{Kb, Origin};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The user knowledge-base directory (may not exist).
pub fn user_kb_dir() -> Option<PathBuf> {
    crate::env::kb_home()
}

pub fn run(args: KbArgs) -> anyhow::Result<u8> {
    match args.action.unwrap_or(KbAction::Show { json: false }) {
        KbAction::Show { json } => show(&args.kb, json),
        KbAction::Install { file, sha256 } => install(&file, sha256.as_deref()),
        KbAction::Bundle {
            dir,
            output,
            version,
        } => bundle(dir.as_deref(), &output, &version),
        KbAction::ImportKev { file } => import_kev(&file),
        KbAction::ImportNvd { file } => import_nvd(&file),
        KbAction::Path => {
            match user_kb_dir() {
                Some(d) => println!("{}", d.display()),
                None => {
                    return Err(usage(
                        "no user knowledge-base directory: set CAMGUARD_KB_HOME",
                    ));
                }
            }
            Ok(exit::OK)
        }
    }
}

fn origin(o: &Origin) -> String {
    match o {
        Origin::Embedded => "embedded".to_string(),
        Origin::File(p) => p.display().to_string(),
    }
}

fn show(opts: &crate::cli::KbOpts, json: bool) -> anyhow::Result<u8> {
    let kb = super::load_kb(opts)?;
    if json {
        let files: Vec<_> = kb
            .sources
            .iter()
            .map(|s| serde_json::json!({"file": s.name, "version": s.version, "sha256": s.sha256, "origin": origin(&s.origin)}))
            .collect();
        let doc = serde_json::json!({
            "files": files,
            "fingerprint_rules": kb.fingerprints.len(),
            "vendors": kb.vendors.iter().map(|v| &v.id).collect::<Vec<_>>(),
            "default_ports": kb.ports.defaults(),
            "credentials": kb.credentials.len(),
            "rtsp_routes": kb.rtsp_routes.len(),
            "cves": kb.cves.len(),
            "kev": kb.cves.iter().filter(|c| c.kev).count(),
            "baseline_clauses": kb.baseline.len(),
            "user_dir": user_kb_dir().map(|d| d.display().to_string()),
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(exit::OK);
    }
    println!("{:<34} {:<12} {:<14} ORIGIN", "FILE", "VERSION", "SHA-256");
    for s in &kb.sources {
        println!(
            "{:<34} {:<12} {:<14} {}",
            s.name,
            s.version,
            &s.sha256[..12],
            origin(&s.origin)
        );
    }
    println!(
        "\n{} fingerprint rules, {} vendors, {} default ports, {} credentials, {} RTSP routes, {} CVEs ({} on CISA KEV), {} baseline clauses",
        kb.fingerprints.len(),
        kb.vendors.len(),
        kb.ports.defaults().len(),
        kb.credentials.len(),
        kb.rtsp_routes.len(),
        kb.cves.len(),
        kb.cves.iter().filter(|c| c.kev).count(),
        kb.baseline.len()
    );
    if let Some(d) = user_kb_dir() {
        println!(
            "user updates: {}{}",
            d.display(),
            if d.is_dir() { "" } else { " (none installed)" }
        );
    }
    Ok(exit::OK)
}

/// A knowledge-base update bundle: files of the kb/ layout with their checksums.
#[derive(Serialize, Deserialize)]
struct Bundle {
    #[expect(
        clippy::struct_field_names,
        reason = "the bundle format's marker field"
    )]
    camguard_kb_bundle: u32,
    version: String,
    created: String,
    /// Relative path → content.
    files: BTreeMap<String, String>,
    /// Relative path → SHA-256 (hex) of the content.
    sha256: BTreeMap<String, String>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn bundle(dir: Option<&Path>, output: &Path, version: &str) -> anyhow::Result<u8> {
    let mut files = BTreeMap::new();
    match dir {
        Some(d) => collect(d, d, &mut files)?,
        None => {
            for (name, text) in camguard_kb::embedded_files() {
                files.insert(name.to_string(), text.to_string());
            }
        }
    }
    if files.is_empty() {
        return Err(usage("the bundle would be empty"));
    }
    let sha256 = files
        .iter()
        .map(|(k, v)| (k.clone(), hex(&Sha256::digest(v.as_bytes()))))
        .collect();
    let b = Bundle {
        camguard_kb_bundle: 1,
        version: version.into(),
        created: camguard_scan::now_rfc3339(),
        files,
        sha256,
    };
    let data = serde_json::to_vec_pretty(&b)?;
    std::fs::write(output, &data).with_context(|| format!("writing {}", output.display()))?;
    println!("{}  {}", hex(&Sha256::digest(&data)), output.display());
    eprintln!(
        "bundle {version}: {} files; publish the SHA-256 above next to it",
        b.files.len()
    );
    Ok(exit::OK)
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))
        .map_err(usage)?
    {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(
                rel,
                std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?,
            );
        }
    }
    Ok(())
}

/// Validate files by loading them over the current user directory in a scratch copy, then
/// move them in. Nothing is half-written: a bad bundle leaves the installed files as they were.
fn install_files(files: &BTreeMap<String, String>) -> anyhow::Result<PathBuf> {
    let dest = user_kb_dir()
        .ok_or_else(|| usage("no user knowledge-base directory: set CAMGUARD_KB_HOME"))?;
    for name in files.keys() {
        let ok = !name.is_empty()
            && !name.starts_with('/')
            && name.ends_with(".toml")
            && name
                .split('/')
                .all(|c| !c.is_empty() && c != ".." && c != ".");
        if !ok {
            return Err(usage(format!(
                "refusing file name {name:?}: must be a relative path to a .toml file"
            )));
        }
    }
    let scratch = tempfile::tempdir().context("creating a scratch directory")?;
    if dest.is_dir() {
        let mut existing = BTreeMap::new();
        collect(&dest, &dest, &mut existing)?;
        write_all(scratch.path(), &existing)?;
    }
    write_all(scratch.path(), files)?;
    Kb::builder()
        .overlay_dir(scratch.path())
        .build()
        .map_err(|e| usage(format!("the update does not load, nothing installed: {e}")))?;
    write_all(&dest, files)?;
    Ok(dest)
}

fn write_all(dir: &Path, files: &BTreeMap<String, String>) -> anyhow::Result<()> {
    for (name, text) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        let tmp = path.with_extension("toml.part");
        std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("installing {}", path.display()))?;
    }
    Ok(())
}

fn install(file: &Path, expect: Option<&str>) -> anyhow::Result<u8> {
    let data = std::fs::read(file)
        .with_context(|| format!("reading {}", file.display()))
        .map_err(usage)?;
    let sum = hex(&Sha256::digest(&data));
    if let Some(want) = expect
        && !want.eq_ignore_ascii_case(&sum)
    {
        return Err(usage(format!(
            "{}: SHA-256 is {sum}, expected {want}; not installed",
            file.display()
        )));
    }
    let b: Bundle = serde_json::from_slice(&data).map_err(|e| {
        usage(format!(
            "{} is not a camguard kb bundle: {e}",
            file.display()
        ))
    })?;
    if b.camguard_kb_bundle != 1 {
        return Err(usage(format!(
            "bundle format {} is newer than this camguard understands",
            b.camguard_kb_bundle
        )));
    }
    for (name, text) in &b.files {
        let got = hex(&Sha256::digest(text.as_bytes()));
        if b.sha256.get(name) != Some(&got) {
            return Err(usage(format!(
                "bundle file {name}: checksum mismatch; the bundle is damaged, nothing installed"
            )));
        }
    }
    let dest = install_files(&b.files)?;
    eprintln!(
        "installed knowledge-base bundle {} ({} files, SHA-256 {sum}) into {}",
        b.version,
        b.files.len(),
        dest.display()
    );
    Ok(exit::OK)
}

/// Does a KEV vendorProject (or an NVD CPE vendor) name one of our vendors?
fn vendor_for(kb: &Kb, name: &str) -> Option<String> {
    let n = name.trim().to_ascii_lowercase().replace([' ', '_'], "-");
    kb.vendors
        .iter()
        .find(|v| {
            v.id == n
                || v.name
                    .to_ascii_lowercase()
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| w == n)
                || v.cpe_vendor
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(&n))
                || v.brands.iter().any(|b| b.eq_ignore_ascii_case(&n))
        })
        .map(|v| v.id.clone())
}

fn import_kev(file: &Path) -> anyhow::Result<u8> {
    #[derive(Deserialize)]
    struct Catalog {
        #[serde(default, rename = "catalogVersion")]
        catalog_version: String,
        vulnerabilities: Vec<Entry>,
    }
    #[derive(Deserialize)]
    struct Entry {
        #[serde(rename = "cveID")]
        cve_id: String,
        #[serde(default, rename = "vendorProject")]
        vendor_project: String,
        #[serde(default)]
        product: String,
        #[serde(default, rename = "dateAdded")]
        date_added: String,
    }
    let kb = super::load_kb(&Default::default())?;
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading {}", file.display()))
        .map_err(usage)?;
    let cat: Catalog = serde_json::from_str(&text).map_err(|e| {
        usage(format!(
            "{} is not a CISA KEV JSON catalog: {e}",
            file.display()
        ))
    })?;
    let mut entries = Vec::new();
    let (mut flagged, mut unknown) = (Vec::new(), Vec::new());
    for e in &cat.vulnerabilities {
        let known = kb.cves.iter().any(|c| c.id == e.cve_id);
        if vendor_for(&kb, &e.vendor_project).is_none() && !known {
            continue;
        }
        if known {
            flagged.push(e.cve_id.clone());
        } else {
            unknown.push(format!("{} ({} {})", e.cve_id, e.vendor_project, e.product));
        }
        entries.push(camguard_kb::KevEntry {
            id: e.cve_id.clone(),
            date_added: e.date_added.clone(),
            vendor_project: e.vendor_project.clone(),
            product: e.product.clone(),
        });
    }
    #[derive(Serialize)]
    struct Out<'a> {
        schema: u32,
        version: &'a str,
        kev: &'a [camguard_kb::KevEntry],
    }
    let version = if cat.catalog_version.is_empty() {
        "imported".to_string()
    } else {
        cat.catalog_version.clone()
    };
    let body = toml::to_string(&Out {
        schema: 1,
        version: &version,
        kev: &entries,
    })?;
    let header = format!(
        "# CISA Known Exploited Vulnerabilities for camera vendors, imported by `camguard kb import-kev`\n# from {} (catalog {version}).\n",
        file.display()
    );
    let mut files = BTreeMap::new();
    files.insert(camguard_kb::KEV_FILE.to_string(), header + &body);
    let dest = install_files(&files)?;
    eprintln!(
        "KEV catalog {version}: {} entries for camera vendors; {} CVEs of the knowledge base now flagged as exploited; installed into {}",
        entries.len(),
        flagged.len(),
        dest.display()
    );
    if !unknown.is_empty() {
        eprintln!(
            "{} KEV entries have no affected firmware range in the knowledge base (add them with import-nvd or a kb update):",
            unknown.len()
        );
        for u in unknown.iter().take(20) {
            eprintln!("  {u}");
        }
    }
    Ok(exit::OK)
}

fn import_nvd(file: &Path) -> anyhow::Result<u8> {
    let kb = super::load_kb(&Default::default())?;
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading {}", file.display()))
        .map_err(usage)?;
    let doc: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| usage(format!("{} is not JSON: {e}", file.display())))?;
    let vulns = doc["vulnerabilities"].as_array().ok_or_else(|| {
        usage(format!(
            "{} is not an NVD CVE API 2.0 document (no \"vulnerabilities\" array)",
            file.display()
        ))
    })?;
    if vulns.iter().any(|v| !v["cve"].is_object()) {
        return Err(usage(format!(
            "{} is not an NVD CVE API 2.0 document (entries without a \"cve\" object)",
            file.display()
        )));
    }
    let (out, skipped) = nvd_to_toml(&kb, vulns);
    let count = out.matches("[[cve]]").count();
    if count == 0 {
        eprintln!(
            "NVD: no CVE of a camera vendor with a firmware range in {}; nothing changed ({skipped} skipped)",
            file.display()
        );
        return Ok(exit::OK);
    }
    let mut files = BTreeMap::new();
    // One file per imported document, so the pages of a paginated NVD download add up.
    let stem: String = file.file_stem().map_or_else(
        || "import".into(),
        |s| {
            s.to_string_lossy()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect()
        },
    );
    files.insert(format!("assess/cves-nvd-{stem}.toml"), out);
    let dest = install_files(&files)?;
    eprintln!(
        "NVD: {count} CVEs for camera vendors imported into {}; {skipped} skipped (other vendors, no firmware range, or already curated)",
        dest.display()
    );
    Ok(exit::OK)
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Convert NVD CVE records to `assess/cves-*.toml` entries. Only firmware CPEs (`cpe:2.3:o:`)
/// of known vendors with a version or version range become affected ranges.
fn nvd_to_toml(kb: &Kb, vulns: &[serde_json::Value]) -> (String, usize) {
    let mut out = String::from(
        "# CVEs imported from NVD CVE API 2.0 JSON by `camguard kb import-nvd`. Ranges come from the\n# records' firmware CPE configurations; curated entries (assess/cves.toml) take precedence.\nschema = 1\nversion = \"nvd-import\"\n",
    );
    let mut skipped = 0;
    for v in vulns {
        let cve = &v["cve"];
        let Some(id) = cve["id"].as_str() else {
            skipped += 1;
            continue;
        };
        if kb.cves.iter().any(|c| c.id == id) {
            skipped += 1;
            continue;
        }
        let mut vendor = None;
        let mut ranges = Vec::new();
        for conf in cve["configurations"].as_array().into_iter().flatten() {
            for node in conf["nodes"].as_array().into_iter().flatten() {
                for m in node["cpeMatch"].as_array().into_iter().flatten() {
                    if m["vulnerable"].as_bool() != Some(true) {
                        continue;
                    }
                    let crit = m["criteria"].as_str().unwrap_or("");
                    let parts: Vec<&str> = crit.split(':').collect();
                    if parts.len() < 6 || parts[2] != "o" {
                        continue;
                    }
                    let Some(vid) = vendor_for(kb, parts[3]) else {
                        continue;
                    };
                    let product = parts[4];
                    let model = product.strip_suffix("_firmware").unwrap_or(product);
                    let mut r = String::from("[[cve.affected]]\n");
                    if model != "firmware" && !model.is_empty() {
                        let re = format!(
                            "^{}$",
                            regex::escape(&model.replace('\\', "")).replace('_', "[ _-]?")
                        );
                        r.push_str(&format!("models = {}\n", toml_str(&re)));
                    }
                    let ver = parts[5];
                    let field =
                        |k: &str| m[k].as_str().filter(|s| crate::cmd::kb::plain_version(s));
                    let mut bounded = false;
                    if ver != "*" && ver != "-" && plain_version(ver) {
                        r.push_str(&format!(
                            "from = {}\nto = {}\n",
                            toml_str(ver),
                            toml_str(ver)
                        ));
                        bounded = true;
                    } else {
                        if let Some(s) =
                            field("versionStartIncluding").or(field("versionStartExcluding"))
                        {
                            r.push_str(&format!("from = {}\n", toml_str(s)));
                            bounded = true;
                        }
                        if let Some(s) = field("versionEndExcluding") {
                            r.push_str(&format!("fixed = {}\n", toml_str(s)));
                            bounded = true;
                        } else if let Some(s) = field("versionEndIncluding") {
                            r.push_str(&format!("to = {}\n", toml_str(s)));
                            bounded = true;
                        }
                    }
                    if bounded && vendor.as_ref().is_none_or(|v: &String| *v == vid) {
                        vendor = Some(vid);
                        ranges.push(r);
                    }
                }
            }
        }
        let Some(vendor) = vendor else {
            skipped += 1;
            continue;
        };
        let desc = cve["descriptions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|d| d["lang"] == "en")
            .and_then(|d| d["value"].as_str())
            .unwrap_or(id);
        let title: String = desc
            .split(". ")
            .next()
            .unwrap_or(desc)
            .chars()
            .take(160)
            .collect();
        let metrics = &cve["metrics"];
        let score = ["cvssMetricV31", "cvssMetricV30", "cvssMetricV2"]
            .iter()
            .find_map(|k| {
                metrics[*k]
                    .as_array()
                    .and_then(|a| a.first())
                    .and_then(|m| m["cvssData"]["baseScore"].as_f64())
            });
        let severity = match score {
            Some(s) if s >= 9.0 => "critical",
            Some(s) if s >= 7.0 => "high",
            Some(s) if s >= 4.0 => "medium",
            Some(_) => "low",
            None => "medium",
        };
        let vendor_name = kb
            .vendor(&vendor)
            .map_or_else(|| vendor.clone(), |v| v.name.clone());
        out.push_str(&format!(
            "\n[[cve]]\nid = {}\nvendor = {}\n",
            toml_str(id),
            toml_str(&vendor)
        ));
        out.push_str(&format!("title_en = {}\n", toml_str(&title)));
        out.push_str(&format!(
            "title_vi = {}\n",
            toml_str(&format!(
                "Lỗ hổng đã công bố {id} trên thiết bị {vendor_name}"
            ))
        ));
        out.push_str(&format!("severity = \"{severity}\"\n"));
        if let Some(s) = score {
            out.push_str(&format!("cvss = {s:.1}\n"));
        }
        if let Some(p) = cve["published"].as_str().filter(|p| p.len() >= 10) {
            out.push_str(&format!("published = {}\n", toml_str(&p[..10])));
        }
        let refs: Vec<String> = cve["references"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["url"].as_str())
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .take(5)
            .map(toml_str)
            .collect();
        out.push_str(&format!("references = [{}]\n", refs.join(", ")));
        for r in ranges {
            out.push_str(&r);
        }
    }
    (out, skipped)
}

/// A version NVD gives that our comparison understands (digits and dots, optional leading V).
pub(crate) fn plain_version(s: &str) -> bool {
    let s = s.trim_start_matches(['v', 'V']);
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_digit() || c == '.')
        && s.chars().next().is_some_and(|c| c.is_ascii_digit())
}
