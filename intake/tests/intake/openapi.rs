//! The intake against its OpenAPI document, `schemas/intake-api.yaml`: real intakes on loopback,
//! real requests, and every answer checked against what the document allows.
//!
//! Each answer must have a status its operation documents, every header the document marks
//! `required` (matching the header's schema whenever a documented header is present), a JSON body
//! that validates against the documented schema (draft 2020-12, formats checked) or no body
//! where none is documented. A request the intake accepted must also satisfy the documented
//! parameters and request body, so the document cannot ask more than the server needs. At the
//! end every documented (path, method, status) must have been answered at least once or be
//! named in [`NOT_PROVOKED`] with its reason, so the document carries no dead entries either.
//! Other checks here: the error codes the document lists are exactly `IntakeError::code`'s,
//! each narrowed to the status the server gives it, every method the document does not list
//! on a path is refused with `405` and an `Allow` naming exactly the documented ones, and the
//! document asks a signature (RFC 9421) of exactly [`SIGNED_OPERATIONS`].
//!
//! Requests are made as a station makes them: [`Conformance::send`] signs a request to a signed
//! operation with the request key of the station the test acts as ([`Conformance::act_as`]);
//! the refusals of signatures are provoked with [`Conformance::send_unsigned`] and
//! [`Conformance::exchange`] of a request signed by hand.
//!
//! Deliberately absent: checking the document against the OpenAPI meta-schema (no copy of it is
//! at hand offline; the structure this test reads is checked as it reads it), and what each
//! answer means beyond its shape (the other tests of this binary do that).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::SigningKey;
use enroll_intake::packet_status::PacketStatus;
use enroll_intake::{spawn, IntakeConfig, IntakeError, RunningIntake, StationRegistry};
use enroll_packet::register_config::ConfigKind;
use enroll_packet::request_signature as rs;
use enroll_packet::{RegisterKeyPair, RegisterPublicKeys, SignedReceipt, StationSigningKey};
use reqwest::header::HeaderMap;
use reqwest::{Client, Method, Request, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use super::{checksum, copy_keys, metadata, sealed_packet, sha256_hex};

const DOCUMENT: &str = include_str!("../../../schemas/intake-api.yaml");
const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";
/// Small, so that `413 upload_too_large` needs no large request.
const MAX_UPLOAD_BYTES: u64 = 1024 * 1024;

/// Documented answers this test cannot provoke from outside, each with the reason. Entries are
/// checked too: each must be documented and must not be provoked after all.
const NOT_PROVOKED: &[(&str, &str, u16, &str)] = &[
    (
        "/v1/stations",
        "post",
        500,
        "registration touches only SQLite, which cannot be broken under a live connection without corrupting it",
    ),
    (
        "/v1/uploads/{id}",
        "head",
        500,
        "HEAD reads only SQLite (see the 500 of POST /v1/stations)",
    ),
    (
        "/v1/uploads/{id}/receipt",
        "get",
        500,
        "a receipt is read only from SQLite (see the 500 of POST /v1/stations)",
    ),
];

/// The operations a station signs (the document's "Signed requests"), by path template and
/// lower-case method: [`Conformance::send`] signs these, and the document must ask
/// `Signature-Input` and `Signature` of exactly these.
const SIGNED_OPERATIONS: &[(&str, &str)] = &[
    ("/v1/uploads", "post"),
    ("/v1/uploads/{id}", "head"),
    ("/v1/uploads/{id}", "patch"),
    ("/v1/uploads/{id}", "delete"),
    ("/v1/uploads/{id}/receipt", "get"),
    ("/v1/packets/status", "post"),
    ("/v1/config", "get"),
];

/// What a request sent, as the checks of its answer need it.
struct Sent<'a> {
    path: &'a str,
    query: &'a [(String, String)],
    headers: &'a HeaderMap,
    body: Option<&'a [u8]>,
}

/// One documented answer: path template, lower-case method, status.
type AnswerKey = (String, String, u16);

/// The OpenAPI document, read once, with its JSON Schemas ready to validate against.
struct ApiDocument {
    document: Value,
    /// `components.schemas` with every `#/components/schemas/X` turned into `#/$defs/X`, so that
    /// any schema of the document validates as the root of `{"$defs": ..., "allOf": [schema]}`.
    definitions: Value,
    validators: HashMap<String, jsonschema::Validator>,
}

impl ApiDocument {
    fn load() -> ApiDocument {
        let document: Value = serde_norway::from_str(DOCUMENT).expect("schemas/intake-api.yaml is YAML");
        assert_eq!(document["openapi"], "3.1.0");
        assert_eq!(document["jsonSchemaDialect"], DIALECT);
        let definitions = schema_refs_as_defs(&document["components"]["schemas"]);
        let mut api = ApiDocument {
            document,
            definitions,
            validators: HashMap::new(),
        };
        // Compiling each named schema once finds a dangling `$ref` even in a schema that no
        // answer reaches.
        let names: Vec<String> = object(&api.document["components"]["schemas"], "components.schemas")
            .keys()
            .cloned()
            .collect();
        for name in names {
            api.validator(&json!({ "$ref": format!("#/components/schemas/{name}") }));
        }
        api
    }

    /// Follows an OpenAPI `$ref` (to a response, header or parameter) within the document.
    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference
                    .strip_prefix('#')
                    .unwrap_or_else(|| panic!("only local references are expected: {reference}"));
                let target = self
                    .document
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("dangling reference {reference}"));
                self.resolve(target)
            }
            None => value,
        }
    }

    fn paths(&self) -> &serde_json::Map<String, Value> {
        object(&self.document["paths"], "paths")
    }

    /// The path template (`/v1/uploads/{id}`) that a concrete request path falls under.
    fn template_of(&self, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.split('/').collect();
        let mut matching = self.paths().keys().filter(|template| {
            let template_segments: Vec<&str> = template.split('/').collect();
            template_segments.len() == segments.len()
                && template_segments
                    .iter()
                    .zip(&segments)
                    .all(|(expected, actual)| (expected.starts_with('{') && !actual.is_empty()) || expected == actual)
        });
        let template = matching.next().cloned();
        assert!(matching.next().is_none(), "{path} matches two documented paths");
        template
    }

    /// Every (path, method, status) the document lists.
    fn documented_answers(&self) -> BTreeSet<AnswerKey> {
        let mut answers = BTreeSet::new();
        for (template, item) in self.paths() {
            for (method, operation) in operations(item) {
                for status in object(&operation["responses"], "responses").keys() {
                    let status: u16 = status
                        .parse()
                        .unwrap_or_else(|_| panic!("{method} {template}: status {status} is not a number"));
                    answers.insert((template.clone(), method.to_owned(), status));
                }
            }
        }
        answers
    }

    /// The errors (`{code, message}`) a response allows, when its schema narrows the code.
    fn narrowed_error_codes(&self, response: &Value) -> Option<Vec<String>> {
        let schema = self.resolve(response).pointer("/content/application~1json/schema")?;
        // A named error schema (`ServerError`, `SignatureRefused`...) narrows the code itself.
        let schema = match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| reference.strip_prefix("#/components/schemas/"))
        {
            Some(name) => &self.document["components"]["schemas"][name],
            None => schema,
        };
        let narrowing = schema.get("allOf")?.get(1)?.pointer("/properties/code")?;
        if let Some(code) = narrowing.get("const").and_then(Value::as_str) {
            return Some(vec![code.to_owned()]);
        }
        let codes = narrowing.get("enum")?.as_array()?;
        Some(codes.iter().map(|code| code.as_str().unwrap().to_owned()).collect())
    }

    /// A validator for `schema`, a JSON Schema taken from the document.
    fn validator(&mut self, schema: &Value) -> &jsonschema::Validator {
        let key = schema.to_string();
        if !self.validators.contains_key(&key) {
            let root = json!({
                "$schema": DIALECT,
                "$defs": self.definitions,
                "allOf": [schema_refs_as_defs(schema)],
            });
            let validator = jsonschema::draft202012::options()
                .should_validate_formats(true)
                .build(&root)
                .unwrap_or_else(|error| panic!("the schema {schema} does not compile: {error}"));
            self.validators.insert(key.clone(), validator);
        }
        &self.validators[&key]
    }

    /// Why `instance` does not validate against `schema`; empty when it does.
    fn violations(&mut self, schema: &Value, instance: &Value) -> Vec<String> {
        self.validator(schema)
            .iter_errors(instance)
            .map(|error| format!("at '{}': {error}", error.instance_path()))
            .collect()
    }
}

