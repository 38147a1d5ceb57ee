//! Usage, refusals and exit codes: none of these send a packet.

use super::{camguard, stderr};

#[test]
fn public_target_without_scope_is_refused_with_exit_3() {
    let o = camguard(&["scan", "198.51.100.7", "--quiet"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("--scope"), "{}", stderr(&o));
}

#[test]
fn never_scanned_blocks_are_refused_even_with_a_scope() {
    let dir = tempfile::tempdir().unwrap();
    let scope = dir.path().join("scope.txt");
    std::fs::write(&scope, "0.0.0.0/0\n").unwrap();
    for t in [
        "224.0.0.251",
        "255.255.255.255",
        "0.0.0.1",
        "239.255.255.250/32",
    ] {
        let o = camguard(&["scan", t, "--scope", scope.to_str().unwrap(), "--quiet"]);
        assert_eq!(o.status.code(), Some(3), "{t}: {}", stderr(&o));
        assert!(stderr(&o).contains(t), "{}", stderr(&o));
    }
}

#[test]
fn target_outside_the_scope_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scope = dir.path().join("scope.txt");
    std::fs::write(&scope, "# lab\n127.79.0.0/24\n").unwrap();
    let o = camguard(&[
        "scan",
        "127.79.0.0/23",
        "--scope",
        scope.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("outside the authorised scope"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_inputs_exit_2_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let bad_scope = dir.path().join("scope.txt");
    std::fs::write(&bad_scope, "127.0.0.0/40\n").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["scan".into(), "127.0.0.300".into()], "127.0.0.300"),
        (
            vec!["scan".into(), "127.0.0.1".into(), "-p".into(), "0".into()],
            "bad port",
        ),
        (
            vec![
                "scan".into(),
                "127.0.0.1".into(),
                "-p".into(),
                "90-80".into(),
            ],
            "end before start",
        ),
        (
            vec!["scan".into(), "@/nonexistent/targets.txt".into()],
            "/nonexistent/targets.txt",
        ),
        (
            vec![
                "scan".into(),
                "127.0.0.1".into(),
                "--scope".into(),
                bad_scope.display().to_string(),
            ],
            "line 1",
        ),
        (vec!["scan".into()], "TARGET"),
        (
            vec!["sim".into(), "--base".into(), "10.0.0.0".into()],
            "loopback",
        ),
    ];
    for (args, why) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = camguard(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(why), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn broken_knowledge_base_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("fingerprints")).unwrap();
    std::fs::write(
        dir.path().join("fingerprints/mine.toml"),
        "schema = 1\n[[rule]]\nid = \"x\"\nkey = \"http.server\"\npattern = \"(\"\n",
    )
    .unwrap();
    let o = camguard(&["kb", "--kb", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("fingerprints/mine.toml"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn kb_lists_versioned_files() {
    let o = camguard(&["kb", "show", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let files = v["files"].as_array().unwrap();
    assert!(
        files
            .iter()
            .any(|f| f["file"] == "ports.toml" && f["sha256"].as_str().unwrap().len() == 64)
    );
    assert!(v["fingerprint_rules"].as_u64().unwrap() > 50, "{v}");
    assert!(
        !v["default_ports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == 2024)
    );
}

#[test]
fn help_man_and_completions() {
    let o = camguard(&["scan", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("--scope") && help.contains("@FILE"), "{help}");
    let o = camguard(&["--help"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("Exit status"));
    let o = camguard(&["man"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains(".TH camguard"));
    let o = camguard(&["completions", "bash"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("_camguard"));
}
