//! A fast path for reading one line of a Kubernetes audit log (`audit.k8s.io/v1` Event, one JSON
//! object a line).
//!
//! Deserializing a line with serde_json into the typed event struct runs at about 600 MB/s a
//! core, which makes the JSON parsing the bulk of an import. [`scan`] validates the whole line
//! as strict JSON (RFC 8259) and borrows the few fields Rapport reads straight from it, without
//! allocating, at several times that speed. A line of up to [`MARKED_LINE`] bytes on x86-64 is
//! first mapped (SSE2, 16 bytes at a time) into a bit map of its quotes, backslashes and control
//! bytes ([`Marks`], kept in a thread-local), so that the parse finds each string's end by a bit
//! scan; longer lines, and other CPUs, scan strings eight bytes at a time. [`scan_ascii`] reads
//! only lines the map finds all ASCII, so that its caller needs no UTF-8 check.
//!
//! The rule: **`None` means "read the line with serde_json"**. The scanner gives up on
//! anything unusual — invalid JSON, a field of an unexpected type, an escaped string it would
//! have to unescape, a duplicate known field, a GKE entry, an `EventList` — and never explains
//! why: the serde_json path produces the result or the error message. Whenever it returns
//! `Some`, the fields are exactly what serde_json would give for the struct below, and it never
//! returns `Some` for a line that serde_json would reject.
//!
//! ```text
//! #[serde(rename_all = "camelCase")]
//! struct K8sEvent { kind, #[serde(rename = "auditID")] audit_id, stage, verb: Option<String>,
//!     user, impersonated_user: Option<K8sUser>,    // { username: Option<String> }
//!     object_ref: Option<K8sObjectRef>,             // { resource, subresource, namespace, name }
//!     response_status: Option<K8sStatus>,           // { code: Option<i64> }
//!     request_received_timestamp, stage_timestamp, timestamp: Option<String>,
//!     proto_payload, operation, insert_id }         // GKE: always falls back
//! ```
//!
//! Where it is stricter than serde_json (always by returning `None`): a known field (or a key
//! of the top-level object or one of the four nested objects) written with a backslash escape;
//! a struct written as a JSON array (which serde accepts); nesting deeper than [`MAX_DEPTH`].

/// The fields of an audit event that Rapport reads, borrowed from the line.
///
/// A JSON `null` reads as `None`, the same as an absent key.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Fields<'a> {
    /// `kind`: `"Event"` in every line of a log (`"EventList"` falls back).
    pub kind: Option<&'a str>,
    /// `auditID`, shared by the stages of one request.
    pub audit_id: Option<&'a str>,
    /// `stage`: `RequestReceived`, `ResponseStarted`, `ResponseComplete` or `Panic`.
    pub stage: Option<&'a str>,
    /// `verb`: `get`, `list`, `create`, ...
    pub verb: Option<&'a str>,
    /// `user.username`.
    pub user: Option<&'a str>,
    /// `impersonatedUser.username`.
    pub impersonated_user: Option<&'a str>,
    /// `objectRef.resource`.
    pub resource: Option<&'a str>,
    /// `objectRef.subresource`.
    pub subresource: Option<&'a str>,
    /// `objectRef.namespace`.
    pub namespace: Option<&'a str>,
    /// `objectRef.name`.
    pub name: Option<&'a str>,
    /// `responseStatus.code`.
    pub code: Option<i64>,
    /// `requestReceivedTimestamp`.
    pub request_received_timestamp: Option<&'a str>,
    /// `stageTimestamp`.
    pub stage_timestamp: Option<&'a str>,
    /// `timestamp` (`audit.k8s.io/v1alpha1`).
    pub timestamp: Option<&'a str>,
    /// The `user` object was there (not absent or `null`), even without a `username`.
    pub has_user: bool,
    /// The `impersonatedUser` object was there.
    pub has_impersonated_user: bool,
    /// The `objectRef` object was there.
    pub has_object_ref: bool,
    /// The `responseStatus` object was there.
    pub has_response_status: bool,
}

/// The deepest nesting of objects and arrays accepted, the line's object counting as 1.
/// Deeper lines fall back (serde_json's own limit is 128).
pub const MAX_DEPTH: u32 = 100;

