//! What Gridline says to a user, in both languages as separate fields.
//!
//! Every user-facing error, refusal and fix is a [`Text`]: Chinese and
//! English side by side, never glued into one string and split again. The
//! app picks one half; the CLI prints the user's language (`--lang zh|en`,
//! `LANG`), and by default both, Chinese first, as `中文 (English)`.
//!
//! ```
//! use gridline_model::text;
//! let n = 3;
//! let t = text!("还有 {n} 条", "{n} more");
//! assert_eq!(t.zh, "还有 3 条");
//! assert_eq!(t.en, "3 more");
//! ```

use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};

/// One message in Chinese and English. On the wire and in JSON it is
/// `{"zh": …, "en": …}`, so a client shows the half it needs; a plain string
/// (what a peer from before sent) is read as both halves.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(from = "TextOnTheWire")]
pub struct Text {
    pub zh: String,
    pub en: String,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum TextOnTheWire {
    Apart { zh: String, en: String },
    Glued(String),
}

impl From<TextOnTheWire> for Text {
    fn from(w: TextOnTheWire) -> Text {
        match w {
            TextOnTheWire::Apart { zh, en } => Text { zh, en },
            TextOnTheWire::Glued(s) => Text {
                zh: s.clone(),
                en: s,
            },
        }
    }
}

/// Which language a process shows [`Text`] in when it prints one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Chinese only.
    Zh,
    /// English only.
    En,
    /// Both, Chinese first: `中文 (English)`.
    Both,
}

impl Lang {
    /// The language asked for by name (`zh`, `en`, `both`), or by a locale
    /// such as `LANG=zh_CN.UTF-8` or `en_GB.UTF-8`; `None` for anything else.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "both" {
            return Some(Lang::Both);
        }
        if s == "zh" || s.starts_with("zh_") || s.starts_with("zh-") || s.starts_with("zh.") {
            return Some(Lang::Zh);
        }
        if s == "en" || s.starts_with("en_") || s.starts_with("en-") || s.starts_with("en.") {
            return Some(Lang::En);
        }
        None
    }
}

static LANG: AtomicU8 = AtomicU8::new(2);

/// Sets the language [`Text`]'s `Display` uses in this process. A CLI sets
/// it once, from `--lang` or `LANG`; libraries never do.
pub fn set_lang(lang: Lang) {
    LANG.store(
        match lang {
            Lang::Zh => 0,
            Lang::En => 1,
            Lang::Both => 2,
        },
        Ordering::Relaxed,
    );
}

/// The language [`Text`]'s `Display` uses (both, unless a CLI chose).
pub fn lang() -> Lang {
    match LANG.load(Ordering::Relaxed) {
        0 => Lang::Zh,
        1 => Lang::En,
        _ => Lang::Both,
    }
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The half for `lang`; for [`Lang::Both`], both as `中文 (English)`.
    pub fn in_lang(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.zh.clone(),
            Lang::En => self.en.clone(),
            Lang::Both => format!("{} ({})", self.zh, self.en),
        }
    }

    /// Whether either half contains `needle` (for tests and for matching a
    /// known phrase, never to tell errors apart: use their codes).
    pub fn contains(&self, needle: &str) -> bool {
        self.zh.contains(needle) || self.en.contains(needle)
    }

    /// Joins two messages, each language with its own separator: `；` in
    /// Chinese, `; ` in English.
    pub fn then(&self, next: &Text) -> Text {
        Text {
            zh: format!("{}；{}", self.zh, next.zh),
            en: format!("{}; {}", self.en, next.en),
        }
    }

    /// This message with a prefix in each language (`prefix：message`).
    pub fn after(&self, prefix: &Text) -> Text {
        Text {
            zh: format!("{}：{}", prefix.zh, self.zh),
            en: format!("{}: {}", prefix.en, self.en),
        }
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match lang() {
            Lang::Zh => f.write_str(&self.zh),
            Lang::En => f.write_str(&self.en),
            Lang::Both => write!(f, "{} ({})", self.zh, self.en),
        }
    }
}

/// A [`Text`] from two format strings, Chinese then English, each taking
/// the same arguments (inline `{name}` captures work in both).
#[macro_export]
macro_rules! text {
    ($zh:literal, $en:literal $(,)?) => {
        $crate::text::Text {
            zh: ::std::format!($zh),
            en: ::std::format!($en),
        }
    };
    ($zh:literal, $en:literal, $($arg:tt)+) => {
        $crate::text::Text {
            zh: ::std::format!($zh, $($arg)+),
            en: ::std::format!($en, $($arg)+),
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_halves_are_kept_apart_and_shown_as_asked() {
        let id = "h-1";
        let t = text!("找不到住户 {id}", "no household with id {id}");
        assert_eq!(t.zh, "找不到住户 h-1", "the Chinese half formats alone");
        assert_eq!(t.en, "no household with id h-1", "the English half too");
        assert_eq!(
            t.in_lang(Lang::Both),
            "找不到住户 h-1 (no household with id h-1)",
            "both reads as the messages always have"
        );
        assert_eq!(t.in_lang(Lang::En), "no household with id h-1");
        let joined = t.then(&text!("请用 list 查看编号", "use list to find the id"));
        assert_eq!(joined.zh, "找不到住户 h-1；请用 list 查看编号");
        assert_eq!(
            joined.en,
            "no household with id h-1; use list to find the id"
        );
        let n = 2;
        let positional = text!("第{}位", "character {}", n);
        assert_eq!(
            (positional.zh.as_str(), positional.en.as_str()),
            ("第2位", "character 2")
        );
    }

    #[test]
    fn on_the_wire_both_halves_travel_and_a_plain_string_is_still_read() {
        let t = text!("被拒绝", "refused");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(
            json, r#"{"zh":"被拒绝","en":"refused"}"#,
            "apart on the wire"
        );
        assert_eq!(
            serde_json::from_str::<Text>(&json).unwrap(),
            t,
            "and read back"
        );
        let old: Text = serde_json::from_str(r#""被拒绝 (refused)""#).unwrap();
        assert_eq!(
            (old.zh.as_str(), old.en.as_str()),
            ("被拒绝 (refused)", "被拒绝 (refused)"),
            "a peer from before sent one string: it is shown whole"
        );
    }

    #[test]
    fn a_language_is_read_from_a_flag_or_a_locale() {
        assert_eq!(Lang::parse("zh"), Some(Lang::Zh));
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::Zh));
        assert_eq!(Lang::parse("en_GB.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("both"), Some(Lang::Both));
        assert_eq!(
            Lang::parse("C.UTF-8"),
            None,
            "a locale with no language is no choice"
        );
        assert_eq!(Lang::parse("fr_FR"), None);
    }
}
