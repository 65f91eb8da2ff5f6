//! CBEFF (ISO/IEC 19785-3) XML as MOSIP writes it: a root `BIR` holding one child `BIR` per
//! capture, each with `BIRInfo`, `BDBInfo`, the biometric data block (`BDB`, an ISO/IEC 19794
//! record in base64), an optional security block (`SB`, the device's signature) and MOSIP's
//! `others` entries (RETRIES, FORCE_CAPTURED, EXCEPTION, PAYLOAD, SPEC_VERSION, ...).
//!
//! Why this module exists: a packet's biometrics travel as one CBEFF file, the way MOSIP's
//! `individualBiometrics_bio_CBEFF.xml` does, so a register that reads MOSIP packets reads ours.
//! The schema is `updatedcbeff.xsd` (namespace [`CBEFF_NAMESPACE`]); the older `Others` with
//! `Key`/`Value` children is read too, and written as `others`/`entry`.
//!
//! The reader ([`Cbeff::from_xml`]) takes outside input: it refuses DTDs, nesting deeper than
//! root and child BIRs, more than [`MAX_RECORDS`] records, and anything over [`MAX_XML_LEN`],
//! and it never panics. Element names are matched by local name, so any namespace prefix works.
//! Child elements that the schema allows but that we do not use (`Index`, `Product`,
//! `CaptureDevice`, ...) are skipped. BDB and SB accept standard and URL-safe base64, with or
//! without padding (MOSIP writes URL-safe without padding, and so does [`Cbeff::to_xml`]), as
//! leniently as MOSIP's Java decoder (see `decode_base64`).
//!
//! Deliberately absent: checking what is inside a BDB (that is `enroll_devices::iso19794`),
//! verifying device signatures, and XML signatures or encryption of the CBEFF itself (the
//! packet's envelope protects it).

use base64::Engine as _;
use quick_xml::events::Event;
use quick_xml::Reader;
use sha2::{Digest, Sha256};

use crate::PacketError;

/// The XML namespace of ISO/IEC 19785-3 ed. 2, as MOSIP uses it.
pub const CBEFF_NAMESPACE: &str = "http://standards.iso.org/iso-iec/19785/-3/ed-2/";
/// Largest CBEFF document read: 64 MiB, far above 10 fingers, 2 irises and a face.
pub const MAX_XML_LEN: usize = 64 * 1024 * 1024;
/// Most child records read.
pub const MAX_RECORDS: usize = 64;
/// Deepest element nesting a MOSIP CBEFF has is 6 (BIR/BIR/BDBInfo/Quality/Algorithm/Type).
const MAX_DEPTH: usize = 8;

/// `others` keys MOSIP writes.
pub const KEY_RETRIES: &str = "RETRIES";
pub const KEY_FORCE_CAPTURED: &str = "FORCE_CAPTURED";
pub const KEY_EXCEPTION: &str = "EXCEPTION";
pub const KEY_PAYLOAD: &str = "PAYLOAD";
pub const KEY_SPEC_VERSION: &str = "SPEC_VERSION";
pub const KEY_SDK_SCORE: &str = "SDK_SCORE";

/// A (major, minor) version pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

/// An `Organization` / `Type` pair, e.g. the BDB format ("Mosip", "7") or a quality algorithm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistryId {
    pub organization: String,
    pub kind: String,
}

/// `Quality`: the algorithm, then a score 0..=100 or the reason no score could be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quality {
    pub algorithm: RegistryId,
    pub score: Option<u8>,
    pub calculation_failed: Option<String>,
}

/// `BDBInfo`: what the BDB holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BdbInfo {
    pub format: Option<RegistryId>,
    /// xs:dateTime as written, e.g. "2022-01-28T22:36:17.448Z".
    pub creation_date: Option<String>,
    /// `Type`, an xs:list: e.g. ["Finger"].
    pub types: Vec<String>,
    /// `Subtype`, an xs:list: e.g. ["Right", "IndexFinger"]; empty for a face.
    pub subtypes: Vec<String>,
    /// "Raw", "Intermediate" or "Processed".
    pub level: Option<String>,
    /// "Enroll", "Verify", ...
    pub purpose: Option<String>,
    pub quality: Option<Quality>,
}

/// One `others` entry, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherEntry {
    pub key: String,
    pub value: String,
}

