//! The question lint: each rule flags what its definition says and lets near-misses pass;
//! good interview questions come out clean; every suggested rewrite is free of the problem
//! it fixes.

use rapport::guide::lint::{check, lint, LintCode};
use rapport::guide::{self, QuestionKind};

fn codes(text: &str) -> Vec<LintCode> {
    check(text, QuestionKind::Open, "").into_iter().map(|p| p.code).collect()
}

/// Every example is flagged with `code`, and its suggestion is not.
fn flags(code: LintCode, examples: &[&str]) {
    for e in examples {
        let problems = check(e, QuestionKind::Open, "");
        let p = problems.iter().find(|p| p.code == code);
        let p = p.unwrap_or_else(|| panic!("{code:?} should flag {e:?}; got {:?}", codes(e)));
        assert!(!p.reason.is_empty(), "a reason for {e:?}");
        assert!(
            !codes(&p.suggestion).contains(&code),
            "the rewrite of {e:?} for {code:?} still has it: {:?} ({:?})",
            p.suggestion,
            codes(&p.suggestion)
        );
    }
}

fn passes(code: LintCode, examples: &[&str]) {
    for e in examples {
        assert!(!codes(e).contains(&code), "{code:?} should not flag {e:?}");
    }
}

#[test]
fn leading_flags_questions_that_suggest_the_answer() {
    flags(
        LintCode::Leading,
        &[
            "Don't you think the new deploy system is faster?",
            "How much do you love the new dashboard?",
            "Wouldn't it be easier if deploys were automatic?",
            "Isn't the approval step a waste of time?",
            "Most engineers prefer canary deploys. Do you?",
            "You deploy from the CLI, right?",
            "How easy was it to find the logs?",
            "Would you agree that the gates slow you down?",
            "I think the rollback flow is confusing. What do you think?",
        ],
    );
    passes(
        LintCode::Leading,
        &[
            "What do you think about the new deploy system?",
            "Don't worry about getting it right: walk me through your last deploy.",
            "How long did the last deploy take, from merge to production?",
            "What did you like or dislike about the last rollback?",
            "How do you decide when a change is ready to deploy?",
            "How easy or hard was it to find the logs last time?",
        ],
    );
}

#[test]
fn double_barrelled_flags_two_questions_in_one() {
    flags(
        LintCode::DoubleBarrelled,
        &[
            "How fast and reliable is the deploy pipeline?",
            "What do you like about the dashboard, and what would you change?",
            "How do you test and deploy a change?",
            "Who approves your deploys? How long does that take?",
            "Tell me what happened and how you fixed it.",
            "Was the rollback quick and painless?",
            "How satisfied are you with the speed and accuracy of the canary analysis?",
        ],
    );
    passes(
        LintCode::DoubleBarrelled,
        &[
            "Tell me about your role and the services you work on.",
            "Walk me through your last deploy, from merge to done.",
            "What happened after the gate stopped the deploy?",
            "How did the rollback go?",
            "Tell me about the last time you and your team rolled back a release.",
            "How easy or hard was it to find the logs last time?",
        ],
    );
}

#[test]
fn closed_flags_yes_no_questions_unless_marked_closed() {
    flags(
        LintCode::Closed,
        &[
            "Do you use feature flags?",
            "Is it easy to find the logs for a deploy?",
            "Have you ever rolled back a deploy?",
            "Did the canary catch the problem?",
            "Are you on call this month?",
            "When a gate blocks you, do you ask for an override?",
            "Can you find the logs for a failed deploy?",
        ],
    );
    passes(
        LintCode::Closed,
        &[
            "How do you use feature flags?",
            "Can you walk me through the last deploy you did?",
            "Could you tell me about your team?",
            "Is there anything else you'd like to add?",
            "Tell me about the last time you rolled back a deploy.",
            "What did the canary catch?",
            "What, if anything, would you change about the release process?",
        ],
    );
    let marked = check("Do you use feature flags?", QuestionKind::Closed, "");
    assert!(marked.iter().all(|p| p.code != LintCode::Closed), "kind: closed allows a yes/no question");
}

#[test]
fn hypothetical_flags_predictions_and_imagining() {
    flags(
        LintCode::Hypothetical,
        &[
            "Would you use a dashboard that showed every gate?",
            "If we built a one-click rollback, would you use it?",
            "Imagine the pipeline took five minutes. What would change?",
            "How likely are you to adopt the new CLI?",
            "What would you change about the approval process?",
            "Suppose the gate explained itself; how would that help?",
        ],
    );
    passes(
        LintCode::Hypothetical,
        &[
            "Tell me about the last time you used the dashboard.",
            "How would you describe your team's release process?",
            "Would you walk me through your last deploy?",
            "If a deploy failed last week, what did you do next?",
            "What did you do the last time the gate blocked you?",
            "Could you show me how you find the logs?",
        ],
    );
}

