//! Whisper models: the models folder, a catalog of the ggml models whisper.cpp publishes,
//! resumable checked downloads, imports, and a structural check of ggml model files.
//!
//! The folder is `$RAPPORT_MODELS_DIR`, else `<OS data dir>/Rapport/models`; a model named
//! `NAME` is the file `ggml-NAME.bin` in it. A download is written to `ggml-NAME.bin.part`,
//! resumed with an HTTP Range request when that file exists, checked (size, SHA-1 from
//! whisper.cpp's published table, SHA-256 when known, and [`check_ggml`]) and only then
//! renamed. When no SHA-256 is published, the one computed at download is recorded beside
//! the model in `ggml-NAME.bin.sha256` (the `sha256sum` format). [`check_ggml`] walks the
//! header, the vocabulary and every tensor header of a file and refuses one whose sizes do
//! not add up to its length, so a truncated or foreign file is a clear error before
//! whisper.cpp ever sees it.

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::progress::{CancelToken, Outcome, Progress};

pub mod advice;
pub mod torch_legacy;
pub mod vad;
pub mod voice;

/// Where whisper.cpp's ggml models are published (the Hugging Face repo its scripts use).
pub const DEFAULT_BASE_URL: &str = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main";
/// Environment variable that overrides [`DEFAULT_BASE_URL`].
pub const BASE_URL_ENV: &str = "RAPPORT_MODEL_BASE_URL";
/// Environment variable that overrides the models folder.
pub const MODELS_DIR_ENV: &str = "RAPPORT_MODELS_DIR";

/// The magic number at the start of a ggml file ("ggml" read as a little-endian u32).
pub const GGML_MAGIC: u32 = 0x6767_6d6c;
/// whisper.cpp stores `GGML_QNT_VERSION * 1000 + ftype` in the ftype field of quantised models.
const QNT_VERSION_FACTOR: i32 = 1000;

/// A model whisper.cpp publishes. `sha1` is from the table in whisper.cpp's
/// `models/README.md`; no SHA-256 or exact byte size is published for these files, so those
/// stay `None` (and the SHA-256 computed at download is recorded in a sidecar file). The
/// sizes of the quantised forms of the sizes for interviews ([`advice::FAMILIES`]) are
/// approximate (as the model hub lists them, rounded), for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogEntry {
    pub name: &'static str,
    /// The size in MiB as published (rounded; for display, not for checking).
    pub approx_mib: Option<u32>,
    /// The exact size in bytes, when published.
    pub size: Option<u64>,
    pub sha1: Option<&'static str>,
    pub sha256: Option<&'static str>,
}

const fn entry(name: &'static str, approx_mib: Option<u32>, sha1: Option<&'static str>) -> CatalogEntry {
    CatalogEntry { name, approx_mib, size: None, sha1, sha256: None }
}

/// The models `whisper.cpp/models/download-ggml-model.sh` downloads from [`DEFAULT_BASE_URL`]
/// (its tinydiarize model lives elsewhere and is left out), with the sizes and SHA-1 sums of
/// `whisper.cpp/models/README.md` where it lists them.
pub const CATALOG: &[CatalogEntry] = &[
    entry("tiny", Some(75), Some("bd577a113a864445d4c299885e0cb97d4ba92b5f")),
    entry("tiny.en", Some(75), Some("c78c86eb1a8faa21b369bcd33207cc90d64ae9df")),
    entry("tiny-q5_1", None, None),
    entry("tiny.en-q5_1", Some(31), None),
    entry("tiny-q8_0", None, None),
    entry("base", Some(142), Some("465707469ff3a37a2b9b8d8f89f2f99de7299dac")),
    entry("base.en", Some(142), Some("137c40403d78fd54d454da0f9bd998f78703390c")),
    entry("base-q5_1", None, None),
    entry("base.en-q5_1", Some(57), None),
    entry("base-q8_0", None, None),
    entry("small", Some(466), Some("55356645c2b361a969dfd0ef2c5a50d530afd8d5")),
    entry("small.en", Some(466), Some("db8a495a91d927739e50b3fc1cc4c6b8f6c2d022")),
    entry("small-q5_1", None, None),
    entry("small.en-q5_1", Some(181), None),
    entry("small-q8_0", None, None),
    entry("medium", Some(1536), Some("fd9727b6e1217c2f614f9b698455c4ffd82463b4")),
    entry("medium.en", Some(1536), Some("8c30f0e44ce9560643ebd10bbe50cd20eafd3723")),
    entry("medium-q5_0", None, None),
    entry("medium.en-q5_0", Some(514), None),
    entry("medium-q8_0", None, None),
    entry("large-v1", Some(2970), Some("b1caaf735c4cc1429223d5a74f0f4d0b9b59a299")),
    entry("large-v2", Some(2970), Some("0f4c8e34f21cf1a914c59d8b3ce882345ad349d6")),
    entry("large-v2-q5_0", Some(1126), Some("00e39f2196344e901b3a2bd5814807a769bd1630")),
    entry("large-v2-q8_0", None, None),
    entry("large-v3", Some(2970), Some("ad82bf6a9043ceed055076d0fd39f5f186ff8062")),
    entry("large-v3-q5_0", Some(1126), Some("e6e2ed78495d403bef4b7cff42ef4aaadcfea8de")),
    entry("large-v3-turbo", Some(1536), Some("4af2b29d7ec73d781377bfd1758ca957a807e941")),
    entry("large-v3-turbo-q5_0", Some(547), Some("e050f7970618a659205450ad97eb95a18d69c9ee")),
    entry("large-v3-turbo-q8_0", Some(834), None),
];

