//! Apache httpd (Debian apache2-bin) with its own configuration: the whole site behind Digest
//! (admin/admin), behind Basic (admin/12345), or behind Digest with a strong password. One
//! instance per test, each on its own address.

use crate::harness::{self, Expect, Need, Server};
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};

const HTTPD: &str = "/usr/sbin/apache2";
const MODULES: &str = "/usr/lib/apache2/modules";
const HTPASSWD: &str = "/usr/bin/htpasswd";
const REALM: &str = "Restricted";

enum Auth<'a> {
    Basic(&'a str, &'a str),
    Digest(&'a str, &'a str),
}

fn needs() -> Vec<Need> {
    let mut needs = vec![
        Need::Root,
        Need::Exe(HTTPD.into()),
        Need::Exe(HTPASSWD.into()),
        Need::Exe("/usr/bin/md5sum".into()),
        Need::Exe(harness::PYTHON.into()),
    ];
    for module in [
        "mod_mpm_prefork",
        "mod_authn_core",
        "mod_authz_core",
        "mod_authn_file",
        "mod_authz_user",
        "mod_auth_basic",
        "mod_auth_digest",
        "mod_dir",
        "mod_mime",
    ] {
        needs.push(Need::File(format!("{MODULES}/{module}.so")));
    }
    needs
}

/// An htdigest line: `user:realm:MD5(user:realm:password)`.
fn htdigest_line(user: &str, password: &str) -> String {
    let mut md5 = Command::new("md5sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("md5sum");
    md5.stdin
        .take()
        .expect("stdin")
        .write_all(format!("{user}:{REALM}:{password}").as_bytes())
        .expect("md5sum input");
    let out = md5.wait_with_output().expect("md5sum");
    let text = String::from_utf8_lossy(&out.stdout);
    let hash = text.split_whitespace().next().expect("md5sum output");
    format!("{user}:{REALM}:{hash}\n")
}

fn config(dir: &Path, ip: &str, auth: &Auth) -> String {
    let d = dir.display();
    let (auth_type, provider) = match auth {
        Auth::Basic(..) => ("Basic", "AuthBasicProvider file"),
        Auth::Digest(..) => ("Digest", "AuthDigestProvider file"),
    };
    format!(
        r#"# Apache httpd for camguard's real-server test: only {ip}:80, everything in {d}.
ServerRoot "{d}"
ServerName {ip}
Listen {ip}:80
PidFile "{d}/httpd.pid"
DefaultRuntimeDir "{d}"
Mutex file:{d} default
ErrorLog "{d}/error.log"
LogLevel info
LoadModule mpm_prefork_module {MODULES}/mod_mpm_prefork.so
LoadModule authn_core_module {MODULES}/mod_authn_core.so
LoadModule authz_core_module {MODULES}/mod_authz_core.so
LoadModule authn_file_module {MODULES}/mod_authn_file.so
LoadModule authz_user_module {MODULES}/mod_authz_user.so
LoadModule auth_basic_module {MODULES}/mod_auth_basic.so
LoadModule auth_digest_module {MODULES}/mod_auth_digest.so
LoadModule dir_module {MODULES}/mod_dir.so
LoadModule mime_module {MODULES}/mod_mime.so
TypesConfig /dev/null
AddType text/html .html
StartServers 2
MinSpareServers 1
MaxSpareServers 3
MaxRequestWorkers 16
User www-data
Group www-data
ServerTokens Prod
DocumentRoot "{d}/htdocs"
DirectoryIndex index.html
<Directory "{d}/htdocs">
    AuthType {auth_type}
    AuthName "{REALM}"
    {provider}
    AuthUserFile "{d}/users"
    Require valid-user
</Directory>
"#
    )
}

fn check(name: &str, ip: &str, auth: Auth, expect: Expect) {
    if !harness::ready(name, &needs()) {
        return;
    }
    let dir = harness::workdir(name);
    let addr: SocketAddr = format!("{ip}:80").parse().expect("address");
    harness::assert_free(addr);
    std::fs::create_dir(dir.path().join("htdocs")).expect("htdocs");
    std::fs::set_permissions(
        dir.path().join("htdocs"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod htdocs");
    harness::write(
        &dir.path().join("htdocs"),
        "index.html",
        "<html><head><title>Web Management</title></head><body>Live view</body></html>\n",
    );
    match auth {
        Auth::Basic(user, password) => {
            let users = dir.path().join("users").display().to_string();
            harness::run(&[HTPASSWD, "-b", "-c", &users, user, password]);
            std::fs::set_permissions(&users, std::os::unix::fs::PermissionsExt::from_mode(0o644))
                .expect("chmod users");
        }
        Auth::Digest(user, password) => {
            harness::write(dir.path(), "users", &htdigest_line(user, password));
        }
    }
    let conf = harness::write(dir.path(), "httpd.conf", &config(dir.path(), ip, &auth));
    let mut cmd = Command::new(HTTPD);
    cmd.arg("-f").arg(&conf).arg("-DFOREGROUND");
    let mut server = Server::spawn(name, cmd, &dir.path().join("server.log"));
    server.also_log(dir.path().join("error.log"));
    server.wait_tcp(addr);
    let url = format!("http://{ip}/");
    let (Auth::Basic(user, password) | Auth::Digest(user, password)) = auth;
    harness::self_check(&[], &["http", &url], "401", "the site wants credentials");
    harness::self_check(
        &[],
        &["http", &url, user, password],
        "200",
        "the configured pair is accepted",
    );
    harness::self_check(
        &[],
        &["http", &url, user, "wrong-password"],
        "401",
        "a wrong password is refused",
    );

    let scan = harness::scan(&[], ip);
    server.assert_running();
    scan.assert_host(ip, &expect);
}

#[test]
fn apache_digest_default_credential() {
    harness::assert_generic_credential("http", "admin", "admin", 10);
    check(
        "apache_digest_default_credential",
        "127.96.0.21",
        Auth::Digest("admin", "admin"),
        Expect {
            what: "Apache httpd, site behind Digest admin/admin over plain HTTP",
            ports: &["80/tcp http"],
            findings: &["default-credential:http", "cleartext-management-http"],
            camera: Some(false),
        },
    );
}

#[test]
fn apache_basic_default_credential() {
    harness::assert_generic_credential("http", "admin", "12345", 10);
    check(
        "apache_basic_default_credential",
        "127.96.0.22",
        Auth::Basic("admin", "12345"),
        Expect {
            what: "Apache httpd, site behind Basic admin/12345 over plain HTTP",
            ports: &["80/tcp http"],
            findings: &[
                "default-credential:http",
                "http-basic-auth-cleartext",
                "cleartext-management-http",
            ],
            camera: Some(false),
        },
    );
}

#[test]
fn apache_digest_strong_password() {
    check(
        "apache_digest_strong_password",
        "127.96.0.23",
        Auth::Digest("admin", "Vq7#pL2x!eR9wZt4"),
        Expect {
            what: "Apache httpd, site behind Digest with a strong password over plain HTTP",
            ports: &["80/tcp http"],
            findings: &["cleartext-management-http"],
            camera: Some(false),
        },
    );
}
