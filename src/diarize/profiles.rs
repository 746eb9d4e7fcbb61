//! Voices remembered: a profile per named speaker, and names suggested in a new session.
//!
//! Owns `voice_profiles` and `speaker_voices`. Diarization stores each speaker's voice (the
//! mean and variance of its MFCCs, with the frame count) in `speaker_voices`; remembering a
//! speaker saves that voice under the speaker's shown name (a profile already of that name
//! is averaged with it, weighted by frames). A voice also holds the speaker's mean d-vector
//! when the voice encoder is installed ([`super::voice`]). A session's speakers are compared
//! with every profile by the cosine distance of the d-vectors when both have one (suggested
//! under [`MATCH_COSINE`]), else by the symmetric Kullback–Leibler divergence of the two
//! diagonal Gaussians per coefficient (under [`MATCH_DISTANCE`]); each profile is suggested
//! for at most one speaker of a session, the closest pair first.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::features::{Stats, CEPS};
use crate::error::{Error, Result};
use crate::store;

/// The largest divergence (per coefficient) at which a profile is suggested, when one of the
/// two voices has no d-vector.
pub const MATCH_DISTANCE: f64 = 0.35;
/// The largest cosine distance (1 − similarity) of two d-vectors at which a profile is
/// suggested. A speaker's mean d-vector against the same voice elsewhere: 0.03–0.08 for
/// espeak-ng voices, 0.08–0.18 for a real reader's single utterances; two real voices
/// 0.12 (two callers on one telephone line) to 0.44.
pub const MATCH_COSINE: f64 = 0.2;

/// A voice: the Gaussian of its frames.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Voice {
    pub frames: f64,
    pub mean: Vec<f64>,
    pub var: Vec<f64>,
    /// The mean d-vector of the speaker's speech ([`super::voice`]), unit length; empty when
    /// the voice encoder was not installed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dvector: Vec<f32>,
}

impl Voice {
    pub fn of(s: &Stats) -> Voice {
        let n = s.n.max(1.0);
        let mean: Vec<f64> = (0..CEPS).map(|k| s.sum[k] / n).collect();
        let var = (0..CEPS).map(|k| (s.sq[k] / n - mean[k] * mean[k]).max(1e-3)).collect();
        Voice { frames: s.n, mean, var, dvector: Vec::new() }
    }

    /// How far this voice is from `other`, and the cut-off under which that is near enough to
    /// suggest its name: the cosine distance of the d-vectors when both have one (under
    /// [`MATCH_COSINE`]), else the divergence of the MFCC Gaussians (under [`MATCH_DISTANCE`]).
    pub fn closeness(&self, other: &Voice) -> (f64, f64) {
        if !self.dvector.is_empty() && self.dvector.len() == other.dvector.len() {
            (1.0 - super::voice::cosine(&self.dvector, &other.dvector) as f64, MATCH_COSINE)
        } else {
            (self.distance(other), MATCH_DISTANCE)
        }
    }

    /// The symmetric KL divergence to `other`, averaged over the coefficients.
    pub fn distance(&self, other: &Voice) -> f64 {
        let k = self.mean.len().min(other.mean.len()).max(1);
        (0..k)
            .map(|i| {
                let (m1, v1, m2, v2) = (self.mean[i], self.var[i], other.mean[i], other.var[i]);
                let d = (m1 - m2) * (m1 - m2);
                0.25 * (v1 / v2 + v2 / v1 - 2.0 + d * (1.0 / v1 + 1.0 / v2))
            })
            .sum::<f64>()
            / k as f64
    }