/// The catalog entry of `name`, if whisper.cpp publishes a model by that name.
pub fn catalog_entry(name: &str) -> Option<&'static CatalogEntry> {
    CATALOG.iter().find(|e| e.name == name)
}

/// Whether `name` can name a model: letters, digits, `.`, `_` and `-` (so never a path).
fn is_model_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The file name of the model `name`: `ggml-NAME.bin`.
pub fn file_name(name: &str) -> String {
    format!("ggml-{name}.bin")
}

/// The models folder: `$RAPPORT_MODELS_DIR`, else `<OS data dir>/Rapport/models`.
pub fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(MODELS_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("Rapport").join("models")
}

/// The base URL downloads use: `$RAPPORT_MODEL_BASE_URL`, else [`DEFAULT_BASE_URL`].
pub fn default_base_url() -> String {
    std::env::var(BASE_URL_ENV).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| DEFAULT_BASE_URL.to_string())
}

/// The base URL [`download`] of `name` uses by default: the VAD model's own
/// ([`vad::default_base_url`]) for [`vad::NAME`], the voice encoder's wheel
/// ([`voice::default_url`]) for [`voice::NAME`], else [`default_base_url`].
pub fn base_url_for(name: &str) -> String {
    if name == vad::NAME {
        vad::default_base_url()
    } else if name == voice::NAME {
        voice::default_url()
    } else {
        default_base_url()
    }
}

/// A model as the model manager lists it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ModelInfo {
    /// The name `--model` takes, e.g. `tiny.en-q8_0`.
    pub name: String,
    /// The file name, `ggml-NAME.bin`.
    pub file: String,
    /// Whether the file is in the models folder.
    pub installed: bool,
    /// The file's size in bytes when installed, else the published size when known.
    pub size: Option<u64>,
    /// `f32`, `f16`, `q8_0`, `q5_1`…: from the file header when installed, else from the name.
    pub quantization: Option<String>,
    /// Where the file is (or would be, once downloaded).
    pub path: String,
    /// Whether whisper.cpp publishes this model (so `rapport models download NAME` works).
    pub in_catalog: bool,
    /// The published size in MiB, for a download button.
    pub approx_mib: Option<u32>,
    /// Bytes of an interrupted download waiting to be resumed.
    pub partial_bytes: Option<u64>,
    /// Why an installed file is unusable (it failed [`check_ggml`]).
    pub problem: Option<String>,
    /// How many times faster than real time it is expected to transcribe on this machine
    /// (an estimate from its size and the machine's cores: [`advice`]); `None` when unknown.
    pub expected_speed_x: Option<f64>,
    /// Whether it is the model [`advice::recommend`] picks for interviews on this machine.
    pub recommended: bool,
}

/// What the header of a whisper.cpp ggml file says, after [`check_ggml`] walked it whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GgmlHeader {
    pub n_vocab: i32,
    pub n_audio_ctx: i32,
    pub n_audio_state: i32,
    pub n_audio_head: i32,
    pub n_audio_layer: i32,
    pub n_text_ctx: i32,
    pub n_text_state: i32,
    pub n_text_head: i32,
    pub n_text_layer: i32,
    pub n_mels: i32,
    /// As stored: `GGML_QNT_VERSION * 1000 + ftype` for quantised models.
    pub ftype: i32,
    /// Tokens stored in the file (whisper.cpp adds the special tokens up to `n_vocab`).
    pub n_tokens: i32,
    pub n_tensors: u32,
    pub file_size: u64,
}

