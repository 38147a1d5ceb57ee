//! `camguard report`: the documents, end to end through the binary, on a registry with a saved
//! scan of a simulated fleet (127.171.0.0/24). The PDF's text is read back with `pdftotext`
//! (poppler-utils, installed by scripts/install-test-deps), the XLSX with calamine.

use super::stderr;
use calamine::{Reader, Xlsx};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Reg {
    dir: tempfile::TempDir,
}

impl Reg {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn run(&self, args: &[&str]) -> Output {
        crate::bounded_output(
            Command::new(env!("CARGO_BIN_EXE_camguard"))
                .args(args)
                .env("CAMGUARD_LOG", "error")
                .env("CAMGUARD_LANG", "vi")
                .env("CAMGUARD_DATABASE", self.path("registry.db"))
                .env("USER", "tester"),
        )
    }
    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "camguard {args:?}: {}",
            stderr(&o)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
}

/// The text of a PDF (`pdftotext -layout`), or `None` when poppler-utils is missing and the
/// run does not require it.
fn pdf_text(pdf: &Path) -> Option<String> {
    match Command::new("pdftotext").arg(pdf).arg("-").output() {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => panic!("pdftotext {}: {}", pdf.display(), stderr(&o)),
        Err(e) => {
            assert!(
                std::env::var("CAMGUARD_REAL_SERVERS").as_deref() != Ok("require"),
                "pdftotext: {e} (scripts/install-test-deps installs poppler-utils)"
            );
            eprintln!("SKIP the PDF text checks: pdftotext: {e}");
            None
        }
    }
}

/// Text without whitespace (pdftotext breaks lines and pads table columns).
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = wb
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("{}: sheet {name}: {e}", path.display()));
    range
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect()
}

