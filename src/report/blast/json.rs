//! One blast radius as JSON (`nhi blast --format json`): the `Blast` itself, serialized.

use std::io::{self, Write};

use crate::graph::Blast;

pub(super) fn write(blast: &Blast, out: &mut dyn Write) -> io::Result<()> {
    crate::report::pretty_json(out, blast)
}
