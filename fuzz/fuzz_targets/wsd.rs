#![no_main]
//! WS-Discovery ProbeMatches parser.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = camguard_probe::parse_probe_matches(data);
});
