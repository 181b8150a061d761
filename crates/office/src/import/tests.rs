use super::*;

const SAMPLE_UTF8BOM: &[u8] = include_bytes!("../../tests/fixtures/households-sample-utf8bom.csv");
const SAMPLE_GBK: &[u8] = include_bytes!("../../tests/fixtures/households-sample-gbk.csv");
const MESSY: &[u8] = include_bytes!("../../tests/fixtures/households-messy.csv");
const WITH_ERRORS: &[u8] = include_bytes!("../../tests/fixtures/households-errors.csv");

const HEADER: &str = "社区,网格,小区,楼栋,单元,房号,户主姓名,身份证号,联系电话,标签";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 1).expect("valid test date")
}

fn ok(text: &str) -> Vec<ImportRow> {
    match parse(text.as_bytes(), today()) {
        Ok(rows) => rows,
        Err(errors) => panic!("expected the file to import, got errors: {errors:#?}"),
    }
}

fn errs(text: &str) -> Vec<ImportError> {
    match parse(text.as_bytes(), today()) {
        Ok(rows) => panic!("expected errors, got rows: {rows:#?}"),
        Err(errors) => errors,
    }
}

fn places(errors: &[ImportError]) -> Vec<(usize, &str)> {
    errors.iter().map(|e| (e.line, e.column.as_str())).collect()
}

/// Data rows in a sample: non-empty lines after the header.
fn count_data_lines(text: &str) -> usize {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count()
}

#[test]
fn utf8_bom_sample_imports_every_row() {
    let (text, encoding) = decode(SAMPLE_UTF8BOM).expect("sample decodes");
    assert_eq!(
        encoding,
        Encoding::Utf8Bom,
        "the sample starts with a UTF-8 BOM"
    );
    assert_eq!(
        count_data_lines(&text),
        24,
        "the sample holds 24 households"
    );
    let rows = parse(SAMPLE_UTF8BOM, today()).expect("the UTF-8 sample must import cleanly");
    assert_eq!(rows.len(), 24, "every sample household becomes a row");
    assert_eq!(
        rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        (2..=25).collect::<Vec<_>>(),
        "rows keep their file line numbers, header being line 1"
    );
    let first = &rows[0];
    assert_eq!(
        (
            first.community_name.as_str(),
            first.grid_name.as_str(),
            first.compound.as_str(),
            first.building.as_str(),
            first.unit.as_str(),
            first.room.as_str(),
            first.head_name.as_str()
        ),
        (
            "平桥社区",
            "平桥第1网格",
            "水花都小区",
            "8栋",
            "1单元",
            "401",
            "邵秀英"
        ),
        "the first row's cells are read in header order, without BOM or CR"
    );
    assert_eq!(
        first.id_number.as_ref().map(IdNumber::as_str),
        Some("522701198706182382"),
        "ID number read"
    );
    assert_eq!(
        first.phone.as_ref().map(Phone::as_str),
        Some("18517374590"),
        "phone read"
    );
    assert!(first.tags.is_empty(), "an empty 标签 cell gives no tags");
    let tagged: Vec<(usize, Vec<Tag>)> = rows
        .iter()
        .filter(|r| !r.tags.is_empty())
        .map(|r| (r.line, r.tags.clone()))
        .collect();
    assert_eq!(
        tagged,
        vec![
            (7, vec![Tag::Migrant]),
            (8, vec![Tag::ElderlyAlone]),
            (10, vec![Tag::ExtremeHardship]),
            (19, vec![Tag::Disabled]),
            (24, vec![Tag::ExtremeHardship]),
        ],
        "the sample's tags are read at their lines"
    );
}

