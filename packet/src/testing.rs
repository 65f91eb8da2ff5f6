//! A small, real, sealed packet for the tests of the crates that carry packets (intake, sync),
//! so each does not build its own. Behind the `test-support` feature: never in a product build.

use crate::{
    seal_for_register, BiometricRecord, DeviceIdentity, Modality, PacketContents, PacketMeta, RegisterPublicKeys,
    StationPublicKey, StationSigningKey,
};

/// A packet with an identity and one face record of `face_bytes` bytes (a 19794-5 identifier
/// followed by a counting pattern), made by `station` and sealed to `register`.
pub fn sealed_sample_packet(
    station: &StationSigningKey,
    station_id: &str,
    registration_id: &str,
    register: &RegisterPublicKeys,
    face_bytes: usize,
) -> Vec<u8> {
    let contents = sample_packet_contents(station.station_public_key(), station_id, registration_id, face_bytes);
    let plaintext = contents.to_bytes().expect("the sample contents are valid");
    seal_for_register(&plaintext, station_id, registration_id, station, register).expect("sealing to a valid key")
}

/// The contents of [`sealed_sample_packet`], naming `named_station_key` in `meta.json`: tests of
/// a packet that names another key than the one that signs it start from here.
pub fn sample_packet_contents(
    named_station_key: StationPublicKey,
    station_id: &str,
    registration_id: &str,
    face_bytes: usize,
) -> PacketContents {
    let pattern = (0..face_bytes as u32).map(|i| (i * 31 % 251) as u8);
    PacketContents {
        identity: serde_json::json!({"fullName": "Aminata Diallo", "dateOfBirth": "1990/04/02"}),
        biometrics: vec![BiometricRecord {
            modality: Modality::Face,
            position: String::new(),
            quality: 81,
            retries: 0,
            force_captured: false,
            captured_at: "2025-03-01T09:10:00Z".into(),
            device: DeviceIdentity {
                make: "Sim".into(),
                model: "Face".into(),
                serial: "S-1".into(),
                simulated: true,
            },
            device_digital_id: None,
            device_signature: None,
            // The container checks that much of a face record: its 19794-5 identifier.
            data: b"FAC\x00030\x00".iter().copied().chain(pattern).collect(),
        }],
        meta: PacketMeta {
            registration_id: registration_id.into(),
            station_id: station_id.into(),
            station_public_key: named_station_key.to_text(),
            center_id: "10001".into(),
            officer: "officer1".into(),
            supervisor: Some("super1".into()),
            created_at: "2025-03-01T09:00:00Z".into(),
            finalized_at: Some("2025-03-01T09:20:00Z".into()),
            approved_at: Some("2025-03-01T10:00:00Z".into()),
            software_version: "test".into(),
            ..PacketMeta::default()
        },
        ..PacketContents::default()
    }
}
