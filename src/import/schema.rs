//! The rules of the REFI-QDA schema (QDA-XML 1.0) that an import relies on, checked on the
//! whole tree before anything is written: the root element and its namespace, the required
//! attributes, GUID and integer formats, `isCodable` as a boolean, and the elements allowed
//! inside each element the import reads. A breach is `invalid_input` naming the file, the
//! line and the element.

use super::xml::Node;
use crate::error::{Error, Result};

/// The namespace of a `.qdpx` project's `project.qde`.
pub const PROJECT_NS: &str = "urn:QDA-XML:project:1.0";
/// The namespace of a `.qdc` codebook.
pub const CODEBOOK_NS: &str = "urn:QDA-XML:codebook:1.0";

/// An error at `node` of `file` breaking the schema.
pub fn schema_error(file: &str, node: &Node, message: impl std::fmt::Display) -> Error {
    Error::invalid(
        format!("{file}: line {}", node.line),
        format!("<{}> {message} (REFI-QDA schema)", node.name),
    )
}

/// A GUID, with or without braces.
pub fn is_guid(s: &str) -> bool {
    let s = s.strip_prefix('{').and_then(|s| s.strip_suffix('}')).unwrap_or(s);
    let parts: Vec<&str> = s.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    parts.len() == 5
        && parts.iter().zip(lens).all(|(p, l)| p.len() == l && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A GUID without braces, upper case (how references are matched).
pub fn norm_guid(s: &str) -> String {
    s.trim_matches(|c| c == '{' || c == '}').to_ascii_uppercase()
}

/// Checks the parts of the schema an import relies on, everywhere in the tree.
pub fn validate(file: &str, node: &Node) -> Result<()> {
    if let Some(g) = node.attr("guid") {
        if !is_guid(g) {
            return Err(schema_error(file, node, format!("has guid {g:?}, which is not a GUID")));
        }
    }
    for (k, v) in &node.attrs {
        if k == "targetGUID" && !is_guid(v) {
            return Err(schema_error(file, node, format!("has targetGUID {v:?}, which is not a GUID")));
        }
    }
    let required: &[&str] = match node.name.as_str() {
        "Project" => &["name"],
        "Code" => &["guid", "name", "isCodable"],
        "User" | "Case" | "TextSource" | "AudioSource" | "VideoSource" | "PictureSource" | "PDFSource"
        | "Note" | "Transcript" | "SyncPoint" | "Coding" | "Set" | "Link" => &["guid"],
        "Variable" => &["guid", "name", "typeOfVariable"],
        "PlainTextSelection" => &["guid", "startPosition", "endPosition"],
        "AudioSelection" | "VideoSelection" => &["guid", "begin", "end"],
        "CodeRef" | "NoteRef" | "SourceRef" | "VariableRef" | "SelectionRef" => &["targetGUID"],
        _ => &[],
    };
    for attr in required {
        if node.attr(attr).is_none() {
            return Err(schema_error(file, node, format!("needs the attribute {attr}")));
        }
    }
    for attr in ["startPosition", "endPosition", "begin", "end", "position", "timeStamp"] {
        if let Some(v) = node.attr(attr) {
            if v.trim().parse::<i64>().is_err() {
                return Err(schema_error(file, node, format!("has {attr}={v:?}, which is not an integer")));
            }
        }
    }
    if let Some(v) = node.attr("isCodable") {
        if !matches!(v.trim(), "true" | "false" | "1" | "0") {
            return Err(schema_error(file, node, format!("has isCodable={v:?}, which is not true or false")));
        }
    }
    if node.name == "Coding" && node.first("CodeRef").is_none() {
        return Err(schema_error(file, node, "needs a <CodeRef>"));
    }
    if let Some(allowed) = allowed_children(&node.name) {
        if let Some(bad) = node.children.iter().find(|c| !allowed.contains(&c.name.as_str())) {
            return Err(schema_error(file, bad, format!("is not allowed inside <{}>", node.name)));
        }
    }
    for c in &node.children {
        validate(file, c)?;
    }
    Ok(())
}

/// The elements the schema allows inside each element an import reads (others are not
/// checked here).
fn allowed_children(name: &str) -> Option<&'static [&'static str]> {
    const TEXT_SOURCE: &[&str] =
        &["Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef", "VariableValue"];
    Some(match name {
        "Project" => &PROJECT_CHILDREN,
        "Users" => &["User"],
        "CodeBook" => &["Codes", "Sets"],
        "Codes" => &["Code"],
        "Code" => &["Description", "NoteRef", "Code"],
        "Variables" => &["Variable"],
        "Cases" => &["Case"],
        "Case" => &["Description", "CodeRef", "VariableValue", "SourceRef", "SelectionRef"],
        "Sources" => &["TextSource", "PictureSource", "PDFSource", "AudioSource", "VideoSource"],
        "TextSource" | "Note" | "Representation" | "TextDescription" => TEXT_SOURCE,
        "PlainTextSelection" => &["Description", "Coding", "NoteRef"],
        "Coding" => &["CodeRef", "NoteRef"],
        "Notes" => &["Note"],
        "Transcript" => &["Description", "PlainTextContent", "SyncPoint", "TranscriptSelection", "NoteRef"],
        _ => return None,
    })
}

/// Checks that the root element is `name` in the namespace `ns`.
pub fn check_root(file: &str, root: &Node, name: &str, ns: &str) -> Result<()> {
    if root.name != name {
        return Err(schema_error(
            file,
            root,
            format!("is the root element; a REFI-QDA file has <{name}> in {ns}"),
        ));
    }
    // The default namespace, or a prefixed one (`<qda:Project xmlns:qda="…">`).
    let declared =
        root.attrs.iter().find(|(k, _)| k == "xmlns" || k.starts_with("xmlns:")).map(|(_, v)| v.as_str());
    if root.attrs.iter().any(|(k, v)| (k == "xmlns" || k.starts_with("xmlns:")) && v == ns) {
        return Ok(());
    }
    Err(schema_error(
        file,
        root,
        format!("is in namespace {:?}; expected {ns}", declared.unwrap_or("(none)")),
    ))
}

/// The elements of `<Project>`, in the schema's order.
pub const PROJECT_CHILDREN: [&str; 11] = [
    "Users",
    "CodeBook",
    "Variables",
    "Cases",
    "Sources",
    "Notes",
    "Links",
    "Sets",
    "Graphs",
    "Description",
    "NoteRef",
];
