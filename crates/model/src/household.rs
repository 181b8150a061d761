//! Households, residents, and the household-private part (ID numbers,
//! sensitive tags), with validation that names the field and the fix.

use crate::{text, Text};
use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::id_number::{check_birth_agrees, check_not_future};
use crate::{GridId, IdNumber, Invalid, Phone, RecordId, Tag};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    /// 小区; optional (not every household is in a compound).
    pub compound: String,
    /// 楼栋, required.
    pub building: String,
    /// 单元; optional.
    pub unit: String,
    /// 房号, required.
    pub room: String,
}

impl Address {
    /// One line as users read it: 水花都小区8栋1单元401.
    pub fn line(&self) -> String {
        format!(
            "{}{}{}{}",
            self.compound, self.building, self.unit, self.room
        )
    }

    pub fn validate(&self) -> Result<(), Invalid> {
        for (field, value, zh) in [
            ("building", &self.building, "楼栋"),
            ("room", &self.room, "房号"),
        ] {
            if value.trim().is_empty() {
                return Err(Invalid::new(
                    field,
                    text!("地址缺少{zh}", "the address needs a {field}"),
                    text!("请填写{zh}，如 8栋 / 401", "fill in the {field}"),
                ));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn key(self) -> &'static str {
        match self {
            Gender::Male => "男",
            Gender::Female => "女",
        }
    }
    pub fn parse(s: &str) -> Result<Gender, Invalid> {
        match s.trim() {
            "男" | "m" | "male" | "M" => Ok(Gender::Male),
            "女" | "f" | "female" | "F" => Ok(Gender::Female),
            other => Err(Invalid::new(
                "gender",
                text!("无法识别性别 \"{other}\"", "unknown gender \"{other}\""),
                text!("请填 男 或 女", "use 男/male or 女/female"),
            )),
        }
    }
}

/// Relation to the head of household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    Head,
    Spouse,
    Child,
    Parent,
    Grandchild,
    Other,
}

impl Relation {
    pub const ALL: [Relation; 6] = [
        Relation::Head,
        Relation::Spouse,
        Relation::Child,
        Relation::Parent,
        Relation::Grandchild,
        Relation::Other,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Relation::Head => "户主",
            Relation::Spouse => "配偶",
            Relation::Child => "子女",
            Relation::Parent => "父母",
            Relation::Grandchild => "孙子女",
            Relation::Other => "其他",
        }
    }
    pub fn parse(s: &str) -> Result<Relation, Invalid> {
        let s = s.trim();
        Relation::ALL
            .into_iter()
            .find(|r| r.key() == s)
            .ok_or_else(|| {
                Invalid::new(
                    "relation",
                    text!("未知关系 \"{s}\"", "unknown relation \"{s}\""),
                    text!(
                        "可用：户主、配偶、子女、父母、孙子女、其他",
                        "use: 户主、配偶、子女、父母、孙子女、其他"
                    ),
                )
            })
    }
}

/// The longest resident name, in characters.
pub const MAX_NAME: usize = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resident {
    pub id: RecordId,
    pub name: String,
    pub gender: Option<Gender>,
    pub birth_date: Option<NaiveDate>,
    pub relation: Relation,
    pub phone: Option<Phone>,
    /// Ordinary tags only; sensitive ones belong in [`HouseholdPrivate`].
    pub tags: BTreeSet<Tag>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    pub id: RecordId,
    pub grid: GridId,
    pub address: Address,
    pub phone: Option<Phone>,
    /// Ordinary tags only; sensitive ones belong in [`HouseholdPrivate`].
    pub tags: BTreeSet<Tag>,
    pub residents: Vec<Resident>,
    pub notes: String,
    /// Latitude, longitude (WGS-84) where known.
    pub location: Option<(f64, f64)>,
}

impl Household {
    /// The head of household's name, or the first resident's.
    pub fn head_name(&self) -> &str {
        self.residents
            .iter()
            .find(|r| r.relation == Relation::Head)
            .or(self.residents.first())
            .map_or("", |r| r.name.as_str())
    }

    pub fn validate(&self, today: NaiveDate) -> Result<(), Invalid> {
        self.address.validate()?;
        crate::check_length("notes", &self.notes)?;
        check_ordinary_tags(&self.tags, "tags")?;
        for (i, r) in self.residents.iter().enumerate() {
            let field = |f: &str| format!("residents[{i}].{f}");
            if r.name.trim().is_empty() {
                return Err(Invalid::new(
                    field("name"),
                    text!("居民姓名为空", "the resident has no name"),
                    text!("请填写姓名", "fill in the name"),
                ));
            }
            if r.name.chars().count() > MAX_NAME {
                return Err(Invalid::new(
                    field("name"),
                    text!("姓名过长", "name longer than {MAX_NAME} characters"),
                    text!("请只填姓名", "enter the name only"),
                ));
            }
            if let Some(b) = r.birth_date {
                if b > today {
                    return Err(Invalid::new(
                        field("birth_date"),
                        text!("出生日期 {b} 在未来", "birth date is in the future: {b}"),
                        text!("请核对出生日期", "check the birth date"),
                    ));
                }
            }
            check_ordinary_tags(&r.tags, &field("tags"))?;
        }
        let heads = self
            .residents
            .iter()
            .filter(|r| r.relation == Relation::Head)
            .count();
        if heads > 1 {
            return Err(Invalid::new(
                "residents",
                text!("一户只能有一位户主", "a household has one head"),
                text!(
                    "请把其他人的关系改为配偶、子女等",
                    "change the others' relation"
                ),
            ));
        }
        if let Some((lat, lon)) = self.location {
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                return Err(Invalid::new(
                    "location",
                    text!("坐标超出范围", "coordinates out of range"),
                    text!("纬度 -90..90，经度 -180..180", "lat -90..90, lon -180..180"),
                ));
            }
        }
        Ok(())
    }
}

