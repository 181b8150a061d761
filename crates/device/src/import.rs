//! Importing an office's household roster on the device.
//!
//! Community staff keep their households in spreadsheets; the app takes the
//! file as it is (xlsx, xls, ods or CSV, read by `gridline_office::import`,
//! the reader the hub uses), shows a preview (households to create,
//! households already here, every bad row by line and column), then saves.
//!
//! Two promises hold: nothing is half-imported (every document is built
//! first, then one durable `save_batch`; any bad row saves nothing), and
//! importing again duplicates nobody (a row is matched to a household here
//! by the head's ID number, for a role that may read ID numbers, then by
//! its normalised grid and address, and a matched row is left alone).

use std::collections::{BTreeSet, HashMap};

use gridline_model::permission::{check, Action, Kind, Target};
use gridline_model::{text, Address, GridId, IdNumber, Instant, RecordId, Refusal, Role};
use gridline_office::import::{self, Format, ImportError, ImportRow};
use gridline_records::{household, private, Record};
use gridline_store::{Origin, Saved};

use crate::{new_id, Device, Result};

/// How a row was found to be a household already here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    IdNumber,
    Address,
}

/// A row and the household it is, or will be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLine {
    /// The row number the clerk sees in the sheet.
    pub line: usize,
    pub grid: GridId,
    /// 小区 楼栋 单元 房号, joined as the device shows an address.
    pub address: String,
    pub head_name: String,
    /// The household created, or the one matched. In a dry run a row to
    /// create has the id it would be given.
    pub household: RecordId,
}

/// What an import did, or (dry run, or any bad row) would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    /// `None` when the file is no roster in any format.
    pub format: Option<Format>,
    /// The workbook's sheets (empty for CSV) and the one read.
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    pub to_create: Vec<ImportLine>,
    pub matched: Vec<(ImportLine, MatchedBy)>,
    /// Every bad row by line and column, in both languages; when any is
    /// here nothing was saved.
    pub errors: Vec<ImportError>,
    /// The households were saved (not a dry run, and no errors).
    pub saved: bool,
}

impl ImportOutcome {
    /// Every error, one a line, under a count saying nothing was imported;
    /// with several sheets, which one was read and which there are.
    pub fn errors_text(&self) -> gridline_model::Text {
        let message = import::summary(&self.errors);
        match &self.sheet {
            Some(sheet) if self.sheets.len() > 1 => {
                let all = self.sheets.join("、");
                message.after(&text!(
                    "工作表“{sheet}”（共有：{all}）",
                    "sheet \"{sheet}\" (of: {all})"
                ))
            }
            _ => message,
        }
    }
}

/// A household already on the device, by what a row is matched on.
struct Known {
    by_id: HashMap<IdNumber, RecordId>,
    /// By grid and the address line (`Address::line`, as the store
    /// projects it), normalised.
    by_address: HashMap<(GridId, String), RecordId>,
}

