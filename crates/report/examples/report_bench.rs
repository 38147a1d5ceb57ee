//! Time to build the provincial report (gather, PDF, XLSX) for a big registry.
//!
//! `cargo run --release -p camguard-report --example report_bench -- [UNITS] [CAMERAS] [DATABASE]`
//!
//! Builds a fresh registry (default an embedded SQLite file in a temporary directory; a
//! `postgres://` URL for PostgreSQL): a province with UNITS - 1 units (default 1,000 in all),
//! CAMERAS cameras spread over them (default 100,000; 30% without a conformity certificate,
//! one model in twenty on a warning list, so the flagged list is long), and half of the units
//! with a regulation recorded. Then computes the status tree (as `camguard status` does) and
//! times each step of the provincial report. Nothing is sent on any network.
#![expect(clippy::print_stdout, reason = "a benchmark prints its figures")]

use camguard_registry::catalogue::{Catalogue, CatalogueEntry, CatalogueStatus, CatalogueVerdict};
use camguard_registry::inventory::{CameraRecord, ParsedRow};
use camguard_report::{DocOptions, Lang};
use camguard_store::{OrgKind, Reach, Store};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let units: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let cameras: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let db = args
        .get(3)
        .cloned()
        .unwrap_or_else(|| dir.path().join("registry.db").display().to_string());
    let store = Store::open(&db).await.unwrap();
    let kb = camguard_kb::Kb::embedded().unwrap();
    let t = Instant::now();
    store
        .add_org(
            "AG",
            "Ủy ban nhân dân tỉnh An Giang",
            OrgKind::Province,
            None,
            &[],
            &[],
        )
        .await
        .unwrap();
    for i in 1..units {
        store
            .add_org(
                &format!("AG-{i:04}"),
                &format!("Đơn vị số {i} tỉnh An Giang"),
                OrgKind::Unit,
                Some("AG"),
                &[],
                &[],
            )
            .await
            .unwrap();
    }
    let vendors = [
        "Hikvision",
        "Dahua",
        "Axis",
        "Hanwha",
        "Uniview",
        "KBVision",
        "Tiandy",
    ];
    let rows: Vec<ParsedRow> = (0..cameras)
        .map(|i| ParsedRow {
            line: i + 2,
            record: CameraRecord {
                org: format!("AG-{:04}", 1 + i % (units - 1).max(1)),
                vendor: vendors[i % vendors.len()].into(),
                model: format!("M-{}", i % 40),
                serial: Some(format!("SN{i:07}")),
                cert_conformity: (i % 10 >= 3).then(|| format!("QCVN-{i}")),
                ..Default::default()
            },
        })
        .collect();
    let keys = |r: &CameraRecord| {
        (
            camguard_registry::catalogue::vendor_key(&r.vendor, &kb.vendors),
            camguard_registry::catalogue::model_key(&r.model),
        )
    };
    store.import_cameras(rows, &keys).await.unwrap();
    let warned: Vec<CatalogueEntry> = (0..2)
        .map(|m| CatalogueEntry {
            status: CatalogueStatus::Warned,
            vendor: vendors[m].into(),
            model: format!("M-{}", m * 20),
            document: Some(format!("Cảnh báo {m}/CATTT")),
            issued_by: None,
            date: None,
            certificate: None,
            note: None,
        })
        .collect();
    let ckeys = |e: &CatalogueEntry| {
        (
            camguard_registry::catalogue::vendor_key(&e.vendor, &kb.vendors),
            camguard_registry::catalogue::model_key(&e.model),
        )
    };
    store.import_catalogue(&warned, &ckeys).await.unwrap();
    println!(
        "registry: {units} units, {cameras} cameras ({:.1} s to build)",
        t.elapsed().as_secs_f64()
    );

    let today = time::macros::date!(2026 - 12 - 05);
    let t = Instant::now();
    let sets = camguard_registry::deadline::load_deadlines(&kb).unwrap();
    let cat = Catalogue::new(
        store
            .catalogue()
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.entry)
            .collect(),
        &kb.vendors,
    );
    let is_warned = |vk: &str, mk: &str| matches!(cat.check(vk, mk), CatalogueVerdict::Warned(_));
    let facts = store
        .status_facts(&is_warned, &|_: Option<u8>| 24, today)
        .await
        .unwrap();
    let root = store.org("AG").await.unwrap().id;
    let status = camguard_registry::status::compute(&facts, &sets, today, Some(root));
    let t_status = t.elapsed().as_secs_f64();

    let opts = DocOptions::new(today, Lang::Vi);
    let t = Instant::now();
    let report =
        camguard_report::gather_province(&store, &kb, &Reach::All, "AG", &status, None, &opts)
            .await
            .unwrap();
    let t_gather = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let pdf = camguard_report::to_pdf(&report, Lang::Vi).unwrap();
    let t_pdf = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let xlsx = camguard_report::to_xlsx(&report, Lang::Vi).unwrap();
    let t_xlsx = t.elapsed().as_secs_f64();
    let camguard_report::Report::Province(p) = &report else {
        unreachable!()
    };
    println!(
        "status {t_status:.2} s | gather {t_gather:.2} s | PDF {t_pdf:.2} s ({} KiB) | XLSX {t_xlsx:.2} s ({} KiB) | total {:.2} s",
        pdf.len() / 1024,
        xlsx.len() / 1024,
        t_status + t_gather + t_pdf + t_xlsx
    );
    println!(
        "units {} | late duties {} | flagged cameras {} | flagged models {} | vendors {}",
        p.units.len(),
        p.late.len(),
        p.flagged.len(),
        p.flagged_models.len(),
        p.vendors.len()
    );
    if let Some(out) = std::env::var_os("REPORT_BENCH_OUT") {
        std::fs::write(std::path::Path::new(&out).join("province.pdf"), &pdf).unwrap();
        std::fs::write(std::path::Path::new(&out).join("province.xlsx"), &xlsx).unwrap();
    }
}