#[test]
fn gbk_sample_imports_every_row() {
    let (text, encoding) = decode(SAMPLE_GBK).expect("sample decodes");
    assert_eq!(
        encoding,
        Encoding::Gbk,
        "the sample is not UTF-8, so it is read as GBK"
    );
    assert!(
        text.starts_with(HEADER),
        "GBK header decodes to the ten column names: {text}"
    );
    assert_eq!(
        count_data_lines(&text),
        24,
        "the sample holds 24 households"
    );
    let rows = parse(SAMPLE_GBK, today()).expect("the GBK sample must import cleanly");
    assert_eq!(rows.len(), 24, "every sample household becomes a row");
    assert_eq!(rows[0].head_name, "王秀英", "GBK names decode");
    let tianna = rows
        .iter()
        .find(|r| r.head_name == "田娜")
        .expect("田娜 is in the sample");
    assert_eq!(tianna.line, 12, "田娜 is on line 12");
    assert_eq!(
        tianna.tags,
        vec![Tag::ElderlyAlone, Tag::LowIncome],
        "two tags joined with 、"
    );
    assert_eq!(
        rows.iter()
            .find(|r| r.head_name == "戴杰")
            .and_then(|r| r.id_number.clone())
            .map(|i| i.to_string()),
        Some("52270119860327708X".to_owned()),
        "an X check digit is kept"
    );
}

#[test]
fn both_encodings_give_identical_rows() {
    // The two samples hold different households, so each is re-encoded in
    // the other encoding and the rows compared.
    let (utf8_text, _) = decode(SAMPLE_UTF8BOM).expect("decodes");
    let (as_gbk, _, unmappable) = encoding_rs::GBK.encode(&utf8_text);
    assert!(!unmappable, "every character of the sample exists in GBK");
    assert_eq!(
        parse(SAMPLE_UTF8BOM, today()),
        parse(&as_gbk, today()),
        "the UTF-8 sample saved as GBK must give the same rows"
    );

    let (gbk_text, _) = decode(SAMPLE_GBK).expect("decodes");
    let mut as_utf8_bom = b"\xEF\xBB\xBF".to_vec();
    as_utf8_bom.extend_from_slice(gbk_text.as_bytes());
    assert_eq!(
        parse(SAMPLE_GBK, today()),
        parse(&as_utf8_bom, today()),
        "the GBK sample saved as UTF-8 with BOM must give the same rows"
    );
    assert_eq!(
        parse(SAMPLE_GBK, today()),
        parse(gbk_text.as_bytes(), today()),
        "UTF-8 without BOM gives the same rows too"
    );
}

