//! Decoding recordings with symphonia and resampling them to what speech models read:
//! 16 kHz mono `f32`.
//!
//! [`AudioStream`] opens a file (WAV, FLAC, MP3, AAC or ALAC in M4A/MP4/MOV, Vorbis in Ogg, PCM
//! and ADPCM), decodes it one packet at a time, mixes the channels down and resamples with
//! rubato's FFT resampler, so a caller can pull the audio in pieces of the size it wants and a
//! two-hour recording never sits whole in memory. Decoding is strict: a packet that does not
//! decode, a stream that ends in the middle of a frame or a codec this build cannot decode is an
//! [`Error::Invalid`] naming the file, the codec, the time and the byte offset.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler};
use symphonia::core::codecs::audio::well_known as codec_ids;
use symphonia::core::codecs::audio::{AudioCodecId, AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::units::{TimeBase, Timestamp};

use crate::error::{Error, Result};
use crate::progress::{CancelToken, NoProgress, Progress};

/// The sample rate speech models read.
pub const TARGET_RATE: u32 = 16_000;

/// Input frames per resampler call: small enough to stream, large enough to be efficient.
const RESAMPLE_CHUNK: usize = 1024;

/// What a recording holds, as decoding found it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Probe {
    /// The container: `wav`, `flac`, `mp3`, `mp4` (also M4A and MOV), `ogg`, ….
    pub container: String,
    /// The codec of the audio track, e.g. `pcm_s16le`, `flac`, `mp3`, `aac`, `vorbis`.
    pub codec: String,
    pub channels: i64,
    pub sample_rate: i64,
    /// The length of the decoded audio (after a full decode: exact; else from the header).
    pub duration_ms: Option<i64>,
}

/// A reader that tells how far into the file it has read, for error messages.
struct Counted<R> {
    inner: R,
    len: Option<u64>,
    pos: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: Seek> Seek for Counted<R> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let at = self.inner.seek(to)?;
        self.pos.store(at, Ordering::Relaxed);
        Ok(at)
    }
}

impl<R: Read + Seek + Send + Sync> MediaSource for Counted<R> {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        self.len
    }
}

/// A decoded recording, pulled as 16 kHz mono `f32` a piece at a time.
pub struct AudioStream {
    name: String,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    time_base: Option<TimeBase>,
    info: Probe,
    read_pos: Arc<AtomicU64>,
    byte_len: Option<u64>,
    /// Source frames decoded so far.
    frames: u64,
    interleaved: Vec<f32>,
    mono: Vec<f32>,
    resampler: Option<ToTarget>,
    done: bool,
    /// Read only this channel (0-based) instead of mixing them down.
    channel: Option<usize>,
}

impl std::fmt::Debug for AudioStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioStream").field("name", &self.name).field("info", &self.info).finish()
    }
}

impl AudioStream {
    /// Opens the recording at `path`; `name` names it in errors.
    pub fn open(path: &Path, name: &str) -> Result<AudioStream> {
        let mut head = Vec::with_capacity(4096);
        std::io::Read::read_to_end(
            &mut std::io::Read::take(std::fs::File::open(path).map_err(|e| Error::io(path, e))?, 4096),
            &mut head,
        )
        .map_err(|e| Error::io(path, e))?;
        check_wav_header(&head, name)?;
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        let ext = path.extension().and_then(|e| e.to_str());
        AudioStream::from_source(file, Some(len), ext, name)
    }

    /// Opens a recording held in memory; `name` names it in errors (and its extension is a hint).
    pub fn from_bytes(bytes: Vec<u8>, name: &str) -> Result<AudioStream> {
        check_wav_header(&bytes[..bytes.len().min(4096)], name)?;
        let len = bytes.len() as u64;
        let ext = Path::new(name).extension().and_then(|e| e.to_str()).map(str::to_owned);
        AudioStream::from_source(std::io::Cursor::new(bytes), Some(len), ext.as_deref(), name)
    }