/// Reads one audit log line: `line` holds one JSON object, trimmed of surrounding whitespace.
///
/// Returns `None` — meaning "read this line with serde_json" — unless the line is strict JSON,
/// an object, and every field read has the type the event struct expects, as the module
/// documentation describes.
#[must_use]
pub fn scan(line: &[u8]) -> Option<Fields<'_>> {
    scan_with(line, true)
}

/// [`scan`] for a line that is all ASCII, which is then valid UTF-8 without another look:
/// `None` also when a byte is 0x80 or above (or the line is too long to map, or the CPU is
/// not x86-64), so that the caller reads the line as text.
#[must_use]
pub fn scan_ascii(line: &[u8]) -> Option<Fields<'_>> {
    MARKS.with_borrow_mut(|marks| {
        marks.words = 0;
        marks.mark(line);
        if marks.words == 0 || !marks.ascii {
            return None;
        }
        scan_marked(line, marks)
    })
}

thread_local! {
    /// The map of the line being scanned: one per thread, not 512 bytes zeroed per line.
    static MARKS: std::cell::RefCell<Marks> = const { std::cell::RefCell::new(Marks::EMPTY) };
}

/// [`scan`], finding the ends of strings in a map of the line's special bytes made up front
/// ([`Marks`], for a line of up to [`MARKED_LINE`] bytes on x86-64) when `marked`, else eight
/// bytes at a time per string. Both give the same result (the tests run both).
fn scan_with(line: &[u8], marked: bool) -> Option<Fields<'_>> {
    MARKS.with_borrow_mut(|marks| {
        marks.words = 0;
        if marked {
            marks.mark(line);
        }
        scan_marked(line, marks)
    })
}

/// [`scan_with`] once the map is made (or left empty).
#[inline(always)]
fn scan_marked<'a>(line: &'a [u8], marks: &Marks) -> Option<Fields<'a>> {
    let mut p = Parser { buf: line, pos: 0, marks };
    let mut f = Fields::default();
    let mut seen = 0u32;
    p.ws();
    if p.next()? != b'{' {
        return None;
    }
    let mut more = p.first_member();
    while more {
        match p.key()? {
            b"kind" => f.kind = p.known(&mut seen, 1 << 0)?.opt_str()?,
            b"auditID" => f.audit_id = p.known(&mut seen, 1 << 1)?.opt_str()?,
            b"stage" => f.stage = p.known(&mut seen, 1 << 2)?.opt_str()?,
            b"verb" => f.verb = p.known(&mut seen, 1 << 3)?.opt_str()?,
            b"user" => (f.has_user, f.user) = p.known(&mut seen, 1 << 4)?.user()?,
            b"impersonatedUser" => {
                (f.has_impersonated_user, f.impersonated_user) = p.known(&mut seen, 1 << 5)?.user()?
            }
            b"objectRef" => {
                let mut inner = 0u32;
                f.has_object_ref = p.known(&mut seen, 1 << 6)?.opt_object(|p, key| {
                    match key {
                        b"resource" => f.resource = p.known(&mut inner, 1 << 0)?.opt_str()?,
                        b"subresource" => f.subresource = p.known(&mut inner, 1 << 1)?.opt_str()?,
                        b"namespace" => f.namespace = p.known(&mut inner, 1 << 2)?.opt_str()?,
                        b"name" => f.name = p.known(&mut inner, 1 << 3)?.opt_str()?,
                        _ => p.skip_value(2)?,
                    }
                    Some(())
                })?;
            }
            b"responseStatus" => {
                let mut inner = 0u32;
                f.has_response_status = p.known(&mut seen, 1 << 7)?.opt_object(|p, key| {
                    match key {
                        b"code" => f.code = p.known(&mut inner, 1)?.opt_i64()?,
                        _ => p.skip_value(2)?,
                    }
                    Some(())
                })?;
            }
            b"requestReceivedTimestamp" => {
                f.request_received_timestamp = p.known(&mut seen, 1 << 8)?.opt_str()?
            }
            b"stageTimestamp" => f.stage_timestamp = p.known(&mut seen, 1 << 9)?.opt_str()?,
            b"timestamp" => f.timestamp = p.known(&mut seen, 1 << 10)?.opt_str()?,
            // A GKE entry as Cloud Logging exports it: the serde path reads those.
            b"protoPayload" | b"operation" | b"insertId" => return None,
            _ => p.skip_value(1)?,
        }
        more = p.next_member()?;
    }
    p.ws();
    if p.pos != line.len() || f.kind == Some("EventList") {
        return None;
    }
    Some(f)
}

