//! Scans of simulated fleets (in this test process) by the real binary.

use super::{camguard, stderr};
use camguard_sim::{Fleet, Truth};
use serde_json::Value;
use std::collections::HashMap;

fn start(base: &str, hosts: u32, seed: u64) -> (tokio::runtime::Runtime, Fleet) {
    super::start_fleet(base, hosts, seed)
}

fn by_ip(doc: &Value) -> HashMap<String, Value> {
    doc["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["ip"].as_str().unwrap().to_string(), h.clone()))
        .collect()
}

fn check_against_truth(truth: &Truth, hosts: &HashMap<String, Value>) {
    let mut wrong = Vec::new();
    for t in &truth.entries {
        let h = hosts.get(&t.ip.to_string());
        let is_cam = h.is_some_and(|h| h["is_camera"] == true);
        if t.is_camera {
            assert!(
                is_cam,
                "camera {} ({:?}) not found as a camera: {h:?}",
                t.ip, t.vendor
            );
            if h.unwrap()["vendor"].as_str() != t.vendor.as_deref() {
                wrong.push((t.ip, t.vendor.clone(), h.unwrap()["vendor"].clone()));
            }
        } else {
            assert!(
                !is_cam,
                "{} ({}) is not a camera but was called one: {h:?}",
                t.ip, t.profile
            );
        }
        let got: Vec<u64> = h
            .map(|h| {
                h["open_ports"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|p| p["transport"] == "tcp")
                    .map(|p| p["port"].as_u64().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        let scanned = camguard_kb::Kb::embedded().unwrap().ports.defaults();
        for p in &t.open_ports {
            if scanned.contains(p) {
                assert!(
                    got.contains(&u64::from(*p)),
                    "{}: port {p} open in truth but not reported ({got:?})",
                    t.ip
                );
            }
        }
    }
    let cams = truth.entries.iter().filter(|t| t.is_camera).count();
    assert!(
        wrong.len() * 50 <= cams,
        "vendor wrong for {} of {cams} cameras: {wrong:?}",
        wrong.len()
    );
    // Nothing that is not in the truth is reported at all (empty addresses, self-connects).
    for ip in hosts.keys() {
        assert!(
            truth.entries.iter().any(|t| &t.ip.to_string() == ip),
            "{ip} reported but nothing listens there"
        );
    }
}

#[test]
fn scan_finds_and_identifies_a_small_fleet() {
    let (rt, fleet) = start("127.78.0.0", 256, 11);
    let truth = fleet.truth().clone();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("scan.json");
    let o = camguard(&[
        "scan",
        "127.78.0.0/24",
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
        "--quiet",
        "--host-timeout",
        "6",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(doc["scan"]["addresses_probed"], 256);
    assert!(doc["camguard_version"].is_string());
    let hosts = by_ip(&doc);
    check_against_truth(&truth, &hosts);
    // A tarpit accepts connections and never answers: it is reported with its ports, not a camera.
    for t in truth
        .entries
        .iter()
        .filter(|t| serde_json::to_value(t.kind).unwrap() == "tarpit")
    {
        let h = &hosts[&t.ip.to_string()];
        assert_eq!(h["is_camera"], false);
    }
    rt.block_on(fleet.shutdown());
}

#[test]
fn jsonl_and_csv_stream_one_line_per_host() {
    let (rt, fleet) = start("127.78.1.0", 64, 12);
    let up = fleet.truth().entries.len();
    let o = camguard(&[
        "scan",
        "127.78.1.0/26",
        "--format",
        "jsonl",
        "--quiet",
        "--host-timeout",
        "4",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), up);
    assert!(
        lines.iter().all(|h| h["ip"].is_string()
            && h["open_ports"].is_array()
            && h.get("vendor").is_some())
    );

    let o = camguard(&[
        "scan",
        "127.78.1.0/26",
        "--format",
        "csv",
        "--quiet",
        "--host-timeout",
        "4",
        "--cameras-only",
    ]);
    let text = String::from_utf8(o.stdout).unwrap();
    let mut rows = text.lines();
    assert!(
        rows.next()
            .unwrap()
            .starts_with("ip,hostname,is_camera,device_type,vendor")
    );
    let cams = fleet.truth().entries.iter().filter(|t| t.is_camera).count();
    assert_eq!(rows.count(), cams);
    rt.block_on(fleet.shutdown());
}

#[test]
fn discovery_only_reports_open_ports_without_identifying() {
    let (rt, fleet) = start("127.78.2.0", 64, 13);
    let o = camguard(&[
        "scan",
        "127.78.2.0/26",
        "--discovery-only",
        "--format",
        "json",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let hosts = by_ip(&doc);
    assert_eq!(hosts.len(), fleet.truth().entries.len());
    assert!(hosts.values().all(|h| h["vendor"].is_null()));
    rt.block_on(fleet.shutdown());
}
