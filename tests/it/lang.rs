//! The terminal speaks the user's language: Vietnamese by default (and for any locale that is not
//! English), English with `--lang en`, `CAMGUARD_LANG=en` or an English locale; finding titles
//! and remediation in the table; machine outputs the same in every language.

use std::process::{Command, Output};

/// camguard with no language settings from the caller's environment, plus `env`.
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_camguard"));
    c.args(args).env("CAMGUARD_LOG", "error");
    for v in ["CAMGUARD_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    let o = crate::bounded_output(&mut c);
    assert!(
        o.status.success(),
        "camguard {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn scan_table_is_vietnamese_by_default_and_english_on_request_with_remediation() {
    let demo = [
        "demo",
        "--base",
        "127.81.0.0",
        "--hosts",
        "16",
        "--seed",
        "7",
        "--no-serve",
    ];
    let vi = stdout(&run(&demo, &[("LANG", "C.UTF-8")]));
    assert!(vi.contains("ĐỊA CHỈ"), "{vi}");
    assert!(vi.contains("CÁC PHÁT HIỆN"), "{vi}");
    assert!(vi.contains("khắc phục: "), "remediation shown: {vi}");
    assert!(vi.contains("nghiêm trọng") || vi.contains("cao"), "{vi}");
    // A finding title in Vietnamese (from locales/vi/findings.ftl).
    assert!(vi.contains("mật khẩu"), "{vi}");
    assert!(!vi.contains("OPEN PORTS") && !vi.contains("fix: "), "{vi}");

    for env in [
        vec![("CAMGUARD_LANG", "en")],
        vec![("LANG", "en_US.UTF-8")],
        vec![("LC_ALL", "en_GB.UTF-8"), ("LANG", "vi_VN.UTF-8")],
    ] {
        let en = stdout(&run(&demo, &env));
        assert!(
            en.contains("ADDRESS") && en.contains("OPEN PORTS"),
            "{env:?}: {en}"
        );
        assert!(en.contains("\nFINDINGS\n"), "{env:?}: {en}");
        assert!(en.contains("fix: "), "{env:?}: {en}");
        assert!(en.contains("password"), "{env:?}: {en}");
        assert!(!en.contains("khắc phục"), "{env:?}: {en}");
    }
    // The option wins over the environment.
    let en = stdout(&run(
        &[
            "--lang",
            "en",
            "demo",
            "--base",
            "127.81.0.0",
            "--hosts",
            "16",
            "--no-serve",
        ],
        &[("CAMGUARD_LANG", "vi"), ("LANG", "vi_VN.UTF-8")],
    ));
    assert!(en.contains("OPEN PORTS"), "{en}");
    let vi = stdout(&run(
        &["--lang", "vi", "baseline", "list"],
        &[("LANG", "en_US.UTF-8")],
    ));
    assert!(vi.contains("TIÊU CHUẨN"), "{vi}");
}

#[test]
fn baseline_list_takes_format_json_and_keeps_json_as_a_deprecated_alias() {
    let new = run(&["baseline", "list", "--format", "json"], &[]);
    let old = run(&["baseline", "list", "--json"], &[]);
    let en = run(
        &["--lang", "en", "baseline", "list", "--format", "json"],
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&new.stdout).unwrap();
    assert!(v.as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(new.stdout, old.stdout);
    assert_eq!(
        new.stdout, en.stdout,
        "JSON does not depend on the language"
    );
    assert!(String::from_utf8_lossy(&old.stderr).contains("--format json"));
    let table = stdout(&run(&["--lang", "en", "baseline", "list"], &[]));
    assert!(table.starts_with("ID "), "{table}");
}

#[test]
fn a_bad_language_is_a_usage_error() {
    let o = crate::bounded_output(
        Command::new(env!("CARGO_BIN_EXE_camguard")).args(["--lang", "fr", "baseline", "list"]),
    );
    assert_eq!(o.status.code(), Some(2));
    let o = crate::bounded_output(
        Command::new(env!("CARGO_BIN_EXE_camguard"))
            .args(["baseline", "list"])
            .env("CAMGUARD_LANG", "de"),
    );
    assert_eq!(o.status.code(), Some(2));
}

/// `camguard man --dir` writes every page the pages name (`camguard-scan(1)`, …).
#[test]
fn man_dir_writes_every_named_page() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    run(&["man", "--dir", &d], &[]);
    let re = regex_lite(r"camguard(\\-[a-z0-9]+)*\(1\)");
    let mut pages = 0;
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        pages += 1;
        for name in re(&text) {
            let file = format!("{}.1", name.trim_end_matches("(1)").replace("\\-", "-"));
            assert!(
                dir.path().join(&file).exists(),
                "{file} is named but not written"
            );
        }
    }
    assert!(pages > 40, "{pages} pages");
    assert!(dir.path().join("camguard-org-add.1").exists());
}

/// The `camguard…(1)` references of a roff text (no regex dependency in the tests).
fn regex_lite(_: &str) -> impl Fn(&str) -> Vec<String> {
    |text: &str| {
        let mut out = Vec::new();
        for (i, _) in text.match_indices("camguard") {
            let rest = &text[i..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '\\'))
                .unwrap_or(rest.len());
            if rest[end..].starts_with("(1)") {
                out.push(format!("{}(1)", &rest[..end]));
            }
        }
        out
    }
}

/// The scan's summary on standard error follows the language too (a closed loopback port, no
/// fleet needed).
#[test]
fn scan_summary_speaks_the_chosen_language() {
    let args = ["scan", "127.113.0.1", "--ports", "9"];
    let vi = String::from_utf8_lossy(&run(&args, &[]).stderr).into_owned();
    assert!(
        vi.contains("1 địa chỉ trong") && vi.contains("0 máy hoạt động"),
        "{vi}"
    );
    let en = String::from_utf8_lossy(&run(&args, &[("CAMGUARD_LANG", "en")]).stderr).into_owned();
    assert!(
        en.contains("1 addresses in") && en.contains("0 hosts up"),
        "{en}"
    );
}
