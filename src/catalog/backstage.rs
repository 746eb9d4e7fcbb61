//! Backstage descriptor files: one or more YAML documents (`---` between them), each an
//! entity with `apiVersion`, `kind`, `metadata` and `spec`.
//!
//! Read: Component (`spec.type`, `spec.owner`, `spec.system`, `spec.lifecycle`), System
//! (`spec.owner`), Group (`spec.profile.displayName`, `spec.parent`, `spec.members`) and User
//! (`spec.profile.email`, `spec.memberOf`); `metadata.name`, `namespace`, `title`,
//! `description`, `annotations`. A service's tier is `spec.tier`, else the label `tier`, else
//! an annotation whose key ends in `tier`. Other kinds (API, Resource, Location, Domain,
//! Template) are counted and skipped. Errors name the file, the line of the document and the
//! field.

use serde_yaml::Value;

use super::{entity_name, valid_name, Entity};
use crate::error::{Error, Result};

/// Splits YAML text into documents with the line each starts on (1-based).
fn documents(text: &str) -> Vec<(usize, String)> {
    let mut docs = Vec::new();
    let mut start = 1;
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let is_separator =
            line.starts_with("---") && line[3..].chars().next().is_none_or(char::is_whitespace);
        let is_end = line.starts_with("...") && line[3..].trim().is_empty();
        if is_separator || is_end {
            docs.push((start, std::mem::take(&mut current)));
            // The rest of a `--- ` line belongs to the next document (rarely used).
            current.push_str(if is_separator { line[3..].trim_start() } else { "" });
            current.push('\n');
            start = i + 1;
            continue;
        }
        current.push_str(line);
        current.push('\n');
    }
    docs.push((start, current));
    docs
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for key in path {
        cur = cur.get(*key)?;
    }
    cur.as_str().map(str::trim).filter(|s| !s.is_empty())
}

fn strings_at(v: &Value, path: &[&str], at: &str, field: &str) -> Result<Vec<String>> {
    let mut cur = v;
    for key in path {
        match cur.get(*key) {
            Some(next) => cur = next,
            None => return Ok(Vec::new()),
        }
    }
    match cur {
        Value::Null => Ok(Vec::new()),
        Value::Sequence(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(|s| entity_name(s).to_string())
                    .ok_or_else(|| Error::invalid(at, format!("field `{field}`: expected a list of names")))
            })
            .collect(),
        _ => Err(Error::invalid(at, format!("field `{field}`: expected a list of names"))),
    }
}

/// The deepest nesting of flow collections (`[`, `{`) a descriptor may have. An entity needs
/// a few levels; YAML's own parser stops at 128, but only after its scanner has gone through
/// every bracket, in time that grows with the square of their number (10,000 nested `[`
/// took seconds under the fuzzer), so deeper files are refused before it runs.
const MAX_FLOW_DEPTH: usize = 64;

