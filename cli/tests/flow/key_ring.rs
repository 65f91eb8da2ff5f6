//! After the register rotates its keys, an intake started with the new pair and the old one
//! (`enroll intake serve --key NEW --previous-key OLD`) still takes packets sealed to the old
//! encryption key, and receipts each with the pair it was sealed to: a station that pinned the
//! old keys verifies its receipt, one that pinned the new keys verifies its own. A packet sealed
//! to a key the register does not hold is refused, naming it.

use enroll_intake::IntakeConfig;
use enroll_packet::{RegisterKeyPair, StationSigningKey};
use enroll_sync::IntakeClient;

const STATION_ID: &str = "10077";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_intake_after_a_key_rotation_receipts_each_packet_with_the_pair_it_was_sealed_to() {
    let dir = tempfile::tempdir().unwrap();
    let old = RegisterKeyPair::generate();
    let new = RegisterKeyPair::generate();
    let mut config = IntakeConfig::new(
        dir.path().join("intake"),
        RegisterKeyPair::from_json(&new.to_json()).unwrap(),
    )
    .approving_stations_automatically();
    config.previous_register_keys = vec![RegisterKeyPair::from_json(&old.to_json()).unwrap()];
    let intake = enroll_intake::spawn(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();

    let station = StationSigningKey::generate();
    let client = IntakeClient::new(&intake.base_url()).unwrap().with_station_keys(
        STATION_ID,
        &station,
        StationSigningKey::generate().seed(),
    );
    client
        .register_station(STATION_ID, "Rotation station", &station.public_key())
        .await
        .unwrap();
    assert_eq!(
        client.register_keys().await.unwrap(),
        new.public_keys(),
        "only the current keys are published"
    );

    let send = |registration_id: &'static str, sealed_to: enroll_packet::RegisterPublicKeys, pinned| {
        let envelope =
            enroll_packet::testing::sealed_sample_packet(&station, STATION_ID, registration_id, &sealed_to, 4000);
        let client = client.clone();
        async move {
            client
                .send_packet(registration_id, STATION_ID, &envelope, &pinned, None, &|_, _| {})
                .await
        }
    };

    // Finalized before the station heard of the rotation: sealed to the old key, its receipt
    // verified with the old signing key the station still pins.
    let (_, receipt) = send("100770000100001202612010900001", old.public_keys(), old.public_keys())
        .await
        .expect("a packet sealed to the previous key is taken");
    receipt.verify(&old.public_keys().signing_public).unwrap();

    // After it took the rotation: sealed to the new key, receipted with the new signing key.
    let (_, receipt) = send("100770000100002202612010900002", new.public_keys(), new.public_keys())
        .await
        .expect("a packet sealed to the current key is taken");
    receipt.verify(&new.public_keys().signing_public).unwrap();
    assert!(receipt.verify(&old.public_keys().signing_public).is_err());

    // Sealed to a key the register never had (or retired): refused, the key named.
    let stranger = RegisterKeyPair::generate();
    let error = send(
        "100770000100003202612010900003",
        stranger.public_keys(),
        new.public_keys(),
    )
    .await
    .unwrap_err();
    assert_eq!(error.code(), "packet_rejected");
    assert!(
        error.to_string().contains(&stranger.public_keys().key_id().to_hex()),
        "{error}"
    );
    intake.shutdown().await;
}