    /// The voice of both together (weighted by frames).
    fn join(&self, other: &Voice) -> Voice {
        let (a, b) = (self.frames.max(1.0), other.frames.max(1.0));
        let n = a + b;
        let mut mean = Vec::new();
        let mut var = Vec::new();
        for i in 0..self.mean.len() {
            let m = (a * self.mean[i] + b * other.mean[i]) / n;
            let second =
                (a * (self.var[i] + self.mean[i].powi(2)) + b * (other.var[i] + other.mean[i].powi(2))) / n;
            mean.push(m);
            var.push((second - m * m).max(1e-3));
        }
        // The d-vectors by the same weights, back to unit length; one side's alone when the
        // other has none.
        let dvector = match (self.dvector.is_empty(), other.dvector.is_empty()) {
            (false, false) if self.dvector.len() == other.dvector.len() => {
                let mut v: Vec<f32> = self
                    .dvector
                    .iter()
                    .zip(&other.dvector)
                    .map(|(x, y)| ((a * *x as f64 + b * *y as f64) / n) as f32)
                    .collect();
                super::voice::normalise(&mut v);
                v
            }
            (true, _) => other.dvector.clone(),
            _ => self.dvector.clone(),
        };
        Voice { frames: self.frames + other.frames, mean, var, dvector }
    }
}

/// A remembered voice.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct VoiceProfile {
    pub id: i64,
    pub name: String,
    pub person_id: Option<i64>,
    /// Sessions whose speaker was saved into it.
    pub sessions: i64,
    /// Seconds of speech it was made from.
    pub speech_secs: f64,
    pub updated_at: String,
}

/// A name suggested for a speaker of a session.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct VoiceSuggestion {
    pub speaker_id: i64,
    pub speaker_label: String,
    pub profile_id: i64,
    pub name: String,
    /// The distance to the profile (lower is closer): the d-vectors' cosine distance when both
    /// have one (suggested under [`MATCH_COSINE`]), else the divergence (under [`MATCH_DISTANCE`]).
    pub distance: f64,
}

fn voice_json(v: &Voice) -> String {
    serde_json::to_string(v).expect("a voice serialises")
}

fn parse_voice(json: &str, what: &str) -> Result<Voice> {
    serde_json::from_str(json)
        .map_err(|e| Error::Integrity(format!("{what}: the stored voice is not valid: {e}")))
}

/// Stores the voices of a session's speakers (by speaker id), replacing those stored before.
pub(crate) fn store_voices(conn: &Connection, voices: &[(i64, Voice, Option<&str>)]) -> Result<()> {
    for (speaker_id, voice, role) in voices {
        conn.execute(
            "INSERT INTO speaker_voices (speaker_id, voice, role, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(speaker_id) DO UPDATE SET voice = excluded.voice, role = excluded.role, updated_at = excluded.updated_at",
            params![speaker_id, voice_json(voice), role, store::now()],
        )?;
    }
    Ok(())
}

/// The role diarization gave a speaker (`interviewer`, `participant`), if any.
pub fn role(conn: &Connection, speaker_id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT role FROM speaker_voices WHERE speaker_id = ?1", [speaker_id], |r| r.get(0))
        .optional()?
        .flatten())
}

/// True when diarization heard the speaker (stored a voice for them).
pub fn has_voice(conn: &Connection, speaker_id: i64) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM speaker_voices WHERE speaker_id = ?1", [speaker_id], |_| Ok(()))
        .optional()?
        .is_some())
}

fn profile_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(VoiceProfile, String)> {
    let voice: String = r.get(6)?;
    let frames: f64 = serde_json::from_str::<Voice>(&voice).map(|v| v.frames).unwrap_or(0.0);
    Ok((
        VoiceProfile {
            id: r.get(0)?,
            name: r.get(1)?,
            person_id: r.get(2)?,
            sessions: r.get(3)?,
            speech_secs: frames / 100.0,
            updated_at: r.get(4)?,
        },
        voice,
    ))
}

const PROFILE_SQL: &str = "SELECT id, name, person_id, sessions, updated_at, 0, voice FROM voice_profiles";

/// Every voice profile, by name.
pub fn list(conn: &Connection) -> Result<Vec<VoiceProfile>> {
    let mut stmt = conn.prepare(&format!("{PROFILE_SQL} ORDER BY name COLLATE NOCASE"))?;
    let rows = stmt.query_map([], profile_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows.into_iter().map(|(p, _)| p).collect())
}

