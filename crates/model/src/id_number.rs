//! The 18-digit PRC resident identity number (GB 11643-1999).
//!
//! Layout: 6-digit administrative division code, 8-digit birth date
//! (`YYYYMMDD`), 3-digit sequence (odd for men, even for women) and one check
//! character (`0`-`9` or `X`) computed with ISO 7064 MOD 11-2.

use crate::text;
use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::invalid::Invalid;

/// Weights for the first 17 digits (2^(18-i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character indexed by the weighted sum modulo 11.
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// A well-formed resident ID number: 18 ASCII characters, 17 digits then a
/// digit or upper-case `X`, with a real birth date and a correct check digit.
///
/// Only [`parse_id_number`] and [`make_id_number`] build one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(String);

impl IdNumber {
    /// The normalised number (ASCII, upper-case `X`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date encoded in characters 7-14.
    pub fn birth_date(&self) -> NaiveDate {
        birth_from_digits(&self.0[6..14])
            .expect("an IdNumber always holds a valid birth date (checked when built)")
    }

    /// The 6-digit administrative division code (characters 1-6).
    pub fn division_code(&self) -> &str {
        &self.0[..6]
    }

    /// True when the 17th digit (last sequence digit) is even.
    pub fn is_female(&self) -> bool {
        let d = self.0.as_bytes()[16] - b'0';
        d.is_multiple_of(2)
    }

    /// The number with its middle hidden: first 4, ten `*`, last 4,
    /// e.g. `5227**********123X`.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..4], "*".repeat(10), &self.0[14..])
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Maps full-width digits and `Ｘ`/`ｘ`/`x` to ASCII; other characters are
/// returned unchanged.
fn normalise_char(c: char) -> char {
    match c {
        '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
        'x' | 'Ｘ' | 'ｘ' => 'X',
        _ => c,
    }
}

/// The check character for 17 ASCII digits.
fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS.iter())
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(CHECK_CHARS[(sum % 11) as usize])
}

/// Parses `YYYYMMDD` (ASCII digits) into a date no earlier than 1900-01-01.
fn birth_from_digits(digits: &str) -> Option<NaiveDate> {
    let year: i32 = digits.get(0..4)?.parse().ok()?;
    let month: u32 = digits.get(4..6)?.parse().ok()?;
    let day: u32 = digits.get(6..8)?.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    (date >= earliest_birth()).then_some(date)
}

fn earliest_birth() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).expect("1900-01-01 is a valid date")
}

/// Parses and validates an 18-character resident ID number.
///
/// Surrounding whitespace is trimmed; full-width digits, full-width `Ｘ`/`ｘ`
/// and lower-case `x` are accepted and normalised to ASCII upper-case.
pub fn parse_id_number(input: &str, field: &str) -> Result<IdNumber, Invalid> {
    let chars: Vec<char> = input.trim().chars().map(normalise_char).collect();

    if chars.len() != 18 {
        return Err(Invalid::new(
            field,
            text!(
                "身份证号应为18位，实际为{n}位",
                "an ID number has 18 characters, {n} were given",
                n = chars.len()
            ),
            text!(
                "请核对身份证号是否完整",
                "check that the whole ID number was entered"
            ),
        ));
    }

    if let Some(pos) = chars[..17].iter().position(|c| !c.is_ascii_digit()) {
        let p = pos + 1;
        return Err(Invalid::new(
            field,
            text!(
                "第{p}位不是数字：“{c}”",
                "character {p} is not a digit: '{c}'",
                c = chars[pos]
            ),
            text!(
                "身份证号前17位只能是数字",
                "the first 17 characters must be digits"
            ),
        ));
    }

    let last = chars[17];
    if !(last.is_ascii_digit() || last == 'X') {
        return Err(Invalid::new(
            field,
            text!(
                "第18位应为数字或X，实际为“{last}”",
                "character 18 must be a digit or X, got '{last}'"
            ),
            text!(
                "请核对身份证号最后一位",
                "check the last character of the ID number"
            ),
        ));
    }

    let text: String = chars.iter().collect();
    let birth_digits = &text[6..14];
    if birth_from_digits(birth_digits).is_none() {
        return Err(Invalid::new(
            field,
            text!("第7-14位的出生日期{birth_digits}无效", "birth date {birth_digits} in characters 7-14 is not a real date on or after 1900-01-01"),
            text!("请核对身份证号中的出生日期", "check the birth date inside the ID number"),
        ));
    }

    let expected = check_char(&text.as_bytes()[..17]);
    if expected != last {
        return Err(Invalid::new(
            field,
            text!(
                "校验位错误：应为 {expected}，实为 {last}",
                "check digit is wrong: expected {expected}, got {last}"
            ),
            text!(
                "请核对身份证号最后一位",
                "check the last character of the ID number"
            ),
        ));
    }

    Ok(IdNumber(text))
}