    fn from_source<R: Read + Seek + Send + Sync + 'static>(
        reader: R,
        len: Option<u64>,
        ext: Option<&str>,
        name: &str,
    ) -> Result<AudioStream> {
        if len == Some(0) {
            return Err(Error::invalid(name, "the file is empty (0 bytes), not a recording"));
        }
        let read_pos = Arc::new(AtomicU64::new(0));
        let source = Counted { inner: reader, len, pos: read_pos.clone() };
        let mss = MediaSourceStream::new(Box::new(source), Default::default());
        let mut hint = Hint::new();
        if let Some(ext) = ext {
            hint.with_extension(ext);
        }
        let format = symphonia::default::get_probe()
            .probe(&hint, mss, FormatOptions::default(), MetadataOptions::default())
            .map_err(|e| {
                let why = match e {
                    SymphoniaError::Unsupported(_) => "its bytes match no audio container".to_string(),
                    other => describe(&other),
                };
                Error::invalid(
                    name,
                    format!(
                        "not a recording this version reads ({why}); expected WAV, FLAC, MP3, M4A/MP4/MOV (AAC, ALAC) or Ogg Vorbis"
                    ),
                )
            })?;
        let container = container_name(format.format_info().short_name);
        let track = format
            .default_track(TrackType::Audio)
            .ok_or_else(|| Error::invalid(name, format!("the {container} file has no audio track")))?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| {
                Error::invalid(name, format!("the {container} file's audio track has no codec parameters"))
            })?
            .clone();
        let registry = symphonia::default::get_codecs();
        let codec = match registry.get_audio_decoder(params.codec) {
            Some(reg) => reg.codec.info.short_name.to_string(),
            None => {
                return Err(Error::invalid(
                    name,
                    format!(
                        "the audio codec {} (in a {container} file) is not supported; \
                         convert the recording to WAV, FLAC, MP3, AAC (M4A) or Ogg Vorbis",
                        unsupported_codec_name(params.codec)
                    ),
                ))
            }
        };
        let decoder = registry.make_audio_decoder(&params, &AudioDecoderOptions::default()).map_err(|e| {
            Error::invalid(name, format!("cannot decode its {codec} audio: {}", describe(&e)))
        })?;
        let sample_rate = params.sample_rate.filter(|r| *r > 0).ok_or_else(|| {
            Error::invalid(name, format!("the {codec} track does not state its sample rate"))
        })?;
        let channels = params.channels.as_ref().map(|c| c.count()).unwrap_or(0);
        let time_base = track.time_base;
        let duration_ms =
            track.num_frames.filter(|n| *n > 0).map(|n| (n as u128 * 1000 / sample_rate as u128) as i64);
        let track_id = track.id;
        Ok(AudioStream {
            name: name.to_string(),
            format,
            decoder,
            track_id,
            time_base,
            info: Probe {
                container,
                codec,
                channels: channels as i64,
                sample_rate: sample_rate as i64,
                duration_ms,
            },
            read_pos,
            byte_len: len,
            frames: 0,
            interleaved: Vec::new(),
            mono: Vec::new(),
            resampler: None,
            done: false,
            channel: None,
        })
    }

    /// What the container header says (the duration may be missing or estimated until the
    /// stream is decoded to its end).
    pub fn info(&self) -> &Probe {
        &self.info
    }

    /// How much of the file has been read, 0.0 to 1.0 (for progress).
    pub fn fraction_read(&self) -> f64 {
        match self.byte_len {
            Some(len) if len > 0 => (self.read_pos.load(Ordering::Relaxed) as f64 / len as f64).min(1.0),
            _ => 0.0,
        }
    }

    /// Milliseconds of audio decoded so far.
    pub fn decoded_ms(&self) -> i64 {
        (self.frames as u128 * 1000 / self.info.sample_rate.max(1) as u128) as i64
    }

    fn where_(&self, pts: Option<Timestamp>) -> String {
        let at_ms = pts
            .and_then(|ts| self.time_base.and_then(|tb| tb.calc_time(ts)))
            .map(|t| t.as_millis() as i64)
            .unwrap_or_else(|| self.decoded_ms());
        format!(
            "at {} of the audio, near byte {}",
            crate::transcript::format_timestamp(at_ms),
            self.read_pos.load(Ordering::Relaxed)
        )
    }

    /// Reads only `channel` (0-based; the last one when there are fewer) instead of the
    /// mix of all channels: a stereo recorder's left and right microphones apart.
    pub fn only_channel(mut self, channel: usize) -> AudioStream {
        self.channel = Some(channel);
        self
    }

    /// Decodes the next packet of the audio track into `self.mono` (source rate).
    /// Returns false at the end of the stream.
    fn decode_packet(&mut self) -> Result<bool> {
        loop {
            let packet = match self.format.next_packet() {
                Ok(Some(packet)) => packet,
                Ok(None) => return Ok(false),
                Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return Err(Error::invalid(
                        &self.name,
                        format!(
                            "the {} stream is truncated: it ends in the middle of a frame {}",
                            self.info.codec,
                            self.where_(None)
                        ),
                    ))
                }
                Err(e) => {
                    return Err(Error::invalid(
                        &self.name,
                        format!(
                            "corrupt {} container {}: {}",
                            self.info.container,
                            self.where_(None),
                            describe(&e)
                        ),
                    ))
                }
            };
            if packet.track_id != self.track_id {
                continue;
            }
            let pts = packet.pts;
            let decoded = match self.decoder.decode(&packet) {
                Ok(buf) => buf,
                Err(e) => {
                    let at = self.where_(Some(pts));
                    return Err(Error::invalid(
                        &self.name,
                        format!("corrupt {} audio {at}: {}", self.info.codec, describe(&e)),
                    ));
                }
            };
            let frames = decoded.frames();
            let channels = decoded.num_planes().max(1);
            self.interleaved.clear();
            decoded.copy_to_vec_interleaved::<f32>(&mut self.interleaved);
            self.mono.clear();
            if let Some(c) = self.channel.filter(|_| channels > 1) {
                let c = c.min(channels - 1);
                self.mono.extend(self.interleaved.chunks_exact(channels).map(|frame| frame[c]));
            } else if channels == 1 {
                self.mono.extend_from_slice(&self.interleaved[..frames]);
            } else {
                let scale = 1.0 / channels as f32;
                self.mono.extend(
                    self.interleaved.chunks_exact(channels).map(|frame| frame.iter().sum::<f32>() * scale),
                );
            }
            self.frames += frames as u64;
            if frames > 0 {
                return Ok(true);
            }
        }
    }

    /// Decodes the whole stream without resampling, to check every packet and measure the
    /// exact duration. Returns the probe with that duration, or `None` when cancelled.
    pub fn scan(self, cancel: &CancelToken) -> Result<Option<Probe>> {
        self.scan_with(&NoProgress, cancel)
    }

    /// [`scan`](Self::scan), telling `progress` how many bytes of the file were read (phase
    /// "decoding").
    pub fn scan_with(mut self, progress: &dyn Progress, cancel: &CancelToken) -> Result<Option<Probe>> {
        progress.begin("decoding", self.byte_len);
        let mut packets = 0u32;
        while self.decode_packet()? {
            if cancel.is_cancelled() {
                return Ok(None);
            }
            packets = packets.wrapping_add(1);
            if packets.is_multiple_of(64) {
                progress.advance(self.read_pos.load(Ordering::Relaxed));
            }
        }
        progress.advance(self.byte_len.unwrap_or(0));
        self.finish_scan().map(Some)
    }

    fn finish_scan(&self) -> Result<Probe> {
        if self.frames == 0 {
            return Err(Error::invalid(
                &self.name,
                format!("the {} {} stream holds no audio", self.info.container, self.info.codec),
            ));
        }
        let mut info = self.info.clone();
        info.duration_ms = Some(self.decoded_ms());
        Ok(info)
    }

    /// Appends 16 kHz mono samples to `out` until it holds at least `target_len` samples or
    /// the stream ends. Returns false once the stream has ended (everything was appended).
    pub fn fill(&mut self, out: &mut Vec<f32>, target_len: usize) -> Result<bool> {
        if self.resampler.is_none() {
            self.resampler = Some(ToTarget::new(self.info.sample_rate as u32, &self.name)?);
        }
        while out.len() < target_len {
            if self.done {
                return Ok(false);
            }
            if self.decode_packet()? {
                let resampler = self.resampler.as_mut().expect("made above");
                resampler.push(&self.mono, out, &self.name)?;
            } else {
                self.finish_scan()?;
                let resampler = self.resampler.as_mut().expect("made above");
                resampler.finish(out, &self.name)?;
                self.done = true;
                self.info.duration_ms = Some(self.decoded_ms());
            }
        }
        Ok(!self.done)
    }
}