/// One biometric information record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bir {
    pub version: Option<Version>,
    pub cbeff_version: Option<Version>,
    /// `BIRInfo/Integrity`.
    pub integrity: bool,
    pub bdb_info: Option<BdbInfo>,
    pub bdb: Option<Vec<u8>>,
    pub sb: Option<Vec<u8>>,
    pub others: Vec<OtherEntry>,
}

impl Bir {
    /// The value of an `others` entry.
    pub fn other(&self, key: &str) -> Option<&str> {
        self.others.iter().find(|e| e.key == key).map(|e| e.value.as_str())
    }

    /// `RETRIES`, checked to be a whole number when the record was read.
    pub fn retries(&self) -> Option<u32> {
        self.other(KEY_RETRIES).and_then(|v| v.trim().parse().ok())
    }

    /// `FORCE_CAPTURED`: the operator accepted a capture below the quality threshold.
    pub fn force_captured(&self) -> Option<bool> {
        self.other(KEY_FORCE_CAPTURED).and_then(parse_bool)
    }

    /// `EXCEPTION`: the body part is missing or unusable; such a record has no BDB.
    pub fn exception(&self) -> Option<bool> {
        self.other(KEY_EXCEPTION).and_then(parse_bool)
    }

    /// The device's signed digital identity (a JWT) from MOSIP's `PAYLOAD` JSON, if present.
    pub fn digital_id(&self) -> Option<String> {
        let payload: serde_json::Value = serde_json::from_str(self.other(KEY_PAYLOAD)?).ok()?;
        payload.get("digitalId")?.as_str().map(str::to_string)
    }

    /// `BDBInfo/Type` joined, e.g. "Finger".
    pub fn type_text(&self) -> String {
        self.bdb_info.as_ref().map(|i| i.types.join(" ")).unwrap_or_default()
    }

    /// `BDBInfo/Subtype` joined, e.g. "Right IndexFinger".
    pub fn subtype_text(&self) -> String {
        self.bdb_info.as_ref().map(|i| i.subtypes.join(" ")).unwrap_or_default()
    }

    /// `BDBInfo/Quality/Score`.
    pub fn quality_score(&self) -> Option<u8> {
        self.bdb_info.as_ref()?.quality.as_ref()?.score
    }
}

/// A whole CBEFF document: the root BIR and its child records.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cbeff {
    pub version: Option<Version>,
    pub cbeff_version: Option<Version>,
    /// The root's `BIRInfo/Integrity`.
    pub integrity: bool,
    pub records: Vec<Bir>,
    /// The root's `others` (MOSIP writes CONFIGURED there: the modalities the station asked for).
    pub others: Vec<OtherEntry>,
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn bad(message: impl Into<String>) -> PacketError {
    PacketError::Cbeff(message.into())
}

/// A parsed element: local name, the `key` attribute (the only one CBEFF uses), text, children.
#[derive(Debug, Default)]
struct Element {
    name: String,
    key: Option<String>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn text_of(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.trim().to_string())
    }
}

impl Cbeff {
    /// Read a CBEFF document. Every problem is [`PacketError::Cbeff`] naming where it is.
    pub fn from_xml(xml: &[u8]) -> Result<Cbeff, PacketError> {
        if xml.len() > MAX_XML_LEN {
            return Err(bad(format!(
                "the CBEFF document is {} bytes, more than the limit of {MAX_XML_LEN}",
                xml.len()
            )));
        }
        let text = std::str::from_utf8(xml).map_err(|e| bad(format!("the CBEFF document is not UTF-8: {e}")))?;
        let root = parse_tree(text)?;
        if root.name != "BIR" {
            return Err(bad(format!("the root element is <{}>, not <BIR>", root.name)));
        }
        let integrity = read_bir_info(&root, "the root BIR")?;
        let mut records = Vec::new();
        for (index, child) in root.children.iter().filter(|c| c.name == "BIR").enumerate() {
            if index >= MAX_RECORDS {
                return Err(bad(format!("more than {MAX_RECORDS} biometric records")));
            }
            let bir = read_bir(child).map_err(|e| match e {
                PacketError::Cbeff(message) => bad(format!("record {}: {message}", index + 1)),
                other => other,
            })?;
            records.push(bir);
        }
        Ok(Cbeff {
            version: read_version(&root, "Version")?,
            cbeff_version: read_version(&root, "CBEFFVersion")?,
            integrity,
            records,
            others: read_others(&root)?,
        })
    }