#[test]
fn decode_tells_the_encodings_apart() {
    assert_eq!(
        decode("社区".as_bytes()).map(|(_, e)| e),
        Ok(Encoding::Utf8),
        "valid UTF-8 without BOM"
    );
    assert_eq!(
        decode(b"\xEF\xBB\xBFabc"),
        Ok(("abc".to_owned(), Encoding::Utf8Bom)),
        "BOM is removed"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode("社区,网格");
    assert_eq!(
        decode(&gbk),
        Ok(("社区,网格".to_owned(), Encoding::Gbk)),
        "GBK is decoded"
    );
    assert_eq!(
        decode(b""),
        Ok((String::new(), Encoding::Utf8)),
        "empty input is empty UTF-8"
    );
}

#[test]
fn undecodable_bytes_are_reported_at_their_line() {
    // 0xFF is neither UTF-8 nor a GBK lead byte.
    let e = decode(b"a,b\r\nc,d\r\ne\xFF,f\r\n").expect_err("0xFF cannot be decoded");
    assert_eq!(e.line, 3, "the bad byte is on line 3: {e}");
    assert!(
        e.to_string()
            .starts_with("第 3 行：文件既不是 UTF-8 也不是 GBK 编码")
            && e.to_string()
                .contains("(line 3: the file is neither UTF-8 nor GBK"),
        "file-level errors display without a column, Chinese then English: {e}"
    );
    assert!(
        e.message.contains("GBK"),
        "message names the encodings tried: {e}"
    );
    let e = decode(b"\xEF\xBB\xBFa\n\xC3(").expect_err("BOM then invalid UTF-8");
    assert_eq!(e.line, 2, "the invalid byte after a BOM is on line 2: {e}");
    let e = decode(b"\xFF\xFEa\x00").expect_err("UTF-16 is refused");
    assert!(e.message.contains("UTF-16"), "message says UTF-16: {e}");
    let errors = parse(b"\xFF\xFF", today()).expect_err("parse reports decoding errors");
    assert_eq!(errors.len(), 1, "one decoding error: {errors:?}");
}

#[test]
fn stray_spaces_are_trimmed_everywhere() {
    let text =
        " 社区 ,网格 ,\u{3000}小区,楼栋,单元,房号,户主姓名,身份证号,联系电话,标签\r\n\
         \u{3000}平桥社区\u{3000}, 平桥第1网格 ,  水花都小区,8栋 ,\t1单元, 401 ,  邵秀英\u{3000},  522701198706182382 , 18517374590 , 独居老人 \r\n";
    let rows = ok(text);
    let r = &rows[0];
    assert_eq!(
        [
            &r.community_name,
            &r.grid_name,
            &r.compound,
            &r.building,
            &r.unit,
            &r.room,
            &r.head_name
        ],
        [
            "平桥社区",
            "平桥第1网格",
            "水花都小区",
            "8栋",
            "1单元",
            "401",
            "邵秀英"
        ],
        "ASCII, tab and full-width spaces are trimmed from every cell"
    );
    assert!(
        r.id_number.is_some() && r.phone.is_some(),
        "padded ID and phone parse: {r:?}"
    );
    assert_eq!(r.tags, vec![Tag::ElderlyAlone], "a padded tag parses");
}

#[test]
fn full_width_digits_and_lower_case_x_are_normalised() {
    let text = format!(
        "{HEADER}\n平桥社区,平桥第１网格,水花都小区,８栋,１单元,４０１Ａ,邵秀英,５２２７０１１９５９０２２２１９８ｘ,１８５１７３７４５９０,\n\
         西城社区,西城第1网格,五贤小区,11栋,4单元,1404,叶娟,11010519491231002x,185-1737-4591,\n"
    );
    let rows = ok(&text);
    assert_eq!(
        rows[0].room, "401A",
        "full-width digits and letters in 房号 become ASCII"
    );
    assert_eq!(
        rows[0].building, "8栋",
        "full-width digits in 楼栋 become ASCII"
    );
    assert_eq!(
        rows[0].unit, "1单元",
        "full-width digits in 单元 become ASCII"
    );
    assert_eq!(
        rows[0].grid_name, "平桥第1网格",
        "full-width digits in 网格 become ASCII"
    );
    assert_eq!(
        rows[0].id_number.as_ref().map(IdNumber::as_str),
        Some("52270119590222198X"),
        "full-width ID with full-width ｘ is normalised"
    );
    assert_eq!(
        rows[0].phone.as_ref().map(Phone::as_str),
        Some("18517374590"),
        "full-width phone digits are normalised"
    );
    assert_eq!(
        rows[1].id_number.as_ref().map(IdNumber::as_str),
        Some("11010519491231002X"),
        "lower-case x check digit is accepted and upper-cased"
    );
    assert_eq!(
        rows[1].phone.as_ref().map(Phone::as_str),
        Some("18517374591"),
        "hyphens removed"
    );
}

#[test]
fn empty_rows_are_skipped_and_line_numbers_kept() {
    let text = format!(
        "{HEADER}\r\n,,,,,,,,,\r\n\r\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,,\r\n , ,\u{3000},,\r\n\
         西城社区,西城第1网格,五贤小区,11栋,4单元,1404,叶娟,,,\r\n,,,,,,,,,\r\n,,,,,,,,,\r\n\r\n\r\n"
    );
    let rows = ok(&text);
    assert_eq!(
        rows.iter()
            .map(|r| (r.line, r.head_name.as_str()))
            .collect::<Vec<_>>(),
        vec![(4, "邵秀英"), (6, "叶娟")],
        "empty rows (blank, only commas, only spaces, trailing) are skipped without error"
    );
    assert!(
        rows[0].id_number.is_none() && rows[0].phone.is_none(),
        "empty ID and phone are None"
    );
    assert_eq!(
        ok(HEADER),
        Vec::new(),
        "a header alone is an empty import, not an error"
    );
    assert_eq!(
        ok(&format!("\r\n,,\r\n{HEADER}\r\n")),
        Vec::new(),
        "blank rows before the header are skipped"
    );
}

#[test]
fn line_ends_lf_crlf_and_lone_cr_all_work() {
    let body = [
        "平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,,",
        "西城社区,西城第1网格,五贤小区,11栋,4单元,1404,叶娟,,,",
    ];
    for end in ["\n", "\r\n", "\r"] {
        let text = format!("{HEADER}{end}{}{end}{}", body[0], body[1]);
        let rows = ok(&text);
        assert_eq!(
            rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![2, 3],
            "line end {end:?}: two rows on lines 2 and 3, the last without a line end"
        );
        assert_eq!(
            rows[1].tags,
            Vec::new(),
            "line end {end:?}: no stray CR in the last cell"
        );
    }
}

#[test]
fn quoted_fields_hold_commas_quotes_and_line_breaks() {
    let text = format!(
        "{HEADER},备注\r\n\"平桥社区\",平桥第1网格,\"水花都小区, 二期\",8栋,1单元,401,\"邵\"\"秀\"\"英\",,,\"独居老人,党员\",\"两行\r\n备注\"\r\n\
         西城社区,西城第1网格,五贤小区,11栋,4单元,1404,叶娟,,,\"\",\r\n"
    );
    let rows = ok(&text);
    assert_eq!(
        rows[0].compound, "水花都小区, 二期",
        "a comma inside quotes stays in the cell"
    );
    assert_eq!(
        rows[0].head_name, "邵\"秀\"英",
        "doubled quotes are one quote"
    );
    assert_eq!(
        rows[0].tags,
        vec![Tag::ElderlyAlone, Tag::PartyMember],
        "quoted tags split on the comma"
    );
    assert_eq!(
        rows[1].line, 4,
        "a line break inside quotes still counts as a file line"
    );
}

#[test]
fn tags_split_on_every_separator_and_repeat_once() {
    let text = format!("{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,,独居老人、党员，重点关注;出租屋；低保、、独居老人\n");
    assert_eq!(
        ok(&text)[0].tags,
        vec![
            Tag::ElderlyAlone,
            Tag::PartyMember,
            Tag::NeedsAttention,
            Tag::RentedHome,
            Tag::LowIncome
        ],
        "、 ， ; ； separate tags; empties and repeats are dropped; 低保 is 低保户"
    );
}

#[test]
fn header_columns_may_come_in_any_order_with_extra_ones() {
    let text = "\u{FEFF}序号,标签,联系电话,身份证号,户主姓名,房号,单元,楼栋,小区,网格,社区,备注\n\
                1,党员,18517374590,522701198706182382,邵秀英,401,1单元,8栋,水花都小区,平桥第1网格,平桥社区,腿脚不便\n";
    let rows = ok(text);
    assert_eq!(
        rows[0].community_name, "平桥社区",
        "columns are found by name, not position"
    );
    assert_eq!(rows[0].room, "401", "room found by name");
    assert_eq!(rows[0].tags, vec![Tag::PartyMember], "tags found by name");
}

#[test]
fn missing_columns_are_each_reported_at_line_1() {
    // 身份证号码 is a name offices use and is accepted; 身份证号(18位) is not
    // one, so it is pointed out as the near miss.
    let errors = errs("社区,网格,小区,楼栋,单元,房号,户主姓名,身份证号(18位),标签\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,\n");
    assert_eq!(
        places(&errors),
        vec![(1, "身份证号"), (1, "联系电话")],
        "one error per missing column, at line 1: {errors:#?}"
    );
    assert!(
        errors[0].message.contains("身份证号(18位)"),
        "a near-miss header name is pointed out: {}",
        errors[0]
    );
    let errors = errs("社区,社区,网格,小区,楼栋,单元,房号,户主姓名,身份证号,联系电话,标签\n");
    assert_eq!(
        places(&errors),
        vec![(1, "社区")],
        "a repeated column is an error: {errors:#?}"
    );
    let errors = errs("社区,网格,小区,楼栋,单元,房号,户主姓名,身份证号,手机,电话,标签\n");
    assert_eq!(
        places(&errors),
        vec![(1, "联系电话")],
        "two names of one column are a repeated column: {errors:#?}"
    );
    assert!(
        errors[0].message.contains("手机") && errors[0].message.contains("电话"),
        "both headers are named: {}",
        errors[0]
    );
    let errors = errs(",,\r\n\r\n");
    assert_eq!(
        places(&errors),
        vec![(1, "")],
        "a file without a header is one error: {errors:#?}"
    );
}

#[test]
fn required_cells_are_named_when_empty() {
    let text = format!("{HEADER}\n ,\u{3000},,,,,,,,党员\n");
    let errors = errs(&text);
    assert_eq!(
        places(&errors),
        vec![
            (2, "社区"),
            (2, "网格"),
            (2, "楼栋"),
            (2, "房号"),
            (2, "户主姓名")
        ],
        "each empty required cell is named; 小区 and 单元 may be empty: {errors:#?}"
    );
    assert!(
        errors[2].message.contains("building"),
        "English names the column too: {}",
        errors[2]
    );
}

#[test]
fn bad_check_digit_reports_the_models_message() {
    let text = format!(
        "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,522701198706182383,,\n"
    );
    let errors = errs(&text);
    assert_eq!(
        places(&errors),
        vec![(2, "身份证号")],
        "one ID error on line 2: {errors:#?}"
    );
    let m = &errors[0].message;
    assert!(
        m.zh.starts_with("校验位错误"),
        "the Chinese half is the model's: {m}"
    );
    assert!(
        m.contains("expected 2, got 3"),
        "the model's English detail is kept: {m}"
    );
    assert!(
        m.contains("请核对身份证号最后一位"),
        "the model's fix is included: {m}"
    );
    assert!(
        !m.en.contains("校验位错误") && m.en.contains("check digit"),
        "the English half holds no Chinese: {m}"
    );
}

#[test]
fn future_birth_dates_and_short_ids_are_errors() {
    let future = gridline_model::id_number::make_id_number(
        "522701",
        NaiveDate::from_ymd_opt(2030, 1, 1).expect("valid date"),
        1,
        true,
    );
    let text = format!(
        "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,{future},,\n\
         平桥社区,平桥第1网格,水花都小区,8栋,1单元,402,王秀英,52270119870618238,,\n"
    );
    let errors = errs(&text);
    assert_eq!(
        places(&errors),
        vec![(2, "身份证号"), (3, "身份证号")],
        "both IDs refused: {errors:#?}"
    );
    assert!(
        errors[0].message.contains("晚于今天"),
        "future birth date named: {}",
        errors[0]
    );
    assert!(
        errors[1].message.contains("17 were given"),
        "length named: {}",
        errors[1]
    );
}

#[test]
fn excel_scientific_id_numbers_get_their_own_advice() {
    let text =
        format!("{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,5.22701E+17,,\n");
    let errors = errs(&text);
    assert_eq!(
        places(&errors),
        vec![(2, "身份证号")],
        "the mangled ID is refused: {errors:#?}"
    );
    assert!(
        errors[0].message.contains("文本"),
        "advice to format the column as text: {}",
        errors[0]
    );
}

#[test]
fn bad_phones_are_errors_with_the_models_message() {
    let text =
        format!("{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,0854-8221234,\n");
    let errors = errs(&text);
    assert_eq!(
        places(&errors),
        vec![(2, "联系电话")],
        "a landline is refused: {errors:#?}"
    );
    assert!(
        errors[0].message.contains("此处只接受手机号码"),
        "the model's mobile-only message: {}",
        errors[0]
    );
}

#[test]
fn unknown_tags_are_errors_listing_the_known_ones() {
    let text = format!(
        "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,,党员、富豪、贫困户\n"
    );
    let errors = errs(&text);
    assert_eq!(
        places(&errors),
        vec![(2, "标签"), (2, "标签")],
        "each unknown tag is an error: {errors:#?}"
    );
    assert!(
        errors[0].message.contains("富豪"),
        "the unknown word is quoted: {}",
        errors[0]
    );
    assert!(
        errors[1].message.contains("贫困户"),
        "the second unknown word is quoted: {}",
        errors[1]
    );
    assert!(
        errors[0].message.contains("独居老人"),
        "the vocabulary is listed: {}",
        errors[0]
    );
}

#[test]
fn duplicate_id_numbers_name_the_earlier_line() {
    let text = format!(
        "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,522701198706182382,,\n\
         平桥社区,平桥第1网格,水花都小区,8栋,1单元,402,邵秀英,522701198706182382,,\n"
    );
    let errors = errs(&text);
    assert_eq!(
        places(&errors),
        vec![(3, "身份证号")],
        "the later line carries the error: {errors:#?}"
    );
    assert!(
        errors[0].message.contains("第 2 行"),
        "names the earlier line: {}",
        errors[0]
    );
    assert!(
        errors[0].message.contains("line 2"),
        "in English too: {}",
        errors[0]
    );
    assert!(
        !errors[0].message.contains("522701198706182382"),
        "the full ID number is not repeated in the message: {}",
        errors[0]
    );
}

#[test]
fn duplicate_addresses_name_the_earlier_line() {
    let text = format!(
        "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,,\n\
         平桥社区,平桥第1网格,水花都小区,8栋,2单元,401,王秀英,,,\n\
         平桥社区,平桥第1网格,水花都小区,８栋, 1单元 ,４０１,李小红,,,\n"
    );
    let errors = errs(&text);
    assert_eq!(
        places(&errors),
        vec![(4, "房号")],
        "a different unit is another address; the same after normalising is a duplicate: {errors:#?}"
    );
    assert!(
        errors[0].message.contains("第 2 行"),
        "names the earlier line: {}",
        errors[0]
    );
}

#[test]
fn extra_cells_beyond_the_header_are_errors() {
    let text = format!(
        "{HEADER},\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵,秀英,,,党员\n\
         西城社区,西城第1网格,五贤小区,11栋,4单元,1404,叶娟,,,党员,,,\n"
    );
    let errors = errs(&text);
    assert_eq!(
        places(&errors),
        vec![(2, "第11列"), (2, "身份证号")],
        "the misaligned row is caught, the extra cell first; empty extra cells are fine: {errors:#?}"
    );
    assert!(
        errors[0].message.contains("党员"),
        "the extra cell is quoted: {}",
        errors[0]
    );
}

#[test]
fn unclosed_quote_is_an_error_at_its_line() {
    let text = format!(
        "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,,\n\
         西城社区,西城第1网格,\"五贤小区,11栋,4单元,1404,叶娟,,,\n,,,\n"
    );
    let errors = errs(&text);
    assert_eq!(
        places(&errors),
        vec![(3, "小区")],
        "the open quote is reported where it opens: {errors:#?}"
    );
}

#[test]
fn all_errors_are_collected_sorted_and_nothing_imported() {
    let errors = parse(WITH_ERRORS, today()).expect_err("the error fixture must be refused");
    assert_eq!(
        places(&errors),
        vec![
            (2, "身份证号"),
            (3, "联系电话"),
            (3, "标签"),
            (4, "网格"),
            (4, "户主姓名"),
            (5, "身份证号"),
            (5, "房号"),
            (6, "身份证号"),
        ],
        "every problem in the GBK error fixture, by line and column: {errors:#?}"
    );
    assert!(
        errors[5].message.contains("第 3 行"),
        "duplicate ID names line 3: {}",
        errors[5]
    );
    assert!(
        errors[6].message.contains("第 2 行"),
        "duplicate address names line 2: {}",
        errors[6]
    );
}

#[test]
fn messy_fixture_imports_cleanly() {
    let rows = parse(MESSY, today()).expect("the messy fixture must import");
    assert_eq!(
        rows.iter()
            .map(|r| (r.line, r.head_name.as_str()))
            .collect::<Vec<_>>(),
        vec![(2, "邵秀英"), (3, "叶娟"), (4, "孙丽"), (7, "尹国庆")],
        "four households at their lines; empty rows skipped"
    );
    assert_eq!(rows[0].room, "401", "full-width room normalised");
    assert_eq!(
        rows[1].tags,
        vec![Tag::PartyMember, Tag::NeedsAttention],
        "quoted comma-joined tags"
    );
    assert_eq!(
        rows[2].tags,
        vec![Tag::LowIncome, Tag::ElderlyAlone],
        "低保；独居老人、 read"
    );
    assert_eq!(
        rows[2].phone.as_ref().map(Phone::as_str),
        Some("15106049698"),
        "+86 and hyphens removed"
    );
    assert_eq!(
        rows[3].tags,
        vec![Tag::LeftBehindChild, Tag::Migrant],
        "a line break inside a quoted cell separates tags"
    );
}

#[test]
fn inline_gbk_messy_file_matches_utf8() {
    let text = format!(
        " {HEADER} \r\n\u{3000}平桥社区\u{3000},平桥第1网格,水花都小区,８栋,1单元,４０１,邵秀英,５２２７０１１９５９０２２２１９８x,,独居老人、低保\r\n,,,,,,,,,\r\n"
    );
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable, "the messy text is representable in GBK");
    assert_eq!(
        decode(&gbk).map(|(_, e)| e),
        Ok(Encoding::Gbk),
        "GBK bytes are detected"
    );
    let from_gbk = parse(&gbk, today()).expect("GBK messy file imports");
    assert_eq!(from_gbk, ok(&text), "GBK and UTF-8 give identical rows");
    assert_eq!(
        from_gbk[0].tags,
        vec![Tag::ElderlyAlone, Tag::LowIncome],
        "GBK tags read"
    );
}

