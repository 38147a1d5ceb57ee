//! GStreamer's RTSP server (gst-rtsp-server through the system python3-gi), driven by
//! `fixtures/gst-rtsp-server.py`: a JPEG test pattern on `/live`, with no authentication, Basic,
//! Digest with a default credential, and Digest with a strong password.

use crate::harness::{self, Expect, Need, PYTHON, Server};
use std::net::SocketAddr;
use std::process::Command;

const MOUNT: &str = "/live";

enum Auth<'a> {
    None,
    Basic(&'a str, &'a str),
    Digest(&'a str, &'a str),
}

fn needs() -> [Need; 3] {
    let script = harness::fixture("gst-rtsp-server.py").display().to_string();
    [
        Need::Root,
        Need::Exe(PYTHON.into()),
        Need::Check(
            vec![PYTHON.into(), script, "--check".into()],
            "GStreamer's RTSP server for python3-gi (gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-base/-good)".into(),
        ),
    ]
}

/// `/live` must be on the generic route list of kb/assess/rtsp-routes.toml, or the scanner
/// (which does not know this server's vendor) would never ask for it.
fn assert_route_is_generic() {
    let kb = camguard_kb::Kb::embedded().expect("embedded knowledge base");
    let generic = kb.rtsp_routes_for(None);
    assert!(
        generic.iter().any(|r| r.path == MOUNT),
        "{MOUNT} is not on the generic RTSP route list of kb/assess/rtsp-routes.toml"
    );
}

fn start(name: &str, ip: &str, auth: &Auth) -> (tempfile::TempDir, Server) {
    let dir = harness::workdir(name);
    let addr: SocketAddr = format!("{ip}:554").parse().expect("address");
    harness::assert_free(addr);
    let mut cmd = Command::new(PYTHON);
    cmd.arg(harness::fixture("gst-rtsp-server.py")).args([
        "--address",
        ip,
        "--port",
        "554",
        "--mount",
        MOUNT,
    ]);
    match auth {
        Auth::None => cmd.args(["--auth", "none"]),
        Auth::Basic(u, p) => cmd.args(["--auth", "basic", "--user", u, "--password", p]),
        Auth::Digest(u, p) => cmd.args(["--auth", "digest", "--user", u, "--password", p]),
    };
    let mut server = Server::spawn(name, cmd, &dir.path().join("server.log"));
    server.wait_log("READY ");
    server.wait_tcp(addr);
    (dir, server)
}

/// The server does what the test configured: `/live` exists, other paths do not, and the
/// credentials are needed and accepted.
fn self_checks(ip: &str, auth: &Auth) {
    let live = format!("rtsp://{ip}/live");
    let nope = format!("rtsp://{ip}/no-such-stream-5b1c");
    harness::self_check(&[], &["rtsp", &nope], "404", "an unknown path is 404");
    match auth {
        Auth::None => harness::self_check(
            &[],
            &["rtsp", &live],
            "200",
            "/live plays without credentials",
        ),
        Auth::Basic(u, p) | Auth::Digest(u, p) => {
            harness::self_check(&[], &["rtsp", &live], "401", "/live wants credentials");
            harness::self_check(
                &[],
                &["rtsp", &live, u, p],
                "200",
                "/live accepts the configured pair",
            );
            harness::self_check(
                &[],
                &["rtsp", &live, u, "wrong-password"],
                "401",
                "/live refuses a wrong password",
            );
        }
    }
}

fn check(name: &str, ip: &str, auth: Auth, expect: Expect) {
    if !harness::ready(name, &needs()) {
        return;
    }
    assert_route_is_generic();
    let (_dir, mut server) = start(name, ip, &auth);
    self_checks(ip, &auth);
    // No --assess-all: an RTSP video server is assessed by default, as a user would scan it.
    let scan = harness::scan_default(&[], ip);
    server.assert_running();
    scan.assert_host(ip, &expect);
}

#[test]
fn gst_rtsp_no_auth() {
    check(
        "gst_rtsp_no_auth",
        "127.96.0.11",
        Auth::None,
        Expect {
            what: "GStreamer RTSP server, /live without authentication",
            ports: &["554/tcp rtsp"],
            findings: &["unauthenticated-rtsp-stream"],
            camera: None,
        },
    );
}

#[test]
fn gst_rtsp_basic_default_credential() {
    harness::assert_generic_credential("rtsp", "admin", "12345", 10);
    check(
        "gst_rtsp_basic_default_credential",
        "127.96.0.12",
        Auth::Basic("admin", "12345"),
        Expect {
            what: "GStreamer RTSP server, /live behind Basic admin/12345",
            ports: &["554/tcp rtsp"],
            findings: &["default-credential:rtsp", "rtsp-basic-auth-cleartext"],
            camera: None,
        },
    );
}

#[test]
fn gst_rtsp_digest_default_credential() {
    harness::assert_generic_credential("rtsp", "admin", "admin", 10);
    check(
        "gst_rtsp_digest_default_credential",
        "127.96.0.13",
        Auth::Digest("admin", "admin"),
        Expect {
            what: "GStreamer RTSP server, /live behind Digest admin/admin",
            ports: &["554/tcp rtsp"],
            findings: &["default-credential:rtsp"],
            camera: None,
        },
    );
}

#[test]
fn gst_rtsp_digest_strong_password() {
    check(
        "gst_rtsp_digest_strong_password",
        "127.96.0.14",
        Auth::Digest("admin", "Vq7#pL2x!eR9wZt4"),
        Expect {
            what: "GStreamer RTSP server, /live behind Digest with a strong password",
            ports: &["554/tcp rtsp"],
            findings: &[],
            camera: None,
        },
    );
}
