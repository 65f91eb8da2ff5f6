//! glibc's allocator tuned for a window that runs all day, set when the app starts.
//!
//! Why: `make bench`'s registration bench (`e2e/benches/registration_flow.rs`) saw the app
//! process grow from about 90 MB to 190 MB over three registrations, while the memory it
//! actually used stayed flat. glibc's defaults keep freed memory for reuse instead of handing
//! it back:
//! - after the first large buffer (a fingerprint image, a document page) is freed, glibc
//!   raises its mmap threshold, up to 32 MiB, so later buffers of a few megabytes come from the
//!   heap, where one small allocation above them pins them all;
//! - each thread that allocates gets an arena of its own (up to 8 per core), and each keeps
//!   what its thread freed.
//!
//! Fixing the mmap and trim thresholds at glibc's own starting value (128 KiB) and allowing two
//! arenas kept the app process at about 115 MB in the same bench, at no cost measurable in its
//! timings. These are glibc's documented `MALLOC_*_` tunables; the environment variables of
//! the same names only take effect before a process starts, which is why the app calls
//! [`tune_for_a_long_running_window`] first thing in `main` instead. The variables are also set
//! for the processes the app starts (WebKit's), and a station whose environment already sets
//! one keeps its own value.
//!
//! Only glibc Linux has these; elsewhere the call does nothing.

/// One of glibc's allocator parameters: the environment variable glibc reads at a process's
/// start, and the value used when that variable is unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parameter {
    pub variable: &'static str,
    pub value: usize,
}

/// The parameters set, in the order they are applied.
pub const PARAMETERS: [Parameter; 3] = [
    // Buffers from 128 KiB up are mapped on their own and unmapped when freed, for the whole run.
    Parameter {
        variable: "MALLOC_MMAP_THRESHOLD_",
        value: 128 * 1024,
    },
    // Free memory above 128 KiB at the heap's top goes back to the system.
    Parameter {
        variable: "MALLOC_TRIM_THRESHOLD_",
        value: 128 * 1024,
    },
    // Two arenas: the window's threads (tokio's, WebKit's, the encoder) share them.
    Parameter {
        variable: "MALLOC_ARENA_MAX",
        value: 2,
    },
];

/// What [`tune_for_a_long_running_window`] did with one parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Set to the value of [`PARAMETERS`].
    Set(Parameter),
    /// Left as the station's environment set it.
    KeptFromEnvironment { variable: &'static str, value: String },
    /// glibc refused the value (it cannot for these values; reported rather than assumed).
    Refused(Parameter),
    /// Not a glibc system: nothing to set.
    NotGlibc,
}

/// Tunes this process's allocator and sets the same variables for the processes it starts.
///
/// Call it first in `main`, before any thread starts: it changes the process's environment,
/// which is only sound while one thread runs, and the arena limit applies to arenas made after
/// it. The outcomes are returned for the log, which is not open yet when this runs.
pub fn tune_for_a_long_running_window() -> Vec<Outcome> {
    PARAMETERS
        .iter()
        .map(|parameter| match std::env::var(parameter.variable) {
            Ok(value) if !value.trim().is_empty() => Outcome::KeptFromEnvironment {
                variable: parameter.variable,
                value,
            },
            _ => {
                let outcome = glibc::set(*parameter);
                if matches!(outcome, Outcome::Set(_)) {
                    std::env::set_var(parameter.variable, parameter.value.to_string());
                }
                outcome
            }
        })
        .collect()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    use super::{Outcome, Parameter};

    pub(super) fn set(parameter: Parameter) -> Outcome {
        let number = match parameter.variable {
            "MALLOC_MMAP_THRESHOLD_" => libc::M_MMAP_THRESHOLD,
            "MALLOC_TRIM_THRESHOLD_" => libc::M_TRIM_THRESHOLD,
            "MALLOC_ARENA_MAX" => libc::M_ARENA_MAX,
            _ => return Outcome::Refused(parameter),
        };
        let Ok(value) = libc::c_int::try_from(parameter.value) else {
            return Outcome::Refused(parameter);
        };
        // SAFETY: `mallopt` takes two integers, reads no memory of ours and is documented as
        // callable at any time; glibc serialises it against allocation with its own arena lock.
        #[allow(unsafe_code)]
        let accepted = unsafe { libc::mallopt(number, value) };
        if accepted == 1 {
            Outcome::Set(parameter)
        } else {
            Outcome::Refused(parameter)
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod glibc {
    use super::{Outcome, Parameter};

    pub(super) fn set(_parameter: Parameter) -> Outcome {
        Outcome::NotGlibc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One test, because it changes the process's environment: glibc accepts every value, and
    /// the variables are set for the processes started after it.
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_takes_every_parameter_and_children_inherit_them() {
        for parameter in PARAMETERS {
            std::env::remove_var(parameter.variable);
        }
        // One kept from the environment, as a station's own setting would be.
        std::env::set_var("MALLOC_ARENA_MAX", "4");

        let outcomes = tune_for_a_long_running_window();

        assert_eq!(
            outcomes,
            vec![
                Outcome::Set(PARAMETERS[0]),
                Outcome::Set(PARAMETERS[1]),
                Outcome::KeptFromEnvironment {
                    variable: "MALLOC_ARENA_MAX",
                    value: "4".into()
                },
            ]
        );
        let child = std::process::Command::new("env").output().expect("env runs");
        let environment = String::from_utf8(child.stdout).expect("env prints text");
        assert!(
            environment.lines().any(|line| line == "MALLOC_MMAP_THRESHOLD_=131072"),
            "{environment}"
        );
        assert!(
            environment.lines().any(|line| line == "MALLOC_TRIM_THRESHOLD_=131072"),
            "{environment}"
        );
        assert!(
            environment.lines().any(|line| line == "MALLOC_ARENA_MAX=4"),
            "{environment}"
        );

        // The threshold stays fixed: a 4 MiB buffer freed would have raised it to 4 MiB, and
        // the 2 MiB buffer after it would then have come from the heap. It is mapped on its
        // own instead, and goes back to the system when it is freed.
        drop(std::hint::black_box(vec![7u8; 4 << 20]));
        let mapped_before = mapped_bytes();
        let second = std::hint::black_box(vec![9u8; 2 << 20]);
        assert!(
            mapped_bytes() >= mapped_before + (2 << 20),
            "a 2 MiB buffer came from the heap: {} bytes mapped before, {} after",
            mapped_before,
            mapped_bytes()
        );
        drop(second);
        assert_eq!(mapped_bytes(), mapped_before);
    }

    /// Bytes glibc holds in regions mapped on their own (`mallinfo2`'s `hblkhd`).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn mapped_bytes() -> usize {
        // SAFETY: `mallinfo2` takes nothing and returns a plain struct by value.
        #[allow(unsafe_code)]
        unsafe { libc::mallinfo2() }.hblkhd
    }
}