/// The longest line whose special bytes are mapped in [`Marks`] (longer lines, rare in an audit
/// log, are scanned string by string).
pub const MARKED_LINE: usize = 64 * MARK_WORDS;
const MARK_WORDS: usize = 64;

/// Where the bytes that end a run of string content (`"`, `\` or a control character below
/// 0x20) are in a line, one bit a byte, found 16 bytes at a time before parsing: finding the end
/// of each of a line's fifty-odd short strings is then a bit scan instead of a loop over its
/// bytes. Empty (`words == 0`) where not made: the strings are then scanned one by one.
struct Marks {
    /// Bit `i` of word `w` is set when byte `64 * w + i` of the line is special; none past
    /// the line's end.
    ends: [u64; MARK_WORDS],
    /// How many words hold the line (0: no map).
    words: usize,
    /// Every byte of the line is below 0x80.
    ascii: bool,
}

impl Marks {
    const EMPTY: Marks = Marks { ends: [0; MARK_WORDS], words: 0, ascii: false };

    /// Maps `line`'s special bytes, if the line is short enough and the CPU is one this is
    /// written for (x86-64, whose SSE2 every such CPU has); else leaves the map empty.
    #[inline(always)]
    fn mark(&mut self, line: &[u8]) {
        #[cfg(target_arch = "x86_64")]
        if line.len() <= MARKED_LINE {
            self.mark_sse2(line);
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = line;
    }

    /// [`Marks::mark`] with SSE2, which every x86-64 CPU has.
    #[cfg(target_arch = "x86_64")]
    #[inline]
    fn mark_sse2(&mut self, line: &[u8]) {
        let mut high = 0i32;
        let mut blocks = line.chunks_exact(64);
        let mut w = 0;
        for block in blocks.by_ref() {
            // SAFETY: SSE2 is part of the x86-64 baseline.
            let (bits, h) = unsafe { special_64(block.try_into().expect("64 bytes")) };
            self.ends[w] = bits;
            high |= h;
            w += 1;
        }
        let rest = blocks.remainder();
        if !rest.is_empty() {
            // The last bytes, padded with spaces (not special, not high).
            let mut block = [b' '; 64];
            block[..rest.len()].copy_from_slice(rest);
            // SAFETY: as above.
            let (bits, h) = unsafe { special_64(&block) };
            self.ends[w] = bits;
            high |= h;
            w += 1;
        }
        self.words = w;
        self.ascii = high == 0;
    }

    /// The map is made and says every byte of the line is below 0x80.
    #[inline(always)]
    fn all_ascii(&self) -> bool {
        self.words != 0 && self.ascii
    }

    /// The position of the first special byte at or after `pos`, if any.
    #[inline(always)]
    fn next(&self, pos: usize) -> Option<usize> {
        let mut w = pos / 64;
        if w >= self.words {
            return None;
        }
        let mut bits = self.ends[w] & (!0u64 << (pos % 64));
        while bits == 0 {
            w += 1;
            if w >= self.words {
                return None;
            }
            bits = self.ends[w];
        }
        Some(w * 64 + bits.trailing_zeros() as usize)
    }
}

/// The special bytes of a 64-byte block, a bit each, and a mask whose sign bits say whether
/// any byte is 0x80 or above (non-zero if so).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn special_64(block: &[u8; 64]) -> (u64, i32) {
    use std::arch::x86_64::*;
    let quote = _mm_set1_epi8(b'"' as i8);
    let backslash = _mm_set1_epi8(b'\\' as i8);
    let below_space = _mm_set1_epi8(0x1f);
    let mut bits = 0u64;
    let mut high = 0i32;
    for i in 0..4 {
        // SAFETY: the 16 bytes at 16 * i of a 64-byte array.
        let x = unsafe { _mm_loadu_si128(block.as_ptr().add(16 * i).cast()) };
        let special = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
            // x <= 0x1f, unsigned: min(x, 0x1f) == x.
            _mm_cmpeq_epi8(_mm_min_epu8(x, below_space), x),
        );
        bits |= u64::from(_mm_movemask_epi8(special) as u16) << (16 * i);
        high |= _mm_movemask_epi8(x);
    }
    (bits, high)
}

