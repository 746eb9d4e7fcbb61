//! The index schema: one document per searchable thing, with the fields filters use.
//!
//! `text` is stemmed (English) for matching words and is stored for snippets; `text_exact`
//! is only lowercased and keeps positions, for "exact phrases", prefixes and typo-tolerant
//! retries. Filter fields (`speaker`, `person`, `role`, `team`, `tag`, `study`) are tokenized
//! and lowercased, so `role:sre` and `speaker:"priya raman"` work.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

/// Bump when the schema or what goes into a document changes: the index is then rebuilt.
pub const INDEX_SCHEMA_VERSION: u32 = 1;

/// The fields of the index.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub key: Field,
    pub kind: Field,
    pub ref_id: Field,
    pub session: Field,
    pub study_id: Field,
    pub study: Field,
    pub study_name: Field,
    pub person: Field,
    pub person_name: Field,
    pub speaker: Field,
    pub speaker_name: Field,
    pub role: Field,
    pub team: Field,
    pub tag: Field,
    pub start_ms: Field,
    pub end_ms: Field,
    pub date: Field,
    pub time_key: Field,
    pub text: Field,
    pub text_exact: Field,
}

fn text_field(tokenizer: &str, stored: bool) -> TextOptions {
    let opts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored {
        opts.set_stored()
    } else {
        opts
    }
}

/// Builds the schema and its fields.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        ref_id: b.add_u64_field("ref_id", STORED),
        session: b.add_u64_field("session", INDEXED | STORED | FAST),
        study_id: b.add_u64_field("study_id", INDEXED | STORED),
        study: b.add_text_field("study", text_field("default", false)),
        study_name: b.add_text_field("study_name", STRING | STORED | FAST),
        person: b.add_text_field("person", text_field("default", false)),
        person_name: b.add_text_field("person_name", STORED),
        speaker: b.add_text_field("speaker", text_field("default", false)),
        speaker_name: b.add_text_field("speaker_name", STRING | STORED | FAST),
        role: b.add_text_field("role", text_field("default", false)),
        team: b.add_text_field("team", text_field("default", false)),
        tag: b.add_text_field("tag", text_field("default", false)),
        start_ms: b.add_u64_field("start_ms", STORED),
        end_ms: b.add_u64_field("end_ms", STORED),
        date: b.add_i64_field("date", INDEXED | STORED | FAST),
        time_key: b.add_i64_field("time_key", FAST),
        text: b.add_text_field("text", text_field("en_stem", true)),
        text_exact: b.add_text_field("text_exact", text_field("default", false)),
    };
    (b.build(), fields)
}