/// Decodes the whole recording at `path` and returns its 16 kHz mono samples (for short
/// files and tests; transcription pulls windows from an [`AudioStream`] instead).
pub fn decode_all(path: &Path, name: &str) -> Result<(Probe, Vec<f32>)> {
    let mut stream = AudioStream::open(path, name)?;
    let mut out = Vec::new();
    // Bounded: each call appends at least one packet or ends the stream.
    while stream.fill(&mut out, usize::MAX)? {}
    Ok((stream.info().clone(), out))
}

/// Streaming mono resampler to [`TARGET_RATE`]: rubato's FFT resampler fed in fixed input
/// chunks, with its start-up delay trimmed and its tail flushed, so the output is as long as
/// the input times the ratio and lines up with it.
struct ToTarget {
    fft: Option<Fft<f32>>,
    pending: Vec<f32>,
    buf: Vec<f32>,
    /// Output frames still to drop (the resampler's delay).
    skip: usize,
    input_total: u64,
    output_total: u64,
    from_rate: u32,
}

impl ToTarget {
    fn new(from_rate: u32, name: &str) -> Result<ToTarget> {
        let fft = if from_rate == TARGET_RATE {
            None
        } else {
            Some(
                Fft::<f32>::new(
                    from_rate as usize,
                    TARGET_RATE as usize,
                    RESAMPLE_CHUNK,
                    1,
                    FixedSync::Input,
                )
                .map_err(|e| Error::invalid(name, format!("cannot resample from {from_rate} Hz: {e}")))?,
            )
        };
        let (skip, out_max) =
            fft.as_ref().map(|f| (f.output_delay(), f.output_frames_max())).unwrap_or((0, 0));
        Ok(ToTarget {
            fft,
            pending: Vec::new(),
            buf: vec![0.0; out_max],
            skip,
            input_total: 0,
            output_total: 0,
            from_rate,
        })
    }

