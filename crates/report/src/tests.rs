use crate::model::*;
use crate::{Lang, Report, Templates, to_pdf, to_xlsx};
use proptest::prelude::*;

fn head(issuer: &str) -> DocumentHead {
    DocumentHead {
        parent: Some("Ủy ban nhân dân tỉnh An Giang".into()),
        issuer: issuer.into(),
        number: "12/BC-AG".into(),
        place: "An Giang".into(),
        date: "2026-12-05".into(),
        ..Default::default()
    }
}

fn camera(model: &str) -> CameraEntry {
    CameraEntry {
        id: Some(1),
        org: "AG-CA".into(),
        system: Some("AG-CA-S1".into()),
        ip: "127.80.0.5".into(),
        vendor: "Hikvision".into(),
        model: model.into(),
        firmware: "V5.5.0".into(),
        serial: "SN1".into(),
        location: "Cổng chính".into(),
        catalogue: "warned".into(),
        catalogue_document: "Cảnh báo 1234/CATTT".into(),
        verdict: Some("fail".into()),
        findings: vec![FindingEntry {
            id: 1,
            kind: "default-credentials".into(),
            severity: "critical".into(),
            state: "open".into(),
            port: Some(80),
            title: "Mật khẩu mặc định".into(),
            remediation: "Đổi mật khẩu".into(),
            evidence: r#"{"username":"admin","password":"****","port":80,"https_redirect":false}"#
                .into(),
            first_seen: "2026-12-01".into(),
            last_seen: "2026-12-01".into(),
            ..Default::default()
        }],
        clauses_failed: vec![ClauseEntry {
            clause: "etsi-5.1-1".into(),
            standard: "ETSI EN 303 645".into(),
            reference: "5.1-1".into(),
            title: "Không dùng mật khẩu mặc định".into(),
        }],
    }
}

fn severities() -> Vec<SeverityCount> {
    vec![SeverityCount {
        severity: "critical".into(),
        open: 1,
        accepted: 0,
        fixed: 0,
    }]
}

fn unit_report(model: &str, name: &str) -> Report {
    Report::Unit(UnitReport {
        head: head(name),
        org: OrgRef {
            code: "AG-CA".into(),
            name: name.into(),
            parent: None,
        },
        duties: vec![DutyCell {
            duty: "level-approved".into(),
            state: "overdue".into(),
            due: Some("2026-06-30".into()),
            days_late: Some(158),
            detail: "chưa phê duyệt".into(),
        }],
        scans: vec![ScanRef {
            id: 3,
            org: "AG-CA".into(),
            profile: "standard".into(),
            operator: "cán bộ".into(),
            started_at: "2026-12-01T08:00:00Z".into(),
            finished_at: "2026-12-01T08:05:00Z".into(),
            hosts: 4,
            cameras: 2,
        }],
        severities: severities(),
        cameras: vec![camera(model)],
    })
}

fn province_report(unit_name: &str, model: &str) -> Report {
    let unit = UnitRow {
        code: "AG-CA".into(),
        name: unit_name.into(),
        parent: Some("AG".into()),
        depth: 1,
        duties: vec![DutyCell {
            duty: "level-approved".into(),
            state: "overdue".into(),
            due: Some("2026-06-30".into()),
            days_late: Some(158),
            detail: String::new(),
        }],
        problems: 1,
        cameras: 1,
        open_findings: 1,
    };
    Report::Province(ProvinceReport {
        head: head("Sở Khoa học và Công nghệ tỉnh An Giang"),
        org: OrgRef {
            code: "AG".into(),
            name: "Tỉnh An Giang".into(),
            parent: None,
        },
        duty_ids: vec!["level-approved".into(), "cameras-certified".into()],
        units: vec![unit],
        late: vec![LateEntry {
            code: "AG-CA".into(),
            name: unit_name.into(),
            duty: "level-approved".into(),
            state: "overdue".into(),
            due: Some("2026-06-30".into()),
            days_late: Some(158),
            detail: String::new(),
        }],
        severities: severities(),
        vendors: vec![VendorRow {
            vendor: "Hikvision".into(),
            cameras: 1,
            warned: 1,
            findings_open: 1,
            critical: 1,
            ..Default::default()
        }],
        flagged_models: vec![FlaggedModel {
            vendor: "Hikvision".into(),
            model: model.into(),
            flag: "warned".into(),
            document: "Cảnh báo 1234/CATTT".into(),
            cameras: 1,
            units: 1,
        }],
        flagged: vec![FlaggedCamera {
            org: "AG-CA".into(),
            ip: "127.80.0.5".into(),
            vendor: "Hikvision".into(),
            model: model.into(),
            serial: "SN1".into(),
            flag: "warned".into(),
            document: String::new(),
        }],
        cameras: 1,
        changes: None,
    })
}

