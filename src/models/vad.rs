//! The voice activity detector's model: Silero VAD v5.1.2 in whisper.cpp's ggml VAD format
//! (`ggml-silero-v5.1.2.bin`, under 1 MB), which transcription needs beside a whisper model.
//!
//! whisper.cpp publishes it in the Hugging Face repo `ggml-org/whisper-vad` (what its
//! `models/download-vad-model.sh` fetches); `scripts/fetch-model` makes the same file from the
//! PyPI package `silero-vad` instead, for machines that cannot reach the hub. A download goes
//! through the whisper models' resumable, checked install ([`super::fetch`]); no checksum is published, so
//! the file is checked by walking its header and every tensor ([`check`]) and the SHA-256
//! computed at download is recorded beside it, as for whisper models.

use std::fs::{self, File};
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use super::{part_path, Expected, HeaderReader, GGML_MAGIC};
use crate::error::{Error, Result};
use crate::progress::{CancelToken, Outcome, Progress};

/// The name `rapport models download` takes for the VAD model.
pub const NAME: &str = "silero-v5.1.2";
/// Its file in the models folder.
pub const FILE: &str = "ggml-silero-v5.1.2.bin";
/// Where whisper.cpp publishes it.
pub const DEFAULT_BASE_URL: &str = "https://huggingface.co/ggml-org/whisper-vad/resolve/main";
/// Environment variable that overrides [`DEFAULT_BASE_URL`].
pub const BASE_URL_ENV: &str = "RAPPORT_VAD_BASE_URL";

/// Tensors a Silero v5 model has at least (four encoder convolutions with bias, the LSTM's
/// four, the decoder's two); more are accepted.
const MIN_TENSORS: usize = 10;

/// The base URL the VAD download uses: `$RAPPORT_VAD_BASE_URL`, else [`DEFAULT_BASE_URL`].
pub fn default_base_url() -> String {
    std::env::var(BASE_URL_ENV).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| DEFAULT_BASE_URL.to_string())
}

/// The VAD model's path in the models folder `dir`.
pub fn path_in(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

/// The VAD model (or the voice encoder, [`super::voice::info`]) as the Models screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct VadInfo {
    /// The name `rapport models download` takes.
    pub name: String,
    pub file: String,
    pub installed: bool,
    /// The file's size in bytes when installed.
    pub size: Option<u64>,
    /// Where the file is (or will be, once downloaded).
    pub path: String,
    /// Bytes of an interrupted download waiting to be resumed.
    pub partial_bytes: Option<u64>,
    /// Why an installed file is unusable (it failed [`check`]).
    pub problem: Option<String>,
}

/// Whether the VAD model is in `dir`, and whether it is usable.
pub fn info(dir: &Path) -> VadInfo {
    let path = path_in(dir);
    let part = part_path(&path);
    VadInfo::of(NAME, &path, &part, |p| check(p).err().map(|e| e.to_string()))
}

impl VadInfo {
    /// The model `name` at `path` (its download in `part`), with `problem` saying why an
    /// installed file is unusable.
    pub(crate) fn of(
        name: &str,
        path: &Path,
        part: &Path,
        problem: impl Fn(&Path) -> Option<String>,
    ) -> VadInfo {
        let meta = fs::metadata(path).ok().filter(|m| m.is_file());
        VadInfo {
            name: name.to_string(),
            file: path.file_name().unwrap_or_default().to_string_lossy().into_owned(),
            installed: meta.is_some(),
            size: meta.as_ref().map(|m| m.len()),
            path: path.display().to_string(),
            partial_bytes: fs::metadata(part).ok().map(|m| m.len()),
            problem: meta.and_then(|_| problem(path)),
        }
    }
}

/// What [`check`] read of a VAD model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VadHeader {
    /// The model kind, e.g. `silero-16k`.
    pub kind: String,
    pub version: [i32; 3],
    /// Samples per window.
    pub window: i32,
    pub tensors: usize,
}

