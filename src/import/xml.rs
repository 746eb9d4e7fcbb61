//! A small XML tree read with quick-xml: elements by local name (namespace prefixes
//! dropped), attributes, text, and the line each element starts on (for messages).

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

use crate::error::{Error, Result};

/// One element.
#[derive(Debug, Clone, Default)]
pub struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    pub text: String,
    pub line: usize,
}

impl Node {
    /// An attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Child elements named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child element named `name`.
    pub fn first(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.first(name).map(|n| n.text.clone())
    }
}

fn local(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => name.to_string(),
    }
}

fn line_of(src: &str, byte: usize) -> usize {
    src.as_bytes()[..byte.min(src.len())].iter().filter(|b| **b == b'\n').count() + 1
}

/// Parses `src` (named `file` in messages) into its root element.
pub fn parse(file: &str, src: &str) -> Result<Node> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut reader = Reader::from_str(src);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let bad = |pos: usize, msg: String| Error::invalid(format!("{file}: line {}", line_of(src, pos)), msg);
    loop {
        let pos = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| bad(pos, format!("not well-formed XML: {e}")))?;
        match event {
            Event::Start(e) => stack.push(element(src, file, pos, &e)?),
            Event::Empty(e) => {
                let node = element(src, file, pos, &e)?;
                attach(&mut stack, &mut root, node);
            }
            Event::End(_) => {
                let done = stack.pop().ok_or_else(|| bad(pos, "an end tag without its start".into()))?;
                attach(&mut stack, &mut root, done);
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml_content(XmlVersion::Implicit1_0));
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let ch = match r
                    .resolve_char_ref()
                    .map_err(|e| bad(pos, format!("bad character reference: {e}")))?
                {
                    Some(c) => c.to_string(),
                    None => match r.as_ref() {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => return Err(bad(pos, format!("unknown entity &{other};"))),
                    },
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&ch);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(Error::invalid(
            format!("{file}: line {}", open.line),
            format!("<{}> opened here is never closed (the XML ends first)", open.name),
        ));
    }
    root.ok_or_else(|| Error::invalid(file, "no XML element in the file"))
}

fn element(src: &str, file: &str, pos: usize, e: &quick_xml::events::BytesStart<'_>) -> Result<Node> {
    let bad = |msg: String| Error::invalid(format!("{file}: line {}", line_of(src, pos)), msg);
    let mut node = Node { name: local(e.name().as_ref()), line: line_of(src, pos), ..Default::default() };
    for a in e.attributes() {
        let a = a.map_err(|err| bad(format!("bad attribute: {err}")))?;
        let key = a.key.as_ref().to_string();
        let value = a
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| bad(format!("bad attribute {key}: {err}")))?
            .into_owned();
        node.attrs.push((key, value));
    }
    Ok(node)
}

fn attach(stack: &mut [Node], root: &mut Option<Node>, node: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}
