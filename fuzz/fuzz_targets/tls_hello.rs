//! The hand-written TLS record parsers: what a server answers to our legacy ClientHellos
//! (ServerHello or alert, any bytes a hostile server sends), and the sandbox's ClientHello
//! reader. Also HSTS header values.
#![no_main]
use launchready::net::tls::hello;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hello::parse_server_answer(data);
    let _ = hello::parse_client_hello(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = launchready::checks::tls::parse_hsts(text);
    }
});
