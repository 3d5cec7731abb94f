//! Writes an IAM credential report matching a registry, for benchmarking `nhi drift` and `nhi sync`:
//! `cargo run --release --example synth_export -- REGISTRY YYYY-MM-DD > report.csv`.
//!
//! One row per identity whose `external_id` is an IAM user ARN (a role ARN is written as the user of the
//! same name, so a synthetic registry can be turned into users with one `sed`): an active key issued after
//! the recorded rotation for about a third of them, and a last use in the days before DAY for all.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(root), Some(day)) = (
        args.first().map(PathBuf::from),
        args.get(1).and_then(|d| nhi::day::parse(d)),
    ) else {
        eprintln!("usage: synth_export REGISTRY YYYY-MM-DD > report.csv");
        return ExitCode::from(2);
    };
    let loaded = match nhi::load::load(&root) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("synth_export: {e}");
            return ExitCode::from(2);
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let stamp = |d: jiff::civil::Date| format!("{d}T09:00:00+00:00");
    let mut rows = 0usize;
    let _ = writeln!(out, "{HEADER}");
    for (i, doc) in loaded.registry.identities.iter().enumerate() {
        let Some(ext) = doc.item.external_id.as_deref() else {
            continue;
        };
        let arn = ext.replace(":role/", ":user/");
        let Some(name) = arn.rsplit('/').next() else {
            continue;
        };
        let c = &doc.item.credential;
        let created = c.created.unwrap_or(nhi::day::add(day, -800));
        let recorded = c.last_rotated.unwrap_or(created);
        let issued = if i % 3 == 0 {
            nhi::day::add(recorded, 1 + (i % 20) as i64).min(day)
        } else {
            recorded
        };
        let used = nhi::day::add(day, -((i % 5) as i64));
        let _ = writeln!(
            out,
            "{name},{arn},{},false,N/A,N/A,N/A,false,true,{},{},us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
            stamp(created),
            stamp(issued),
            stamp(used)
        );
        rows += 1;
    }
    if out.flush().is_err() {
        return ExitCode::from(2);
    }
    eprintln!("wrote {rows} rows");
    ExitCode::SUCCESS
}
