//! MOSIP's sample ID schema as a country would use it: the schema of the shared fixtures
//! (`mosip-packet-sample/id-schema-sample.json`, MOSIP documentation 1.2.0) with a UI spec of
//! ours written for it (`ui-spec.json` beside this file) and our default master data.
//!
//! - It renders: the fields in order, multilingual and required as MOSIP's schema says, the
//!   dependent location dropdowns filled from the master data.
//! - It validates the sample packet's own identity (`components/id/ID.json`), after two changes
//!   this file explains (the sample's names are too long for its own schema; its locations are
//!   names where our dropdowns hold master-data codes), and refuses what MOSIP's own validators
//!   refuse.
//! - The `FormSpec` it produces is committed as `ui/src/test/fixtures/mosip-sample-form.json`,
//!   which the window's component test renders: this test fails when the two differ, so the
//!   UI test cannot drift from the Rust form. After a change, rewrite the file with
//!   `UPDATE_FIXTURES=1 cargo test -p enroll-schemas --test mosip_sample` and commit it.

use std::path::{Path, PathBuf};

use enroll_schemas::station_config::MasterDataEntry;
use enroll_schemas::Direction::{Ltr, Rtl};
use enroll_schemas::{CalendarDate, Condition, FieldKind, Form, FormScope, IdSchema, UiSpec};
use serde_json::{json, Value};

/// Our UI spec for MOSIP's sample schema.
const UI_SPEC: &str = include_str!("ui-spec.json");

/// Where the window's component test reads the form, from the crate's folder.
const FORM_FIXTURE: &str = "../ui/src/test/fixtures/mosip-sample-form.json";

const TODAY: CalendarDate = CalendarDate {
    year: 2026,
    month: 11,
    day: 25,
};

/// The shared fixtures folder. A missing fixture fails the test with a clear message.
fn fixture(relative: &str) -> PathBuf {
    let root = std::env::var_os("ENROLL_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"));
    let path = root.join(relative);
    assert!(
        path.exists(),
        "fixture {} is absent: put ../shared/fixtures beside the repo or set ENROLL_FIXTURES",
        path.display()
    );
    path
}