/// Checks that `path` is a whole ggml VAD model as whisper.cpp reads it: the ggml magic, a
/// `silero` kind, its version, window and layer sizes, then tensors (dimensions, name, f16 or
/// f32 data) that add up exactly to the file's length. A whisper model, a truncated file or
/// any other file is an error naming the file and what is wrong.
pub fn check(path: &Path) -> Result<VadHeader> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut r = HeaderReader { inner: BufReader::with_capacity(1 << 16, file), pos: 0, len, path };
    if len < 8 {
        return Err(r.invalid(format!("not a ggml VAD model (the file has only {len} bytes)")));
    }
    let magic = r.i32("the magic number")? as u32;
    if magic != GGML_MAGIC {
        return Err(
            r.invalid(format!("not a ggml VAD model (magic {magic:#010x}, expected {GGML_MAGIC:#010x})"))
        );
    }
    let kind_len = r.i32("the model kind's length")?;
    if !(1..=64).contains(&kind_len) {
        return Err(r.invalid(
            "not a ggml VAD model (no model kind after the magic; a whisper model has its sizes there)",
        ));
    }
    let kind = String::from_utf8_lossy(&r.bytes(kind_len as u64, "the model kind")?).into_owned();
    if !kind.starts_with("silero") {
        return Err(r.invalid(format!("not a Silero VAD model (kind {kind:?})")));
    }
    let version = [r.i32("the version")?, r.i32("the version")?, r.i32("the version")?];
    let window = r.i32("the window size")?;
    let _context = r.i32("the context size")?;
    if !(1..=1 << 16).contains(&window) {
        return Err(r.invalid(format!("implausible window size {window}")));
    }
    let layers = r.i32("the number of encoder layers")?;
    if !(1..=64).contains(&layers) {
        return Err(r.invalid(format!("implausible number of encoder layers {layers}")));
    }
    for _ in 0..layers {
        for _ in 0..3 {
            r.i32("an encoder layer's sizes")?;
        }
    }
    for _ in 0..4 {
        r.i32("the LSTM's sizes")?;
    }
    let mut tensors = 0;
    while r.pos < r.len {
        let what = format!("tensor {tensors}");
        let n_dims = r.i32(&what)?;
        let name_len = r.i32(&what)?;
        let ftype = r.i32(&what)?;
        if !(1..=4).contains(&n_dims) || !(1..=256).contains(&name_len) || !(0..=1).contains(&ftype) {
            return Err(r.invalid(format!(
                "{what} at byte {} has an implausible header (dims {n_dims}, name length {name_len}, type {ftype})",
                r.pos - 12
            )));
        }
        let mut elements: u64 = 1;
        for _ in 0..n_dims {
            let d = r.i32(&what)?;
            if d <= 0 {
                return Err(r.invalid(format!("{what} has a dimension of {d}")));
            }
            elements = elements.saturating_mul(d as u64);
        }
        r.bytes(name_len as u64, &what)?;
        let bytes = elements.saturating_mul(if ftype == 1 { 2 } else { 4 });
        r.skip(bytes, &what)?;
        tensors += 1;
    }
    if tensors < MIN_TENSORS {
        return Err(r.invalid(format!("a VAD model has at least {MIN_TENSORS} tensors, this file {tensors}")));
    }
    Ok(VadHeader { kind, version, window, tensors })
}

/// Downloads the VAD model from `base_url` (`{base_url}/ggml-silero-v5.1.2.bin`) into `dir`
/// and returns its path: resumable, checked whole with [`check`] before it is renamed into
/// place, with its SHA-256 recorded beside it. An installed usable model is not fetched again.
/// Cancelling keeps the `.part` for the next call and returns [`Outcome::Cancelled`].
pub fn download(
    base_url: &str,
    dir: &Path,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Outcome<PathBuf>> {
    let url = format!("{}/{FILE}", base_url.trim_end_matches('/'));
    let check = |path: &Path| check(path).map(drop);
    super::install(&url, &path_in(dir), &Expected::default(), check, "VAD model", progress, cancel)
}
