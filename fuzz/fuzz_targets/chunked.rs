#![no_main]
//! Chunked transfer decoding: output never exceeds the cap, consumption never exceeds input.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cap = data.first().map_or(0, |b| usize::from(*b) * 16);
    if let Ok(c) = camguard_probe::decode_chunked(data, cap) {
        assert!(c.body.len() <= cap);
        assert!(c.consumed <= data.len());
    }
});
