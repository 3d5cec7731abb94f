//! What a registry id is: `^[a-z0-9][a-z0-9._-]{0,127}$`, the pattern of the schemas. Ids name files and
//! pages, so every place that makes or checks one asks here.

/// The longest id the schema accepts.
pub const MAX_LEN: usize = 128;

/// Whether `c` may stand in an id.
pub fn is_id_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
}

/// Whether `id` matches the id pattern of the specification.
pub fn is_id(id: &str) -> bool {
    id.len() <= MAX_LEN
        && id
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id.chars().all(is_id_char)
}

/// What an invalid id is told.
pub const RULE: &str = "lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 128 characters";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_of_the_schemas() {
        let pattern = regex::Regex::new(r"^[a-z0-9][a-z0-9._-]{0,127}$").unwrap();
        let long = "a".repeat(MAX_LEN);
        let too_long = "a".repeat(MAX_LEN + 1);
        for id in [
            "a",
            "0",
            "ci-deploy",
            "a.b_c-d",
            &long,
            &too_long,
            "",
            "-a",
            ".a",
            "A",
            "a/b",
            "a b",
            "é",
            "a\u{0}",
            "..",
        ] {
            assert_eq!(is_id(id), pattern.is_match(id), "{id:?}");
        }
    }
}
