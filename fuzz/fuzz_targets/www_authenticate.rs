#![no_main]
//! `WWW-Authenticate` challenge parser (any UTF-8, lossy from bytes).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let cs = camguard_probe::parse_www_authenticate(&s);
    assert!(cs.len() <= camguard_probe::auth::MAX_CHALLENGES);
    for c in &cs {
        let _ = (c.realm(), c.nonce(), c.qop());
    }
});
