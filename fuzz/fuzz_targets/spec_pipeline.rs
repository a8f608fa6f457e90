//! Arbitrary bytes as a spec: load, validate, lower, emit, docs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| engine_fuzz::spec_pipeline(data));