/// `0x01` in every byte of a word.
const ONES: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte of a word.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Sets the high bit of the bytes of `x` (read little-endian) that end a run of plain string
/// content — `"`, `\` or a control character below 0x20 — and possibly of some bytes after
/// the first of those: the lowest bit set is exact, and none is set if there is none.
#[inline(always)]
fn special_bytes(x: u64) -> u64 {
    let quote = x ^ (ONES * u64::from(b'"'));
    let backslash = x ^ (ONES * u64::from(b'\\'));
    // `(y - 0x01..) & !y` flags the zero bytes of `y`, and `(x - 0x20..) & !x` the bytes below
    // 0x20; a subtraction borrows only from a flagged byte, so below the first flagged byte no
    // byte is flagged wrongly.
    let is_quote = quote.wrapping_sub(ONES) & !quote;
    let is_backslash = backslash.wrapping_sub(ONES) & !backslash;
    let is_control = x.wrapping_sub(ONES * 0x20) & !x;
    (is_quote | is_backslash | is_control) & HIGH
}

/// What [`Parser::string_end`] found in a string besides its end.
struct StrInfo {
    /// Index of the closing quote.
    end: usize,
    /// The string has at least one (valid) backslash escape.
    escaped: bool,
    /// Every byte of the string is below 0x80.
    ascii: bool,
}

/// A cursor over the line; every method returns `None` on anything that makes the line fall
/// back, and may leave `pos` anywhere then.
struct Parser<'a, 'm> {
    buf: &'a [u8],
    pos: usize,
    /// The line's special bytes, when mapped.
    marks: &'m Marks,
}

