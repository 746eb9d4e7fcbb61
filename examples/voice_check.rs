//! Development check: prints the d-vectors of 1.6 s windows of a WAV file (16 kHz mono),
//! one line per window, for comparison with Resemblyzer's reference implementation.
use rapport::diarize::voice::{self, VoiceEncoder};
use rapport::media::AudioStream;

fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).expect("WAV");
    let mut stream = AudioStream::open(std::path::Path::new(&path), "in.wav")?;
    let mut samples = Vec::new();
    let mut target = 0;
    loop {
        target += 960_000;
        if !stream.fill(&mut samples, target)? {
            break;
        }
    }
    let enc = VoiceEncoder::open(&voice::path_in(&rapport::models::models_dir()))?;
    let mel = enc.mel(&samples, &[]);
    let starts: Vec<usize> = (0..mel.len().saturating_sub(160) + 1).step_by(80).collect();
    let t = std::time::Instant::now();
    let e = enc.embed(&mel, &starts, 2, &Default::default());
    eprintln!("{} windows in {:?}", e.len(), t.elapsed());
    for v in e {
        println!("{}", v.iter().map(|x| format!("{x:.5}")).collect::<Vec<_>>().join(" "));
    }
    Ok(())
}
