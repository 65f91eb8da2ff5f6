//! HTTP Message Signatures (RFC 9421) the way a station signs its requests to the intake, and
//! the intake checks them: the signature base, the `Signature-Input` and `Signature` fields,
//! strict reading of both, and Ed25519 over the base. `schemas/intake-api.md` §"Signed requests"
//! is the profile in prose.
//!
//! Why here: the station's client (`enroll-sync`) writes these fields and the intake reads
//! them; one definition of the base keeps the two from drifting, and neither needs the other.
//!
//! The profile, a subset of RFC 9421 that every conforming implementation can produce:
//! - exactly one signature per request (one member in each field, under the same label);
//! - components: the derived `@method`, `@path` and `@query`, and header fields by their
//!   lower-case names, without component parameters (`;sf`, `;key`, `;req`...);
//! - parameters: `created` and `keyid` and `nonce` (required), `expires` and `alg` (optional;
//!   `alg` must be `ed25519`), `tag` (optional); no other;
//! - `keyid` is the station's request key itself, base64url without padding: the intake finds
//!   the station by it, so a station id of any alphabet never has to fit a structured-field
//!   string.
//!
//! What this module does not decide: which components a request must cover, the time window
//! and replays (the intake's rules: `enroll_intake::request_auth`), and which key belongs to
//! whom.

use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};

use crate::PacketError;

/// The algorithm name of RFC 9421 §6.2 for Ed25519.
pub const ALGORITHM: &str = "ed25519";
/// The label a station puts on its signature (the intake accepts any one label).
pub const LABEL: &str = "enroll";
/// Longest `Signature-Input` or `Signature` field read; a real one is a few hundred bytes.
pub const MAX_FIELD_LEN: usize = 4096;
/// Most components one signature may cover.
pub const MAX_COMPONENTS: usize = 24;
/// Shortest and longest nonce: at least 96 bits in base64url, and not a place to store data.
pub const NONCE_LEN: std::ops::RangeInclusive<usize> = 16..=64;

/// Header fields a station's signature covers whenever its request carries them, and the
/// intake requires covered: everything that says what a tus request does, and a body's digest.
/// With `@method`, `@path` and (when there is a query) `@query`.
pub const COVERED_WHEN_PRESENT: [&str; 6] = [
    "upload-length",
    "upload-metadata",
    "upload-offset",
    "upload-checksum",
    "content-digest",
    "content-type",
];

/// The components a station signs for `request`: `@method`, `@path`, `@query` when it has a
/// query, and each field of [`COVERED_WHEN_PRESENT`] it carries.
pub fn components_to_cover(request: &RequestParts) -> Vec<String> {
    let mut components = vec!["@method".to_owned(), "@path".to_owned()];
    if request.query.is_some() {
        components.push("@query".to_owned());
    }
    for field in COVERED_WHEN_PRESENT {
        if request.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case(field)) {
            components.push(field.to_owned());
        }
    }
    components
}

/// The request as both sides see it: what the signature base is built from.
#[derive(Debug, Clone, Default)]
pub struct RequestParts {
    /// As sent: `GET`, `PATCH`...
    pub method: String,
    /// The path of the target URI, `/` when empty.
    pub path: String,
    /// The query without its `?`, when the target has one.
    pub query: Option<String>,
    /// Every header field line, names in any case, in the order they were sent.
    pub headers: Vec<(String, String)>,
}

impl RequestParts {
    /// The value of a covered component (RFC 9421 §2.1, §2.2), or `None` when the request has
    /// no such field.
    fn component_value(&self, component: &str) -> Result<Option<String>, PacketError> {
        match component {
            "@method" => Ok(Some(self.method.clone())),
            "@path" => Ok(Some(if self.path.is_empty() {
                "/".to_owned()
            } else {
                self.path.clone()
            })),
            "@query" => Ok(Some(format!("?{}", self.query.as_deref().unwrap_or("")))),
            derived if derived.starts_with('@') => Err(invalid(format!(
                "the component {derived} is not one this intake reads (it reads @method, @path and @query)"
            ))),
            name => {
                let values: Vec<&str> = self
                    .headers
                    .iter()
                    .filter(|(field, _)| field.eq_ignore_ascii_case(name))
                    .map(|(_, value)| value.trim_matches([' ', '\t']))
                    .collect();
                Ok((!values.is_empty()).then(|| values.join(", ")))
            }
        }
    }
}