/// The operations of a path item, by lower-case method.
fn operations(item: &Value) -> impl Iterator<Item = (&str, &Value)> {
    const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    object(item, "path item")
        .iter()
        .filter(|(key, _)| METHODS.contains(&key.as_str()))
        .map(|(method, operation)| (method.as_str(), operation))
}

fn object<'a>(value: &'a Value, what: &str) -> &'a serde_json::Map<String, Value> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("{what} must be a mapping in the document"))
}

/// A copy of `schema` whose references to `#/components/schemas/X` point to `#/$defs/X`.
fn schema_refs_as_defs(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let value = match (key.as_str(), value) {
                        ("$ref", Value::String(reference)) => {
                            Value::String(reference.replacen("#/components/schemas/", "#/$defs/", 1))
                        }
                        _ => schema_refs_as_defs(value),
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(schema_refs_as_defs).collect()),
        other => other.clone(),
    }
}

/// What the intake answered, read whole.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} in the answer"))
            .to_str()
            .unwrap()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.text()))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts the status, so that what the test counts as exercised is what it meant to provoke.
    #[track_caller]
    fn expect(&self, status: u16) -> &Answer {
        assert_eq!(self.status.as_u16(), status, "{}", self.text());
        self
    }

    /// Asserts a refusal: its status and its stable code.
    #[track_caller]
    fn expect_refusal(&self, status: u16, code: &str) {
        self.expect(status);
        assert_eq!(self.json()["code"], code, "{}", self.text());
    }
}

/// Sends requests, checks every answer against the document and remembers what was answered.
struct Conformance {
    api: ApiDocument,
    http: Client,
    exercised: BTreeSet<AnswerKey>,
    /// Every disagreement between an answer and the document, reported together at the end.
    findings: Vec<String>,
    /// The request key of the station the test acts as; [`Conformance::send`] signs with it.
    signer: Option<SigningKey>,
}

impl Conformance {
    fn new() -> Conformance {
        Conformance {
            api: ApiDocument::load(),
            http: Client::new(),
            exercised: BTreeSet::new(),
            findings: Vec::new(),
            signer: None,
        }
    }

    /// From now on, requests to signed operations are signed with `station`'s request key.
    fn act_as(&mut self, station: &Station) {
        self.signer = Some(station.request_key.clone());
    }

    fn request(&self, method: Method, url: &str) -> RequestBuilder {
        self.http.request(method, url)
    }

    /// Whether `request` is to an operation a station signs.
    fn is_signed(&self, request: &Request) -> bool {
        let method = request.method().as_str().to_ascii_lowercase();
        self.api
            .template_of(request.url().path())
            .is_some_and(|template| SIGNED_OPERATIONS.contains(&(template.as_str(), method.as_str())))
    }

    /// Sends `request` as a station does (signed now by the station the test acts as, when its
    /// operation is signed) and checks its answer; the caller asserts what it meant to provoke.
    async fn send(&mut self, request: RequestBuilder) -> Answer {
        let mut request = request.build().unwrap();
        if self.is_signed(&request) {
            let key = self
                .signer
                .as_ref()
                .expect("act as a station (Conformance::act_as) before sending a signed request");
            sign(&mut request, key, unix_now());
        }
        self.exchange(request).await
    }

    /// Sends `request` without a signature, whatever its operation.
    async fn send_unsigned(&mut self, request: RequestBuilder) -> Answer {
        self.exchange(request.build().unwrap()).await
    }

    /// `request` signed with `key` as if at `created` (Unix seconds), to send with
    /// [`Conformance::exchange`], changed or not.
    fn signed(&self, request: RequestBuilder, key: &SigningKey, created: i64) -> Request {
        let mut request = request.build().unwrap();
        sign(&mut request, key, created);
        request
    }

    /// Sends `request` exactly as it is and checks its answer.
    async fn exchange(&mut self, request: Request) -> Answer {
        let method = request.method().as_str().to_ascii_lowercase();
        let path = request.url().path().to_owned();
        let query: Vec<(String, String)> = request
            .url()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let sent_headers = request.headers().clone();
        let sent_body = request.body().and_then(|body| body.as_bytes()).map(<[u8]>::to_vec);
        let response = self.http.execute(request).await.unwrap();
        let answer = Answer {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.bytes().await.unwrap().to_vec(),
        };
        let context = format!("{} {path} → {}", method.to_uppercase(), answer.status.as_u16());
        match self.api.template_of(&path) {
            None => self.findings.push(format!("{context}: no documented path")),
            Some(template) => {
                let sent = Sent {
                    path: &path,
                    query: &query,
                    headers: &sent_headers,
                    body: sent_body.as_deref(),
                };
                let problems = self.check(&template, &method, &sent, &answer);
                self.findings
                    .extend(problems.into_iter().map(|problem| format!("{context}: {problem}")));
                self.exercised.insert((template, method, answer.status.as_u16()));
            }
        }
        answer
    }

    /// What is wrong with this exchange according to the document; empty when it conforms.
    fn check(&mut self, template: &str, method: &str, sent: &Sent<'_>, answer: &Answer) -> Vec<String> {
        let mut problems = Vec::new();
        let item = self.api.document["paths"][template].clone();
        let Some(operation) = item.get(method).cloned() else {
            return vec![format!("{method} is not documented on {template}")];
        };
        let status = answer.status.as_u16().to_string();
        let Some(response) = operation["responses"].get(&status) else {
            let documented: Vec<&String> = object(&operation["responses"], "responses").keys().collect();
            return vec![format!(
                "status {status} is not documented (documented: {documented:?}); body: {}",
                answer.text()
            )];
        };
        let response = self.api.resolve(response).clone();

        // Headers: the required ones are there; any documented one matches its schema.
        if let Some(headers) = response.get("headers") {
            for (name, header) in object(headers, "headers") {
                let header = self.api.resolve(header).clone();
                match answer.headers.get(name.to_ascii_lowercase()) {
                    None if header["required"] == true => problems.push(format!("required header {name} is missing")),
                    None => {}
                    Some(value) => {
                        let value = Value::String(value.to_str().unwrap_or("<not ASCII>").to_owned());
                        for violation in self.api.violations(&header["schema"], &value) {
                            problems.push(format!("header {name}: {value} {violation}"));
                        }
                    }
                }
            }
        }

        // Body: JSON that validates, of a documented media type, or none at all.
        match response.get("content") {
            None if !answer.body.is_empty() => {
                problems.push(format!("no body is documented, but one came: {}", answer.text()))
            }
            None => {}
            Some(content) => {
                let media_type = answer
                    .headers
                    .get("content-type")
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| value.split(';').next())
                    .unwrap_or("")
                    .trim()
                    .to_owned();
                match content.get(&media_type) {
                    None => problems.push(format!(
                        "content type '{media_type}' is not documented (documented: {:?})",
                        object(content, "content").keys().collect::<Vec<_>>()
                    )),
                    Some(media) => match serde_json::from_slice::<Value>(&answer.body) {
                        Err(error) => problems.push(format!("the body is not JSON ({error}): {}", answer.text())),
                        Ok(body) => {
                            for violation in self.api.violations(&media["schema"], &body) {
                                problems.push(format!("body {violation}; body: {body}"));
                            }
                        }
                    },
                }
            }
        }

