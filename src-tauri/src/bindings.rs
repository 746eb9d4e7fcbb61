//! The TypeScript bindings of the app's commands and types, generated from Rust.
//!
//! [`render`] writes `ui/src/lib/bindings.gen.ts`: every IPC type (by ts-rs) and a typed
//! `commands` object wrapping `invoke`. The test `bindings_file_matches_a_fresh_export`
//! fails when the committed file differs; `scripts/gen-bindings` rewrites it.

use rapport::audit::activity::{Activity, RoleSignal};
use rapport::audit::{ActorCount, AuditFormat, AuditImportOptions, AuditImportReport, MatchRule};
use rapport::backup::{BackupReport, ManifestEntry, RestoreReport};
use rapport::catalog::{Catalog, CatalogEntry, Service};
use rapport::coding::codebook::{TagDeletePlan, TagInput, TagMerge, TagUsage, TagView, UsageRow};
use rapport::coding::highlights::{HighlightFilter, HighlightInput, HighlightRow, HighlightSource};
use rapport::coding::text_spans::TextHighlightView;
use rapport::coding::{HighlightView, TagCount};
use rapport::deletion::ForgetPlan;
use rapport::deploys::dora::{DoraKeys, DoraReport};
use rapport::deploys::gates::{GateStats, GatesReport, Overrider};
use rapport::deploys::{DeploySummary, ServiceDeploys};
use rapport::diarize::profiles::{VoiceProfile, VoiceSuggestion};
use rapport::diarize::{DiarizedSpeaker, Method as DiarizeMethod};
use rapport::export::{ExportFormat as StudyExportFormat, ExportOptions, ExportReport, RedactionCount};
use rapport::finding::{EvidenceView, FindingSummary};
use rapport::finding::{FindingInput, FindingPatch, LinkKind, RoleCount};
use rapport::guide::align::AnswerSpan;
use rapport::guide::diff::{ChangeKind, GuideDiff, QuestionChange};
use rapport::guide::lint::{LintCode, LintEntry, LintReport, Problem};
use rapport::guide::run::{
    Answer, AnswerRow, AnswerSession, AnswersMatrix, QuestionCheck, RunView, SectionBudget,
};
use rapport::guide::{
    GuideDoc, GuideQuestion, GuideSection, GuideSummary, GuideVersionDetail, GuideVersionRef, GuideView,
    QuestionKind, SaveOutcome, StoredQuestion,
};
use rapport::import::RefiImportReport;
use rapport::insights::{
    ChartAsk, FindingInsights, ImportKind, ImportSummary, InsightsFilters, InsightsQuery, InsightsSummary,
    ReleaseImpact, SegmentField, TeamServices,
};
use rapport::links::{DeepLinkKind, LinkTarget};
use rapport::media::RecordingView;
use rapport::metrics::{MetricDetail, MetricInfo, PullReport, SeriesPoints};
use rapport::models::advice::Recommendation;
use rapport::models::vad::VadInfo;
use rapport::models::ModelInfo;
use rapport::notes::{NotesFormat, StudyNotes};
use rapport::nps::items::{FeedbackView, ItemDeletion, ItemFilter, NpsComment};
use rapport::nps::report::{NpsChange, NpsGroup, NpsPeriodScore, NpsReport, TagImpact};
use rapport::nps::{NpsPeriod, NpsSummary};
use rapport::people::profile::HistoryItem;
use rapport::people::{
    ContactStatus, DirectoryFormat, DirectoryReport, PersonProfile, PersonSummary, Rejected,
};
use rapport::recruit::outreach::{
    Due, OutreachEntry, OutreachInput, Participation, ParticipationUpdate, RenderedInvitation,
};
use rapport::recruit::screener::ScreenerError;
use rapport::recruit::{Excluded, RecruitOptions, RecruitResult, Selected, Stratum};
use rapport::releases::{CompareSide, Comparison, LinkedFinding, Release, ReleaseInput, Statistic};
use rapport::search::{
    Bucket, Counts as SearchCounts, Hit, SavedSearch, SearchOptions, SearchResults, SortBy,
};
use rapport::session::{DeletePlan, Note, SessionDetail, SessionInput, SessionSummary};
use rapport::study::{StudyInput, StudyOverview, StudySummary};
use rapport::transcript::speakers::SpeakerMerge;
use rapport::transcript::{
    Cue, ExportFormat, Format, ImportPreview, ImportReport, ImportWarning, Segment, SegmentDetail,
    SpeakerView, Word,
};
use rapport::verify::VerifyReport;
use rapport::workspace::{Counts, WorkspaceInfo};
use rapport::{ApiError, ErrorCode};
use ts_rs::{Config, TS};

use crate::jobs::JobEvent;
use crate::paths::{PickPurpose, SavePurpose};

