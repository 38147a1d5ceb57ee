//! No secret anywhere unless `--reveal-secrets` (issue 8): a simulated fleet is scanned in every
//! output format and saved to a registry, and neither the outputs, the debug log, nor any row of
//! any table of the registry carries a password the devices really have (the simulator's
//! truth). With `--reveal-secrets` the same search does find them, so the search can fail.
//!
//! A device's password is looked for in what is said about that device (its JSON object, its
//! table or CSV line, log lines and stored rows naming its address): `admin` is the password of
//! some simulated devices and the user name of many others, whose reports name that user.
//! Text naming no device is searched for every password that is not also a user name.
//!
//! How a password is looked for, honestly for short ones:
//! * every password of 3 characters or more, wherever it stands as a word of its own (not
//!   inside a longer word: `pass` is looked for in `root,pass` and `/pass/`, not in
//!   `password`), in every text: the JSON formats string by string, except two kinds of strings
//!   where the value is something else that happens to be spelled the same — a baseline
//!   `verdict` (the Axis password `pass` is also the verdict `pass`) and a `username` field
//!   holding that account's own name (`admin` whose password is `admin` is still named);
//! * every password, the empty one and one- or two-character ones included, as the value of a
//!   `password` field: in JSON and in the stored rows, `"password"` is only ever `"****"`.

use super::stderr;
use camguard_sim::{Fleet, Truth};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

const BASE: &str = "127.111.0.0";
const HOSTS: u32 = 128;
const SEED: u64 = 5;
const TARGET: &str = "127.111.0.0/25";

/// A password a simulated device accepts, and the account it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Truthful {
    password: String,
    user: String,
}

fn secrets(truth: &Truth) -> Vec<Truthful> {
    let set: BTreeSet<Truthful> = truth
        .entries
        .iter()
        .flat_map(|e| &e.credentials)
        .map(|c| Truthful {
            password: c.password.clone(),
            user: c.username.clone(),
        })
        .collect();
    set.into_iter().collect()
}

/// The truth's passwords by device address.
struct Secrets {
    by_ip: std::collections::HashMap<String, Vec<Truthful>>,
    all: Vec<Truthful>,
}

impl Secrets {
    fn new(truth: &Truth) -> Self {
        let mut by_ip = std::collections::HashMap::new();
        for e in &truth.entries {
            let mut v: Vec<Truthful> = e
                .credentials
                .iter()
                .map(|c| Truthful {
                    password: c.password.clone(),
                    user: c.username.clone(),
                })
                .collect();
            v.sort();
            v.dedup();
            by_ip.insert(e.ip.to_string(), v);
        }
        Secrets {
            by_ip,
            all: secrets(truth),
        }
    }