        // A request the intake accepted must satisfy the documented request, or the document
        // asks more than the server needs.
        if answer.status.is_success() {
            problems.extend(self.check_accepted_request(&item, &operation, template, sent));
        }
        problems
    }

    fn check_accepted_request(
        &mut self,
        item: &Value,
        operation: &Value,
        template: &str,
        sent: &Sent<'_>,
    ) -> Vec<String> {
        let (path, sent_headers, sent_body) = (sent.path, sent.headers, sent.body);
        let mut problems = Vec::new();
        let parameters: Vec<Value> = [item.get("parameters"), operation.get("parameters")]
            .into_iter()
            .flatten()
            .flat_map(|list| list.as_array().cloned().unwrap_or_default())
            .map(|parameter| self.api.resolve(&parameter).clone())
            .collect();
        for parameter in &parameters {
            let name = parameter["name"].as_str().unwrap();
            let value = match parameter["in"].as_str() {
                Some("header") => sent_headers
                    .get(name.to_ascii_lowercase())
                    .map(|value| value.to_str().unwrap().to_owned()),
                Some("path") => template
                    .split('/')
                    .zip(path.split('/'))
                    .find(|(segment, _)| *segment == format!("{{{name}}}"))
                    .map(|(_, value)| value.to_owned()),
                Some("query") => sent
                    .query
                    .iter()
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| value.clone()),
                other => panic!("parameters in {other:?} are not expected in this API"),
            };
            match value {
                None if parameter["required"] == true => {
                    problems.push(format!("accepted without the required parameter {name}"))
                }
                None => {}
                Some(value) => {
                    // A query's integer is text on the wire; the document's schema says number.
                    let instance = match parameter["schema"]["type"].as_str() {
                        Some("integer") => value
                            .parse::<i64>()
                            .map(Value::from)
                            .unwrap_or_else(|_| Value::String(value.clone())),
                        _ => Value::String(value.clone()),
                    };
                    for violation in self.api.violations(&parameter["schema"], &instance) {
                        problems.push(format!("accepted parameter {name}: '{value}' {violation}"));
                    }
                }
            }
        }
        for (key, _) in sent.query {
            let documented = parameters
                .iter()
                .any(|parameter| parameter["in"] == "query" && parameter["name"] == key.as_str());
            if !documented {
                problems.push(format!("accepted the undocumented query parameter {key}"));
            }
        }
        if let Some(request_body) = operation.get("requestBody") {
            let media_type = sent_headers
                .get("content-type")
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.split(';').next())
                .unwrap_or("")
                .trim()
                .to_owned();
            match request_body["content"].get(&media_type) {
                None => problems.push(format!("accepted a body of undocumented type '{media_type}'")),
                Some(media) if media_type == "application/json" => {
                    let body: Value = serde_json::from_slice(sent_body.unwrap_or_default()).unwrap();
                    for violation in self.api.violations(&media["schema"], &body) {
                        problems.push(format!("accepted request body {violation}"));
                    }
                }
                Some(_) => {}
            }
        }
        problems
    }

    /// Whether the documented request body of an operation allows `body`.
    fn request_body_allows(&mut self, template: &str, method: &str, body: &Value) -> bool {
        let schema = self.api.document["paths"][template][method]["requestBody"]["content"]["application/json"]
            ["schema"]
            .clone();
        self.api.violations(&schema, body).is_empty()
    }

    // ---- requests, as a station makes them ------------------------------------------------

    /// `POST /v1/stations` for `station`, with its request key and the packet key's proof.
    async fn register(&mut self, intake: &Intake, station: &Station, enrollment_code: Option<&str>) -> Answer {
        let body = station.registration(enrollment_code);
        self.register_json(intake, &body).await
    }

    /// `POST /v1/stations` with a bare public key and no request key.
    async fn register_station(
        &mut self,
        intake: &Intake,
        station_id: &str,
        public_key: &[u8; 32],
        enrollment_code: Option<&str>,
    ) -> Answer {
        let mut body = json!({
            "station_id": station_id,
            "name": "Mobile team 7",
            "public_key": BASE64.encode(public_key),
        });
        if let Some(code) = enrollment_code {
            body["enrollment_code"] = code.into();
        }
        self.register_json(intake, &body).await
    }

    async fn register_json(&mut self, intake: &Intake, body: &Value) -> Answer {
        let request = self.request(Method::POST, &intake.url("/v1/stations")).json(body);
        self.send(request).await
    }

    async fn register_raw(&mut self, intake: &Intake, body: &str) -> Answer {
        let request = self
            .request(Method::POST, &intake.url("/v1/stations"))
            .header("content-type", "application/json")
            .body(body.to_owned());
        self.send(request).await
    }

    fn create_request(
        &self,
        intake: &Intake,
        envelope: &[u8],
        registration_id: &str,
        station_id: &str,
    ) -> RequestBuilder {
        self.request(Method::POST, &intake.url("/v1/uploads"))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", envelope.len().to_string())
            .header(
                "Upload-Metadata",
                metadata(registration_id, station_id, &sha256_hex(envelope)),
            )
    }

    async fn create(&mut self, intake: &Intake, envelope: &[u8], registration_id: &str, station_id: &str) -> Answer {
        let request = self.create_request(intake, envelope, registration_id, station_id);
        self.send(request).await
    }

    /// Creates an upload and returns its absolute URL.
    async fn create_ok(&mut self, intake: &Intake, envelope: &[u8], registration_id: &str, station_id: &str) -> String {
        let answer = self.create(intake, envelope, registration_id, station_id).await;
        answer.expect(201);
        intake.url(answer.header("location"))
    }

    fn patch_request(&self, upload: &str, offset: usize, bytes: &[u8], checksum: Option<String>) -> RequestBuilder {
        let request = self
            .request(Method::PATCH, upload)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", offset.to_string())
            .header("Content-Type", "application/offset+octet-stream")
            .body(bytes.to_vec());
        match checksum {
            Some(checksum) => request.header("Upload-Checksum", checksum),
            None => request,
        }
    }

    async fn patch(&mut self, upload: &str, offset: usize, bytes: &[u8], checksum: Option<String>) -> Answer {
        let request = self.patch_request(upload, offset, bytes, checksum);
        self.send(request).await
    }

    /// Sends the rest of `envelope` from `offset` in checksummed pieces; the last answer.
    async fn upload_from(&mut self, upload: &str, envelope: &[u8], mut offset: usize) -> Answer {
        loop {
            let end = (offset + 4096).min(envelope.len());
            let piece = &envelope[offset..end];
            let answer = self.patch(upload, offset, piece, Some(checksum(piece))).await;
            if end == envelope.len() || answer.status != StatusCode::NO_CONTENT {
                return answer;
            }
            offset = end;
        }
    }

    fn tus_request(&self, method: Method, upload: &str) -> RequestBuilder {
        self.request(method, upload).header("Tus-Resumable", "1.0.0")
    }

    async fn tus(&mut self, method: Method, upload: &str) -> Answer {
        let request = self.tus_request(method, upload);
        self.send(request).await
    }

    fn receipt_request(&self, upload: &str) -> RequestBuilder {
        self.request(Method::GET, &format!("{upload}/receipt"))
    }

    async fn receipt(&mut self, upload: &str) -> Answer {
        let request = self.receipt_request(upload);
        self.send(request).await
    }

    /// `POST /v1/packets/status` with `body` as it is, and `content_digest` as the station's
    /// `Content-Digest` (none when `None`).
    fn status_request(&self, intake: &Intake, body: &[u8], content_digest: Option<String>) -> RequestBuilder {
        let request = self
            .request(Method::POST, &intake.url("/v1/packets/status"))
            .header("Content-Type", "application/json")
            .body(body.to_vec());
        match content_digest {
            Some(digest) => request.header("Content-Digest", digest),
            None => request,
        }
    }

    /// Asks where `registration_ids` stand, as a station does: the body's digest in
    /// `Content-Digest`, both covered by the signature.
    async fn statuses(&mut self, intake: &Intake, registration_ids: &[&str]) -> Answer {
        let body = json!({ "registration_ids": registration_ids }).to_string();
        let request = self.status_request(intake, body.as_bytes(), Some(content_digest(body.as_bytes())));
        self.send(request).await
    }

    /// Fails with every finding, then with every documented answer neither provoked nor excused.
    fn assert_conforms_and_covers_the_document(&self) {
        assert!(
            self.findings.is_empty(),
            "answers the document does not allow:\n{}",
            self.findings.join("\n")
        );
        let documented = self.api.documented_answers();
        let excused: BTreeMap<AnswerKey, &str> = NOT_PROVOKED
            .iter()
            .map(|(path, method, status, reason)| (((*path).to_owned(), (*method).to_owned(), *status), *reason))
            .collect();
        for key in excused.keys() {
            assert!(
                documented.contains(key),
                "NOT_PROVOKED names {key:?}, which is not documented"
            );
            assert!(
                !self.exercised.contains(key),
                "{key:?} was provoked after all; remove it from NOT_PROVOKED"
            );
        }
        let never_answered: Vec<&AnswerKey> = documented
            .iter()
            .filter(|key| !self.exercised.contains(*key) && !excused.contains_key(*key))
            .collect();
        assert!(
            never_answered.is_empty(),
            "documented but never answered (provoke them, or name them in NOT_PROVOKED with why): {never_answered:#?}"
        );
    }
}

/// One intake in its own temp dir.
struct Intake {
    dir: tempfile::TempDir,
    register: RegisterKeyPair,
    running: RunningIntake,
}

