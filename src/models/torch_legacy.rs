//! Reads the float32 tensors of a checkpoint in torch's legacy serialisation (what
//! `torch.save` wrote before zip files, as in Resemblyzer's `pretrained.pt`), without torch.
//!
//! The file is five pickles and then raw data: a magic number, the protocol version, system
//! information, the checkpoint itself (whose tensors refer to storages by a key through
//! pickle's persistent ids), the list of storage keys; then, for each key in that order, the
//! storage's element count (int64, little-endian) and its values. Only the part of pickle
//! protocol 2 that such a checkpoint uses is read (dictionaries, lists, tuples, strings,
//! numbers, `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2` and
//! `torch.FloatStorage`); anything else is an error naming the opcode. The memo holds copies,
//! not shared objects: a container filled after it was memoised reads back as it was then
//! (a checkpoint's tensors never need that).

use std::collections::HashMap;

/// A value of the pickle machine.
#[derive(Debug, Clone)]
enum Value {
    None,
    /// True, false, a float, an integer wider than 64 bits: read, but a checkpoint's tensors
    /// never need them.
    Bool,
    Big,
    Int(i64),
    Float,
    Str(String),
    Tuple(Vec<Value>),
    List(Vec<Value>),
    Dict(Vec<(Value, Value)>),
    Global(String),
    /// A persistent id: a storage's description.
    Persistent(Box<Value>),
    /// A tensor: its storage key, offset, shape and strides (in elements).
    Tensor {
        key: String,
        offset: usize,
        shape: Vec<usize>,
        stride: Vec<usize>,
    },
    /// A mark on the stack (pickle's MARK).
    Mark,
}

/// A tensor of the checkpoint: its shape and row-major values.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

type R<T> = std::result::Result<T, String>;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        let s = self.bytes.get(self.at..self.at + n).ok_or("the file is cut short")?;
        self.at += n;
        Ok(s)
    }
    fn u8(&mut self) -> R<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> R<u16> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> R<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn line(&mut self) -> R<String> {
        let rest = &self.bytes[self.at.min(self.bytes.len())..];
        let end = rest.iter().position(|b| *b == b'\n').ok_or("a line without its end")?;
        self.at += end + 1;
        Ok(String::from_utf8_lossy(&rest[..end]).into_owned())
    }

    /// Runs one pickle to its STOP and returns its value.
    fn pickle(&mut self) -> R<Value> {
        let mut stack: Vec<Value> = Vec::new();
        let mut memo: HashMap<u32, Value> = HashMap::new();
        let pop = |stack: &mut Vec<Value>| stack.pop().ok_or_else(|| "the stack is empty".to_string());
        let pop_mark = |stack: &mut Vec<Value>| -> R<Vec<Value>> {
            let at = stack.iter().rposition(|v| matches!(v, Value::Mark)).ok_or("no mark")?;
            let items = stack.split_off(at + 1);
            stack.pop();
            Ok(items)
        };
        loop {
            let op = self.u8()?;
            match op {
                0x80 => {
                    self.u8()?; // PROTO
                }
                b'.' => return pop(&mut stack), // STOP
                b'}' => stack.push(Value::Dict(Vec::new())),
                b']' => stack.push(Value::List(Vec::new())),
                b')' => stack.push(Value::Tuple(Vec::new())),
                b'(' => stack.push(Value::Mark),
                b'N' => stack.push(Value::None),
                0x88 => stack.push(Value::Bool),
                0x89 => stack.push(Value::Bool),
                b'J' => {
                    let v = self.u32()? as i32;
                    stack.push(Value::Int(v as i64));
                }
                b'K' => {
                    let v = self.u8()?;
                    stack.push(Value::Int(v as i64));
                }
                b'M' => {
                    let v = self.u16()?;
                    stack.push(Value::Int(v as i64));
                }
                0x8a => {
                    // LONG1: a little-endian two's complement integer of n bytes.
                    let n = self.u8()? as usize;
                    let b = self.take(n)?;
                    if n > 8 {
                        // Wider than 64 bits (torch's magic number is 10 bytes): never a size.
                        stack.push(Value::Big);
                        continue;
                    }
                    let mut v: i64 = 0;
                    for (i, byte) in b.iter().enumerate().take(8) {
                        v |= (*byte as i64) << (8 * i);
                    }
                    if n > 0 && n < 8 && b[n - 1] & 0x80 != 0 {
                        v -= 1i64 << (8 * n);
                    }
                    stack.push(Value::Int(v));
                }
                b'G' => {
                    self.take(8)?;
                    stack.push(Value::Float);
                }
                b'X' => {
                    let n = self.u32()? as usize;
                    let s = String::from_utf8_lossy(self.take(n)?).into_owned();
                    stack.push(Value::Str(s));
                }
                b'c' => {
                    let module = self.line()?;
                    let name = self.line()?;
                    stack.push(Value::Global(format!("{module}.{name}")));
                }
                b'q' => {
                    let k = self.u8()? as u32;
                    memo.insert(k, stack.last().cloned().ok_or("nothing to memoise")?);
                }
                b'r' => {
                    let k = self.u32()?;
                    memo.insert(k, stack.last().cloned().ok_or("nothing to memoise")?);
                }
                b'h' => {
                    let k = self.u8()? as u32;
                    stack.push(memo.get(&k).cloned().ok_or("an unknown memo")?);
                }
                b'j' => {
                    let k = self.u32()?;
                    stack.push(memo.get(&k).cloned().ok_or("an unknown memo")?);
                }
                b't' => {
                    let items = pop_mark(&mut stack)?;
                    stack.push(Value::Tuple(items));
                }
                0x85 => {
                    let a = pop(&mut stack)?;
                    stack.push(Value::Tuple(vec![a]));
                }
                0x86 => {
                    let b = pop(&mut stack)?;
                    let a = pop(&mut stack)?;
                    stack.push(Value::Tuple(vec![a, b]));
                }
                0x87 => {
                    let c = pop(&mut stack)?;
                    let b = pop(&mut stack)?;
                    let a = pop(&mut stack)?;
                    stack.push(Value::Tuple(vec![a, b, c]));
                }
                b'Q' => {
                    let id = pop(&mut stack)?;
                    stack.push(Value::Persistent(Box::new(id)));
                }
                b'R' => {
                    let args = pop(&mut stack)?;
                    let f = pop(&mut stack)?;
                    stack.push(reduce(f, args)?);
                }
                b'b' => {
                    pop(&mut stack)?; // BUILD: an object's state (an OrderedDict's is empty).
                }
                b's' => {
                    let v = pop(&mut stack)?;
                    let k = pop(&mut stack)?;
                    match stack.last_mut() {
                        Some(Value::Dict(d)) => d.push((k, v)),
                        _ => return Err("SETITEM on a non-dictionary".into()),
                    }
                }
                b'u' => {
                    let items = pop_mark(&mut stack)?;
                    match stack.last_mut() {
                        Some(Value::Dict(d)) => {
                            let mut it = items.into_iter();
                            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                                d.push((k, v));
                            }
                        }
                        _ => return Err("SETITEMS on a non-dictionary".into()),
                    }
                }
                b'a' => {
                    let v = pop(&mut stack)?;
                    match stack.last_mut() {
                        Some(Value::List(l)) => l.push(v),
                        _ => return Err("APPEND on a non-list".into()),
                    }
                }
                b'e' => {
                    let items = pop_mark(&mut stack)?;
                    match stack.last_mut() {
                        Some(Value::List(l)) => l.extend(items),
                        _ => return Err("APPENDS on a non-list".into()),
                    }
                }
                other => return Err(format!("pickle opcode 0x{other:02x} is not read here")),
            }
        }
    }
}

