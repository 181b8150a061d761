//! `gridline` (网格通): the command line over the device API.
//!
//! Every command opens the device in `--data`, does one thing and prints the
//! result, Chinese first. `--json` turns every read into JSON. Exit codes:
//! 0 done; 1 a fault of the device or the network (offline, the hub
//! unreachable); 2 something the user can fix (bad input, a refused step, an
//! unknown id, the wrong data directory); 3 a damaged store (device.db or
//! hub.db cannot be read: restore it from a backup, retrying will not help).

/// `println!` that ignores a closed pipe (`gridline … | head`) instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod bench;
mod dashboard;
mod deliberation;
mod demo;
mod device;
mod doc;
mod duplicates;
mod export;
mod household;
mod hub;
mod issue;
mod mediation;
mod merge;
mod output;
mod parse_error;
mod photo;
mod sync;
mod visit;
mod wish;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gridline_device::Device;
use gridline_model::{text, Instant, Invalid, Text};

/// 网格通 Gridline：社区网格员离线工作台 (offline-first field app for community grid workers)
#[derive(Debug, Parser)]
#[command(name = "gridline", version, propagate_version = true)]
struct Cli {
    /// 数据目录：设备或街道枢纽 (data directory of this device or hub)
    #[arg(
        long,
        global = true,
        env = "GRIDLINE_DATA",
        default_value = "./gridline-data",
        value_name = "DIR"
    )]
    data: PathBuf,
    /// 以 JSON 输出 (print JSON instead of tables)
    #[arg(long, global = true)]
    json: bool,
    /// 消息语言：zh、en 或 both；不给则按 LANG，否则两种都显示 (language of messages: zh, en or both; else from LANG, else both)
    #[arg(long, global = true, value_name = "zh|en|both", value_parser = parse_lang)]
    lang: Option<gridline_model::Lang>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 本机设备：初始化、查看 (this device: init, show)
    #[command(subcommand)]
    Device(device::DeviceCmd),
    /// 户与居民 (households and residents)
    #[command(subcommand)]
    Household(household::HouseholdCmd),
    /// 事件：上报、处理、查看 (issues: report, act, show)
    #[command(subcommand)]
    Issue(issue::IssueCmd),
    /// 矛盾纠纷调解：上报、受理、调解、协议、回访、司法确认 (mediation cases: report, accept, mediate, agree, follow up, judicial confirmation)
    #[command(subcommand)]
    Mediation(mediation::MediationCmd),
    /// 居民议事：提议、受理、议事会、表决、落实、反馈 (residents' deliberation: propose, accept, meet, vote, carry out, feed back)
    #[command(subcommand)]
    Deliberation(deliberation::DeliberationCmd),
    /// 微心愿 (micro-wishes)
    #[command(subcommand)]
    Wish(wish::WishCmd),
    /// 走访 (visits)
    #[command(subcommand)]
    Visit(visit::VisitCmd),
    /// 照片：列出、查看、导出、重传 (photos: list, show, export, retry an upload)
    #[command(subcommand)]
    Photo(photo::PhotoCmd),
    /// 导出台账和月报为 xlsx 或 CSV (export ledgers and the monthly report as xlsx or CSV)
    #[command(subcommand)]
    Export(export::ExportCmd),
    /// 原始文档 (raw Automerge documents)
    #[command(subcommand)]
    Doc(doc::DocCmd),
    /// 演示数据：试用设备或街道枢纽 (demo data for a trial device or a hub)
    #[command(subcommand)]
    Demo(demo::DemoCmd),
    /// 街道枢纽：初始化、导入、注册码、停用、运行 (street hub: init, import, enrol, revoke, serve)
    #[command(subcommand)]
    Hub(hub::HubCmd),
    /// 性能基准 (benchmarks; use a release build)
    #[command(subcommand)]
    Bench(bench::BenchCmd),
}

/// What every command gets: where the device lives, how to print, and the
/// one `now` read from the clock for this run.
pub struct Ctx {
    pub data: PathBuf,
    pub json: bool,
    pub now: Instant,
}

impl Ctx {
    pub fn open(&self) -> anyhow::Result<Device> {
        Ok(Device::open(&self.data)?)
    }
}

/// Bad command-line input that clap cannot catch (a flag a step needs, …).
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// A usage error: exit code 2 with this message.
pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    Usage(msg.into()).into()
}

/// Exit code for a damaged store (device.db or hub.db).
const EXIT_DAMAGED: u8 = 3;

/// Exit code and message for an error: 2 when the user can fix it, 3 when a
/// store is damaged, 1 for any other fault.
fn classify(err: &anyhow::Error) -> (u8, String) {
    if let Some(e) = err.downcast_ref::<gridline_device::Error>() {
        if e.is_damaged() {
            return (
                EXIT_DAMAGED,
                Text::new(
                    format!("设备数据已损坏：{}；请从备份恢复数据目录", e.text().zh),
                    format!(
                        "the device's store is damaged: {}; restore the data directory from a backup",
                        e.text().en
                    ),
                )
                .to_string(),
            );
        }
        if e.is_user_error() {
            return (2, e.to_string());
        }
    }
    if let Some(e) = err.downcast_ref::<Invalid>() {
        return (2, e.to_string());
    }
    if let Some(e) = err.downcast_ref::<gridline_hub::Error>() {
        if e.is_damaged() {
            let msg = match e {
                // Already says what is damaged and how to restore it.
                gridline_hub::Error::Damaged(m) => m.clone(),
                _ => Text::new(
                    format!("枢纽数据已损坏：{}；请从备份恢复 hub.db", e.text().zh),
                    format!(
                        "the hub's store is damaged: {}; restore hub.db from a backup",
                        e.text().en
                    ),
                ),
            };
            return (EXIT_DAMAGED, msg.to_string());
        }
        if e.is_user_error() {
            return (2, e.to_string());
        }
    }
    if let Some(e) = err.downcast_ref::<Usage>() {
        return (2, e.to_string());
    }
    (1, format!("{err:#}"))
}

