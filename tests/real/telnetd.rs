//! busybox telnetd (Debian busybox-static: the dynamic busybox has no telnetd applet) with
//! `fixtures/fake-login.sh` as its login program, which accepts one default pair and never
//! touches the machine's accounts.

use crate::harness::{self, Expect, Need, Server};
use std::net::SocketAddr;
use std::process::Command;

const BUSYBOX: &str = "/usr/bin/busybox";
const IP: &str = "127.96.0.31";
/// A generic pair of kb/assess/credentials.toml tried on any telnet port (Mirai's list has it).
const USER: &str = "admin";
const PASSWORD: &str = "123456";

#[test]
fn busybox_telnetd_default_credential() {
    let name = "busybox_telnetd_default_credential";
    let needs = [
        Need::Root,
        Need::Exe(BUSYBOX.into()),
        Need::Exe(harness::PYTHON.into()),
        Need::Check(
            vec![
                "sh".into(),
                "-c".into(),
                format!("{BUSYBOX} --list | grep -qx telnetd"),
            ],
            "busybox's telnetd applet (Debian busybox-static)".into(),
        ),
    ];
    if !harness::ready(name, &needs) {
        return;
    }
    harness::assert_generic_credential("telnet", USER, PASSWORD, 10);
    let dir = harness::workdir(name);
    let addr: SocketAddr = format!("{IP}:23").parse().expect("address");
    harness::assert_free(addr);
    let login = dir.path().join("fake-login.sh");
    std::fs::copy(harness::fixture("fake-login.sh"), &login).expect("copy fake-login.sh");
    std::fs::set_permissions(&login, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod fake-login.sh");
    // The issue file telnetd prints before the login program: a board-style banner line.
    let issue = harness::write(dir.path(), "issue", "\n");

    let mut cmd = Command::new(BUSYBOX);
    cmd.args(["telnetd", "-F", "-b", IP, "-p", "23", "-l"])
        .arg(&login)
        .arg("-f")
        .arg(&issue)
        .env("FAKE_LOGIN_USER", USER)
        .env("FAKE_LOGIN_PASSWORD", PASSWORD);
    let mut server = Server::spawn(name, cmd, &dir.path().join("server.log"));
    server.wait_tcp(addr);
    harness::self_check(
        &[],
        &["telnet", IP, USER, PASSWORD],
        "shell",
        "the default pair logs in",
    );
    harness::self_check(
        &[],
        &["telnet", IP, USER, "wrong-password"],
        "refused",
        "a wrong password is refused",
    );

    let scan = harness::scan(&[], IP);
    server.assert_running();
    scan.assert_host(
        IP,
        &Expect {
            what: "busybox telnetd, login admin/123456",
            ports: &["23/tcp telnet"],
            findings: &["telnet-enabled", "default-credential:telnet"],
            camera: Some(false),
        },
    );
}
