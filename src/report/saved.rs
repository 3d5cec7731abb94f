//! Reports nhi writes as JSON and reads back (`nhi build --drift`, `--trace`): the version check and the
//! one error a loader gives.

use std::path::Path;

use jiff::civil::Date;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Why a saved report cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    // The cause is part of the message, not a `source`: error chains print each source again.
    #[error("cannot read the {what} report {path}: {cause}")]
    Io {
        what: &'static str,
        path: String,
        cause: std::io::Error,
    },
    #[error("{path} is not an nhi {what} report (`nhi {what} --format json`): {message}")]
    Invalid {
        what: &'static str,
        path: String,
        message: String,
    },
}

/// Loads every report at `paths` with `load`, in a fixed order (source, file name, day as `order` gives
/// them, then the order given); the first one that cannot be read is the error.
pub fn load_all<T>(
    paths: &[impl AsRef<Path>],
    load: fn(&Path) -> Result<T, ReportError>,
    order: fn(&T) -> (&str, &str, Date),
) -> Result<Vec<T>, ReportError> {
    let mut reports = paths
        .iter()
        .map(|p| load(p.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    reports.sort_by(|a, b| {
        let ((sa, fa, da), (sb, fb, db)) = (order(a), order(b));
        (sa, file_name(fa), da).cmp(&(sb, file_name(fb), db))
    });
    Ok(reports)
}

/// The last component of a path as written in a report (`/`- or `\`-separated): all a page shows of it.
pub fn file_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches(['/', '\\']);
    trimmed.rsplit(['/', '\\']).next().unwrap_or(trimmed)
}

/// Loads the report of `nhi {what} --format json` at `path`, read by `parse`.
pub fn load<T>(
    path: &Path,
    what: &'static str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, ReportError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|cause| ReportError::Io {
        what,
        path: shown.clone(),
        cause,
    })?;
    parse(&text).map_err(|message| ReportError::Invalid {
        what,
        path: shown,
        message,
    })
}

/// The report in `text` when it is JSON of the `version` this nhi writes, and `check` accepts it.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    version: u32,
    check: impl FnOnce(&Value) -> Result<(), String>,
) -> Result<T, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    match value.get("version").and_then(Value::as_u64) {
        Some(v) if v == u64::from(version) => {}
        Some(v) => {
            return Err(format!(
                "version {v} is not supported (this nhi reads version {version})"
            ))
        }
        None => return Err("it has no `version`".into()),
    }
    check(&value)?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn only_the_file_name_of_an_export_is_shown() {
        for (path, name) in [
            ("/home/me/exports/report.csv", "report.csv"),
            ("C:\\exports\\report.csv", "report.csv"),
            ("checkout/", "checkout"),
            ("report.csv", "report.csv"),
        ] {
            assert_eq!(file_name(path), name, "{path}");
        }
    }
}
