//! The voice encoder diarization uses ([`crate::diarize::voice`]): Resemblyzer 0.1.4's GE2E
//! speaker encoder, installed as `voice-encoder-resemblyzer-0.1.4.bin`.
//!
//! Its weights are published only inside the PyPI wheel `Resemblyzer-0.1.4-py3-none-any.whl`
//! (Apache-2.0), as `resemblyzer/pretrained.pt` in torch's legacy format. A download fetches
//! the wheel from PyPI's file host (pinned by its SHA-256, resumable, through the models'
//! checked download [`super::fetch`]), reads the `.pt` from the zip, its tensors with
//! [`super::torch_legacy`], and writes the flat file the encoder reads; the result must have
//! the pinned SHA-256 of the file `scripts/convert_voice_encoder.py` makes from the same wheel
//! (the two converters agree byte for byte). The wheel is deleted afterwards.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::vad::VadInfo;
use super::{part_path, torch_legacy, Expected};
use crate::diarize::voice::path_in;
use crate::error::{Error, Result};
use crate::progress::{CancelToken, Outcome, Progress};

/// The name `rapport models download` takes for the voice encoder.
pub const NAME: &str = "voice-encoder";
/// Where PyPI keeps the wheel.
pub const DEFAULT_URL: &str = "https://files.pythonhosted.org/packages/d9/b5/d897d5de5b2123a1ad5d32e8e007d83f76582f5c32c60992577263bd7c7e/Resemblyzer-0.1.4-py3-none-any.whl";
/// Environment variable that overrides [`DEFAULT_URL`] (a mirror, or a test's server).
pub const URL_ENV: &str = "RAPPORT_VOICE_ENCODER_URL";
/// The wheel's SHA-256 and size, as PyPI lists them.
const WHEEL_SHA256: &str = "8f12eb2f1a9982d32e8db7856de754709b59c93a77bcf0ff536584b619a9dd1f";
const WHEEL_SIZE: u64 = 15_747_704;
/// The SHA-256 of the converted file.
pub const SHA256: &str = "f18c0d69b71304f245ff748bb55901211e0438cd6c53cf688af69143bdfdc9c4";
/// The tensors written, in order (as `scripts/convert_voice_encoder.py` writes them).
const TENSORS: [&str; 14] = [
    "lstm.weight_ih_l0",
    "lstm.weight_hh_l0",
    "lstm.bias_ih_l0",
    "lstm.bias_hh_l0",
    "lstm.weight_ih_l1",
    "lstm.weight_hh_l1",
    "lstm.bias_ih_l1",
    "lstm.bias_hh_l1",
    "lstm.weight_ih_l2",
    "lstm.weight_hh_l2",
    "lstm.bias_ih_l2",
    "lstm.bias_hh_l2",
    "linear.weight",
    "linear.bias",
];

/// The download URL: `$RAPPORT_VOICE_ENCODER_URL`, else [`DEFAULT_URL`].
pub fn default_url() -> String {
    std::env::var(URL_ENV).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| DEFAULT_URL.to_string())
}

fn wheel_path(dir: &Path) -> PathBuf {
    dir.join("Resemblyzer-0.1.4-py3-none-any.whl")
}

/// Whether the voice encoder is in `dir`, and whether it is usable (it opens).
pub fn info(dir: &Path) -> VadInfo {
    let part = part_path(&wheel_path(dir));
    VadInfo::of(NAME, &path_in(dir), &part, |p| {
        crate::diarize::voice::VoiceEncoder::open(p).err().map(|e| e.to_string())
    })
}

/// The flat file of the encoder's tensors read from Resemblyzer's `pretrained.pt`.
pub fn convert(pt: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let tensors = torch_legacy::read_tensors(pt, "model_state")?;
    let mut out = b"RVE1".to_vec();
    out.extend((TENSORS.len() as u32).to_le_bytes());
    for name in TENSORS {
        let t = tensors.get(name).ok_or_else(|| format!("no tensor {name}"))?;
        out.extend((name.len() as u32).to_le_bytes());
        out.extend(name.as_bytes());
        out.extend((t.shape.len() as u32).to_le_bytes());
        for d in &t.shape {
            out.extend((*d as u32).to_le_bytes());
        }
        for v in &t.values {
            out.extend(v.to_le_bytes());
        }
    }
    Ok(out)
}

/// Downloads the wheel from `url` into `dir`, converts its weights and installs the encoder.
/// Cancelling keeps the partial wheel for a resume and returns [`Outcome::Cancelled`].
pub fn download(
    url: &str,
    dir: &Path,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<Outcome<PathBuf>> {
    let dest = path_in(dir);
    if dest.is_file() && crate::diarize::voice::VoiceEncoder::open(&dest).is_ok() {
        progress.message(&format!("{} is already installed", dest.display()));
        return Ok(Outcome::Done(dest));
    }
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let wheel = wheel_path(dir);
    let part = part_path(&wheel);
    let expected = Expected { size: Some(WHEEL_SIZE), sha1: None, sha256: Some(WHEEL_SHA256.to_string()) };
    if let Outcome::Cancelled = super::fetch(url, &part, &expected, progress, cancel)? {
        return Ok(Outcome::Cancelled);
    }
    progress.message("reading the voice encoder's weights from the wheel");
    let pt = (|| -> std::result::Result<Vec<u8>, String> {
        let file = fs::File::open(&part).map_err(|e| e.to_string())?;
        let mut zip = zip::ZipArchive::new(file).map_err(|e| format!("not a zip file: {e}"))?;
        let mut entry =
            zip.by_name("resemblyzer/pretrained.pt").map_err(|e| format!("no pretrained.pt: {e}"))?;
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        Ok(bytes)
    })();
    let _ = fs::remove_file(&part);
    let flat = pt
        .and_then(|pt| convert(&pt))
        .map_err(|e| Error::invalid(url, format!("the wheel's voice encoder cannot be read: {e}")))?;
    let sum = crate::media::sha256_hex(&flat);
    if sum != SHA256 {
        return Err(Error::invalid(
            url,
            format!("the converted voice encoder has SHA-256 {sum}, expected {SHA256}"),
        ));
    }
    let tmp = part_path(&dest);
    fs::write(&tmp, &flat).map_err(|e| Error::io(&tmp, e))?;
    fs::rename(&tmp, &dest).map_err(|e| Error::io(&dest, e))?;
    Ok(Outcome::Done(dest))
}