#[test]
fn display_puts_chinese_first_then_english() {
    let e = ImportError {
        line: 5,
        column: "身份证号".to_owned(),
        message: text!("校验位错误", "check digit is wrong"),
    };
    assert_eq!(
        e.to_string(),
        "第 5 行，身份证号：校验位错误 (line 5, column 身份证号: check digit is wrong)",
        "display layout"
    );
    let e = ImportError {
        line: 1,
        column: String::new(),
        message: text!("文件为空", "empty file"),
    };
    assert_eq!(
        e.to_string(),
        "第 1 行：文件为空 (line 1: empty file)",
        "no column for file-level errors"
    );
    let text = format!(
        "{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,522701198706182383,,\n"
    );
    let shown = errs(&text)[0].to_string();
    assert!(
        shown.starts_with("第 2 行，身份证号：校验位错误：应为")
            && shown.contains(
                "；请核对身份证号最后一位 (line 2, column 身份证号: check digit is wrong"
            ),
        "a real error displays Chinese then English: {shown}"
    );
}

#[test]
fn header_synonyms_offices_use_are_accepted() {
    let text = "社区名称,网格,小区,楼号,单元号,门牌号,户主,身份证号码,手机,标签\n\
                平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,522701198706182382,18517374590,党员\n";
    let rows = ok(text);
    assert_eq!(
        (
            rows[0].head_name.as_str(),
            rows[0].building.as_str(),
            rows[0].room.as_str()
        ),
        ("邵秀英", "8栋", "401"),
        "户主, 楼号, 门牌号 read as 户主姓名, 楼栋, 房号"
    );
    assert!(
        rows[0].id_number.is_some() && rows[0].phone.is_some(),
        "身份证号码 and 手机 read as 身份证号 and 联系电话"
    );
    let errors = errs(
        "社区,网格,小区,楼栋,单元,房号,户主*,身份证号,联系电话,标签\n\
         平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,,,,\n",
    );
    assert_eq!(
        places(&errors),
        vec![(2, "户主*")],
        "a starred header is its column, and errors name it as the file does: {errors:#?}"
    );
}

