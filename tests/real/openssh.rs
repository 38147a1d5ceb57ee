//! OpenSSH's sshd (Debian openssh-server) with its own configuration and host key. Password
//! and keyboard-interactive logins are off and no key is authorised, so no credential can
//! succeed: the only finding is the exposed service.

use crate::harness::{self, Expect, Need, Server};
use std::net::SocketAddr;
use std::process::Command;

const SSHD: &str = "/usr/sbin/sshd";
const SSH_KEYGEN: &str = "/usr/bin/ssh-keygen";
const IP: &str = "127.96.0.51";

#[test]
fn openssh_banner() {
    let name = "openssh_banner";
    if !harness::ready(
        name,
        &[
            Need::Root,
            Need::Exe(SSHD.into()),
            Need::Exe(SSH_KEYGEN.into()),
        ],
    ) {
        return;
    }
    let dir = harness::workdir(name);
    let d = dir.path();
    let addr: SocketAddr = format!("{IP}:22").parse().expect("address");
    harness::assert_free(addr);
    let key = d.join("ssh_host_ed25519_key");
    harness::run(&[
        SSH_KEYGEN,
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-f",
        &key.display().to_string(),
    ]);
    // sshd insists on its privilege-separation directory (Debian's init script makes it).
    std::fs::create_dir_all("/run/sshd").expect("mkdir /run/sshd");
    let conf = harness::write(
        d,
        "sshd_config",
        &format!(
            "ListenAddress {IP}:22\nHostKey {key}\nPidFile none\nUsePAM no\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             PubkeyAuthentication yes\nAuthorizedKeysFile none\nPermitRootLogin no\n\
             LogLevel VERBOSE\n",
            key = key.display()
        ),
    );
    let mut cmd = Command::new(SSHD);
    cmd.arg("-D").arg("-e").arg("-f").arg(&conf);
    let mut server = Server::spawn(name, cmd, &d.join("server.log"));
    server.wait_tcp(addr);

    let scan = harness::scan(&[], IP);
    server.assert_running();
    scan.assert_host(
        IP,
        &Expect {
            what: "OpenSSH sshd, no password logins",
            ports: &["22/tcp ssh"],
            findings: &["ssh-enabled"],
            camera: Some(false),
        },
    );
}
