//! Registration ids that are unique without a network: center (5 digits), station (5 digits),
//! sequence (5 digits, from the vault), UTC timestamp `YYYYMMDDhhmmss`, as MOSIP's 29-digit
//! RID, followed by a Verhoeff check digit so that a clerk's typo (any single wrong digit, any
//! swap of two neighbouring digits) is caught when an id is read back or typed in.

/// Verhoeff's multiplication table of the dihedral group D5.
const MULTIPLY: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
/// Verhoeff's permutation table: row `i` is σ^i for σ = (0 1 5 8 9 4 2 7)(3 6).
const PERMUTE: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const INVERSE: [u8; 10] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

fn digits(text: &str) -> Option<Vec<u8>> {
    text.bytes().map(|b| b.is_ascii_digit().then(|| b - b'0')).collect()
}

/// The Verhoeff check digit for a string of decimal digits.
pub fn verhoeff_check_digit(number: &str) -> Option<u8> {
    let mut check = 0u8;
    for (i, digit) in digits(number)?.iter().rev().enumerate() {
        check = MULTIPLY[check as usize][PERMUTE[(i + 1) % 8][*digit as usize] as usize];
    }
    Some(INVERSE[check as usize])
}

/// True when the last digit is the Verhoeff check digit of the rest.
pub fn verhoeff_is_valid(number: &str) -> bool {
    let Some(all) = digits(number) else { return false };
    let mut check = 0u8;
    for (i, digit) in all.iter().rev().enumerate() {
        check = MULTIPLY[check as usize][PERMUTE[i % 8][*digit as usize] as usize];
    }
    !all.is_empty() && check == 0
}

/// Compose a registration id. `center_id` and `station_id` must be 5 digits; the sequence
/// wraps at 100000 (the timestamp keeps ids apart).
pub fn registration_id(center_id: &str, station_id: &str, sequence: u64, at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let body = format!(
        "{center_id:0>5}{station_id:0>5}{:05}{:04}{:02}{:02}{:02}{:02}{:02}",
        sequence % 100_000,
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    let check = verhoeff_check_digit(&body).expect("the body is made of digits");
    format!("{body}{check}")
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn known_verhoeff_values() {
        // Published examples of the Verhoeff scheme.
        assert_eq!(verhoeff_check_digit("236"), Some(3));
        assert_eq!(verhoeff_check_digit("12345"), Some(1));
        assert!(verhoeff_is_valid("2363"));
        assert!(!verhoeff_is_valid("2364"));
        assert!(!verhoeff_is_valid("23a3"));
    }

    #[test]
    fn the_permutation_table_is_the_powers_of_sigma() {
        for i in 1..8 {
            for digit in 0..10 {
                assert_eq!(
                    PERMUTE[i][digit],
                    PERMUTE[1][PERMUTE[i - 1][digit] as usize],
                    "row {i}, digit {digit}"
                );
            }
        }
    }

    #[test]
    fn ids_have_thirty_digits_and_catch_every_single_digit_typo_and_neighbour_swap() {
        let id = registration_id("10002", "10001", 42, datetime!(2026-11-25 10:04:05 UTC));
        assert_eq!(&id[..29], "10002100010004220261125100405");
        assert_eq!(id.len(), 30);
        assert!(verhoeff_is_valid(&id));
        let bytes = id.as_bytes();
        for position in 0..bytes.len() {
            for replacement in b'0'..=b'9' {
                if replacement == bytes[position] {
                    continue;
                }
                let mut typo = bytes.to_vec();
                typo[position] = replacement;
                assert!(
                    !verhoeff_is_valid(std::str::from_utf8(&typo).unwrap()),
                    "typo at {position} not caught"
                );
            }
            if position + 1 < bytes.len() && bytes[position] != bytes[position + 1] {
                let mut swapped = bytes.to_vec();
                swapped.swap(position, position + 1);
                assert!(
                    !verhoeff_is_valid(std::str::from_utf8(&swapped).unwrap()),
                    "swap at {position} not caught"
                );
            }
        }
    }
}
