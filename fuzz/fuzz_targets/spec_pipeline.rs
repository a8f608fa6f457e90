//! Arbitrary bytes as a spec: load, validate, lower, emit, docs.
#![no_main]

libfuzzer_sys::fuzz_target!(
    // libfuzzer-sys aborts in its panic hook, even on a panic that the
    // loader contains (libyaml-safer's, turned into a syntax error there).
    // Back to the default hook: a panic that escapes the harness still
    // aborts (libfuzzer-sys catches it and aborts), a contained one does not.
    init: drop(std::panic::take_hook()),
    |data: &[u8]| engine_fuzz::spec_pipeline(data)
);