fn site_report(model: &str) -> Report {
    Report::Site(SiteReport {
        head: head("Công an tỉnh An Giang"),
        org: OrgRef {
            code: "AG-CA".into(),
            name: "Công an tỉnh An Giang".into(),
            parent: None,
        },
        scan: ScanRef {
            id: 3,
            ..Default::default()
        },
        targets: vec!["127.80.0.0/29".into()],
        hosts: vec![SiteHost {
            camera: camera(model),
            registered: false,
            open_ports: vec!["80/http".into(), "554/rtsp".into()],
            baseline: vec![(
                "ETSI EN 303 645 5.1-1".into(),
                "Không dùng mật khẩu mặc định".into(),
                "fail".into(),
            )],
            conclusion: "fail".into(),
        }],
        severities: severities(),
        conclusion: "fail".into(),
    })
}

/// The text of the report's PDF layout.
fn layout_text(report: &Report, lang: Lang) -> String {
    let t = Templates::embedded();
    let (data, today) = crate::pdf_data(report, lang, &t).unwrap();
    let doc = crate::pdf::document(&t, &format!("{}.typ", report.kind()), &data, today).unwrap();
    crate::pdf::text_of(&doc)
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn embedded_fonts_cover_vietnamese() {
    let letters = "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđĐ\
                   ẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ\
                   àáâãèéêìíòóôõùúýăơưÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝĂƠƯ–…";
    let fonts = crate::embedded_fonts();
    assert_eq!(fonts.len(), 4, "regular, bold, italic, bold italic");
    for f in &fonts {
        let missing: String = letters
            .chars()
            .filter(|c| !f.info().coverage.contains(u32::from(*c)))
            .collect();
        assert!(missing.is_empty(), "{} lacks {missing}", f.info().family);
    }
}

#[test]
fn every_report_lays_out_as_an_administrative_document() {
    for (report, name) in [
        (
            unit_report("DS-2CD2042WD-I", "Công an tỉnh An Giang"),
            "Công an tỉnh An Giang",
        ),
        (
            province_report("Công an tỉnh An Giang", "DS-2CD2042WD-I"),
            "Công an tỉnh An Giang",
        ),
        (site_report("DS-2CD2042WD-I"), "Công an tỉnh An Giang"),
    ] {
        let text = squash(&layout_text(&report, Lang::Vi));
        for needle in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Chỉ thị số 23/CT-TTg",
            "An Giang, ngày 05 tháng 12 năm 2026",
            "Nơi nhận",
            "Số: 12/BC-AG",
            name,
            "DS-2CD2042WD-I",
        ] {
            assert!(
                text.contains(&squash(needle)),
                "{} report lacks {needle:?}",
                report.kind()
            );
        }
        // Every character laid out has a glyph in the embedded fonts (no tofu, no fallback).
        let fonts = crate::embedded_fonts();
        let unshown: String = layout_text(&report, Lang::Vi)
            .chars()
            .filter(|c| !c.is_whitespace() && !fonts[0].info().coverage.contains(u32::from(*c)))
            .collect();
        assert!(unshown.is_empty(), "no glyph for {unshown:?}");
        let en = squash(&layout_text(&report, Lang::En));
        assert!(en.contains(&squash("SOCIALIST REPUBLIC OF VIETNAM")));
        assert!(en.contains(&squash("Directive No. 23/CT-TTg")));
        let pdf = to_pdf(&report, Lang::Vi).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}

#[test]
fn province_report_says_first_report_or_what_changed() {
    let Report::Province(mut now) = province_report("Công an tỉnh", "M1") else {
        unreachable!()
    };
    let text = layout_text(&Report::Province(now.clone()), Lang::Vi);
    assert!(squash(&text).contains(&squash("Đây là báo cáo đầu tiên")));

    let mut then = now.clone();
    then.late.clear();
    then.units.clear();
    then.cameras = 0;
    then.head.number = "7/BC-AG".into();
    then.head.date = "2026-11-01".into();
    let c = crate::changes(&then, &now);
    assert_eq!(c.newly_late, vec!["Công an tỉnh (AG-CA)".to_string()]);
    assert!(c.no_longer_late.is_empty());
    assert_eq!(c.units_added, vec!["Công an tỉnh (AG-CA)".to_string()]);
    assert_eq!((c.cameras_then, c.cameras_now), (0, 1));
    now.changes = Some(c);
    let text = squash(&layout_text(&Report::Province(now), Lang::Vi));
    assert!(text.contains(&squash("Báo cáo trước: số 7/BC-AG, ngày 2026-11-01")));
    assert!(text.contains(&squash("Đơn vị mới chậm thực hiện: Công an tỉnh (AG-CA)")));
}

#[test]
fn labels_have_the_same_keys_in_both_languages() {
    let doc: toml::Table = toml::from_str(include_str!("../templates/labels.toml")).unwrap();
    let keys = |l: &str| -> std::collections::BTreeSet<String> {
        doc[l].as_table().unwrap().keys().cloned().collect()
    };
    assert_eq!(keys("vi"), keys("en"));
}

#[test]
fn a_broken_override_template_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("unit.typ"),
        "#import \"common.typ\": *\n#(1 +",
    )
    .unwrap();
    let t = Templates::with_overrides(dir.path()).unwrap();
    let e = crate::to_pdf_with(&unit_report("M", "U"), Lang::Vi, &t).unwrap_err();
    assert!(matches!(e, crate::ReportError::Template(_)), "{e}");
    // A template cannot read a file outside the embedded set.
    std::fs::write(dir.path().join("unit.typ"), "#read(\"/etc/passwd\")").unwrap();
    let t = Templates::with_overrides(dir.path()).unwrap();
    assert!(crate::to_pdf_with(&unit_report("M", "U"), Lang::Vi, &t).is_err());
    // A labels file of another schema is refused when the directory is read.
    std::fs::write(dir.path().join("labels.toml"), "schema = 9\n").unwrap();
    assert!(Templates::with_overrides(dir.path()).is_err());
}