    /// Write the document: UTF-8, the ISO/IEC 19785-3 namespace, BDB and SB in URL-safe base64
    /// without padding (as MOSIP writes them). Reading the output gives back an equal value.
    pub fn to_xml(&self) -> Result<Vec<u8>, PacketError> {
        let mut out = String::with_capacity(self.xml_capacity());
        self.write_xml_parts(|part| out.push_str(&part))?;
        Ok(out.into_bytes())
    }

    /// [`Cbeff::to_xml`] and the SHA-256 of its bytes (see [`Cbeff::to_xml_parts_and_sha256`]).
    pub fn to_xml_and_sha256(&self) -> Result<(Vec<u8>, [u8; 32]), PacketError> {
        let (parts, sha256) = self.to_xml_parts_and_sha256()?;
        Ok((parts.concat().into_bytes(), sha256))
    }

    /// [`Cbeff::to_xml`] in consecutive parts (the head, each record, the tail), and the
    /// SHA-256 of their bytes, hashed on another thread while the records are still being
    /// written: base64 of megabytes, then a pass to hash them, take the time of the longer on a
    /// two-core laptop. The parts are not joined: the container copies them into place once.
    pub fn to_xml_parts_and_sha256(&self) -> Result<(Vec<String>, [u8; 32]), PacketError> {
        let count = self.records.len() + 2;
        std::thread::scope(|scope| {
            let (to_hasher, parts) = std::sync::mpsc::channel::<String>();
            let hashing = scope.spawn(move || {
                let mut kept = Vec::with_capacity(count);
                let mut hasher = Sha256::new();
                for part in parts {
                    hasher.update(part.as_bytes());
                    kept.push(part);
                }
                (kept, <[u8; 32]>::from(hasher.finalize()))
            });
            // The hasher only stops when this sender is dropped, after the last part.
            let written = self.write_xml_parts(|part| {
                let _ = to_hasher.send(part);
            });
            drop(to_hasher);
            let hashed = hashing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            written.map(|()| hashed)
        })
    }

    /// The document in order, a part at a time: the head, each record, the tail.
    fn write_xml_parts(&self, mut emit: impl FnMut(String)) -> Result<(), PacketError> {
        let mut head = String::with_capacity(512);
        head.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        head.push_str(&format!("<BIR xmlns=\"{CBEFF_NAMESPACE}\">\n"));
        write_version(&mut head, 1, "Version", self.version);
        write_version(&mut head, 1, "CBEFFVersion", self.cbeff_version);
        write_bir_info(&mut head, 1, self.integrity);
        emit(head);
        for record in &self.records {
            let mut part = String::with_capacity(record_capacity(record));
            write_bir(&mut part, record)?;
            emit(part);
        }
        let mut tail = String::new();
        write_others(&mut tail, 1, &self.others)?;
        tail.push_str("</BIR>\n");
        emit(tail);
        Ok(())
    }

    fn xml_capacity(&self) -> usize {
        256 + self.records.iter().map(record_capacity).sum::<usize>()
    }
}

/// Room for one record's XML: its base64 BDB and about a kilobyte of elements.
fn record_capacity(record: &Bir) -> usize {
    1024 + record.bdb.as_ref().map_or(0, |b| b.len() * 4 / 3)
}

/// Build the element tree, refusing DTDs and deep nesting.
fn parse_tree(text: &str) -> Result<Element, PacketError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader.read_event().map_err(|e| {
            bad(format!(
                "the XML is not well-formed near byte {}: {e}",
                reader.buffer_position()
            ))
        })?;
        match event {
            Event::Start(start) => {
                let element = open(&start, &stack, &root)?;
                stack.push(element);
            }
            Event::Empty(start) => {
                let element = open(&start, &stack, &root)?;
                stack.push(element);
                close(&mut stack, &mut root)?;
            }
            Event::End(_) => close(&mut stack, &mut root)?,
            Event::Text(content) => {
                let content = content.xml10_content();
                match stack.last_mut() {
                    Some(element) => element.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => return Err(bad("text outside the root element")),
                }
            }
            Event::CData(data) => {
                let data = data.xml10_content().to_string();
                match stack.last_mut() {
                    Some(element) => element.text.push_str(&data),
                    None => return Err(bad("CDATA outside the root element")),
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    Ok(None) => match &*reference {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => return Err(bad(format!("unknown entity &{other};"))),
                    },
                    Err(e) => return Err(bad(format!("a bad character reference: {e}"))),
                };
                match stack.last_mut() {
                    Some(element) => element.text.push_str(&resolved),
                    None => return Err(bad("an entity outside the root element")),
                }
            }
            Event::DocType(_) => return Err(bad("a DTD is not allowed in a CBEFF document")),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(bad(format!(
            "the document ends inside <{}>",
            stack.last().map_or("", |e| &e.name)
        )));
    }
    root.ok_or_else(|| bad("the document has no root element"))
}