/// Errors when the birth date recorded elsewhere differs from the one inside
/// the ID number.
pub fn check_birth_agrees(id: &IdNumber, birth: NaiveDate, field: &str) -> Result<(), Invalid> {
    let inside = id.birth_date();
    if inside == birth {
        return Ok(());
    }
    Err(Invalid::new(
        field,
        text!(
            "身份证号中的出生日期{inside}与填写的出生日期{birth}不一致",
            "birth date in the ID number is {inside} but the birth date given is {birth}"
        ),
        text!(
            "请核对身份证号和出生日期",
            "check both the ID number and the birth date"
        ),
    ))
}

/// Errors when the birth date inside the ID number is after `today`.
pub fn check_not_future(id: &IdNumber, today: NaiveDate, field: &str) -> Result<(), Invalid> {
    let birth = id.birth_date();
    if birth <= today {
        return Ok(());
    }
    Err(Invalid::new(
        field,
        text!(
            "身份证号中的出生日期{birth}晚于今天{today}",
            "birth date in the ID number, {birth}, is after today, {today}"
        ),
        text!(
            "请核对身份证号中的出生日期",
            "check the birth date inside the ID number"
        ),
    ))
}

/// Builds a valid ID number, for demo and test data.
///
/// The 3-digit sequence code is `(sequence % 500) * 2`, plus one for men, so
/// its last digit is odd for men and even for women; sequences 0-499 give
/// distinct numbers for each sex.
///
/// # Panics
///
/// If `division` is not exactly 6 ASCII digits, or `birth` is before
/// 1900-01-01 or after 9999-12-31 (no valid ID number could hold it).
pub fn make_id_number(division: &str, birth: NaiveDate, sequence: u16, female: bool) -> IdNumber {
    assert!(
        division.len() == 6 && division.bytes().all(|b| b.is_ascii_digit()),
        "make_id_number: division code must be 6 ASCII digits, got {division:?}"
    );
    assert!(
        birth >= earliest_birth() && birth.year() <= 9999,
        "make_id_number: birth date {birth} is outside 1900-01-01..=9999-12-31"
    );
    let code = u32::from(sequence % 500) * 2 + u32::from(!female);
    let mut text = format!("{division}{}{code:03}", birth.format("%Y%m%d"));
    let check = check_char(text.as_bytes());
    text.push(check);
    IdNumber(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("test date is valid")
    }

    const KNOWN_VALID: [&str; 5] = [
        "522701198706182382",
        "52270119590222198X",
        "522701196702036098",
        "522701196507189873",
        "11010519491231002X",
    ];

    #[test]
    fn known_valid_numbers_parse() {
        for s in KNOWN_VALID {
            let id = parse_id_number(s, "id_number");
            assert!(id.is_ok(), "{s} is a published valid ID number, got {id:?}");
            assert_eq!(
                id.unwrap().as_str(),
                s,
                "a valid ASCII number must be kept as given"
            );
        }
    }

    #[test]
    fn accessors_read_the_parts() {
        let id = parse_id_number("522701198706182382", "id").unwrap();
        assert_eq!(
            id.division_code(),
            "522701",
            "division code is the first 6 digits"
        );
        assert_eq!(
            id.birth_date(),
            date(1987, 6, 18),
            "birth date is digits 7-14"
        );
        assert!(id.is_female(), "17th digit 8 is even, so female");

        let id = parse_id_number("522701196702036098", "id").unwrap();
        assert!(!id.is_female(), "17th digit 9 is odd, so male");
        assert_eq!(
            id.birth_date(),
            date(1967, 2, 3),
            "birth date is digits 7-14"
        );

        let id = parse_id_number("11010519491231002X", "id").unwrap();
        assert!(id.is_female(), "17th digit 2 is even, so female");
        assert_eq!(
            id.birth_date(),
            date(1949, 12, 31),
            "birth date is digits 7-14"
        );
    }

    #[test]
    fn masking_keeps_first_and_last_four() {
        let id = parse_id_number("52270119590222198X", "id").unwrap();
        assert_eq!(
            id.masked(),
            "5227**********198X",
            "mask shows first 4, ten stars, last 4"
        );
        assert_eq!(
            id.masked().chars().count(),
            18,
            "mask keeps the length of 18"
        );
    }

    #[test]
    fn whitespace_is_trimmed() {
        let id = parse_id_number("  522701198706182382\t\n", "id");
        assert!(
            id.is_ok(),
            "surrounding whitespace must be ignored, got {id:?}"
        );
    }

    #[test]
    fn full_width_input_is_normalised() {
        let id = parse_id_number("５２２７０１１９５９０２２２１９８Ｘ", "id");
        assert_eq!(
            id.map(|i| i.as_str().to_owned()),
            Ok("52270119590222198X".to_owned()),
            "full-width digits and Ｘ must normalise to ASCII"
        );
        let id = parse_id_number("52270119590222198ｘ", "id");
        assert_eq!(
            id.map(|i| i.as_str().to_owned()),
            Ok("52270119590222198X".to_owned()),
            "full-width lower-case ｘ must normalise to X"
        );
    }

    #[test]
    fn lower_case_x_is_upper_cased() {
        let id = parse_id_number("11010519491231002x", "id").unwrap();
        assert_eq!(
            id.as_str(),
            "11010519491231002X",
            "lower-case x must become X"
        );
    }

    #[test]
    fn wrong_length_says_how_many() {
        let err = parse_id_number("52270119870618238", "id_number").unwrap_err();
        assert_eq!(
            err.field, "id_number",
            "error must name the field it was given"
        );
        assert!(
            err.problem.contains("17"),
            "message must give the count 17: {}",
            err.problem
        );
        assert!(
            err.problem.contains("18"),
            "message must say 18 are needed: {}",
            err.problem
        );

        let err = parse_id_number("5227011987061823821", "id").unwrap_err();
        assert!(
            err.problem.contains("19"),
            "message must give the count 19: {}",
            err.problem
        );

        let err = parse_id_number("   ", "id").unwrap_err();
        assert!(
            err.problem.contains("0 were given"),
            "blank input has 0 characters: {}",
            err.problem
        );
    }

    #[test]
    fn non_digit_says_which_position() {
        let err = parse_id_number("5227011987A6182382", "id").unwrap_err();
        assert!(
            err.problem.contains("character 11"),
            "the letter is at position 11: {}",
            err.problem
        );
        assert!(
            err.problem.contains("第11位"),
            "Chinese message names position 11: {}",
            err.problem
        );

        let err = parse_id_number("X22701198706182382", "id").unwrap_err();
        assert!(
            err.problem.contains("character 1 "),
            "X at position 1 is not allowed: {}",
            err.problem
        );
    }

    #[test]
    fn bad_last_character_is_rejected() {
        let err = parse_id_number("52270119870618238Y", "id").unwrap_err();
        assert!(
            err.problem.contains("character 18"),
            "last character must be a digit or X: {}",
            err.problem
        );
    }

    #[test]
    fn impossible_birth_date_is_rejected() {
        // 1987-02-30 does not exist; check digit irrelevant because date is checked first.
        let err = parse_id_number("522701198702302382", "id").unwrap_err();
        assert!(
            err.problem.contains("19870230"),
            "message must quote the date digits: {}",
            err.problem
        );
        // Month 13.
        let err = parse_id_number("522701198713012382", "id").unwrap_err();
        assert!(
            err.problem.contains("19871301"),
            "month 13 is not a date: {}",
            err.problem
        );
        // Before 1900.
        let err = parse_id_number("522701189912312382", "id").unwrap_err();
        assert!(
            err.problem.contains("18991231"),
            "dates before 1900 are rejected: {}",
            err.problem
        );
        // 29 February in a leap year is fine when the check digit agrees.
        let leap = make_id_number("522701", date(2000, 2, 29), 12, true);
        assert!(
            parse_id_number(leap.as_str(), "id").is_ok(),
            "2000-02-29 is a real date"
        );
    }

    #[test]
    fn wrong_check_digit_gives_expected_and_got() {
        let err = parse_id_number("522701198706182383", "id").unwrap_err();
        assert!(
            err.problem.contains("expected 2, got 3"),
            "message must give expected vs got: {}",
            err.problem
        );
        assert!(
            err.problem.zh.starts_with("校验位错误"),
            "Chinese comes first: {}",
            err.problem
        );
        let err = parse_id_number("522701195902221980", "id").unwrap_err();
        assert!(
            err.problem.contains("expected X, got 0"),
            "expected X must be reported as X: {}",
            err.problem
        );
    }

    #[test]
    fn make_id_number_round_trips() {
        let births = [
            date(1900, 1, 1),
            date(1949, 10, 1),
            date(1987, 6, 18),
            date(2000, 2, 29),
            date(2024, 12, 31),
        ];
        let divisions = ["522701", "110105", "440305"];
        for division in divisions {
            for birth in births {
                for sequence in (0..1000u16).step_by(37) {
                    for female in [true, false] {
                        let made = make_id_number(division, birth, sequence, female);
                        let parsed = parse_id_number(made.as_str(), "id");
                        assert_eq!(
                            parsed.as_ref(),
                            Ok(&made),
                            "generated number {} must parse back unchanged",
                            made.as_str()
                        );
                        assert_eq!(
                            made.birth_date(),
                            birth,
                            "generated number keeps the birth date"
                        );
                        assert_eq!(
                            made.division_code(),
                            division,
                            "generated number keeps the division"
                        );
                        assert_eq!(made.is_female(), female, "sequence parity encodes sex");
                    }
                }
            }
        }
    }

    #[test]
    fn make_id_number_distinct_sequences_give_distinct_numbers() {
        let birth = date(1990, 5, 5);
        let mut seen = std::collections::HashSet::new();
        for sequence in 0..500u16 {
            for female in [true, false] {
                let made = make_id_number("522701", birth, sequence, female);
                assert!(
                    seen.insert(made.clone()),
                    "sequence {sequence} repeated {}",
                    made.as_str()
                );
            }
        }
    }

    #[test]
    #[should_panic(expected = "6 ASCII digits")]
    fn make_id_number_rejects_bad_division() {
        let _ = make_id_number("52270", date(1990, 1, 1), 1, false);
    }

    #[test]
    fn birth_agreement() {
        let id = parse_id_number("522701198706182382", "id").unwrap();
        assert!(
            check_birth_agrees(&id, date(1987, 6, 18), "birth").is_ok(),
            "the same date must agree"
        );
        let err = check_birth_agrees(&id, date(1987, 8, 16), "birth").unwrap_err();
        assert_eq!(err.field, "birth", "error names the field given");
        assert!(
            err.problem.contains("1987-06-18") && err.problem.contains("1987-08-16"),
            "message must name both dates: {}",
            err.problem
        );
    }

    #[test]
    fn future_birth_is_rejected() {
        let id = make_id_number("522701", date(2030, 1, 1), 5, false);
        let err = check_not_future(&id, date(2025, 6, 1), "id").unwrap_err();
        assert!(
            err.problem.contains("2030-01-01") && err.problem.contains("2025-06-01"),
            "message must name the birth date and today: {}",
            err.problem
        );
        assert!(
            check_not_future(&id, date(2030, 1, 1), "id").is_ok(),
            "born today is not in the future"
        );
    }
}
