//! One blast radius for people (`nhi blast`): the score, then a table of the systems and one of the
//! identities picked up, each with its explaining path.

use std::io::{self, Write};

use crate::graph::Blast;
use crate::model::Kind;
use crate::report::text::{column_width, plural, terminal as plain};

pub(super) fn write(b: &Blast, out: &mut dyn Write) -> io::Result<()> {
    let kind = if b.root_kind == Kind::Identity {
        "identity"
    } else {
        "system (as if held with admin)"
    };
    writeln!(
        out,
        "Blast radius of {kind} {}: score {}",
        plain(&b.root),
        b.score
    )?;
    if b.revoked {
        writeln!(
            out,
            "  decommissioned with its credential revoked: it reaches nothing"
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "  {} ({} critical), {} picked up",
        plural(b.systems.len(), "system", "systems"),
        b.critical(),
        plural(b.identities.len(), "identity", "identities")
    )?;
    if !b.systems.is_empty() {
        let width = column_width(b.systems.iter().map(|s| s.id.as_str()), 6);
        writeln!(
            out,
            "\n{:<width$}  {:<11}  {:<5}  path",
            "system", "criticality", "level"
        )?;
        for s in &b.systems {
            let criticality = s.criticality.map_or("-", |c| c.as_str());
            let id = plain(&s.id);
            writeln!(
                out,
                "{id:<width$}  {criticality:<11}  {:<5}  {}",
                s.level.as_str(),
                plain(&s.explained)
            )?;
        }
    }
    if !b.identities.is_empty() {
        let width = column_width(b.identities.iter().map(|i| i.id.as_str()), 20);
        writeln!(out, "\n{:<width$}  path", "identity picked up")?;
        for i in &b.identities {
            writeln!(out, "{:<width$}  {}", plain(&i.id), plain(&i.explained))?;
        }
    }
    Ok(())
}