    fn expected_output(&self) -> u64 {
        (self.input_total as u128 * TARGET_RATE as u128 / self.from_rate as u128) as u64
    }

    /// Runs one resampler call on the pending input from `offset` (`partial` frames of it when
    /// the tail is short) and appends the output that is due to `out`. Returns the frames used.
    fn run(
        &mut self,
        offset: usize,
        partial: Option<usize>,
        out: &mut Vec<f32>,
        name: &str,
    ) -> Result<usize> {
        let fft = self.fft.as_mut().expect("only called when resampling");
        let frames_in = self.pending.len();
        let input = InterleavedSlice::new(&self.pending[..], 1, frames_in)
            .map_err(|e| Error::invalid(name, format!("resampler input: {e}")))?;
        let capacity = self.buf.len();
        let mut output = InterleavedSlice::new_mut(&mut self.buf[..], 1, capacity)
            .map_err(|e| Error::invalid(name, format!("resampler output: {e}")))?;
        let indexing = Indexing { input_offset: offset, partial_len: partial, ..Indexing::new() };
        let (used, written) = fft
            .process_into_buffer(&input, &mut output, Some(&indexing))
            .map_err(|e| Error::invalid(name, format!("resampling failed: {e}")))?;
        let skip = self.skip.min(written);
        self.skip -= skip;
        let due = (self.expected_output() - self.output_total) as usize;
        let take = (written - skip).min(due);
        out.extend_from_slice(&self.buf[skip..skip + take]);
        self.output_total += take as u64;
        Ok(used)
    }

    fn push(&mut self, mono: &[f32], out: &mut Vec<f32>, name: &str) -> Result<()> {
        self.input_total += mono.len() as u64;
        if self.fft.is_none() {
            out.extend_from_slice(mono);
            self.output_total += mono.len() as u64;
            return Ok(());
        }
        self.pending.extend_from_slice(mono);
        let mut offset = 0;
        // Bounded: each call uses RESAMPLE_CHUNK frames (fixed input size).
        while self.pending.len() - offset >= RESAMPLE_CHUNK {
            offset += self.run(offset, None, out, name)?;
        }
        self.pending.drain(..offset);
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<f32>, name: &str) -> Result<()> {
        if self.fft.is_none() {
            return Ok(());
        }
        let rest = self.pending.len();
        self.pending.resize(RESAMPLE_CHUNK, 0.0);
        self.run(0, Some(rest), out, name)?;
        // Flush the delay with silence: a few calls at most (the delay is under two chunks).
        for _ in 0..8 {
            if self.output_total >= self.expected_output() {
                break;
            }
            self.run(0, Some(0), out, name)?;
        }
        self.pending.clear();
        Ok(())
    }
}