impl Intake {
    /// With manual station approval (the default) unless `adjust` says otherwise.
    async fn start(adjust: impl FnOnce(IntakeConfig) -> IntakeConfig) -> Intake {
        let dir = tempfile::tempdir().unwrap();
        let register = RegisterKeyPair::generate();
        let mut config = IntakeConfig::new(dir.path().join("intake"), copy_keys(&register));
        config.max_upload_bytes = MAX_UPLOAD_BYTES;
        let running = spawn(adjust(config), "127.0.0.1:0".parse().unwrap()).await.unwrap();
        Intake { dir, register, running }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("intake")
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url())
    }

    fn public_keys(&self) -> RegisterPublicKeys {
        self.register.public_keys()
    }

    /// The register operator's side, on the same database.
    fn registry(&self) -> StationRegistry {
        StationRegistry::open(&self.data_dir()).unwrap()
    }

    /// Where the intake keeps the bytes of an upload so far.
    fn part_file(&self, upload: &str) -> PathBuf {
        let upload_id = upload.rsplit('/').next().unwrap();
        self.data_dir().join("uploads").join(format!("{upload_id}.part"))
    }
}

/// A station: its id, its packet signing key, and the key that signs its requests.
struct Station {
    id: &'static str,
    key: StationSigningKey,
    request_key: SigningKey,
}

impl Station {
    fn new(id: &'static str) -> Station {
        Station {
            id,
            key: StationSigningKey::generate(),
            request_key: StationSigningKey::generate().0,
        }
    }

    /// The same station (id and packet key) with a new request key, as after a rotation.
    fn with_new_request_key(&self) -> Station {
        Station {
            id: self.id,
            key: StationSigningKey(self.key.0.clone()),
            request_key: StationSigningKey::generate().0,
        }
    }

    /// The body of its `POST /v1/stations`: with its request key and the packet key's proof.
    fn registration(&self, enrollment_code: Option<&str>) -> Value {
        let request_key = self.request_key.verifying_key().to_bytes();
        let proof = enroll_packet::signing::request_key_proof(&self.key.0, self.id, &request_key);
        let mut body = json!({
            "station_id": self.id,
            "name": "Mobile team 7",
            "public_key": BASE64.encode(self.key.public_key()),
            "request_key": BASE64.encode(request_key),
            "request_key_proof": BASE64.encode(proof),
        });
        if let Some(code) = enrollment_code {
            body["enrollment_code"] = code.into();
        }
        body
    }

    fn packet(&self, intake: &Intake, registration_id: &str) -> Vec<u8> {
        sealed_packet(&self.key, self.id, registration_id, &intake.public_keys())
    }
}

/// A `PATCH` that has sent its headers and no byte of its body: it holds the upload's lock until
/// it is dropped.
struct HeldPatch {
    _connection: tokio::net::TcpStream,
}

impl HeldPatch {
    /// Signed with `request_key`, as the upload's station.
    async fn start(intake: &Intake, upload: &str, offset: usize, request_key: &SigningKey) -> HeldPatch {
        use tokio::io::AsyncWriteExt as _;
        let addr = intake.running.local_addr();
        let path = upload.split_once(&addr.to_string()).unwrap().1;
        let parts = rs::RequestParts {
            method: "PATCH".into(),
            path: path.to_owned(),
            query: None,
            headers: vec![
                ("tus-resumable".into(), "1.0.0".into()),
                ("upload-offset".into(), offset.to_string()),
                ("content-type".into(), "application/offset+octet-stream".into()),
                ("content-length".into(), "100".into()),
            ],
        };
        let fields = signature_fields(&parts, request_key, unix_now());
        let mut connection = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "PATCH {path} HTTP/1.1\r\nHost: {addr}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\n\
             Content-Type: application/offset+octet-stream\r\nContent-Length: 100\r\n\
             Signature-Input: {}\r\nSignature: {}\r\n\r\n",
            fields.signature_input, fields.signature
        );
        connection.write_all(request.as_bytes()).await.unwrap();
        connection.flush().await.unwrap();
        HeldPatch {
            _connection: connection,
        }
    }

    /// Whether the intake answered the held request already: it found the upload locked by
    /// another request (a probe of the test's) and refused it, so it holds nothing.
    fn was_answered(&self) -> bool {
        let mut byte = [0u8; 1];
        !matches!(self._connection.try_read(&mut byte), Err(error) if error.kind() == std::io::ErrorKind::WouldBlock)
    }
}

const REGISTRATION_ID: &str = "10007-20250301-000001";

/// Seconds since the Unix epoch by this machine's clock, which the intake on loopback shares.
fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The `Signature-Input` and `Signature` of `parts` signed with `key` at `created`, covering
/// what the profile asks (`rs::components_to_cover`).
fn signature_fields(parts: &rs::RequestParts, key: &SigningKey, created: i64) -> rs::SignatureFields {
    rs::sign_as_station(parts, key, created).unwrap()
}

/// Signs `request` with `key` as a station does (RFC 9421 under the document's profile).
fn sign(request: &mut Request, key: &SigningKey, created: i64) {
    let parts = rs::RequestParts {
        method: request.method().to_string(),
        path: request.url().path().to_owned(),
        query: request.url().query().map(str::to_owned),
        headers: request
            .headers()
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect(),
    };
    let fields = signature_fields(&parts, key, created);
    request
        .headers_mut()
        .insert("signature-input", fields.signature_input.parse().unwrap());
    request
        .headers_mut()
        .insert("signature", fields.signature.parse().unwrap());
}

/// `Content-Digest` (RFC 9530) of `body`: `sha-256=:<standard base64 of its SHA-256>:`.
fn content_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", BASE64.encode(Sha256::digest(body)))
}

/// Flips one bit of `request`'s signature, which then no longer verifies.
fn tamper_with_signature(request: &mut Request) {
    let field = request.headers()["signature"].to_str().unwrap().to_owned();
    let (label, bytes) = field.split_once("=:").unwrap();
    let mut bytes = BASE64.decode(bytes.trim_end_matches(':')).unwrap();
    bytes[0] ^= 0x01;
    let tampered = format!("{label}=:{}:", BASE64.encode(bytes));
    request.headers_mut().insert("signature", tampered.parse().unwrap());
}

#[tokio::test]
async fn every_answer_of_the_intake_is_one_its_openapi_document_allows() {
    let mut api = Conformance::new();
    service_and_capabilities(&mut api).await;
    onboarding(&mut api).await;
    uploads(&mut api).await;
    expiry(&mut api).await;
    packet_statuses(&mut api).await;
    configuration(&mut api).await;
    failures_on_the_intakes_side(&mut api).await;
    api.assert_conforms_and_covers_the_document();
}

async fn service_and_capabilities(api: &mut Conformance) {
    let intake = Intake::start(|config| config).await;
    let health = api.send(api.request(Method::GET, &intake.url("/v1/health"))).await;
    health.expect(200);
    let keys = api
        .send(api.request(Method::GET, &intake.url("/v1/register-keys")))
        .await;
    keys.expect(200);
    assert_eq!(keys.json()["key_id"], intake.public_keys().key_id().to_hex());

    // OPTIONS needs no Tus-Resumable; it is served on the collection and on an upload alike.
    for path in ["/v1/uploads".to_owned(), format!("/v1/uploads/{}", "0".repeat(32))] {
        let options = api.send(api.request(Method::OPTIONS, &intake.url(&path))).await;
        options.expect(204);
        assert_eq!(options.header("tus-max-size"), MAX_UPLOAD_BYTES.to_string());
    }
    intake.running.shutdown().await;
}

