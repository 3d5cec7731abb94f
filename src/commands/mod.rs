//! What each subcommand does with the library; only this module and `report/` write output.

pub mod blast;
pub mod build;
pub mod codeowners;
pub mod diff;
pub mod drift;
pub mod graph;
pub mod import;
pub mod new;

use std::io::Write;

use anyhow::{bail, Result};

use crate::cli::{CheckArgs, Color, Command, Deny, ListFormat};
use nhi::catalogue::{self, Rule, NIST, OWASP};
use nhi::load::schema;
use nhi::model::Kind;
use nhi::report::{self, Format};

/// Runs one subcommand and returns the exit code.
pub fn run(command: Command, out: &mut dyn Write, color_ok: bool) -> Result<u8> {
    match command {
        Command::Check(args) => check(args, out, color_ok),
        Command::Rules { format } => rules(format, out),
        Command::Explain { rule } => explain(&rule, out),
        Command::Schema { kind } => schema_cmd(kind.as_deref(), out),
        Command::Import(args) => import::run(args, out),
        Command::Drift(args) => drift::run(args, out, color_ok),
        Command::Diff(args) => diff::run(args, out),
        Command::Codeowners(args) => codeowners::run(args, out),
        Command::New(args) => new::run(args, out),
        Command::Blast(args) => blast::blast(args, out),
        Command::Rank(args) => blast::rank(args, out),
        Command::Graph(args) => graph::graph(args, out),
        Command::Build(args) => build::run(args, out),
    }
}

fn check(args: CheckArgs, out: &mut dyn Write, color_ok: bool) -> Result<u8> {
    let as_of = args.as_of.unwrap_or_else(nhi::day::today_utc);
    let checked = nhi::check(&args.registry, as_of)?;
    let format = args.format.unwrap_or_else(|| {
        if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
            Format::Github
        } else {
            Format::Human
        }
    });
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => color_ok,
    };
    let mut cx = report::Context {
        checked: &checked,
        root: &args.registry,
        repo_prefix: report::repo_prefix(&args.registry),
        color,
        changed: None,
    };
    if let Some(rev) = &args.changed_from {
        let repo = nhi::git::Repo::discover(&args.registry)?;
        cx.changed = Some(repo.changed_since(rev)?);
        cx.repo_prefix = repo.prefix;
    }
    nhi::timings::phase("output", || report::emitter(format).emit(&cx, out))?;
    let code = u8::from(checked.fails(args.deny == Some(Deny::Warnings)));
    // The process exits next: freeing a large registry document by document would only cost time.
    std::mem::forget(checked);
    Ok(code)
}

fn rules(format: ListFormat, out: &mut dyn Write) -> Result<u8> {
    match format {
        ListFormat::Json => {
            let list: Vec<_> = catalogue::RULES.iter().map(rule_json).collect();
            serde_json::to_writer_pretty(&mut *out, &list)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            writeln!(
                out,
                "{:<28} {:<8} {:<12} {:<26} summary",
                "rule", "default", "owasp", "nist csf 2.0"
            )?;
            for r in catalogue::RULES {
                let owasp = if r.owasp.is_empty() {
                    "-".to_string()
                } else {
                    r.owasp.join(",")
                };
                writeln!(
                    out,
                    "{:<28} {:<8} {:<12} {:<26} {}",
                    r.id,
                    r.default.as_str(),
                    owasp,
                    r.nist.join(","),
                    r.summary
                )?;
            }
        }
    }
    Ok(0)
}

fn rule_json(r: &Rule) -> serde_json::Value {
    serde_json::json!({
        "id": r.id, "default": r.default.as_str(), "owasp": r.owasp, "nist": r.nist,
        "summary": r.summary, "explanation": r.explanation, "fix": r.fix, "waivable": r.waivable,
    })
}

fn explain(id: &str, out: &mut dyn Write) -> Result<u8> {
    let Some(r) = catalogue::get(id) else {
        let ids: Vec<&str> = catalogue::RULES.iter().map(|r| r.id.as_str()).collect();
        let hint = schema::suggest(id, &ids)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        bail!("no rule `{id}`{hint} (`nhi rules` lists them)");
    };
    writeln!(
        out,
        "{} ({} by default)\n\n{}\n\n{}\n\nFix: {}\n",
        r.id,
        r.default.as_str(),
        r.summary,
        r.explanation,
        r.fix
    )?;
    for o in r.owasp {
        let title = OWASP.iter().find(|(id, _)| id == o).map_or("", |(_, t)| *t);
        writeln!(out, "OWASP NHI Top 10 (2025) {o}: {title}")?;
    }
    for n in r.nist {
        let title = NIST.iter().find(|(id, _)| id == n).map_or("", |(_, t)| *t);
        writeln!(out, "NIST CSF 2.0 {n}: {title}")?;
    }
    let waiver = if r.waivable {
        "An Exception can waive it for named identities."
    } else {
        "No Exception can waive it."
    };
    writeln!(out, "{waiver}")?;
    Ok(0)
}

fn schema_cmd(kind: Option<&str>, out: &mut dyn Write) -> Result<u8> {
    let Some(name) = kind else {
        for (kind, _) in schema::SCHEMAS {
            writeln!(
                out,
                "{:<10} schema/{}.schema.json",
                kind.name(),
                kind.name().to_lowercase()
            )?;
        }
        return Ok(0);
    };
    let Some(kind) = Kind::ALL
        .into_iter()
        .find(|k| k.name().eq_ignore_ascii_case(name))
    else {
        bail!("no kind `{name}`: one of Identity, Team, Person, System, Exception, Policy");
    };
    out.write_all(schema::text(kind).as_bytes())?;
    Ok(0)
}
