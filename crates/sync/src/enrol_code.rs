//! Enrolment codes as people read them out and type them: the one place that
//! says what a code looks like, so a device refuses a malformed code before
//! sending it and the hub refuses it without counting it as a guess.
//!
//! A code is [`LEN`] characters of [`ALPHABET`] (no I, O, 0 or 1), written in
//! groups of four like [`EXAMPLE`]. Case, spaces and dashes are ignored, so
//! `abcd efgh jklm` and `ABCDEFGHJKLM` are the same code. [`normalise`] gives
//! the canonical `XXXX-XXXX-XXXX` form, the one the hub hashes; codes issued
//! before this module existed were hashed in that form too.
//!
//! ```
//! use gridline_sync::enrol_code;
//! assert_eq!(enrol_code::normalise(" abcd efgh-jklm ").unwrap(), "ABCD-EFGH-JKLM");
//! assert!(enrol_code::normalise("ABCD-EFGH-JKL0").is_err(), "0 is not in the alphabet");
//! ```

use gridline_model::Invalid;
use gridline_model::{text, Text};

/// The 32 characters a code is made of: easy to read out and to type.
pub const ALPHABET: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Characters in a code, not counting the dashes between groups.
pub const LEN: usize = 12;

/// What a code looks like, for messages and documentation.
pub const EXAMPLE: &str = "ABCD-EFGH-JKLM";

/// The canonical form of a typed code (upper case, `XXXX-XXXX-XXXX`), or why
/// it cannot be a code: not exactly [`LEN`] characters of [`ALPHABET`] once
/// case, white space and dashes are ignored.
pub fn normalise(typed: &str) -> Result<String, Invalid> {
    let mut chars = Vec::with_capacity(LEN);
    for c in typed.chars() {
        if c.is_whitespace() || c == '-' {
            continue;
        }
        let c = c.to_ascii_uppercase();
        if !ALPHABET.contains(c) {
            return Err(malformed(text!(
                "注册码中不会有字符 “{c}”",
                "a code never contains “{c}”",
                c = c.escape_debug()
            )));
        }
        chars.push(c);
        if chars.len() > LEN {
            break; // too long already: no need to read the rest
        }
    }
    if chars.len() != LEN {
        let (zh, en) = if chars.len() > LEN {
            (format!("多于 {LEN} 个"), format!("more than {LEN}"))
        } else {
            (format!("{} 个", chars.len()), chars.len().to_string())
        };
        return Err(malformed(text!(
            "注册码应有 {LEN} 个字母或数字，这里有 {zh}",
            "a code has {LEN} letters and digits; this has {en}"
        )));
    }
    Ok(group(&chars))
}

/// A code from 12 random bytes: each byte modulo 32 picks a character
/// (256 is a multiple of 32, so every character is equally likely).
pub fn from_bytes(bytes: [u8; LEN]) -> String {
    let alphabet = ALPHABET.as_bytes();
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| alphabet[usize::from(*b) % alphabet.len()] as char)
        .collect();
    group(&chars)
}

fn group(chars: &[char]) -> String {
    let mut out = String::with_capacity(LEN + LEN / 4);
    for (i, c) in chars.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(*c);
    }
    out
}

fn malformed(problem: Text) -> Invalid {
    Invalid::new(
        "code",
        problem,
        text!(
            "注册码形如 {EXAMPLE}：{LEN} 个字母或数字，不含 I、O、0、1，大小写、空格和横线不限；请核对管理员给的注册码",
            "a code looks like {EXAMPLE}: {LEN} letters and digits without I, O, 0 or 1, in any case, \
             with or without spaces and dashes; check the code the admin gave you"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_codes_normalise_to_the_form_the_hub_hashes() {
        for (typed, want) in [
            ("ABCD-EFGH-JKLM", "ABCD-EFGH-JKLM"),
            (" abcd-efgh-jklm\n", "ABCD-EFGH-JKLM"),
            ("ABCDEFGHJKLM", "ABCD-EFGH-JKLM"),
            ("abcd efgh jklm", "ABCD-EFGH-JKLM"),
            ("ab-cd-ef-gh-jk-lm", "ABCD-EFGH-JKLM"),
            ("\u{3000}ABCD\u{3000}EFGH\u{3000}JKLM", "ABCD-EFGH-JKLM"),
            ("2345-6789-ZZZZ", "2345-6789-ZZZZ"),
        ] {
            assert_eq!(
                normalise(typed).as_deref(),
                Ok(want),
                "{typed:?}: case, white space and dashes are ignored"
            );
        }
    }

    #[test]
    fn malformed_codes_say_what_a_code_looks_like() {
        for (typed, says) in [
            ("", "这里有 0 个"),
            ("ABCD-EFGH-JKL", "this has 11"),
            ("ABCD-EFGH-JKLMN", "more than 12"),
            ("ABCD-EFGH-JKLM-ABCD-EFGH", "more than 12"),
            ("ABCD-EFGH-JKL0", "never contains “0”"),
            ("ABCD-EFGH-JKLO", "never contains “O”"),
            ("ABCD-EFGH-JKL1", "never contains “1”"),
            ("ABCD-EFGH-JKLI", "never contains “I”"),
            ("ABCD_EFGH_JKLM", "never contains “_”"),
            ("ABCD-EFGH-JKLÉ", "never contains “É”"),
        ] {
            let e = normalise(typed).expect_err(typed);
            let text = e.to_string();
            assert_eq!(e.field, "code", "the field the user typed");
            assert!(text.contains(says), "{typed:?} names the fault: {text}");
            assert!(
                text.contains(EXAMPLE) && text.contains("注册码形如"),
                "{typed:?}: says what a code looks like, Chinese first: {text}"
            );
        }
    }

    #[test]
    fn codes_from_bytes_are_well_formed_and_use_the_whole_alphabet() {
        let mut seen = std::collections::BTreeSet::new();
        for start in (0..=255u8).step_by(LEN) {
            let bytes: [u8; LEN] = std::array::from_fn(|i| start.wrapping_add(i as u8));
            let code = from_bytes(bytes);
            assert_eq!(
                normalise(&code).as_deref(),
                Ok(code.as_str()),
                "an issued code is already canonical"
            );
            seen.extend(code.chars().filter(|c| *c != '-'));
        }
        assert_eq!(
            seen.len(),
            ALPHABET.len(),
            "every byte value maps into the alphabet, all of it reachable"
        );
    }
}
