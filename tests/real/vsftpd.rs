//! vsftpd (Debian vsftpd) with its own configuration and one virtual user with a default
//! password. The user lives in a Berkeley DB file of the test (pam_userdb); the machine's
//! accounts are not touched. The one system change: vsftpd can only name a PAM service, so the
//! test writes `/etc/pam.d/camguard-real-vsftpd-<pid>` (pam_userdb on the test's file) and
//! removes it when done.

use crate::harness::{self, Expect, Need, Server};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;

const VSFTPD: &str = "/usr/sbin/vsftpd";
const DB_LOAD: &str = "/usr/bin/db_load";
const IP: &str = "127.96.0.41";
/// A generic pair of kb/assess/credentials.toml (tried on every protocol).
const USER: &str = "admin";
const PASSWORD: &str = "123456";
/// The local account the virtual user works as: it needs an existing home directory
/// (Debian's `nobody` has none); vsftpd chroots guests into `local_root` and writes are off.
const GUEST: &str = "daemon";

fn pam_userdb() -> Option<&'static str> {
    [
        "/lib/x86_64-linux-gnu/security/pam_userdb.so",
        "/usr/lib/x86_64-linux-gnu/security/pam_userdb.so",
        "/lib/aarch64-linux-gnu/security/pam_userdb.so",
        "/usr/lib/aarch64-linux-gnu/security/pam_userdb.so",
        "/lib/security/pam_userdb.so",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
}

/// Removes the PAM service file on drop.
struct PamService(PathBuf);

impl Drop for PamService {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn vsftpd_default_credential() {
    let name = "vsftpd_default_credential";
    let needs = [
        Need::Root,
        Need::Exe(VSFTPD.into()),
        Need::Exe(DB_LOAD.into()),
        Need::Exe(harness::PYTHON.into()),
        Need::Check(
            vec!["sh".into(), "-c".into(), "ls /lib/*/security/pam_userdb.so /usr/lib/*/security/pam_userdb.so /lib/security/pam_userdb.so 2>/dev/null | grep -q .".into()],
            "pam_userdb (libpam-modules)".into(),
        ),
        Need::Check(
            vec!["getent".into(), "passwd".into(), GUEST.into()],
            format!("the system account {GUEST}"),
        ),
    ];
    if !harness::ready(name, &needs) {
        return;
    }
    harness::assert_generic_credential("ftp", USER, PASSWORD, 10);
    let module = pam_userdb().expect("pam_userdb.so");
    let dir = harness::workdir(name);
    let d = dir.path();
    let addr: SocketAddr = format!("{IP}:21").parse().expect("address");
    harness::assert_free(addr);

    for sub in ["root", "empty"] {
        std::fs::create_dir(d.join(sub)).expect("mkdir");
        std::fs::set_permissions(
            d.join(sub),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .expect("chmod");
    }
    harness::write(&d.join("root"), "README.txt", "recordings\n");
    // pam_userdb reads <db>.db: a hash of user -> password made by db_load from user/password lines.
    let users_txt = harness::write(d, "users.txt", &format!("{USER}\n{PASSWORD}\n"));
    let users_db = d.join("users.db");
    harness::run(&[
        DB_LOAD,
        "-T",
        "-t",
        "hash",
        "-f",
        &users_txt.display().to_string(),
        &users_db.display().to_string(),
    ]);
    let service = format!("camguard-real-vsftpd-{}", std::process::id());
    let pam_file = PathBuf::from("/etc/pam.d").join(&service);
    let db = d.join("users").display().to_string();
    std::fs::write(
        &pam_file,
        format!(
            "# camguard real-server test (tests/real/vsftpd.rs); removed when the test ends\n\
             auth required {module} db={db}\naccount required {module} db={db}\n"
        ),
    )
    .expect("write the PAM service file");
    let _pam = PamService(pam_file);

    let conf = harness::write(
        d,
        "vsftpd.conf",
        &format!(
            "listen=YES\nlisten_ipv6=NO\nlisten_address={IP}\nlisten_port=21\nbackground=NO\n\
             anonymous_enable=NO\nlocal_enable=YES\nwrite_enable=NO\n\
             guest_enable=YES\nguest_username={GUEST}\nlocal_root={root}\n\
             pam_service_name={service}\nsecure_chroot_dir={empty}\n\
             seccomp_sandbox=NO\nisolate=NO\nisolate_network=NO\n\
             xferlog_enable=NO\nvsftpd_log_file={log}\nlog_ftp_protocol=YES\n\
             pasv_min_port=41000\npasv_max_port=41099\n",
            root = d.join("root").display(),
            empty = d.join("empty").display(),
            log = d.join("vsftpd.log").display(),
        ),
    );
    let mut cmd = Command::new(VSFTPD);
    cmd.arg(&conf);
    let mut server = Server::spawn(name, cmd, &d.join("server.log"));
    server.also_log(d.join("vsftpd.log"));
    server.wait_tcp(addr);
    harness::self_check(
        &[],
        &["ftp", IP, USER, PASSWORD],
        "230",
        "the virtual user logs in",
    );
    harness::self_check(
        &[],
        &["ftp", IP, USER, "wrong-password"],
        "530",
        "a wrong password is refused",
    );

    let scan = harness::scan(&[], IP);
    server.assert_running();
    scan.assert_host(
        IP,
        &Expect {
            what: "vsftpd, virtual user admin/123456",
            ports: &["21/tcp ftp"],
            findings: &["ftp-enabled", "default-credential:ftp"],
            camera: Some(false),
        },
    );
}
