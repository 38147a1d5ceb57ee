//! ipycam (PyPI), an ONVIF camera simulator: WS-Discovery on UDP 3702, ONVIF and a web UI
//! (snapshot, MJPEG, REST API) on HTTP 8080, and its native RTSP server on 8554 (H.264 through
//! ffmpeg, `/video_main` and `/video_sub`). It binds 0.0.0.0 and joins multicast, so it runs
//! only inside a private network namespace (`unshare -n`, loopback up) and the scanner runs in
//! the same namespace through `nsenter`. Installed by scripts/install-test-deps into
//! `~/.cache/camguard-test/venv` (CAMGUARD_TEST_CACHE).
//!
//! What ipycam does (ipycam 1.3.0): with empty credentials (its default) everything is open;
//! with a username and password, HTTP Basic guards the web UI, API and snapshot, and ONVIF wants
//! a WS-Security UsernameToken for every operation; its RTSP server never asks for credentials.

use crate::harness::{self, Expect, Need, Server};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const IP: &str = "127.0.0.1";
const HTTP_PORT: u16 = 8080;
const RTSP_PORT: u16 = 8554;

fn python() -> String {
    harness::test_cache()
        .join("venv/bin/python")
        .display()
        .to_string()
}

fn needs() -> Vec<Need> {
    vec![
        Need::Root,
        Need::Exe("/usr/bin/unshare".into()),
        Need::Exe("/usr/bin/nsenter".into()),
        Need::Exe("/bin/ip".into()),
        Need::Exe("/usr/bin/ffmpeg".into()),
        Need::Exe(harness::PYTHON.into()),
        Need::Check(
            vec![python(), "-c".into(), "import ipycam, cv2, numpy".into()],
            "ipycam in the test venv".into(),
        ),
    ]
}

/// Is `port` listening (TCP) in the network namespace of process `pid`?
fn listening_in(pid: u32, port: u16) -> bool {
    let Ok(table) = std::fs::read_to_string(format!("/proc/{pid}/net/tcp")) else {
        return false;
    };
    let want = format!(":{port:04X}");
    table.lines().skip(1).any(|line| {
        let mut cols = line.split_whitespace();
        let local = cols.nth(1).unwrap_or("");
        let state = cols.nth(1).unwrap_or("");
        local.ends_with(&want) && state == "0A"
    })
}

