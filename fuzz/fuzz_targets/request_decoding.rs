//! Arbitrary bytes as what a client sends: query strings, `filters`,
//! `X-Registry-Auth`, version prefixes, paths and JSON bodies.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| engine_fuzz::request_decoding(data));