#[test]
fn solution_flags_asking_for_features_instead_of_needs() {
    flags(
        LintCode::Solution,
        &[
            "Should we add a rollback button?",
            "Would you like a Slack notification when a deploy finishes?",
            "Do you want a dashboard of all your deploys?",
            "Would a dark mode help?",
            "What do you think about adding an override button to the gate page?",
            "How about a weekly email digest of failed deploys?",
            "Would it be helpful to have a Slack bot for deploys?",
            "Should there be a button to skip the gate?",
        ],
    );
    passes(
        LintCode::Solution,
        &[
            "How do you roll back a deploy today?",
            "Tell me about the last time you used the rollback button.",
            "What did you do when the dashboard was down?",
            "Should we take a short break?",
            "Do you want to walk me through it on your screen?",
        ],
    );
}

#[test]
fn vague_flags_quantifiers_and_judgements_without_an_anchor() {
    flags(
        LintCode::Vague,
        &[
            "How often do you deploy?",
            "What do you usually check first?",
            "Is the pipeline good?",
            "Do you deploy a lot?",
            "What makes a deploy easy?",
            "Have deploys been slow recently?",
        ],
    );
    passes(
        LintCode::Vague,
        &[
            "How many times did you deploy last week?",
            "The last time you deployed, what did you check first?",
            "How long did your last deploy take?",
            "What was easy about the last deploy you did?",
            "Tell me about the services you work on as well as your role.",
            "Tell me a little about your team.",
            "What was difficult about it?",
        ],
    );
}

#[test]
fn jargon_flags_acronyms_and_internal_terms_the_guide_does_not_explain() {
    flags(
        LintCode::Jargon,
        &[
            "How do you check the SLO burn rate before a deploy?",
            "Tell me about the last time the DeployBot blocked you.",
            "What happened the last time a PR sat in the queue?",
            "How did you find the pods in k8s?",
            "Tell me about the last time `gate_check` failed.",
            "How did you get your service onto the Paved Road?",
        ],
    );
    passes(
        LintCode::Jargon,
        &[
            "Tell me about the last time you deployed a service.",
            "What did you do after the gate said no?",
            "I'd like to hear about your week.",
            "Tell me about your 2nd deploy of the day.",
            "What happened after the outage on Friday?",
            "Tell me about Kubernetes at your last job.",
        ],
    );
    // Explained anywhere in the guide: no longer jargon.
    let glossary = "An SLO (service level objective) is the target a service promises.";
    let p = check("How do you check the SLO burn rate before a deploy?", QuestionKind::Open, glossary);
    assert!(p.iter().all(|p| p.code != LintCode::Jargon), "an explained acronym passes: {p:?}");
    let explained_in_question = check(
        "How do you use the IDP (our internal developer platform) today?",
        QuestionKind::Open,
        "How do you use the IDP (our internal developer platform) today?",
    );
    assert!(
        explained_in_question.iter().all(|p| p.code != LintCode::Jargon),
        "explained in the question itself"
    );
}

#[test]
fn loaded_flags_charged_and_presumptive_wording() {
    flags(
        LintCode::Loaded,
        &[
            "Why is the old deploy system so frustrating?",
            "What's wrong with the approval process?",
            "Tell me about the most annoying part of on-call.",
            "Why don't you use the canary analysis?",
            "What are your biggest pain points with deploys?",
            "How terrible was the last outage?",
        ],
    );
    passes(
        LintCode::Loaded,
        &[
            "What has your experience been with the old deploy system?",
            "Tell me about the last time a deploy failed.",
            "Why did you choose the canary analysis?",
            "What happened during the last outage?",
        ],
    );
}

#[test]
fn too_long_flags_long_questions_and_several_sentences() {
    flags(
        LintCode::TooLong,
        &[
            "Thinking about the whole process from the moment you merge a pull request to the moment the change is live in production for every customer, where do you wait?",
            "We are redesigning the pipeline. We talked to other teams. They told us about waiting. Where do you wait?",
        ],
    );
    passes(
        LintCode::TooLong,
        &[
            "Think of the last change you deployed. Walk me through it, from merge to done.",
            "Where did you wait during your last deploy?",
        ],
    );
}

#[test]
fn good_questions_have_no_problems() {
    for q in [
        "Tell me about the last time you deployed a service.",
        "Walk me through what happened the last time a gate blocked your deploy.",
        "What did you do next?",
        "How did you decide it was safe to continue?",
        "Who else was involved?",
        "What happened after that?",
        "Tell me about a time a test failure held up a deploy.",
        "Can you show me how you found the logs for that deploy?",
        "What were you trying to do when that happened?",
        "How did you find out the deploy had failed?",
        "Walk me through what you looked at while your last deploy rolled out.",
        "Why did you choose a flag over a deploy that time?",
        "Describe the last time you had to debug a production issue.",
        "Who do you go to when you are stuck?",
        "How do you know a deploy worked?",
        "Where do you look first when something breaks?",
        "What information do you need before you approve a deploy?",
    ] {
        let p = check(q, QuestionKind::Open, "");
        assert!(
            p.is_empty(),
            "{q:?} is a good question but got {:?}",
            p.iter().map(|p| (p.code, &p.reason)).collect::<Vec<_>>()
        );
    }
}