/// A command's TypeScript signature.
#[derive(Debug, Clone)]
pub struct Signature {
    pub name: &'static str,
    pub docs: String,
    /// Argument names as in Rust (snake_case) with their TypeScript types.
    pub args: Vec<(&'static str, String)>,
    pub ret: String,
}

/// The path of the generated file, relative to `src-tauri/`.
pub const OUT_FILE: &str = "../ui/src/lib/bindings.gen.ts";

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn jsdoc(docs: &str, indent: &str) -> String {
    if docs.trim().is_empty() {
        return String::new();
    }
    let lines: Vec<&str> = docs.trim().lines().map(str::trim).collect();
    if lines.len() == 1 {
        format!("{indent}/** {} */\n", lines[0])
    } else {
        let body: String = lines.iter().map(|l| format!("{indent} * {l}\n")).collect();
        format!("{indent}/**\n{body}{indent} */\n")
    }
}

fn decl<T: TS>(cfg: &Config) -> String {
    // ts-rs gives the Rust doc comment already as a JSDoc block.
    let docs = T::docs().map(|d| format!("{}\n", d.trim_end())).unwrap_or_default();
    format!("{docs}export {}\n", T::decl(cfg))
}

/// The whole generated file.
pub fn render() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated by `scripts/gen-bindings` from the Rust types and commands: do not edit.\n\
         import { invoke, type Channel } from \"@tauri-apps/api/core\";\n\n",
    );
    for d in [
        decl::<ErrorCode>(&cfg),
        decl::<ApiError>(&cfg),
        decl::<Counts>(&cfg),
        decl::<WorkspaceInfo>(&cfg),
        decl::<StudySummary>(&cfg),
        decl::<QuestionKind>(&cfg),
        decl::<GuideQuestion>(&cfg),
        decl::<GuideSection>(&cfg),
        decl::<GuideView>(&cfg),
        decl::<TagCount>(&cfg),
        decl::<SessionSummary>(&cfg),
        decl::<EvidenceView>(&cfg),
        decl::<FindingSummary>(&cfg),
        decl::<StudyOverview>(&cfg),
        decl::<PersonSummary>(&cfg),
        decl::<Segment>(&cfg),
        decl::<Note>(&cfg),
        decl::<HighlightView>(&cfg),
        decl::<HighlightSource>(&cfg),
        decl::<TextHighlightView>(&cfg),
        decl::<NpsComment>(&cfg),
        decl::<FeedbackView>(&cfg),
        decl::<ItemFilter>(&cfg),
        decl::<ItemDeletion>(&cfg),
        decl::<RecordingView>(&cfg),
        decl::<SessionDetail>(&cfg),
        decl::<NpsPeriod>(&cfg),
        decl::<NpsSummary>(&cfg),
        decl::<ServiceDeploys>(&cfg),
        decl::<DeploySummary>(&cfg),
        decl::<InsightsSummary>(&cfg),
        decl::<MetricInfo>(&cfg),
        decl::<TeamServices>(&cfg),
        decl::<SegmentField>(&cfg),
        decl::<InsightsFilters>(&cfg),
        decl::<InsightsQuery>(&cfg),
        decl::<ChartAsk>(&cfg),
        decl::<DoraKeys>(&cfg),
        decl::<DoraReport>(&cfg),
        decl::<Overrider>(&cfg),
        decl::<GateStats>(&cfg),
        decl::<GatesReport>(&cfg),
        decl::<NpsGroup>(&cfg),
        decl::<NpsPeriodScore>(&cfg),
        decl::<NpsChange>(&cfg),
        decl::<TagImpact>(&cfg),
        decl::<NpsReport>(&cfg),
        decl::<ImportKind>(&cfg),
        decl::<ImportSummary>(&cfg),
        decl::<Service>(&cfg),
        decl::<CatalogEntry>(&cfg),
        decl::<Catalog>(&cfg),
        decl::<SeriesPoints>(&cfg),
        decl::<MetricDetail>(&cfg),
        decl::<PullReport>(&cfg),
        decl::<LinkedFinding>(&cfg),
        decl::<Release>(&cfg),
        decl::<ReleaseInput>(&cfg),
        decl::<Statistic>(&cfg),
        decl::<CompareSide>(&cfg),
        decl::<Comparison>(&cfg),
        decl::<ReleaseImpact>(&cfg),
        decl::<FindingInsights>(&cfg),
        decl::<Word>(&cfg),
        decl::<SegmentDetail>(&cfg),
        decl::<SpeakerView>(&cfg),
        decl::<SpeakerMerge>(&cfg),
        decl::<SortBy>(&cfg),
        decl::<SearchOptions>(&cfg),
        decl::<Hit>(&cfg),
        decl::<Bucket>(&cfg),
        decl::<SearchCounts>(&cfg),
        decl::<SearchResults>(&cfg),
        decl::<SavedSearch>(&cfg),
        decl::<ModelInfo>(&cfg),
        decl::<VadInfo>(&cfg),
        decl::<Recommendation>(&cfg),
        decl::<JobEvent>(&cfg),
        decl::<StudyInput>(&cfg),
        decl::<DeletePlan>(&cfg),
        decl::<SessionInput>(&cfg),
        decl::<GuideVersionRef>(&cfg),
        decl::<PickPurpose>(&cfg),
        decl::<SavePurpose>(&cfg),
        decl::<ExportFormat>(&cfg),
        decl::<Format>(&cfg),
        decl::<Cue>(&cfg),
        decl::<ImportWarning>(&cfg),
        decl::<ImportPreview>(&cfg),
        decl::<ImportReport>(&cfg),
        decl::<ContactStatus>(&cfg),
        decl::<DirectoryFormat>(&cfg),
        decl::<Rejected>(&cfg),
        decl::<DirectoryReport>(&cfg),
        decl::<ForgetPlan>(&cfg),
        decl::<HistoryItem>(&cfg),
        decl::<RoleSignal>(&cfg),
        decl::<Activity>(&cfg),
        decl::<PersonProfile>(&cfg),
        decl::<AuditFormat>(&cfg),
        decl::<MatchRule>(&cfg),
        decl::<AuditImportOptions>(&cfg),
        decl::<ActorCount>(&cfg),
        decl::<AuditImportReport>(&cfg),
        decl::<ManifestEntry>(&cfg),
        decl::<BackupReport>(&cfg),
        decl::<VerifyReport>(&cfg),
        decl::<RestoreReport>(&cfg),
        decl::<ScreenerError>(&cfg),
        decl::<RecruitOptions>(&cfg),
        decl::<Selected>(&cfg),
        decl::<Excluded>(&cfg),
        decl::<Stratum>(&cfg),
        decl::<RecruitResult>(&cfg),
        decl::<OutreachInput>(&cfg),
        decl::<OutreachEntry>(&cfg),
        decl::<Due>(&cfg),
        decl::<Participation>(&cfg),
        decl::<ParticipationUpdate>(&cfg),
        decl::<RenderedInvitation>(&cfg),
        decl::<GuideDoc>(&cfg),
        decl::<GuideSummary>(&cfg),
        decl::<StoredQuestion>(&cfg),
        decl::<GuideVersionDetail>(&cfg),
        decl::<SaveOutcome>(&cfg),
        decl::<LintCode>(&cfg),
        decl::<Problem>(&cfg),
        decl::<LintEntry>(&cfg),
        decl::<LintReport>(&cfg),
        decl::<ChangeKind>(&cfg),
        decl::<QuestionChange>(&cfg),
        decl::<GuideDiff>(&cfg),
        decl::<QuestionCheck>(&cfg),
        decl::<SectionBudget>(&cfg),
        decl::<RunView>(&cfg),
        decl::<AnswerSpan>(&cfg),
        decl::<Answer>(&cfg),
        decl::<AnswerRow>(&cfg),
        decl::<AnswerSession>(&cfg),
        decl::<AnswersMatrix>(&cfg),
        decl::<StudyNotes>(&cfg),
        decl::<NotesFormat>(&cfg),
        decl::<DeepLinkKind>(&cfg),
        decl::<LinkTarget>(&cfg),
        decl::<RoleCount>(&cfg),
        decl::<TagView>(&cfg),
        decl::<TagInput>(&cfg),
        decl::<UsageRow>(&cfg),
        decl::<TagUsage>(&cfg),
        decl::<TagMerge>(&cfg),
        decl::<TagDeletePlan>(&cfg),
        decl::<HighlightInput>(&cfg),
        decl::<HighlightFilter>(&cfg),
        decl::<HighlightRow>(&cfg),
        decl::<FindingInput>(&cfg),
        decl::<FindingPatch>(&cfg),
        decl::<LinkKind>(&cfg),
        decl::<StudyExportFormat>(&cfg),
        decl::<ExportOptions>(&cfg),
        decl::<RedactionCount>(&cfg),
        decl::<ExportReport>(&cfg),
        decl::<RefiImportReport>(&cfg),
        decl::<DiarizeMethod>(&cfg),
        decl::<DiarizedSpeaker>(&cfg),
        decl::<VoiceProfile>(&cfg),
        decl::<VoiceSuggestion>(&cfg),
    ] {
        out.push_str(&d);
        out.push('\n');
    }
    out.push_str(
        "/** Every command; each promise rejects with an `ApiError`. */\nexport const commands = {\n",
    );
    for sig in crate::commands::signatures(&cfg) {
        let params: Vec<String> = sig.args.iter().map(|(n, t)| format!("{}: {t}", camel(n))).collect();
        let names: Vec<String> = sig.args.iter().map(|(n, _)| camel(n)).collect();
        let payload = if names.is_empty() { String::new() } else { format!(", {{ {} }}", names.join(", ")) };
        out.push_str(&jsdoc(&sig.docs, "  "));
        out.push_str(&format!(
            "  {}: ({}) => invoke<{}>(\"{}\"{}),\n",
            camel(sig.name),
            params.join(", "),
            sig.ret,
            sig.name,
            payload
        ));
    }
    out.push_str("};\n");
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn bindings_file_matches_a_fresh_export() {
        let fresh = super::render();
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(super::OUT_FILE);
        if std::env::var_os("RAPPORT_WRITE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).expect("write bindings");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is stale: run scripts/gen-bindings and commit the result",
            path.display()
        );
    }

    #[test]
    fn command_names_become_camel_case() {
        assert_eq!(super::camel("session_list"), "sessionList");
        assert_eq!(super::camel("study_id"), "studyId");
    }
}
