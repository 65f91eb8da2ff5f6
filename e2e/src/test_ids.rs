//! Reads the UI's test-id table (`ui/src/lib/testIds.ts`) and writes it as Rust, so the
//! end-to-end test names elements with the very ids the components use and there is no hand
//! copy to drift: an id the test uses that the UI no longer has fails the test's build.
//!
//! `e2e/build.rs` compiles this same file (`#[path]`) to generate `$OUT_DIR/test_ids.rs`; the
//! library compiles it too, only so that the unit tests below run with plain `cargo test`.
//!
//! Deliberately not a TypeScript parser: testIds.ts keeps a fixed, line-based form, and
//! anything else inside the table is an error rather than a guess:
//! - the table: `export const TestId = {`, then one `Name: 'id',` per line (blank lines and
//!   `//` comments allowed), then `} as const;`;
//! - a helper: `export function nameId(a: string, b: string): string {`, then the single line
//!   `` return `text-${a}-more`; ``, then `}`. A helper of another form (optional parameters,
//!   a conditional) is left out: the Rust side writes it by hand, and checks it against the
//!   TS source in its own test.

use std::fmt::Write as _;

/// One `Name: 'id'` entry of the `TestId` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestIdEntry {
    /// The key in testIds.ts, PascalCase: `HomeScreen`.
    pub name: String,
    /// The `data-testid` value: `home-screen`.
    pub id: String,
}

/// A helper that builds an id from its string parameters with one template literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestIdHelper {
    /// The function's name in testIds.ts, camelCase: `rowApproveId`.
    pub name: String,
    /// Its parameters, in order, as named there: `registrationId`.
    pub params: Vec<String>,
    /// The template literal alternating text and parameters, e.g. `row-`, `registrationId`,
    /// `-approve`.
    pub parts: Vec<TemplatePart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplatePart {
    Text(String),
    Param(String),
}

/// What testIds.ts declares: the table, and the helpers of the simple form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestIds {
    pub entries: Vec<TestIdEntry>,
    pub helpers: Vec<TestIdHelper>,
}

const TABLE_START: &str = "export const TestId = {";
const TABLE_END: &str = "} as const;";

/// Reads testIds.ts. The error names the line that is not in the expected form.
pub fn parse(source: &str) -> Result<TestIds, String> {
    let entries = parse_table(source)?;
    let helpers = parse_helpers(source)?;
    Ok(TestIds { entries, helpers })
}

fn parse_table(source: &str) -> Result<Vec<TestIdEntry>, String> {
    let mut lines = source.lines().enumerate().map(|(index, line)| (index + 1, line.trim()));
    if !lines.by_ref().any(|(_, line)| line == TABLE_START) {
        return Err(format!("no line `{TABLE_START}`"));
    }
    let mut entries: Vec<TestIdEntry> = Vec::new();
    for (number, line) in lines {
        if line == TABLE_END {
            if entries.is_empty() {
                return Err("the TestId table is empty".into());
            }
            return Ok(entries);
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        let entry = parse_entry(line).ok_or_else(|| {
            format!("line {number}: `{line}` is not `Name: 'id',` (one entry per line, PascalCase name, id of a-z, 0-9 and -)")
        })?;
        if let Some(earlier) = entries.iter().find(|e| e.name == entry.name || e.id == entry.id) {
            return Err(format!(
                "line {number}: {} '{}' repeats {} '{}'",
                entry.name, entry.id, earlier.name, earlier.id
            ));
        }
        entries.push(entry);
    }
    Err(format!("the TestId table does not end with `{TABLE_END}`"))
}

/// `Name: 'id',`
fn parse_entry(line: &str) -> Option<TestIdEntry> {
    let (name, rest) = line.split_once(':')?;
    let id = rest.trim().strip_prefix('\'')?.strip_suffix("',")?;
    let name_ok = name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric());
    (name_ok && is_id_text(id) && !id.is_empty()).then(|| TestIdEntry {
        name: name.to_string(),
        id: id.to_string(),
    })
}

