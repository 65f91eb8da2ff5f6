//! The fingerprints each operator enrolled, so that an officer can sign off a registration with
//! a finger instead of typing their password (a 1:1 check against their own fingers, made by
//! the station with `enroll_devices::matching`).
//!
//! What is kept is the matcher's template of each finger (minutiae: positions and directions),
//! never the image, each sealed with the station data key under an AAD that names the operator
//! and the finger: a template copied into another operator's row, or onto another finger, does
//! not open. Enrolling replaces the operator's whole set in one transaction, audited; removing
//! an operator erases their fingerprints with their keyslot.
//!
//! Deliberately absent: the templates' format (bytes to the vault: the station and the matcher
//! own it), who may enrol whom (the station's rule), and signing in with a finger (signing in
//! unwraps the data key with the password, which a finger cannot do).

use rusqlite::params;

use crate::audit::{self, NewAuditEvent};
use crate::{DataKey, StoreError, Vault};

/// One enrolled finger of an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorFingerprint {
    /// The finger, as the station names positions (`leftIndex`, ...).
    pub position: String,
    /// The matcher's template, opened.
    pub template: Vec<u8>,
    /// RFC 3339.
    pub enrolled_at: String,
}

/// The AAD of one template: the operator's and the finger's names, so a sealed template is
/// bound to its row.
fn template_aad(username: &str, position: &str) -> String {
    format!("operator-fingerprint:{username}:{position}")
}

impl Vault {
    /// Replace `username`'s enrolled fingers with `fingerprints` (position, template), in one
    /// transaction, audited with who enrolled them and which fingers. An empty list erases
    /// them all. The operator must exist and not be removed.
    pub fn replace_operator_fingerprints(
        &mut self,
        username: &str,
        fingerprints: &[(&str, &[u8])],
        data_key: &DataKey,
        enrolled_by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        let transaction = self.connection.transaction()?;
        let exists: bool = transaction.query_row(
            "SELECT EXISTS (SELECT 1 FROM operators WHERE username = ?1 AND removed_at IS NULL)",
            [username],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(StoreError::NotFound(format!("operator {username}")));
        }
        transaction.execute("DELETE FROM operator_fingerprints WHERE username = ?1", [username])?;
        for (position, template) in fingerprints {
            let sealed = data_key.seal(template, &template_aad(username, position));
            transaction.execute(
                "INSERT INTO operator_fingerprints (username, position, template_sealed, enrolled_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![username, position, sealed, now],
            )?;
        }
        let positions: Vec<&str> = fingerprints.iter().map(|(position, _)| *position).collect();
        audit::append(
            &transaction,
            self.audit_session.as_ref(),
            &NewAuditEvent {
                at: now,
                actor: Some(enrolled_by),
                action: "operator_fingerprints_enrolled",
                registration_id: None,
                details: &format!("{username}: {}", positions.join(", ")),
            },
        )?;
        transaction.commit()?;
        Ok(())
    }

    /// `username`'s enrolled fingers, opened, in position order; none when they enrolled none.
    pub fn operator_fingerprints(
        &self,
        username: &str,
        data_key: &DataKey,
    ) -> Result<Vec<OperatorFingerprint>, StoreError> {
        let mut statement = self.connection.prepare(
            "SELECT position, template_sealed, enrolled_at FROM operator_fingerprints
             WHERE username = ?1 ORDER BY position",
        )?;
        let rows = statement.query_map([username], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, String>(2)?))
        })?;
        rows.map(|row| {
            let (position, sealed, enrolled_at) = row?;
            let template = data_key.open(&sealed, &template_aad(username, &position))?;
            Ok(OperatorFingerprint {
                position,
                template,
                enrolled_at,
            })
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use zeroize::Zeroizing;

    use super::*;
    use crate::test_support::vault_with_station;
    use crate::{NewOperator, Role};

    const NOW: &str = "2026-12-02T09:00:00Z";

    fn add_officer(vault: &mut Vault, key: &DataKey, username: &str) {
        vault
            .add_operator(
                &NewOperator {
                    username: username.into(),
                    full_name: username.into(),
                    role: Role::Officer,
                    password: Zeroizing::new("another secret".into()),
                },
                key,
                NOW,
            )
            .unwrap();
    }

    #[test]
    fn enrolled_fingers_come_back_opened_and_a_new_enrolment_replaces_them_all() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        add_officer(&mut vault, &key, "omar");
        assert!(vault.operator_fingerprints("omar", &key).unwrap().is_empty());

        vault
            .replace_operator_fingerprints(
                "omar",
                &[("rightIndex", b"template R"), ("leftIndex", b"template L")],
                &key,
                "admin",
                NOW,
            )
            .unwrap();
        let enrolled = vault.operator_fingerprints("omar", &key).unwrap();
        assert_eq!(
            enrolled
                .iter()
                .map(|f| (f.position.as_str(), f.template.as_slice()))
                .collect::<Vec<_>>(),
            [("leftIndex", &b"template L"[..]), ("rightIndex", &b"template R"[..])]
        );
        // Sealed where they are stored: the template's bytes are not in the row.
        let stored: Vec<u8> = vault
            .connection
            .query_row(
                "SELECT template_sealed FROM operator_fingerprints WHERE position = 'leftIndex'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(!stored.windows(10).any(|w| w == b"template L"));

        vault
            .replace_operator_fingerprints("omar", &[("rightThumb", b"thumb")], &key, "omar", NOW)
            .unwrap();
        let enrolled = vault.operator_fingerprints("omar", &key).unwrap();
        assert_eq!(enrolled.len(), 1);
        assert_eq!(enrolled[0].position, "rightThumb");
        let audited: i64 = vault
            .connection
            .query_row(
                "SELECT COUNT(*) FROM audit_events WHERE action = 'operator_fingerprints_enrolled'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(audited, 2);
    }

    #[test]
    fn a_template_moved_to_another_operator_does_not_open() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        add_officer(&mut vault, &key, "omar");
        add_officer(&mut vault, &key, "nadia");
        vault
            .replace_operator_fingerprints("omar", &[("rightIndex", b"omar's finger")], &key, "omar", NOW)
            .unwrap();
        // Someone with the database file but not the key moves Omar's row to Nadia.
        vault
            .connection
            .execute("UPDATE operator_fingerprints SET username = 'nadia'", [])
            .unwrap();
        assert!(matches!(
            vault.operator_fingerprints("nadia", &key),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn a_removed_or_unknown_operator_enrols_nothing_and_removal_erases_the_fingers() {
        let dir = tempfile::tempdir().unwrap();
        let (mut vault, key) = vault_with_station(dir.path());
        add_officer(&mut vault, &key, "omar");
        assert!(matches!(
            vault.replace_operator_fingerprints("nobody", &[("rightIndex", b"t")], &key, "admin", NOW),
            Err(StoreError::NotFound(_))
        ));
        vault
            .replace_operator_fingerprints("omar", &[("rightIndex", b"t")], &key, "omar", NOW)
            .unwrap();
        vault.remove_operator("omar", NOW).unwrap();
        assert!(vault.operator_fingerprints("omar", &key).unwrap().is_empty());
        assert!(matches!(
            vault.replace_operator_fingerprints("omar", &[("rightIndex", b"t")], &key, "admin", NOW),
            Err(StoreError::NotFound(_))
        ));
    }
}