/// Wait until the server runs in a namespace of its own and listens on `ports` there.
fn wait_in_namespace(server: &mut Server, ports: &[u16]) -> String {
    let ours = std::fs::read_link("/proc/self/ns/net").expect("our network namespace");
    let end = Instant::now() + harness::START_DEADLINE;
    let pid = server.pid();
    loop {
        server.assert_running();
        let theirs = std::fs::read_link(format!("/proc/{pid}/ns/net")).ok();
        // Until `unshare` has run, /proc/PID is still in our namespace: never look (or scan)
        // there.
        if theirs.as_ref().is_some_and(|ns| *ns != ours)
            && ports.iter().all(|p| listening_in(pid, *p))
        {
            return format!("--net=/proc/{pid}/ns/net");
        }
        assert!(
            Instant::now() < end,
            "ipycam did not listen on {ports:?} in its own namespace within {:?}; its log follows",
            harness::START_DEADLINE,
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn start(name: &str, dir: &Path, credentials: Option<(&str, &str)>) -> Server {
    let (user, password) = credentials.unwrap_or(("", ""));
    // Small streams keep ffmpeg's encoding cheap on a 2-core machine.
    let config = serde_json::json!({
        "name": "Virtual Camera",
        "main_width": 640, "main_height": 360, "main_fps": 10, "main_bitrate": "1M",
        "sub_width": 320, "sub_height": 180, "sub_fps": 5, "sub_bitrate": "256K",
        "hw_accel": "cpu",
        "username": user, "password": password,
    });
    let cfg = harness::write(dir, "camera_config.json", &config.to_string());
    let mut cmd = Command::new("/usr/bin/unshare");
    cmd.args([
        "-n",
        "--",
        "sh",
        "-c",
        "/bin/ip link set lo up && exec \"$@\"",
        "sh",
    ])
    .arg(python())
    .args([
        "-m",
        "ipycam",
        "--source",
        "video",
        "--log-level",
        "INFO",
        "--config",
    ])
    .arg(&cfg)
    .current_dir(dir);
    Server::spawn(name, cmd, &dir.join("server.log"))
}

/// ipycam does what the test configured: ONVIF and the snapshot open or behind the pair, the
/// RTSP stream open in both cases.
fn self_checks(inside: &[&str], credentials: Option<(&str, &str)>) {
    let onvif = format!("http://{IP}:{HTTP_PORT}/onvif/device_service");
    let snapshot = format!("http://{IP}:{HTTP_PORT}/snapshot.jpg");
    let stream = format!("rtsp://{IP}:{RTSP_PORT}/video_main");
    harness::self_check(
        inside,
        &["rtsp", &stream],
        "200",
        "/video_main plays without credentials",
    );
    match credentials {
        None => {
            harness::self_check(
                inside,
                &["onvif", &onvif],
                "200",
                "ONVIF answers without WS-Security",
            );
            harness::self_check(
                inside,
                &["http", &snapshot],
                "200",
                "the snapshot is served without credentials",
            );
        }
        Some((user, password)) => {
            harness::self_check(inside, &["onvif", &onvif], "401", "ONVIF wants WS-Security");
            harness::self_check(
                inside,
                &["onvif", &onvif, user, password],
                "200",
                "ONVIF accepts the pair",
            );
            harness::self_check(
                inside,
                &["onvif", &onvif, user, "wrong-password"],
                "401",
                "ONVIF refuses a wrong password",
            );
            harness::self_check(
                inside,
                &["http", &snapshot],
                "401",
                "the snapshot wants credentials",
            );
            harness::self_check(
                inside,
                &["http", &snapshot, user, password],
                "200",
                "HTTP Basic accepts the pair",
            );
        }
    }
}

fn check(name: &str, credentials: Option<(&str, &str)>, expect: Expect) {
    if !harness::ready(name, &needs()) {
        return;
    }
    let dir = harness::workdir(name);
    let mut server = start(name, dir.path(), credentials);
    let netns = wait_in_namespace(&mut server, &[HTTP_PORT, RTSP_PORT]);
    let inside = ["/usr/bin/nsenter", netns.as_str(), "--"];
    self_checks(&inside, credentials);
    // Still running, so still unreaped: /proc/PID is ipycam's, and so is the namespace.
    server.assert_running();
    let scan = harness::scan(&inside, IP);
    server.assert_running();
    scan.assert_host(IP, &expect);
    let host = scan.host(IP);
    assert_eq!(host["vendor"], "generic-onvif", "{}", expect.what);
    // The model comes from GetDeviceInformation, which answers without credentials only when
    // ipycam runs open; with credentials it stays unknown (identification never logs in).
    if credentials.is_none() {
        assert_eq!(host["model"], "VirtualCam-1", "{}", expect.what);
    }
}

const PORTS: [&str; 3] = ["8080/tcp http", "8554/tcp rtsp", "3702/udp ws-discovery"];

#[test]
fn ipycam_open() {
    check(
        "ipycam_open",
        None,
        Expect {
            what: "ipycam with its default configuration (no credentials)",
            ports: &PORTS,
            findings: &[
                // GetDeviceInformation, GetProfiles, GetStreamUri … answer without WS-Security.
                "unauthenticated-onvif",
                // /video_main (from ONVIF GetStreamUri) plays without credentials.
                "unauthenticated-rtsp-stream",
                // /snapshot.jpg (generic path, and ONVIF GetSnapshotUri) is a JPEG for anyone.
                "unauthenticated-snapshot",
                // The web UI is plain HTTP.
                "cleartext-management-http",
            ],
            camera: Some(true),
        },
    );
}

#[test]
fn ipycam_default_credential() {
    harness::assert_generic_credential("onvif", "admin", "admin", 10);
    check(
        "ipycam_default_credential",
        Some(("admin", "admin")),
        Expect {
            what: "ipycam with credentials admin/admin (HTTP Basic and ONVIF WS-Security)",
            ports: &PORTS,
            findings: &[
                "default-credential:onvif",
                "default-credential:http",
                "http-basic-auth-cleartext",
                "cleartext-management-http",
                // ipycam's RTSP server has no authentication: the stream ONVIF GetStreamUri
                // names (with the default credential) plays without any.
                "unauthenticated-rtsp-stream",
            ],
            camera: Some(true),
        },
    );
}