#[test]
fn xlsx_annex_holds_the_rows() {
    use calamine::{Reader, Xlsx};
    let bytes = to_xlsx(
        &province_report("Công an tỉnh An Giang", "DS-2CD"),
        Lang::Vi,
    )
    .unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let names = wb.sheet_names();
    assert_eq!(
        names,
        [
            "Đơn vị",
            "Chậm thực hiện",
            "Mức độ",
            "Hãng",
            "Camera cảnh báo"
        ]
    );
    let units = wb.worksheet_range("Đơn vị").unwrap();
    let rows: Vec<Vec<String>> = units
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(rows[0][0], "Mã");
    assert_eq!(rows[0][2], "Phê duyệt cấp độ");
    assert_eq!(rows[1][1], "Công an tỉnh An Giang");
    assert_eq!(rows[1][2], "Quá hạn (158)");
    let flagged = wb.worksheet_range("Camera cảnh báo").unwrap();
    assert_eq!(flagged.get((1, 3)).unwrap().to_string(), "DS-2CD");
}

/// Strings a device or a file may hand us, aimed at typst markup and code.
fn hostile() -> impl Strategy<Value = String> {
    let chars = prop::sample::select(vec![
        '#', '[', ']', '$', '\\', '*', '_', '<', '>', '@', '`', '"', '\'', '/', '=', '-', '+', '~',
        '{', '}', '(', ')', ';', ':', '.', 'a', 'Z', '1', ' ', 'ạ', 'Đ', '%', '&',
    ]);
    let random = proptest::collection::vec(chars, 1..40).prop_map(|v| v.into_iter().collect());
    let payloads = prop::sample::select(vec![
        "#panic(\"injected\")".to_string(),
        "]#set page(width: 1cm)[".to_string(),
        "$x^2$ <lbl> @lbl".to_string(),
        "```rust\nfn main() {}\n```".to_string(),
        "#read(\"/data.json\")".to_string(),
        "#import \"/etc/passwd\"".to_string(),
        "\\u{0} \\ #{1+1} *bold* _em_".to_string(),
        "\")) #panic(\"x\") ((\"".to_string(),
    ]);
    prop_oneof![random, payloads]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// A hostile model or unit name compiles and shows as itself: the data is never markup.
    #[test]
    fn hostile_strings_stay_text(model in hostile(), name in hostile()) {
        for report in [unit_report(&model, &name), province_report(&name, &model), site_report(&model)] {
            let text = squash(&layout_text(&report, Lang::Vi));
            prop_assert!(text.contains(&squash(&model)), "{} lost {model:?}", report.kind());
            if report.kind() != "site" {
                prop_assert!(text.contains(&squash(&name)), "{} lost {name:?}", report.kind());
            }
            prop_assert!(!text.contains("injected") || model.contains("injected") || name.contains("injected"));
            let x = to_xlsx(&report, Lang::Vi);
            prop_assert!(x.is_ok());
        }
    }
}

