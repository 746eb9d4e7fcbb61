//! Cutting the recording into the chunks whisper reads, and mapping whisper's times back.
//!
//! [`ChunkSource`] decodes the audio as a stream, runs the VAD on it a block at a time and
//! packs the speech regions it finds, each widened by [`PAD`] on both sides, into chunks of at
//! most the longest chunk length: a chunk is a list of [`Piece`]s of the recording laid end to
//! end, so the silence between two regions costs nothing and a chunk always ends in a pause
//! (or, for speech longer than a chunk, at its least speech-like moment). Audio that no region
//! can reach any more is dropped, so memory stays a few chunks however long the recording.
//! [`Chunk::to_recording`] maps a time inside a chunk back to the recording's time line, and
//! [`Chunk::snap_start`] moves a start that falls in a piece's padding to where its speech
//! begins.

use super::vad::{Region, Segmenter, Vad, BLOCK_WINDOWS, WINDOW};
use super::RATE;
use crate::error::Result;
use crate::media::AudioStream;

/// Audio kept around each speech region: Silero's onsets can be a little late on soft
/// consonants, and whisper reads a word better with a moment of silence before it.
pub const PAD: usize = RATE / 5;

/// A stretch of the recording inside a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Where it starts in the chunk (samples).
    pub at: usize,
    /// Where it starts in the recording (samples).
    pub start: usize,
    pub len: usize,
    /// Where its speech starts in the recording (after the padding).
    pub speech_start: usize,
}

/// A piece of work for whisper: pieces of the recording, end to end.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// Its place among the chunks (results are put back in this order).
    pub index: usize,
    pub pieces: Vec<Piece>,
    /// The speech regions inside it, in chunk samples.
    pub speech: Vec<(usize, usize)>,
    pub samples: Vec<f32>,
}

impl Chunk {
    /// Where the chunk starts in the recording (samples).
    pub fn start(&self) -> usize {
        self.pieces.first().map_or(0, |p| p.start)
    }

    /// Where the chunk ends in the recording (samples).
    pub fn end(&self) -> usize {
        self.pieces.last().map_or(0, |p| p.start + p.len)
    }

    /// The piece that holds chunk time `t` (samples); past the end, the last one.
    fn piece_at(&self, t: usize) -> Option<&Piece> {
        let i = self.pieces.partition_point(|p| p.at <= t);
        self.pieces.get(i.saturating_sub(1))
    }

    /// Maps a time in the chunk (samples) to the recording (samples).
    pub fn to_recording(&self, t: usize) -> usize {
        match self.piece_at(t) {
            Some(p) => p.start + (t - p.at.min(t)).min(p.len),
            None => t,
        }
    }

    /// A start time in the chunk (samples), mapped to the recording and moved forward to where
    /// its piece's speech begins when it falls in the padding before it.
    pub fn snap_start(&self, t: usize) -> usize {
        let at = self.to_recording(t);
        match self.piece_at(t) {
            Some(p) => at.max(p.speech_start),
            None => at,
        }
    }

    /// Whether the recording has more than `gap` samples between the pieces that hold chunk
    /// times `a` and `b` (`a <= b`): the audio between was left out.
    pub fn gap_between(&self, a: usize, b: usize, gap: usize) -> bool {
        let (ia, ib) =
            (self.pieces.partition_point(|p| p.at <= a), self.pieces.partition_point(|p| p.at <= b));
        (ia.max(1)..ib).any(|i| {
            let (prev, next) = (&self.pieces[i - 1], &self.pieces[i]);
            next.start > prev.start + prev.len + gap
        })
    }
}

/// A chunk planned by [`Packer`], before its audio is gathered: its pieces as
/// (start, end, speech start) in recording samples, and its speech regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub pieces: Vec<(usize, usize, usize)>,
    pub speech: Vec<Region>,
}

/// Packs padded speech regions into chunks of at most `max_len` samples.
#[derive(Debug)]
pub struct Packer {
    max_len: usize,
    total: usize,
    /// The pieces of the chunk being filled: (start, end, speech start) in the recording.
    pieces: Vec<(usize, usize, usize)>,
    /// The speech regions of the chunk being filled, in the recording.
    speech: Vec<Region>,
}

