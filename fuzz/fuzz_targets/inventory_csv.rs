#![no_main]
//! Inventory CSV (hostile spreadsheets): never a panic; every row is kept or rejected with a
//! line number inside the file; kept rows have their required values.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(f) = camguard_registry::inventory::read_inventory_csv(data, Some("ORG")) {
        let lines = data.iter().filter(|b| **b == b'\n' || **b == b'\r').count() + 1;
        for r in &f.rows {
            assert!(r.line >= 1 && r.line <= lines);
            assert!(!r.record.org.is_empty() && !r.record.vendor.is_empty() && !r.record.model.is_empty());
        }
        for r in &f.rejected {
            assert!(r.line >= 1 && r.line <= lines);
            assert!(!r.reason.is_empty());
        }
    }
});