/// An address part as compared: full-width letters and digits as ASCII,
/// no spaces, ASCII letters in lower case (`８栋` = `8栋`, `1203a` = `1203A`).
fn normalise(part: &str) -> String {
    part.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn address_key(a: &Address) -> String {
    normalise(&a.line())
}

impl Device {
    /// Reads the roster and imports it: see [`Device::import_households_with_progress`].
    pub fn import_households(
        &mut self,
        bytes: &[u8],
        sheet: Option<&str>,
        dry_run: bool,
        now: Instant,
    ) -> Result<ImportOutcome> {
        self.import_households_with_progress(bytes, sheet, dry_run, now, &mut |_, _| {})
    }

    /// Imports the roster in `bytes` (`sheet`, or the first sheet with a
    /// header). Only office staff import: a roster is the office's, and a
    /// grid worker adds households one at a time at the door; each row's
    /// grid must then pass the permission check for creating a household
    /// there. Bad rows (the file's, an unknown grid, a grid the role may not
    /// create in) come back in [`ImportOutcome::errors`] and nothing is
    /// saved; with `dry_run` nothing is saved either. `progress(done, total)`
    /// is called as the documents are built, for the app's progress bar.
    pub fn import_households_with_progress(
        &mut self,
        bytes: &[u8],
        sheet: Option<&str>,
        dry_run: bool,
        now: Instant,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportOutcome> {
        let role = self.user().role;
        if !matches!(role, Role::CommunityStaff | Role::StreetStaff) {
            let r = role.zh();
            let en = role.key();
            return Err(Refusal {
                reason: text!(
                    "{r}不能导入住户台账；台账由社区工作人员导入，网格员请逐户新增",
                    "a {en} may not import a household roster: community staff import rosters, and a grid worker adds households one at a time"
                ),
            }
            .into());
        }
        let today = now.date_naive();
        let (format, sheets, chosen, rows, mut errors) = match import::read(bytes, sheet, today) {
            Ok(r) => (Some(r.format), r.sheets, r.sheet, r.rows, Vec::new()),
            Err(r) => (r.format, r.sheets, r.sheet, Vec::new(), r.errors),
        };
        let mut outcome = ImportOutcome {
            format,
            sheets,
            sheet: chosen,
            to_create: Vec::new(),
            matched: Vec::new(),
            errors: Vec::new(),
            saved: false,
        };
        if !errors.is_empty() {
            outcome.errors = errors;
            return Ok(outcome);
        }

        let grids = self.grids_by_name();
        let mut resolved: Vec<(ImportRow, GridId)> = Vec::with_capacity(rows.len());
        let mut refused_grids = 0;
        for row in rows {
            match self.resolve_grid(&grids, &row) {
                Ok(grid) => resolved.push((row, grid)),
                Err((e, refused)) => {
                    refused_grids += usize::from(refused);
                    errors.push(e);
                }
            }
        }
        // A role the rules let create households nowhere in the file (street
        // staff today) is refused once, with the rules' reason, not on
        // every row.
        if refused_grids > 0 && resolved.is_empty() && refused_grids == errors.len() {
            return Err(Refusal {
                reason: errors[0].message.clone(),
            }
            .into());
        }

        let known = self.known_households(&resolved)?;
        let total = resolved.len();
        let mut docs: Vec<(automerge::AutoCommit, Record)> = Vec::new();
        for (done, (row, grid)) in resolved.into_iter().enumerate() {
            let address = Address {
                compound: row.compound.clone(),
                building: row.building.clone(),
                unit: row.unit.clone(),
                room: row.room.clone(),
            };
            let line = |household| ImportLine {
                line: row.line,
                grid: grid.clone(),
                address: address.line(),
                head_name: row.head_name.clone(),
                household,
            };
            let by_id = row
                .id_number
                .as_ref()
                .and_then(|n| known.by_id.get(n))
                .map(|h| (*h, MatchedBy::IdNumber));
            let by_address = || {
                known
                    .by_address
                    .get(&(grid.clone(), address_key(&address)))
                    .map(|h| (*h, MatchedBy::Address))
            };
            if let Some((household, by)) = by_id.or_else(by_address) {
                outcome.matched.push((line(household), by));
                progress(done + 1, total);
                continue;
            }
            let id = new_id(now);
            let (h, p) = row.household(id, new_id(now), grid.clone(), address.clone());
            if let Err(invalid) = h.validate(today) {
                errors.push(ImportError {
                    line: row.line,
                    column: String::new(),
                    message: invalid.text(),
                });
                continue;
            }
            let target = Target::household(grid.clone(), id);
            let keeps_private =
                check(self.user(), Kind::HouseholdPrivate, Action::Create, &target).is_ok();
            if !keeps_private && (!p.id_numbers.is_empty() || !p.sensitive_tags.is_empty()) {
                errors.push(ImportError {
                    line: row.line,
                    column: "身份证号".into(),
                    message: text!(
                        "你的角色不能登记身份证号和敏感标签；请删去这一列后再导入",
                        "your role may not keep ID numbers or sensitive tags; remove them and import again"
                    ),
                });
                continue;
            }
            if !dry_run {
                let mut doc = self.new_doc();
                household::create(&mut doc, &h, now)?;
                docs.push((doc, Record::Household(h)));
                if keeps_private {
                    let mut pdoc = self.new_doc();
                    private::create(&mut pdoc, &p, now)?;
                    docs.push((pdoc, Record::HouseholdPrivate(p)));
                }
            }
            outcome.to_create.push(line(id));
            progress(done + 1, total);
        }

        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            outcome.errors = errors;
            return Ok(outcome);
        }
        if !dry_run && !docs.is_empty() {
            self.store.save_batch(
                docs.iter_mut().map(|(d, r)| (Saved::of(d, false), &*r)),
                Origin::Local,
                now,
            )?;
        }
        outcome.saved = !dry_run;
        Ok(outcome)
    }

    /// Grid codes by (community name, grid name), from the names the hub
    /// sent at enrolment.
    fn grids_by_name(&self) -> HashMap<(String, String), GridId> {
        let names = self.place_names();
        names
            .iter()
            .filter_map(|(code, name)| {
                let grid = GridId::parse(code).ok()?;
                let community = names.get(grid.community().as_str())?;
                Some(((normalise(community), normalise(name)), grid))
            })
            .collect()
    }

    /// The row's grid: a grid code in the 网格 cell, or the grid of that
    /// name in that community; and one the user may create households in.
    /// The error's flag says it is a refusal by the rules.
    fn resolve_grid(
        &self,
        grids: &HashMap<(String, String), GridId>,
        row: &ImportRow,
    ) -> std::result::Result<GridId, (ImportError, bool)> {
        let grid = GridId::parse(&row.grid_name).ok().or_else(|| {
            grids
                .get(&(normalise(&row.community_name), normalise(&row.grid_name)))
                .cloned()
        });
        let Some(grid) = grid else {
            let (c, g) = (&row.community_name, &row.grid_name);
            let mut known: Vec<String> = grids.keys().map(|(_, g)| g.clone()).collect();
            known.sort();
            let known = if known.is_empty() {
                text!(
                    "本设备还没有网格名称（请先注册到枢纽），可直接填写 15 位网格编号",
                    "this device knows no grid names yet (enrol it with the hub first); the 15-digit grid code may be written instead"
                )
            } else {
                let list = known.join("、");
                text!(
                    "本设备知道的网格：{list}",
                    "the grids this device knows: {list}"
                )
            };
            return Err((
                ImportError {
                    line: row.line,
                    column: "网格".into(),
                    message: text!(
                        "“{c}”没有名为“{g}”的网格；请核对社区和网格名称",
                        "\"{c}\" has no grid named \"{g}\"; check the community and grid names"
                    )
                    .then(&known),
                },
                false,
            ));
        };
        let target = Target::household(grid.clone(), RecordId::nil());
        match check(self.user(), Kind::Household, Action::Create, &target) {
            Ok(()) => Ok(grid),
            Err(refusal) => Err((
                ImportError {
                    line: row.line,
                    column: "网格".into(),
                    message: refusal.reason,
                },
                true,
            )),
        }
    }

    /// The households here in the file's grids, by address and (for a role
    /// that may read them) by the ID numbers in their private parts.
    fn known_households(&self, rows: &[(ImportRow, GridId)]) -> Result<Known> {
        let grids: BTreeSet<&GridId> = rows.iter().map(|(_, g)| g).collect();
        let mut known = Known {
            by_id: HashMap::new(),
            by_address: HashMap::new(),
        };
        for grid in grids {
            let filter = gridline_store::HouseholdFilter {
                grid: Some(grid.clone()),
                ..Default::default()
            };
            for h in self.store.households(&filter)? {
                let Ok(id) = h.id.parse::<RecordId>() else {
                    continue;
                };
                known
                    .by_address
                    .insert((grid.clone(), normalise(&h.address)), id);
            }
        }
        let any_id = rows.iter().any(|(r, _)| r.id_number.is_some());
        if !any_id {
            return Ok(known);
        }
        let households: Vec<(RecordId, GridId)> = known
            .by_address
            .iter()
            .map(|((g, _), id)| (*id, g.clone()))
            .collect();
        for (id, grid) in households {
            let target = Target::household(grid, id);
            if check(self.user(), Kind::HouseholdPrivate, Action::Read, &target).is_err() {
                continue;
            }
            let Some((_, bytes)) = self.store.load(private::doc_id(id))? else {
                continue;
            };
            let doc = gridline_records::load(&bytes, &self.identity.actor)?;
            let p = private::read(&doc)?;
            for n in p.id_numbers.into_values() {
                known.by_id.insert(n, id);
            }
        }
        Ok(known)
    }
}