#[test]
fn unit_province_and_site_reports_as_pdf_and_xlsx() {
    let (_rt, fleet) = super::start_fleet("127.171.0.0", 48, 23);
    let truth = fleet.truth();
    let r = Reg {
        dir: tempfile::tempdir().unwrap(),
    };
    r.ok(&[
        "org",
        "add",
        "AG",
        "--name",
        "Ủy ban nhân dân tỉnh An Giang",
        "--kind",
        "province",
        "--scope",
        "127.171.0.0/24",
    ]);
    r.ok(&[
        "org",
        "add",
        "AG-CA",
        "--name",
        "Công an tỉnh An Giang",
        "--parent",
        "AG",
        "--scope",
        "127.171.0.0/26",
    ]);
    r.ok(&[
        "org",
        "add",
        "AG-YT",
        "--name",
        "Sở Y tế tỉnh An Giang",
        "--parent",
        "AG",
        "--scope",
        "127.171.0.128/26",
    ]);
    // The inventory: the simulated cameras of AG-CA's scope with their true models, and one
    // camera whose model is hostile to markup.
    let cams: Vec<_> = truth
        .entries
        .iter()
        .filter(|e| e.is_camera && e.ip.octets()[3] < 64 && e.model.is_some())
        .collect();
    assert!(!cams.is_empty(), "the fleet has cameras in 127.171.0.0/26");
    let mut csv = String::from("org,vendor,model,ip,serial\n");
    for (i, c) in cams.iter().enumerate() {
        csv.push_str(&format!(
            "AG-CA,{},{},{},S{i}\n",
            c.vendor.clone().unwrap_or("x".into()),
            c.model.clone().unwrap(),
            c.ip
        ));
    }
    csv.push_str("AG-YT,Acme,\"#panic(\"\"x\"\") [$*_`@]\",127.171.0.130,Y1\n");
    std::fs::write(r.path("inv.csv"), csv).unwrap();
    r.ok(&["camera", "import", r.path("inv.csv").to_str().unwrap()]);
    let o = r.run(&[
        "scan",
        "127.171.0.0/26",
        "--org",
        "AG-CA",
        "--save",
        "--no-wsd",
        "-q",
        "-f",
        "json",
        "-o",
        r.path("scan.json").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let model = cams[0].model.clone().unwrap();
    let f = |n: &str| r.path(n).to_str().unwrap().to_string();
    let common = [
        "--date",
        "2026-12-05",
        "--place",
        "An Giang",
        "--number",
        "12",
    ];
    for (kind, org, file) in [
        ("province", "AG", "province.pdf"),
        ("unit", "AG-CA", "unit.pdf"),
        ("site", "AG-CA", "site.pdf"),
        ("province", "AG", "province.xlsx"),
        ("unit", "AG-CA", "unit.xlsx"),
        ("province", "AG", "province.json"),
    ] {
        let format = file.rsplit('.').next().unwrap();
        let mut args = vec!["report", kind, org, "--format", format, "-o"];
        let out = f(file);
        args.push(&out);
        args.extend(common);
        r.ok(&args);
    }

    // The PDFs' text: Decree 30's head, the directive, the units, a camera's model.
    if let Some(text) = pdf_text(&r.path("province.pdf")) {
        let t = squash(&text);
        for needle in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Chỉ thị số 23/CT-TTg",
            "An Giang, ngày 05 tháng 12 năm 2026",
            "Số: 12/BC-AG",
            "Ủy ban nhân dân tỉnh An Giang",
            "Công an tỉnh An Giang",
            "Sở Y tế tỉnh An Giang",
            "Nơi nhận",
            "Đây là báo cáo đầu tiên",
            // The hostile model is listed as text among the uncertified cameras.
            "#panic(\"x\") [$*_`@]",
        ] {
            assert!(
                t.contains(&squash(needle)),
                "province.pdf lacks {needle:?}:\n{text}"
            );
        }
    }
    if let Some(text) = pdf_text(&r.path("unit.pdf")) {
        let t = squash(&text);
        for needle in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Chỉ thị số 23/CT-TTg",
            "Công an tỉnh An Giang",
            &model,
        ] {
            assert!(
                t.contains(&squash(needle)),
                "unit.pdf lacks {needle:?}:\n{text}"
            );
        }
        // No secret: the simulator's real passwords never appear.
        for h in &truth.entries {
            for c in &h.credentials {
                // A password that is also the account's name ("admin"/"admin") appears as the
                // name, which reports may show.
                if c.password.len() >= 4 && c.password != c.username {
                    // As a word: "pass" inside "password" is no leak; "admin:pass" is.
                    assert!(
                        // Line breaks removed: the PDF wraps long evidence mid-word.
                        !contains_word(&t, &c.password),
                        "unit.pdf reveals {}'s password",
                        h.ip
                    );
                }
            }
        }
    }
    if let Some(text) = pdf_text(&r.path("site.pdf")) {
        let t = squash(&text);
        for needle in ["BIÊN BẢN", "Số: 12/BB-AG-CA", "127.171.0.0/26", "Kết luận"] {
            assert!(
                t.contains(&squash(needle)),
                "site.pdf lacks {needle:?}:\n{text}"
            );
        }
    }

    // The XLSX annexes hold the same rows.
    let units = sheet(&r.path("province.xlsx"), "Đơn vị");
    assert_eq!(units[0][0], "Mã");
    let mut codes: Vec<(&str, &str)> = units[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        codes.remove(0),
        ("AG", "Ủy ban nhân dân tỉnh An Giang"),
        "the root first"
    );
    codes.sort_unstable();
    assert_eq!(
        codes,
        [
            ("AG-CA", "Công an tỉnh An Giang"),
            ("AG-YT", "Sở Y tế tỉnh An Giang")
        ]
    );
    // Vendors by the knowledge base's name for the maker, whatever the inventory wrote (here
    // the simulator's lower-case ids); a maker it does not know by the name written.
    let vendors = sheet(&r.path("province.xlsx"), "Hãng");
    let names: Vec<&str> = vendors[1..].iter().map(|row| row[0].as_str()).collect();
    let kb = camguard_kb::Kb::embedded().unwrap();
    for c in &cams {
        let id = c.vendor.clone().unwrap_or_default();
        if let Some(v) = kb.vendors.iter().find(|v| v.id == id) {
            assert!(
                names.contains(&v.name.as_str()),
                "{} missing: {names:?}",
                v.name
            );
            assert!(
                v.name == id || !names.contains(&id.as_str()),
                "{id} shown: {names:?}"
            );
        }
    }
    assert!(names.contains(&"Acme"), "{names:?}");
    let flagged = sheet(&r.path("province.xlsx"), "Camera cảnh báo");
    assert!(
        flagged.iter().any(|row| row[3] == "#panic(\"x\") [$*_`@]"),
        "{flagged:?}"
    );
    // Why each duty is in its state, in Vietnamese (locales/vi/status.ftl), not the status
    // document's English.
    let duties = sheet(&r.path("unit.xlsx"), "Nhiệm vụ");
    let details: Vec<&str> = duties[1..].iter().map(|row| row[4].as_str()).collect();
    assert!(
        details
            .iter()
            .any(|d| d.ends_with("camera phát hiện khi rà quét nhưng chưa có trong danh mục")),
        "{details:?}"
    );
    assert!(
        !details.iter().any(|d| d.contains("not in the inventory")),
        "{details:?}"
    );
    let cameras = sheet(&r.path("unit.xlsx"), "Camera");
    assert_eq!(cameras[0][4], "Kiểu, loại (model)");
    let registered: Vec<&str> = cameras[1..]
        .iter()
        .filter(|r| r[10] == "Có")
        .map(|r| r[4].as_str())
        .collect();
    assert_eq!(registered.len(), cams.len(), "{cameras:?}");
    assert!(registered.contains(&model.as_str()));
    // The provincial report's JSON is the next report's "previous".
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(r.path("province.json")).unwrap()).unwrap();
    assert_eq!(json["kind"], "province");
    let out = f("province2.pdf");
    let prev = f("province.json");
    r.ok(&[
        "report",
        "province",
        "AG",
        "-o",
        &out,
        "--previous",
        &prev,
        "--date",
        "2026-12-06",
    ]);
    if let Some(text) = pdf_text(&r.path("province2.pdf")) {
        assert!(
            squash(&text).contains(&squash("Báo cáo trước: số 12/BC-AG, ngày 2026-12-05")),
            "{text}"
        );
    }
    // Unknown organisation: a usage error naming it.
    let o = r.run(&["report", "unit", "NOPE", "-o", &f("x.pdf")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!r.path("x.pdf").exists());
    // Every export is in the audit log, by the command line's user.
    let log: serde_json::Value =
        serde_json::from_str(&r.ok(&["audit", "list", "--format", "json"])).unwrap();
    let exports: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "report.export")
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert!(exports.contains(&"report:unit:AG-CA"), "{exports:?}");
    assert!(exports.contains(&"report:province:AG"), "{exports:?}");
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "report.export")
            .all(|e| e["actor"] == "cli:tester"),
        "{log}"
    );
}

/// Whether `word` occurs in `text` with no letter or digit right before or after it.
fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}
