#![no_main]
//! HTML `<title>` extraction: bounded output, never panics.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(t) = camguard_probe::extract_title(data) {
        assert!(t.chars().count() <= camguard_probe::html::MAX_TITLE_CHARS);
    }
});