impl GgmlHeader {
    /// Whether the model knows other languages than English (the English-only models have
    /// one token less: no language tokens beyond English).
    pub fn multilingual(&self) -> bool {
        self.n_vocab >= 51865
    }

    /// The weight type named the way whisper.cpp names its files: `f16`, `q8_0`, `q5_1`…
    pub fn quantization(&self) -> &'static str {
        ftype_name(self.ftype % QNT_VERSION_FACTOR).unwrap_or("unknown")
    }
}

/// ggml's `enum ggml_ftype` names.
fn ftype_name(ftype: i32) -> Option<&'static str> {
    Some(match ftype {
        0 => "f32",
        1 => "f16",
        2 => "q4_0",
        3 => "q4_1",
        4 => "q4_1_some_f16",
        7 => "q8_0",
        8 => "q5_0",
        9 => "q5_1",
        10 => "q2_k",
        11 => "q3_k",
        12 => "q4_k",
        13 => "q5_k",
        14 => "q6_k",
        _ => return None,
    })
}

/// ggml's `enum ggml_type`: (name, elements per block, bytes per block), for the tensor
/// types a whisper.cpp model file may hold.
fn ggml_type(ttype: i32) -> Option<(&'static str, u64, u64)> {
    Some(match ttype {
        0 => ("f32", 1, 4),
        1 => ("f16", 1, 2),
        2 => ("q4_0", 32, 18),
        3 => ("q4_1", 32, 20),
        6 => ("q5_0", 32, 22),
        7 => ("q5_1", 32, 24),
        8 => ("q8_0", 32, 34),
        10 => ("q2_k", 256, 84),
        11 => ("q3_k", 256, 110),
        12 => ("q4_k", 256, 144),
        13 => ("q5_k", 256, 176),
        14 => ("q6_k", 256, 210),
        30 => ("bf16", 1, 2),
        _ => return None,
    })
}

/// Reads little-endian values from a file and reports truncation with the byte offset.
struct HeaderReader<'a> {
    inner: BufReader<File>,
    pos: u64,
    len: u64,
    path: &'a Path,
}

impl HeaderReader<'_> {
    fn invalid(&self, message: impl Into<String>) -> Error {
        Error::invalid(self.path.display().to_string(), message)
    }

    fn truncated(&self, what: &str) -> Error {
        self.invalid(format!("truncated at byte {} (reading {what}); the file is incomplete", self.len))
    }

    fn bytes(&mut self, n: u64, what: &str) -> Result<Vec<u8>> {
        if self.pos.checked_add(n).is_none_or(|end| end > self.len) {
            return Err(self.truncated(what));
        }
        let mut buf = vec![0; n as usize];
        self.inner.read_exact(&mut buf).map_err(|e| Error::io(self.path, e))?;
        self.pos += n;
        Ok(buf)
    }

    fn i32(&mut self, what: &str) -> Result<i32> {
        let b = self.bytes(4, what)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn skip(&mut self, n: u64, what: &str) -> Result<()> {
        if self.pos.checked_add(n).is_none_or(|end| end > self.len) {
            return Err(self.truncated(what));
        }
        let offset = i64::try_from(n).map_err(|_| self.truncated(what))?;
        self.inner.seek_relative(offset).map_err(|e| Error::io(self.path, e))?;
        self.pos += n;
        Ok(())
    }
}