fn check_ordinary_tags(tags: &BTreeSet<Tag>, field: &str) -> Result<(), Invalid> {
    if let Some(t) = tags.iter().find(|t| t.is_sensitive()) {
        return Err(Invalid::new(
            field,
            Text::new(
                format!("\"{t}\" 是敏感标签，不能放在普通标签中"),
                format!("\"{}\" is a sensitive tag", t.en()),
            ),
            text!(
                "敏感标签只记在户的保密信息中",
                "sensitive tags go in the household-private part"
            ),
        ));
    }
    Ok(())
}

/// The household-private document: ID numbers and sensitive tags, readable
/// only by grid workers and above (a joint-household leader never gets it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdPrivate {
    pub household: RecordId,
    pub grid: GridId,
    pub id_numbers: BTreeMap<RecordId, IdNumber>,
    pub sensitive_tags: BTreeSet<Tag>,
}

impl HouseholdPrivate {
    pub fn validate(&self, household: &Household, today: NaiveDate) -> Result<(), Invalid> {
        if let Some(t) = self.sensitive_tags.iter().find(|t| !t.is_sensitive()) {
            return Err(Invalid::new(
                "sensitive_tags",
                text!("\"{t}\" 不是敏感标签", "not a sensitive tag \"{t}\""),
                text!("普通标签记在户信息中", "ordinary tags go on the household"),
            ));
        }
        for (rid, id) in &self.id_numbers {
            let Some((i, r)) = household
                .residents
                .iter()
                .enumerate()
                .find(|(_, r)| r.id == *rid)
            else {
                return Err(Invalid::new(
                    "id_number",
                    text!(
                        "身份证号对应的居民不在此户",
                        "no such resident in the household"
                    ),
                    text!("请先添加居民", "add the resident first"),
                ));
            };
            let field = format!("residents[{i}].id_number");
            check_not_future(id, today, &field)?;
            if let Some(b) = r.birth_date {
                check_birth_agrees(id, b, &field)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id_number::parse_id_number;
    use crate::CommunityCode;

    fn sample() -> Household {
        Household {
            id: RecordId::nil(),
            grid: GridId::new(&CommunityCode::parse("522701001001").unwrap(), 1),
            address: Address {
                compound: "水花都小区".into(),
                building: "8栋".into(),
                unit: "1单元".into(),
                room: "401".into(),
            },
            phone: None,
            tags: BTreeSet::from([Tag::ElderlyAlone]),
            residents: vec![Resident {
                id: RecordId::from_u128(1),
                name: "邵秀英".into(),
                gender: Some(Gender::Female),
                birth_date: NaiveDate::from_ymd_opt(1987, 6, 18),
                relation: Relation::Head,
                phone: None,
                tags: BTreeSet::new(),
            }],
            notes: String::new(),
            location: None,
        }
    }
    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn a_complete_household_validates() {
        assert_eq!(sample().validate(today()), Ok(()), "the sample is complete");
        assert_eq!(sample().address.line(), "水花都小区8栋1单元401");
    }

    #[test]
    fn missing_address_parts_name_the_field() {
        let mut h = sample();
        h.address.room = " ".into();
        assert_eq!(
            h.validate(today()).unwrap_err().field,
            "room",
            "room is required"
        );
    }

    #[test]
    fn sensitive_tags_are_refused_on_the_household() {
        let mut h = sample();
        h.tags.insert(Tag::LowIncome);
        let e = h.validate(today()).unwrap_err();
        assert_eq!(e.field, "tags", "the error names the tag field");
    }

    #[test]
    fn future_birth_dates_are_refused() {
        let mut h = sample();
        h.residents[0].birth_date = NaiveDate::from_ymd_opt(2027, 1, 1);
        assert_eq!(
            h.validate(today()).unwrap_err().field,
            "residents[0].birth_date"
        );
    }

    #[test]
    fn id_number_must_agree_with_birth_date() {
        let h = sample();
        let mut p = HouseholdPrivate {
            household: h.id,
            grid: h.grid.clone(),
            id_numbers: BTreeMap::new(),
            sensitive_tags: BTreeSet::new(),
        };
        p.id_numbers.insert(
            RecordId::from_u128(1),
            parse_id_number("522701198706182382", "id").unwrap(),
        );
        assert_eq!(p.validate(&h, today()), Ok(()), "1987-06-18 agrees");
        p.id_numbers.insert(
            RecordId::from_u128(1),
            parse_id_number("52270119590222198X", "id").unwrap(),
        );
        assert_eq!(
            p.validate(&h, today()).unwrap_err().field,
            "residents[0].id_number",
            "1959 does not agree with 1987"
        );
    }
}
