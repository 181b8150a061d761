//! Search keys for the store.
pub mod pinyin_keys;
