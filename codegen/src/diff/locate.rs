//! Finding the line of a JSON pointer in YAML text, so that annotations land on the
//! changed line of the pull request.
//!
//! This reads block-style YAML by indentation (the style of `spec/openapi.yaml`); it
//! does not parse YAML. Where it cannot follow the pointer (flow style, anchors), it
//! answers the line of the deepest part it found.

/// A non-blank, non-comment line.
struct Line<'t> {
    /// 1-based line number.
    number: usize,
    /// Column of the first character.
    indent: usize,
    /// Whether the line starts a sequence item (`- `).
    dash: bool,
    /// The text after the indentation and after the `- ` of a sequence item.
    content: &'t str,
    /// Column where `content` starts.
    content_indent: usize,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    text.lines()
        .enumerate()
        .filter_map(|(i, raw)| {
            let trimmed = raw.trim_start_matches(' ');
            if trimmed.is_empty() || trimmed.starts_with('#') {
                return None;
            }
            let indent = raw.len() - trimmed.len();
            let (dash, content) = match trimmed.strip_prefix("- ") {
                Some(rest) => (true, rest.trim_start_matches(' ')),
                None if trimmed == "-" => (true, ""),
                None => (false, trimmed),
            };
            let content_indent = raw.len() - content.len();
            Some(Line {
                number: i + 1,
                indent,
                dash,
                content,
                content_indent,
            })
        })
        .collect()
}

/// Undoes JSON pointer escaping of one segment (`~1` is `/`, `~0` is `~`).
fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// Whether `content` is the mapping key `key` (plain, single- or double-quoted).
fn is_key(content: &str, key: &str) -> bool {
    let candidates = [
        format!("{key}:"),
        format!("'{}':", key.replace('\'', "''")),
        format!("\"{}\":", key.replace('\\', "\\\\").replace('"', "\\\"")),
    ];
    candidates.iter().any(|c| {
        content
            .strip_prefix(c.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    })
}

/// The 1-based line where the node at `pointer` starts in `text`, or the line of its
/// deepest ancestor that could be found; `None` when not even the first segment is found.
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    let lines = lines(text);
    // The node being searched: its lines are `lines[start..end]`, its children are
    // indented deeper than `parent_indent`, and when it is a sequence item, `item` is
    // its dash line (whose content is the item's first key).
    let (mut start, mut end) = (0, lines.len());
    let mut parent_indent: Option<usize> = None;
    let mut item: Option<usize> = None;
    let mut found = None;
    for segment in pointer.split('/').skip(1).map(unescape) {
        // (level, starts a sequence item) of each line, seen from the current node.
        let shape = |i: usize| -> (usize, bool) {
            let l = &lines[i];
            if l.dash && item != Some(i) {
                (l.indent, true)
            } else {
                (l.content_indent, false)
            }
        };
        let children: Vec<usize> = (start..end)
            .filter(|&i| parent_indent.is_none_or(|p| lines[i].content_indent > p))
            .collect();
        let Some(level) = children.iter().map(|&i| shape(i).0).min() else {
            break;
        };
        let is_sequence = children.iter().any(|&i| shape(i) == (level, true));
        let hit = if is_sequence {
            let Ok(index) = segment.parse::<usize>() else {
                break;
            };
            children
                .iter()
                .copied()
                .filter(|&i| shape(i) == (level, true))
                .nth(index)
        } else {
            children
                .iter()
                .copied()
                .find(|&i| shape(i) == (level, false) && is_key(lines[i].content, &segment))
        };
        let Some(hit) = hit else {
            break;
        };
        found = Some(lines[hit].number);
        // The node's lines run until the next line at its level or above: for a key,
        // a sibling key (a sequence at the key's own indentation belongs to it); for a
        // sequence item, the next item.
        end = (hit + 1..end)
            .find(|&i| {
                let (indent, dash) = shape(i);
                indent < level || (indent == level && (is_sequence || !dash))
            })
            .unwrap_or(end);
        if is_sequence {
            start = hit;
            parent_indent = Some(lines[hit].indent);
            item = Some(hit);
        } else {
            start = hit + 1;
            parent_indent = Some(level);
            item = None;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::line_of;

    const YAML: &str = "\
openapi: 3.0.3
paths:
  /a/b:
    get:
      parameters:
        - name: x
          in: query
        - name: y
          in: header
      responses:
        '200':
          description: ok
components:
  schemas:
    S:
      # a comment
      required: [a]
      properties:
        a:
          type: string
";

    #[test]
    fn finds_keys_quoted_keys_and_sequence_items() {
        assert_eq!(line_of(YAML, "/paths/~1a~1b/get"), Some(4));
        assert_eq!(line_of(YAML, "/paths/~1a~1b/get/parameters/1"), Some(8));
        assert_eq!(line_of(YAML, "/paths/~1a~1b/get/parameters/1/in"), Some(9));
        assert_eq!(
            line_of(YAML, "/paths/~1a~1b/get/responses/200/description"),
            Some(12)
        );
        assert_eq!(
            line_of(YAML, "/components/schemas/S/properties/a/type"),
            Some(20)
        );
    }

    #[test]
    fn a_missing_node_gives_its_deepest_ancestor() {
        assert_eq!(
            line_of(YAML, "/components/schemas/S/properties/zzz"),
            Some(18)
        );
        assert_eq!(line_of(YAML, "/components/schemas/S/required/0"), Some(17));
        assert_eq!(line_of(YAML, "/nothing"), None);
        assert_eq!(line_of(YAML, ""), None);
    }

    #[test]
    fn a_sibling_key_does_not_match_inside_another_node() {
        // `in` exists in parameter 0, not under responses.
        assert_eq!(line_of(YAML, "/paths/~1a~1b/get/responses/in"), Some(10));
    }
}