fn ints(v: &Value) -> R<Vec<usize>> {
    match v {
        Value::Tuple(items) => items
            .iter()
            .map(|i| match i {
                Value::Int(n) if *n >= 0 => Ok(*n as usize),
                _ => Err("a size that is not a whole number".to_string()),
            })
            .collect(),
        _ => Err("a size that is not a tuple".into()),
    }
}

/// A call: an OrderedDict is a dictionary; `_rebuild_tensor_v2(storage, offset, size,
/// stride, …)` is a tensor.
fn reduce(f: Value, args: Value) -> R<Value> {
    match (&f, args) {
        (Value::Global(g), _) if g == "collections.OrderedDict" => Ok(Value::Dict(Vec::new())),
        (Value::Global(g), Value::Tuple(a)) if g == "torch._utils._rebuild_tensor_v2" && a.len() >= 4 => {
            let key = match &a[0] {
                Value::Persistent(id) => match id.as_ref() {
                    Value::Tuple(t) if t.len() >= 3 => match (&t[1], &t[2]) {
                        (Value::Global(kind), Value::Str(key)) if kind == "torch.FloatStorage" => key.clone(),
                        (Value::Global(kind), _) => return Err(format!("a {kind}, not float32")),
                        _ => return Err("a storage without a key".into()),
                    },
                    _ => return Err("a storage id that is not a tuple".into()),
                },
                _ => return Err("a tensor without a storage".into()),
            };
            let offset = match a[1] {
                Value::Int(n) if n >= 0 => n as usize,
                _ => return Err("a tensor offset that is not a whole number".into()),
            };
            Ok(Value::Tensor { key, offset, shape: ints(&a[2])?, stride: ints(&a[3])? })
        }
        (Value::Global(g), _) => Err(format!("a call of {g} is not read here")),
        _ => Err("a call of something that is not a global".into()),
    }
}