/// Checks that `path` is a whole whisper.cpp ggml model: the magic, plausible
/// hyperparameters, the mel filters and vocabulary, and every tensor header with its data,
/// adding up exactly to the file's length, with as many tensors as the layer counts need.
/// The error names the file and what is wrong ("truncated at byte N", "not a ggml whisper
/// model (magic …)").
pub fn check_ggml(path: &Path) -> Result<GgmlHeader> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut r = HeaderReader { inner: BufReader::with_capacity(1 << 16, file), pos: 0, len, path };

    if len < 4 {
        return Err(r.invalid(format!("not a ggml whisper model (the file has only {len} bytes)")));
    }
    let magic = r.i32("the magic number")? as u32;
    if magic != GGML_MAGIC {
        let hint = if magic == u32::from_le_bytes(*b"GGUF") {
            " (this is a GGUF file; whisper.cpp loads the older ggml format)"
        } else {
            ""
        };
        return Err(r.invalid(format!(
            "not a ggml whisper model (magic {magic:#010x}, expected {GGML_MAGIC:#010x}){hint}"
        )));
    }
    let mut hp = [0i32; 11];
    const HPARAMS: [&str; 11] = [
        "n_vocab",
        "n_audio_ctx",
        "n_audio_state",
        "n_audio_head",
        "n_audio_layer",
        "n_text_ctx",
        "n_text_state",
        "n_text_head",
        "n_text_layer",
        "n_mels",
        "ftype",
    ];
    for (value, name) in hp.iter_mut().zip(HPARAMS) {
        *value = r.i32(&format!("the hyperparameter {name}"))?;
    }
    let header = GgmlHeader {
        n_vocab: hp[0],
        n_audio_ctx: hp[1],
        n_audio_state: hp[2],
        n_audio_head: hp[3],
        n_audio_layer: hp[4],
        n_text_ctx: hp[5],
        n_text_state: hp[6],
        n_text_head: hp[7],
        n_text_layer: hp[8],
        n_mels: hp[9],
        ftype: hp[10],
        n_tokens: 0,
        n_tensors: 0,
        file_size: len,
    };
    check_hparams(&header).map_err(|m| r.invalid(m))?;

    let n_mel = r.i32("the mel filter count")?;
    let n_fft = r.i32("the mel filter length")?;
    if n_mel != header.n_mels || !(1..=4096).contains(&n_fft) {
        return Err(r.invalid(format!(
            "mel filters of {n_mel}x{n_fft} at byte 48 do not fit n_mels {}",
            header.n_mels
        )));
    }
    r.skip(4 * n_mel as u64 * n_fft as u64, "the mel filters")?;

    let n_tokens = r.i32("the vocabulary size")?;
    if !(0..=header.n_vocab).contains(&n_tokens) {
        return Err(r.invalid(format!("{n_tokens} tokens in the vocabulary, n_vocab is {}", header.n_vocab)));
    }
    for i in 0..n_tokens {
        let at = r.pos;
        let token_len = r.i32(&format!("the length of token {i}"))?;
        if !(0..=1024).contains(&token_len) {
            return Err(r.invalid(format!("token {i} at byte {at} claims {token_len} bytes")));
        }
        r.skip(token_len as u64, &format!("token {i}"))?;
    }

    let mut n_tensors = 0u32;
    while r.pos < len {
        let at = r.pos;
        let n_dims = r.i32("a tensor header")?;
        let name_len = r.i32("a tensor header")?;
        let ttype = r.i32("a tensor header")?;
        let Some((type_name, block, block_bytes)) = ggml_type(ttype) else {
            return Err(r.invalid(format!("tensor {n_tensors} at byte {at} has unknown ggml type {ttype}")));
        };
        if !(1..=4).contains(&n_dims) || !(1..=255).contains(&name_len) {
            return Err(r.invalid(format!(
                "bad tensor header at byte {at} ({n_dims} dimensions, a name of {name_len} bytes)"
            )));
        }
        let mut dims = Vec::with_capacity(n_dims as usize);
        for _ in 0..n_dims {
            let d = r.i32("tensor dimensions")?;
            if d <= 0 {
                return Err(r.invalid(format!("tensor {n_tensors} at byte {at} has a dimension of {d}")));
            }
            dims.push(d as u64);
        }
        let name_bytes = r.bytes(name_len as u64, "a tensor name")?;
        let name = String::from_utf8_lossy(&name_bytes).into_owned();
        if dims[0] % block != 0 {
            return Err(r.invalid(format!(
                "tensor {name} has rows of {} values, not a multiple of the {type_name} block of {block}",
                dims[0]
            )));
        }
        // Four dimensions of up to 2^31 overflow a u64: such a tensor is larger than any file.
        let bytes = dims
            .iter()
            .try_fold(1u64, |acc, d| acc.checked_mul(*d))
            .and_then(|elements| (elements / block).checked_mul(block_bytes))
            .ok_or_else(|| {
                r.invalid(format!("tensor {name} at byte {at} claims more bytes than a file can hold"))
            })?;
        r.skip(bytes, &format!("the data of tensor {name}"))?;
        n_tensors += 1;
    }
    // whisper.cpp's loader wants exactly these: 7 + 15 per encoder layer, 4 + 24 per decoder layer.
    let expected = 11 + 15 * header.n_audio_layer as u32 + 24 * header.n_text_layer as u32;
    let layers = format!("{} encoder and {} decoder layers", header.n_audio_layer, header.n_text_layer);
    if n_tensors < expected {
        return Err(r.invalid(format!(
            "truncated at byte {len}: {n_tensors} of the {expected} tensors a model with {layers} has"
        )));
    }
    if n_tensors > expected {
        return Err(r.invalid(format!("{n_tensors} tensors, a whisper model with {layers} has {expected}")));
    }
    Ok(GgmlHeader { n_tokens, n_tensors, ..header })
}