/// The line (1-based, within `doc`) where flow collections nest deeper than
/// [`MAX_FLOW_DEPTH`], if they do. Quoted scalars and comments are skipped; a bracket inside a
/// plain scalar counts, so a plain value with more than 64 unclosed `[` is refused too.
fn too_deep(doc: &str) -> Option<usize> {
    let (mut depth, mut line) = (0usize, 1usize);
    let (mut single, mut double, mut comment, mut escaped) = (false, false, false, false);
    let mut prev = '\n';
    for c in doc.chars() {
        if c == '\n' {
            line += 1;
            comment = false;
        } else if comment {
            // The rest of the line is a comment.
            continue;
        } else if double {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                double = false;
            }
        } else if single {
            if c == '\'' {
                single = false;
            }
        } else {
            match c {
                '#' if prev.is_whitespace() => comment = true,
                '"' => double = true,
                '\'' => single = true,
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some(line);
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        prev = c;
    }
    None
}

/// Parses every document of a descriptor file. Returns the entities and how many documents
/// of other kinds were skipped.
pub fn parse(text: &str, source: &str) -> Result<(Vec<Entity>, i64)> {
    let mut entities = Vec::new();
    let mut skipped = 0;
    for (line, doc) in documents(text) {
        if let Some(at) = too_deep(&doc) {
            return Err(Error::invalid(
                format!("{source}:{}", line + at - 1),
                format!("nested deeper than {MAX_FLOW_DEPTH} levels of [ ] or {{ }}"),
            ));
        }
        let value: Value = serde_yaml::from_str(&doc).map_err(|e| {
            let at = e.location().map(|l| line + l.line() - 1).unwrap_or(line);
            Error::invalid(format!("{source}:{at}"), format!("not valid YAML: {e}"))
        })?;
        if value.is_null() {
            continue;
        }
        let at = format!("{source}:{line}");
        if !value.is_mapping() {
            return Err(Error::invalid(
                &at,
                "expected an entity (a mapping with apiVersion, kind, metadata)",
            ));
        }
        let kind = str_at(&value, &["kind"])
            .ok_or_else(|| Error::invalid(&at, "field `kind`: expected Component, System, Group or User"))?;
        let kind = kind.to_ascii_lowercase();
        if !matches!(kind.as_str(), "component" | "system" | "group" | "user") {
            skipped += 1;
            continue;
        }
        if let Some(api) = str_at(&value, &["apiVersion"]) {
            if !api.starts_with("backstage.io/") {
                return Err(Error::invalid(
                    &at,
                    format!("field `apiVersion`: expected backstage.io/v1alpha1 or v1beta1, found {api:?}"),
                ));
            }
        }
        let name = str_at(&value, &["metadata", "name"])
            .ok_or_else(|| Error::invalid(&at, "field `metadata.name`: expected a name"))?;
        if !valid_name(name) {
            return Err(Error::invalid(
                &at,
                format!("field `metadata.name`: {name:?} is not a valid name (letters, digits, - _ . ; at most 63)"),
            ));
        }
        let owner = str_at(&value, &["spec", "owner"]).map(|o| entity_name(o).to_string());
        if kind == "component" && owner.is_none() {
            return Err(Error::invalid(
                &at,
                format!("field `spec.owner`: the Component {name:?} has no owner"),
            ));
        }
        let annotations = match value.get("metadata").and_then(|m| m.get("annotations")) {
            None | Some(Value::Null) => serde_json::Map::new(),
            Some(Value::Mapping(m)) => m
                .iter()
                .filter_map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        _ => return None,
                    };
                    Some((k.as_str()?.to_string(), serde_json::Value::String(v)))
                })
                .collect(),
            Some(_) => return Err(Error::invalid(&at, "field `metadata.annotations`: expected a mapping")),
        };
        let tier = str_at(&value, &["spec", "tier"])
            .or_else(|| str_at(&value, &["metadata", "labels", "tier"]))
            .map(String::from)
            .or_else(|| {
                annotations
                    .iter()
                    .find(|(k, _)| k.ends_with("/tier") || k.as_str() == "tier")
                    .and_then(|(_, v)| v.as_str().map(String::from))
            });
        let members = match kind.as_str() {
            "group" => strings_at(&value, &["spec", "members"], &at, "spec.members")?,
            "user" => strings_at(&value, &["spec", "memberOf"], &at, "spec.memberOf")?,
            _ => Vec::new(),
        };
        let title = str_at(&value, &["metadata", "title"])
            .or_else(|| str_at(&value, &["spec", "profile", "displayName"]))
            .map(String::from);
        entities.push(Entity {
            namespace: str_at(&value, &["metadata", "namespace"]).unwrap_or("default").to_string(),
            name: name.to_string(),
            title,
            description: str_at(&value, &["metadata", "description"]).map(String::from),
            spec_type: str_at(&value, &["spec", "type"]).map(String::from),
            owner,
            system: str_at(&value, &["spec", "system"]).map(|s| entity_name(s).to_string()),
            lifecycle: str_at(&value, &["spec", "lifecycle"]).map(String::from),
            tier,
            parent: str_at(&value, &["spec", "parent"]).map(|s| entity_name(s).to_string()),
            members,
            email: str_at(&value, &["spec", "profile", "email"]).map(String::from),
            annotations,
            source: at,
            kind,
        });
    }
    Ok((entities, skipped))
}

#[cfg(test)]
mod tests {
    #[test]
    fn fuzz_catalog_timeout_d3008ee7_ten_thousand_nested_brackets_are_refused_before_yaml_parses() {
        // The fuzzer's timeout-d3008ee7…: the bad corpus' backstage-nested-10000.yaml, whose
        // brackets made YAML's scanner take seconds; now refused by a linear scan, by line.
        let text =
            format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {}\n", "[".repeat(10_000));
        let started = std::time::Instant::now();
        let err = super::parse(&text, "deep.yaml").unwrap_err().to_string();
        assert!(err.contains("deep.yaml:3") && err.contains("nested deeper than 64"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        // Brackets in quotes and comments do not count; ordinary nesting passes the check.
        let quoted = format!(
            "a: \"{}\"\nb: '{}' # {}\nc: [[1, 2], {{d: [3]}}]\n",
            "[".repeat(100),
            "{".repeat(100),
            "[".repeat(100)
        );
        assert_eq!(super::too_deep(&quoted), None);
        assert_eq!(super::too_deep(&"[".repeat(64)), None);
        assert_eq!(super::too_deep(&format!("x\n{}", "{".repeat(65))), Some(2));
    }

    #[test]
    fn documents_start_on_the_line_after_their_separator() {
        let docs = super::documents("a: 1\n---\nb: 2\n--- # c\nc: 3\n");
        let starts: Vec<usize> = docs.iter().map(|d| d.0).collect();
        assert_eq!(starts, vec![1, 2, 4]);
    }

    #[test]
    fn a_bad_field_is_reported_at_its_document() {
        let text = "kind: Group\nmetadata:\n  name: a\n---\nkind: Component\nmetadata:\n  name: svc\nspec:\n  type: service\n";
        let err = super::parse(text, "c.yaml").unwrap_err().to_string();
        assert!(err.starts_with("c.yaml:4:") && err.contains("spec.owner"), "{err}");
    }
}