/// Saves the voice of the session's speaker `key` (label or shown name) as the profile named
/// by its shown name (or `name`), averaged into a profile of that name that exists.
pub fn remember(conn: &Connection, session_id: i64, key: &str, name: Option<&str>) -> Result<VoiceProfile> {
    let speaker_id = crate::transcript::speakers::resolve_speaker(conn, session_id, key)?;
    let view = crate::transcript::speakers::speaker(conn, speaker_id)?;
    let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(&view.name).to_string();
    let json: String = conn
        .query_row("SELECT voice FROM speaker_voices WHERE speaker_id = ?1", [speaker_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| {
            Error::invalid(
                "speaker",
                format!("{key:?} of session {session_id} has no voice yet: run `rapport diarize {session_id}` first"),
            )
        })?;
    let voice = parse_voice(&json, "speaker")?;
    let person: Option<i64> =
        conn.query_row("SELECT person_id FROM speakers WHERE id = ?1", [speaker_id], |r| r.get(0))?;
    let existing: Option<(i64, String)> = conn
        .query_row("SELECT id, voice FROM voice_profiles WHERE name = ?1 COLLATE NOCASE", [&name], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let id = match existing {
        Some((id, old)) => {
            let joined = parse_voice(&old, &name)?.join(&voice);
            conn.execute(
                "UPDATE voice_profiles SET voice = ?2, sessions = sessions + 1, person_id = coalesce(person_id, ?3), updated_at = ?4 WHERE id = ?1",
                params![id, voice_json(&joined), person, store::now()],
            )?;
            id
        }
        None => {
            conn.execute(
                "INSERT INTO voice_profiles (name, person_id, voice, sessions, updated_at) VALUES (?1, ?2, ?3, 1, ?4)",
                params![name, person, voice_json(&voice), store::now()],
            )?;
            conn.last_insert_rowid()
        }
    };
    get(conn, id)
}

/// One profile by id.
pub fn get(conn: &Connection, id: i64) -> Result<VoiceProfile> {
    conn.query_row(&format!("{PROFILE_SQL} WHERE id = ?1"), [id], profile_row)
        .optional()?
        .map(|(p, _)| p)
        .ok_or_else(|| Error::not_found("voice profile", id))
}

/// Deletes the profile named `name` (ignoring case).
pub fn forget(conn: &Connection, name: &str) -> Result<()> {
    let n = conn.execute("DELETE FROM voice_profiles WHERE name = ?1 COLLATE NOCASE", [name.trim()])?;
    if n == 0 {
        return Err(Error::not_found("voice profile", name));
    }
    Ok(())
}

/// Names suggested for the session's speakers by the nearest remembered voice.
pub fn suggestions(conn: &Connection, session_id: i64) -> Result<Vec<VoiceSuggestion>> {
    let mut stmt = conn.prepare(
        "SELECT sp.id, sp.label, v.voice FROM speaker_voices v JOIN speakers sp ON sp.id = v.speaker_id
         WHERE sp.session_id = ?1",
    )?;
    let speakers = stmt
        .query_map([session_id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = conn.prepare(PROFILE_SQL)?;
    let profiles = stmt.query_map([], profile_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut pairs = Vec::new();
    for (sid, label, json) in &speakers {
        let v = parse_voice(json, label)?;
        for (p, pjson) in &profiles {
            let (d, cut_off) = v.closeness(&parse_voice(pjson, &p.name)?);
            if d <= cut_off {
                // Ranked by the distance over its own cut-off: a cosine distance and a
                // divergence are not on one scale.
                pairs.push((d / cut_off, d, *sid, label.clone(), p.id, p.name.clone()));
            }
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<VoiceSuggestion> = Vec::new();
    for (_, d, sid, label, pid, name) in pairs {
        if out.iter().any(|s| s.speaker_id == sid || s.profile_id == pid) {
            continue;
        }
        out.push(VoiceSuggestion {
            speaker_id: sid,
            speaker_label: label,
            profile_id: pid,
            name,
            distance: d,
        });
    }
    Ok(out)
}

/// Deletes the voice profiles linked to `person_id` (a forget). Returns how many went.
pub fn forget_person(conn: &Connection, person_id: i64) -> Result<i64> {
    Ok(conn.execute("DELETE FROM voice_profiles WHERE person_id = ?1", [person_id])? as i64)
}
