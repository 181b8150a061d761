#![no_main]
// The property lives in gridline_tests::hostile::enrol_code, which the corpus replay
// test (tests/scenarios/hostile.rs) runs too.
libfuzzer_sys::fuzz_target!(|data: &[u8]| gridline_tests::hostile::enrol_code(data));