fn check_hparams(h: &GgmlHeader) -> std::result::Result<(), String> {
    let sizes = [
        ("n_vocab", h.n_vocab, 1_000_000),
        ("n_audio_ctx", h.n_audio_ctx, 100_000),
        ("n_audio_state", h.n_audio_state, 65_536),
        ("n_audio_head", h.n_audio_head, 1024),
        ("n_audio_layer", h.n_audio_layer, 1024),
        ("n_text_ctx", h.n_text_ctx, 100_000),
        ("n_text_state", h.n_text_state, 65_536),
        ("n_text_head", h.n_text_head, 1024),
        ("n_text_layer", h.n_text_layer, 1024),
        ("n_mels", h.n_mels, 1024),
    ];
    for (name, value, max) in sizes {
        if !(1..=max).contains(&value) {
            return Err(format!("implausible hyperparameter {name} = {value} (expected 1 to {max})"));
        }
    }
    if h.n_audio_state % h.n_audio_head != 0 || h.n_text_state % h.n_text_head != 0 {
        return Err(format!(
            "the state sizes ({}, {}) are not multiples of the head counts ({}, {})",
            h.n_audio_state, h.n_text_state, h.n_audio_head, h.n_text_head
        ));
    }
    if h.ftype < 0 || ftype_name(h.ftype % QNT_VERSION_FACTOR).is_none() {
        return Err(format!("unknown ftype {} in the header", h.ftype));
    }
    Ok(())
}

/// The quantisation a whisper.cpp file name implies: `-q8_0` → `q8_0`, none → `f16`.
fn quantization_from_name(name: &str) -> String {
    match name.rsplit_once("-q") {
        Some((_, q)) if q.contains('_') => format!("q{q}"),
        _ => "f16".to_string(),
    }
}

/// Builds the listing entry of the model `name` in `dir`.
fn model_info(dir: &Path, name: &str) -> ModelInfo {
    let file = file_name(name);
    let path = dir.join(&file);
    let entry = catalog_entry(name);
    let meta = fs::metadata(&path).ok().filter(|m| m.is_file());
    let partial_bytes = fs::metadata(part_path(&path)).ok().map(|m| m.len());
    let (size, quantization, problem) = match &meta {
        Some(m) => match check_ggml(&path) {
            Ok(h) => (Some(m.len()), Some(h.quantization().to_string()), None),
            Err(e) => (Some(m.len()), None, Some(e.to_string())),
        },
        None => (entry.and_then(|e| e.size), Some(quantization_from_name(name)), None),
    };
    ModelInfo {
        name: name.to_string(),
        file,
        installed: meta.is_some(),
        size,
        quantization,
        path: path.display().to_string(),
        in_catalog: entry.is_some(),
        approx_mib: entry.and_then(|e| e.approx_mib),
        partial_bytes,
        problem,
        expected_speed_x: advice::expected_speed(name, advice::this_machine().0),
        recommended: false,
    }
}

/// The names of the `ggml-*.bin` files in `dir` (none when the folder does not exist).
fn installed_names(dir: &Path) -> Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        if let Some(name) = file.strip_prefix("ggml-").and_then(|f| f.strip_suffix(".bin")) {
            // The voice activity detector lives beside the whisper models; it is not one.
            if !name.is_empty() && !name.starts_with("silero-") && entry.path().is_file() {
                names.push(name.to_string());
            }
        }
    }
    names.sort();
    Ok(names)
}

/// Every catalog model (installed or not) and every other `ggml-*.bin` in `dir`, catalog
/// order first. Installed files are checked with [`check_ggml`]; a bad one is listed with
/// its `problem`.
pub fn list(dir: &Path) -> Result<Vec<ModelInfo>> {
    let mut out: Vec<ModelInfo> = CATALOG.iter().map(|e| model_info(dir, e.name)).collect();
    for name in installed_names(dir)? {
        if catalog_entry(&name).is_none() {
            out.push(model_info(dir, &name));
        }
    }
    let (cores, memory) = advice::this_machine();
    let pick = advice::recommend(cores, memory).name;
    for m in &mut out {
        m.recommended = m.name == pick;
    }
    Ok(out)
}

/// [`resolve_in`] the models folder.
pub fn resolve(name_or_path: &str) -> Result<PathBuf> {
    resolve_in(&models_dir(), name_or_path)
}

