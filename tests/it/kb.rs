//! Knowledge-base updates without a new binary: bundles, CISA KEV and NVD imports, baseline.

use super::{camguard_env, stderr};
use serde_json::Value;
use std::path::Path;

fn show(home: &Path) -> Value {
    let o = camguard_env(&["kb", "show", "--json"], &[("CAMGUARD_KB_HOME", home)]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

const RULE: &str = r#"schema = 1
version = "test-1"
[[rule]]
id = "acme-server"
key = "http.server"
pattern = '^AcmeCam-httpd'
vendor = "generic-onvif"
weight = 60
camera = true
source = "test"
"#;

#[test]
fn bundles_are_checked_validated_and_installed() {
    let home = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    std::fs::create_dir(src.path().join("fingerprints")).unwrap();
    std::fs::write(src.path().join("fingerprints/acme.toml"), RULE).unwrap();
    let bundle = src.path().join("update.json");
    let env = [("CAMGUARD_KB_HOME", home.path())];
    let o = camguard_env(
        &[
            "kb",
            "bundle",
            src.path().to_str().unwrap(),
            "-o",
            bundle.to_str().unwrap(),
            "--version",
            "2026.12",
        ],
        &env,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let sum = String::from_utf8(o.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let before = show(home.path())["fingerprint_rules"].as_u64().unwrap();

    let o = camguard_env(
        &[
            "kb",
            "install",
            bundle.to_str().unwrap(),
            "--sha256",
            &"0".repeat(64),
        ],
        &env,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("expected"), "{}", stderr(&o));
    assert_eq!(
        show(home.path())["fingerprint_rules"].as_u64().unwrap(),
        before
    );

    let o = camguard_env(
        &["kb", "install", bundle.to_str().unwrap(), "--sha256", &sum],
        &env,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = show(home.path());
    assert_eq!(v["fingerprint_rules"].as_u64().unwrap(), before + 1);
    let f = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "fingerprints/acme.toml")
        .unwrap();
    assert_eq!(f["version"], "test-1");
    assert!(
        f["origin"]
            .as_str()
            .unwrap()
            .starts_with(home.path().to_str().unwrap())
    );

    // A damaged bundle (content no longer matches its checksum) installs nothing.
    let text = std::fs::read_to_string(&bundle)
        .unwrap()
        .replace("AcmeCam-httpd", "AcmeCam-httpX");
    std::fs::write(&bundle, text).unwrap();
    let o = camguard_env(&["kb", "install", bundle.to_str().unwrap()], &env);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("checksum mismatch"), "{}", stderr(&o));

    // A bundle whose data does not load (bad regex) installs nothing either.
    std::fs::write(
        src.path().join("fingerprints/acme.toml"),
        RULE.replace("^AcmeCam-httpd", "("),
    )
    .unwrap();
    let o = camguard_env(
        &[
            "kb",
            "bundle",
            src.path().to_str().unwrap(),
            "-o",
            bundle.to_str().unwrap(),
        ],
        &env,
    );
    assert!(o.status.success());
    let o = camguard_env(&["kb", "install", bundle.to_str().unwrap()], &env);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nothing installed"), "{}", stderr(&o));
    assert_eq!(
        show(home.path())["fingerprint_rules"].as_u64().unwrap(),
        before + 1
    );
}

#[test]
fn kev_and_nvd_imports_extend_the_cve_base_offline() {
    let home = tempfile::tempdir().unwrap();
    let env = [("CAMGUARD_KB_HOME", home.path())];
    let before = show(home.path());
    let (cves, kev) = (
        before["cves"].as_u64().unwrap(),
        before["kev"].as_u64().unwrap(),
    );

    // The shape of CISA's known_exploited_vulnerabilities.json.
    let files = tempfile::tempdir().unwrap();
    let kev_json = files.path().join("kev.json");
    std::fs::write(
        &kev_json,
        r#"{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2026.11.20","count":3,
        "vulnerabilities":[
          {"cveID":"CVE-2022-30563","vendorProject":"Dahua","product":"IP Camera Firmware","dateAdded":"2026-11-01"},
          {"cveID":"CVE-2017-8225","vendorProject":"Wireless IP Camera (P2P) WIFICAM","product":"Cameras","dateAdded":"2026-11-02"},
          {"cveID":"CVE-2021-44228","vendorProject":"Apache","product":"Log4j2","dateAdded":"2021-12-10"}]}"#,
    )
    .unwrap();
    let o = camguard_env(&["kb", "import-kev", kev_json.to_str().unwrap()], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    let after = show(home.path());
    assert!(after["kev"].as_u64().unwrap() > kev, "{}", stderr(&o));
    let kev_file = std::fs::read_to_string(home.path().join("assess/kev.toml")).unwrap();
    assert!(
        kev_file.contains("CVE-2022-30563") && !kev_file.contains("CVE-2021-44228"),
        "{kev_file}"
    );

    // The shape of an NVD CVE API 2.0 response.
    let nvd_json = files.path().join("nvd.json");
    std::fs::write(
        &nvd_json,
        r#"{"resultsPerPage":2,"format":"NVD_CVE","version":"2.0","vulnerabilities":[
          {"cve":{"id":"CVE-2099-0001","published":"2099-01-02T10:00:00.000",
            "descriptions":[{"lang":"en","value":"Test record. An issue in the web server of some IP cameras."}],
            "metrics":{"cvssMetricV31":[{"cvssData":{"baseScore":9.8,"baseSeverity":"CRITICAL"}}]},
            "references":[{"url":"https://example.org/advisory"}],
            "configurations":[{"nodes":[{"operator":"OR","cpeMatch":[
              {"vulnerable":true,"criteria":"cpe:2.3:o:hikvision:ds-2cd2142fwd-i_firmware:*:*:*:*:*:*:*:*","versionEndExcluding":"5.5.0"}]}]}]}},
          {"cve":{"id":"CVE-2099-0002","published":"2099-01-03T10:00:00.000",
            "descriptions":[{"lang":"en","value":"Not a camera."}],
            "configurations":[{"nodes":[{"cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:apache:httpd:2.4.1:*:*:*:*:*:*:*"}]}]}]}}]}"#,
    )
    .unwrap();
    let o = camguard_env(&["kb", "import-nvd", nvd_json.to_str().unwrap()], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        show(home.path())["cves"].as_u64().unwrap(),
        cves + 1,
        "{}",
        stderr(&o)
    );
    let imported = std::fs::read_to_string(home.path().join("assess/cves-nvd-nvd.toml")).unwrap();
    assert!(
        imported.contains("CVE-2099-0001")
            && imported.contains("fixed = \"5.5.0\"")
            && !imported.contains("CVE-2099-0002"),
        "{imported}"
    );

    let o = camguard_env(&["kb", "import-nvd", kev_json.to_str().unwrap()], &env);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a KEV file is not an NVD file: {}",
        stderr(&o)
    );
}

#[test]
fn baseline_list_and_show_explain_clauses() {
    let o = camguard_env(&["baseline", "list", "--json"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let all = v.as_array().unwrap();
    assert!(all.iter().any(|c| c["standard"] == "ETSI EN 303 645"));
    let etsi = all
        .iter()
        .find(|c| {
            c["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f.as_str().unwrap().starts_with("default-credential"))
        })
        .unwrap();
    let id = etsi["id"].as_str().unwrap();
    let o = camguard_env(&["baseline", "show", id, "--lang", "en"], &[]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("default-credential") && text.contains(etsi["title_en"].as_str().unwrap()),
        "{text}"
    );
    let o = camguard_env(&["baseline", "show", "no-such-clause"], &[]);
    assert_eq!(o.status.code(), Some(2));
}
