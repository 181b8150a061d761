//! Pinyin search keys for Chinese personal names.
//!
//! The store indexes the keys returned by [`name_keys`] so that a query such
//! as `zs` or `zhangsan` (after [`normalise_query`]) finds 张三. Keys are
//! lower-case ASCII: the full pinyin run together and the initials, for every
//! combination of readings of polyphonic characters, bounded so that a long
//! name of polyphonic characters cannot blow up the index.

use std::collections::HashSet;

use pinyin::ToPinyinMulti;

/// At most this many reading combinations are expanded per name; characters
/// that would take the count past it contribute only their first reading.
const MAX_COMBINATIONS: usize = 16;

/// Two-character surnames, recognised at the start of a name.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "尉迟", "上官", "东方", "皇甫", "令狐", "司徒", "公孙", "慕容", "长孙",
    "宇文", "轩辕", "夏侯", "万俟",
];

/// How surnames are read, where that differs from (or is only one of) the
/// character's ordinary readings. One syllable per character.
const SURNAME_READINGS: &[(&str, &[&str])] = &[
    ("曾", &["zeng"]),
    ("单", &["shan"]),
    ("解", &["xie"]),
    ("仇", &["qiu"]),
    ("区", &["ou"]),
    ("查", &["zha"]),
    ("朴", &["piao"]),
    ("尉迟", &["yu", "chi"]),
    ("盖", &["ge"]),
    ("覃", &["qin"]),
    ("翟", &["zhai"]),
    ("缪", &["miao"]),
    ("乐", &["yue"]),
    ("重", &["chong"]),
    ("长孙", &["zhang", "sun"]),
    ("万俟", &["mo", "qi"]),
    ("秘", &["bi"]),
    ("召", &["shao"]),
    ("种", &["chong"]),
    ("黑", &["he"]),
    ("隗", &["wei"]),
    ("华", &["hua"]),
    ("任", &["ren"]),
    ("沈", &["shen"]),
    ("石", &["shi"]),
    ("柏", &["bai"]),
    ("卜", &["bu"]),
    ("薄", &["bo"]),
    ("阚", &["kan"]),
    ("员", &["yun"]),
];

/// One way of reading a token: its full pinyin and its initials.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reading {
    full: String,
    initials: String,
}

/// A piece of a name before readings are chosen.
enum Unit {
    Han(char),
    Ascii(String),
}

/// Lower-case ASCII spellings of one pinyin syllable: `ü` becomes `v` (the
/// input-method convention) with `u` as a second spelling.
fn ascii_spellings(plain: &str) -> Vec<String> {
    if plain.contains('ü') {
        vec![plain.replace('ü', "v"), plain.replace('ü', "u")]
    } else {
        vec![plain.to_ascii_lowercase()]
    }
}