impl Packer {
    /// `total`: the length of the recording, when known (pads never pass it).
    pub fn new(max_len: usize, total: Option<usize>) -> Packer {
        Packer { max_len, total: total.unwrap_or(usize::MAX), pieces: Vec::new(), speech: Vec::new() }
    }

    fn len(&self) -> usize {
        self.pieces.iter().map(|(s, e, _)| e - s).sum()
    }

    /// The first sample the chunk being filled needs.
    pub fn needs_from(&self) -> Option<usize> {
        self.pieces.first().map(|p| p.0)
    }

    /// Adds a region; returns the chunk it closes, when it does not fit in the one being
    /// filled.
    pub fn push(&mut self, r: Region) -> Option<Planned> {
        let floor = self.pieces.last().map_or(0, |p| p.1);
        let (mut start, end) = (r.start.saturating_sub(PAD).max(floor), (r.end + PAD).min(self.total));
        let mut closed = None;
        let joins = self.pieces.last().is_some_and(|p| start <= p.1);
        let added = if joins { end - floor } else { end - start };
        if !self.pieces.is_empty() && self.len() + added > self.max_len {
            closed = self.take();
            start = r.start.saturating_sub(PAD).max(floor);
        }
        match self.pieces.last_mut() {
            Some(p) if start <= p.1 => p.1 = end.max(p.1),
            _ => self.pieces.push((start, end.max(start), r.start.max(start))),
        }
        self.speech.push(r);
        closed
    }

    /// The chunk being filled, if any.
    pub fn take(&mut self) -> Option<Planned> {
        if self.pieces.is_empty() {
            return None;
        }
        Some(Planned { pieces: std::mem::take(&mut self.pieces), speech: std::mem::take(&mut self.speech) })
    }
}

/// Decodes the recording, finds its speech and hands out chunks in order.
pub struct ChunkSource<'a> {
    stream: &'a mut AudioStream,
    vad: Vad,
    segmenter: Segmenter,
    packer: Packer,
    /// Decoded audio not yet dropped, from sample `buf_start` of the recording.
    buf: Vec<f32>,
    buf_start: usize,
    /// Samples given to the VAD so far.
    scanned: usize,
    more: bool,
    ready: std::collections::VecDeque<Planned>,
    next_index: usize,
}