#[test]
fn title_rows_above_the_header_are_skipped() {
    let text = format!(
        "平桥社区住户台账,,,,,,,,,\n填表日期：2025年5月,,,,,,,,,\n\n{HEADER}\n\
         平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,,\n"
    );
    let rows = ok(&text);
    assert_eq!(
        rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        vec![5],
        "the header is on line 4 after a title, a note and a blank line; the row keeps its own line"
    );
}

#[test]
fn birth_dates_are_read_in_the_forms_clerks_type() {
    let header = format!("{HEADER},出生日期");
    let text = format!(
        "{header}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,522701198706182382,,,1987/6/18\n\
         平桥社区,平桥第1网格,水花都小区,8栋,1单元,402,王秀英,,,,1960年３月1日\n\
         平桥社区,平桥第1网格,水花都小区,8栋,1单元,403,李红,,,,\n"
    );
    let rows = ok(&text);
    assert_eq!(
        rows.iter().map(|r| r.birth_date).collect::<Vec<_>>(),
        vec![
            NaiveDate::from_ymd_opt(1987, 6, 18),
            NaiveDate::from_ymd_opt(1960, 3, 1),
            None
        ],
        "slashes, 年月日 with a full-width digit, and an empty cell"
    );
    let text = format!(
        "{header}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,522701198706182382,,,1987-08-16\n\
         平桥社区,平桥第1网格,水花都小区,8栋,1单元,402,王秀英,,,,上个月\n"
    );
    let errors = errs(&text);
    assert_eq!(
        places(&errors),
        vec![(2, "出生日期"), (3, "出生日期")],
        "a date that disagrees with the ID number, and a word that is no date: {errors:#?}"
    );
}

#[test]
fn excel_serials_count_from_1899_12_30() {
    assert_eq!(
        serial_date(31946.0),
        NaiveDate::from_ymd_opt(1987, 6, 18),
        "31946 is 1987-06-18, as Excel shows it"
    );
    assert_eq!(
        serial_date(1.0),
        NaiveDate::from_ymd_opt(1900, 1, 1),
        "serial 1 is the first of January 1900"
    );
    assert_eq!(
        serial_date(61.0),
        NaiveDate::from_ymd_opt(1900, 3, 1),
        "after Excel's phantom 29 February 1900"
    );
    assert_eq!(serial_date(-3.0), None, "no date before the epoch");
}

#[test]
fn a_sheet_named_for_a_csv_file_is_refused() {
    let text = format!("{HEADER}\n平桥社区,平桥第1网格,水花都小区,8栋,1单元,401,邵秀英,,,\n");
    let refused = read(text.as_bytes(), Some("Sheet1"), today()).expect_err("CSV has no sheets");
    assert!(
        refused.errors[0].message.contains("CSV"),
        "says the file is CSV: {}",
        refused.errors[0]
    );
}
