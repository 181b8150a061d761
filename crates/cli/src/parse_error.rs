//! clap's own parse errors (a value that is not a number, a missing flag, a
//! flag that does not exist) said as Gridline says everything: in both
//! languages, naming the flag and what to do.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use gridline_model::{text, Text};

fn context(e: &clap::Error, kind: ContextKind) -> String {
    match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => v
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Why a value was refused, in Chinese, for the reasons Rust's number
/// parsing gives (the English is kept as it came).
fn reason_zh(en: &str) -> String {
    match en {
        "invalid digit found in string" => "须为整数".into(),
        "number too large to fit in target type" => "数字过大".into(),
        "number too small to fit in target type" => "数字过小".into(),
        "cannot parse integer from empty string" => "不能为空".into(),
        "invalid float literal" => "须为数字".into(),
        other => other.to_owned(),
    }
}

/// The error in both languages, or `None` for help, version and anything
/// clap says better itself.
pub fn text(e: &clap::Error) -> Option<Text> {
    let arg = context(e, ContextKind::InvalidArg);
    let value = context(e, ContextKind::InvalidValue);
    let help = text!("用 --help 查看用法", "see --help for how to use it");
    let t = match e.kind() {
        ErrorKind::InvalidValue => {
            let valid = context(e, ContextKind::ValidValue);
            if valid.is_empty() {
                text!("{arg} 需要一个值", "{arg} needs a value")
            } else {
                text!(
                    "{arg} 不接受 “{value}”；可用：{valid}",
                    "{arg} does not take \"{value}\"; use one of: {valid}"
                )
            }
        }
        ErrorKind::ValueValidation => {
            let en = std::error::Error::source(e)
                .map(ToString::to_string)
                .unwrap_or_default();
            let zh = reason_zh(&en);
            text!(
                "{arg} 的值 “{value}” 无效：{zh}",
                "invalid value \"{value}\" for {arg}: {en}"
            )
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = context(e, ContextKind::InvalidArg);
            text!(
                "缺少必填参数：{missing}",
                "missing required arguments: {missing}"
            )
        }
        ErrorKind::UnknownArgument => {
            let suggested = context(e, ContextKind::SuggestedArg);
            if suggested.is_empty() {
                text!("没有参数 {arg}", "there is no argument {arg}")
            } else {
                text!(
                    "没有参数 {arg}；是否要用 {suggested}",
                    "there is no argument {arg}; did you mean {suggested}"
                )
            }
        }
        ErrorKind::InvalidSubcommand => {
            let sub = context(e, ContextKind::InvalidSubcommand);
            text!("没有命令 {sub}", "there is no command {sub}")
        }
        ErrorKind::ArgumentConflict => {
            let prior = context(e, ContextKind::PriorArg);
            text!(
                "{arg} 不能与 {prior} 同时使用",
                "{arg} cannot be used with {prior}"
            )
        }
        _ => return None,
    };
    Some(t.then(&help))
}

/// A refusal of the device's input checks, said with the flag to fix: a
/// field named `id_field` is the record's id, an argument rather than a
/// flag, so it is said as the command alone.
pub fn invalid_at(what: &str, id_field: &str, e: gridline_device::Error) -> anyhow::Error {
    match e {
        gridline_device::Error::Invalid(i) => {
            let place = if i.field == id_field {
                what.to_owned()
            } else {
                format!("{what} --{}", i.field.replace('_', "-"))
            };
            crate::usage(
                i.problem
                    .then(&i.fix)
                    .after(&Text::new(place.clone(), place))
                    .to_string(),
            )
        }
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Args {
        #[arg(long)]
        value: u32,
        #[arg(long, value_parser = ["zh", "en"])]
        lang: Option<String>,
    }

    fn said(args: &[&str]) -> Text {
        let e = Args::try_parse_from(args).expect_err("the arguments are wrong");
        text(&e).expect("a parse error gets both languages")
    }

    #[test]
    fn a_bad_number_names_the_flag_and_the_fix_in_both_languages() {
        let t = said(&["x", "--value", "abc"]);
        assert!(
            t.zh.contains("--value") && t.zh.contains("须为整数") && t.zh.contains("--help"),
            "the Chinese half names the flag, the reason and the fix: {}",
            t.zh
        );
        assert!(
            t.en.contains("\"abc\"") && t.en.contains("invalid digit"),
            "the English half keeps the reason: {}",
            t.en
        );
    }

    #[test]
    fn missing_unknown_and_out_of_list_values_are_said_in_both() {
        let missing = said(&["x"]);
        assert!(
            missing.zh.contains("缺少必填参数") && missing.en.contains("--value"),
            "a missing flag is named: {missing:?}"
        );
        let unknown = said(&["x", "--value", "1", "--colour"]);
        assert!(
            unknown.zh.contains("没有参数 --colour"),
            "an unknown flag is named: {unknown:?}"
        );
        let listed = said(&["x", "--value", "1", "--lang", "fr"]);
        assert!(
            listed.zh.contains("zh, en") && listed.en.contains("use one of"),
            "the accepted values are listed: {listed:?}"
        );
    }
}