fn parse_lang(s: &str) -> Result<gridline_model::Lang, String> {
    match s.trim() {
        "zh" => Ok(gridline_model::Lang::Zh),
        "en" => Ok(gridline_model::Lang::En),
        "both" => Ok(gridline_model::Lang::Both),
        other => Err(text!(
            "“{other}”不是可用的语言，请用 zh、en 或 both",
            "\"{other}\" is not a language here: use zh, en or both"
        )
        .to_string()),
    }
}

/// The language messages are printed in: `--lang`, else the locale's
/// language if it names Chinese or English, else both (as Gridline always
/// printed them).
fn language(flag: Option<gridline_model::Lang>) -> gridline_model::Lang {
    flag.or_else(|| {
        let var = |k: &str| std::env::var(k).ok();
        locale_lang(var("LC_ALL"), var("LC_MESSAGES"), var("LANG"))
    })
    .unwrap_or(gridline_model::Lang::Both)
}

/// The language of messages a POSIX locale names: `LC_ALL` overrides
/// `LC_MESSAGES`, which overrides `LANG`; the first one set and not empty
/// decides, and `C`, `POSIX` or a third language decides "no preference".
fn locale_lang(
    lc_all: Option<String>,
    lc_messages: Option<String>,
    lang: Option<String>,
) -> Option<gridline_model::Lang> {
    [lc_all, lc_messages, lang]
        .into_iter()
        .flatten()
        .find(|v| !v.trim().is_empty())
        .and_then(|v| gridline_model::Lang::parse(&v))
        .filter(|l| *l != gridline_model::Lang::Both)
}

/// `--lang` read straight from the arguments, for when clap refused them.
fn lang_in_args() -> Option<gridline_model::Lang> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().enumerate().find_map(|(i, a)| {
        let v = a.strip_prefix("--lang=").or_else(|| {
            (a == "--lang")
                .then(|| args.get(i + 1).map(String::as_str))
                .flatten()
        })?;
        parse_lang(v).ok()
    })
}

fn main() -> ExitCode {
    // Set before parsing: a value parser (a bad `--lang` itself) says its
    // refusal while clap parses, in the language asked for or the locale's.
    gridline_model::text::set_lang(language(lang_in_args()));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version print as clap has them; a parse error is said
            // in the user's language, like every other error (exit 2).
            let Some(t) = parse_error::text(&e) else {
                e.exit()
            };
            eprintln!("{}: {t}", text!("错误", "error"));
            return ExitCode::from(2);
        }
    };
    gridline_model::text::set_lang(language(cli.lang));
    let now = chrono::Utc::now();
    let ctx = Ctx {
        data: cli.data,
        json: cli.json,
        now,
    };
    let result = match cli.command {
        Command::Device(c) => device::run(&ctx, c),
        Command::Household(c) => household::run(&ctx, c),
        Command::Issue(c) => issue::run(&ctx, c),
        Command::Mediation(c) => mediation::run(&ctx, c),
        Command::Deliberation(c) => deliberation::run(&ctx, c),
        Command::Wish(c) => wish::run(&ctx, c),
        Command::Visit(c) => visit::run(&ctx, c),
        Command::Photo(c) => photo::run(&ctx, c),
        Command::Export(c) => export::run(&ctx, c),
        Command::Doc(c) => doc::run(&ctx, c),
        Command::Demo(c) => demo::run(&ctx, c),
        Command::Bench(c) => bench::run(&ctx, c),
        Command::Hub(c) => hub::run(&ctx, c),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let (code, msg) = classify(&err);
            eprintln!("{}: {msg}", text!("错误", "error"));
            ExitCode::from(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::locale_lang;
    use gridline_model::Lang;

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn the_locale_decides_in_posix_order() {
        assert_eq!(locale_lang(None, None, s("zh_CN.UTF-8")), Some(Lang::Zh));
        assert_eq!(
            locale_lang(None, s("en_GB.UTF-8"), s("zh_CN.UTF-8")),
            Some(Lang::En),
            "LC_MESSAGES overrides LANG"
        );
        assert_eq!(
            locale_lang(s("zh_TW.UTF-8"), s("en_GB.UTF-8"), s("en_US.UTF-8")),
            Some(Lang::Zh),
            "LC_ALL overrides both"
        );
        assert_eq!(
            locale_lang(s(""), s(""), s("en_US.UTF-8")),
            Some(Lang::En),
            "an empty variable is as if unset"
        );
        assert_eq!(
            locale_lang(s("C.UTF-8"), None, s("zh_CN.UTF-8")),
            None,
            "C names no language, and LC_ALL still wins over LANG"
        );
        assert_eq!(locale_lang(None, None, s("fr_FR.UTF-8")), None);
        assert_eq!(locale_lang(None, None, None), None);
    }
}