/// The tensors of `bytes` (a legacy torch file) under the checkpoint's key `state` (or at
/// its top when it is a dictionary of tensors), by name.
pub fn read_tensors(bytes: &[u8], state: &str) -> R<HashMap<String, Tensor>> {
    let mut r = Reader { bytes, at: 0 };
    for _ in 0..3 {
        r.pickle()?; // magic number, protocol, system information
    }
    let checkpoint = r.pickle()?;
    let keys = match r.pickle()? {
        Value::List(keys) => keys,
        _ => return Err("the storage keys are not a list".into()),
    };
    let mut storages: HashMap<String, &[u8]> = HashMap::new();
    for key in keys {
        let Value::Str(key) = key else { return Err("a storage key that is not a string".into()) };
        let b = r.take(8)?;
        let count = i64::from_le_bytes(b.try_into().expect("eight bytes"));
        let count = usize::try_from(count).map_err(|_| "a negative storage size")?;
        storages.insert(key, r.take(count.checked_mul(4).ok_or("a storage too large")?)?);
    }
    let top = match checkpoint {
        Value::Dict(items) => items,
        _ => return Err("the checkpoint is not a dictionary".into()),
    };
    let tensors = match top.iter().find(|(k, _)| matches!(k, Value::Str(s) if s == state)) {
        Some((_, Value::Dict(items))) => items.clone(),
        Some(_) => return Err(format!("{state} is not a dictionary")),
        None => top,
    };
    let mut out = HashMap::new();
    for (name, t) in tensors {
        let (Value::Str(name), Value::Tensor { key, offset, shape, stride }) = (name, t) else { continue };
        let data = storages.get(&key).ok_or_else(|| format!("{name}: no storage {key}"))?;
        let count: usize = shape.iter().product();
        // Row-major strides only (what a saved parameter has).
        let mut expected = vec![1usize; shape.len()];
        for i in (0..shape.len().saturating_sub(1)).rev() {
            expected[i] = expected[i + 1] * shape[i + 1];
        }
        if count > 0 && stride != expected {
            return Err(format!("{name} is not stored row by row (strides {stride:?})"));
        }
        let raw = data
            .get(offset * 4..(offset + count) * 4)
            .ok_or_else(|| format!("{name} runs past its storage"))?;
        let values = raw.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        out.insert(name, Tensor { shape, values });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unicode(out: &mut Vec<u8>, s: &str) {
        out.push(b'X');
        out.extend((s.len() as u32).to_le_bytes());
        out.extend(s.as_bytes());
    }

    fn global(out: &mut Vec<u8>, module: &str, name: &str) {
        out.push(b'c');
        out.extend(format!("{module}\n{name}\n").as_bytes());
    }

    /// A legacy checkpoint `{"model_state": OrderedDict(w=<2x2 view at offset 2 of k1>)}`,
    /// written opcode by opcode as torch.save lays it out.
    fn checkpoint() -> Vec<u8> {
        let mut f = Vec::new();
        // Magic number (a 10-byte LONG1), protocol version, system information.
        f.extend([0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, b'.']);
        f.extend([0x80, 2, b'M', 0xe9, 0x03, b'.']);
        f.extend([0x80, 2, b'}', b'.']);
        // The checkpoint.
        f.extend([0x80, 2, b'}', b'q', 0]);
        unicode(&mut f, "model_state");
        global(&mut f, "collections", "OrderedDict");
        f.extend([b'q', 2, b')', b'R', b'q', 1, b'(']);
        unicode(&mut f, "w");
        global(&mut f, "torch._utils", "_rebuild_tensor_v2");
        f.extend([b'(', b'(']);
        unicode(&mut f, "storage");
        global(&mut f, "torch", "FloatStorage");
        unicode(&mut f, "k1");
        unicode(&mut f, "cpu");
        f.extend([b'K', 6, b'N', b't', b'Q']); // the storage's persistent id
        f.extend([b'K', 2]); // offset
        f.extend([b'K', 2, b'K', 2, 0x86]); // size
        f.extend([b'K', 2, b'K', 1, 0x86]); // stride
                                            // requires_grad, backward hooks (a new OrderedDict through the memoised global).
        f.extend([0x89, b'h', 2, b')', b'R', b't', b'R', b'u', b's', b'.']);
        // The storage keys, then the storage: 6 floats.
        f.extend([0x80, 2, b']']);
        unicode(&mut f, "k1");
        f.extend([b'a', b'.']);
        f.extend(6i64.to_le_bytes());
        for v in [0.0f32, 1.0, 2.0, 3.0, 4.0, 5.0] {
            f.extend(v.to_le_bytes());
        }
        f
    }

    #[test]
    fn a_tensor_is_read_from_its_storage_at_its_offset_and_shape() {
        let t = read_tensors(&checkpoint(), "model_state").expect("a whole checkpoint");
        assert_eq!(t["w"], Tensor { shape: vec![2, 2], values: vec![2.0, 3.0, 4.0, 5.0] });
    }

    #[test]
    fn a_cut_checkpoint_or_a_strange_opcode_is_an_error() {
        let whole = checkpoint();
        let err = read_tensors(&whole[..whole.len() - 4], "model_state").unwrap_err();
        assert!(err.contains("cut short"), "{err}");
        let mut odd = whole.clone();
        let at = odd.iter().position(|b| *b == b'}').unwrap();
        odd[at] = b'P';
        let err = read_tensors(&odd, "model_state").unwrap_err();
        assert!(err.contains("opcode"), "{err}");
    }
}
