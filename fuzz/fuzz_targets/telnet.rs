#![no_main]
//! Telnet IAC stripping: whole-buffer and split feeding agree; output is bounded by input.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (whole, _) = camguard_probe::strip_iac(data);
    assert!(whole.len() <= data.len());
    let mut d = camguard_probe::TelnetDecoder::new();
    let (mut split, mut replies) = (Vec::new(), Vec::new());
    let mid = data.len() / 2;
    d.feed(&data[..mid], &mut split, &mut replies);
    d.feed(&data[mid..], &mut split, &mut replies);
    assert_eq!(whole, split);
});