/// Registration, codes, approval and revocation, on an intake whose operator approves stations.
async fn onboarding(api: &mut Conformance) {
    let intake = Intake::start(|config| config).await;
    let registry = intake.registry();
    let waiting = Station::new("ST-WAIT");

    let answer = api.register(&intake, &waiting, None).await;
    answer.expect(201);
    assert_eq!(answer.json()["status"], "pending");
    let answer = api.register(&intake, &waiting, None).await;
    answer.expect(200);
    assert_eq!(answer.json()["status"], "pending");
    // A pending station's request key is known, but the station may not upload yet.
    let envelope = waiting.packet(&intake, REGISTRATION_ID);
    api.act_as(&waiting);
    api.create(&intake, &envelope, REGISTRATION_ID, waiting.id)
        .await
        .expect_refusal(403, "station_pending");

    let other_key = StationSigningKey::generate().public_key();
    api.register_station(&intake, waiting.id, &other_key, None)
        .await
        .expect_refusal(409, "station_exists");
    api.register_station(&intake, "ST-GUESS", &other_key, Some("0000-0000-0000"))
        .await
        .expect_refusal(403, "enrollment_code_invalid");

    let mut small_order = [0u8; 32];
    small_order[0] = 1;
    api.register_station(&intake, "ST-WEAK", &small_order, None)
        .await
        .expect_refusal(400, "bad_request");
    let unknown_field = json!({
        "station_id": "ST-X", "name": "n", "public_key": BASE64.encode(other_key), "role": "admin",
    });
    let empty_id = json!({"station_id": "", "name": "n", "public_key": BASE64.encode(other_key)});
    // A request key and its proof come together.
    let halves = Station::new("ST-HALF");
    let mut key_without_proof = halves.registration(None);
    key_without_proof.as_object_mut().unwrap().remove("request_key_proof");
    let mut proof_without_key = halves.registration(None);
    proof_without_key.as_object_mut().unwrap().remove("request_key");
    for body in [unknown_field, empty_id, key_without_proof, proof_without_key] {
        assert!(
            !api.request_body_allows("/v1/stations", "post", &body),
            "the document allows a body the intake refuses: {body}"
        );
        api.register_raw(&intake, &body.to_string())
            .await
            .expect_refusal(400, "bad_request");
    }
    api.register_raw(&intake, "not json")
        .await
        .expect_refusal(400, "bad_request");
    // Refusals the document's schema cannot see: a proof for another station id, and a request
    // key another station holds (with a proof that does verify).
    let misproven = Station::new("ST-MISPROVEN");
    let mut body = misproven.registration(None);
    body["request_key_proof"] = BASE64
        .encode(enroll_packet::signing::request_key_proof(
            &misproven.key.0,
            "ST-ELSEWHERE",
            &misproven.request_key.verifying_key().to_bytes(),
        ))
        .into();
    assert!(api.request_body_allows("/v1/stations", "post", &body));
    api.register_json(&intake, &body)
        .await
        .expect_refusal(400, "bad_request");
    let copycat = Station {
        request_key: waiting.request_key.clone(),
        ..Station::new("ST-COPYCAT")
    };
    api.register(&intake, &copycat, None)
        .await
        .expect_refusal(400, "bad_request");

    // A code approves a new station at once, and a pending one that brings it later.
    let coded = Station::new("ST-CODE");
    let code = registry.issue_code(Duration::from_secs(3600)).unwrap().code;
    let answer = api.register(&intake, &coded, Some(&code)).await;
    answer.expect(201);
    assert_eq!(answer.json()["status"], "approved");
    let code = registry.issue_code(Duration::from_secs(3600)).unwrap().code;
    let answer = api.register(&intake, &waiting, Some(&code)).await;
    answer.expect(200);
    assert_eq!(answer.json()["status"], "approved");

    // A station carries another's packet: the upload is the carrier's, and the declared station
    // must still be approved when the packet completes.
    api.act_as(&coded);
    let carried = api.create_ok(&intake, &envelope, REGISTRATION_ID, waiting.id).await;

    // Revoked: registration says so, and no upload is created or completed, whether the
    // revoked station signs the request or is the one declared.
    registry.revoke(waiting.id).unwrap();
    let answer = api.register(&intake, &waiting, None).await;
    answer.expect(200);
    assert_eq!(answer.json()["status"], "revoked");
    api.patch(&carried, 0, &envelope, Some(checksum(&envelope)))
        .await
        .expect_refusal(403, "station_revoked");
    api.create(&intake, &envelope, REGISTRATION_ID, waiting.id)
        .await
        .expect_refusal(403, "station_revoked");
    // The signer is checked first: only an approved one learns that the declared station is unknown.
    api.create(&intake, &envelope, REGISTRATION_ID, "ST-NOBODY")
        .await
        .expect_refusal(403, "unknown_station");
    api.act_as(&waiting);
    api.create(&intake, &envelope, REGISTRATION_ID, waiting.id)
        .await
        .expect_refusal(403, "station_revoked");

    // A station revoked while its upload is open can no longer touch it.
    let envelope = coded.packet(&intake, REGISTRATION_ID);
    api.act_as(&coded);
    let upload = api.create_ok(&intake, &envelope, REGISTRATION_ID, coded.id).await;
    registry.revoke(coded.id).unwrap();
    api.patch(&upload, 0, &envelope, Some(checksum(&envelope)))
        .await
        .expect_refusal(403, "station_revoked");
    api.tus(Method::HEAD, &upload).await.expect(403);
    api.tus(Method::DELETE, &upload)
        .await
        .expect_refusal(403, "station_revoked");
    api.receipt(&upload).await.expect_refusal(403, "station_revoked");
    intake.running.shutdown().await;
}

