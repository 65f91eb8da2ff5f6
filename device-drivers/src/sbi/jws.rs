//! Compact JSON Web Signatures (RFC 7515) as SBI devices make them: `RS256` (RSASSA-PKCS1-v1_5
//! with SHA-256), the signer's certificate in the `x5c` header.
//!
//! Why our own: SBI needs one algorithm and one header, and the check must be strict in the
//! places that matter (only `RS256`; the signature over exactly the bytes sent) and lenient where
//! services differ harmlessly (`x5c` as an array or a bare string, standard or URL-safe base64,
//! with or without padding). A general JOSE library would bring many algorithms we must then
//! refuse.
//!
//! Deliberately absent: deciding whether the signer is trusted (`trust`), and what the payload
//! means (`messages`).

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::Sha256;
use x509_cert::der::{Decode, Encode};
use x509_cert::Certificate;

use crate::DeviceError;

const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Base64url as SBI writes it; padding is tolerated, whitespace is not data.
pub fn base64url_decode(text: &str) -> Result<Vec<u8>, DeviceError> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    URL_SAFE_LENIENT
        .decode(compact.as_bytes())
        .map_err(|e| DeviceError::Protocol(format!("not base64url: {e}")))
}

/// Base64url without padding, as JWS requires.
pub fn base64url_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Standard or URL-safe base64, padded or not: what `x5c` entries arrive as in practice.
fn base64_any_decode(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD_LENIENT
        .decode(compact.as_bytes())
        .or_else(|_| URL_SAFE_LENIENT.decode(compact.as_bytes()))
        .ok()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    typ: Option<String>,
    #[serde(default, deserialize_with = "string_or_list")]
    x5c: Vec<String>,
}

fn string_or_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(deserializer)? {
        None => Vec::new(),
        Some(OneOrMany::One(one)) => vec![one],
        Some(OneOrMany::Many(many)) => many,
    })
}

/// A parsed compact JWS; nothing about it is checked yet except its shape.
#[derive(Debug, Clone)]
pub struct Jws {
    signing_input: String,
    payload: Vec<u8>,
    signature: Vec<u8>,
    /// `x5c`: the signer's certificate first, then any certificates that issued it.
    chain: Vec<Certificate>,
}

impl Jws {
    /// Splits and decodes `compact`. Only `RS256` with at least one `x5c` certificate is
    /// accepted: SBI defines no other, and a signature without its certificate proves nothing.
    pub fn parse(compact: &str) -> Result<Jws, DeviceError> {
        let compact = compact.trim();
        let mut parts = compact.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(DeviceError::Protocol(
                "a signed SBI value is not a compact JWS (three base64url parts joined by '.')".into(),
            ));
        };
        let header_bytes = base64url_decode(header_b64)?;
        let header: Header = serde_json::from_slice(&header_bytes)
            .map_err(|e| DeviceError::Protocol(format!("the JWS header is not valid JSON: {e}")))?;
        if header.alg != "RS256" {
            return Err(DeviceError::Untrusted(format!(
                "the device signs with {:?}; SBI devices sign with RS256",
                header.alg
            )));
        }
        if header.x5c.is_empty() {
            return Err(DeviceError::Untrusted(
                "the signature carries no certificate (x5c), so it proves nothing".into(),
            ));
        }
        let chain = header
            .x5c
            .iter()
            .map(|entry| {
                let der = base64_any_decode(entry)
                    .ok_or_else(|| DeviceError::Untrusted("an x5c certificate is not base64".into()))?;
                Certificate::from_der(&der)
                    .map_err(|e| DeviceError::Untrusted(format!("an x5c certificate cannot be read: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Jws {
            signing_input: format!("{header_b64}.{payload_b64}"),
            payload: base64url_decode(payload_b64)?,
            signature: base64url_decode(signature_b64)?,
            chain,
        })
    }

    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The signer's certificate (`x5c[0]`).
    pub fn signer_certificate(&self) -> &Certificate {
        // `parse` refuses an empty x5c, so there is always a first certificate.
        &self.chain[0]
    }

    /// The certificates after the signer's, which may lead to a trusted CA.
    pub fn intermediates(&self) -> &[Certificate] {
        &self.chain[1..]
    }

    /// Checks the signature against the signer's certificate, and only that: whether the
    /// certificate is trusted is [`crate::sbi::trust::TrustStore`]'s question.
    pub fn verify_signature(&self) -> Result<(), DeviceError> {
        let key = public_key(self.signer_certificate())
            .map_err(|e| DeviceError::Untrusted(format!("the signer's certificate holds no usable RSA key: {e}")))?;
        let signature = Signature::try_from(self.signature.as_slice())
            .map_err(|_| DeviceError::Untrusted("the signature is malformed".into()))?;
        VerifyingKey::<Sha256>::new(key)
            .verify(self.signing_input.as_bytes(), &signature)
            .map_err(|_| {
                DeviceError::Untrusted("the signature does not match the signed content: it was altered".into())
            })
    }
}

/// The RSA public key of a certificate.
pub fn public_key(certificate: &Certificate) -> Result<RsaPublicKey, String> {
    let spki = certificate
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| e.to_string())?;
    RsaPublicKey::from_public_key_der(&spki).map_err(|e| e.to_string())
}

/// Signs `payload` as a compact JWS with `RS256`, putting `chain` (DER certificates, the
/// signer's first) in `x5c`.
pub fn sign(payload: &[u8], key: &RsaPrivateKey, chain: &[Vec<u8>]) -> String {
    let header = Header {
        alg: "RS256".into(),
        typ: Some("JWT".into()),
        x5c: chain
            .iter()
            .map(|der| base64::engine::general_purpose::STANDARD.encode(der))
            .collect(),
    };
    // Serialising a struct of strings cannot fail.
    let header_json = serde_json::to_vec(&header).expect("a JWS header serialises");
    let signing_input = format!("{}.{}", base64url_encode(&header_json), base64url_encode(payload));
    let signature = SigningKey::<Sha256>::new(key.clone()).sign(signing_input.as_bytes());
    format!("{signing_input}.{}", base64url_encode(&signature.to_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_values_are_protocol_errors_not_panics() {
        for bad in ["", "abc", "a.b", "a.b.c.d", "!!.e30.AA"] {
            let error = Jws::parse(bad).unwrap_err();
            assert_eq!(error.code(), "device_protocol", "{bad:?}");
        }
        // A header that is JSON but names another algorithm is refused as untrusted.
        let header = base64url_encode(br#"{"alg":"none","x5c":[]}"#);
        let error = Jws::parse(&format!("{header}.e30.")).unwrap_err();
        assert_eq!(error.code(), "device_untrusted");
        // RS256 without a certificate proves nothing.
        let header = base64url_encode(br#"{"alg":"RS256"}"#);
        let error = Jws::parse(&format!("{header}.e30.AAAA")).unwrap_err();
        assert_eq!(error.code(), "device_untrusted");
    }

    #[test]
    fn base64url_tolerates_padding() {
        assert_eq!(base64url_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64url_decode("aGk").unwrap(), b"hi");
        assert!(base64url_decode("a+b/").is_err());
        assert_eq!(base64_any_decode("a+b/").unwrap(), base64_any_decode("a-b_").unwrap());
    }
}