#[test]
fn evidence_reads_as_labelled_fields_in_the_reports_language() {
    let vi = layout_text(&unit_report("DS-2CD", "Sở TTTT"), Lang::Vi);
    assert!(
        squash(&vi).contains(&squash(
            "Cổng: 80; Tên đăng nhập: admin; Mật khẩu: ****; Chuyển sang HTTPS: không"
        )),
        "{vi}"
    );
    assert!(
        squash(&vi).contains(&squash("Chuyển sang HTTPS: không")),
        "{vi}"
    );
    assert!(!vi.contains(r#"{"username""#), "no raw JSON: {vi}");
    let en = layout_text(&unit_report("DS-2CD", "Sở TTTT"), Lang::En);
    assert!(
        squash(&en).contains(&squash(
            "Port: 80; Username: admin; Password: ****; HTTPS redirect: no"
        )),
        "{en}"
    );
    // The XLSX annex of a unit report says the same.
    use calamine::{Reader, Xlsx};
    let bytes = to_xlsx(&unit_report("DS-2CD", "Sở TTTT"), Lang::Vi).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let cells: Vec<String> = wb
        .worksheets()
        .iter()
        .flat_map(|(_, r)| {
            r.rows()
                .flat_map(|row| row.iter().map(ToString::to_string))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        cells.iter().any(|c| c.contains("Tên đăng nhập: admin")),
        "{cells:?}"
    );
}

#[test]
fn evidence_of_any_shape_is_text_and_bounded() {
    let l = Templates::embedded().labels(Lang::Vi).unwrap();
    // Nested objects in parentheses, lists joined, unknown fields by their name, nulls left out.
    let s = l.evidence(
        r#"{"request":{"method":"DESCRIBE","path":"/live"},"references":["a","b"],"some_field":1,"x":null}"#,
        400,
    );
    assert_eq!(
        s,
        "Yêu cầu: (Phương thức: DESCRIBE; Đường dẫn: /live); Tham khảo: a, b; some field: 1"
    );
    // Not JSON: kept as it is. Long: cut between words.
    assert_eq!(l.evidence("plain text", 400), "plain text");
    let long = format!(r#"{{"banner":"{}"}}"#, "word ".repeat(200));
    let s = l.evidence(&long, 400);
    assert!(s.chars().count() <= 401 && s.ends_with('…'), "{s}");
    assert!(s.starts_with("Banner: word"));
    // The stored evidence's long texts are cut inside the JSON, which stays JSON.
    let v: serde_json::Value = serde_json::from_str(&long).unwrap();
    let kept = crate::gather::evidence_for_report(&v);
    let back: serde_json::Value = serde_json::from_str(&kept).unwrap();
    assert!(back["banner"].as_str().unwrap().chars().count() <= 401);
}
