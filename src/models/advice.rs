//! Which model to use for interviews on this machine: the sizes people use (base.en,
//! small.en, medium.en, large-v3-turbo, and tiny.en for tests) with their quantised forms,
//! what each costs to run, and a recommendation from the machine's cores and memory.
//!
//! The expected speed is an estimate, not a measurement on the user's machine: tiny.en q8_0
//! transcribes [`TINY_X_PER_CORE`] times faster than real time per core (measured with
//! `scripts/bench transcribe` on a 2-core AMD EPYC), scaled by the cores whisper uses (at most
//! 8) and divided by each size's cost relative to tiny (whisper.cpp's CPU time is mostly the
//! encoder, which grows with its parameters: tiny 8 M, base 20 M, small 88 M, medium 305 M,
//! large 635 M; large-v3-turbo keeps large's encoder and a 4-layer decoder).

use serde::Serialize;
use ts_rs::TS;

/// Real-time factor of tiny.en q8_0 per core (audio seconds per second of one core).
pub const TINY_X_PER_CORE: f64 = 12.0;

/// The slowest a recommended model may be: an hour of interview in at most half an hour.
pub const MIN_SPEED_X: f64 = 2.0;

/// A model size for interviews.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Family {
    /// The f16 model's name, e.g. `small.en`.
    pub name: &'static str,
    /// The quantised forms whisper.cpp publishes, smallest first (`small.en-q5_1`, …).
    pub quantised: &'static [&'static str],
    /// Compute per second of audio, relative to tiny.
    pub cost: f64,
    /// What it is good for.
    pub note: &'static str,
}

/// The sizes, smallest first.
pub const FAMILIES: &[Family] = &[
    Family {
        name: "tiny.en",
        quantised: &["tiny.en-q5_1"],
        cost: 1.0,
        note: "for tests and slow machines: fast, but many errors on real conversations",
    },
    Family {
        name: "base.en",
        quantised: &["base.en-q5_1"],
        cost: 2.3,
        note: "a quick first pass; misses names and quiet speech",
    },
    Family {
        name: "small.en",
        quantised: &["small.en-q5_1"],
        cost: 9.0,
        note: "good for most interviews in English",
    },
    Family {
        name: "medium.en",
        quantised: &["medium.en-q5_0"],
        cost: 30.0,
        note: "close to the best in English; needs a fast machine",
    },
    Family {
        name: "large-v3-turbo",
        quantised: &["large-v3-turbo-q5_0", "large-v3-turbo-q8_0"],
        cost: 55.0,
        note: "the best, in any language; slow without many cores",
    },
];

/// The size a model name belongs to (`small.en-q5_1` → small.en).
pub fn family_of(name: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.name == name || f.quantised.contains(&name))
}

/// Times faster than real time `name` is expected to run with `cores` cores (see the module
/// documentation); `None` for a model of unknown size.
pub fn expected_speed(name: &str, cores: usize) -> Option<f64> {
    let f = family_of(name)?;
    // Quantised weights are read faster; q5 needs more arithmetic to unpack than q8_0.
    let q = if name.contains("-q") { 1.0 } else { 0.8 };
    Some(TINY_X_PER_CORE * cores.clamp(1, 8) as f64 * q / f.cost)
}

/// Memory (MiB) a model of `file_mib` needs to transcribe with two chunks at once: the weights,
/// and per chunk a whisper state that grows with the model (measured: 40 MB for tiny).
pub fn memory_needed_mib(file_mib: u32, family: &Family) -> u64 {
    file_mib as u64 + 2 * (40.0 * family.cost.sqrt() * 1.5) as u64 + 100
}

/// The model to use for interviews on a machine with `cores` cores and `memory_mib` of
/// memory, and why.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Recommendation {
    /// The model name `rapport models download` takes.
    pub name: String,
    pub why: String,
    /// Expected times faster than real time on this machine.
    pub speed_x: f64,
    pub cores: u32,
    pub memory_mib: u64,
}