/// What ids are made of; nothing that needs escaping in Rust strings or CSS selectors.
fn is_id_text(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn parse_helpers(source: &str) -> Result<Vec<TestIdHelper>, String> {
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    let mut helpers = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(signature) = line.strip_prefix("export function ") else {
            continue;
        };
        let number = index + 1;
        let (name, params) = parse_signature(signature)
            .ok_or_else(|| format!("line {number}: `{line}` is not `export function nameId(a: string): string {{`"))?;
        let body = lines.get(index + 1).copied().unwrap_or_default();
        let Some(template) = body.strip_prefix("return `").and_then(|b| b.strip_suffix("`;")) else {
            // Another form (e.g. a conditional): written by hand on the Rust side.
            continue;
        };
        if lines.get(index + 2).copied() != Some("}") {
            continue;
        }
        let Some(params) = params else {
            continue;
        };
        let parts = parse_template(template, &params).map_err(|e| format!("line {}: {e}", number + 1))?;
        helpers.push(TestIdHelper {
            name: name.to_string(),
            params,
            parts,
        });
    }
    Ok(helpers)
}

/// `nameId(a: string, b: string): string {` → the name, and the parameters when all are
/// plain `string`s (None when one is optional or of another type).
fn parse_signature(signature: &str) -> Option<(&str, Option<Vec<String>>)> {
    let (name, rest) = signature.split_once('(')?;
    let (params, rest) = rest.split_once(')')?;
    if rest.trim() != ": string {" || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let plain: Option<Vec<String>> = params
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (param, kind) = p.split_once(':')?;
            let param = param.trim();
            (kind.trim() == "string" && param.chars().all(|c| c.is_ascii_alphanumeric())).then(|| param.to_string())
        })
        .collect();
    Some((name, plain))
}

fn parse_template(template: &str, params: &[String]) -> Result<Vec<TemplatePart>, String> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let text = &rest[..start];
        let end = rest[start..]
            .find('}')
            .ok_or_else(|| format!("`{template}` has an unclosed `${{`"))?
            + start;
        let param = &rest[start + 2..end];
        if !params.iter().any(|p| p == param) {
            return Err(format!("`{template}` uses `{param}`, which is not a parameter"));
        }
        push_text(&mut parts, text, template)?;
        parts.push(TemplatePart::Param(param.to_string()));
        rest = &rest[end + 1..];
    }
    push_text(&mut parts, rest, template)?;
    Ok(parts)
}

fn push_text(parts: &mut Vec<TemplatePart>, text: &str, template: &str) -> Result<(), String> {
    if !is_id_text(text) {
        return Err(format!(
            "`{template}`: only a-z, 0-9 and - may stand between the parameters"
        ));
    }
    if !text.is_empty() {
        parts.push(TemplatePart::Text(text.to_string()));
    }
    Ok(())
}

/// `HomeScreen` → `HOME_SCREEN`, `rowApproveId` → `ROW_APPROVE_ID`.
pub fn screaming_snake(name: &str) -> String {
    snake(name).to_ascii_uppercase()
}