/// A new element from its start tag, after checking where it stands.
fn open(
    start: &quick_xml::events::BytesStart<'_>,
    stack: &[Element],
    root: &Option<Element>,
) -> Result<Element, PacketError> {
    if root.is_some() {
        return Err(bad("content follows the root element"));
    }
    if stack.len() >= MAX_DEPTH {
        return Err(bad(format!("elements are nested deeper than {MAX_DEPTH} levels")));
    }
    let name = start.local_name().as_ref().to_string();
    let mut key = None;
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| bad(format!("a bad attribute on <{name}>: {e}")))?;
        if attribute.key.local_name().as_ref() == "key" {
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| bad(format!("a bad key attribute on <{name}>: {e}")))?;
            key = Some(value.to_string());
        }
    }
    Ok(Element {
        name,
        key,
        ..Element::default()
    })
}

fn close(stack: &mut Vec<Element>, root: &mut Option<Element>) -> Result<(), PacketError> {
    let element = stack.pop().ok_or_else(|| bad("a closing tag without an opening one"))?;
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
    Ok(())
}

fn read_version(parent: &Element, name: &str) -> Result<Option<Version>, PacketError> {
    let Some(element) = parent.child(name) else {
        return Ok(None);
    };
    let number = |part: &str| -> Result<u32, PacketError> {
        let text = element
            .text_of(part)
            .ok_or_else(|| bad(format!("<{name}> has no <{part}>")))?;
        text.parse()
            .map_err(|_| bad(format!("<{name}><{part}> is {text:?}, not a whole number")))
    };
    Ok(Some(Version {
        major: number("Major")?,
        minor: number("Minor")?,
    }))
}

fn read_bir_info(bir: &Element, what: &str) -> Result<bool, PacketError> {
    let info = bir
        .child("BIRInfo")
        .ok_or_else(|| bad(format!("{what} has no <BIRInfo>")))?;
    let integrity = info
        .text_of("Integrity")
        .ok_or_else(|| bad(format!("{what}'s <BIRInfo> has no <Integrity>")))?;
    parse_bool(&integrity).ok_or_else(|| bad(format!("{what}'s <Integrity> is {integrity:?}, not true or false")))
}

fn read_registry_id(element: &Element, what: &str) -> Result<RegistryId, PacketError> {
    Ok(RegistryId {
        organization: element
            .text_of("Organization")
            .ok_or_else(|| bad(format!("<{what}> has no <Organization>")))?,
        kind: element
            .text_of("Type")
            .ok_or_else(|| bad(format!("<{what}> has no <Type>")))?,
    })
}

