//! Leaves out of every rendered page the end tags HTML lets a document omit: `</td>`, `</th>`, `</tr>`,
//! `</li>`, `</dt>` and `</dd>`. A browser builds the same elements without them (the next cell, row, item
//! or term, or the end of the parent, closes the open one), and at 100,000 identities they were about
//! 60 MB of the site. The templates keep them, so they read as ordinary HTML.
//!
//! Only these six are left out, wherever they are markup. Text from the registry never holds a `<` (the
//! templates escape it), and the text of a `<script>`, `<style>` or `<textarea>` and of a comment, where a
//! `</td>` would not be markup, is copied as it is.

/// The end tags left out; each is closed by the next sibling of its kind or by the end of its parent.
const OMITTED: [&str; 6] = ["</td>", "</th>", "</tr>", "</li>", "</dt>", "</dd>"];

/// Elements whose content is text, not markup, up to their own end tag.
const RAW: [&str; 3] = ["script", "style", "textarea"];

/// The page without the end tags in [`OMITTED`].
pub fn omit(html: String) -> String {
    let bytes = html.as_bytes();
    let mut out = String::new();
    // Up to where `html` has been copied into `out`, and where to look for the next tag.
    let (mut copied, mut at) = (0, 0);
    while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
        let start = at + found;
        let rest = &html[start..];
        at = start + 1;
        // What follows the `<` tells which checks can match: most tags open an element no check is about.
        match bytes.get(start + 1) {
            Some(b'/') => {
                if let Some(tag) = OMITTED.iter().find(|t| rest.starts_with(**t)) {
                    if out.is_empty() {
                        out.reserve(html.len());
                    }
                    out.push_str(&html[copied..start]);
                    copied = start + tag.len();
                    at = copied;
                }
            }
            Some(b'!') if rest.starts_with("<!--") => {
                at = memchr::memmem::find(rest.as_bytes(), b"-->")
                    .map_or(html.len(), |end| start + end + 3);
            }
            Some(b's' | b'S' | b't' | b'T') => {
                if let Some(name) = raw_start(rest) {
                    at = raw_end(&html[at..], name).map_or(html.len(), |end| at + end);
                }
            }
            _ => {}
        }
    }
    if copied == 0 {
        return html;
    }
    out.push_str(&html[copied..]);
    out
}

/// The raw-text element `rest` opens, if it opens one (`<script>`, `<script src=…>`, …).
fn raw_start(rest: &str) -> Option<&'static str> {
    let name = rest.get(1..)?;
    RAW.into_iter().find(|raw| {
        name.get(..raw.len())
            .is_some_and(|n| n.eq_ignore_ascii_case(raw))
            && matches!(
                name.as_bytes().get(raw.len()),
                Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/')
            )
    })
}

/// Where the end tag of the raw-text element `name` starts in `text`, matched without regard to case.
fn raw_end(text: &str, name: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b"</").find(|&i| {
        bytes
            .get(i + 2..i + 2 + name.len())
            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
    })
}

#[cfg(test)]
mod tests {
    use super::omit;

    #[test]
    fn the_end_tags_a_browser_supplies_are_left_out() {
        let page = "<table><tr><th>A</th><td>1</td></tr>\n<tr><td>2</td></tr></table>\
                    <ul><li>x <small>(y)</small></li><li>z</li></ul><dl><dt>T</dt><dd>D</dd></dl>";
        assert_eq!(
            omit(page.to_string()),
            "<table><tr><th>A<td>1\n<tr><td>2</table><ul><li>x <small>(y)</small><li>z</ul><dl><dt>T<dd>D</dl>"
        );
    }

    #[test]
    fn other_end_tags_and_text_that_is_not_markup_are_kept() {
        let page = "<p>a</p><script>var s = \"</td>\";</SCRIPT><td>1</td><!-- </li> --><td>2</td>\
                    <style>p::after { content: \"</tr>\" }</style><textarea></dd></textarea><TD>3</TD>";
        assert_eq!(
            omit(page.to_string()),
            "<p>a</p><script>var s = \"</td>\";</SCRIPT><td>1<!-- </li> --><td>2\
             <style>p::after { content: \"</tr>\" }</style><textarea></dd></textarea><TD>3</TD>"
        );
    }

    #[test]
    fn a_page_without_them_comes_back_as_it_was() {
        for page in ["", "plain text", "<p>é</p>", "<script>", "<!-- open", "<"] {
            assert_eq!(omit(page.to_string()), page);
        }
    }
}
