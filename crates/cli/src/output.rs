//! Printing: aligned tables that count a Chinese character as two columns,
//! key–value blocks, times in Beijing time, JSON, and the "saved" line.

use chrono::{DateTime, FixedOffset};
use gridline_model::{text, Instant, Text};
use serde_json::{json, Value};

use crate::Ctx;

/// `out!` for a message in the user's language: `say!("中文 {x}", "English {x}")`
/// prints the [`text!`](gridline_model::text) line in the language `--lang`
/// chose (both halves by default).
macro_rules! say {
    ($($arg:tt)+) => {
        out!("{}", gridline_model::text!($($arg)+))
    };
}
pub(crate) use say;

/// Display width of a string in a terminal: East Asian wide characters take two columns.
pub fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            if c.is_control() {
                0
            } else if matches!(u,
                0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
                | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
            {
                2
            } else {
                1
            }
        })
        .sum()
}

fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_owned();
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(s))));
    out
}

/// A table printed with columns aligned on display width.
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table whose headers are said in the user's language.
    pub fn of(headers: &[Text]) -> Table {
        Table {
            headers: headers.iter().map(ToString::to_string).collect(),
            rows: Vec::new(),
        }
    }

    /// [`Table::of`] under a section line: the first header is indented by
    /// two spaces, as the rows' first cells are.
    pub fn indented(headers: &[Text]) -> Table {
        let mut t = Table::of(headers);
        if let Some(first) = t.headers.first_mut() {
            first.insert_str(0, "  ");
        }
        t
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn print(&self) {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(width(c));
            }
        }
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate().take(n) {
                if i + 1 == n {
                    s.push_str(c);
                } else {
                    s.push_str(&pad(c, widths[i]));
                    s.push_str("  ");
                }
            }
            out!("{}", s.trim_end());
        };
        line(&self.headers);
        for r in &self.rows {
            line(r);
        }
    }
}

/// Prints `label  value` lines with the values aligned.
pub fn kv(pairs: &[(&str, String)]) {
    let w = pairs.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
    for (k, v) in pairs {
        out!("  {}  {}", pad(k, w), v);
    }
}

/// [`kv`] with each label said in the user's language.
pub fn kv_of(pairs: &[(Text, String)]) {
    let labels: Vec<String> = pairs.iter().map(|(k, _)| k.to_string()).collect();
    let pairs: Vec<(&str, String)> = labels
        .iter()
        .zip(pairs)
        .map(|(k, (_, v))| (k.as_str(), v.clone()))
        .collect();
    kv(&pairs);
}

pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// An instant in Beijing time, to the minute.
pub fn when(t: Instant) -> String {
    t.with_timezone(&beijing())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A stored RFC 3339 time in Beijing time, to the minute (as given if unreadable).
pub fn when_str(s: &str) -> String {
    DateTime::parse_from_rfc3339(s)
        .map(|t| when(t.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|_| s.to_owned())
}

/// A stored RFC 3339 time in Beijing time, to the second, as audit
/// listings show it (as given if unreadable).
pub fn at_str(s: &str) -> String {
    DateTime::parse_from_rfc3339(s)
        .map(|t| {
            t.with_timezone(&beijing())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| s.to_owned())
}

/// A stored RFC 3339 time as a Beijing date.
pub fn date_str(s: &str) -> String {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&beijing()).format("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| s.to_owned())
}

pub fn print_json(v: &Value) {
    out!(
        "{}",
        serde_json::to_string_pretty(v).expect("a JSON value always serialises")
    );
}

/// After a successful write: `已保存 (saved) <id>`, or JSON with the id and any extra fields.
pub fn saved(ctx: &Ctx, id: &str, extra: Value) {
    if ctx.json {
        let mut v = json!({ "status": "saved", "id": id });
        if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), extra) {
            obj.extend(more);
        }
        print_json(&v);
    } else {
        out!("{} {id}", text!("已保存", "saved"));
    }
}

/// After a create: [`saved`], or, when the caller's id was already saved (a
/// retried save), a line saying it is the same record and nothing new was written.
pub fn created(ctx: &Ctx, c: &gridline_device::Created, extra: Value) {
    let id = c.id.to_string();
    if !c.already_saved {
        let mut extra = extra;
        if let Value::Object(m) = &mut extra {
            m.insert("already_saved".into(), Value::Bool(false));
        }
        saved(ctx, &id, extra);
    } else if ctx.json {
        print_json(&json!({ "status": "saved", "id": id, "already_saved": true }));
    } else {
        out!(
            "{} {id} — {}",
            text!("已保存", "saved"),
            text!(
                "此编号的记录已保存过，是同一条记录，未重复保存",
                "already saved under this id: the same record, not a second one"
            )
        );
    }
}

/// A short word in a table cell (a role, a state, a tag): Chinese, or
/// English under `--lang en`; never both, so the cells stay narrow.
pub fn word(zh: &str, en: &str) -> String {
    match gridline_model::text::lang() {
        gridline_model::Lang::En => en.to_owned(),
        gridline_model::Lang::Zh | gridline_model::Lang::Both => zh.to_owned(),
    }
}

/// A person as tables and timelines show them: 张伟 (网格员), or the id for
/// someone the street's directory does not name; one language, as [`word`].
pub fn person(people: &gridline_device::People, id: &str) -> String {
    let t = people.label(id);
    word(&t.zh, &t.en)
}

/// A step's author: [`person`] with the role the step was taken in, and
/// the unit it acted for by name (a department as written).
pub fn author(
    device: &gridline_device::Device,
    people: &gridline_device::People,
    a: &gridline_model::Author,
) -> String {
    let who = people.label_as(&a.user, a.role);
    let who = word(&who.zh, &who.en);
    if a.unit.is_empty() {
        who
    } else {
        format!("{who} · {}", device.place_name(&a.unit))
    }
}

/// `—` for an empty cell.
pub fn or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".to_owned()
    } else {
        s.to_owned()
    }
}
