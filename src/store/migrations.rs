//! The append-only list of schema migrations. Never edit a released migration: add one.
//!
//! The schema version lives in SQLite's `user_version` (managed by `rusqlite_migration`).

use rusqlite_migration::{Migrations, M};

/// Migration 1: every noun of the product (see DESIGN.md).
const V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE studies (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    goal       TEXT,
    started_at TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE guides (
    id         INTEGER PRIMARY KEY,
    study_id   INTEGER REFERENCES studies(id) ON DELETE SET NULL,
    title      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX guides_study ON guides(study_id);

CREATE TABLE guide_versions (
    id         INTEGER PRIMARY KEY,
    guide_id   INTEGER NOT NULL REFERENCES guides(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    source     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (guide_id, version)
);

CREATE TABLE guide_questions (
    id               INTEGER PRIMARY KEY,
    guide_version_id INTEGER NOT NULL REFERENCES guide_versions(id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    section          TEXT NOT NULL,
    text             TEXT NOT NULL,
    probes           TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX guide_questions_version ON guide_questions(guide_version_id, position);

CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name       TEXT NOT NULL,
    team       TEXT,
    role       TEXT,
    location   TEXT,
    started_at TEXT,
    attributes TEXT NOT NULL DEFAULT '{}',
    status     TEXT NOT NULL DEFAULT 'new',
    consent    INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER REFERENCES people(id) ON DELETE CASCADE,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    action      TEXT NOT NULL,
    resource    TEXT,
    service     TEXT,
    environment TEXT,
    outcome     TEXT,
    source      TEXT
);
CREATE INDEX audit_events_person ON audit_events(person_id, at);

CREATE TABLE activity (
    person_id   INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    events      INTEGER NOT NULL,
    first_seen  TEXT,
    last_seen   TEXT,
    active_days INTEGER NOT NULL,
    by_action   TEXT NOT NULL DEFAULT '{}',
    by_resource TEXT NOT NULL DEFAULT '{}',
    by_service  TEXT NOT NULL DEFAULT '{}',
    updated_at  TEXT NOT NULL
);

CREATE TABLE outreach (
    id        INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    study_id  INTEGER REFERENCES studies(id) ON DELETE SET NULL,
    channel   TEXT NOT NULL CHECK (channel IN ('slack', 'email', 'word-of-mouth', 'other')),
    status    TEXT NOT NULL CHECK (status IN ('contacted', 'followed-up', 'scheduled', 'declined', 'no-response', 'done')),
    at        TEXT NOT NULL,
    note      TEXT
);
CREATE INDEX outreach_person ON outreach(person_id, at);

CREATE TABLE sessions (
    id               INTEGER PRIMARY KEY,
    study_id         INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    person_id        INTEGER REFERENCES people(id) ON DELETE SET NULL,
    guide_version_id INTEGER REFERENCES guide_versions(id) ON DELETE SET NULL,
    at               TEXT NOT NULL,
    title            TEXT,
    created_at       TEXT NOT NULL
);
CREATE INDEX sessions_study ON sessions(study_id, at);
CREATE INDEX sessions_person ON sessions(person_id);

CREATE TABLE notes (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    at_ms      INTEGER NOT NULL,
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX notes_session ON notes(session_id, at_ms);

CREATE TABLE media_files (
    sha256   TEXT PRIMARY KEY,
    size     INTEGER NOT NULL,
    ext      TEXT NOT NULL,
    added_at TEXT NOT NULL
);

CREATE TABLE recordings (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    sha256      TEXT NOT NULL REFERENCES media_files(sha256),
    file_name   TEXT NOT NULL,
    container   TEXT,
    codec       TEXT,
    channels    INTEGER,
    sample_rate INTEGER,
    duration_ms INTEGER,
    added_at    TEXT NOT NULL
);
CREATE INDEX recordings_session ON recordings(session_id);

CREATE TABLE transcripts (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL UNIQUE REFERENCES sessions(id) ON DELETE CASCADE,
    recording_id INTEGER REFERENCES recordings(id) ON DELETE SET NULL,
    source       TEXT NOT NULL,
    language     TEXT,
    model        TEXT,
    created_at   TEXT NOT NULL
);

CREATE TABLE speakers (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    label      TEXT NOT NULL,
    name       TEXT,
    person_id  INTEGER REFERENCES people(id) ON DELETE SET NULL,
    UNIQUE (session_id, label)
);

CREATE TABLE segments (
    id            INTEGER PRIMARY KEY,
    transcript_id INTEGER NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    start_ms      INTEGER NOT NULL,
    end_ms        INTEGER NOT NULL,
    speaker_id    INTEGER REFERENCES speakers(id) ON DELETE SET NULL,
    text          TEXT NOT NULL,
    words         TEXT,
    CHECK (end_ms >= start_ms)
);
CREATE INDEX segments_transcript ON segments(transcript_id, start_ms);

CREATE TABLE segment_edits (
    id         INTEGER PRIMARY KEY,
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    old_text   TEXT NOT NULL,
    new_text   TEXT NOT NULL,
    at         TEXT NOT NULL
);

CREATE TABLE tags (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES tags(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    path        TEXT NOT NULL UNIQUE,
    description TEXT
);

CREATE TABLE highlights (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    note_id    INTEGER REFERENCES notes(id) ON DELETE CASCADE,
    start_ms   INTEGER NOT NULL,
    end_ms     INTEGER NOT NULL,
    text       TEXT NOT NULL,
    comment    TEXT,
    created_at TEXT NOT NULL,
    CHECK (end_ms >= start_ms)
);
CREATE INDEX highlights_session ON highlights(session_id, start_ms);

CREATE TABLE highlight_tags (
    highlight_id INTEGER NOT NULL REFERENCES highlights(id) ON DELETE CASCADE,
    tag_id       INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (highlight_id, tag_id)
);

CREATE TABLE findings (
    id         INTEGER PRIMARY KEY,
    study_id   INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    body       TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE finding_evidence (
    finding_id   INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    highlight_id INTEGER NOT NULL REFERENCES highlights(id) ON DELETE CASCADE,
    PRIMARY KEY (finding_id, highlight_id)
);

CREATE TABLE finding_links (
    id         INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('service', 'metric', 'nps')),
    value      TEXT NOT NULL,
    UNIQUE (finding_id, kind, value)
);

CREATE TABLE deploy_events (
    id          INTEGER PRIMARY KEY,
    external_id TEXT UNIQUE,
    service     TEXT NOT NULL,
    environment TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    outcome     TEXT NOT NULL CHECK (outcome IN ('success', 'failed', 'rolled_back')),
    commit_at   TEXT,
    lead_time_s INTEGER,
    version     TEXT
);
CREATE INDEX deploy_events_service ON deploy_events(service, started_at);

CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY,
    external_id TEXT UNIQUE,
    service     TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    resolved_at TEXT,
    severity    TEXT,
    deploy_id   INTEGER REFERENCES deploy_events(id) ON DELETE SET NULL,
    title       TEXT
);

CREATE TABLE metric_series (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    source    TEXT NOT NULL,
    url       TEXT,
    query     TEXT,
    step_s    INTEGER,
    labels    TEXT NOT NULL DEFAULT '{}',
    pulled_at TEXT
);

CREATE TABLE metric_points (
    series_id INTEGER NOT NULL REFERENCES metric_series(id) ON DELETE CASCADE,
    at_ms     INTEGER NOT NULL,
    value     REAL NOT NULL,
    PRIMARY KEY (series_id, at_ms)
) WITHOUT ROWID;

CREATE TABLE releases (
    id      INTEGER PRIMARY KEY,
    service TEXT NOT NULL,
    at      TEXT NOT NULL,
    title   TEXT NOT NULL
);

CREATE TABLE release_findings (
    release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    PRIMARY KEY (release_id, finding_id)
);

CREATE TABLE nps_responses (
    id           INTEGER PRIMARY KEY,
    respondent   TEXT,
    email        TEXT,
    person_id    INTEGER REFERENCES people(id) ON DELETE SET NULL,
    score        INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    comment      TEXT,
    submitted_at TEXT NOT NULL,
    segments     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX nps_responses_time ON nps_responses(submitted_at);

CREATE TABLE feedback_items (
    id           INTEGER PRIMARY KEY,
    external_id  TEXT UNIQUE,
    source       TEXT,
    submitted_at TEXT,
    email        TEXT,
    person_id    INTEGER REFERENCES people(id) ON DELETE SET NULL,
    text         TEXT NOT NULL
);
"#;

/// Migration 2: the change log the search index catches up from. Triggers record every
/// change to searchable text (and to what a search document shows: speakers, tags, people,
/// studies); `seq` is the store's change counter that the index keeps in its commit.
const V2: &str = r#"
CREATE TABLE search_changes (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    kind   TEXT NOT NULL,
    ref_id INTEGER NOT NULL
);

CREATE TRIGGER search_segments_ins AFTER INSERT ON segments BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('segment', NEW.id); END;
CREATE TRIGGER search_segments_upd AFTER UPDATE ON segments BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('segment', NEW.id); END;
CREATE TRIGGER search_segments_del AFTER DELETE ON segments BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('segment', OLD.id); END;

CREATE TRIGGER search_notes_ins AFTER INSERT ON notes BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('note', NEW.id); END;
CREATE TRIGGER search_notes_upd AFTER UPDATE ON notes BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('note', NEW.id); END;
CREATE TRIGGER search_notes_del AFTER DELETE ON notes BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('note', OLD.id); END;

CREATE TRIGGER search_highlights_ins AFTER INSERT ON highlights BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('session', NEW.session_id); END;
CREATE TRIGGER search_highlights_upd AFTER UPDATE ON highlights BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('session', NEW.session_id); END;
CREATE TRIGGER search_highlights_del AFTER DELETE ON highlights BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('session', OLD.session_id); END;

CREATE TRIGGER search_highlight_tags_ins AFTER INSERT ON highlight_tags BEGIN
    INSERT INTO search_changes (kind, ref_id)
    SELECT 'session', session_id FROM highlights WHERE id = NEW.highlight_id; END;
CREATE TRIGGER search_highlight_tags_del AFTER DELETE ON highlight_tags BEGIN
    INSERT INTO search_changes (kind, ref_id)
    SELECT 'session', session_id FROM highlights WHERE id = OLD.highlight_id; END;

CREATE TRIGGER search_findings_ins AFTER INSERT ON findings BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('finding', NEW.id); END;
CREATE TRIGGER search_findings_upd AFTER UPDATE ON findings BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('finding', NEW.id); END;
CREATE TRIGGER search_findings_del AFTER DELETE ON findings BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('finding', OLD.id); END;

CREATE TRIGGER search_nps_ins AFTER INSERT ON nps_responses BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('nps', NEW.id); END;
CREATE TRIGGER search_nps_upd AFTER UPDATE ON nps_responses BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('nps', NEW.id); END;
CREATE TRIGGER search_nps_del AFTER DELETE ON nps_responses BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('nps', OLD.id); END;

CREATE TRIGGER search_feedback_ins AFTER INSERT ON feedback_items BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('feedback', NEW.id); END;
CREATE TRIGGER search_feedback_upd AFTER UPDATE ON feedback_items BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('feedback', NEW.id); END;
CREATE TRIGGER search_feedback_del AFTER DELETE ON feedback_items BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('feedback', OLD.id); END;

CREATE TRIGGER search_speakers_upd AFTER UPDATE ON speakers BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('session', NEW.session_id); END;
CREATE TRIGGER search_sessions_upd AFTER UPDATE ON sessions BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('session', NEW.id); END;
CREATE TRIGGER search_sessions_del AFTER DELETE ON sessions BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('session', OLD.id); END;
CREATE TRIGGER search_transcripts_del AFTER DELETE ON transcripts BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('session', OLD.session_id); END;

CREATE TRIGGER search_studies_upd AFTER UPDATE OF name ON studies BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('all', NEW.id); END;
CREATE TRIGGER search_people_upd AFTER UPDATE OF name, email, team, role ON people BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('all', NEW.id); END;
CREATE TRIGGER search_tags_upd AFTER UPDATE OF path ON tags BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('all', NEW.id); END;

CREATE TABLE saved_searches (
    id         INTEGER PRIMARY KEY,
    study_id   INTEGER REFERENCES studies(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (study_id, name)
);
"#;

/// Migration 3: studies can be archived (hidden from the active list, kept whole).
const V3: &str = r#"
ALTER TABLE studies ADD COLUMN archived_at TEXT;
"#;

/// Migration 4 (recruit): people's contact status and manager; audit events keep their
/// namespace, object name, response code and a dedup key; activity keeps namespaces, weeks,
/// tier and observed role; participations are the invitations, consents and incentives of
/// the people recruited into a study.
const RECRUIT: &str = r#"
ALTER TABLE people ADD COLUMN contact_status TEXT NOT NULL DEFAULT 'free'
    CHECK (contact_status IN ('free', 'opted-out', 'do-not-contact', 'blocklist'));
ALTER TABLE people ADD COLUMN manager TEXT;

ALTER TABLE audit_events ADD COLUMN namespace TEXT;
ALTER TABLE audit_events ADD COLUMN object_name TEXT;
ALTER TABLE audit_events ADD COLUMN code INTEGER;
ALTER TABLE audit_events ADD COLUMN event_key TEXT;
CREATE UNIQUE INDEX audit_events_key ON audit_events(event_key);
CREATE INDEX audit_events_actor ON audit_events(actor);

ALTER TABLE activity ADD COLUMN by_namespace TEXT NOT NULL DEFAULT '{}';
ALTER TABLE activity ADD COLUMN by_week TEXT NOT NULL DEFAULT '{}';
ALTER TABLE activity ADD COLUMN active_days_90 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE activity ADD COLUMN tier TEXT;
ALTER TABLE activity ADD COLUMN observed_role TEXT;
ALTER TABLE activity ADD COLUMN role_why TEXT NOT NULL DEFAULT '[]';

ALTER TABLE outreach ADD COLUMN participation_id INTEGER REFERENCES participations(id) ON DELETE SET NULL;

CREATE TABLE participations (
    id                 INTEGER PRIMARY KEY,
    person_id          INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    study_id           INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    status             TEXT NOT NULL DEFAULT 'invited'
        CHECK (status IN ('invited', 'scheduled', 'attended', 'no-show', 'declined', 'cancelled')),
    invited_at         TEXT NOT NULL,
    strata             TEXT NOT NULL DEFAULT '{}',
    why                TEXT,
    scheduled_at       TEXT,
    duration_min       INTEGER NOT NULL DEFAULT 45,
    ics_uid            TEXT NOT NULL,
    ics_sequence       INTEGER NOT NULL DEFAULT 0,
    consent_form       TEXT,
    consent_signed_at  TEXT,
    incentive_amount   REAL,
    incentive_currency TEXT,
    incentive_paid_at  TEXT,
    UNIQUE (person_id, study_id)
);
CREATE INDEX participations_person ON participations(person_id, invited_at);
"#;

/// Migration 5 (guides): guides, run mode and study notes: a question's kind, interviewer note and time budget;
/// which questions a session has checked off (and when, in session time); a study's notes page.
const GUIDE_RUN_NOTES: &str = r#"
ALTER TABLE guide_questions ADD COLUMN kind TEXT NOT NULL DEFAULT 'open';
ALTER TABLE guide_questions ADD COLUMN note TEXT;
ALTER TABLE guide_questions ADD COLUMN minutes INTEGER;

CREATE TABLE question_checks (
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES guide_questions(id) ON DELETE CASCADE,
    at_ms       INTEGER NOT NULL,
    PRIMARY KEY (session_id, question_id)
);

CREATE TABLE study_notes (
    study_id   INTEGER PRIMARY KEY REFERENCES studies(id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"#;

/// Migration 6 (synthesis): a tag's colour (`#rrggbb`), and a finding's status (draft,
/// reviewed, shared, acted on), severity and confidence.
const SYNTHESIS: &str = r#"
ALTER TABLE tags ADD COLUMN color TEXT;
ALTER TABLE findings ADD COLUMN status TEXT NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'reviewed', 'shared', 'acted_on'));
ALTER TABLE findings ADD COLUMN severity TEXT CHECK (severity IN ('low', 'medium', 'high', 'critical'));
ALTER TABLE findings ADD COLUMN confidence TEXT CHECK (confidence IN ('low', 'medium', 'high'));
"#;

/// Migration 7: deploy insights. The service catalog (Backstage entities or a CSV), the gates
/// each deploy passed through and why a deploy was rolled back, tags on NPS responses, and
/// metric series keyed by name *and* label set (a PromQL query returns one series per label
/// set); `metric_series`/`metric_points` were never written before this, so they are made
/// again with that key.
const DEPLOY_INSIGHTS: &str = r#"
CREATE TABLE catalog_entities (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('component', 'system', 'group', 'user')),
    namespace   TEXT NOT NULL DEFAULT 'default',
    name        TEXT NOT NULL,
    title       TEXT,
    description TEXT,
    spec_type   TEXT,
    owner       TEXT,
    system      TEXT,
    lifecycle   TEXT,
    tier        TEXT,
    parent      TEXT,
    members     TEXT NOT NULL DEFAULT '[]',
    email       TEXT,
    annotations TEXT NOT NULL DEFAULT '{}',
    source      TEXT NOT NULL,
    UNIQUE (kind, namespace, name)
);

ALTER TABLE deploy_events ADD COLUMN rollback_reason TEXT;

CREATE TABLE deploy_gates (
    id        INTEGER PRIMARY KEY,
    deploy_id INTEGER NOT NULL REFERENCES deploy_events(id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    result    TEXT NOT NULL CHECK (result IN ('passed', 'blocked', 'overridden')),
    by        TEXT,
    reason    TEXT
);
CREATE INDEX deploy_gates_deploy ON deploy_gates(deploy_id);
CREATE INDEX incidents_service ON incidents(service, started_at);

ALTER TABLE nps_responses ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';

DROP TABLE metric_points;
DROP TABLE metric_series;
CREATE TABLE metric_series (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    source    TEXT NOT NULL,
    url       TEXT,
    query     TEXT,
    step_s    INTEGER,
    labels    TEXT NOT NULL DEFAULT '{}',
    pulled_at TEXT,
    UNIQUE (name, labels)
);
CREATE TABLE metric_points (
    series_id INTEGER NOT NULL REFERENCES metric_series(id) ON DELETE CASCADE,
    at_ms     INTEGER NOT NULL,
    value     REAL NOT NULL,
    PRIMARY KEY (series_id, at_ms)
) WITHOUT ROWID;
"#;

/// Migration 8 (diarization): a recording can be one participant's track of a call, placed
/// on the session's time line by an offset; each diarized speaker's voice and role; the
/// voices remembered by name.
const DIARIZE: &str = r#"
ALTER TABLE recordings ADD COLUMN track TEXT;
ALTER TABLE recordings ADD COLUMN offset_ms INTEGER NOT NULL DEFAULT 0;
CREATE TABLE speaker_voices (
    speaker_id INTEGER PRIMARY KEY REFERENCES speakers(id) ON DELETE CASCADE,
    voice      TEXT NOT NULL,
    role       TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE voice_profiles (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    person_id  INTEGER REFERENCES people(id) ON DELETE SET NULL,
    voice      TEXT NOT NULL,
    sessions   INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
"#;

/// Migration 9 (evidence): a highlight can be words of an NPS response's comment or of a
/// feedback item's text, not only a span of a session's transcript or words of its note.
/// `highlights` is rebuilt (SQLite cannot drop a NOT NULL) by SQLite's documented 12-step
/// procedure: `session_id` becomes nullable, `source` says which of `session`, `note`, `nps`
/// or `feedback` it is, `nps_id`/`feedback_id` point at the response or item, and
/// `start_char`/`end_char` are the span in the comment or text in Unicode code points
/// (`[start, end)`, as REFI-QDA counts). A CHECK keeps each source's columns consistent.
/// The store runs migrations with foreign keys off (a DROP TABLE with them on would delete
/// `highlight_tags` and `finding_evidence` through ON DELETE CASCADE) and checks them after.
/// The search change-log triggers on `highlights` and `highlight_tags` are made again: a
/// text source's highlight records itself and its response or item, not a session.
const EVIDENCE_SOURCES: &str = r#"
DROP TRIGGER search_highlights_ins;
DROP TRIGGER search_highlights_upd;
DROP TRIGGER search_highlights_del;
DROP TRIGGER search_highlight_tags_ins;
DROP TRIGGER search_highlight_tags_del;

CREATE TABLE highlights_new (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL CHECK (source IN ('session', 'note', 'nps', 'feedback')),
    session_id  INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
    note_id     INTEGER REFERENCES notes(id) ON DELETE CASCADE,
    nps_id      INTEGER REFERENCES nps_responses(id) ON DELETE CASCADE,
    feedback_id INTEGER REFERENCES feedback_items(id) ON DELETE CASCADE,
    start_ms    INTEGER,
    end_ms      INTEGER,
    start_char  INTEGER,
    end_char    INTEGER,
    text        TEXT NOT NULL,
    comment     TEXT,
    created_at  TEXT NOT NULL,
    CHECK (CASE source
        WHEN 'session' THEN session_id IS NOT NULL AND note_id IS NULL AND nps_id IS NULL AND feedback_id IS NULL
            AND start_ms IS NOT NULL AND end_ms >= start_ms
        WHEN 'note' THEN session_id IS NOT NULL AND note_id IS NOT NULL AND nps_id IS NULL AND feedback_id IS NULL
            AND start_ms IS NOT NULL AND end_ms >= start_ms
        WHEN 'nps' THEN nps_id IS NOT NULL AND session_id IS NULL AND note_id IS NULL AND feedback_id IS NULL
            AND start_char >= 0 AND end_char > start_char
        ELSE feedback_id IS NOT NULL AND session_id IS NULL AND note_id IS NULL AND nps_id IS NULL
            AND start_char >= 0 AND end_char > start_char
    END)
);
INSERT INTO highlights_new (id, source, session_id, note_id, start_ms, end_ms, text, comment, created_at)
    SELECT id, CASE WHEN note_id IS NULL THEN 'session' ELSE 'note' END, session_id, note_id, start_ms, end_ms,
           text, comment, created_at
    FROM highlights;
DROP TABLE highlights;
ALTER TABLE highlights_new RENAME TO highlights;
CREATE INDEX highlights_session ON highlights(session_id, start_ms);
CREATE INDEX highlights_nps ON highlights(nps_id) WHERE nps_id IS NOT NULL;
CREATE INDEX highlights_feedback ON highlights(feedback_id) WHERE feedback_id IS NOT NULL;

CREATE TRIGGER search_highlights_ins AFTER INSERT ON highlights BEGIN
    INSERT INTO search_changes (kind, ref_id)
    SELECT 'session', NEW.session_id WHERE NEW.session_id IS NOT NULL
    UNION ALL SELECT 'highlight', NEW.id WHERE NEW.session_id IS NULL
    UNION ALL SELECT 'nps', NEW.nps_id WHERE NEW.nps_id IS NOT NULL
    UNION ALL SELECT 'feedback', NEW.feedback_id WHERE NEW.feedback_id IS NOT NULL; END;
CREATE TRIGGER search_highlights_upd AFTER UPDATE ON highlights BEGIN
    INSERT INTO search_changes (kind, ref_id)
    SELECT 'session', NEW.session_id WHERE NEW.session_id IS NOT NULL
    UNION ALL SELECT 'highlight', NEW.id WHERE NEW.session_id IS NULL
    UNION ALL SELECT 'nps', NEW.nps_id WHERE NEW.nps_id IS NOT NULL
    UNION ALL SELECT 'feedback', NEW.feedback_id WHERE NEW.feedback_id IS NOT NULL; END;
CREATE TRIGGER search_highlights_del AFTER DELETE ON highlights BEGIN
    INSERT INTO search_changes (kind, ref_id)
    SELECT 'session', OLD.session_id WHERE OLD.session_id IS NOT NULL
    UNION ALL SELECT 'highlight', OLD.id WHERE OLD.session_id IS NULL
    UNION ALL SELECT 'nps', OLD.nps_id WHERE OLD.nps_id IS NOT NULL
    UNION ALL SELECT 'feedback', OLD.feedback_id WHERE OLD.feedback_id IS NOT NULL; END;

CREATE TRIGGER search_highlight_tags_ins AFTER INSERT ON highlight_tags BEGIN
    INSERT INTO search_changes (kind, ref_id)
    SELECT 'session', session_id FROM highlights WHERE id = NEW.highlight_id AND session_id IS NOT NULL
    UNION ALL SELECT 'highlight', id FROM highlights WHERE id = NEW.highlight_id AND session_id IS NULL
    UNION ALL SELECT 'nps', nps_id FROM highlights WHERE id = NEW.highlight_id AND nps_id IS NOT NULL
    UNION ALL SELECT 'feedback', feedback_id FROM highlights WHERE id = NEW.highlight_id AND feedback_id IS NOT NULL; END;
CREATE TRIGGER search_highlight_tags_del AFTER DELETE ON highlight_tags BEGIN
    INSERT INTO search_changes (kind, ref_id)
    SELECT 'session', session_id FROM highlights WHERE id = OLD.highlight_id AND session_id IS NOT NULL
    UNION ALL SELECT 'highlight', id FROM highlights WHERE id = OLD.highlight_id AND session_id IS NULL
    UNION ALL SELECT 'nps', nps_id FROM highlights WHERE id = OLD.highlight_id AND nps_id IS NOT NULL
    UNION ALL SELECT 'feedback', feedback_id FROM highlights WHERE id = OLD.highlight_id AND feedback_id IS NOT NULL; END;
"#;

/// Migration 10 (audit import speed): an audit import counts each event once against the keys it
/// holds in memory (read once at its start), not through a unique index probed per row, and
/// unmatched actors are counted in that same read, so the `event_key` and `actor` indexes go
/// (each cost a random B-tree insert per stored event). `activity.tally` keeps what a
/// person's activity is derived from (days, hours, the action × resource × namespace mix), so
/// an import adds its own events to it instead of counting every stored event again; a row
/// without one (written before) makes the next import count from `audit_events` once.
const AUDIT_IMPORT_SPEED: &str = r#"
DROP INDEX IF EXISTS audit_events_key;
DROP INDEX IF EXISTS audit_events_actor;
ALTER TABLE activity ADD COLUMN tally TEXT;
"#;

/// Migration 11 (hardening): deletes that reach everywhere. `deletion_log` records each forget
/// of a person and each delete of a session or study: who ran it, when, and how many rows of
/// each kind went (JSON counts), never the person's name, email or words. A finding that
/// loses evidence to such a delete keeps its text and counts what it lost in
/// `findings.evidence_removed`, so it can say so.
const DELETION_LOG: &str = r#"
CREATE TABLE deletion_log (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    what   TEXT NOT NULL CHECK (what IN ('person', 'session', 'study')),
    counts TEXT NOT NULL DEFAULT '{}'
);
ALTER TABLE findings ADD COLUMN evidence_removed INTEGER NOT NULL DEFAULT 0;
"#;

/// Migration 12 (guides: notes at their place in the recording): a session note's place in
/// the main recording is its session time less that recording's start offset, and the main
/// recording is the one the transcript was made from (else the oldest). The search index shows
/// notes at that place, so it re-reads a session's documents when its recordings, their
/// offsets or its transcript's recording change.
const NOTE_PLAY_TIMES: &str = r#"
CREATE TRIGGER search_recordings_ins AFTER INSERT ON recordings BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('session', NEW.session_id); END;
CREATE TRIGGER search_recordings_upd AFTER UPDATE OF offset_ms, session_id ON recordings BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('session', NEW.session_id); END;
CREATE TRIGGER search_recordings_del AFTER DELETE ON recordings BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('session', OLD.session_id); END;
CREATE TRIGGER search_transcripts_ins AFTER INSERT ON transcripts BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('session', NEW.session_id); END;
CREATE TRIGGER search_transcripts_upd AFTER UPDATE OF recording_id ON transcripts BEGIN
    INSERT INTO search_changes (kind, ref_id) VALUES ('session', NEW.session_id); END;
"#;

/// Migration 13 (audit events packed): an import's events are stored in batches of columns
/// (`audit_batches`, see `audit::events`) instead of a row each, and each actor once
/// (`audit_actors`: its person and its count of events). The hook moves the rows of
/// `audit_events` into batches and drops that table.
const AUDIT_BATCHES: &str = r#"
CREATE TABLE audit_batches (
    id     INTEGER PRIMARY KEY,
    source TEXT NOT NULL DEFAULT '',
    events INTEGER NOT NULL,
    data   BLOB NOT NULL
);
CREATE TABLE audit_actors (
    actor     TEXT PRIMARY KEY,
    person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    events    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX audit_actors_person ON audit_actors(person_id);
"#;

/// Migration 13's hook: [`crate::audit::events::move_rows_to_batches`].
fn audit_rows_to_batches(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    crate::audit::events::move_rows_to_batches(tx).map_err(|e| match e {
        crate::error::Error::Database(err) => rusqlite_migration::HookError::RusqliteError(err),
        other => rusqlite_migration::HookError::Hook(other.to_string()),
    })
}

/// All migrations, oldest first. Append only.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V2),
        M::up(V3),
        M::up(RECRUIT),
        M::up(GUIDE_RUN_NOTES),
        M::up(SYNTHESIS),
        M::up(DEPLOY_INSIGHTS),
        M::up(DIARIZE),
        M::up(EVIDENCE_SOURCES).foreign_key_check(),
        M::up(AUDIT_IMPORT_SPEED),
        M::up(DELETION_LOG),
        M::up(NOTE_PLAY_TIMES),
        M::up_with_hook(AUDIT_BATCHES, audit_rows_to_batches),
    ])
}

/// The schema version this build writes: the number of migrations.
pub const SCHEMA_VERSION: i64 = 13;