fn list(text: Option<String>) -> Vec<String> {
    text.map(|t| t.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

fn read_bir(element: &Element) -> Result<Bir, PacketError> {
    if element.child("BIR").is_some() {
        return Err(bad(
            "a record holds further records; only a root with one level of records is read",
        ));
    }
    let bdb_info = match element.child("BDBInfo") {
        None => None,
        Some(info) => {
            let quality =
                match info.child("Quality") {
                    None => None,
                    Some(q) => {
                        let algorithm = read_registry_id(
                            q.child("Algorithm")
                                .ok_or_else(|| bad("<Quality> has no <Algorithm>"))?,
                            "Algorithm",
                        )?;
                        let score =
                            match q.text_of("Score") {
                                None => None,
                                Some(text) => Some(text.parse::<u8>().ok().filter(|s| *s <= 100).ok_or_else(|| {
                                    bad(format!("quality score {text:?} is not a whole number 0..=100"))
                                })?),
                            };
                        let calculation_failed = q.text_of("QualityCalculationFailed");
                        if score.is_none() && calculation_failed.is_none() {
                            return Err(bad("<Quality> has neither <Score> nor <QualityCalculationFailed>"));
                        }
                        Some(Quality {
                            algorithm,
                            score,
                            calculation_failed,
                        })
                    }
                };
            Some(BdbInfo {
                format: info
                    .child("Format")
                    .map(|f| read_registry_id(f, "Format"))
                    .transpose()?,
                creation_date: info.text_of("CreationDate"),
                types: list(info.text_of("Type")),
                subtypes: list(info.text_of("Subtype")),
                level: info.text_of("Level"),
                purpose: info.text_of("Purpose"),
                quality,
            })
        }
    };
    let bir = Bir {
        version: read_version(element, "Version")?,
        cbeff_version: read_version(element, "CBEFFVersion")?,
        integrity: read_bir_info(element, "the record")?,
        bdb_info,
        bdb: element.text_of("BDB").map(|t| decode_base64(&t, "BDB")).transpose()?,
        sb: element.text_of("SB").map(|t| decode_base64(&t, "SB")).transpose()?,
        others: read_others(element)?,
    };
    if let Some(text) = bir.other(KEY_RETRIES) {
        text.trim()
            .parse::<u32>()
            .map_err(|_| bad(format!("RETRIES is {text:?}, not a whole number")))?;
    }
    for key in [KEY_FORCE_CAPTURED, KEY_EXCEPTION] {
        if let Some(text) = bir.other(key) {
            parse_bool(text).ok_or_else(|| bad(format!("{key} is {text:?}, not true or false")))?;
        }
    }
    Ok(bir)
}

/// Both forms: `<others><entry key="K">V</entry></others>` and `<Others><Key>K</Key><Value>V</Value></Others>`.
fn read_others(element: &Element) -> Result<Vec<OtherEntry>, PacketError> {
    let mut entries = Vec::new();
    for others in element
        .children
        .iter()
        .filter(|c| c.name == "others" || c.name == "Others")
    {
        if let Some(key) = others.text_of("Key") {
            entries.push(OtherEntry {
                key,
                value: others.child("Value").map(|v| v.text.clone()).unwrap_or_default(),
            });
        }
        for entry in others.children.iter().filter(|c| c.name == "entry") {
            let key = entry
                .key
                .clone()
                .ok_or_else(|| bad("an <entry> in <others> has no key attribute"))?;
            entries.push(OtherEntry {
                key,
                value: entry.text.clone(),
            });
        }
    }
    Ok(entries)
}

/// Lenient the way Java's decoder (MOSIP's) is: standard or URL-safe alphabet, padding
/// optional, non-zero bits after the last whole byte ignored. A final lone character (6 bits,
/// less than a byte) is dropped: documents cut short in the middle of a BDB, as MOSIP's
/// published sample is, still read, and the ISO parser then says the record is truncated.
fn decode_base64(text: &str, what: &str) -> Result<Vec<u8>, PacketError> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    // Megabytes of image in a BDB: strip whitespace by bytes, and only when there is some
    // (building a String char by char cost the intake more than decrypting the packet).
    let compact: std::borrow::Cow<'_, str> = if text.bytes().any(|b| b.is_ascii_whitespace()) {
        let bytes: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        // Only ASCII bytes were removed from valid UTF-8: what is left is valid UTF-8.
        std::borrow::Cow::Owned(String::from_utf8(bytes).map_err(|_| bad(format!("<{what}> is not text")))?)
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let mut unpadded = compact.trim_end_matches('=');
    if unpadded.len() % 4 == 1 {
        unpadded = &unpadded[..unpadded.len() - 1];
    }
    let config = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true);
    let alphabet = if unpadded.contains(['-', '_']) {
        &base64::alphabet::URL_SAFE
    } else {
        &base64::alphabet::STANDARD
    };
    GeneralPurpose::new(alphabet, config)
        .decode(unpadded)
        .map_err(|e| bad(format!("<{what}> is not valid base64: {e}")))
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("   ");
    }
}

fn element(out: &mut String, level: usize, name: &str, text: &str) {
    indent(out, level);
    out.push_str(&format!("<{name}>{}</{name}>\n", quick_xml::escape::escape(text)));
}

/// An element holding `bytes` in URL-safe base64, encoded straight into `out`. Nothing to
/// escape: the alphabet is `A-Z a-z 0-9 - _`. (Escaping megabytes of captures character by
/// character was most of the time it took to write a packet.)
fn base64_element(out: &mut String, level: usize, name: &str, bytes: &[u8]) {
    indent(out, level);
    out.push_str(&format!("<{name}>"));
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_string(bytes, out);
    out.push_str(&format!("</{name}>\n"));
}

