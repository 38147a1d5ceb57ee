//! The README's first command: `camguard demo` starts a fleet, scans it, checks the result
//! against the fleet's truth and fills a demo registry. Its own fleet on 127.89.0.0/24.

use super::{camguard_env, stderr};

#[test]
fn demo_scans_its_fleet_and_fills_the_demo_registry() {
    let tmp = tempfile::tempdir().unwrap();
    let o = camguard_env(
        &["demo", "--base", "127.89.0.0", "--hosts", "256"],
        &[
            ("TMPDIR", tmp.path()),
            ("CAMGUARD_LANG", std::path::Path::new("en")),
        ],
    );
    let out = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert_eq!(o.status.code(), Some(0), "{out}");
    // Every camera found and named, nothing else called a camera, every seeded weakness found.
    let line = out
        .lines()
        .find(|l| l.contains("cameras found"))
        .unwrap_or_else(|| panic!("no summary: {out}"));
    let counts = numbers(line);
    // "Scanned 256 addresses in 4.2 s: 61 hosts up; 41/41 cameras found, vendor right for 41/41; 0 non-cameras …"
    let n = counts.len();
    assert!(n >= 6, "{line}");
    let (found, cams, vendor_ok, vendor_of, wrong) = (
        counts[n - 5],
        counts[n - 4],
        counts[n - 3],
        counts[n - 2],
        counts[n - 1],
    );
    assert!(cams > 10, "{line}");
    assert_eq!(
        (found, vendor_ok, vendor_of, wrong),
        (cams, cams, cams, 0),
        "{line}"
    );
    let weak = out
        .lines()
        .find(|l| l.contains("seeded weaknesses found"))
        .unwrap_or_else(|| panic!("no assessment summary: {out}"));
    let w = numbers(weak);
    assert!(w.windows(2).any(|p| p[0] == p[1] && p[0] > 0), "{weak}");
    // The registry: the inventory lists every camera but three, all rows accepted, and every
    // listed camera is matched (by serial, MAC or address).
    assert!(!out.contains("rejected"), "{out}");
    let reg = out
        .lines()
        .find(|l| l.contains("matched to the inventory"))
        .unwrap_or_else(|| panic!("no registry summary: {out}"));
    assert!(
        reg.contains(&format!("{} cameras matched", cams - 3))
            && reg.contains("3 found but NOT registered"),
        "{reg}"
    );
    let db = tmp.path().join("camguard-demo").join("registry.db");
    assert!(db.exists());
    let s = camguard_env(
        &[
            "status",
            "DEMO",
            "--format",
            "json",
            "--database",
            db.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(s.status.code(), Some(0), "{}", stderr(&s));
    let v: serde_json::Value = serde_json::from_slice(&s.stdout).unwrap();
    assert!(v.to_string().contains("DEMO-STTTT"), "{v}");
}

/// The whole numbers a summary line holds, in order.
fn numbers(line: &str) -> Vec<u32> {
    line.split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}
