//! Native USB fingerprint scanners, driven by the station itself through `nusb` (pure Rust, no
//! libusb).
//!
//! Why: some scanners have public protocols, and driving them natively spares a station the
//! vendor's device service. For the many that do not, the station must still recognise them and
//! tell the clerk which vendor SBI service to install ([`known`]).
//!
//! Map: [`known`] is the table of scanners we recognise; [`transport`] the blocking transfers
//! drivers use, with [`nusb_transport`] for real devices and [`replay`] for recordings;
//! [`enumerate`] lists and watches the bus; [`drivers`] holds one driver per scanner family;
//! [`backend`] ties these into a [`crate::DeviceBackend`].
//!
//! Deliberately absent: vendor SDKs, kernel drivers, and any scanner whose protocol is not
//! public.

pub mod backend;
pub mod drivers;
pub mod enumerate;
pub mod known;
pub mod nusb_transport;
pub mod replay;
pub mod transport;

pub use backend::{RecognisedDevice, UsbBackend, UsbStatus};
pub use known::{KnownScanner, NativeDriver, Support};
pub use transport::{ControlSetup, UsbTransport};
