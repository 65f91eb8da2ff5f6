//! The end-to-end test lives in tests/app/. This library holds what that test's build needs and
//! can be tested without a window: reading the UI's test-id table (`test_ids`, which
//! `build.rs` compiles too).

pub mod test_ids;
