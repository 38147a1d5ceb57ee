//! Accounts and the audit log through the binary (embedded SQLite; the store's contract suite
//! covers PostgreSQL): passwords only from standard input, weak ones refused with the reason,
//! a token printed once and stored nowhere, every change audited, and `audit verify` naming an
//! altered or deleted entry.

use super::stderr;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const PASSWORD: &str = "Sông Hậu mùa nước nổi 2026";
const NEW_PASSWORD: &str = "ba con cá bơi trong ao sen";

struct Registry {
    dir: tempfile::TempDir,
}

impl Registry {
    fn new() -> Self {
        Registry {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn db(&self) -> String {
        self.dir.path().join("registry.db").display().to_string()
    }
    /// Run with `input` on standard input.
    fn run_in(&self, args: &[&str], input: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_camguard"))
            .args(args)
            .env("CAMGUARD_LOG", "debug")
            .env("CAMGUARD_DATABASE", self.db())
            .env("USER", "tester")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run camguard");
        // A command that refuses its arguments exits before reading standard input: a broken
        // pipe here is that, not a failure.
        let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
        child.wait_with_output().unwrap()
    }
    fn expect(&self, args: &[&str], input: &str, code: i32) -> Output {
        let o = self.run_in(args, input);
        assert_eq!(
            o.status.code(),
            Some(code),
            "camguard {args:?}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            stderr(&o)
        );
        o
    }
    fn json(&self, args: &[&str]) -> Value {
        let o = self.expect(args, "", 0);
        serde_json::from_slice(&o.stdout).unwrap()
    }
    /// Every byte of the registry's files (database, WAL, shared memory).
    fn files(&self) -> Vec<u8> {
        let mut all = Vec::new();
        for e in std::fs::read_dir(self.dir.path()).unwrap() {
            all.extend(std::fs::read(e.unwrap().path()).unwrap());
        }
        all
    }
    /// Run one SQL statement on the registry behind camguard's back.
    fn sql(&self, sql: &str) {
        let url = format!("sqlite://{}", self.db());
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(async {
                use sqlx::Connection;
                let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.unwrap();
                c.close().await.unwrap();
            });
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn accounts_from_the_command_line() {
    let r = Registry::new();
    let add_admin = ["user", "add", "root", "--role", "admin", "--password-stdin"];
    // Weak passwords: refused with the reason, in Vietnamese by default, in English on request.
    let o = r.expect(&add_admin, "short\n", 2);
    assert!(stderr(&o).contains("ít nhất 12"), "{}", stderr(&o));
    let en: Vec<&str> = ["--lang", "en"].iter().chain(&add_admin).copied().collect();
    let o = r.expect(&en, "password2024!\n", 2);
    assert!(stderr(&o).contains("common password"), "{}", stderr(&o));
    let o = r.expect(&en, "root-of-all-evil\n", 2);
    assert!(stderr(&o).contains("username"), "{}", stderr(&o));
    let o = r.expect(&add_admin, "", 2);
    assert!(stderr(&o).contains("standard input"), "{}", stderr(&o));
    // The password is never an argument.
    r.expect(&["user", "add", "root", "--role", "admin"], PASSWORD, 2);

    // No account until one is created.
    assert_eq!(
        r.json(&["user", "list", "--format", "json"]),
        Value::Array(vec![])
    );
    let mut logs = String::new();
    let o = r.expect(&add_admin, &format!("{PASSWORD}\n"), 0);
    logs.push_str(&stderr(&o));
    assert!(
        out(&o).contains("added account root (admin)"),
        "{}",
        out(&o)
    );

    // Role and organisation must fit.
    let unit = [
        "user",
        "add",
        "it.ag",
        "--role",
        "unit",
        "--org",
        "AG",
        "--password-stdin",
    ];
    let o = r.expect(&unit, PASSWORD, 2);
    assert!(stderr(&o).contains("AG"), "{}", stderr(&o));
    r.expect(
        &[
            "org",
            "add",
            "AG",
            "--name",
            "UBND tỉnh An Giang",
            "--kind",
            "province",
        ],
        "",
        0,
    );
    logs.push_str(&stderr(&r.expect(&unit, PASSWORD, 0)));
    logs.push_str(&stderr(&r.expect(&unit, PASSWORD, 2))); // exists
    r.expect(
        &[
            "user",
            "add",
            "x",
            "--role",
            "admin",
            "--org",
            "AG",
            "--password-stdin",
        ],
        PASSWORD,
        2,
    );
    let users = r.json(&["user", "list", "--format", "json"]);
    assert_eq!(users.as_array().unwrap().len(), 2);
    assert_eq!(users[0]["username"], "it.ag");
    assert_eq!(users[0]["org"], "AG");
    assert_eq!(users[1]["role"], "admin");
    assert!(users[0].get("password_hash").is_none());

    // A token: printed once, alone on standard output; its id on standard error.
    let o = r.expect(&["user", "token", "it.ag", "--expires-days", "7"], "", 0);
    let token = out(&o).trim().to_string();
    assert!(token.starts_with("cgt_") && !token.contains(' '), "{token}");
    assert!(stderr(&o).contains("revoke-token 1"), "{}", stderr(&o));
    logs.push_str(&stderr(&o));
    r.expect(&["user", "token", "it.ag", "--expires-days", "0"], "", 2);
    r.expect(&["user", "token", "nobody"], "", 2);

    r.expect(
        &["user", "passwd", "it.ag", "--password-stdin"],
        "qwerty123456",
        2,
    );
    let o = r.expect(
        &["user", "passwd", "it.ag", "--password-stdin"],
        NEW_PASSWORD,
        0,
    );
    logs.push_str(&stderr(&o));
    let o = r.expect(&["user", "revoke-token", "1"], "", 0);
    assert!(out(&o).contains("revoked"), "{}", out(&o));
    r.expect(&["user", "revoke-token", "42"], "", 2);
    let o = r.expect(&["user", "disable", "it.ag"], "", 0);
    assert!(out(&o).contains("disabled"), "{}", out(&o));
    r.expect(&["user", "disable", "nobody"], "", 2);

    // Every change is in the audit log, in order, by the operating system's user.
    let log = r.json(&["audit", "list", "--format", "json"]);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "user.add",
            "org.add",
            "user.add",
            "token.create",
            "user.passwd",
            "token.revoke",
            "user.disable"
        ]
    );
    assert_eq!(log[0]["actor"], "cli:tester");
    assert!(
        r.json(&[
            "audit",
            "list",
            "--since",
            "2999-01-01T07:00:00+07:00",
            "--format",
            "json"
        ])
        .as_array()
        .unwrap()
        .is_empty()
    );
    r.expect(&["audit", "list", "--since", "yesterday"], "", 2);
    let o = r.expect(&["audit", "verify"], "", 0);
    assert!(out(&o).contains("intact: 7 entries"), "{}", out(&o));

    // Secrets: nowhere in the registry's files, nor in any listing or log (debug level), but
    // for the one printing of the token on standard output.
    let listings = [
        out(&r.expect(&["audit", "list"], "", 0)),
        out(&r.expect(&["audit", "list", "--format", "json"], "", 0)),
        out(&r.expect(&["user", "list"], "", 0)),
        out(&r.expect(&["user", "list", "--format", "json"], "", 0)),
        stderr(&r.expect(&["user", "list"], "", 0)),
        logs,
    ]
    .join("\n");
    let files = r.files();
    for secret in [PASSWORD, NEW_PASSWORD, token.as_str(), &token[4..]] {
        assert!(!contains(&files, secret), "{secret:?} is in the registry");
        assert!(!listings.contains(secret), "{secret:?} was shown");
    }
}

#[test]
fn audit_verify_names_an_altered_or_a_deleted_entry() {
    for (tamper, says) in [
        (
            "UPDATE audit_log SET after_json = '{\"role\":\"unit\"}' WHERE id = 2",
            "entry 2 was altered",
        ),
        (
            "UPDATE audit_log SET actor = 'cli:someone-else' WHERE id = 2",
            "entry 2 was altered",
        ),
        ("DELETE FROM audit_log WHERE id = 2", "entry 2 is missing"),
        ("DELETE FROM audit_log WHERE id = 3", "entry 3 is missing"),
    ] {
        let r = Registry::new();
        for name in ["a.one", "b.two", "c.three"] {
            r.expect(
                &["user", "add", name, "--role", "admin", "--password-stdin"],
                PASSWORD,
                0,
            );
        }
        r.expect(&["audit", "verify"], "", 0);
        r.sql(tamper);
        let o = r.expect(&["audit", "verify"], "", 7);
        assert!(stderr(&o).contains(says), "{tamper}: {}", stderr(&o));
        let v: Value = serde_json::from_slice(
            &r.expect(&["audit", "verify", "--format", "json"], "", 7)
                .stdout,
        )
        .unwrap();
        assert!(v["first_bad"]["id"].is_i64(), "{v}");
    }
}

#[test]
fn registry_changes_at_the_command_line_are_in_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let db = db.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--database", db]);
        let o = super::camguard(&all);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        o
    };
    run(&[
        "org",
        "add",
        "P",
        "--name",
        "Tỉnh",
        "--kind",
        "province",
        "--scope",
        "127.155.0.0/16",
    ]);
    run(&["org", "add", "U", "--name", "Đơn vị", "--parent", "P"]);
    run(&["org", "scope", "U", "127.155.1.0/24"]);
    run(&["system", "add", "U-CAM", "--name", "Camera", "--org", "U"]);
    let csv = dir.path().join("inv.csv");
    std::fs::write(
        &csv,
        "org,vendor,model,serial\nU,Hikvision,DS-2CD2143G2-I,a1\n",
    )
    .unwrap();
    run(&["camera", "import", csv.to_str().unwrap()]);
    let xlsx = dir.path().join("out.xlsx");
    run(&["camera", "export", xlsx.to_str().unwrap(), "--org", "U"]);
    let log = run(&["audit", "list", "--format", "json"]);
    let entries: Value = serde_json::from_slice(&log.stdout).unwrap();
    let entries = entries.as_array().cloned().unwrap_or_default();
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in [
        "org.add",
        "org.scope",
        "system.add",
        "camera.import",
        "camera.export",
    ] {
        assert!(actions.contains(&a), "{a} not in {actions:?}");
    }
    // Each names the organisation it concerns and the operator, from the command line.
    let import = entries
        .iter()
        .find(|e| e["action"] == "camera.import")
        .unwrap();
    assert_eq!(import["client"], "local");
    assert!(import["actor"].as_str().unwrap().starts_with("cli:"));
    assert_eq!(import["after"]["inserted"], 1);
    assert!(run(&["audit", "verify"]).status.success());
}
