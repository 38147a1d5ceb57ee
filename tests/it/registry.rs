//! The registry commands end to end, through the binary, on an embedded SQLite registry (the
//! store's contract suite covers PostgreSQL). Scans go to simulated fleets on 127.x.

use super::stderr;
use camguard_sim::Fleet;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

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
    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_camguard"));
        c.args(args)
            .env("CAMGUARD_LOG", "error")
            .env("CAMGUARD_LANG", "en")
            .env("CAMGUARD_DATABASE", self.db())
            .env("USER", "tester");
        c
    }
    fn run(&self, args: &[&str]) -> Output {
        crate::bounded_output(&mut self.cmd(args))
    }
    /// Run, expect `code`, return stdout.
    fn ok(&self, args: &[&str], code: i32) -> String {
        let o = self.run(args);
        assert_eq!(
            o.status.code(),
            Some(code),
            "camguard {args:?}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            stderr(&o)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
    fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args, 0);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"))
    }
}

fn start(base: &str, hosts: u32, seed: u64) -> (tokio::runtime::Runtime, Fleet) {
    super::start_fleet(base, hosts, seed)
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn organisations_inventory_catalogue_and_status() {
    let r = Registry::new();
    r.ok(
        &[
            "org",
            "add",
            "AG",
            "--name",
            "UBND tỉnh An Giang",
            "--kind",
            "province",
            "--scope",
            "127.92.0.0/16",
            "--deadlines",
            "an-giang",
        ],
        0,
    );
    r.ok(
        &[
            "org",
            "add",
            "AG-STTTT",
            "--name",
            "Sở TTTT An Giang",
            "--parent",
            "AG",
            "--kind",
            "agency",
            "--scope",
            "127.92.1.0/24",
        ],
        0,
    );
    // Outside the parent's scope, unknown parent, unknown deadline set: refused as bad input.
    let o = r.run(&[
        "org",
        "add",
        "X",
        "--name",
        "x",
        "--parent",
        "AG",
        "--scope",
        "127.93.0.0/24",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("outside the scope of the parent"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        r.run(&["org", "add", "Y", "--name", "y", "--parent", "NOPE"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        r.run(&["org", "add", "Z", "--name", "z", "--deadlines", "mars"])
            .status
            .code(),
        Some(2)
    );
    let orgs = r.json(&["org", "list", "--format", "json"]);
    assert_eq!(orgs.as_array().unwrap().len(), 2);
    assert_eq!(orgs[1]["parent"], "AG");
    assert_eq!(orgs[1]["scopes"][0], "127.92.1.0/24");

    // Organisations from a file: a bad row is named, the others kept.
    let orgs_csv = r.path("orgs.csv");
    write(
        &orgs_csv,
        "code,name,parent,kind,scope\nAG-UBND-LX,UBND TP Long Xuyên,AG,agency,127.92.2.0/24\nBAD,,AG,unit,\nAG-CA,Công an tỉnh,AG,agency,127.92.3.0/24 127.92.4.0/24\n",
    );
    let o = r.run(&["org", "import", orgs_csv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains(":3: rejected"), "{}", stderr(&o));
    assert_eq!(
        r.json(&["org", "list", "--format", "json"])
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // The system and its level.
    r.ok(
        &[
            "system",
            "add",
            "AG-CCTV",
            "--name",
            "Camera giao thông",
            "--org",
            "AG-STTTT",
        ],
        0,
    );
    let level = r.json(&[
        "system",
        "level",
        "AG-CCTV",
        "--answer",
        "system-type=infrastructure",
        "--answer",
        "info=personal,private",
        "--answer",
        "infra-reach=regional",
        "--format",
        "json",
    ]);
    assert_eq!(level["decision"]["level"], 3, "{level}");
    assert!(
        level["decision"]["reasons"][0]["article"]
            .as_str()
            .unwrap()
            .contains('9'),
        "{level}"
    );
    // A bad answer names the question.
    let o = r.run(&[
        "system",
        "level",
        "AG-CCTV",
        "--answer",
        "infra-reach=galaxy",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("infra-reach"), "{}", stderr(&o));
    r.ok(
        &[
            "system",
            "dossier",
            "AG-CCTV",
            "submitted",
            "--date",
            "2023-02-01",
        ],
        0,
    );
    assert_eq!(
        r.run(&[
            "system",
            "dossier",
            "AG-CCTV",
            "approved",
            "--date",
            "2023-02-02"
        ])
        .status
        .code(),
        Some(2)
    );
    r.ok(
        &[
            "system",
            "dossier",
            "AG-CCTV",
            "appraised",
            "--date",
            "2023-02-10",
            "--by",
            "Sở TTTT",
        ],
        0,
    );
    r.ok(
        &[
            "system",
            "dossier",
            "AG-CCTV",
            "approved",
            "--date",
            "10/03/2023",
            "--by",
            "UBND tỉnh",
            "--ref",
            "QĐ 99",
        ],
        0,
    );
    r.ok(
        &["system", "plan", "AG-CCTV", "--deployed", "2023-10-15"],
        0,
    );
    let sys = r.json(&["system", "show", "AG-CCTV", "--format", "json"]);
    assert_eq!(sys["system"]["dossier_state"], "approved");
    assert_eq!(sys["system"]["approved_on"], "2023-03-10");
    assert_eq!(sys["history"].as_array().unwrap().len(), 4);

    // Inventory with Vietnamese headers: bad rows named with their lines, good rows kept.
    let inv = r.path("inventory.csv");
    write(
        &inv,
        "Đơn vị,Hệ thống,Hãng,Model,Số serial,MAC,Địa chỉ IP,Ngày lắp đặt,Chứng nhận hợp quy,Tủ điện\n\
         AG-STTTT,AG-CCTV,Hikvision,DS-2CD2143G2-I,SN1,AA-BB-CC-00-00-01,127.92.1.10,15/03/2022,QCVN135-1,T1\n\
         AG-STTTT,AG-CCTV,Dahua,IPC-HFW2431S,SN2,,127.92.1.11,2022-03-15,,T2\n\
         AG-STTTT,,Hikvision,DS-7608NI,SN3,zz:zz,127.92.1.12,,,\n\
         NOBODY,,Dahua,IPC-1,SN4,,127.92.1.13,,,\n\
         Sở TTTT An Giang,,EZVIZ,C6N,SN5,,127.92.1.14,31/12/2023,QCVN135-5,\n",
    );
    let o = r.run(&["camera", "import", inv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("inventory.csv:4: rejected: mac"), "{err}");
    assert!(err.contains("inventory.csv:5: rejected: org"), "{err}");
    assert!(err.contains("5 rows, 3 imported"), "{err}");
    let cams = r.json(&["camera", "list", "--format", "json"]);
    assert_eq!(cams.as_array().unwrap().len(), 3);
    assert_eq!(cams[0]["mac"], "aa:bb:cc:00:00:01");
    assert_eq!(cams[0]["installed_on"], "2022-03-15");
    assert_eq!(cams[0]["attributes"]["Tủ điện"], "T1");
    // Export to XLSX and import into another registry: the same cameras.
    let xlsx = r.path("export.xlsx");
    r.ok(&["camera", "export", xlsx.to_str().unwrap()], 0);
    let r2 = Registry::new();
    r2.ok(
        &[
            "org",
            "add",
            "AG-STTTT",
            "--name",
            "Sở TTTT An Giang",
            "--scope",
            "127.92.1.0/24",
        ],
        0,
    );
    r2.ok(
        &[
            "system", "add", "AG-CCTV", "--name", "x", "--org", "AG-STTTT",
        ],
        0,
    );
    r2.ok(&["camera", "import", xlsx.to_str().unwrap()], 0);
    let cams2 = r2.json(&["camera", "list", "--format", "json"]);
    let strip = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let mut c = c.clone();
                c.as_object_mut().unwrap().remove("id");
                c
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&cams), strip(&cams2));
    // A file without the required columns imports nothing (exit 2).
    let bad = r.path("bad.csv");
    write(&bad, "vendor,model\nHikvision,X\n");
    let o = r.run(&["camera", "import", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("org"), "{}", stderr(&o));

    // Catalogue: certified, warned (wildcard), unknown; brand names resolve to the platform.
    let cat = r.path("catalogue.csv");
    write(
        &cat,
        "status,vendor,model,document,date,note\n\
         certified,Hikvision,DS-2CD2143G2-I,QCVN135 cert 001,2024-05-02,\n\
         warned,Hikvision,DS-76*,Cảnh báo 123/CATTT,2024-06-01,firmware with backdoor\n\
         certified,EZVIZ,C6N,cert 002,2024-05-02,\n",
    );
    r.ok(&["catalogue", "import", cat.to_str().unwrap()], 0);
    assert_eq!(
        r.run(&["catalogue", "check", "Hikvision", "DS-2CD2143G2-I"])
            .status
            .code(),
        Some(0)
    );
    let o = r.run(&[
        "catalogue",
        "check",
        "HIKVISION",
        "ds-7608ni",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(5));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["answer"], "warned");
    assert_eq!(v["entry"]["document"], "Cảnh báo 123/CATTT");
    assert_eq!(
        r.run(&["catalogue", "check", "Acme", "X1"]).status.code(),
        Some(6)
    );
    let inv_check = r.json(&["catalogue", "inventory", "--format", "json"]);
    assert_eq!(inv_check["certified"], 2);
    assert_eq!(inv_check["unknown"], 1);

    // Status: the unit's duties.
    r.ok(
        &[
            "org",
            "regulation",
            "AG-STTTT",
            "--number",
            "05/QC",
            "--date",
            "2023-06-01",
            "--covers-cameras",
        ],
        0,
    );
    let st = r.json(&["status", "AG", "--format", "json", "--date", "2026-11-23"]);
    let root = &st["units"][0];
    assert_eq!(root["org"], "AG");
    assert_eq!(root["units"], 4);
    let unit = root["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["org"] == "AG-STTTT")
        .unwrap();
    let duty = |id: &str| {
        unit["duties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["duty"] == id)
            .unwrap_or_else(|| panic!("{id}: {unit}"))["state"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(duty("level-approved"), "done"); // 10/03/2023, before the directive's 31/03/2023
    assert_eq!(duty("plan-deployed"), "late"); // 15/10/2023, after 30/09/2023
    assert_eq!(duty("periodic-assessment"), "overdue"); // never scanned
    assert_eq!(duty("cameras-certified"), "failing"); // the Dahua has no certificate
    assert_eq!(duty("regulation"), "done");
    let table = r.ok(&["status"], 0);
    assert!(table.contains("AG-STTTT"), "{table}");
}

#[test]
fn changes_print_json_when_asked() {
    let r = Registry::new();
    let org = r.json(&[
        "org",
        "add",
        "VL",
        "--name",
        "Vĩnh Long",
        "--kind",
        "province",
        "--format",
        "json",
    ]);
    assert_eq!(org["scopes"].as_array().unwrap().len(), 0, "{org}");
    // The table line by default, the changed record as the only output with --format json.
    let line = r.ok(&["org", "scope", "VL", "127.96.0.0/16"], 0);
    assert_eq!(line.trim(), "VL: scope 127.96.0.0/16");
    let org = r.json(&["org", "scope", "VL", "127.97.0.0/24", "--format", "json"]);
    assert_eq!(org["code"], "VL");
    assert_eq!(
        org["scopes"],
        serde_json::json!(["127.96.0.0/16", "127.97.0.0/24"])
    );
    let org = r.json(&["org", "deadlines", "VL", "vinh-long", "--format", "json"]);
    assert_eq!(
        org["deadline_sets"],
        serde_json::json!(["vinh-long"]),
        "{org}"
    );
    let reg = r.json(&[
        "org",
        "regulation",
        "VL",
        "--number",
        "05/QC",
        "--date",
        "01/06/2023",
        "--covers-cameras",
        "--format",
        "json",
    ]);
    assert_eq!(reg["number"], "05/QC");
    assert_eq!(reg["issued_on"], "2023-06-01");
    assert_eq!(reg["covers_cameras"], true);
    let done = r.json(&[
        "org",
        "done",
        "VL",
        "report-submitted",
        "--date",
        "15/12/2023",
        "--ref",
        "BC 12",
        "--format",
        "json",
    ]);
    assert_eq!(
        done,
        serde_json::json!({"org": "VL", "duty": "report-submitted", "date": "2023-12-15", "reference": "BC 12"})
    );

    // Imports report every row; a rejected row keeps exit status 4 and is named in the report
    // (not on stderr).
    let orgs_csv = r.path("orgs.csv");
    write(
        &orgs_csv,
        "code,name,parent,kind,scope\nVL-STTTT,Sở TTTT Vĩnh Long,VL,agency,127.96.1.0/24\nBAD,,VL,unit,\n",
    );
    let o = r.run(&[
        "org",
        "import",
        orgs_csv.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(!stderr(&o).contains(":3: rejected"), "{}", stderr(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (report["rows"].as_u64(), report["added"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(report["rejected"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["rejected"][0]["line"], 3);
    assert!(
        report["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("name"),
        "{report}"
    );
    let cat = r.path("catalogue.csv");
    write(
        &cat,
        "status,vendor,model,document\ncertified,Hikvision,DS-2CD2143G2-I,cert 001\nmaybe,Dahua,X,\n",
    );
    let o = r.run(&[
        "catalogue",
        "import",
        cat.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (report["rows"].as_u64(), report["imported"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(report["rejected"][0]["line"], 3, "{report}");

    // Systems.
    r.ok(
        &[
            "system", "add", "VL-CCTV", "--name", "Camera", "--org", "VL-STTTT",
        ],
        0,
    );
    r.ok(
        &[
            "system",
            "level",
            "VL-CCTV",
            "--answer",
            "system-type=infrastructure",
            "--answer",
            "info=personal",
            "--answer",
            "infra-reach=regional",
        ],
        0,
    );
    let sys = r.json(&[
        "system",
        "dossier",
        "VL-CCTV",
        "submitted",
        "--date",
        "2023-02-01",
        "--format",
        "json",
    ]);
    assert_eq!(sys["dossier_state"], "submitted", "{sys}");
    assert_eq!(sys["submitted_on"], "2023-02-01", "{sys}");
    let sys = r.json(&[
        "system",
        "plan",
        "VL-CCTV",
        "--deployed",
        "2023-10-15",
        "--interval",
        "12",
        "--format",
        "json",
    ]);
    assert_eq!(sys["plan_deployed_on"], "2023-10-15", "{sys}");
    assert_eq!(sys["assessment_interval_months"], 12, "{sys}");

    // Cameras.
    let inv = r.path("inventory.csv");
    write(
        &inv,
        "org,system,vendor,model,serial,ip\nVL-STTTT,VL-CCTV,Hikvision,DS-2CD2143G2-I,SN1,127.96.1.10\n",
    );
    r.ok(&["camera", "import", inv.to_str().unwrap()], 0);
    let out = r.path("export.csv");
    let export = r.json(&[
        "camera",
        "export",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(export["cameras"], 1);
    assert_eq!(export["file"], out.display().to_string());

    // A scan file (JSON lines of hosts) and its finding through fix, accept and reopen.
    let scan = r.path("scan.jsonl");
    write(
        &scan,
        r#"{"ip":"127.96.1.10","is_camera":true,"device_type":"camera","vendor":"hikvision","serial":"SN1","confidence":90,"open_ports":[],"findings":[{"id":"default-credentials","severity":"critical","port":80}],"verdict":"fail","scanned_at":"2026-11-23T05:00:00Z","duration_ms":5}"#,
    );
    let stored = r.json(&[
        "assess",
        "import",
        scan.to_str().unwrap(),
        "--org",
        "VL-STTTT",
        "--format",
        "json",
    ]);
    assert_eq!(stored["org"], "VL-STTTT", "{stored}");
    assert_eq!(stored["file"], scan.display().to_string());
    assert_eq!(
        (stored["hosts"].as_i64(), stored["matched"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(stored["findings_new"], 1, "{stored}");
    let id = r.json(&["assess", "findings", "--format", "json"])[0]["id"].to_string();
    let f = r.json(&[
        "assess",
        "fix",
        &id,
        "--date",
        "2026-11-24",
        "--format",
        "json",
    ]);
    assert_eq!(f["id"].to_string(), id);
    assert_eq!(f["finding"], "default-credentials");
    assert_eq!(
        (f["state"].as_str(), f["fixed_on"].as_str()),
        (Some("fixed"), Some("2026-11-24"))
    );
    let f = r.json(&[
        "assess",
        "accept",
        &id,
        "--reason",
        "replaced in Q1",
        "--until",
        "2099-01-01",
        "--format",
        "json",
    ]);
    assert_eq!(f["state"], "accepted");
    assert_eq!(f["accepted_until"], "2099-01-01");
    let f = r.json(&["assess", "reopen", &id, "--format", "json"]);
    assert_eq!(f["state"], "open");
    assert_eq!(
        r.ok(&["assess", "reopen", &id], 0).trim(),
        format!("finding {id}: open")
    );
    let o = r.run(&["assess", "fix", "999999", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn saved_scans_are_confined_matched_resumable() {
    let (rt, fleet) = start("127.94.0.0", 96, 11);
    let truth = fleet.truth();
    let r = Registry::new();
    r.ok(
        &[
            "org",
            "add",
            "HN",
            "--name",
            "Hà Nội",
            "--kind",
            "province",
            "--scope",
            "127.94.0.0/24",
        ],
        0,
    );
    r.ok(
        &[
            "org",
            "add",
            "OTHER",
            "--name",
            "Other",
            "--scope",
            "127.95.0.0/24",
        ],
        0,
    );
    // Inventory: every simulated camera but the last, by address.
    let cams: Vec<_> = truth.entries.iter().filter(|e| e.is_camera).collect();
    let mut csv = String::from("org,vendor,model,ip\n");
    for c in &cams[..cams.len() - 1] {
        csv.push_str(&format!(
            "HN,{},{},{}\n",
            c.vendor.clone().unwrap_or("x".into()),
            "M",
            c.ip
        ));
    }
    let inv = r.path("inv.csv");
    write(&inv, &csv);
    r.ok(&["camera", "import", inv.to_str().unwrap()], 0);

    // Confined to the organisation's scope.
    let o = r.run(&["scan", "127.94.0.0/24", "--org", "OTHER", "--save", "-q"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let o = r.run(&["scan", "127.94.0.0/24", "--save", "-q"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "--save needs --org: {}",
        stderr(&o)
    );
    let o = r.run(&[
        "scan",
        "127.94.0.0/24",
        "--org",
        "HN",
        "--save",
        "--reveal-secrets",
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    // An interrupted saved scan keeps what it found and resumes to the same result.
    let mut child = r
        .cmd(&[
            "scan",
            "127.94.0.0/25",
            "--org",
            "HN",
            "--save",
            "--no-wsd",
            "--hosts",
            "2",
            "-f",
            "jsonl",
            "-o",
            "/dev/null",
        ])
        .spawn()
        .unwrap();
    // Interrupt once the scan has stored something (not at a fixed time: a loaded machine may
    // take longer to start, and a signal before the handler is installed would kill it).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        std::thread::sleep(std::time::Duration::from_millis(200));
        let o = r.run(&["assess", "list", "--format", "json"]);
        let stored = serde_json::from_slice::<Value>(&o.stdout)
            .ok()
            .and_then(|v| v[0]["hosts"].as_i64())
            .unwrap_or(0);
        if stored > 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the saved scan stored nothing in 60 s"
        );
    }
    #[expect(unsafe_code, reason = "kill(2) has no safe wrapper in std")]
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let scans = r.json(&["assess", "list", "--format", "json"]);
    assert_eq!(scans[0]["state"], "interrupted");
    let partial = scans[0]["hosts"].as_i64().unwrap();
    let id = scans[0]["id"].to_string();
    let o = r.run(&["scan", "--resume", &id, "-f", "jsonl", "-o", "/dev/null"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("resuming scan"), "{}", stderr(&o));
    let scans = r.json(&["assess", "list", "--format", "json"]);
    assert_eq!(scans[0]["state"], "complete");
    let resumed_hosts = scans[0]["hosts"].as_i64().unwrap();
    let up_in_range = truth
        .entries
        .iter()
        .filter(|e| e.ip.octets()[3] < 128 && !e.open_ports.is_empty())
        .count() as i64;
    assert!(partial < resumed_hosts, "{partial} then {resumed_hosts}");
    assert_eq!(resumed_hosts, up_in_range);
    // Resuming a complete scan is refused.
    assert_eq!(r.run(&["scan", "--resume", &id]).status.code(), Some(2));

    // A full saved scan: matched to the inventory, the unlisted camera flagged.
    let o = r.run(&[
        "scan",
        "127.94.0.0/24",
        "--org",
        "HN",
        "--save",
        "--no-wsd",
        "-f",
        "json",
        "-o",
        r.path("scan.json").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "{} cameras ({} matched to the inventory, 1 NOT registered)",
            cams.len(),
            cams.len() - 1
        )),
        "{err}"
    );
    let scans = r.json(&["assess", "list", "--format", "json"]);
    let full = scans[0]["id"].to_string();
    let show = r.json(&["assess", "show", &full, "--format", "json"]);
    assert_eq!(
        show["unregistered"][0]["ip"],
        cams.last().unwrap().ip.to_string()
    );
    let open = r.json(&[
        "assess", "findings", "HN", "--state", "open", "--format", "json",
    ]);
    let expected: usize = truth
        .entries
        .iter()
        .filter(|e| e.is_camera)
        .map(|e| e.expected_findings.len())
        .sum();
    assert!(!open.as_array().unwrap().is_empty() && expected > 0);

    // Accept one risk; it leaves the open list.
    let first = open[0]["id"].to_string();
    r.ok(
        &[
            "assess",
            "accept",
            &first,
            "--reason",
            "camera replaced next month",
            "--until",
            "2099-01-01",
        ],
        0,
    );
    let open2 = r.json(&[
        "assess", "findings", "HN", "--state", "open", "--format", "json",
    ]);
    assert_eq!(
        open2.as_array().unwrap().len() + 1,
        open.as_array().unwrap().len()
    );
    let hist = r.json(&["assess", "history", &first, "--format", "json"]);
    assert_eq!(
        hist.as_array().unwrap().last().unwrap()["state"],
        "accepted"
    );

    // The same scan imported from its JSON file: stored again, nothing new.
    let o = r.run(&[
        "assess",
        "import",
        r.path("scan.json").to_str().unwrap(),
        "--org",
        "HN",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("findings: 0 new"), "{}", stderr(&o));
    // ... but not for an organisation whose scope does not hold it.
    let o = r.run(&[
        "assess",
        "import",
        r.path("scan.json").to_str().unwrap(),
        "--org",
        "OTHER",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    // Camera history.
    let cam_id = r.json(&["camera", "list", "--format", "json"])[0]["id"].to_string();
    let hist = r.json(&["camera", "history", &cam_id, "--format", "json"]);
    assert!(hist.as_array().unwrap().len() >= 2, "{hist}");
    rt.block_on(fleet.shutdown());
}

#[test]
fn a_mistyped_database_is_named_and_nothing_is_created() {
    let r = Registry::new();
    let typo = r.path("regsitry").join("registry.db");
    let typo_s = typo.display().to_string();
    for args in [vec!["org", "list"], vec!["status"], vec!["camera", "list"]] {
        let mut full: Vec<&str> = args.clone();
        full.extend(["--database", &typo_s]);
        let o = r.run(&full);
        assert_eq!(o.status.code(), Some(2), "{full:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(&typo_s), "{full:?}: {}", stderr(&o));
    }
    assert!(!r.path("regsitry").exists(), "no folder, no file");
    // A command that adds data creates it; then reading works; a camera outside its unit's
    // scope is kept and named with its line.
    r.ok(
        &[
            "org",
            "add",
            "HN",
            "--name",
            "Ha Noi",
            "--kind",
            "province",
            "--scope",
            "127.81.0.0/16",
        ],
        0,
    );
    let inv = r.path("inv.csv");
    write(
        &inv,
        "org,vendor,model,serial,ip\nHN,Hikvision,DS-2CD2143G2-I,S1,127.81.0.5\nHN,Hikvision,DS-2CD2143G2-I,S2,127.82.0.5\n",
    );
    let o = r.run(&["camera", "import", inv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("inv.csv:3: warning: ip: 127.82.0.5 is outside the scope of HN"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("inv.csv:2: warning"), "{}", stderr(&o));
}
