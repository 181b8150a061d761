//! Reading the project's documents as a reader sees them, for the tests that
//! check a document states what the code does. Shared by path
//! (`#[path = "…/docs_text/mod.rs"] mod docs_text;`) between the sync and the
//! hub tests: neither crate's tests may depend on the other's.

#![allow(dead_code)] // each test crate uses its own part of it

/// A file of the repository, by its path from the root.
pub fn read(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The text under `heading` (a whole line, e.g. `### Budgets`) up to the
/// next heading of the same or a higher level.
pub fn section(doc: &str, heading: &str) -> String {
    let level = heading.chars().take_while(|c| *c == '#').count();
    let start = doc
        .lines()
        .position(|l| l == heading)
        .unwrap_or_else(|| panic!("the document has no line {heading:?}"));
    doc.lines()
        .skip(start + 1)
        .take_while(|l| {
            let hashes = l.chars().take_while(|c| *c == '#').count();
            !(hashes > 0 && hashes <= level && l[hashes..].starts_with(' '))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Text as a reader sees it: no code marks or emphasis, one space between
/// words (lines wrap anywhere), lower case.
pub fn prose(text: &str) -> String {
    text.replace(['`', '*'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[test]
fn a_section_ends_at_the_next_heading_of_its_level_or_higher() {
    let doc = "# A\n## B\nb1\n### C\nc1\n## D\nd1\n";
    assert_eq!(section(doc, "## B"), "b1\n### C\nc1");
    assert_eq!(section(doc, "### C"), "c1");
    assert_eq!(
        prose("Some `code` and **Bold**\n  words"),
        "some code and bold words"
    );
}
