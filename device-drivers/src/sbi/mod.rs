//! MOSIP Secure Biometric Interface (SBI): the certified scanners of a registration centre,
//! each behind a device service on a loopback port (127.0.0.1:4501..=4600), and a service of
//! our own that puts any device (the simulators first) behind the same interface.
//!
//! One job per file: [`messages`] (the JSON of both spec versions, 0.9.5 and 1.0), [`codes`]
//! (SBI error codes), [`jws`] (compact RS256 signatures with `x5c`), [`trust`] (the trust
//! store and the chain check), [`hash_chain`] (the chain across biometrics), [`stream`] (the
//! M-JPEG preview body), [`client`] (discovery, info, capture, preview, and every check on an
//! answer), [`device`] (the capture model's [`SbiBackend`] and [`SbiDevice`]), [`service`]
//! (the SBI service), [`ca`] (the service's CA and device key).
//!
//! Invariants: nothing a device answers reaches the station unchecked (signature, trust chain,
//! transaction, time, hash chain, positions); developer mode relaxes only the trust chain and
//! marks every device it lets in; a simulated device behind the service stays marked simulated.
//!
//! Deliberately absent: the encrypted authentication `CAPTURE`, and the register's device
//! management (registration, device codes, key rotation).

pub mod ca;
pub mod client;
pub mod codes;
pub mod device;
pub mod hash_chain;
pub mod jws;
pub mod messages;
pub mod service;
pub mod stream;
pub mod trust;

pub use ca::{DeviceCa, DeviceSigner};
pub use client::{Clock, SbiClient, SbiClientConfig, SbiDeviceAddress, SpecVersion, VerifiedDevice, DEFAULT_PORTS};
pub use device::{SbiBackend, SbiDevice};
pub use service::{ImageEncoder, RunningService, SbiService};
pub use trust::{TrustPolicy, TrustStore};