fn write_version(out: &mut String, level: usize, name: &str, version: Option<Version>) {
    if let Some(v) = version {
        indent(out, level);
        out.push_str(&format!("<{name}>\n"));
        element(out, level + 1, "Major", &v.major.to_string());
        element(out, level + 1, "Minor", &v.minor.to_string());
        indent(out, level);
        out.push_str(&format!("</{name}>\n"));
    }
}

fn write_bir_info(out: &mut String, level: usize, integrity: bool) {
    indent(out, level);
    out.push_str("<BIRInfo>\n");
    element(out, level + 1, "Integrity", if integrity { "true" } else { "false" });
    indent(out, level);
    out.push_str("</BIRInfo>\n");
}

fn write_registry_id(out: &mut String, level: usize, name: &str, id: &RegistryId) {
    indent(out, level);
    out.push_str(&format!("<{name}>\n"));
    element(out, level + 1, "Organization", &id.organization);
    element(out, level + 1, "Type", &id.kind);
    indent(out, level);
    out.push_str(&format!("</{name}>\n"));
}

/// A list item may not contain whitespace (it would split into two items on reading).
fn write_list(out: &mut String, level: usize, name: &str, items: &[String]) -> Result<(), PacketError> {
    if items.is_empty() {
        return Ok(());
    }
    if let Some(item) = items
        .iter()
        .find(|i| i.is_empty() || i.chars().any(char::is_whitespace))
    {
        return Err(bad(format!("<{name}> item {item:?} is empty or holds whitespace")));
    }
    element(out, level, name, &items.join(" "));
    Ok(())
}

fn write_bir(out: &mut String, bir: &Bir) -> Result<(), PacketError> {
    indent(out, 1);
    out.push_str("<BIR>\n");
    write_version(out, 2, "Version", bir.version);
    write_version(out, 2, "CBEFFVersion", bir.cbeff_version);
    write_bir_info(out, 2, bir.integrity);
    if let Some(info) = &bir.bdb_info {
        indent(out, 2);
        out.push_str("<BDBInfo>\n");
        if let Some(format) = &info.format {
            write_registry_id(out, 3, "Format", format);
        }
        if let Some(date) = &info.creation_date {
            element(out, 3, "CreationDate", date);
        }
        write_list(out, 3, "Type", &info.types)?;
        write_list(out, 3, "Subtype", &info.subtypes)?;
        if let Some(level) = &info.level {
            element(out, 3, "Level", level);
        }
        if let Some(purpose) = &info.purpose {
            element(out, 3, "Purpose", purpose);
        }
        if let Some(quality) = &info.quality {
            indent(out, 3);
            out.push_str("<Quality>\n");
            write_registry_id(out, 4, "Algorithm", &quality.algorithm);
            match (&quality.score, &quality.calculation_failed) {
                (Some(score), None) if *score <= 100 => element(out, 4, "Score", &score.to_string()),
                (None, Some(reason)) => element(out, 4, "QualityCalculationFailed", reason),
                _ => {
                    return Err(bad(
                        "a quality needs exactly one of a score 0..=100 or the reason it failed",
                    ))
                }
            }
            indent(out, 3);
            out.push_str("</Quality>\n");
        }
        indent(out, 2);
        out.push_str("</BDBInfo>\n");
    }
    if let Some(bdb) = &bir.bdb {
        base64_element(out, 2, "BDB", bdb);
    }
    if let Some(sb) = &bir.sb {
        base64_element(out, 2, "SB", sb);
    }
    write_others(out, 2, &bir.others)?;
    indent(out, 1);
    out.push_str("</BIR>\n");
    Ok(())
}

fn write_others(out: &mut String, level: usize, others: &[OtherEntry]) -> Result<(), PacketError> {
    if others.is_empty() {
        return Ok(());
    }
    indent(out, level);
    out.push_str("<others>\n");
    for entry in others {
        indent(out, level + 1);
        out.push_str(&format!(
            "<entry key=\"{}\">{}</entry>\n",
            quick_xml::escape::escape(entry.key.as_str()),
            quick_xml::escape::escape(entry.value.as_str())
        ));
    }
    indent(out, level);
    out.push_str("</others>\n");
    Ok(())
}