/// The tus flow and every refusal of it, on an intake that approves stations itself.
async fn uploads(api: &mut Conformance) {
    let intake = Intake::start(IntakeConfig::approving_stations_automatically).await;
    let station = Station::new("ST-0007");
    api.register(&intake, &station, None).await.expect(201);
    api.act_as(&station);
    let envelope = station.packet(&intake, REGISTRATION_ID);

    // Creation, refused.
    let without_version = api
        .request(Method::POST, &intake.url("/v1/uploads"))
        .header("Upload-Length", "10");
    api.send(without_version)
        .await
        .expect_refusal(412, "unsupported_tus_version");
    let good_metadata = metadata(REGISTRATION_ID, station.id, &sha256_hex(&envelope));
    for (length, metadata, status, code) in [
        ("0", Some(good_metadata.as_str()), 400, "bad_request"),
        ("100", None, 400, "bad_request"),
        ("2000000", Some(good_metadata.as_str()), 413, "upload_too_large"),
    ] {
        let mut request = api
            .request(Method::POST, &intake.url("/v1/uploads"))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", length);
        if let Some(metadata) = metadata {
            request = request.header("Upload-Metadata", metadata);
        }
        api.send(request).await.expect_refusal(status, code);
    }
    let deferred = api
        .request(Method::POST, &intake.url("/v1/uploads"))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Defer-Length", "1")
        .header("Upload-Metadata", good_metadata.as_str());
    api.send(deferred).await.expect_refusal(400, "bad_request");

    // Created; the first chunk, and every way a PATCH is refused.
    let upload = api.create_ok(&intake, &envelope, REGISTRATION_ID, station.id).await;
    let head = api.tus(Method::HEAD, &upload).await;
    head.expect(200);
    assert_eq!(head.header("upload-offset"), "0");
    api.send(api.request(Method::HEAD, &upload)).await.expect(412);
    let unknown = intake.url(&format!("/v1/uploads/{}", "0".repeat(32)));
    api.tus(Method::HEAD, &unknown).await.expect(404);

    let old_version = api
        .request(Method::PATCH, &upload)
        .header("Tus-Resumable", "0.2.2")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(envelope[..10].to_vec());
    api.send(old_version)
        .await
        .expect_refusal(412, "unsupported_tus_version");
    let wrong_type = api
        .request(Method::PATCH, &upload)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/json")
        .body(envelope[..10].to_vec());
    api.send(wrong_type).await.expect_refusal(415, "unsupported_media_type");
    let bad_offset = api
        .request(Method::PATCH, &upload)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "zero")
        .header("Content-Type", "application/offset+octet-stream")
        .body(envelope[..10].to_vec());
    api.send(bad_offset).await.expect_refusal(400, "bad_request");
    api.patch(&upload, 0, &envelope[..10], Some("md5 AAAA".to_owned()))
        .await
        .expect_refusal(400, "bad_request");
    api.patch(&unknown, 0, &envelope[..10], None)
        .await
        .expect_refusal(404, "upload_not_found");
    api.patch(&upload, 0, &vec![0; envelope.len() + 1], None)
        .await
        .expect_refusal(413, "beyond_upload_length");
    api.patch(&upload, 0, &envelope[..1000], Some(checksum(b"other bytes")))
        .await
        .expect_refusal(460, "checksum_mismatch");
    let first = api
        .patch(&upload, 0, &envelope[..1000], Some(checksum(&envelope[..1000])))
        .await;
    first.expect(204);
    assert_eq!(first.header("upload-offset"), "1000");
    api.patch(&upload, 500, &envelope[500..900], None)
        .await
        .expect_refusal(409, "offset_mismatch");
    api.receipt(&upload).await.expect_refusal(409, "upload_incomplete");

    // Requests not signed, or not signed right: `401` on every signed operation, before any
    // other check (the HEAD and DELETE here have no Tus-Resumable either).
    let unsigned = api.create_request(&intake, &envelope, REGISTRATION_ID, station.id);
    api.send_unsigned(unsigned)
        .await
        .expect_refusal(401, "signature_missing");
    api.send_unsigned(api.request(Method::HEAD, &upload)).await.expect(401);
    let unsigned = api.patch_request(&upload, 1000, &envelope[1000..1010], None);
    api.send_unsigned(unsigned)
        .await
        .expect_refusal(401, "signature_missing");
    api.send_unsigned(api.request(Method::DELETE, &upload))
        .await
        .expect_refusal(401, "signature_missing");
    api.send_unsigned(api.receipt_request(&upload))
        .await
        .expect_refusal(401, "signature_missing");
    let mut tampered = api.signed(
        api.create_request(&intake, &envelope, REGISTRATION_ID, station.id),
        &station.request_key,
        unix_now(),
    );
    tamper_with_signature(&mut tampered);
    api.exchange(tampered).await.expect_refusal(401, "signature_invalid");
    // A request changed after it was signed (its Upload-Offset) does not verify.
    let mut moved = api.signed(
        api.patch_request(&upload, 1000, &envelope[1000..1010], None),
        &station.request_key,
        unix_now(),
    );
    moved.headers_mut().insert("upload-offset", "0".parse().unwrap());
    api.exchange(moved).await.expect_refusal(401, "signature_invalid");
    let stale = api.signed(
        api.patch_request(&upload, 1000, &envelope[1000..1010], None),
        &station.request_key,
        unix_now() - 1000,
    );
    api.exchange(stale).await.expect_refusal(401, "signature_expired");
    let stranger = Station::new("ST-STRANGER");
    let by_stranger = api.signed(
        api.tus_request(Method::DELETE, &upload),
        &stranger.request_key,
        unix_now(),
    );
    api.exchange(by_stranger)
        .await
        .expect_refusal(401, "request_key_unknown");
    let once = api.signed(api.receipt_request(&upload), &station.request_key, unix_now());
    let again = once.try_clone().unwrap();
    api.exchange(once).await.expect_refusal(409, "upload_incomplete");
    api.exchange(again).await.expect_refusal(401, "signature_replayed");
    // None of these changed the upload.
    assert_eq!(api.tus(Method::HEAD, &upload).await.header("upload-offset"), "1000");

    // Another request writing to the upload: PATCH and DELETE are told to come back.
    {
        let mut held = HeldPatch::start(&intake, &upload, 1000, &station.request_key).await;
        let mut locked = false;
        // Generous: on a loaded two-core machine the held request may take seconds to start.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            // An empty chunk at the right offset changes nothing while the lock is free.
            if api.patch(&upload, 1000, &[], None).await.status == StatusCode::LOCKED {
                locked = true;
                break;
            }
            if held.was_answered() {
                // It came while a probe held the lock, and was told to come back: send it again.
                held = HeldPatch::start(&intake, &upload, 1000, &station.request_key).await;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(locked, "the held PATCH never took the upload's lock");
        api.tus(Method::DELETE, &upload)
            .await
            .expect_refusal(423, "upload_locked");
        drop(held);
    }
    let mut released = false;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        if api.patch(&upload, 1000, &[], None).await.status == StatusCode::NO_CONTENT {
            released = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(released, "the lock outlived the held PATCH's connection");

    // Completion, the answer asked again, the receipt, and what a complete upload refuses.
    api.upload_from(&upload, &envelope, 1000).await.expect(204);
    api.patch(&upload, envelope.len(), &[], None).await.expect(204);
    let head = api.tus(Method::HEAD, &upload).await;
    head.expect(200);
    assert_eq!(head.header("upload-offset"), envelope.len().to_string());
    let receipt = api.receipt(&upload).await;
    receipt.expect(200);
    let signed: SignedReceipt = serde_json::from_slice(&receipt.body).unwrap();
    signed.verify(&intake.public_keys().signing_public).unwrap();
    api.tus(Method::DELETE, &upload)
        .await
        .expect_refusal(409, "upload_complete");
    api.receipt(&unknown).await.expect_refusal(404, "upload_not_found");

    // An upload is its station's: to another approved station it does not exist.
    let other_station = Station::new("ST-0017");
    api.register(&intake, &other_station, None).await.expect(201);
    api.act_as(&other_station);
    api.tus(Method::HEAD, &upload).await.expect(404);
    api.patch(&upload, envelope.len(), &[], None)
        .await
        .expect_refusal(404, "upload_not_found");
    api.tus(Method::DELETE, &upload)
        .await
        .expect_refusal(404, "upload_not_found");
    api.receipt(&upload).await.expect_refusal(404, "upload_not_found");
    api.act_as(&station);

    // A new proven request key replaces the last: the old one signs nothing any more.
    let rotated = station.with_new_request_key();
    let answer = api.register(&intake, &rotated, None).await;
    answer.expect(200);
    assert_eq!(answer.json()["status"], "approved");
    api.receipt(&upload).await.expect_refusal(401, "request_key_unknown");
    api.act_as(&rotated);
    api.receipt(&upload).await.expect(200);

    // Termination.
    let other = station.packet(&intake, "10007-20250301-000002");
    let partial = api
        .create_ok(&intake, &other, "10007-20250301-000002", station.id)
        .await;
    api.tus(Method::DELETE, &partial).await.expect(204);
    api.tus(Method::DELETE, &partial)
        .await
        .expect_refusal(404, "upload_not_found");
    api.send(api.request(Method::DELETE, &unknown))
        .await
        .expect_refusal(412, "unsupported_tus_version");

    // Packets refused: at creation, and at completion for each reason.
    let resealed = station.packet(&intake, REGISTRATION_ID);
    api.create(&intake, &resealed, REGISTRATION_ID, station.id)
        .await
        .expect_refusal(422, "duplicate_registration");
    let mut tampered = station.packet(&intake, "10007-20250301-000003");
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x01;
    let upload = api
        .create_ok(&intake, &tampered, "10007-20250301-000003", station.id)
        .await;
    api.upload_from(&upload, &tampered, 0)
        .await
        .expect_refusal(422, "packet_rejected");

    let other_key = StationSigningKey::generate().station_public_key();
    let contents = enroll_packet::testing::sample_packet_contents(other_key, station.id, "10007-20250301-000004", 6000);
    let naming_another_key = enroll_packet::seal_for_register(
        &contents.to_bytes().unwrap(),
        station.id,
        "10007-20250301-000004",
        &station.key,
        &intake.public_keys(),
    )
    .unwrap();
    let upload = api
        .create_ok(&intake, &naming_another_key, "10007-20250301-000004", station.id)
        .await;
    api.upload_from(&upload, &naming_another_key, 0)
        .await
        .expect_refusal(422, "station_key_mismatch");

    // Two uploads racing with different packets for one registration: the second is refused.
    let one = station.packet(&intake, "10007-20250301-000005");
    let two = station.packet(&intake, "10007-20250301-000005");
    let upload_one = api.create_ok(&intake, &one, "10007-20250301-000005", station.id).await;
    let upload_two = api.create_ok(&intake, &two, "10007-20250301-000005", station.id).await;
    api.upload_from(&upload_one, &one, 0).await.expect(204);
    api.upload_from(&upload_two, &two, 0)
        .await
        .expect_refusal(422, "duplicate_registration");
    intake.running.shutdown().await;
}

/// An intake whose uploads expire as soon as they are created.
async fn expiry(api: &mut Conformance) {
    let intake = Intake::start(|mut config| {
        config.upload_expiry = Duration::ZERO;
        config.approving_stations_automatically()
    })
    .await;
    let station = Station::new("ST-0008");
    api.register(&intake, &station, None).await.expect(201);
    api.act_as(&station);
    let envelope = station.packet(&intake, REGISTRATION_ID);
    let upload = api.create_ok(&intake, &envelope, REGISTRATION_ID, station.id).await;
    api.tus(Method::HEAD, &upload).await.expect(410);
    api.patch(&upload, 0, &envelope[..10], None)
        .await
        .expect_refusal(410, "upload_expired");
    api.receipt(&upload).await.expect_refusal(410, "upload_expired");
    intake.running.shutdown().await;
}

/// Where packets stand at the register, asked in batches, and every refusal of a query.
async fn packet_statuses(api: &mut Conformance) {
    let intake = Intake::start(IntakeConfig::approving_stations_automatically).await;
    let registry = intake.registry();
    let station = Station::new("ST-0010");
    api.register(&intake, &station, None).await.expect(201);
    api.act_as(&station);
    const REJECTED_ID: &str = "10007-20250301-000002";
    const NEVER_SENT: &str = "10007-20250301-000099";
    for registration_id in [REGISTRATION_ID, REJECTED_ID] {
        let envelope = station.packet(&intake, registration_id);
        let upload = api.create_ok(&intake, &envelope, registration_id, station.id).await;
        api.upload_from(&upload, &envelope, 0).await.expect(204);
    }
    registry
        .set_packet_status(REJECTED_ID, PacketStatus::Rejected, Some("The portrait is blurred"))
        .unwrap();

    // A packet held and never moved on, one the back office rejected, and one never sent: in
    // the order asked.
    let answer = api.statuses(&intake, &[NEVER_SENT, REJECTED_ID, REGISTRATION_ID]).await;
    answer.expect(200);
    let packets = answer.json()["packets"].clone();
    assert_eq!(
        packets[0],
        json!({ "registration_id": NEVER_SENT, "status": "unknown" })
    );
    assert_eq!(packets[1]["registration_id"], REJECTED_ID);
    assert_eq!(packets[1]["status"], "rejected");
    assert_eq!(packets[1]["reason"], "The portrait is blurred");
    assert!(packets[1]["changed_at"].is_string(), "{packets}");
    assert_eq!(
        packets[2],
        json!({ "registration_id": REGISTRATION_ID, "status": "received" })
    );

    // Refused queries: a body that is not the one signed for, and bodies the document's schema
    // refuses too.
    let body = json!({ "registration_ids": [REGISTRATION_ID] }).to_string();
    let other = json!({ "registration_ids": [REJECTED_ID] }).to_string();
    let mismatching = api.status_request(&intake, body.as_bytes(), Some(content_digest(other.as_bytes())));
    api.send(mismatching).await.expect_refusal(400, "bad_request");
    let without_digest = api.status_request(&intake, body.as_bytes(), None);
    api.send(without_digest).await.expect_refusal(400, "bad_request");
    for query in [
        json!({ "registration_ids": [] }),
        json!({ "registration_ids": [REGISTRATION_ID, REGISTRATION_ID] }),
        json!({ "registration_ids": [" 10007"] }),
        json!({ "registration_ids": [REGISTRATION_ID], "station_id": station.id }),
        json!({ "registration_ids": (0..501).map(|n| n.to_string()).collect::<Vec<_>>() }),
    ] {
        assert!(
            !api.request_body_allows("/v1/packets/status", "post", &query),
            "the document allows a query the intake refuses: {query}"
        );
        let body = query.to_string();
        let request = api.status_request(&intake, body.as_bytes(), Some(content_digest(body.as_bytes())));
        api.send(request).await.expect_refusal(400, "bad_request");
    }
    let not_json = api.status_request(&intake, b"registration_ids", Some(content_digest(b"registration_ids")));
    api.send(not_json).await.expect_refusal(400, "bad_request");

    // Unsigned, or signed by a station that may not ask (any more).
    let unsigned = api.status_request(&intake, body.as_bytes(), Some(content_digest(body.as_bytes())));
    api.send_unsigned(unsigned)
        .await
        .expect_refusal(401, "signature_missing");
    let other_station = Station::new("ST-0011");
    api.register(&intake, &other_station, None).await.expect(201);
    api.act_as(&other_station);
    // Another station's packet is unknown to it.
    let answer = api.statuses(&intake, &[REGISTRATION_ID]).await;
    answer.expect(200);
    assert_eq!(answer.json()["packets"][0]["status"], "unknown");
    registry.revoke(other_station.id).unwrap();
    api.statuses(&intake, &[REGISTRATION_ID])
        .await
        .expect_refusal(403, "station_revoked");
    intake.running.shutdown().await;
}

/// The configuration a station asks for: a delta, a bad query, an unsigned or revoked asker,
/// and a published document the intake cannot read.
async fn configuration(api: &mut Conformance) {
    let intake = Intake::start(IntakeConfig::approving_stations_automatically).await;
    let station = Station::new("ST-0012");
    api.register(&intake, &station, None).await.expect(201);
    api.act_as(&station);
    let config = |query: &str| intake.url(&format!("/v1/config{query}"));

    let answer = api.send(api.request(Method::GET, &config(""))).await;
    answer.expect(200);
    assert_eq!(answer.json(), json!({ "latest": 0, "documents": [] }));
    let folder = enroll_intake::configuration::ConfigFolder::open(&intake.data_dir()).unwrap();
    let limits = json!({"max_days_since_sync": 5, "max_packets_not_uploaded": 100, "min_free_disk_mb": 512});
    folder
        .publish(
            ConfigKind::OfflineLimits,
            limits,
            &intake.register,
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    let answer = api.send(api.request(Method::GET, &config("?since=0"))).await;
    answer.expect(200);
    let delta = answer.json();
    assert_eq!(delta["latest"], 1);
    let signed: enroll_packet::register_config::SignedConfig =
        serde_json::from_value(delta["documents"][0].clone()).unwrap();
    let document = signed.verify(&intake.public_keys().signing_public).unwrap();
    assert_eq!((document.kind, document.version), (ConfigKind::OfflineLimits, 1));
    let answer = api.send(api.request(Method::GET, &config("?since=1"))).await;
    answer.expect(200);
    assert_eq!(answer.json()["documents"], json!([]));

    for query in ["?since=-1", "?since=one", "?since=1&kind=form", "?version=1"] {
        api.send(api.request(Method::GET, &config(query)))
            .await
            .expect_refusal(400, "bad_request");
    }
    api.send_unsigned(api.request(Method::GET, &config("")))
        .await
        .expect_refusal(401, "signature_missing");

    // A published file damaged on the intake's disk: the intake says so, it serves nothing wrong.
    std::fs::write(intake.data_dir().join("config/offline_limits.json"), "{").unwrap();
    api.send(api.request(Method::GET, &config("")))
        .await
        .expect_refusal(500, "internal");

    intake.registry().revoke(station.id).unwrap();
    api.send(api.request(Method::GET, &config("")))
        .await
        .expect_refusal(403, "station_revoked");
    intake.running.shutdown().await;
}

/// `500`s, provoked by taking away the files an upload needs, and a column a status query reads.
async fn failures_on_the_intakes_side(api: &mut Conformance) {
    let intake = Intake::start(IntakeConfig::approving_stations_automatically).await;
    let station = Station::new("ST-0009");
    api.register(&intake, &station, None).await.expect(201);
    api.act_as(&station);
    let envelope = station.packet(&intake, REGISTRATION_ID);

    let upload = api.create_ok(&intake, &envelope, REGISTRATION_ID, station.id).await;
    std::fs::remove_file(intake.part_file(&upload)).unwrap();
    api.patch(&upload, 0, &envelope[..10], None)
        .await
        .expect_refusal(500, "storage_failed");

    // A directory where the part file was: removing it fails.
    let upload = api.create_ok(&intake, &envelope, REGISTRATION_ID, station.id).await;
    let part = intake.part_file(&upload);
    std::fs::remove_file(&part).unwrap();
    std::fs::create_dir(&part).unwrap();
    api.tus(Method::DELETE, &upload)
        .await
        .expect_refusal(500, "storage_failed");
    std::fs::remove_dir(&part).unwrap();

    let uploads_dir = intake.data_dir().join("uploads");
    let moved_away = intake.data_dir().join("uploads-moved-away");
    std::fs::rename(&uploads_dir, &moved_away).unwrap();
    api.create(&intake, &envelope, REGISTRATION_ID, station.id)
        .await
        .expect_refusal(500, "storage_failed");
    std::fs::rename(&moved_away, &uploads_dir).unwrap();

    // A database without the column a status query reads (as one left half-migrated would be):
    // renamed away by another connection, which SQLite allows under the intake's own.
    let database = rusqlite::Connection::open(intake.data_dir().join("intake.sqlite3")).unwrap();
    database.busy_timeout(Duration::from_secs(5)).unwrap();
    let rename = |from: &str, to: &str| {
        database
            .execute_batch(&format!("ALTER TABLE packets RENAME COLUMN {from} TO {to}"))
            .unwrap()
    };
    rename("status_reason", "status_reason_moved_away");
    api.statuses(&intake, &[REGISTRATION_ID])
        .await
        .expect_refusal(500, "storage_failed");
    rename("status_reason_moved_away", "status_reason");
    api.statuses(&intake, &[REGISTRATION_ID]).await.expect(200);
    intake.running.shutdown().await;
}

#[tokio::test]
async fn methods_the_document_does_not_list_are_refused_and_unknown_paths_are_not_found() {
    let mut api = ApiDocument::load();
    let intake = Intake::start(|config| config).await;
    let http = Client::new();
    let error_with_code = |code: &str| {
        json!({
            "allOf": [{ "$ref": "#/components/schemas/Error" }],
            "properties": { "code": { "const": code } },
        })
    };
    let templates: Vec<(String, Vec<String>)> = api
        .paths()
        .iter()
        .map(|(template, item)| {
            let methods = operations(item).map(|(method, _)| method.to_owned()).collect();
            (template.clone(), methods)
        })
        .collect();
    for (template, documented) in templates {
        let path = template.replace("{id}", &"0".repeat(32));
        for method in [
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ] {
            let name = method.as_str().to_ascii_lowercase();
            // HEAD on a GET endpoint is the GET without its body (HTTP semantics; axum does it).
            let served_as_get = method == Method::HEAD && documented.iter().any(|m| m == "get");
            if documented.contains(&name) || served_as_get {
                continue;
            }
            let response = http.request(method.clone(), intake.url(&path)).send().await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is served but not documented"
            );
            // The server's own list of what it serves here is the document's.
            let mut allowed: Vec<String> = response.headers()["allow"]
                .to_str()
                .unwrap()
                .split(',')
                .map(|method| method.trim().to_ascii_lowercase())
                .filter(|method| method != "head" || !documented.iter().any(|m| m == "get"))
                .collect();
            allowed.sort();
            let mut expected = documented.clone();
            expected.sort();
            assert_eq!(allowed, expected, "Allow of {path} against the document");
            if method != Method::HEAD {
                let body: Value = response.json().await.unwrap();
                let violations = api.violations(&error_with_code("method_not_allowed"), &body);
                assert!(violations.is_empty(), "{method} {path}: {violations:?}");
            }
        }
    }
    for path in ["/v2/nothing", "/v1/uploads/x/y/z"] {
        let response = http.get(intake.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = response.json().await.unwrap();
        let violations = api.violations(&error_with_code("not_found"), &body);
        assert!(violations.is_empty(), "{path}: {violations:?}");
    }
    intake.running.shutdown().await;
}

#[test]
fn the_document_asks_a_signature_of_exactly_the_signed_operations() {
    let api = ApiDocument::load();
    let mut asking = BTreeSet::new();
    for (template, item) in api.paths() {
        for (method, operation) in operations(item) {
            let parameters: Vec<&Value> = [item.get("parameters"), operation.get("parameters")]
                .into_iter()
                .flatten()
                .flat_map(|list| list.as_array().unwrap())
                .map(|parameter| api.resolve(parameter))
                .collect();
            let required_header = |name: &str| {
                parameters
                    .iter()
                    .any(|p| p["in"] == "header" && p["name"] == name && p["required"] == true)
            };
            let (input, signature) = (required_header("Signature-Input"), required_header("Signature"));
            assert_eq!(
                input, signature,
                "{method} {template}: Signature-Input and Signature go together"
            );
            if input {
                asking.insert((template.clone(), method.to_owned()));
            }
            // A signed operation documents the refusals of its signature.
            let signed = SIGNED_OPERATIONS.contains(&(template.as_str(), method));
            assert_eq!(
                operation["responses"].get("401").is_some(),
                signed,
                "{method} {template}: a 401 is documented exactly where requests are signed"
            );
        }
    }
    let expected: BTreeSet<(String, String)> = SIGNED_OPERATIONS
        .iter()
        .map(|(template, method)| ((*template).to_owned(), (*method).to_owned()))
        .collect();
    assert_eq!(asking, expected, "operations the document asks a signature of");
}

#[test]
fn the_documented_error_codes_are_the_intakes_each_at_its_status() {
    let api = ApiDocument::load();
    let io = || std::io::Error::other("disk");
    let every_error = [
        IntakeError::BadRequest(String::new()),
        IntakeError::UnsupportedTusVersion(String::new()),
        IntakeError::UnknownStation(String::new()),
        IntakeError::StationExists(String::new()),
        IntakeError::StationPending(String::new()),
        IntakeError::StationRevoked(String::new()),
        IntakeError::EnrollmentCodeInvalid,
        IntakeError::UploadTooLarge { length: 2, max: 1 },
        IntakeError::BeyondUploadLength { remaining: 0 },
        IntakeError::UploadNotFound,
        IntakeError::UploadExpired,
        IntakeError::OffsetMismatch { expected: 0, got: 1 },
        IntakeError::UnsupportedContentType,
        IntakeError::ChecksumMismatch,
        IntakeError::UploadLocked,
        IntakeError::UploadComplete,
        IntakeError::UploadIncomplete,
        IntakeError::PacketRejected(String::new()),
        IntakeError::StationKeyMismatch(String::new()),
        IntakeError::DuplicateRegistration(String::new()),
        IntakeError::NotFound(String::new()),
        IntakeError::MethodNotAllowed {
            method: String::new(),
            path: String::new(),
        },
        IntakeError::SignatureMissing,
        IntakeError::SignatureInvalid(String::new()),
        IntakeError::SignatureExpired {
            created: 0,
            now: 1000,
            window: 300,
        },
        IntakeError::SignatureReplayed,
        IntakeError::RequestKeyUnknown,
        IntakeError::Database(rusqlite::Error::QueryReturnedNoRows),
        IntakeError::Io(io()),
        IntakeError::Bind {
            addr: "127.0.0.1:0".parse().unwrap(),
            source: io(),
        },
        IntakeError::Internal(String::new()),
    ];
    let mut status_of_code = BTreeMap::new();
    for error in &every_error {
        // Exhaustive on purpose: a new variant fails to compile here until it is listed above.
        match error {
            IntakeError::BadRequest(_)
            | IntakeError::UnsupportedTusVersion(_)
            | IntakeError::UnknownStation(_)
            | IntakeError::StationExists(_)
            | IntakeError::StationPending(_)
            | IntakeError::StationRevoked(_)
            | IntakeError::EnrollmentCodeInvalid
            | IntakeError::UploadTooLarge { .. }
            | IntakeError::BeyondUploadLength { .. }
            | IntakeError::UploadNotFound
            | IntakeError::UploadExpired
            | IntakeError::OffsetMismatch { .. }
            | IntakeError::UnsupportedContentType
            | IntakeError::ChecksumMismatch
            | IntakeError::UploadLocked
            | IntakeError::UploadComplete
            | IntakeError::UploadIncomplete
            | IntakeError::PacketRejected(_)
            | IntakeError::StationKeyMismatch(_)
            | IntakeError::DuplicateRegistration(_)
            | IntakeError::NotFound(_)
            | IntakeError::MethodNotAllowed { .. }
            | IntakeError::SignatureMissing
            | IntakeError::SignatureInvalid(_)
            | IntakeError::SignatureExpired { .. }
            | IntakeError::SignatureReplayed
            | IntakeError::RequestKeyUnknown
            | IntakeError::Database(_)
            | IntakeError::Io(_)
            | IntakeError::Bind { .. }
            | IntakeError::Internal(_) => {}
            // Never an HTTP answer: removable media are read by `enroll intake import`.
            IntakeError::Media(_) => continue,
        }
        status_of_code.insert(error.code().to_owned(), error.status().as_u16());
    }

    let documented: BTreeSet<String> = api.document["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap().to_owned())
        .collect();
    let served: BTreeSet<String> = status_of_code.keys().cloned().collect();
    assert_eq!(
        documented, served,
        "ErrorCode in the document against IntakeError::code"
    );

    // Wherever an answer narrows the code, the server gives that code this very status.
    for (template, item) in api.paths() {
        for (method, operation) in operations(item) {
            for (status, response) in object(&operation["responses"], "responses") {
                for code in api.narrowed_error_codes(response).unwrap_or_default() {
                    assert_eq!(
                        status_of_code.get(&code).map(u16::to_string).as_ref(),
                        Some(status),
                        "{method} {template} documents {code} under {status}"
                    );
                }
            }
        }
    }
}