impl<'a> Parser<'a, '_> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    #[inline(always)]
    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    /// Skips JSON whitespace: space, tab, line feed and carriage return.
    #[inline(always)]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Consumes `b` if it comes next.
    #[inline(always)]
    fn eat(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        self.pos += usize::from(found);
        found
    }

    /// Consumes `word` (a literal or its rest) if it comes next; `None` otherwise.
    #[inline(always)]
    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.buf[self.pos..].starts_with(word).then(|| self.pos += word.len())
    }

    /// Records a known field of an object in `seen`, failing if it came before: serde's derived
    /// `Deserialize` rejects a duplicate field, even after a `null`.
    #[inline(always)]
    fn known(&mut self, seen: &mut u32, bit: u32) -> Option<&mut Self> {
        if *seen & bit != 0 {
            return None;
        }
        *seen |= bit;
        Some(self)
    }

    /// Finds the end of the string whose opening quote is just before `pos`, validating its
    /// escapes and rejecting raw control characters. `pos` is left unchanged.
    #[inline(always)]
    fn string_end(&self) -> Option<StrInfo> {
        let buf = self.buf;
        let start = self.pos;
        let mut pos = start;
        let mut escaped = false;
        loop {
            pos = self.next_special(pos)?;
            match buf[pos] {
                b'"' => {
                    let ascii = self.marks.all_ascii() || buf[start..pos].is_ascii();
                    return Some(StrInfo { end: pos, escaped, ascii });
                }
                b'\\' => {
                    escaped = true;
                    pos += match buf.get(pos + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => 2,
                        // serde_json accepts any four hex digits in a string it skips, a lone
                        // surrogate too; the strings we read have no escapes at all.
                        b'u' if buf.get(pos + 2..pos + 6)?.iter().all(u8::is_ascii_hexdigit) => 6,
                        _ => return None,
                    };
                }
                _ => return None,
            }
        }
    }

    /// The first special byte (`"`, `\`, below 0x20) at or after `pos`: from the line's map
    /// when it has one, else eight bytes at a time, then byte by byte.
    #[inline(always)]
    fn next_special(&self, mut pos: usize) -> Option<usize> {
        if self.marks.words != 0 {
            return self.marks.next(pos);
        }
        let buf = self.buf;
        while let Some(chunk) = buf.get(pos..pos + 8) {
            let special = special_bytes(u64::from_le_bytes(chunk.try_into().ok()?));
            if special != 0 {
                return Some(pos + special.trailing_zeros() as usize / 8);
            }
            pos += 8;
        }
        buf[pos.min(buf.len())..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).map(|i| pos + i)
    }

    /// Reads the rest of a string whose opening quote was consumed, which must have no escape,
    /// as `&str`.
    #[inline(always)]
    fn plain_str(&mut self) -> Option<&'a str> {
        let info = self.string_end()?;
        if info.escaped {
            return None;
        }
        let bytes = &self.buf[self.pos..info.end];
        self.pos = info.end + 1;
        if info.ascii {
            // SAFETY: every byte is below 0x80 (checked in `string_end`), and ASCII is UTF-8.
            Some(unsafe { std::str::from_utf8_unchecked(bytes) })
        } else {
            // serde_json rejects a string it reads that is not UTF-8.
            std::str::from_utf8(bytes).ok()
        }
    }

    /// Reads a field of type `Option<String>`: a string without escapes or `null`.
    #[inline(always)]
    fn opt_str(&mut self) -> Option<Option<&'a str>> {
        match self.next()? {
            b'"' => self.plain_str().map(Some),
            b'n' => self.literal(b"ull").map(|()| None),
            _ => None,
        }
    }

    /// Reads a field of type `Option<i64>`: an integer that fits or `null`. As serde_json does,
    /// fails on a fraction or exponent (a float, even `200.0`) and on `-0` (which serde_json
    /// parses as the float `-0.0`).
    #[inline(always)]
    fn opt_i64(&mut self) -> Option<Option<i64>> {
        if self.eat(b'n') {
            return self.literal(b"ull").map(|()| None);
        }
        let negative = self.eat(b'-');
        let mut magnitude = 0u64;
        match self.next()? {
            b'0' => {}
            d @ b'1'..=b'9' => {
                magnitude = u64::from(d - b'0');
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    magnitude = magnitude.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
                    self.pos += 1;
                }
            }
            _ => return None,
        }
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        match negative {
            true if magnitude == 0 => None,
            true => 0i64.checked_sub_unsigned(magnitude).map(Some),
            false => i64::try_from(magnitude).ok().map(Some),
        }
    }

    /// Reads a field of type `Option<K8sUser>`: whether the object was there, and its username.
    #[inline(always)]
    fn user(&mut self) -> Option<(bool, Option<&'a str>)> {
        let (mut seen, mut username) = (0u32, None);
        let present = self.opt_object(|p, key| {
            match key {
                b"username" => username = p.known(&mut seen, 1)?.opt_str()?,
                _ => p.skip_value(2)?,
            }
            Some(())
        })?;
        Some((present, username))
    }

    /// Reads an object of a struct type, or `null` (giving `false`). `member` is called with
    /// each key, which has no escape and is UTF-8, and must consume the value, which starts at
    /// `pos`. The line's object is at depth 1 and the four nested ones at depth 2, so the
    /// depth is checked only in [`Parser::skip_value`].
    #[inline(always)]
    fn opt_object(&mut self, mut member: impl FnMut(&mut Self, &'a [u8]) -> Option<()>) -> Option<bool> {
        match self.next()? {
            b'{' => {}
            b'n' => return self.literal(b"ull").map(|()| false),
            // serde would read a struct from an array too; we don't.
            _ => return None,
        }
        if self.first_member() {
            loop {
                let key = self.key()?;
                member(self, key)?;
                if !self.next_member()? {
                    break;
                }
            }
        }
        Some(true)
    }

    /// After an object's `{`: skips whitespace and tells whether a member follows, consuming
    /// the `}` of an empty object.
    #[inline(always)]
    fn first_member(&mut self) -> bool {
        self.ws();
        !self.eat(b'}')
    }

    /// Reads the key of a member of a struct's object and the colon after it, leaving `pos` at
    /// the value. The key has no escape and is UTF-8.
    #[inline(always)]
    fn key(&mut self) -> Option<&'a [u8]> {
        if self.next()? != b'"' {
            return None;
        }
        let info = self.string_end()?;
        let key = &self.buf[self.pos..info.end];
        // serde_json parses the keys of a struct as `&str`, which must be UTF-8.
        if info.escaped || (!info.ascii && std::str::from_utf8(key).is_err()) {
            return None;
        }
        self.pos = info.end + 1;
        self.ws();
        if self.next()? != b':' {
            return None;
        }
        self.ws();
        Some(key)
    }

    /// After a member's value: `true` if a comma and another member follow, `false` at the
    /// object's `}`.
    #[inline(always)]
    fn next_member(&mut self) -> Option<bool> {
        self.ws();
        match self.next()? {
            b',' => {
                self.ws();
                Some(true)
            }
            b'}' => Some(false),
            _ => None,
        }
    }

    /// Skips a key and its colon inside a skipped object; `pos` is at the key's quote.
    #[inline(always)]
    fn skip_key(&mut self) -> Option<()> {
        if self.next()? != b'"' {
            return None;
        }
        self.pos = self.string_end()?.end + 1;
        self.ws();
        if self.next()? != b':' {
            return None;
        }
        self.ws();
        Some(())
    }

    /// Skips digits, requiring at least one.
    #[inline(always)]
    fn digits(&mut self) -> Option<()> {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        (self.pos > start).then_some(())
    }

    /// Skips the rest of a number whose first byte (`-` or a digit) was consumed:
    /// `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    fn skip_number(&mut self, first: u8) -> Option<()> {
        let first = if first == b'-' { self.next()? } else { first };
        match first {
            b'0' => {}
            b'1'..=b'9' => {
                while let Some(b'0'..=b'9') = self.peek() {
                    self.pos += 1;
                }
            }
            _ => return None,
        }
        if self.eat(b'.') {
            self.digits()?;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            self.digits()?;
        }
        Some(())
    }

    /// Skips and validates any JSON value starting at `pos`, inside a container at nesting
    /// `depth`. Strings, most of what is skipped, are inlined; the rest is out of line, passing
    /// the position by value so that the parser itself stays in registers.
    #[inline(always)]
    fn skip_value(&mut self, depth: u32) -> Option<()> {
        if self.eat(b'"') {
            self.pos = self.string_end()?.end + 1;
        } else {
            self.pos = skip_any(self.buf, self.pos, self.marks, depth)?;
        }
        Some(())
    }

    /// [`Parser::skip_value`] for any value. Iterative: bit `i` of `objects` tells whether the
    /// container `i + 1` levels below the value is an object (`MAX_DEPTH` < 128 levels fit).
    #[inline(always)]
    fn skip_any(&mut self, depth: u32) -> Option<()> {
        let mut objects = 0u128;
        let mut level = 0u32;
        loop {
            match self.next()? {
                b'"' => self.pos = self.string_end()?.end + 1,
                open @ (b'{' | b'[') => {
                    let is_object = open == b'{';
                    self.ws();
                    if !self.eat(if is_object { b'}' } else { b']' }) {
                        level += 1;
                        if depth + level > MAX_DEPTH {
                            return None;
                        }
                        objects = objects << 1 | u128::from(is_object);
                        if is_object {
                            self.skip_key()?;
                        }
                        continue;
                    }
                }
                b't' => self.literal(b"rue")?,
                b'f' => self.literal(b"alse")?,
                b'n' => self.literal(b"ull")?,
                first @ (b'-' | b'0'..=b'9') => self.skip_number(first)?,
                _ => return None,
            }
            // After a value: close containers until one continues with a comma.
            loop {
                if level == 0 {
                    return Some(());
                }
                self.ws();
                let is_object = objects & 1 == 1;
                match self.next()? {
                    b',' => {
                        self.ws();
                        if is_object {
                            self.skip_key()?;
                        }
                        break;
                    }
                    b'}' if is_object => {}
                    b']' if !is_object => {}
                    _ => return None,
                }
                level -= 1;
                objects >>= 1;
            }
        }
    }
}

/// The out-of-line part of [`Parser::skip_value`]: returns the position after the value.
#[inline(never)]
fn skip_any(buf: &[u8], pos: usize, marks: &Marks, depth: u32) -> Option<usize> {
    let mut p = Parser { buf, pos, marks };
    p.skip_any(depth)?;
    Some(p.pos)
}

#[cfg(test)]
#[path = "k8s_scan_tests.rs"]
mod tests;