/// The parameters of one signature, in the order they are serialized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureParams {
    /// The label of the signature in both fields.
    pub label: String,
    /// Covered components, lower-case, in order.
    pub components: Vec<String>,
    /// Seconds since the Unix epoch at signing.
    pub created: i64,
    pub expires: Option<i64>,
    pub nonce: String,
    /// The signer's request key, base64url without padding (see [`key_id`]).
    pub keyid: String,
    pub alg: Option<String>,
    pub tag: Option<String>,
}

impl SignatureParams {
    /// The value of this signature's member of `Signature-Input`, which is also the value of
    /// `@signature-params` in the base (RFC 9421 §2.3).
    pub fn serialize(&self) -> String {
        let components: Vec<String> = self.components.iter().map(|c| sf_string(c)).collect();
        let mut out = format!("({});created={}", components.join(" "), self.created);
        if let Some(expires) = self.expires {
            out.push_str(&format!(";expires={expires}"));
        }
        out.push_str(&format!(
            ";nonce={};keyid={}",
            sf_string(&self.nonce),
            sf_string(&self.keyid)
        ));
        if let Some(alg) = &self.alg {
            out.push_str(&format!(";alg={}", sf_string(alg)));
        }
        if let Some(tag) = &self.tag {
            out.push_str(&format!(";tag={}", sf_string(tag)));
        }
        out
    }
}

/// The two header fields that carry a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureFields {
    pub signature_input: String,
    pub signature: String,
}

/// A signature read from its fields: the parameters and the 64 signature bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadSignature {
    pub params: SignatureParams,
    pub signature: [u8; 64],
}

/// `keyid` for a request key: its 32 bytes in base64url without padding.
pub fn key_id(public_key: &[u8; 32]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(public_key)
}

/// The 32 bytes a `keyid` names, when it is one written by [`key_id`].
pub fn key_from_id(keyid: &str) -> Result<[u8; 32], PacketError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(keyid)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| invalid("the keyid is not a request key (32 bytes in base64url without padding)"))
}

