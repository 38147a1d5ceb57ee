#![no_main]
//! HTTP/RTSP response-head parser: never panics; a parsed head never claims more bytes than
//! it was given.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = camguard_probe::parse_head(data) {
        assert!(h.len <= data.len());
        assert!(h.headers.len() <= camguard_probe::head::MAX_HEADERS);
        let _ = h.content_length();
        let _ = h.is_chunked();
    }
    let _ = camguard_probe::head::find_head_end(data);
});
