//! Development tool: diarizes mixed recordings with known turns and prints the DER of each.
//!
//! `cargo run --release --example diarize_eval -- DIR...`, each DIR holding `mix.wav` and
//! `ref.rttm` (as `scripts/bench_diarize.py` writes them). The clustering's settings may be
//! overridden for a sweep: `LAMBDA`, `CHANGE_LAMBDA`, `DIVERGENCE`, `SPEAKERS`. `ORACLE=1`
//! also prints the divergence between the reference speakers' frames, and between the two
//! halves of each speaker's turns (how far apart one voice is from itself).

use std::path::Path;

use rapport::diarize::cluster::ClusterOptions;
use rapport::diarize::der::{der, read_rttm, Labelled};
use rapport::diarize::features::{self, Stats};
use rapport::media::AudioStream;
use rapport::transcribe::vad::{Vad, VAD_FILE};

fn env(name: &str) -> Option<f64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn main() -> anyhow::Result<()> {
    let mut opts = ClusterOptions::default();
    opts.lambda = env("LAMBDA").unwrap_or(opts.lambda);
    opts.change_lambda = env("CHANGE_LAMBDA").unwrap_or(opts.change_lambda);
    opts.divergence = env("DIVERGENCE").unwrap_or(opts.divergence);
    opts.speakers = env("SPEAKERS").map(|n| n as usize);
    let mut vad = Vad::open(&rapport::models::models_dir().join(VAD_FILE))?;
    let voices = if std::env::var("NO_VOICES").is_ok() {
        None
    } else {
        Some(rapport::diarize::voice::VoiceEncoder::open(&rapport::diarize::voice::path_in(
            &rapport::models::models_dir(),
        ))?)
    };
    let mut total = (0i64, 0i64);
    for dir in std::env::args().skip(1) {
        let dir = Path::new(&dir);
        let wav = dir.join("mix.wav");
        let mut stream = AudioStream::open(&wav, "mix.wav")?;
        let mut samples = Vec::new();
        let mut target = 0;
        loop {
            target += 60 * features::RATE;
            if !stream.fill(&mut samples, target)? {
                break;
            }
        }
        let reference = read_rttm(&std::fs::read_to_string(dir.join("ref.rttm"))?, "ref.rttm")?;
        let t = std::time::Instant::now();
        let c = rapport::diarize::mixed(&samples, &mut vad, &opts, voices.as_ref(), &Default::default())?;
        let secs = t.elapsed().as_secs_f64();
        let hyp: Vec<Labelled> =
            c.turns.iter().map(|t| Labelled::new(t.start_ms, t.end_ms, &format!("s{}", t.speaker))).collect();
        let d = der(&reference, &hyp, 250);
        if let (Some(enc), true) = (&voices, std::env::var("VOICES").is_ok()) {
            // How the d-vectors of the speech split into two: silhouette and the centroids' cosine.
            use rapport::diarize::dvec;
            let regions = rapport::diarize::speech_regions(&mut vad, &samples)?;
            let w = dvec::windows(enc, &samples, &regions, 2, &Default::default());
            let (labels, centres) = dvec::kmeans(&w.emb, 2);
            let cos = if centres.len() == 2 {
                rapport::diarize::voice::cosine(&centres[0], &centres[1])
            } else {
                1.0
            };
            println!(
                "   d-vectors: {} windows, two clusters: silhouette {:.3}, centroids' cosine {:.3}",
                w.emb.len(),
                dvec::silhouette(&w.emb, &labels),
                cos
            );
        }
        if std::env::var("TURNS").is_ok() {
            for t in &c.turns {
                print!("s{} {:.2}-{:.2}  ", t.speaker, t.start_ms as f64 / 1000.0, t.end_ms as f64 / 1000.0);
            }
            println!();
        }
        let mut names: Vec<&str> = reference.iter().map(|r| r.label.as_str()).collect();
        names.sort();
        names.dedup();
        println!(
            "{:<10} ref {} found {} (merged {}) DER {:5.1}% miss {:.1}s fa {:.1}s conf {:.1}s  {:.2}s",
            dir.file_name().unwrap().to_string_lossy(),
            names.len(),
            c.stats.len(),
            c.merged_extra,
            d.der * 100.0,
            d.missed_ms as f64 / 1000.0,
            d.false_alarm_ms as f64 / 1000.0,
            d.confusion_ms as f64 / 1000.0,
            secs
        );
        total.0 += d.missed_ms + d.false_alarm_ms + d.confusion_ms;
        total.1 += d.total_ms;
        if std::env::var("ORACLE").is_ok() {
            let frames = features::mfcc(&samples);
            let of = |turns: &[&Labelled]| {
                let mut s = Stats::default();
                for t in turns {
                    let a = features::frames_in(t.start_ms).min(frames.len());
                    let b = features::frames_in(t.end_ms).min(frames.len());
                    frames[a..b].iter().for_each(|f| s.push(f));
                }
                s
            };
            let per: Vec<Stats> = names
                .iter()
                .map(|n| of(&reference.iter().filter(|r| r.label == *n).collect::<Vec<_>>()))
                .collect();
            for i in 0..names.len() {
                let mine: Vec<&Labelled> = reference.iter().filter(|r| r.label == names[i]).collect();
                let (odd, even): (Vec<(usize, &Labelled)>, Vec<_>) =
                    mine.iter().copied().enumerate().partition(|(k, _)| k % 2 == 1);
                let half =
                    |v: Vec<(usize, &Labelled)>| of(&v.into_iter().map(|(_, l)| l).collect::<Vec<_>>());
                print!("   {:<10} self {:.3} |", names[i], half(odd).divergence(&half(even)));
                for j in 0..names.len() {
                    print!(" {:.3}", per[i].divergence(&per[j]));
                }
                println!();
            }
        }
    }
    println!("overall DER {:.1}%", total.0 as f64 * 100.0 / total.1.max(1) as f64);
    Ok(())
}