/// Distinct readings of one Han character, the most common first. Empty if
/// the character has no pinyin.
fn char_readings(c: char) -> Vec<Reading> {
    let mut out: Vec<Reading> = Vec::new();
    let Some(multi) = c.to_pinyin_multi() else {
        return out;
    };
    for p in multi {
        let initial = p.first_letter().replace('ü', "v").to_ascii_lowercase();
        for full in ascii_spellings(p.plain()) {
            let r = Reading {
                full,
                initials: initial.clone(),
            };
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

/// Readings of a run of characters: the cross product of each character's
/// readings, first readings first, capped at [`MAX_COMBINATIONS`].
fn run_readings(chars: &[char]) -> Vec<Reading> {
    let mut acc = vec![Reading {
        full: String::new(),
        initials: String::new(),
    }];
    for &c in chars {
        let mut rs = char_readings(c);
        if acc.len() * rs.len() > MAX_COMBINATIONS {
            rs.truncate(1);
        }
        acc = acc
            .iter()
            .flat_map(|a| {
                rs.iter().map(move |r| Reading {
                    full: format!("{}{}", a.full, r.full),
                    initials: format!("{}{}", a.initials, r.initials),
                })
            })
            .collect();
    }
    acc
}

/// Readings of the surname: the override reading (if any) first, then the
/// ordinary readings.
fn surname_readings(surname: &[char]) -> Vec<Reading> {
    let text: String = surname.iter().collect();
    let mut out = Vec::new();
    if let Some((_, syllables)) = SURNAME_READINGS.iter().find(|(s, _)| *s == text) {
        out.push(Reading {
            full: syllables.concat(),
            initials: syllables.iter().filter_map(|s| s.get(..1)).collect(),
        });
    }
    for r in run_readings(surname) {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// Splits a name into Han characters and runs of ASCII letters/digits,
/// dropping everything else (spaces, `·`, punctuation).
fn units(name: &str) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut ascii = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            ascii.push(c.to_ascii_lowercase());
            continue;
        }
        if !ascii.is_empty() {
            out.push(Unit::Ascii(std::mem::take(&mut ascii)));
        }
        if c.to_pinyin_multi().is_some() {
            out.push(Unit::Han(c));
        }
    }
    if !ascii.is_empty() {
        out.push(Unit::Ascii(ascii));
    }
    out
}

/// Search keys for a personal name, lower-case ASCII, without duplicates.
///
/// For every combination of readings (at most 16; polyphonic characters
/// beyond that take only their first reading) there is the full pinyin
/// (`zhangsan`) and the initials (`zs`). When the name starts with a Han
/// character, the surname (the first character, or the first two for a
/// compound surname such as 欧阳) is read with the surname reading where one
/// is known (曾 → `zeng`, 单 → `shan` …), and keys using that reading come
/// first. ASCII letters and digits pass through lower-cased; other characters
/// are skipped. Returns an empty vec when nothing is left.
pub fn name_keys(name: &str) -> Vec<String> {
    let units = units(name);
    if units.is_empty() {
        return Vec::new();
    }

    // Each token is a list of alternative readings.
    let mut tokens: Vec<Vec<Reading>> = Vec::new();
    let mut rest = &units[..];

    if let [Unit::Han(first), tail @ ..] = &units[..] {
        let compound = match tail.first() {
            Some(Unit::Han(second)) => {
                let pair: String = [*first, *second].iter().collect();
                COMPOUND_SURNAMES
                    .contains(&pair.as_str())
                    .then_some([*first, *second])
            }
            _ => None,
        };
        match compound {
            Some(pair) => {
                tokens.push(surname_readings(&pair));
                rest = &units[2..];
            }
            None => {
                tokens.push(surname_readings(&[*first]));
                rest = tail;
            }
        }
    }

    for unit in rest {
        match unit {
            Unit::Han(c) => tokens.push(char_readings(*c)),
            Unit::Ascii(s) => tokens.push(vec![Reading {
                full: s.clone(),
                initials: s.clone(),
            }]),
        }
    }

    // Bound the number of combinations, keeping first readings.
    let mut combinations = 1usize;
    for token in &mut tokens {
        if combinations * token.len() > MAX_COMBINATIONS {
            token.truncate(1);
        }
        combinations *= token.len().max(1);
    }
    tokens.retain(|t| !t.is_empty());

    // Expand in order, the first token (the surname) varying slowest so that
    // keys using its first reading come first.
    let mut keys = Vec::new();
    let mut seen = HashSet::new();
    let mut index = vec![0usize; tokens.len()];
    loop {
        let mut full = String::new();
        let mut initials = String::new();
        for (token, &i) in tokens.iter().zip(&index) {
            full.push_str(&token[i].full);
            initials.push_str(&token[i].initials);
        }
        for key in [full, initials] {
            if !key.is_empty() && seen.insert(key.clone()) {
                keys.push(key);
            }
        }
        // Advance the odometer, last token fastest.
        let mut pos = tokens.len();
        loop {
            if pos == 0 {
                return keys;
            }
            pos -= 1;
            index[pos] += 1;
            if index[pos] < tokens[pos].len() {
                break;
            }
            index[pos] = 0;
        }
    }
}

/// Normalises a search query for matching against [`name_keys`]: trims,
/// lower-cases ASCII letters and removes all whitespace inside.
pub fn normalise_query(q: &str) -> String {
    q.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(keys: &[String], key: &str) -> bool {
        keys.iter().any(|k| k == key)
    }

    #[test]
    fn plain_name_has_full_and_initials() {
        let keys = name_keys("张三");
        assert!(
            has(&keys, "zhangsan"),
            "full pinyin must be a key: {keys:?}"
        );
        assert!(has(&keys, "zs"), "initials must be a key: {keys:?}");
        assert_eq!(
            keys[0], "zhangsan",
            "the common reading ranks first: {keys:?}"
        );
    }

    #[test]
    fn surname_override_ranks_first() {
        let keys = name_keys("曾小红");
        assert_eq!(
            keys.first().map(String::as_str),
            Some("zengxiaohong"),
            "曾 as a surname reads zeng: {keys:?}"
        );
        assert!(
            has(&keys, "zxh"),
            "initials with the surname reading: {keys:?}"
        );
        assert!(
            has(&keys, "cengxiaohong"),
            "other readings are still found: {keys:?}"
        );

        let keys = name_keys("单丽");
        assert_eq!(
            keys.first().map(String::as_str),
            Some("shanli"),
            "单 as a surname reads shan: {keys:?}"
        );
        assert!(
            has(&keys, "sl"),
            "initials with the surname reading: {keys:?}"
        );
    }

    #[test]
    fn compound_surnames() {
        let keys = name_keys("欧阳娜娜");
        assert!(
            has(&keys, "ouyangnana"),
            "compound surname full pinyin: {keys:?}"
        );
        assert!(has(&keys, "oynn"), "compound surname initials: {keys:?}");

        let keys = name_keys("尉迟恭");
        assert_eq!(
            keys.first().map(String::as_str),
            Some("yuchigong"),
            "尉迟 reads yuchi: {keys:?}"
        );
        assert!(has(&keys, "ycg"), "initials of yuchigong: {keys:?}");

        let keys = name_keys("长孙无忌");
        assert_eq!(
            keys.first().map(String::as_str),
            Some("zhangsunwuji"),
            "长孙 reads zhangsun: {keys:?}"
        );
    }

    #[test]
    fn polyphonic_given_name_keeps_readings() {
        let keys = name_keys("李重");
        assert!(
            has(&keys, "lizhong") || has(&keys, "lichong"),
            "a reading of 重 must be present: {keys:?}"
        );
        assert!(
            has(&keys, "lz") || has(&keys, "lc"),
            "initials present: {keys:?}"
        );
    }

    #[test]
    fn mixed_ascii_passes_through() {
        let keys = name_keys("Amy张");
        assert!(
            has(&keys, "amyzhang"),
            "ASCII is kept lower-cased before the pinyin: {keys:?}"
        );
        let keys = name_keys("张3");
        assert!(has(&keys, "zhang3"), "digits pass through: {keys:?}");
    }

    #[test]
    fn other_characters_are_skipped() {
        let keys = name_keys("阿卜杜·热合曼");
        assert!(
            keys.iter().all(|k| k.is_ascii()),
            "keys are ASCII only: {keys:?}"
        );
        assert!(
            keys.iter().all(|k| !k.contains('·')),
            "the dot is skipped: {keys:?}"
        );
        assert!(
            has(&keys, "abudurehaman") || has(&keys, "abudureheman"),
            "the name reads through: {keys:?}"
        );
    }

    #[test]
    fn umlaut_becomes_ascii() {
        let keys = name_keys("吕布");
        assert!(
            has(&keys, "lvbu"),
            "ü is spelled v as in input methods: {keys:?}"
        );
        assert!(has(&keys, "lubu"), "ü is also spelled u: {keys:?}");
        assert!(
            keys.iter().all(|k| k.is_ascii()),
            "keys are ASCII only: {keys:?}"
        );
    }

    #[test]
    fn combinations_are_bounded() {
        let keys = name_keys("行长重调乐");
        assert!(
            keys.len() <= 32,
            "16 combinations give at most 32 keys, got {}: {keys:?}",
            keys.len()
        );
        assert!(
            has(&keys, "xingzhangzhongdiaole"),
            "first readings are always present: {keys:?}"
        );

        let long: String = "行长重调乐".repeat(6);
        let keys = name_keys(&long);
        assert!(
            keys.len() <= 32,
            "a long polyphonic name stays bounded, got {}",
            keys.len()
        );
    }

    #[test]
    fn no_duplicates_and_lower_ascii() {
        for name in ["张三", "曾小红", "朴树", "行长重调乐", "Amy张", "欧阳娜娜"] {
            let keys = name_keys(name);
            let unique: HashSet<_> = keys.iter().collect();
            assert_eq!(
                unique.len(),
                keys.len(),
                "keys for {name} must not repeat: {keys:?}"
            );
            assert!(
                keys.iter().all(|k| k
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
                "keys for {name} must be lower-case ASCII: {keys:?}"
            );
        }
    }

    #[test]
    fn empty_input_gives_no_keys() {
        assert!(name_keys("").is_empty(), "empty name has no keys");
        assert!(
            name_keys("  · ").is_empty(),
            "a name of only skipped characters has no keys"
        );
    }

    #[test]
    fn queries_are_normalised() {
        assert_eq!(
            normalise_query("  Zhang San "),
            "zhangsan",
            "trim, lower-case, drop spaces"
        );
        assert_eq!(
            normalise_query("ZS"),
            "zs",
            "upper-case initials are lower-cased"
        );
        assert_eq!(
            normalise_query(" 张 三 "),
            "张三",
            "Chinese is kept, spaces dropped"
        );
    }
}
