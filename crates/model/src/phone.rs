//! Mainland China mobile phone numbers.
//!
//! Only 11-digit mobile numbers (`1[3-9]` followed by 9 digits) are accepted;
//! landlines and service numbers are refused with a message saying so.

use crate::text;
use std::fmt;

use crate::invalid::Invalid;

/// A mainland mobile number: 11 ASCII digits, starting `1` then `3`-`9`.
///
/// Only [`parse_mobile`] builds one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

impl Phone {
    /// The 11 digits, without country code or separators.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Maps full-width digits and `＋` to ASCII; other characters are unchanged.
fn normalise_char(c: char) -> char {
    match c {
        '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
        '＋' => '+',
        _ => c,
    }
}

/// Separators users type inside a number: spaces and hyphens (ASCII and
/// full-width).
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '－' | '‐' | '‑' | '–' | '—')
}

/// Parses a mainland mobile number.
///
/// Surrounding whitespace is trimmed, spaces and hyphens inside are removed,
/// full-width digits are accepted, and an optional `+86`, `0086` or `86`
/// country code is removed when exactly 11 digits follow it.
pub fn parse_mobile(input: &str, field: &str) -> Result<Phone, Invalid> {
    let compact: String = input
        .trim()
        .chars()
        .map(normalise_char)
        .filter(|c| !is_separator(*c))
        .collect();

    if compact.is_empty() {
        return Err(Invalid::new(
            field,
            text!("手机号码为空", "the mobile number is empty"),
            text!("请填写11位手机号码", "enter an 11-digit mobile number"),
        ));
    }

    let national: &str = if let Some(rest) = compact.strip_prefix("+86") {
        rest
    } else if let Some(rest) = compact.strip_prefix("0086") {
        rest
    } else if compact.len() == 13 && compact.starts_with("86") {
        &compact[2..]
    } else {
        &compact
    };

    if let Some((pos, c)) = national
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_digit())
    {
        let p = pos + 1;
        return Err(Invalid::new(
            field,
            text!(
                "手机号码第{p}位不是数字：“{c}”",
                "character {p} of the mobile number is not a digit: '{c}'"
            ),
            text!(
                "手机号码只能包含数字，可带+86前缀",
                "a mobile number has digits only, optionally after +86"
            ),
        ));
    }

    if !national.starts_with('1') {
        return Err(Invalid::new(
            field,
            text!(
                "{shown}不是手机号码，此处只接受手机号码",
                "only mobile numbers are accepted here; {shown} looks like a landline or service number",
                shown = input.trim()
            ),
            text!("请填写以1开头的11位手机号码", "enter an 11-digit mobile number starting with 1"),
        ));
    }

    let n = national.len();
    if n != 11 {
        return Err(Invalid::new(
            field,
            text!(
                "手机号码应为11位，实际为{n}位",
                "a mobile number has 11 digits, {n} were given"
            ),
            text!(
                "请核对手机号码是否完整",
                "check that the whole mobile number was entered"
            ),
        ));
    }

    let second = national.as_bytes()[1];
    if !(b'3'..=b'9').contains(&second) {
        return Err(Invalid::new(
            field,
            text!(
                "号段1{s}不是手机号段",
                "1{s} is not a mobile prefix; mobile numbers start with 13 to 19",
                s = char::from(second)
            ),
            text!(
                "请核对手机号码前两位",
                "check the first two digits of the mobile number"
            ),
        ));
    }

    Ok(Phone(national.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        match parse_mobile(input, "phone") {
            Ok(p) => p.as_str().to_owned(),
            Err(e) => panic!("{input:?} should be a valid mobile number, got {e}"),
        }
    }

    #[test]
    fn plain_valid_numbers() {
        for s in ["18517374590", "16022664433", "15106049698", "17670550866"] {
            assert_eq!(ok(s), s, "a plain valid mobile number is kept as given");
        }
    }

    #[test]
    fn separators_and_country_code_are_removed() {
        assert_eq!(
            ok("+86 185-1737-4590"),
            "18517374590",
            "+86 with spaces and hyphens is accepted"
        );
        assert_eq!(ok("  185 1737 4590 "), "18517374590", "spaces are removed");
        assert_eq!(
            ok("8618517374590"),
            "18517374590",
            "86 before 11 digits is a country code"
        );
        assert_eq!(
            ok("008618517374590"),
            "18517374590",
            "0086 is a country code"
        );
        assert_eq!(
            ok("+8618517374590"),
            "18517374590",
            "+86 without a space is accepted"
        );
    }

    #[test]
    fn full_width_digits_are_accepted() {
        assert_eq!(
            ok("１８５１７３７４５９０"),
            "18517374590",
            "full-width digits normalise to ASCII"
        );
        assert_eq!(
            ok("＋８６ １８５－１７３７－４５９０"),
            "18517374590",
            "full-width + and hyphens are accepted"
        );
    }

    #[test]
    fn bad_second_digit_is_rejected() {
        let err = parse_mobile("12345678901", "phone").unwrap_err();
        assert_eq!(err.field, "phone", "error names the field given");
        assert!(
            err.problem.contains("12"),
            "message names the bad prefix: {}",
            err.problem
        );
        assert!(
            err.problem.contains("not a mobile prefix"),
            "message says why: {}",
            err.problem
        );
    }

    #[test]
    fn wrong_length_says_how_many() {
        let err = parse_mobile("1851737459", "phone").unwrap_err();
        assert!(
            err.problem.contains("10 were given"),
            "10 digits is too short: {}",
            err.problem
        );
        let err = parse_mobile("185173745901", "phone").unwrap_err();
        assert!(
            err.problem.contains("12 were given"),
            "12 digits is too long: {}",
            err.problem
        );
        let err = parse_mobile("+86 185173745", "phone").unwrap_err();
        assert!(
            err.problem.contains("9 were given"),
            "length counts digits after +86: {}",
            err.problem
        );
    }

    #[test]
    fn non_digits_are_rejected() {
        let err = parse_mobile("1851737a590", "phone").unwrap_err();
        assert!(
            err.problem.contains("character 8"),
            "message names the position: {}",
            err.problem
        );
        let err = parse_mobile("185(1737)4590", "phone").unwrap_err();
        assert!(
            err.problem.contains("not a digit"),
            "brackets are not digits: {}",
            err.problem
        );
    }

    #[test]
    fn landline_says_mobile_only() {
        let err = parse_mobile("0854-8221234", "phone").unwrap_err();
        assert!(
            err.problem
                .contains("only mobile numbers are accepted here"),
            "a landline must be told mobile-only: {}",
            err.problem
        );
        assert!(
            err.problem.contains("0854-8221234"),
            "message quotes the input as typed: {}",
            err.problem
        );
        assert!(
            err.problem.contains("此处只接受手机号码"),
            "Chinese message comes too: {}",
            err.problem
        );
    }

    #[test]
    fn empty_is_rejected() {
        let err = parse_mobile("  - ", "phone").unwrap_err();
        assert!(
            err.problem.contains("empty"),
            "blank input must be reported empty: {}",
            err.problem
        );
    }
}
