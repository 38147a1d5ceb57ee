#![no_main]
//! UPnP device description and SSDP reply parsers.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = camguard_probe::parse_description(data);
    let _ = camguard_probe::upnp::parse_ssdp_reply(data);
    let _ = camguard_probe::upnp::body_observations(49152, data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = camguard_probe::upnp::location_on_host(s, std::net::Ipv4Addr::LOCALHOST.into());
    }
});