    /// The passwords of the devices whose addresses `text` names; with none, every password
    /// that is not also a user name of the fleet.
    fn for_text(&self, text: &str) -> Vec<Truthful> {
        let prefix = &BASE[..=BASE.rfind('.').unwrap()];
        let mut out: Vec<Truthful> = Vec::new();
        let mut named = false;
        for (i, _) in text.match_indices(prefix) {
            let rest = &text[i + prefix.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Some(v) = self.by_ip.get(&format!("{prefix}{digits}")) {
                named = true;
                out.extend(v.iter().cloned());
            }
        }
        if !named {
            out = self
                .all
                .iter()
                .filter(|s| !self.all.iter().any(|t| t.user == s.password))
                .cloned()
                .collect();
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Passwords long enough to be looked for as words.
fn searchable(secrets: &[Truthful]) -> Vec<&Truthful> {
    secrets
        .iter()
        .filter(|s| s.password.chars().count() >= 3)
        .collect()
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// Excerpts around every occurrence of `word` in `text` that is not part of a longer word.
fn occurrences(text: &str, word: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices(word) {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        if before.is_some_and(is_word) || after.is_some_and(is_word) {
            continue;
        }
        let from = text[..i].char_indices().rev().nth(40).map_or(0, |(j, _)| j);
        let to = text[i..]
            .char_indices()
            .nth(word.chars().count() + 20)
            .map_or(text.len(), |(j, _)| i + j);
        out.push(text[from..to].to_string());
    }
    out
}

/// Leaks in free text (table, CSV, logs, a registry dump): `(password, excerpt)`.
fn text_leaks(text: &str, secrets: &[Truthful]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in searchable(secrets) {
        // Stored reports are JSON: the same two kinds of strings as in `json_leaks` are left
        // out, a `username` naming the account itself and a baseline `verdict`.
        let mut text = text.to_string();
        for (key, value) in [("username", &s.user), ("verdict", &s.password)] {
            for sep in [":", ": "] {
                text = text.replace(
                    &format!("\"{key}\"{sep}\"{value}\""),
                    &format!("\"{key}\":\"(left out)\""),
                );
            }
        }
        for e in occurrences(&text, &s.password) {
            out.push((s.password.clone(), e));
        }
    }
    out
}

/// Leaks in a JSON document, string by string (see the module comment for the two kinds of
/// strings left out), and any `password` field that is not `****`.
fn json_leaks(v: &Value, secrets: &[Truthful], out: &mut Vec<(String, String)>) {
    fn walk(v: &Value, key: &str, secrets: &[Truthful], out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    walk(x, k, secrets, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, key, secrets, out)),
            Value::String(s) => {
                if key == "password" {
                    if s != "****" {
                        let what = if secrets.iter().any(|t| t.password == *s) {
                            s.clone()
                        } else {
                            "(password field)".into()
                        };
                        out.push((what, format!("\"password\": {s:?}")));
                    }
                    return;
                }
                for t in searchable(secrets) {
                    if key == "verdict" && *s == t.password {
                        continue;
                    }
                    if key == "username" && *s == t.user {
                        continue;
                    }
                    for e in occurrences(s, &t.password) {
                        out.push((t.password.clone(), format!("{key}: {e}")));
                    }
                }
            }
            _ => {}
        }
    }
    walk(v, "", secrets, out);
}

fn start() -> (tokio::runtime::Runtime, Fleet) {
    super::start_fleet(BASE, HOSTS, SEED)
}

fn run(db: &Path, args: &[&str], log: &str) -> Output {
    let o = crate::bounded_output(
        Command::new(env!("CARGO_BIN_EXE_camguard"))
            .args(args)
            .env("CAMGUARD_LOG", log)
            .env("CAMGUARD_DATABASE", db)
            .env("USER", "tester"),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "camguard {args:?}: {}",
        stderr(&o)
    );
    o
}

fn scan(db: &Path, extra: &[&str], log: &str) -> Output {
    let mut args = vec![
        "scan",
        TARGET,
        "-q",
        "--no-wsd",
        "--host-timeout",
        "6",
        "--lang",
        "en",
    ];
    args.extend_from_slice(extra);
    run(db, &args, log)
}

fn report(what: &str, leaks: &[(String, String)]) -> String {
    let mut s = format!("{what}: {} leak(s)\n", leaks.len());
    for (p, e) in leaks.iter().take(12) {
        s.push_str(&format!("  {p:?} in …{e}…\n"));
    }
    s
}

/// Leaks in line-oriented text (table, CSV, log, SQL dump): each line against the passwords
/// of the devices it names.
fn line_leaks(text: &str, secrets: &Secrets) -> Vec<(String, String)> {
    text.lines()
        .flat_map(|l| text_leaks(l, &secrets.for_text(l)))
        .collect()
}

/// Leaks in a scan document or one JSONL host: each host object against its own passwords.
fn doc_leaks(doc: &Value, secrets: &Secrets, out: &mut Vec<(String, String)>) {
    let hosts: Vec<&Value> = match doc.get("hosts").and_then(Value::as_array) {
        Some(h) => h.iter().collect(),
        None => vec![doc],
    };
    for h in hosts {
        let ip = h["ip"].as_str().unwrap_or_default();
        json_leaks(h, &secrets.for_text(ip), out);
    }
    if let Some(scan) = doc.get("scan") {
        json_leaks(scan, &secrets.for_text(""), out);
    }
}

#[test]
fn no_truth_password_in_any_output_log_or_stored_row() {
    let sqlite3 = Command::new("sqlite3").arg("-version").output();
    assert!(
        sqlite3.is_ok_and(|o| o.status.success()),
        "the sqlite3 command-line shell is needed to read every stored row (apt-get install sqlite3)"
    );
    let (rt, fleet) = start();
    let truth = fleet.truth().clone();
    let secrets = Secrets::new(&truth);
    assert!(
        searchable(&secrets.all).len() >= 4,
        "the fleet must have passwords to look for: {:?}",
        secrets.all
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let mut failures = String::new();
    let mut check = |what: &str, leaks: Vec<(String, String)>| {
        if !leaks.is_empty() {
            failures.push_str(&report(what, &leaks));
        }
    };

    // JSON with the debug log on: the document and every log line.
    let o = scan(&db, &["-f", "json", "-vv"], "debug");
    let doc: Value = serde_json::from_slice(&o.stdout).expect("json");
    let defaults = doc["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h["findings"].as_array().cloned().unwrap_or_default())
        .filter(|f| {
            f["id"]
                .as_str()
                .is_some_and(|i| i.starts_with("default-credential:"))
        })
        .count();
    assert!(
        defaults >= 10,
        "the fleet must give default-credential findings to check: {defaults}"
    );
    let mut leaks = Vec::new();
    doc_leaks(&doc, &secrets, &mut leaks);
    check("--format json", leaks);
    check("debug log (stderr)", line_leaks(&stderr(&o), &secrets));

    // JSONL, host by host.
    let o = scan(&db, &["-f", "jsonl"], "error");
    let mut leaks = Vec::new();
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        doc_leaks(
            &serde_json::from_str(line).expect("jsonl"),
            &secrets,
            &mut leaks,
        );
    }
    check("--format jsonl", leaks);

    // Table and CSV: one line per host.
    for f in ["table", "csv"] {
        let o = scan(&db, &["-f", f], "error");
        check(
            &format!("--format {f}"),
            line_leaks(&String::from_utf8_lossy(&o.stdout), &secrets),
        );
    }

    // The registry: a saved scan, then every row of every table as SQL text (one line a row).
    run(
        &db,
        &[
            "org",
            "add",
            "SEC",
            "--name",
            "Secrets",
            "--scope",
            "127.111.0.0/24",
        ],
        "error",
    );
    scan(
        &db,
        &["--org", "SEC", "--save", "-f", "jsonl", "-o", "/dev/null"],
        "error",
    );
    let dump = Command::new("sqlite3")
        .arg(&db)
        .arg(".dump")
        .output()
        .expect("sqlite3 .dump");
    assert!(dump.status.success(), "{}", stderr(&dump));
    let dump = String::from_utf8_lossy(&dump.stdout).into_owned();
    assert!(
        dump.contains("default-credential:"),
        "the saved scan stored default-credential findings"
    );
    let mut leaks = line_leaks(&dump, &secrets);
    // A stored report's `password` field (any password, the empty one too) is only `****`.
    for (i, _) in dump.match_indices("\"password\":") {
        let value = dump[i + 11..].trim_start();
        if !value.starts_with("\"****\"") {
            leaks.push(("(password field)".into(), value.chars().take(30).collect()));
        }
    }
    check("registry rows (sqlite3 .dump)", leaks);

    // With --reveal-secrets the same search finds the passwords: it can fail.
    let o = scan(&db, &["-f", "json", "--reveal-secrets"], "error");
    let doc: Value = serde_json::from_slice(&o.stdout).expect("json");
    let mut revealed = Vec::new();
    doc_leaks(&doc, &secrets, &mut revealed);
    let found: BTreeSet<&str> = revealed
        .iter()
        .map(|(p, _)| p.as_str())
        .filter(|p| p.chars().count() >= 3 && secrets.all.iter().any(|t| t.password == *p))
        .collect();
    rt.block_on(fleet.shutdown());
    assert!(
        found.len() >= 3,
        "--reveal-secrets must show the working passwords, and this search must see them: {found:?}"
    );
    assert!(failures.is_empty(), "secrets leaked:\n{failures}");
}
