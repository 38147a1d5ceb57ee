//! `camguard serve` as a user runs it: the real binary on a loopback port, a scan queued over
//! the API of a simulated fleet (127.154.0.0/26), SIGTERM in the middle (exit 0, the scan
//! checkpointed), a restart, `kill -9` in the middle, another restart: the scan finishes with
//! every host of the fleet stored exactly once.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PW: &str = "Serve-Test-Password-77";

/// One HTTP/1.1 request with `Connection: close`; the status and the body.
pub(crate) fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&str>,
) -> (u16, String) {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

pub(crate) fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// Start the service on a free port of 127.0.0.1 and read the address it prints.
fn serve(db: &Path) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_camguard"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--heartbeat",
            "1",
            "--workers",
            "1",
        ])
        .arg("--database")
        .arg(db)
        .env("CAMGUARD_LOG", "warn")
        .env("CAMGUARD_LANG", "en")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("camguard serve exited").unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    // Keep draining stderr so that the service never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

fn status(addr: SocketAddr, token: &str, id: i64) -> serde_json::Value {
    let (code, body) = http(addr, "GET", &format!("/api/v1/scans/{id}"), token, None);
    assert_eq!(code, 200, "{body}");
    json(&body)
}

fn wait_for(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_scan_survives_sigterm_and_kill_9_of_the_service() {
    let (_rt, fleet) = super::start_fleet("127.154.0.0", 64, 11);
    let want: HashSet<String> = fleet
        .truth()
        .entries
        .iter()
        .filter(|e| !e.open_ports.is_empty())
        .map(|e| e.ip.to_string())
        .collect();
    assert!(want.len() > 8, "the fleet has hosts to find");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let dbs = db.to_str().unwrap();
    let out = super::camguard(&[
        "org",
        "add",
        "U",
        "--name",
        "Unit",
        "--scope",
        "127.154.0.0/26",
        "--database",
        dbs,
    ]);
    assert!(out.status.success(), "{}", super::stderr(&out));
    let mut add = Command::new(env!("CARGO_BIN_EXE_camguard"))
        .args([
            "user",
            "add",
            "ops",
            "--role",
            "unit",
            "--org",
            "U",
            "--password-stdin",
            "--database",
            dbs,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(add.stdin.take().unwrap(), "{PW}").unwrap();
    assert!(add.wait().unwrap().success());
    let out = super::camguard(&["user", "token", "ops", "--database", dbs]);
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(token.starts_with("cgt_"), "{}", super::stderr(&out));

    let (mut server, addr) = serve(&db);
    let (code, body) = http(addr, "GET", "/healthz", "", None);
    assert_eq!((code, json(&body)["status"].as_str()), (200, Some("ok")));
    // Slow on purpose (one host at a time, 20 connections a second), so that it can be
    // stopped half-way; the pace is the scanner's own rate limit.
    let req = r#"{"org": "U", "targets": ["127.154.0.0/26"], "profile": "quick",
                  "options": {"no_wsd": true, "hosts": 1, "rate": 20, "no_assess": true}}"#;
    let (code, body) = http(addr, "POST", "/api/v1/scans", &token, Some(req));
    assert_eq!(code, 202, "{body}");
    let id = json(&body)["id"].as_i64().unwrap();

    // SIGTERM while it runs: the service exits 0 and the scan goes back to the queue.
    wait_for("3 hosts", Duration::from_secs(120), || {
        status(addr, &token, id)["hosts"].as_i64() >= Some(3)
    });
    let t = Instant::now();
    assert_eq!(signal(server.id(), "TERM"), 0);
    let exit = server.wait().unwrap();
    assert!(exit.success(), "SIGTERM: {exit:?}");
    assert!(
        t.elapsed() < Duration::from_secs(30),
        "stopped in {:?}",
        t.elapsed()
    );

    // Restart; then kill -9 while it runs again.
    let (mut server, addr) = serve(&db);
    let s = status(addr, &token, id);
    let after_term = s["hosts"].as_i64().unwrap();
    assert!(after_term >= 3, "hosts found before SIGTERM are kept: {s}");
    wait_for("more hosts", Duration::from_secs(120), || {
        let s = status(addr, &token, id);
        s["state"] == "running" && s["hosts"].as_i64() > Some(after_term + 2)
    });
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();

    // Restart: the dead worker's scan is picked up and finishes.
    let (mut server, addr) = serve(&db);
    wait_for("the scan to finish", Duration::from_secs(240), || {
        status(addr, &token, id)["state"] == "done"
    });
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (code, body) = http(
            addr,
            "GET",
            &format!("/api/v1/scans/{id}/hosts?limit=7{cursor}"),
            &token,
            None,
        );
        assert_eq!(code, 200, "{body}");
        let page = json(&body);
        for h in page["items"].as_array().unwrap() {
            seen.push(h["ip"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    let set: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(set.len(), seen.len(), "a host stored twice: {seen:?}");
    assert_eq!(set, want, "hosts lost or foreign");
    assert_eq!(
        status(addr, &token, id)["hosts"].as_i64(),
        Some(want.len() as i64)
    );
    let _ = signal(server.id(), "TERM");
    assert!(server.wait().unwrap().success());
}

/// `kill -s SIG PID` (the test binary has no signal crate).
pub(crate) fn signal(pid: u32, sig: &str) -> i32 {
    Command::new("kill")
        .args(["-s", sig, &pid.to_string()])
        .status()
        .unwrap()
        .code()
        .unwrap_or(-1)
}
