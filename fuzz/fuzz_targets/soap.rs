#![no_main]
//! SOAP/ONVIF reply parser (faults, device information, date and time, scopes).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = camguard_probe::parse_soap(data) {
        if let Some(f) = &r.fault {
            let _ = f.to_string();
        }
        if let Some(d) = &r.datetime {
            let _ = d.display();
        }
    }
});
