//! Any bytes through the mail pipeline's pure steps: parse (never panics, refuses in
//! words), sanitize (no script survives), thread (subject key, reply token), quoted history.
//! The checks live in `backend::testing::pipeline`, which a stable test also runs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    backend::testing::pipeline::check(data);
});