/// The usual file extension for a symphonia container name.
fn container_name(short_name: &str) -> String {
    match short_name {
        "wave" => "wav",
        "isomp4" => "mp4",
        other => other,
    }
    .to_string()
}

/// Names codecs this build knows of but cannot decode.
fn unsupported_codec_name(id: AudioCodecId) -> String {
    let known = [
        (codec_ids::CODEC_ID_OPUS, "Opus"),
        (codec_ids::CODEC_ID_SPEEX, "Speex"),
        (codec_ids::CODEC_ID_AC3, "AC-3"),
        (codec_ids::CODEC_ID_MUSEPACK, "Musepack"),
        (codec_ids::CODEC_ID_MP1, "MPEG-1 Layer I"),
        (codec_ids::CODEC_ID_MP2, "MPEG-1 Layer II"),
        (codec_ids::CODEC_ID_ADPCM_G722, "G.722"),
        (codec_ids::CODEC_ID_ADPCM_G726, "G.726"),
        (codec_ids::CODEC_ID_ADPCM_G726LE, "G.726"),
    ];
    known
        .iter()
        .find(|(k, _)| *k == id)
        .map(|(_, n)| n.to_string())
        .unwrap_or_else(|| format!("with id {id}"))
}

/// A symphonia error in words.
fn describe(err: &SymphoniaError) -> String {
    match err {
        SymphoniaError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the file ends too early".to_string()
        }
        SymphoniaError::Unsupported(what) => format!("unsupported: {what}"),
        SymphoniaError::DecodeError(what) => format!("malformed data: {what}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(rate: u32, channels: u16, samples: &[i16]) -> Vec<u8> {
        let data_len = (samples.len() * 2) as u32;
        let mut w = Vec::new();
        w.extend_from_slice(b"RIFF");
        w.extend_from_slice(&(36 + data_len).to_le_bytes());
        w.extend_from_slice(b"WAVEfmt ");
        w.extend_from_slice(&16u32.to_le_bytes());
        w.extend_from_slice(&1u16.to_le_bytes());
        w.extend_from_slice(&channels.to_le_bytes());
        w.extend_from_slice(&rate.to_le_bytes());
        w.extend_from_slice(&(rate * channels as u32 * 2).to_le_bytes());
        w.extend_from_slice(&(channels * 2).to_le_bytes());
        w.extend_from_slice(&16u16.to_le_bytes());
        w.extend_from_slice(b"data");
        w.extend_from_slice(&data_len.to_le_bytes());
        for s in samples {
            w.extend_from_slice(&s.to_le_bytes());
        }
        w
    }

    fn sine(rate: u32, hz: f32, seconds: f32) -> Vec<i16> {
        (0..(rate as f32 * seconds) as usize)
            .map(|i| ((i as f32 * hz * std::f32::consts::TAU / rate as f32).sin() * 12000.0) as i16)
            .collect()
    }

    fn pull_all(mut s: AudioStream) -> Vec<f32> {
        let mut out = Vec::new();
        loop {
            let target = out.len() + 5000;
            if !s.fill(&mut out, target).unwrap() {
                break out;
            }
        }
    }

    #[test]
    fn resampling_44k1_stereo_gives_16k_mono_of_the_same_length_and_pitch() {
        // 1.5 s of a 440 Hz tone in both channels at 44.1 kHz.
        let mono = sine(44_100, 440.0, 1.5);
        let stereo: Vec<i16> = mono.iter().flat_map(|s| [*s, *s]).collect();
        let s = AudioStream::from_bytes(wav(44_100, 2, &stereo), "tone.wav").unwrap();
        assert_eq!((s.info().sample_rate, s.info().channels), (44_100, 2));
        let out = pull_all(s);
        assert_eq!(out.len(), 24_000, "1.5 s at 16 kHz");
        // Count rising zero crossings in the middle second: a 440 Hz tone has 440.
        let mid = &out[4000..20_000];
        let crossings = mid.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
        assert!((439..=441).contains(&crossings), "pitch kept: {crossings} crossings per second");
        let peak = mid.iter().fold(0f32, |m, s| m.max(s.abs()));
        assert!((0.33..0.4).contains(&peak), "level kept (12000/32768 ≈ 0.366): {peak}");
    }

    #[test]
    fn audio_already_at_16k_passes_through_unchanged() {
        let samples = sine(16_000, 300.0, 0.5);
        let out = pull_all(AudioStream::from_bytes(wav(16_000, 1, &samples), "a.wav").unwrap());
        assert_eq!(out.len(), samples.len());
        assert!((out[100] - samples[100] as f32 / 32768.0).abs() < 1e-6);
    }

    #[test]
    fn fill_stops_near_the_target_so_a_caller_can_take_windows() {
        let samples = sine(48_000, 200.0, 3.0);
        let mut s = AudioStream::from_bytes(wav(48_000, 1, &samples), "a.wav").unwrap();
        let mut window = Vec::new();
        assert!(s.fill(&mut window, 16_000).unwrap(), "more audio follows");
        assert!((16_000..16_000 + 8_000).contains(&window.len()), "about one second: {}", window.len());
        let mut rest = Vec::new();
        assert!(!s.fill(&mut rest, usize::MAX).unwrap());
        assert_eq!(window.len() + rest.len(), 48_000, "3 s at 16 kHz in all");
    }

    #[test]
    fn text_renamed_as_wav_is_refused_with_its_name() {
        let err = AudioStream::from_bytes(b"hello, I am not audio at all".to_vec(), "notes.wav").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("notes.wav: not a recording this version reads"), "{msg}");
    }

    #[test]
    fn a_wav_cut_in_the_middle_of_its_header_names_the_file() {
        let bytes = wav(16_000, 1, &sine(16_000, 300.0, 0.1));
        let err = AudioStream::from_bytes(bytes[..30].to_vec(), "cut.wav").unwrap_err();
        assert!(err.to_string().starts_with("cut.wav: "), "{err}");
    }

    #[test]
    fn scan_measures_the_exact_duration() {
        let bytes = wav(22_050, 1, &sine(22_050, 300.0, 2.0));
        let p = AudioStream::from_bytes(bytes, "a.wav").unwrap().scan(&CancelToken::new()).unwrap().unwrap();
        assert_eq!((p.container.as_str(), p.codec.as_str(), p.duration_ms), ("wav", "pcm_s16le", Some(2000)));
    }
}