/// A fresh nonce: 128 random bits in base64url.
pub fn new_nonce() -> String {
    let bytes: [u8; 16] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The signature base of RFC 9421 §2.5: one line per covered component, then
/// `"@signature-params"`. A covered component the request lacks is an error: a signature can
/// only vouch for what is there.
pub fn signature_base(request: &RequestParts, params: &SignatureParams) -> Result<String, PacketError> {
    let mut base = String::new();
    for component in &params.components {
        let value = request.component_value(component)?.ok_or_else(|| {
            invalid(format!(
                "the signature covers {component}, which the request does not carry"
            ))
        })?;
        if value.contains(['\n', '\r']) {
            return Err(invalid(format!("the value of {component} holds a line break")));
        }
        base.push_str(&format!("{}: {value}\n", sf_string(component)));
    }
    base.push_str(&format!("\"@signature-params\": {}", params.serialize()));
    Ok(base)
}

/// Signs `request` over `params`; the fields to add to it.
pub fn sign(
    request: &RequestParts,
    params: &SignatureParams,
    key: &SigningKey,
) -> Result<SignatureFields, PacketError> {
    let base = signature_base(request, params)?;
    let signature = key.sign(base.as_bytes());
    Ok(SignatureFields {
        signature_input: format!("{}={}", params.label, params.serialize()),
        signature: format!(
            "{}=:{}:",
            params.label,
            base64::engine::general_purpose::STANDARD.encode(signature.to_bytes())
        ),
    })
}

/// Signs `request` as a station does: under [`LABEL`], at `created`, covering
/// [`components_to_cover`], with a new nonce, the key's `keyid` and `alg`. The one place the
/// station's client (and every test that signs like it) chooses the parameters.
pub fn sign_as_station(request: &RequestParts, key: &SigningKey, created: i64) -> Result<SignatureFields, PacketError> {
    let params = SignatureParams {
        label: LABEL.to_owned(),
        components: components_to_cover(request),
        created,
        expires: None,
        nonce: new_nonce(),
        keyid: key_id(&key.verifying_key().to_bytes()),
        alg: Some(ALGORITHM.to_owned()),
        tag: None,
    };
    sign(request, &params, key)
}

/// Checks `read` against `request` with `key` (strict Ed25519: no small-order or
/// non-canonical points).
pub fn verify(request: &RequestParts, read: &ReadSignature, key: &VerifyingKey) -> Result<(), PacketError> {
    let base = signature_base(request, &read.params)?;
    key.verify_strict(base.as_bytes(), &ed25519_dalek::Signature::from_bytes(&read.signature))
        .map_err(|_| invalid("the request signature does not verify with the station's request key"))
}

/// Reads the `Signature-Input` and `Signature` fields under this profile. Every refusal is
/// [`PacketError::RequestSignature`] saying what is wrong.
pub fn read_fields(signature_input: &str, signature: &str) -> Result<ReadSignature, PacketError> {
    if signature_input.len() > MAX_FIELD_LEN || signature.len() > MAX_FIELD_LEN {
        return Err(invalid(format!(
            "Signature-Input and Signature must each be at most {MAX_FIELD_LEN} bytes"
        )));
    }
    let mut input = Cursor::new(signature_input.trim_matches(' '));
    let label = input.key()?;
    input.expect(b'=')?;
    let params = read_params(&mut input, label)?;
    input.end("Signature-Input must hold exactly one signature")?;

    let mut field = Cursor::new(signature.trim_matches(' '));
    let signature_label = field.key()?;
    if signature_label != params.label {
        return Err(invalid(format!(
            "Signature is labelled {signature_label} but Signature-Input {}",
            params.label
        )));
    }
    field.expect(b'=')?;
    let bytes = field.byte_sequence()?;
    field.end("Signature must hold exactly one signature")?;
    let signature: [u8; 64] = bytes
        .try_into()
        .map_err(|_| invalid("an Ed25519 signature is 64 bytes"))?;
    Ok(ReadSignature { params, signature })
}

fn read_params(input: &mut Cursor<'_>, label: String) -> Result<SignatureParams, PacketError> {
    input.expect(b'(')?;
    let mut components = Vec::new();
    while !input.eat(b')') {
        if !components.is_empty() {
            input.expect(b' ')?;
        }
        let component = input.string()?;
        check_component(&component)?;
        if components.contains(&component) {
            return Err(invalid(format!("the component {component} is covered twice")));
        }
        components.push(component);
        if components.len() > MAX_COMPONENTS {
            return Err(invalid(format!(
                "a signature covers at most {MAX_COMPONENTS} components"
            )));
        }
    }
    let (mut created, mut expires, mut nonce, mut keyid, mut alg, mut tag) = (None, None, None, None, None, None);
    while input.eat(b';') {
        let name = input.key()?;
        input.expect(b'=')?;
        let duplicate = match name.as_str() {
            "created" => created.replace(input.integer()?).is_some(),
            "expires" => expires.replace(input.integer()?).is_some(),
            "nonce" => nonce.replace(input.string()?).is_some(),
            "keyid" => keyid.replace(input.string()?).is_some(),
            "alg" => alg.replace(input.string()?).is_some(),
            "tag" => tag.replace(input.string()?).is_some(),
            other => {
                return Err(invalid(format!(
                    "the signature parameter {other} is not one this intake reads"
                )))
            }
        };
        if duplicate {
            return Err(invalid(format!("the signature parameter {name} is given twice")));
        }
    }
    let nonce = nonce.ok_or_else(|| invalid("the signature has no nonce parameter"))?;
    if !NONCE_LEN.contains(&nonce.len()) || !nonce.bytes().all(is_base64url) {
        return Err(invalid(format!(
            "the nonce must be {} to {} base64url characters",
            NONCE_LEN.start(),
            NONCE_LEN.end()
        )));
    }
    if let Some(alg) = &alg {
        if alg != ALGORITHM {
            return Err(invalid(format!(
                "the signature algorithm is {alg}; stations sign with {ALGORITHM}"
            )));
        }
    }
    Ok(SignatureParams {
        label,
        components,
        created: created.ok_or_else(|| invalid("the signature has no created parameter"))?,
        expires,
        nonce,
        keyid: keyid.ok_or_else(|| invalid("the signature has no keyid parameter"))?,
        alg,
        tag,
    })
}

fn check_component(component: &str) -> Result<(), PacketError> {
    let name_ok = |name: &str| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let ok = match component.strip_prefix('@') {
        Some(derived) => matches!(derived, "method" | "path" | "query"),
        None => name_ok(component),
    };
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "the component \"{component}\" is not @method, @path, @query or a lower-case header name"
        )))
    }
}