/// A path to an existing file, or the file of an installed model named so in `dir`.
/// An unknown name is a not-found error that lists the installed models and says how to
/// get one.
pub fn resolve_in(dir: &Path, name_or_path: &str) -> Result<PathBuf> {
    let as_path = Path::new(name_or_path);
    if as_path.is_file() {
        return Ok(as_path.to_path_buf());
    }
    if name_or_path.contains(['/', '\\']) || name_or_path.ends_with(".bin") {
        return Err(Error::not_found(
            "model file",
            format!("{name_or_path} (get a model with `rapport models download NAME`, or scripts/fetch-model for the test model)"),
        ));
    }
    let path = dir.join(file_name(name_or_path));
    if path.is_file() {
        return Ok(path);
    }
    let installed = installed_names(dir)?;
    let have = if installed.is_empty() {
        format!("no models are installed in {}", dir.display())
    } else {
        format!("installed: {}", installed.join(", "))
    };
    let get = if catalog_entry(name_or_path).is_some() {
        format!("get it with `rapport models download {name_or_path}`")
    } else {
        "get one with `rapport models download NAME` (see `rapport models list`) or `rapport models import PATH`"
            .to_string()
    };
    Err(Error::not_found("model", format!("{name_or_path} ({have}; {get})")))
}

/// What a download must be. `None` fields are not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    pub size: Option<u64>,
    pub sha1: Option<String>,
    pub sha256: Option<String>,
}

/// The `.part` file a download of `dest` writes to.
pub fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dest.with_file_name(name)
}

/// The sidecar file that records the SHA-256 of `model`.
pub fn sha256_sidecar(model: &Path) -> PathBuf {
    let mut name = model.file_name().unwrap_or_default().to_os_string();
    name.push(".sha256");
    model.with_file_name(name)
}

/// How long a download waits for the server before giving up (per connect and per read).
const NETWORK_TIMEOUT: Duration = Duration::from_secs(60);
/// How many times one call restarts from zero (a server that ignores Range, a stale .part).
const MAX_RESTARTS: u32 = 2;

fn net_error(url: &str, message: impl std::fmt::Display) -> Error {
    Error::io(url, std::io::Error::other(message.to_string()))
}

