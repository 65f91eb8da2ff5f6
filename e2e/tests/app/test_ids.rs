//! The `data-testid`s the test touches, taken from the UI's `ui/src/lib/testIds.ts` by
//! `build.rs`: `TestId.HomeScreen` is [`HOME_SCREEN`] here, `rowApproveId` is
//! [`row_approve_id`]. An id the test uses that testIds.ts does not declare fails this crate's
//! build, naming the constant or function.
//!
//! Only the helpers the build cannot read (an optional parameter) are written out below, and
//! [`hand_written_helpers_match_the_ui`] checks them against the TS source.

include!(concat!(env!("OUT_DIR"), "/test_ids.rs"));

/// `field-<id>-<language>` or `field-<id>`, as `fieldInputId` in `testIds.ts`.
pub fn field_input(field: &str, language: Option<&str>) -> String {
    match language {
        Some(language) => format!("field-{field}-{language}"),
        None => format!("field-{field}"),
    }
}

/// As `fieldErrorId` in `testIds.ts`: the input's id and `-error`.
pub fn field_error(field: &str, language: Option<&str>) -> String {
    format!("{}-error", field_input(field, language))
}

#[test]
fn hand_written_helpers_match_the_ui() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/testIds.ts");
    let source = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    for line in [
        "export function fieldInputId(fieldId: string, language?: string): string {",
        "return language ? `field-${fieldId}-${language}` : `field-${fieldId}`;",
        "export function fieldErrorId(fieldId: string, language?: string): string {",
        "return `${fieldInputId(fieldId, language)}-error`;",
    ] {
        assert!(
            source.lines().any(|l| l.trim() == line),
            "testIds.ts no longer has `{line}`: update field_input / field_error here"
        );
    }
    assert_eq!(field_input("fullName", Some("ara")), "field-fullName-ara");
    assert_eq!(field_error("phone", None), "field-phone-error");
}