fn is_base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

/// RFC 8941 §4.1.6: a string with `\` and `"` escaped. Our components and parameters are
/// printable ASCII (checked where they are read; written only by this module).
fn sf_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn invalid(message: impl Into<String>) -> PacketError {
    PacketError::RequestSignature(message.into())
}

/// A strict reader of the structured-field forms this profile uses (RFC 8941): no whitespace
/// but the single spaces the canonical form has.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8) -> Result<(), PacketError> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(invalid(format!(
                "expected '{}' at character {} of the field",
                byte as char,
                self.at + 1
            )))
        }
    }

    fn end(&self, what: &str) -> Result<(), PacketError> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(invalid(format!(
                "{what} (unexpected text at character {})",
                self.at + 1
            )))
        }
    }

    /// RFC 8941 §3.1.2 key: `( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )`.
    fn key(&mut self) -> Result<String, PacketError> {
        let start = self.at;
        match self.peek() {
            Some(b) if b.is_ascii_lowercase() || b == b'*' => self.at += 1,
            _ => {
                return Err(invalid(format!(
                    "expected a lower-case name at character {}",
                    start + 1
                )))
            }
        }
        while let Some(b) = self.peek() {
            if b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.' | b'*') {
                self.at += 1;
            } else {
                break;
            }
        }
        Ok(String::from_utf8_lossy(&self.bytes[start..self.at]).into_owned())
    }

    /// RFC 8941 §3.3.1 integer: at most 15 digits.
    fn integer(&mut self) -> Result<i64, PacketError> {
        let start = self.at;
        self.eat(b'-');
        let digits_start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        let digits = self.at - digits_start;
        if digits == 0 || digits > 15 {
            return Err(invalid(format!("expected an integer at character {}", start + 1)));
        }
        std::str::from_utf8(&self.bytes[start..self.at])
            .ok()
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| invalid(format!("expected an integer at character {}", start + 1)))
    }

    /// RFC 8941 §3.3.3 string: printable ASCII, `\"` and `\\` escaped.
    fn string(&mut self) -> Result<String, PacketError> {
        let start = self.at;
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(invalid(format!("the string at character {} is not closed", start + 1))),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some(escaped @ (b'"' | b'\\')) => {
                            out.push(escaped as char);
                            self.at += 1;
                        }
                        _ => {
                            return Err(invalid(format!(
                                "a bad escape in the string at character {}",
                                start + 1
                            )))
                        }
                    }
                }
                Some(b) if (0x20..0x7f).contains(&b) => {
                    out.push(b as char);
                    self.at += 1;
                }
                Some(_) => {
                    return Err(invalid(format!(
                        "the string at character {} holds a character that is not printable ASCII",
                        start + 1
                    )))
                }
            }
        }
    }

    /// RFC 8941 §3.3.5 byte sequence: `:` base64 `:`.
    fn byte_sequence(&mut self) -> Result<Vec<u8>, PacketError> {
        self.expect(b':')?;
        let start = self.at;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        {
            self.at += 1;
        }
        let text = &self.bytes[start..self.at];
        self.expect(b':')?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| invalid("the signature is not base64"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> RequestParts {
        RequestParts {
            method: "PATCH".into(),
            path: "/v1/uploads/abc".into(),
            query: None,
            headers: vec![
                ("Upload-Offset".into(), "1024".into()),
                ("upload-checksum".into(), " sha256 q1w2e3= ".into()),
                ("Tus-Resumable".into(), "1.0.0".into()),
            ],
        }
    }

    fn params(key: &SigningKey) -> SignatureParams {
        SignatureParams {
            label: LABEL.into(),
            components: vec![
                "@method".into(),
                "@path".into(),
                "upload-offset".into(),
                "upload-checksum".into(),
            ],
            created: 1_764_000_000,
            expires: None,
            nonce: "AAAAAAAAAAAAAAAAAAAAAA".into(),
            keyid: key_id(&key.verifying_key().to_bytes()),
            alg: Some(ALGORITHM.into()),
            tag: None,
        }
    }

    #[test]
    fn the_base_is_the_rfc_9421_form() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let base = signature_base(&request(), &params(&key)).unwrap();
        let keyid = key_id(&key.verifying_key().to_bytes());
        assert_eq!(
            base,
            format!(
                "\"@method\": PATCH\n\"@path\": /v1/uploads/abc\n\"upload-offset\": 1024\n\"upload-checksum\": sha256 q1w2e3=\n\
                 \"@signature-params\": (\"@method\" \"@path\" \"upload-offset\" \"upload-checksum\");created=1764000000;\
                 nonce=\"AAAAAAAAAAAAAAAAAAAAAA\";keyid=\"{keyid}\";alg=\"ed25519\""
            )
        );
    }

    /// RFC 9421 Appendix B.2.6: the specification's own Ed25519 example, signature and all.
    /// Ed25519 is deterministic, so our base must give its very bytes.
    #[test]
    fn the_rfc_9421_ed25519_example_signs_to_the_published_signature() {
        // test-key-ed25519, Appendix B.1.4: the last 32 bytes of its PKCS#8 form are the seed.
        let pkcs8 = base64::engine::general_purpose::STANDARD
            .decode("MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF")
            .unwrap();
        let key = SigningKey::from_bytes(&pkcs8[16..].try_into().unwrap());
        // Its published public half, so that a mistyped seed is named as such.
        assert_eq!(
            key_id(&key.verifying_key().to_bytes()),
            "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"
        );
        let request = RequestParts {
            method: "POST".into(),
            path: "/foo".into(),
            query: Some("param=Value&Pet=dog".into()),
            headers: vec![
                ("Host".into(), "example.com".into()),
                ("Date".into(), "Tue, 20 Apr 2021 02:07:55 GMT".into()),
                ("Content-Type".into(), "application/json".into()),
                ("Content-Length".into(), "18".into()),
            ],
        };
        // B.2.6 covers date, @method, @path, @authority, content-type and content-length; we
        // do not read @authority, so the example's base is built by hand around it.
        let expected_base = "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\
            \"@authority\": example.com\n\"content-type\": application/json\n\"content-length\": 18\n\
            \"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");\
            created=1618884473;keyid=\"test-key-ed25519\"";
        let published = "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==";
        let signature = key.sign(expected_base.as_bytes());
        assert_eq!(
            base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
            published
        );
        // And the parts we do build agree with it line for line.
        for (component, line) in [
            ("date", "\"date\": Tue, 20 Apr 2021 02:07:55 GMT"),
            ("@method", "\"@method\": POST"),
            ("@path", "\"@path\": /foo"),
            ("content-type", "\"content-type\": application/json"),
            ("content-length", "\"content-length\": 18"),
        ] {
            let value = request.component_value(component).unwrap().unwrap();
            assert_eq!(format!("{}: {value}", sf_string(component)), line);
        }
        assert_eq!(
            request.component_value("@query").unwrap().unwrap(),
            "?param=Value&Pet=dog"
        );
    }

    #[test]
    fn a_signed_request_reads_back_and_verifies() {
        let key = SigningKey::from_bytes(&[5; 32]);
        let fields = sign(&request(), &params(&key), &key).unwrap();
        let read = read_fields(&fields.signature_input, &fields.signature).unwrap();
        assert_eq!(read.params, params(&key));
        verify(&request(), &read, &key.verifying_key()).unwrap();
        assert_eq!(key_from_id(&read.params.keyid).unwrap(), key.verifying_key().to_bytes());
    }

    #[test]
    fn a_changed_covered_value_or_another_key_does_not_verify() {
        let key = SigningKey::from_bytes(&[5; 32]);
        let fields = sign(&request(), &params(&key), &key).unwrap();
        let read = read_fields(&fields.signature_input, &fields.signature).unwrap();
        let mut moved = request();
        moved.headers[0].1 = "2048".into();
        assert_eq!(
            verify(&moved, &read, &key.verifying_key()).unwrap_err().code(),
            "signature_invalid"
        );
        let mut other_path = request();
        other_path.path = "/v1/uploads/other".into();
        assert!(verify(&other_path, &read, &key.verifying_key()).is_err());
        let other = SigningKey::from_bytes(&[6; 32]);
        assert!(verify(&request(), &read, &other.verifying_key()).is_err());
        // A field the signature does not cover may change: that is the signer's choice.
        let mut uncovered = request();
        uncovered.headers[2].1 = "9.9.9".into();
        verify(&uncovered, &read, &key.verifying_key()).unwrap();
        // A covered field that is gone is named.
        let mut missing = request();
        missing.headers.remove(1);
        let error = verify(&missing, &read, &key.verifying_key()).unwrap_err();
        assert!(error.to_string().contains("upload-checksum"), "{error}");
    }

    #[test]
    fn malformed_fields_are_refused_with_the_reason() {
        let key = SigningKey::from_bytes(&[5; 32]);
        let good = sign(&request(), &params(&key), &key).unwrap();
        let cases = [
            (
                good.signature_input.replace("nonce", "nonse"),
                good.signature.clone(),
                "nonse",
            ),
            (
                good.signature_input.replace(";nonce=\"AAAAAAAAAAAAAAAAAAAAAA\"", ""),
                good.signature.clone(),
                "no nonce",
            ),
            (
                good.signature_input.replace("AAAAAAAAAAAAAAAAAAAAAA", "short"),
                good.signature.clone(),
                "nonce must",
            ),
            (
                good.signature_input.replace("ed25519", "rsa-pss-sha512"),
                good.signature.clone(),
                "algorithm",
            ),
            (
                good.signature_input.replace("\"@path\"", "\"@authority\""),
                good.signature.clone(),
                "@authority",
            ),
            (
                good.signature_input.replace("\"@path\"", "\"@method\""),
                good.signature.clone(),
                "twice",
            ),
            (
                good.signature_input.replace("\"upload-offset\"", "\"Upload-Offset\""),
                good.signature.clone(),
                "lower-case",
            ),
            (
                format!("{}, other=()", good.signature_input),
                good.signature.clone(),
                "exactly one",
            ),
            (
                good.signature_input.clone(),
                good.signature.replacen("enroll", "other", 1),
                "labelled",
            ),
            (good.signature_input.clone(), "enroll=:AAAA:".into(), "64 bytes"),
            (
                good.signature_input.clone(),
                "enroll=:not base64!:".into(),
                "expected ':'",
            ),
            (
                good.signature_input
                    .replace("created=1764000000", "created=99999999999999999"),
                good.signature.clone(),
                "integer",
            ),
            ("x".repeat(MAX_FIELD_LEN + 1), good.signature.clone(), "at most"),
        ];
        for (input, signature, expected) in cases {
            let error = read_fields(&input, &signature).unwrap_err();
            assert_eq!(error.code(), "signature_invalid");
            assert!(
                error.to_string().contains(expected),
                "{input:?}: {error} (wanted {expected})"
            );
        }
    }

    #[test]
    fn a_keyid_that_is_not_a_key_is_refused() {
        assert!(key_from_id("station-1").is_err());
        assert!(key_from_id(&key_id(&[9; 32])).is_ok());
        assert_eq!(new_nonce().len(), 22);
        assert_ne!(new_nonce(), new_nonce());
    }
}