/// The most channels a WAV file may say it has: the decoder panics on some larger counts
/// (65,535), and no recording of an interview has more.
const MAX_WAV_CHANNELS: u16 = 32;

/// Refuses a WAV file whose `fmt ` chunk (in the first bytes, `head`) gives a channel count
/// the decoder cannot take, before the decoder sees it.
fn check_wav_header(head: &[u8], name: &str) -> Result<()> {
    if head.len() < 12 || &head[..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return Ok(());
    }
    let mut at = 12usize;
    while at + 8 <= head.len() {
        let id = &head[at..at + 4];
        let size = u32::from_le_bytes([head[at + 4], head[at + 5], head[at + 6], head[at + 7]]) as usize;
        if id == b"fmt " {
            if let Some(c) = head.get(at + 10..at + 12) {
                let channels = u16::from_le_bytes([c[0], c[1]]);
                if channels == 0 || channels > MAX_WAV_CHANNELS {
                    return Err(Error::invalid(
                        name,
                        format!(
                            "a WAV header with {channels} channels; recordings of 1 to {MAX_WAV_CHANNELS} channels are read"
                        ),
                    ));
                }
            }
            return Ok(());
        }
        at = at.saturating_add(8).saturating_add(size).saturating_add(size & 1);
    }
    Ok(())
}

#[cfg(test)]
mod wav_header_tests {
    use super::*;

    #[test]
    fn wav_65535_channels_is_refused_before_the_decoder_panics_on_it() {
        let mut wav = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0".to_vec();
        wav.extend(65535u16.to_le_bytes());
        wav.extend([0u8; 12]);
        let err = check_wav_header(&wav, "x.wav").unwrap_err();
        assert!(err.to_string().contains("65535 channels"), "{err}");
    }
}