/// The largest size that runs at least [`MIN_SPEED_X`] times faster than real time and whose
/// smallest quantised form needs at most a quarter of the memory; tiny.en when none does.
pub fn recommend(cores: usize, memory_mib: u64) -> Recommendation {
    let mut pick = None;
    for f in FAMILIES {
        let name = f.quantised[0];
        let mib = super::catalog_entry(name).and_then(|e| e.approx_mib).unwrap_or(u32::MAX / 2);
        let speed = expected_speed(name, cores).unwrap_or(0.0);
        if speed >= MIN_SPEED_X && memory_needed_mib(mib, f) <= memory_mib / 4 {
            pick = Some((f, name, speed));
        }
    }
    let (family, name, speed) = pick.unwrap_or((&FAMILIES[0], FAMILIES[0].quantised[0], 0.0));
    let speed = if speed > 0.0 { speed } else { expected_speed(name, cores).unwrap_or(0.0) };
    let why = format!(
        "{} on {cores} cores and {:.0} GiB of memory: about {speed:.0}× real time (an hour of audio in about {} min); {}",
        family.name,
        memory_mib as f64 / 1024.0,
        (60.0 / speed.max(0.01)).ceil() as u64,
        family.note
    );
    Recommendation { name: name.to_string(), why, speed_x: speed, cores: cores as u32, memory_mib }
}

/// The machine's cores and memory (MiB): what [`recommend`] is given.
pub fn this_machine() -> (usize, u64) {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    (cores, total_memory_mib().unwrap_or(4096))
}

/// Total memory from /proc/meminfo (Linux), `sysctl hw.memsize` (macOS).
fn total_memory_mib() -> Option<u64> {
    if let Ok(info) = std::fs::read_to_string("/proc/meminfo") {
        let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        return Some(kib / 1024);
    }
    let out = std::process::Command::new("sysctl").args(["-n", "hw.memsize"]).output().ok()?;
    let bytes: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    Some(bytes / (1024 * 1024))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_size_for_interviews_and_its_quantised_forms_are_in_the_catalog_with_a_size() {
        for f in FAMILIES {
            for name in std::iter::once(&f.name).chain(f.quantised) {
                let e = super::super::catalog_entry(name).unwrap_or_else(|| panic!("{name} in the catalog"));
                assert!(e.approx_mib.is_some(), "{name} has a download size");
            }
        }
    }

    #[test]
    fn more_cores_and_memory_recommend_a_larger_model_and_a_small_machine_a_small_one() {
        assert_eq!(recommend(2, 4096).name, "small.en-q5_1");
        assert_eq!(recommend(2, 2048).name, "base.en-q5_1", "small needs more than a quarter of 2 GiB");
        assert_eq!(recommend(4, 16 * 1024).name, "small.en-q5_1", "medium would be slower than 2x");
        assert_eq!(recommend(8, 32 * 1024).name, "medium.en-q5_0");
        assert_eq!(recommend(64, 256 * 1024).name, "medium.en-q5_0", "cores past 8 do not count");
        assert_eq!(recommend(1, 1024).name, "tiny.en-q5_1", "nothing else fits in a quarter of 1 GiB");
        let r = recommend(4, 16 * 1024);
        assert!(r.why.contains("small.en") && r.speed_x >= MIN_SPEED_X, "{r:?}");
    }

    #[test]
    fn expected_speed_grows_with_cores_up_to_eight_and_falls_with_the_model_size() {
        let s = |n, c| expected_speed(n, c).unwrap();
        assert!(s("small.en-q5_1", 4) > s("small.en-q5_1", 2));
        assert_eq!(s("small.en-q5_1", 8), s("small.en-q5_1", 32));
        assert!(s("base.en", 4) > s("small.en", 4) && s("small.en", 4) > s("medium.en", 4));
        assert_eq!(expected_speed("my-own-model", 4), None);
    }
}
