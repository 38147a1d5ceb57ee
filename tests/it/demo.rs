//! The README's first command: `camguard demo` starts a fleet, scans it, checks the result
//! against the fleet's truth and fills a demo registry. Its own fleet on 127.89.0.0/24.

use super::{camguard_env, stderr};

#[test]
fn demo_scans_its_fleet_and_fills_the_demo_registry() {
    let tmp = tempfile::tempdir().unwrap();
    let o = camguard_env(
        &[
            "demo",
            "--base",
            "127.89.0.0",
            "--hosts",
            "256",
            "--no-serve",
        ],
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

/// A demo account as printed: role, username, password.
pub(crate) type DemoAccount = (String, String, String);

/// `camguard demo --listen 127.0.0.1:0 --base BASE --hosts N` with its files under `tmp`: the
/// running process, the address it serves on and the accounts it printed.
pub(crate) fn start_demo(
    base: &str,
    hosts: u32,
    tmp: &std::path::Path,
) -> (std::process::Child, std::net::SocketAddr, Vec<DemoAccount>) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_camguard"))
        .args([
            "demo",
            "--base",
            base,
            "--hosts",
            &hosts.to_string(),
            "--listen",
            "127.0.0.1:0",
        ])
        .env("TMPDIR", tmp)
        .env("CAMGUARD_LANG", "en")
        .env("CAMGUARD_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut addr = None;
    let mut accounts = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.split("Dashboard: http://").nth(1) {
            addr = Some(
                rest.split('/')
                    .next()
                    .unwrap()
                    .parse::<std::net::SocketAddr>()
                    .unwrap(),
            );
        } else if addr.is_some() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() == 3 && f[1].starts_with("demo.") {
                accounts.push((f[0].to_string(), f[1].to_string(), f[2].to_string()));
            } else if line.contains("Ctrl-C") {
                break;
            }
        }
    }
    // Keep draining stderr so that the demo never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr.expect("no dashboard address printed"), accounts)
}

/// The README's first command ends by serving the dashboard on the demo registry, with one
/// account per role whose random password it prints; SIGTERM stops it (and its fleet).
#[test]
fn demo_serves_the_registry_with_one_account_per_role() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut child, addr, accounts) = start_demo("127.89.1.0", 16, tmp.path());
    let roles: Vec<&str> = accounts.iter().map(|a| a.0.as_str()).collect();
    assert_eq!(
        roles,
        ["admin", "regulator", "unit", "isp", "assessor", "auditor"]
    );
    for (role, user, password) in &accounts {
        let body = serde_json::json!({"username": user, "password": password}).to_string();
        let (code, answer) = super::serve::http(addr, "POST", "/api/v1/login", "-", Some(&body));
        assert_eq!(code, 200, "{user}: {answer}");
        assert_eq!(super::serve::json(&answer)["role"], role.as_str());
    }
    // The passwords are random: another run's would not work here, nor a guess.
    let body =
        serde_json::json!({"username": "demo.unit", "password": "demo.unit-password"}).to_string();
    let (code, _) = super::serve::http(addr, "POST", "/api/v1/login", "-", Some(&body));
    assert_eq!(code, 401);
    assert_eq!(super::serve::signal(child.id(), "TERM"), 0);
    assert!(child.wait().unwrap().success());
}

/// The whole numbers a summary line holds, in order.
fn numbers(line: &str) -> Vec<u32> {
    line.split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}
