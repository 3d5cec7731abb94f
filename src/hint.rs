//! Hints in messages: "did you mean" for a typo, the field a JSON pointer names, and a value as a message
//! may show it (never a secret, never a long string).

use crate::secrets;
use crate::span::unescape_token;

/// The closest candidate within a small edit distance, for "did you mean".
pub fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .iter()
        .map(|c| (levenshtein(word, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// `, did you mean `x`?` when a candidate is close to `word`, else nothing: the one wording of the hint,
/// appended right after what was not found (`unknown field `ownr`, did you mean `owner`?`).
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    suggest(word, &candidates)
        .map(|s| format!(", did you mean `{s}`?"))
        .unwrap_or_default()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The last token of a JSON pointer, unescaped; array indexes name their parent (`access[2]`).
pub fn field_name(pointer: &str) -> String {
    let mut tokens = pointer.rsplit('/');
    let last = unescape_token(tokens.next().unwrap_or(""));
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        let parent = unescape_token(tokens.next().unwrap_or(""));
        return format!("{parent}[{last}]");
    }
    if last.is_empty() {
        "document".into()
    } else {
        last
    }
}

/// Text from a registry file as a message may show it: never a secret, never longer than 40 characters.
pub fn shown(text: &str) -> String {
    if text.chars().count() > 40 || secrets::detect(text).is_some() {
        "…".into()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_for_typos() {
        assert_eq!(
            suggest("ownr", &["owner", "contact", "name"]),
            Some("owner")
        );
        assert_eq!(suggest("zzzzzz", &["owner", "contact"]), None);
        assert_eq!(
            did_you_mean("ownr", ["owner", "contact"]),
            ", did you mean `owner`?"
        );
        assert_eq!(did_you_mean("zzzzzz", ["owner"]), "");
    }

    #[test]
    fn field_names_of_pointers() {
        assert_eq!(field_name("/access/2"), "access[2]");
        assert_eq!(field_name("/credential/kind"), "kind");
        assert_eq!(field_name(""), "document");
    }

    #[test]
    fn secrets_and_long_values_are_not_shown() {
        assert_eq!(shown("ci-deploy"), "ci-deploy");
        assert_eq!(shown(&"x".repeat(41)), "…");
        assert_eq!(shown("AKIAIOSFODNN7EXAMPLE"), "…");
    }
}
