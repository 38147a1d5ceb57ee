#![no_main]
//! Catalogue CSV: never a panic; a parsed catalogue answers checks without panicking.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(f) = camguard_registry::catalogue::read_catalogue_csv(data) {
        let entries: Vec<_> = f.entries.into_iter().map(|(_, e)| e).collect();
        let models: Vec<String> = entries.iter().map(|e| e.model.clone()).collect();
        let cat = camguard_registry::catalogue::Catalogue::new(entries, &[]);
        for m in models.iter().take(8) {
            let _ = cat.check("hikvision", m);
        }
    }
});