/// `rowApproveId` → `row_approve_id`, `registrationId` → `registration_id`.
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The Rust module's source: a `&str` constant per entry and a function per helper.
pub fn rust_source(ids: &TestIds) -> String {
    let mut out =
        String::from("// Generated by e2e/build.rs from ui/src/lib/testIds.ts: edit that file, not this one.\n\n");
    for entry in &ids.entries {
        let _ = writeln!(out, "/// `TestId.{}` in testIds.ts.", entry.name);
        let _ = writeln!(
            out,
            "pub const {}: &str = {:?};",
            screaming_snake(&entry.name),
            entry.id
        );
    }
    for helper in &ids.helpers {
        let params: Vec<String> = helper.params.iter().map(|p| format!("{}: &str", snake(p))).collect();
        let mut format = String::new();
        for part in &helper.parts {
            match part {
                // Ids hold no braces or quotes (see `is_id_text`): nothing to escape.
                TemplatePart::Text(text) => format.push_str(text),
                TemplatePart::Param(param) => {
                    let _ = write!(format, "{{{}}}", snake(param));
                }
            }
        }
        let _ = writeln!(out, "/// `{}` in testIds.ts.", helper.name);
        let _ = writeln!(
            out,
            "pub fn {}({}) -> String {{\n    format!(\"{format}\")\n}}",
            snake(&helper.name),
            params.join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
// A header comment.
export const TestId = {
  LanguageSelect: 'language-select',

  // A group.
  HomeScreen: 'home-screen',
} as const;

export type TestIdValue = (typeof TestId)[keyof typeof TestId];

/** A conditional: left to the hand-written Rust helper. */
export function fieldInputId(fieldId: string, language?: string): string {
  return language ? `field-${fieldId}-${language}` : `field-${fieldId}`;
}

export function rowApproveId(registrationId: string): string {
  return `row-${registrationId}-approve`;
}
export function listMoreId(listTestId: string): string {
  return `${listTestId}-more`;
}
";

    #[test]
    fn reads_the_table_and_the_simple_helpers() {
        let ids = parse(SAMPLE).unwrap();
        assert_eq!(
            ids.entries,
            vec![
                TestIdEntry {
                    name: "LanguageSelect".into(),
                    id: "language-select".into()
                },
                TestIdEntry {
                    name: "HomeScreen".into(),
                    id: "home-screen".into()
                },
            ]
        );
        let names: Vec<&str> = ids.helpers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["rowApproveId", "listMoreId"]);
        assert_eq!(
            ids.helpers[0].parts,
            vec![
                TemplatePart::Text("row-".into()),
                TemplatePart::Param("registrationId".into()),
                TemplatePart::Text("-approve".into()),
            ]
        );
    }

    #[test]
    fn writes_constants_and_functions() {
        let source = rust_source(&parse(SAMPLE).unwrap());
        assert!(
            source.contains("pub const LANGUAGE_SELECT: &str = \"language-select\";"),
            "{source}"
        );
        assert!(
            source.contains("pub const HOME_SCREEN: &str = \"home-screen\";"),
            "{source}"
        );
        assert!(
            source.contains("pub fn row_approve_id(registration_id: &str) -> String {\n    format!(\"row-{registration_id}-approve\")\n}"),
            "{source}"
        );
        assert!(source.contains("format!(\"{list_test_id}-more\")"), "{source}");
    }

    #[test]
    fn names_convert_as_the_rust_side_spells_them() {
        assert_eq!(screaming_snake("LogOutButton"), "LOG_OUT_BUTTON");
        assert_eq!(screaming_snake("SetupCenterId"), "SETUP_CENTER_ID");
        assert_eq!(snake("rowRejectReasonId"), "row_reject_reason_id");
        assert_eq!(snake("operatorRemoveConfirmId"), "operator_remove_confirm_id");
    }

    #[test]
    fn refuses_what_it_does_not_understand_instead_of_guessing() {
        for (table, why) in [
            ("HomeScreen: \"home-screen\",", "double quotes"),
            ("HomeScreen: 'home-screen', Banner: 'banner',", "two entries on a line"),
            ("HomeScreen: 'Home Screen',", "an id that needs escaping"),
            ("HomeScreen:\n 'home-screen',", "an entry over two lines"),
            ("HomeScreen: 'home-screen',\nBanner: 'home-screen',", "a repeated id"),
            ("...OtherIds,", "a spread"),
        ] {
            let source = format!("export const TestId = {{\n{table}\n}} as const;\n");
            assert!(parse(&source).is_err(), "accepted {why}: {source}");
        }
        assert!(
            parse("export const TestId = {\n  Banner: 'banner',\n").is_err(),
            "accepted a table without its end"
        );
        assert!(parse("const Ids = {};").is_err(), "accepted a file without the table");
        let bad_helper = "export const TestId = {\n  Banner: 'banner',\n} as const;\n\
            export function rowId(registrationId: string): string {\n  return `row-${id}`;\n}\n";
        assert!(parse(bad_helper).is_err(), "accepted a template naming no parameter");
    }

    /// The real file, as the build script reads it: in the form above, with the ids and helpers
    /// the end-to-end test relies on. (A missing one would also fail the test's build.)
    #[test]
    fn the_ui_table_is_in_the_expected_form() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/testIds.ts");
        let source = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
        let ids = parse(&source).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(ids.entries.len() > 50, "only {} ids in {path}", ids.entries.len());
        assert!(ids.entries.contains(&TestIdEntry {
            name: "Banner".into(),
            id: "banner".into()
        }));
        for helper in [
            "rowStateId",
            "rowApproveId",
            "rowRejectReasonId",
            "operatorRowId",
            "operatorRemoveConfirmId",
            "listMoreId",
        ] {
            assert!(
                ids.helpers.iter().any(|h| h.name == helper),
                "{helper} is not read from {path}"
            );
        }
    }
}