fn read_fixture(relative: &str) -> String {
    let path = fixture(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn sample_schema() -> IdSchema {
    IdSchema::from_json(&read_fixture("mosip-packet-sample/id-schema-sample.json")).unwrap()
}

/// The sample packet's ID document (`{"identity": {...}, "introducerBiometrics": "null"}`).
fn sample_document() -> Value {
    serde_json::from_str(&read_fixture("mosip-packet-sample/components/id/ID.json")).unwrap()
}

fn form_with(master_data: &enroll_schemas::station_config::MasterData) -> Form {
    Form::new(sample_schema(), UiSpec::from_json(UI_SPEC).unwrap())
        .unwrap()
        .with_master_data(master_data)
}

fn form() -> Form {
    form_with(&enroll_schemas::default_master_data().unwrap())
}

/// The sample's identity as a clerk types it: the typed fields only. Its documents and
/// biometrics are references to other files of the packet (the station writes those), and
/// `IDSchemaVersion` is the number the station adds from the schema.
fn typed_identity(schema: &IdSchema) -> Value {
    let mut identity = sample_document()["identity"].clone();
    identity.as_object_mut().unwrap().retain(|name, _| {
        matches!(
            schema.fields.get(name).map(|field| field.kind),
            Some(FieldKind::Multilingual | FieldKind::String)
        )
    });
    identity
}

/// `code` in every language the sample gives `field` in, as MOSIP 1.2 writes a dropdown's
/// choice (its `gender` is "MLE" in eng and ara).
fn in_its_languages(identity: &Value, field: &str, code: &str) -> Value {
    let languages: Vec<&str> = identity[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["language"].as_str().unwrap())
        .collect();
    Value::Array(
        languages
            .into_iter()
            .map(|language| json!({"language": language, "value": code}))
            .collect(),
    )
}

/// The sample's identity, with the two changes it needs to pass (see
/// `the_sample_identity_validates_once_its_name_fits_and_its_places_are_codes`).
fn valid_identity() -> Value {
    let mut identity = typed_identity(&sample_schema());
    identity["fullName"] = json!([
        {"language": "eng", "value": "Pavlo Tvlcs"},
        {"language": "ara", "value": "پَڤلُ تڤلكس"},
        {"language": "fra", "value": "Pavlo Tvlcs"}
    ]);
    // The sample lives in Rabat-Salé-Kénitra, the province and city of Kenitra, district "Ben
    // Mansour", postal code 10114, written as NAMES in each language. Our dropdowns hold the
    // master data's CODES; our Kénitra has one district, Maâmora, postal code 14020.
    for (field, code) in [
        ("region", "RSK"),
        ("province", "RSK-KENITRA"),
        ("city", "KENITRA"),
        ("zone", "KENITRA-MAAMOURA"),
    ] {
        identity[field] = in_its_languages(&identity, field, code);
    }
    identity["postalCode"] = json!("14020");
    identity
}

/// The problems as (field, language, code), in the order the form reports them.
fn codes(result: Result<(), Vec<enroll_schemas::FieldError>>) -> Vec<(String, Option<String>, String)> {
    result
        .expect_err("expected the form to refuse this identity")
        .into_iter()
        .map(|e| (e.field, e.language, e.code))
        .collect()
}

fn problem(field: &str, language: Option<&str>, code: &str) -> (String, Option<String>, String) {
    (field.to_string(), language.map(str::to_string), code.to_string())
}

#[test]
fn the_sample_schema_renders_as_a_form() {
    let form = form();
    let spec = form.spec();
    let languages: Vec<_> = spec
        .languages
        .iter()
        .map(|l| (l.code.as_str(), l.mandatory, l.direction))
        .collect();
    assert_eq!(languages, [("eng", true, Ltr), ("ara", true, Rtl), ("fra", false, Ltr)]);

    // (id, multilingual, required), as MOSIP's schema says: `simpleType` fields are
    // multilingual, plain strings are not; its `required` list, and the introducer's name,
    // which this form requires whenever it is shown.
    let fields: Vec<_> = spec
        .fields
        .iter()
        .map(|f| (f.id.as_str(), f.multilingual, f.required))
        .collect();
    assert_eq!(
        fields,
        [
            ("fullName", true, true),
            ("dateOfBirth", false, true),
            ("gender", true, true),
            ("residenceStatus", true, false),
            ("addressLine1", true, true),
            ("addressLine2", true, true),
            ("addressLine3", true, true),
            ("region", true, true),
            ("province", true, true),
            ("city", true, true),
            ("zone", true, true),
            ("postalCode", false, true),
            ("phone", false, true),
            ("email", false, true),
            ("referenceIdentityNumber", false, false),
            ("introducerName", true, true),
            ("introducerUIN", false, false),
            ("introducerRID", false, false),
        ]
    );
    for field in &spec.fields {
        assert_eq!(
            field.label.keys().collect::<Vec<_>>(),
            ["ar", "en", "fr"],
            "`{}` is labelled in the three UI languages",
            field.id
        );
    }
    // The introducer vouches for a child under five (MOSIP's "INFANT" age group).
    let infant = Condition::AgeBelow {
        field: "dateOfBirth".into(),
        years: 5,
    };
    for field in spec.fields.iter().filter(|f| f.id.starts_with("introducer")) {
        assert_eq!(field.shown_when.as_ref(), Some(&infant), "{}", field.id);
    }
    assert_eq!(spec.fields.iter().filter(|f| f.shown_when.is_some()).count(), 3);

    let field = |id: &str| spec.fields.iter().find(|f| f.id == id).unwrap();
    assert!(field("dateOfBirth").accepts_age);
    let values = |id: &str| field(id).options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>();
    assert_eq!(values("gender"), ["MLE", "FLE", "OTH"]);
    assert_eq!(values("residenceStatus"), ["NFR", "FR"]);
    assert_eq!(values("region"), ["RSK", "CS"]);
    assert!(field("region").options.iter().all(|o| o.parent.is_none()));
    assert_eq!(field("region").options[0].label["fr"], "Rabat-Salé-Kénitra");

    // The location chain: each level's options name the option of the level above they hang
    // under, and only those of its options exist.
    let chain = ["region", "province", "city", "zone", "postalCode"];
    for pair in chain.windows(2) {
        let (parent, child) = (field(pair[0]), field(pair[1]));
        assert_eq!(child.options_parent.as_deref(), Some(parent.id.as_str()));
        assert!(!child.options.is_empty(), "`{}` has options", child.id);
        for option in &child.options {
            let under = option
                .parent
                .as_deref()
                .unwrap_or_else(|| panic!("{} has no parent", option.value));
            assert!(
                parent.options.iter().any(|o| o.value == under),
                "`{}` option {} hangs under {under}, not an option of `{}`",
                child.id,
                option.value,
                parent.id
            );
        }
    }
    let provinces_of = |region: &str| {
        field("province")
            .options
            .iter()
            .filter(|o| o.parent.as_deref() == Some(region))
            .map(|o| o.value.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(provinces_of("RSK"), ["RSK-RABAT", "RSK-SALE", "RSK-KENITRA"]);
    assert_eq!(provinces_of("CS"), ["CS-CASABLANCA", "CS-SETTAT"]);
    // Every postal code of the master data fits MOSIP's pattern (five letters or digits).
    assert_eq!(field("postalCode").options.len(), 10);
    let schema = sample_schema();
    let patterns = &schema.fields["postalCode"].patterns;
    assert_eq!(patterns.len(), 1);
    for option in &field("postalCode").options {
        assert!(patterns[0].is_match(&option.value).unwrap(), "{}", option.value);
    }
}

/// Every field a clerk can type that the schema defines is on the form, but for the UIN (the
/// register assigns it). Documents and biometrics are captured by their own steps.
#[test]
fn the_form_covers_the_schema_typed_fields() {
    let schema = sample_schema();
    let form = form();
    let typed_off_form: Vec<&str> = schema
        .fields
        .iter()
        .filter(|(_, field)| matches!(field.kind, FieldKind::Multilingual | FieldKind::String))
        .map(|(name, _)| name.as_str())
        .filter(|name| !form.spec().fields.iter().any(|f| f.id == *name))
        .collect();
    assert_eq!(typed_off_form, ["UIN"]);
    assert_eq!(
        form.id_schema_version(),
        None,
        "the sample schema file does not say its version"
    );

    // Leaving a field the schema requires off the form is refused (`Form::new`'s rule).
    let mut ui = UiSpec::from_json(UI_SPEC).unwrap();
    ui.fields.retain(|f| f.id != "addressLine2");
    let error = Form::new(sample_schema(), ui).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`addressLine2` is required by the ID schema"),
        "{error}"
    );
}

/// MOSIP's sample identity against the form: what it breaks as it stands, and that it passes
/// once its full name fits its own schema and its places are master-data codes.
#[test]
fn the_sample_identity_validates_once_its_name_fits_and_its_places_are_codes() {
    let form = form();
    let schema = sample_schema();
    let as_sampled = typed_identity(&schema);
    assert!(as_sampled.get("IDSchemaVersion").is_none() && as_sampled.get("proofOfIdentity").is_none());

    // As it stands: (1) the sample is at fault for its full names, generated at 92 to 96
    // characters where its own schema's `^(?=.{3,50}$).*` allows 50 (this form's max_length
    // says the same, first); (2) it writes location NAMES ("Rabat Sale Kenitra", "Kenitra",
    // "Ben Mansour", 10114) where our dropdowns hold master-data CODES, which no option
    // matches. Everything else passes as MOSIP wrote it, its phone `0000535081` included (ten
    // digits: `^[+]*([0-9]{1})([0-9]{9})$`), and its gender "MLE" in eng and ara only (French
    // is optional).
    let mut expected = vec![
        problem("fullName", Some("eng"), "too_long"),
        problem("fullName", Some("ara"), "too_long"),
        problem("fullName", Some("fra"), "too_long"),
    ];
    for field in ["region", "province", "city", "zone"] {
        for language in ["eng", "ara", "fra"] {
            expected.push(problem(field, Some(language), "not_an_option"));
        }
    }
    expected.push(problem("postalCode", None, "not_an_option"));
    assert_eq!(codes(form.validate(&as_sampled, TODAY)), expected);

    let identity = valid_identity();
    form.validate(&identity, TODAY).unwrap();
    assert_eq!(
        form.applicable_identity(&identity, TODAY, &FormScope::whole_form()),
        identity,
        "an adult: nothing to leave out"
    );

    // What the station would put in the packet, with the sample's documents, biometrics and
    // schema version back, is a valid ID document for MOSIP's own schema too.
    let mut document = sample_document();
    for (name, value) in identity.as_object().unwrap() {
        document["identity"][name] = value.clone();
    }
    assert_eq!(schema.validate_document(&document), Ok(()));
}

/// What MOSIP's own validators refuse, this form refuses, on the field and language concerned.
#[test]
fn mosip_validators_refuse_on_the_field_concerned() {
    let form = form();
    let refused = |change: &dyn Fn(&mut Value)| {
        let mut identity = valid_identity();
        change(&mut identity);
        codes(form.validate(&identity, TODAY))
    };

    // `^(?=.{3,50}$).*`: a name of two characters, in English only.
    assert_eq!(
        refused(&|i| i["fullName"][0]["value"] = json!("Al")),
        [problem("fullName", Some("eng"), "invalid_format")]
    );
    // The same look-ahead on the second address line, in Arabic; an empty one is required.
    assert_eq!(
        refused(&|i| i["addressLine2"][1]["value"] = json!("حي")),
        [problem("addressLine2", Some("ara"), "invalid_format")]
    );
    assert_eq!(
        refused(&|i| i["addressLine2"] = json!([{"language": "fra", "value": "Rue 12"}])),
        [
            problem("addressLine2", Some("eng"), "required"),
            problem("addressLine2", Some("ara"), "required")
        ]
    );
    // The email's pattern wants an @ and a domain with a dot.
    assert_eq!(
        refused(&|i| i["email"] = json!("pavlo.mailinator.com")),
        [problem("email", None, "invalid_format")]
    );
    assert_eq!(
        refused(&|i| i["email"] = json!("pavlo@mailinator")),
        [problem("email", None, "invalid_format")]
    );
    // Ten digits exactly: a Moroccan number written internationally (12 digits) is refused,
    // the national form (10) is not.
    assert_eq!(
        refused(&|i| i["phone"] = json!("+212612345678")),
        [problem("phone", None, "invalid_format")]
    );
    assert_eq!(
        refused(&|i| i["phone"] = json!("06123")),
        [problem("phone", None, "invalid_format")]
    );
    let mut national = valid_identity();
    national["phone"] = json!("0612345678");
    form.validate(&national, TODAY).unwrap();
    // Dates: ours must be real (before MOSIP's pattern is asked); MOSIP's pattern refuses a
    // real date before 1869.
    assert_eq!(
        refused(&|i| i["dateOfBirth"] = json!("1958-01-29")),
        [problem("dateOfBirth", None, "invalid_date")]
    );
    assert_eq!(
        refused(&|i| i["dateOfBirth"] = json!("1868/12/31")),
        [problem("dateOfBirth", None, "invalid_format")]
    );
    // `^([0-9]{10,30})$` on the optional reference number.
    assert_eq!(
        refused(&|i| i["referenceIdentityNumber"] = json!("12345")),
        [problem("referenceIdentityNumber", None, "invalid_format")]
    );
    let mut referenced = valid_identity();
    referenced["referenceIdentityNumber"] = json!("1234567890");
    form.validate(&referenced, TODAY).unwrap();
    // A residence status and a gender are codes of their options.
    assert_eq!(
        refused(&|i| i["residenceStatus"] = json!([{"language": "eng", "value": "Foreigner"}])),
        [problem("residenceStatus", Some("eng"), "not_an_option")]
    );
    // A district of Rabat under Kénitra: each level must hang under the one above.
    assert_eq!(
        refused(&|i| i["zone"] = in_its_languages(i, "zone", "RABAT-AGDAL")),
        [
            problem("zone", Some("eng"), "not_an_option"),
            problem("zone", Some("ara"), "not_an_option"),
            problem("zone", Some("fra"), "not_an_option"),
            problem("postalCode", None, "not_an_option"),
        ]
    );
}

/// The postal code is a dropdown over master data, so "ABC" is first not an option. When the
/// register's master data itself lists codes MOSIP's pattern refuses, the pattern still has the
/// last word: `^[(?i)A-Z0-9]{5}$|^NA$`. Inside a character class `(?i)` is not a flag but four
/// more characters, in Java as in Rust, so lower-case codes are refused (but for `i`): the
/// pattern's author likely meant case-insensitive, and both engines read it the same way.
#[test]
fn the_postal_code_pattern_holds_over_the_master_data() {
    assert_eq!(
        codes(form().validate(&json!({"postalCode": "ABC"}), TODAY))
            .into_iter()
            .filter(|p| p.0 == "postalCode")
            .collect::<Vec<_>>(),
        [problem("postalCode", None, "not_an_option")]
    );

    let mut master_data = enroll_schemas::default_master_data().unwrap();
    for code in ["ABC", "NA", "AB12C", "ab12c", "ii12i"] {
        master_data.locations.push(MasterDataEntry {
            code: code.into(),
            labels: [("eng".to_string(), code.to_string())].into(),
            parent: Some("KENITRA-MAAMOURA".into()),
        });
    }
    let form = form_with(&master_data);
    let with_postal_code = |code: &str| {
        let mut identity = valid_identity();
        identity["postalCode"] = json!(code);
        form.validate(&identity, TODAY)
    };
    assert_eq!(
        codes(with_postal_code("ABC")),
        [problem("postalCode", None, "invalid_format")]
    );
    assert_eq!(
        codes(with_postal_code("ab12c")),
        [problem("postalCode", None, "invalid_format")]
    );
    for accepted in ["NA", "AB12C", "ii12i", "14020"] {
        assert_eq!(with_postal_code(accepted), Ok(()), "{accepted}");
    }
}

/// A child under five needs an introducer's name (in both mandatory languages); an adult's
/// introducer fields are not checked, and not kept.
#[test]
fn an_infant_needs_an_introducer() {
    let form = form();
    let mut infant = valid_identity();
    infant["dateOfBirth"] = json!("2021/11/26"); // four, five tomorrow
    assert_eq!(
        codes(form.validate(&infant, TODAY)),
        [
            problem("introducerName", Some("eng"), "required"),
            problem("introducerName", Some("ara"), "required"),
        ]
    );
    infant["introducerName"] = json!([
        {"language": "eng", "value": "Hassan Tvlcs"}, {"language": "ara", "value": "حسن تڤلكس"}
    ]);
    infant["introducerUIN"] = json!("2345678901");
    form.validate(&infant, TODAY).unwrap();
    assert_eq!(
        form.applicable_identity(&infant, TODAY, &FormScope::whole_form()),
        infant
    );

    let mut five = infant.clone();
    five["dateOfBirth"] = json!("2021/11/25");
    form.validate(&five, TODAY).unwrap();
    let kept = form.applicable_identity(&five, TODAY, &FormScope::whole_form());
    assert!(kept.get("introducerName").is_none() && kept.get("introducerUIN").is_none());
}

/// The committed FormSpec the window's component test renders is this form's, byte for byte.
#[test]
fn the_ui_fixture_is_this_form() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(FORM_FIXTURE);
    let fresh = serde_json::to_string_pretty(form().spec()).unwrap() + "\n";
    if std::env::var_os("UPDATE_FIXTURES").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &fresh).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "reading {}: {e}; write it with UPDATE_FIXTURES=1 cargo test -p enroll-schemas --test mosip_sample",
            path.display()
        )
    });
    assert!(
        committed == fresh,
        "{} is not the form this crate builds now: run UPDATE_FIXTURES=1 cargo test -p enroll-schemas --test mosip_sample and commit it",
        path.display()
    );
}
