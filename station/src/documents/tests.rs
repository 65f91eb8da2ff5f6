//! The documents of a registration: the choices offered, every refusal and its code, replace
//! and remove, who may, finalize's rule and what the packet holds.

use base64::Engine as _;
use enroll_schemas::{DocumentFileFormat, FormDocumentCategory, FormDocuments};

use super::*;
use crate::test_support::{complete_draft, jpeg_page, page_of, TestStation, ADMIN, OFFICER, SUPERVISOR};

fn field_codes(error: StationError) -> Vec<(String, String)> {
    let StationError::ValidationFailed(fields) = error else {
        panic!("not a validation failure: {error:?}")
    };
    fields.into_iter().map(|f| (f.field, f.code)).collect()
}

fn input(category: &str, document_type: &str, pages: Vec<DocumentPage>) -> DocumentInput {
    DocumentInput {
        category: category.into(),
        document_type: document_type.into(),
        reference_number: None,
        pages,
    }
}

fn png_bytes(width: u32, height: u32) -> Vec<u8> {
    let pixels = image::RgbaImage::from_fn(width, height, |x, y| image::Rgba([x as u8, y as u8, 200, 255]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba8(pixels)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

fn jpeg_bytes(width: u32, height: u32) -> Vec<u8> {
    let page = jpeg_page(width, height);
    base64::engine::general_purpose::STANDARD
        .decode(page.data_base64)
        .unwrap()
}

/// A small PDF of two pages as other tools write one (the station only checks its outline).
fn two_page_pdf() -> Vec<u8> {
    let mut pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n".to_vec();
    pdf.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>\nendobj\n");
    pdf.extend_from_slice(b"3 0 obj\n<< /Type /Page /Parent 2 0 R >>\nendobj\n");
    pdf.extend_from_slice(b"4 0 obj\n<</Type/Page/Parent 2 0 R>>\nendobj\n");
    pdf.extend_from_slice(&[b' '; 1200]);
    pdf.extend_from_slice(b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    pdf
}

/// A draft by the officer with its identity and face, no document yet.
fn draft_without_documents(test: &TestStation) -> String {
    let rid = complete_draft(&test.station);
    test.station.remove_document(&rid, "POI").unwrap();
    assert!(test.station.registration(&rid).unwrap().documents.is_empty());
    rid
}

#[test]
fn the_choices_are_the_forms_categories_with_their_master_data_types_and_the_limits() {
    let test = TestStation::new();
    assert_eq!(test.station.document_choices().unwrap_err().code(), "not_signed_in");
    test.as_user(OFFICER);
    let choices = test.station.document_choices().unwrap();
    assert_eq!(choices.max_file_bytes, 5 * 1024 * 1024);
    assert_eq!(choices.max_pages, 10);
    assert_eq!(
        choices.formats,
        [
            DocumentFileFormat::Pdf,
            DocumentFileFormat::Jpeg,
            DocumentFileFormat::Png
        ]
    );
    let categories: Vec<_> = choices
        .categories
        .iter()
        .map(|c| (c.category.as_str(), c.required))
        .collect();
    assert_eq!(categories, [("POI", true), ("POA", false), ("POR", false)]);
    let poi = &choices.categories[0];
    assert_eq!(poi.label["fr"], "Justificatif d’identité");
    let types: Vec<_> = poi.document_types.iter().map(|t| t.code.as_str()).collect();
    assert_eq!(types, ["CIN", "PASSPORT", "BIRTH_EXTRACT", "RESIDENCE_CARD"]);
    assert_eq!(
        poi.document_types[0].labels["ara"],
        "البطاقة الوطنية للتعريف الإلكترونية"
    );
    let poa: Vec<_> = choices.categories[1]
        .document_types
        .iter()
        .map(|t| t.code.as_str())
        .collect();
    assert!(poa.contains(&"UTILITY_BILL") && !poa.contains(&"CIN"), "{poa:?}");
}

#[test]
fn every_refused_document_says_why_and_changes_nothing() {
    let test = TestStation::new();
    test.as_user(OFFICER);
    let rid = draft_without_documents(&test);
    let big = {
        let mut bytes = b"\xff\xd8\xff".to_vec();
        bytes.resize(5 * 1024 * 1024 + 1, 0);
        bytes
    };
    // A JPEG whose frame claims 60000 × 60000 pixels: refused before anything is allocated.
    let bomb = {
        let mut bytes = jpeg_bytes(16, 16);
        let frame = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        bytes[frame + 5..frame + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
        bytes
    };
    let mut truncated_png = png_bytes(50, 50);
    truncated_png.truncate(60);
    let mut cut_pdf = two_page_pdf();
    cut_pdf.truncate(cut_pdf.len() - 8);
    let cases = [
        (input("BIRTH", "CIN", vec![jpeg_page(8, 8)]), "unknown_category"),
        (input("POI", "UTILITY_BILL", vec![jpeg_page(8, 8)]), "unknown_type"),
        (input("POI", "NOPE", vec![jpeg_page(8, 8)]), "unknown_type"),
        (
            DocumentInput {
                reference_number: Some("A".repeat(65)),
                ..input("POI", "CIN", vec![jpeg_page(8, 8)])
            },
            "invalid_reference",
        ),
        (input("POI", "CIN", vec![]), "empty"),
        (input("POI", "CIN", vec![page_of("empty.jpg", b"")]), "empty"),
        (input("POI", "CIN", vec![jpeg_page(8, 8); 11]), "too_many_pages"),
        (input("POI", "CIN", vec![page_of("big.jpg", &big)]), "too_large"),
        (
            input("POI", "CIN", vec![page_of("scan.gif", b"GIF89a\x01\x00\x01\x00")]),
            "unsupported_format",
        ),
        (
            input("POI", "CIN", vec![page_of("a.txt", b"just some text")]),
            "unsupported_format",
        ),
        (
            input("POI", "CIN", vec![page_of("a.pdf", &two_page_pdf()), jpeg_page(8, 8)]),
            "mixed_pdf_and_images",
        ),
        (
            input(
                "POI",
                "CIN",
                vec![page_of("a.pdf", &two_page_pdf()), page_of("b.pdf", &two_page_pdf())],
            ),
            "mixed_pdf_and_images",
        ),
        (input("POI", "CIN", vec![page_of("bomb.jpg", &bomb)]), "not_decodable"),
        (
            input("POI", "CIN", vec![page_of("cut.png", &truncated_png)]),
            "not_decodable",
        ),
        (input("POI", "CIN", vec![page_of("cut.pdf", &cut_pdf)]), "not_decodable"),
        (
            input(
                "POI",
                "CIN",
                vec![DocumentPage {
                    file_name: "x.jpg".into(),
                    data_base64: "not base64!".into(),
                }],
            ),
            "not_decodable",
        ),
    ];
    for (input, code) in cases {
        let category = input.category.clone();
        let error = test.station.attach_document(&rid, input).unwrap_err();
        assert_eq!(
            field_codes(error),
            [(format!("documents.{category}"), code.to_string())],
            "expected {code}"
        );
    }
    assert!(test.station.registration(&rid).unwrap().documents.is_empty());
    let attached = test
        .station
        .vault()
        .audit_events_of(&rid)
        .unwrap()
        .iter()
        .filter(|e| e.action == "document_attached")
        .count();
    assert_eq!(
        attached, 1,
        "only the one `complete_draft` attached and this test removed"
    );
}

#[test]
fn the_format_is_told_by_the_bytes_and_must_be_one_the_form_accepts() {
    let rules = FormDocuments {
        max_file_bytes: 1024 * 1024,
        max_pages: 3,
        formats: vec![DocumentFileFormat::Jpeg],
        categories: vec![FormDocumentCategory {
            category: "POI".into(),
            label: [("en".to_string(), "Proof".to_string())].into(),
            required: true,
        }],
    };
    let master_data = enroll_schemas::default_master_data().unwrap();
    let check = |pages| check_input(Some(&rules), &master_data, &input("POI", "CIN", pages));
    // A JPEG named .png is a JPEG; a PNG named .jpg is a PNG, which this form does not take.
    let checked = check(vec![page_of("photo.png", &jpeg_bytes(8, 8))]).unwrap();
    assert_eq!(checked.files[0].0, DocumentFileFormat::Jpeg);
    assert_eq!(
        field_codes(check(vec![page_of("photo.jpg", &png_bytes(8, 8))]).unwrap_err()),
        [("documents.POI".to_string(), "unsupported_format".to_string())]
    );
    assert_eq!(
        field_codes(check(vec![page_of("a.jpg", &jpeg_bytes(8, 8)); 4]).unwrap_err()),
        [("documents.POI".to_string(), "too_many_pages".to_string())]
    );
    // No documents section: the form asks for none.
    assert_eq!(
        field_codes(check_input(None, &master_data, &input("POI", "CIN", vec![jpeg_page(8, 8)])).unwrap_err()),
        [("documents.POI".to_string(), "unknown_category".to_string())]
    );
}

#[test]
fn attaching_again_replaces_the_category_and_removing_takes_it_away_both_audited() {
    let test = TestStation::new();
    test.as_user(OFFICER);
    let rid = draft_without_documents(&test);
    let view = test
        .station
        .attach_document(
            &rid,
            DocumentInput {
                reference_number: Some("  AB123  ".into()),
                ..input(
                    "POI",
                    "CIN",
                    vec![jpeg_page(30, 20), page_of("p2.png", &png_bytes(20, 30))],
                )
            },
        )
        .unwrap();
    assert_eq!(
        view.documents,
        [DocumentView {
            category: "POI".into(),
            document_type: "CIN".into(),
            reference_number: Some("AB123".into()),
            format: DocumentFileFormat::Pdf,
            pages: Some(2),
            bytes: view.documents[0].bytes,
        }]
    );
    assert!(view.documents[0].bytes > 100);

    test.station
        .attach_document(&rid, input("POA", "LEASE", vec![page_of("lease.pdf", &two_page_pdf())]))
        .unwrap();
    let replaced = test
        .station
        .attach_document(&rid, input("POI", "PASSPORT", vec![jpeg_page(10, 10)]))
        .unwrap();
    let listed: Vec<_> = replaced
        .documents
        .iter()
        .map(|d| (d.category.as_str(), d.document_type.as_str(), d.format, d.pages))
        .collect();
    assert_eq!(
        listed,
        [
            ("POA", "LEASE", DocumentFileFormat::Pdf, Some(2)),
            ("POI", "PASSPORT", DocumentFileFormat::Jpeg, Some(1))
        ]
    );

    let removed = test.station.remove_document(&rid, "POA").unwrap();
    assert_eq!(removed.documents.len(), 1);
    // Removing what is not there changes nothing and is not audited.
    test.station.remove_document(&rid, "POA").unwrap();

    let events = test.station.vault().audit_events_of(&rid).unwrap();
    let documents: Vec<_> = events
        .iter()
        .filter(|e| e.action.starts_with("document_"))
        .map(|e| (e.action.as_str(), e.details.as_str()))
        .collect();
    assert_eq!(
        documents,
        [
            ("document_attached", "POI CIN"),
            ("document_removed", "POI CIN"),
            ("document_attached", "POI CIN"),
            ("document_attached", "POA LEASE"),
            ("document_attached", "POI PASSPORT"),
            ("document_removed", "POA LEASE"),
        ],
        "category and type only: no number, no content"
    );

    // Kept in the vault: the station opened again reads the draft's documents back.
    let test = test.reopen();
    test.as_user(OFFICER);
    assert_eq!(test.station.registration(&rid).unwrap().documents, removed.documents);
}

#[test]
fn only_the_drafts_editors_attach_and_remove_and_only_while_it_is_a_draft() {
    let test = TestStation::new();
    test.as_user(SUPERVISOR);
    let theirs = complete_draft(&test.station);
    test.as_user(OFFICER);
    for error in [
        test.station
            .attach_document(&theirs, input("POA", "LEASE", vec![jpeg_page(8, 8)]))
            .unwrap_err(),
        test.station.remove_document(&theirs, "POI").unwrap_err(),
    ] {
        assert_eq!(error.code(), "not_permitted");
    }
    let own = complete_draft(&test.station);
    for editor in [SUPERVISOR, ADMIN] {
        test.as_user(editor);
        test.station
            .attach_document(&own, input("POA", "LEASE", vec![jpeg_page(8, 8)]))
            .unwrap();
    }
    test.as_user(OFFICER);
    test.station.record_consent(&own, true).unwrap();
    test.station.finalize(&own).unwrap();
    assert_eq!(
        test.station
            .attach_document(&own, input("POA", "LEASE", vec![jpeg_page(8, 8)]))
            .unwrap_err()
            .code(),
        "invalid_state"
    );
    assert_eq!(
        test.station.remove_document(&own, "POI").unwrap_err().code(),
        "invalid_state"
    );
}

#[test]
fn finalize_refuses_a_draft_without_its_required_documents() {
    let test = TestStation::new();
    test.as_user(OFFICER);
    let rid = draft_without_documents(&test);
    test.station.record_consent(&rid, true).unwrap();
    test.station
        .attach_document(&rid, input("POA", "UTILITY_BILL", vec![jpeg_page(8, 8)]))
        .unwrap();
    assert_eq!(
        field_codes(test.station.finalize(&rid).unwrap_err()),
        [("documents.POI".to_string(), "required".to_string())]
    );
    assert_eq!(test.station.registration(&rid).unwrap().state, "draft");
}

#[test]
fn finalize_puts_each_document_into_the_packet_and_several_images_become_one_pdf() {
    let test = TestStation::new();
    test.as_user(OFFICER);
    let rid = draft_without_documents(&test);
    test.station.record_consent(&rid, true).unwrap();
    let (first, second, third) = (jpeg_bytes(120, 80), png_bytes(60, 90), jpeg_bytes(80, 120));
    let poa = png_bytes(40, 40);
    let por = two_page_pdf();
    for input in [
        // Attached out of the form's order: the packet follows the form's.
        input("POR", "FAMILY_BOOK", vec![page_of("book.pdf", &por)]),
        input("POA", "UTILITY_BILL", vec![page_of("bill.png", &poa)]),
        DocumentInput {
            reference_number: Some("AB123456".into()),
            ..input(
                "POI",
                "CIN",
                vec![
                    page_of("front.jpg", &first),
                    page_of("back.png", &second),
                    page_of("third.jpg", &third),
                ],
            )
        },
    ] {
        test.station.attach_document(&rid, input).unwrap();
    }
    let pending = test.station.finalize(&rid).unwrap();
    assert_eq!(pending.state, "pending_approval");

    let (_, data_key) = test.station.signed_in().unwrap();
    let container = crate::content::read_pending(&test.station.vault(), &rid, &data_key).unwrap();
    let (contents, manifest) = enroll_packet::PacketContents::from_bytes(&container).unwrap();
    let names: Vec<_> = manifest
        .entries
        .iter()
        .map(|e| e.name.as_str())
        .filter(|n| n.starts_with("documents/"))
        .collect();
    assert_eq!(
        names,
        ["documents/POI-1.pdf", "documents/POA-1.png", "documents/POR-1.pdf"]
    );
    let [poi_doc, poa_doc, por_doc] = &contents.documents[..] else {
        panic!("three documents: {:?}", contents.documents.len())
    };
    assert_eq!(poi_doc.document_type, "CIN");
    assert_eq!(poi_doc.reference_number.as_deref(), Some("AB123456"));
    assert_eq!(poa_doc.data, poa, "a single image goes in as it came");
    assert_eq!(por_doc.data, por, "a PDF goes in as it came");
    // The scanned pages: one PDF, a page each, the JPEGs embedded byte for byte.
    let pdf = &poi_doc.data;
    assert!(pdf.starts_with(b"%PDF-1.4") && pdf_outline_is_plausible(pdf));
    assert_eq!(count_pdf_pages(pdf), Some(3));
    let contains = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
    assert!(contains(&first) && contains(&third));
    assert!(String::from_utf8_lossy(pdf).contains("/Width 60 /Height 90"));

    let listed: Vec<_> = pending
        .documents
        .iter()
        .map(|d| (d.category.as_str(), d.format, d.pages))
        .collect();
    assert_eq!(
        listed,
        [
            ("POI", DocumentFileFormat::Pdf, Some(3)),
            ("POA", DocumentFileFormat::Png, Some(1)),
            ("POR", DocumentFileFormat::Pdf, Some(2))
        ]
    );
    // A supervisor reviewing reads the same list and sees the single image.
    test.as_user(SUPERVISOR);
    assert_eq!(test.station.registration(&rid).unwrap().documents, pending.documents);
    let bill = test.station.document_page_preview(&rid, "POA", 0).unwrap();
    assert!(bill.preview_data_url.unwrap().starts_with("data:image/jpeg;base64,"));
    let scans = test.station.document_page_preview(&rid, "POI", 0).unwrap();
    assert_eq!((scans.preview_data_url, scans.page_count), (None, Some(3)));
}

#[test]
fn a_page_preview_is_a_scaled_down_jpeg_and_a_pdf_says_its_pages() {
    let test = TestStation::new();
    test.as_user(OFFICER);
    let rid = draft_without_documents(&test);
    test.station
        .attach_document(
            &rid,
            input(
                "POI",
                "CIN",
                vec![jpeg_page(16, 16), page_of("wide.png", &png_bytes(2400, 600))],
            ),
        )
        .unwrap();
    let preview = test.station.document_page_preview(&rid, "POI", 1).unwrap();
    assert_eq!(
        (preview.page, preview.page_count, preview.format),
        (1, Some(2), DocumentFileFormat::Png)
    );
    let url = preview.preview_data_url.unwrap();
    let jpeg = base64::engine::general_purpose::STANDARD
        .decode(url.strip_prefix("data:image/jpeg;base64,").unwrap())
        .unwrap();
    let shown = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg).unwrap();
    assert_eq!((shown.width(), shown.height()), (1200, 300));
    let small = test.station.document_page_preview(&rid, "POI", 0).unwrap();
    assert!(small.preview_data_url.is_some(), "a small page is shown as it is");
    assert_eq!(
        test.station.document_page_preview(&rid, "POI", 2).unwrap_err().code(),
        "not_found"
    );
    assert_eq!(
        test.station.document_page_preview(&rid, "POA", 0).unwrap_err().code(),
        "not_found"
    );

    test.station
        .attach_document(&rid, input("POA", "LEASE", vec![page_of("lease.pdf", &two_page_pdf())]))
        .unwrap();
    let pdf = test.station.document_page_preview(&rid, "POA", 0).unwrap();
    assert_eq!(pdf.preview_data_url, None);
    assert_eq!((pdf.format, pdf.page_count), (DocumentFileFormat::Pdf, Some(2)));
    assert_eq!(pdf.bytes, two_page_pdf().len() as u64);
}

#[test]
fn a_draft_saved_before_documents_still_loads_and_documents_read_back() {
    let old = serde_json::json!({
        "identity": {"fullName": [{"language": "eng", "value": "Amina"}]},
        "biometrics": {"attempts": {"leftSlap": 1}},
    });
    let draft = Draft::from_bytes(&serde_json::to_vec(&old).unwrap()).unwrap();
    assert!(draft.documents.is_empty());
    let written: serde_json::Value = serde_json::from_slice(&draft.to_bytes()).unwrap();
    assert!(written.get("documents").is_none(), "nothing written for no documents");

    let mut with = draft.clone();
    with.documents.push(DraftDocument {
        category: "POI".into(),
        document_type: "CIN".into(),
        reference_number: None,
        pages: vec![DraftPage {
            format: DocumentFileFormat::Jpeg,
            data: "AAAA".into(),
            bytes: 3,
        }],
        pdf_pages: None,
        attached_by: OFFICER.into(),
        attached_at: "2026-11-25T09:00:00Z".into(),
    });
    assert_eq!(Draft::from_bytes(&with.to_bytes()).unwrap().documents, with.documents);
}

#[test]
fn pdf_pages_are_counted_from_page_objects_and_the_outline_must_be_whole() {
    assert_eq!(count_pdf_pages(&two_page_pdf()), Some(2));
    assert_eq!(count_pdf_pages(b"%PDF-1.5 /Type /Pages /Type/Catalog %%EOF"), None);
    assert_eq!(count_pdf_pages(b"/Type /Page"), Some(1), "at the very end");
    assert!(pdf_outline_is_plausible(&two_page_pdf()));
    assert!(!pdf_outline_is_plausible(b"%PDF-1.4 no end"));
    assert!(!pdf_outline_is_plausible(b"%%EOF"));
}

#[test]
fn the_station_offers_the_default_master_data_until_the_register_sends_lists() {
    let test = TestStation::new();
    test.as_user(SUPERVISOR);
    assert!(test.station.master_data().is_none());
    let reasons = test.station.rejection_reasons().unwrap();
    assert!(reasons
        .iter()
        .any(|r| r.code == "BLURRED_PHOTO" && r.labels["fra"].contains("floue")));

    let register = enroll_schemas::station_config::MasterData::from_value(&serde_json::json!({
        "rejection_reasons": [{"code": "blurred", "labels": {"eng": "Blurred photo"}}]
    }))
    .unwrap();
    let in_force = crate::register_config::master_data_in_force(Some(&register)).unwrap();
    assert_eq!(
        in_force.rejection_reasons, register.rejection_reasons,
        "the register's list"
    );
    assert_eq!(
        in_force.document_types,
        enroll_schemas::default_master_data().unwrap().document_types,
        "a list it left empty: the default's"
    );
}
