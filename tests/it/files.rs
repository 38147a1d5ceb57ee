//! Inventory files through the binary: unknown and misspelled columns, rows that cannot be
//! matched on re-import, and the documented `system level` example.

use super::stderr;
use std::process::{Command, Output};

struct Registry {
    dir: tempfile::TempDir,
}

impl Registry {
    fn new() -> Self {
        let r = Registry {
            dir: tempfile::tempdir().unwrap(),
        };
        r.ok(
            &[
                "org",
                "add",
                "AG",
                "--name",
                "UBND",
                "--kind",
                "province",
                "--scope",
                "10.80.0.0/16",
            ],
            0,
        );
        r
    }
    fn run(&self, args: &[&str]) -> Output {
        crate::bounded_output(
            Command::new(env!("CARGO_BIN_EXE_camguard"))
                .args(args)
                .current_dir(self.dir.path())
                .env("CAMGUARD_LOG", "error")
                .env("CAMGUARD_LANG", "en")
                .env("CAMGUARD_DATABASE", self.dir.path().join("r.db")),
        )
    }
    fn ok(&self, args: &[&str], code: i32) -> Output {
        let o = self.run(args);
        assert_eq!(
            o.status.code(),
            Some(code),
            "camguard {args:?}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            stderr(&o)
        );
        o
    }
    fn file(&self, name: &str, text: &str) -> String {
        std::fs::write(self.dir.path().join(name), text).unwrap();
        name.to_owned()
    }
    fn cameras(&self) -> serde_json::Value {
        let o = self.ok(&["camera", "list", "--format", "json"], 0);
        serde_json::from_slice(&o.stdout).unwrap()
    }
}

#[test]
fn misspelled_column_is_refused_with_a_suggestion_and_nothing_is_imported() {
    let r = Registry::new();
    let f = r.file(
        "cams.csv",
        "org,vendor,model,seral,ip_addr\nAG,Hikvision,DS-2CD2143G0-I,SN1,10.80.1.5\n",
    );
    let o = r.ok(&["camera", "import", &f], 2);
    let err = stderr(&o);
    assert!(
        err.contains(
            "column \"seral\" is not an inventory column, did you mean serial (Số serial)?"
        ) && err.contains(
            "column \"ip_addr\" is not an inventory column, did you mean ip (Địa chỉ IP)?"
        ),
        "{err}"
    );
    assert_eq!(r.cameras().as_array().unwrap().len(), 0);
}

#[test]
fn extra_column_is_kept_with_a_warning_and_unmatchable_rows_are_named() {
    let r = Registry::new();
    let f = r.file(
        "cams.csv",
        "org,vendor,model,serial,ip,ghi_chu\n\
         AG,Hikvision,DS-2CD2143G0-I,SN1,10.80.1.5,cổng chính\n\
         AG,Dahua,IPC-HFW1230S,,10.80.1.6,kho\n",
    );
    let o = r.ok(&["camera", "import", &f], 0);
    let err = stderr(&o);
    assert!(
        err.contains("cams.csv:1: warning: column \"ghi_chu\" is not an inventory column; its values are kept as a custom attribute"),
        "{err}"
    );
    assert!(
        err.contains("cams.csv:3: warning: no serial or MAC"),
        "{err}"
    );
    assert!(!err.contains("cams.csv:2: warning"), "{err}");
    // The JSON report carries the same warnings.
    let o = r.ok(&["camera", "import", &f, "--format", "json"], 0);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let lines: Vec<u64> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [1, 3]);
    // As warned: the row with a serial was updated, the other added a second time.
    assert_eq!(r.cameras().as_array().unwrap().len(), 3);
}

/// The example under `camguard system level --help` must work as written.
#[test]
fn the_documented_level_example_works() {
    let r = Registry::new();
    r.ok(
        &[
            "org",
            "add",
            "AG-CA",
            "--name",
            "Công an",
            "--parent",
            "AG",
            "--scope",
            "10.80.2.0/24",
        ],
        0,
    );
    let help = String::from_utf8(r.ok(&["system", "level", "--help"], 0).stdout).unwrap();
    // The example, joined back where the help output wrapped it.
    let mut lines = help.lines().map(str::trim);
    let mut example = lines
        .find(|l| l.starts_with("camguard system level "))
        .unwrap_or_else(|| panic!("no example in:\n{help}"))
        .to_owned();
    for l in lines.take_while(|l| !l.is_empty() && !l.starts_with("camguard ")) {
        example.push(' ');
        example.push_str(l);
    }
    let args: Vec<&str> = example.split_whitespace().skip(1).collect();
    // The example's system must exist first.
    let system = args[2];
    r.ok(
        &["system", "add", system, "--org", "AG-CA", "--name", "CCTV"],
        0,
    );
    let o = r.ok(&args, 0);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!("{system}: level 3")),
        "{out}\n{}",
        stderr(&o)
    );
}

/// The province's line used to say 0 problems while its unit had 5, and never named the
/// province's own deadlines (`--deadlines an-giang`).
#[test]
fn status_shows_a_province_its_own_duties_and_what_is_below_it() {
    let r = Registry::new();
    r.ok(
        &[
            "org",
            "add",
            "AG2",
            "--name",
            "UBND 2",
            "--kind",
            "province",
            "--scope",
            "10.81.0.0/16",
            "--deadlines",
            "an-giang",
        ],
        0,
    );
    r.ok(
        &[
            "org",
            "add",
            "AG2-S",
            "--name",
            "Sở",
            "--parent",
            "AG2",
            "--scope",
            "10.81.1.0/24",
        ],
        0,
    );
    let f = r.file(
        "cams.csv",
        "org,vendor,model,serial\nAG2-S,Hikvision,DS-2CD2143G0-I,S1\n",
    );
    r.ok(&["camera", "import", &f], 0);
    let o = r.ok(&["status", "AG2", "--date", "2026-11-23"], 0);
    let out = String::from_utf8_lossy(&o.stdout);
    let province = out.lines().find(|l| l.starts_with("AG2 ")).unwrap();
    assert!(province.contains("0 own, 5 in all (1/2 units)"), "{out}");
    assert!(
        province.contains("not-applicable (below: missing)"),
        "{out}"
    );
    assert!(
        province.contains("ag-level-approved by 2023-05-11"),
        "{out}"
    );
    let json = r.ok(
        &["status", "AG2", "--date", "2026-11-23", "--format", "json"],
        0,
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let p = &v["units"][0];
    assert_eq!(
        (p["problems"].as_u64(), p["subtree_problems"].as_u64()),
        (Some(0), Some(5))
    );
    assert_eq!(p["below"]["level-approved"], "missing");
    assert_eq!(p["own_deadlines"][0]["id"], "ag-level-approved");
    assert_eq!(p["own_deadlines"][0]["binding"], false);
}

/// A catalogue file's unknown columns are named too, in the table output and the JSON report.
#[test]
fn catalogue_import_names_unknown_columns() {
    let r = Registry::new();
    let f = r.file(
        "cat.csv",
        "status,vendor,model,document,lo_hang\ncertified,Hikvision,DS-2CD2143G2-I,cert 001,lô 1\n",
    );
    let o = r.ok(&["catalogue", "import", &f], 0);
    let err = stderr(&o);
    assert!(
        err.contains("cat.csv:1: warning: column \"lo_hang\""),
        "{err}"
    );
    let o = r.ok(&["catalogue", "import", &f, "--format", "json"], 0);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{report}");
    assert_eq!(warnings[0]["line"], 1);
    assert!(
        warnings[0]["warning"].as_str().unwrap().contains("lo_hang"),
        "{report}"
    );
}