impl<'a> ChunkSource<'a> {
    pub fn new(
        stream: &'a mut AudioStream,
        vad: Vad,
        max_len: usize,
        total: Option<usize>,
    ) -> ChunkSource<'a> {
        ChunkSource {
            stream,
            vad,
            // A padded region must fit in a chunk.
            segmenter: Segmenter::new(max_len.saturating_sub(2 * PAD)),
            packer: Packer::new(max_len, total),
            buf: Vec::new(),
            buf_start: 0,
            scanned: 0,
            more: true,
            ready: Default::default(),
            next_index: 0,
        }
    }

    /// The next chunk, or `None` at the end of the audio.
    pub fn next_chunk(&mut self) -> Result<Option<Chunk>> {
        loop {
            if let Some(planned) = self.ready.pop_front() {
                return Ok(Some(self.build(planned)));
            }
            if !self.more {
                return Ok(None);
            }
            self.read_block()?;
        }
    }

    /// Decodes and scans the next block of audio.
    fn read_block(&mut self) -> Result<()> {
        let block = WINDOW * BLOCK_WINDOWS;
        let want = self.scanned - self.buf_start + block;
        self.more = self.stream.fill(&mut self.buf, want)?;
        let from = self.scanned - self.buf_start;
        let to = if self.more { (from + block).min(self.buf.len()) } else { self.buf.len() };
        let probs = self.vad.probabilities(&self.buf[from..to])?;
        self.scanned = self.buf_start + to;
        let mut regions = self.segmenter.push(&probs);
        if !self.more {
            regions.extend(self.segmenter.finish(self.scanned));
        }
        for r in regions {
            let r = Region { start: r.start, end: r.end.min(self.scanned) };
            if let Some(c) = self.packer.push(r) {
                self.ready.push_back(c);
            }
        }
        if !self.more {
            self.ready.extend(self.packer.take());
        }
        // Drop what neither a chunk to come nor a region still open can need.
        let keep = self.ready.front().map(|c| c.pieces[0].0).or(self.packer.needs_from());
        let undecided = self.segmenter.undecided_from().saturating_sub(PAD);
        let keep = keep.unwrap_or(undecided).min(undecided).min(self.scanned);
        if keep > self.buf_start {
            self.buf.drain(..keep - self.buf_start);
            self.buf_start = keep;
        }
        Ok(())
    }

    fn build(&mut self, Planned { pieces: ranges, speech }: Planned) -> Chunk {
        let mut pieces = Vec::with_capacity(ranges.len());
        let mut samples = Vec::with_capacity(ranges.iter().map(|r| r.1 - r.0).sum());
        for (start, end, speech_start) in ranges {
            let (a, b) =
                (start.max(self.buf_start) - self.buf_start, end.max(self.buf_start) - self.buf_start);
            let (a, b) = (a.min(self.buf.len()), b.min(self.buf.len()));
            pieces.push(Piece { at: samples.len(), start: self.buf_start + a, len: b - a, speech_start });
            samples.extend_from_slice(&self.buf[a..b]);
        }
        let speech = speech
            .iter()
            .filter_map(|r| {
                let p = pieces.iter().find(|p| r.start >= p.start && r.start < p.start + p.len)?;
                let at = p.at + (r.start - p.start);
                Some((at, at + (r.end.min(p.start + p.len) - r.start)))
            })
            .collect();
        let index = self.next_index;
        self.next_index += 1;
        Chunk { index, pieces, speech, samples }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(a: f32, b: f32) -> Region {
        Region { start: (a * RATE as f32) as usize, end: (b * RATE as f32) as usize }
    }

    fn chunk_of(ranges: &[(usize, usize, usize)]) -> Chunk {
        let mut at = 0;
        let pieces = ranges
            .iter()
            .map(|&(s, e, sp)| {
                let p = Piece { at, start: s, len: e - s, speech_start: sp };
                at += e - s;
                p
            })
            .collect();
        Chunk { index: 0, pieces, speech: Vec::new(), samples: vec![0.0; at] }
    }

    #[test]
    fn regions_are_padded_and_packed_into_chunks_that_never_pass_the_longest_length() {
        let mut packer = Packer::new(10 * RATE, None);
        assert!(packer.push(region(20.0, 23.0)).is_none());
        assert!(packer.push(region(23.3, 26.0)).is_none(), "a short pause joins the piece");
        assert!(packer.push(region(40.0, 43.0)).is_none());
        let Planned { pieces, speech } =
            packer.push(region(50.0, 53.0)).expect("the fourth region does not fit");
        assert_eq!(speech.len(), 3);
        assert_eq!(pieces.len(), 2, "{pieces:?}");
        assert_eq!(pieces[0], (20 * RATE - PAD, 26 * RATE + PAD, 20 * RATE));
        assert!(pieces.iter().map(|p| p.1 - p.0).sum::<usize>() <= 10 * RATE);
        assert_eq!(packer.take().unwrap().pieces.len(), 1);
        assert!(packer.take().is_none());
    }

    #[test]
    fn chunk_times_map_back_to_the_recording_and_starts_in_padding_snap_to_speech() {
        // Two pieces: 5.8–8.2 s (speech from 6.0 s) and 20.8–22.2 s (speech from 21.0 s).
        let s = |ms: usize| ms * RATE / 1000;
        let chunk = chunk_of(&[(s(5800), s(8200), s(6000)), (s(20800), s(22200), s(21000))]);
        assert_eq!(chunk.to_recording(0), s(5800));
        assert_eq!(chunk.to_recording(s(1000)), s(6800));
        assert_eq!(chunk.to_recording(s(2500)), s(20900), "0.1 s into the second piece");
        assert_eq!(chunk.to_recording(s(30000)), s(22200), "past the end: the end");
        assert_eq!(chunk.snap_start(0), s(6000), "the padding before speech");
        assert_eq!(chunk.snap_start(s(2400)), s(21000));
        assert_eq!(chunk.snap_start(s(1000)), s(6800), "inside speech: as it is");
        assert!(chunk.gap_between(s(1000), s(2500), RATE), "12.6 s were left out");
        assert!(!chunk.gap_between(s(500), s(1500), RATE));
        assert_eq!((chunk.start(), chunk.end()), (s(5800), s(22200)));
    }
}