/// An error and its causes on one line (reqwest hides "connection refused" in its sources).
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    for _ in 0..8 {
        let Some(cause) = source else { break };
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Downloads the model `name` from `base_url` into `dir` and returns its path.
///
/// Any name made of letters, digits, `.`, `_` and `-` is accepted (a custom base URL may
/// serve other models); catalog models are checked against their published SHA-1. The
/// bytes go to `ggml-NAME.bin.part` (resumed when it exists), which is checked whole (size,
/// sums, [`check_ggml`]) before it is renamed. An installed model that passes
/// [`check_ggml`] is not downloaded again. Cancelling keeps the `.part` for the next call
/// and returns [`Outcome::Cancelled`]. [`vad::NAME`] downloads the voice activity detector's
/// model instead ([`vad::download`]), [`voice::NAME`] the voice encoder (`base_url` is then
/// the wheel's whole URL, [`voice::download`]).
pub fn download(
    name: &str,
    base_url: &str,
    dir: &Path,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Outcome<PathBuf>> {
    if name == vad::NAME {
        return vad::download(base_url, dir, progress, cancel);
    }
    if name == voice::NAME {
        return voice::download(base_url, dir, progress, cancel);
    }
    if !is_model_name(name) {
        return Err(Error::invalid(
            "model name",
            format!("{name:?} is not a model name (letters, digits, . _ -)"),
        ));
    }
    let entry = catalog_entry(name);
    let expected = Expected {
        size: entry.and_then(|e| e.size),
        sha1: entry.and_then(|e| e.sha1).map(str::to_string),
        sha256: entry.and_then(|e| e.sha256).map(str::to_string),
    };
    let url = format!("{}/{}", base_url.trim_end_matches('/'), file_name(name));
    let check = |path: &Path| check_ggml(path).map(drop);
    install(&url, &dir.join(file_name(name)), &expected, check, "model", progress, cancel)
}

/// Downloads `url` to `dest` unless a file that passes `check` is there already: into the
/// `.part` beside it ([`fetch`]: resumed, size and sums checked), then `check`ed whole (a file
/// that fails is deleted, and the error calls it not a usable `what`), its SHA-256 recorded
/// beside it when `expected` has none, and renamed into place.
fn install(
    url: &str,
    dest: &Path,
    expected: &Expected,
    check: impl Fn(&Path) -> Result<()>,
    what: &str,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Outcome<PathBuf>> {
    if dest.is_file() && check(dest).is_ok() {
        progress.message(&format!("{} is already installed", dest.display()));
        return Ok(Outcome::Done(dest.to_path_buf()));
    }
    let dir = dest.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let part = part_path(dest);
    let sha256 = match fetch(url, &part, expected, progress, cancel)? {
        Outcome::Done(sha256) => sha256,
        Outcome::Cancelled => return Ok(Outcome::Cancelled),
    };
    if let Err(err) = check(&part) {
        let _ = fs::remove_file(&part);
        return Err(Error::invalid(url, format!("the downloaded file is not a usable {what}: {err}")));
    }
    if expected.sha256.is_none() {
        let sidecar = sha256_sidecar(dest);
        let file = dest.file_name().unwrap_or_default().to_string_lossy();
        fs::write(&sidecar, format!("{sha256}  {file}\n")).map_err(|e| Error::io(&sidecar, e))?;
    }
    fs::rename(&part, dest).map_err(|e| Error::io(dest, e))?;
    Ok(Outcome::Done(dest.to_path_buf()))
}

/// Downloads `url` into `part` until it is whole, resuming from the bytes already in
/// `part` with a Range request (starting over when the server ignores it), then checks the
/// size and sums in `expected` and returns the SHA-256 (hex). A checksum or size mismatch
/// deletes `part` and is an error; a broken connection keeps `part` for the next call.
/// Cancelling keeps `part` and returns [`Outcome::Cancelled`].
pub fn fetch(
    url: &str,
    part: &Path,
    expected: &Expected,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Outcome<String>> {
    let client = reqwest::blocking::Client::builder()
        .user_agent(concat!("rapport/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(NETWORK_TIMEOUT)
        .timeout(NETWORK_TIMEOUT)
        .build()
        .map_err(|e| net_error(url, format!("cannot make an HTTP client: {e}")))?;

    let mut restarts = 0;
    let total = loop {
        let have = fs::metadata(part).map(|m| m.len()).unwrap_or(0);
        if expected.size.is_some_and(|size| have == size) {
            break have;
        }
        if expected.size.is_some_and(|size| have > size) {
            truncate(part)?;
            continue;
        }
        match fetch_once(&client, url, part, have, expected.size, progress, cancel)? {
            Step::Whole(total) => break total,
            Step::Cancelled => return Ok(Outcome::Cancelled),
            Step::Restart(reason) => {
                restarts += 1;
                if restarts > MAX_RESTARTS {
                    return Err(net_error(url, format!("gave up after {MAX_RESTARTS} restarts: {reason}")));
                }
                progress.message(&format!("restarting the download of {url}: {reason}"));
                truncate(part)?;
            }
        }
    };

    if let Some(size) = expected.size.filter(|&s| s != total) {
        let _ = fs::remove_file(part);
        return Err(net_error(
            url,
            format!("the download has {total} bytes, expected {size}; it was deleted"),
        ));
    }
    let (sha1, sha256) = hash_file(part, total, progress, cancel)?;
    let Some((sha1, sha256)) = sha1.zip(sha256) else { return Ok(Outcome::Cancelled) };
    for (kind, want, got) in [("SHA-1", &expected.sha1, &sha1), ("SHA-256", &expected.sha256, &sha256)] {
        if let Some(want) = want.as_deref().filter(|w| !w.eq_ignore_ascii_case(got)) {
            let _ = fs::remove_file(part);
            return Err(Error::Integrity(format!(
                "{url}: checksum mismatch: the download's {kind} is {got}, expected {want}; the partial file was deleted"
            )));
        }
    }
    Ok(Outcome::Done(sha256))
}

enum Step {
    /// The file holds all `total` bytes the server announced.
    Whole(u64),
    Cancelled,
    /// The bytes on disk cannot be continued; start over.
    Restart(String),
}

fn truncate(part: &Path) -> Result<()> {
    File::create(part).map(drop).map_err(|e| Error::io(part, e))
}

/// One HTTP request: from byte `have` of `part` to the end, appending.
fn fetch_once(
    client: &reqwest::blocking::Client,
    url: &str,
    part: &Path,
    have: u64,
    expected_size: Option<u64>,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Step> {
    let mut request = client.get(url);
    if have > 0 {
        request = request.header(reqwest::header::RANGE, format!("bytes={have}-"));
    }
    let mut response = request.send().map_err(|e| net_error(url, with_causes(&e)))?;
    let status = response.status();
    let (start, total) = match status.as_u16() {
        200 => (0, response.content_length().or(expected_size)),
        206 => {
            let range = response
                .headers()
                .get(reqwest::header::CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_content_range);
            match range {
                Some((start, total)) if start == have => (start, total.or(expected_size)),
                Some((start, _)) => {
                    return Ok(Step::Restart(format!("asked for byte {have}, got byte {start}")))
                }
                None => return Ok(Step::Restart("a 206 response without a usable Content-Range".into())),
            }
        }
        416 if have > 0 => {
            // Nothing after byte `have`: whole if the server's length is `have`, else stale.
            let total = response
                .headers()
                .get(reqwest::header::CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("bytes */"))
                .and_then(|v| v.trim().parse::<u64>().ok());
            return Ok(match total {
                Some(total) if total == have => Step::Whole(have),
                _ => Step::Restart(format!("the server has no bytes after byte {have}")),
            });
        }
        _ => {
            return Err(net_error(url, format!("HTTP {status}")));
        }
    };
    if start == 0 && have > 0 {
        progress.message(&format!("{url} ignored the resume request; downloading from the start"));
    }
    let mut file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(start == 0)
        .open(part)
        .map_err(|e| Error::io(part, e))?;
    file.seek(SeekFrom::Start(start)).map_err(|e| Error::io(part, e))?;
    progress.begin("download", total);
    let mut done = start;
    progress.advance(done);
    let mut buf = vec![0u8; 1 << 16];
    loop {
        if cancel.is_cancelled() {
            file.flush().map_err(|e| Error::io(part, e))?;
            return Ok(Step::Cancelled);
        }
        let n = match response.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(net_error(
                    url,
                    format!(
                        "the connection broke at byte {done}{}: {}; {done} bytes are kept in {} and the next download resumes from there",
                        total.map(|t| format!(" of {t}")).unwrap_or_default(),
                        with_causes(&e),
                        part.display()
                    ),
                ));
            }
        };
        file.write_all(&buf[..n]).map_err(|e| Error::io(part, e))?;
        done += n as u64;
        progress.advance(done);
    }
    file.sync_all().map_err(|e| Error::io(part, e))?;
    match total {
        Some(total) if done < total => Err(net_error(
            url,
            format!("the server sent {done} of {total} bytes; the next download resumes from byte {done}"),
        )),
        Some(total) if done > total => {
            Ok(Step::Restart(format!("the server sent {done} bytes, more than {total}")))
        }
        _ => Ok(Step::Whole(done)),
    }
}

/// Parses `bytes START-END/TOTAL` (TOTAL may be `*`).
fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, _end) = range.split_once('-')?;
    let total = if total.trim() == "*" { None } else { Some(total.trim().parse().ok()?) };
    Some((start.trim().parse().ok()?, total))
}

/// SHA-1 and SHA-256 (hex) of a file, reporting progress; `None`s when cancelled.
fn hash_file(
    path: &Path,
    total: u64,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<(Option<String>, Option<String>)> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut sha1 = Sha1::new();
    let mut sha256 = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    progress.begin("verify", Some(total));
    loop {
        if cancel.is_cancelled() {
            return Ok((None, None));
        }
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        sha1.update(&buf[..n]);
        sha256.update(&buf[..n]);
        done += n as u64;
        progress.advance(done);
    }
    Ok((Some(hex(&sha1.finalize())), Some(hex(&sha256.finalize()))))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Copies a ggml model into `dir` after [`check_ggml`] accepts it. A file named
/// `ggml-NAME.bin` keeps its name; any other `STEM.bin` becomes `ggml-STEM.bin`. Importing
/// the same bytes again is a no-op; different bytes under an installed name are refused.
pub fn import(path: &Path, dir: &Path) -> Result<ModelInfo> {
    check_ggml(path)?;
    let stem =
        path.file_name().and_then(|n| n.to_str()).map(|n| n.strip_suffix(".bin").unwrap_or(n)).unwrap_or("");
    let name = stem.strip_prefix("ggml-").unwrap_or(stem);
    if !is_model_name(name) {
        return Err(Error::invalid(
            path.display().to_string(),
            "the file name does not give a model name (expected ggml-NAME.bin with letters, digits, . _ -)",
        ));
    }
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let dest = dir.join(file_name(name));
    if dest.exists() {
        let same_file = fs::canonicalize(&dest).ok() == fs::canonicalize(path).ok();
        if same_file || file_sha256(&dest)? == file_sha256(path)? {
            return Ok(model_info(dir, name));
        }
        return Err(Error::AlreadyExists { what: "model", key: format!("{name} ({})", dest.display()) });
    }
    let tmp = dir.join(format!("{}.import", file_name(name)));
    if let Err(e) = fs::copy(path, &tmp) {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(&tmp, e));
    }
    fs::rename(&tmp, &dest).map_err(|e| Error::io(&dest, e))?;
    Ok(model_info(dir, name))
}

fn file_sha256(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| Error::io(path, e))?;
    Ok(hex(&hasher.finalize()))
}