#[test]
fn the_report_lists_questions_and_probes_in_order_with_their_problems() {
    let doc = guide::parse(
        "# G\n\n## Start\n\n1. Do you use the CLI?\n   - How often?\n2. Tell me about the last time you deployed.\n",
        "g.md",
    )
    .unwrap();
    let report = lint(&doc);
    let entries: Vec<(&str, usize, Option<usize>)> =
        report.questions.iter().map(|e| (e.text.as_str(), e.question, e.probe)).collect();
    assert_eq!(
        entries,
        vec![
            ("Do you use the CLI?", 1, None),
            ("How often?", 1, Some(1)),
            ("Tell me about the last time you deployed.", 2, None)
        ]
    );
    assert!(report.questions[0].problems.iter().any(|p| p.code == LintCode::Closed));
    assert!(report.questions[1].problems.iter().any(|p| p.code == LintCode::Vague));
    assert!(report.questions[2].problems.is_empty());
    assert_eq!(report.questions[0].section, "Start");
    assert_eq!(report.problems, report.questions.iter().map(|e| e.problems.len()).sum::<usize>());
}

#[test]
fn rewrites_keep_the_question_s_topic_and_ask_about_what_happened() {
    let rewrite = |text: &str, code: LintCode| {
        check(text, QuestionKind::Open, "")
            .into_iter()
            .find(|p| p.code == code)
            .map(|p| p.suggestion)
            .unwrap()
    };
    assert_eq!(
        rewrite("Do you ever skip the canary?", LintCode::Closed),
        "Tell me about the last time you skipped the canary."
    );
    assert_eq!(
        rewrite("Have you ever rolled back a deploy?", LintCode::Closed),
        "Tell me about the last time you rolled back a deploy."
    );
    assert_eq!(rewrite("Do you use feature flags?", LintCode::Closed), "How do you use feature flags?");
    assert_eq!(
        rewrite("Is it easy to find the logs?", LintCode::Closed),
        "What is it like to find the logs?"
    );
    assert_eq!(
        rewrite("How fast and reliable is the pipeline?", LintCode::DoubleBarrelled),
        "How fast is the pipeline?"
    );
    assert_eq!(
        rewrite(
            "What do you like about the dashboard, and what would you change?",
            LintCode::DoubleBarrelled
        ),
        "What do you like about the dashboard?"
    );
    assert_eq!(
        rewrite("How often are you involved in a deploy?", LintCode::Vague),
        "In the last month, how many times were you involved in a deploy?"
    );
    assert_eq!(
        rewrite("Why is the old deploy system so frustrating?", LintCode::Loaded),
        "What has your experience been with the old deploy system?"
    );
    assert_eq!(
        rewrite("Should we add a rollback button?", LintCode::Solution),
        "Walk me through how you handle rollback today."
    );
    assert_eq!(
        rewrite("How do you check the SLO burn rate?", LintCode::Jargon),
        "How do you check the service level objective (SLO) burn rate?"
    );
}

/// Questions written apart from the rules' own examples, by the definitions: the assumed
/// feeling in any tense, a request to tell followed by a second question, the worth of a
/// thing not built yet, a duration nobody defined, a presumption that something is broken.
#[test]
fn definitions_hold_for_wordings_beyond_the_examples() {
    flags(
        LintCode::Leading,
        &["How much did you enjoy the new deploy flow?", "How much have you liked the dashboard?"],
    );
    passes(
        LintCode::Leading,
        &["How much time did the last deploy take?", "How much did the last outage cost you?"],
    );
    for q in
        ["Tell me about your last deploy. What went wrong?", "Walk me through the release. Who approved it?"]
    {
        assert!(codes(q).contains(&LintCode::DoubleBarrelled), "{q:?}: {:?}", codes(q));
    }
    for q in [
        "Think about your last deploy. What went wrong?",
        "Tell me about your last deploy.",
        "Tell me about the last time you deployed, e.g. yesterday's release.",
    ] {
        assert!(!codes(q).contains(&LintCode::DoubleBarrelled), "{q:?}: {:?}", codes(q));
    }
    flags(
        LintCode::Solution,
        &["How useful would a one-click rollback be?", "What do you think about adding a deploy calendar?"],
    );
    passes(
        LintCode::Solution,
        &["How useful would you say the runbook was last time?", "How useful was the runbook last time?"],
    );
    flags(
        LintCode::Vague,
        &["Tell me about deploys that take a long time.", "Have you been on call for long?"],
    );
    passes(LintCode::Vague, &["How long did the last deploy take?"]);
    flags(LintCode::Loaded, &["What's broken about the current setup?"]);
    passes(LintCode::Loaded, &["What broke in the last incident?"]);
}
