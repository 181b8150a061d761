//! The record schemas in `docs/sync-protocol.md` are generated from the code
//! (`gridline_records::schema`): a change to a record's layout, a limit or a
//! vocabulary shows up as a diff of that document to review and commit.
//! `GRIDLINE_WRITE_DOCS=1` rewrites the generated part.

use gridline_records::schema::{schema_markdown, BEGIN, END};

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/sync-protocol.md");

#[test]
fn docs_record_schemas_are_current() {
    let have = std::fs::read_to_string(DOC).expect("docs/sync-protocol.md is there");
    let (before, rest) = have
        .split_once(BEGIN)
        .unwrap_or_else(|| panic!("docs/sync-protocol.md has no line {BEGIN}"));
    let (_, after) = rest
        .split_once(END)
        .unwrap_or_else(|| panic!("docs/sync-protocol.md has no line {END} after {BEGIN}"));
    let want = format!(
        "{before}{BEGIN}\n{}\n{END}{after}",
        schema_markdown().trim_end()
    );
    if have == want {
        return;
    }
    if std::env::var_os("GRIDLINE_WRITE_DOCS").is_some() {
        std::fs::write(DOC, &want).expect("write docs/sync-protocol.md");
        return;
    }
    let line = have
        .lines()
        .zip(want.lines())
        .position(|(a, b)| a != b)
        .map_or(have.lines().count().min(want.lines().count()), |n| n)
        + 1;
    panic!(
        "the record schemas in docs/sync-protocol.md differ from the code from line {line} on; \
         rewrite them with `GRIDLINE_WRITE_DOCS=1 cargo test -p gridline-records \
         docs_record_schemas_are_current`, then review the diff"
    );
}

#[test]
fn the_schema_is_read_from_the_documents() {
    let md = schema_markdown();
    for row in [
        // Required by the reader, optional, and required only by validation.
        "| `building` | string | yes |",
        "| `compound` | string | no |",
        "| `notes` | Text | no |",
        "| `description` | Text | yes |",
        "| `tags` | map <tag> → `true` | no |",
        "| `v` | int | no |",
        "| `events[].unit` | string | no |",
        "| `events[].step` | string | yes |",
    ] {
        assert!(md.contains(row), "the schema has the row {row:?}:\n{md}");
    }
    assert!(
        md.contains("| `merge` | 合并 | `into` (string, required) |"),
        "a step's own keys are listed with whether the reader needs them"
    );
    assert!(
        md.contains(
            "| `community-staff` | 社区工作人员 | `community:522701001001` | `\"522701001001\"`"
        ),
        "the unit each role writes comes from Scope::unit"
    );
}
