//! The lint's vocabulary: the words and phrases each rule looks for, the anchors that make
//! a question concrete, the terms everyone knows, and what the rewrites use (acronym
//! expansions, past forms). Data only; the rules are in `lint.rs`, the rewrites in
//! `rewrite.rs`.

/// Auxiliary verbs that open a yes/no question.
#[rustfmt::skip]
pub const AUX: &[&str] = &[
    "do", "does", "did", "is", "are", "was", "were", "have", "has", "had", "can", "could", "will", "would",
    "should", "shall", "may", "might", "must", "am", "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't",
    "weren't", "haven't", "hasn't", "can't", "couldn't", "won't", "wouldn't", "shouldn't",
];

#[rustfmt::skip]
pub const NEGATIVE_AUX: &[&str] = &[
    "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "wouldn't", "shouldn't", "couldn't",
    "won't", "haven't", "hasn't", "can't",
];

/// Words that may follow an auxiliary as the subject of a question.
#[rustfmt::skip]
pub const SUBJECTS: &[&str] = &[
    "you", "your", "it", "they", "there", "we", "this", "that", "these", "those", "the", "a", "an", "any",
    "anyone", "anybody", "someone", "somebody", "anything", "people", "he", "she", "i", "my", "our", "their",
    "everyone", "most", "other", "others", "deploys", "deploying", "teams", "users",
];

/// Requests that are polite forms of an open question: "Can you walk me through…".
#[rustfmt::skip]
pub const REQUEST_VERBS: &[&str] = &[
    "tell", "walk", "describe", "show", "explain", "talk", "share", "give", "take", "think", "remember",
    "recall", "help", "say", "elaborate", "expand", "go", "list", "name", "mind", "demonstrate", "recount",
    "summarize", "summarise", "characterize", "characterise", "rate", "compare",
];

/// Adjectives and adverbs that describe a quality (for "How fast and reliable…").
#[rustfmt::skip]
pub const QUALITIES: &[&str] = &[
    "fast", "slow", "quick", "quickly", "easy", "easily", "hard", "difficult", "simple", "reliable",
    "reliably", "stable", "secure", "safe", "safely", "clear", "useful", "helpful", "intuitive", "efficient",
    "effective", "accurate", "consistent", "predictable", "flexible", "transparent", "smooth", "good", "bad",
    "cheap", "expensive", "readable", "usable", "understandable", "satisfied", "happy", "confident",
    "comfortable", "painless", "painful", "robust", "scalable", "trustworthy", "responsive", "accessible",
    "friendly", "complete", "correct", "visible", "costly", "risky", "frequent", "often", "well", "smoothly",
    "convenient",
];

/// Qualities as nouns (for "How satisfied are you with the speed and accuracy of…").
#[rustfmt::skip]
pub const QUALITY_NOUNS: &[&str] = &[
    "speed", "reliability", "accuracy", "performance", "usability", "quality", "cost", "price", "security",
    "stability", "simplicity", "flexibility", "clarity", "safety", "latency", "availability", "ease",
];

/// Verbs people do with a platform (for "How do you test and deploy…").
#[rustfmt::skip]
pub const ACTIONS: &[&str] = &[
    "use", "deploy", "test", "build", "monitor", "review", "release", "debug", "configure", "approve", "merge",
    "ship", "write", "find", "fix", "check", "track", "measure", "trust", "understand", "learn", "manage",
    "maintain", "run", "install", "update", "create", "design", "plan", "document", "roll", "rollback",
    "provision", "scale", "observe", "investigate", "diagnose", "troubleshoot", "like", "dislike", "value",
    "choose", "pick", "decide", "prioritise", "prioritize", "estimate", "recover", "restore", "promote",
];

#[rustfmt::skip]
pub const WH: &[&str] = &["what", "how", "why", "when", "where", "who", "which", "whom", "whose"];

/// Nouns that name a feature or a piece of a product.
#[rustfmt::skip]
pub const FEATURES: &[&str] = &[
    "button", "buttons", "feature", "features", "option", "options", "toggle", "setting", "settings", "switch",
    "dashboard", "dashboards", "page", "tab", "screen", "view", "menu", "integration", "plugin", "shortcut",
    "command", "api", "bot", "alert", "alerts", "notification", "notifications", "report", "widget", "mode",
    "wizard", "template", "templates", "panel", "filter", "field", "checkbox", "dropdown", "tool", "app",
    "extension", "workflow", "automation", "chatbot", "sidebar", "link", "email", "digest", "webhook", "cli",
    "flag", "ui", "function", "functionality", "capability",
];

/// Words whose meaning each person sets for themselves.
#[rustfmt::skip]
pub const VAGUE: &[&str] = &[
    "often", "usually", "normally", "typically", "generally", "frequently", "regularly", "sometimes",
    "occasionally", "rarely", "seldom", "a lot", "lots", "a bit", "a little", "several", "a few", "recently",
    "lately", "these days", "nowadays", "most of the time", "in general", "good", "bad", "easy", "hard",
    "difficult", "simple", "nice", "great", "better", "best", "worse", "worst", "fast", "slow", "quick",
    "quickly", "poor", "efficient", "effective", "intuitive", "user-friendly", "convenient", "smooth",
    "seamless", "reliable", "stable", "helpful", "useful", "satisfied", "fine", "properly", "enough", "much",
    "many", "big", "small", "soon", "ok", "okay", "well", "successful", "efficiently", "frequent", "robust",
];

/// Words and phrases that give a question a concrete reference point.
#[rustfmt::skip]
pub const ANCHORS: &[&str] = &[
    "mean by", "define", "in what way", "in what ways",
    "the last time", "last week", "last month", "last sprint", "last quarter", "last year", "last deploy",
    "last release", "last incident", "last change", "last rollback", "yesterday", "today", "this week",
    "this month", "this morning", "this sprint", "this quarter", "this year", "in the past", "in the last",
    "over the last", "over the past", "since", "per day", "per week", "per month", "per deploy", "a day",
    "a week", "a month", "a year", "each day", "each week", "each time", "every day", "every week",
    "every month", "every time", "for example", "specific", "a time when", "a time that", "a time you",
    "a time a", "a time the", "most recent", "how many", "how long", "minutes", "hours", "days", "weeks",
    "months", "percent", "out of", "scale", "compared", "than", "the last", "last time", "one time",
];

/// Acronyms and product names everyone knows.
#[rustfmt::skip]
pub const COMMON_TERMS: &[&str] = &[
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October", "November", "December",
    "OK", "TV", "US", "USA", "UK", "EU", "AM", "PM", "FAQ", "GitHub", "GitLab", "PagerDuty", "LinkedIn",
    "YouTube", "JavaScript", "TypeScript", "PowerPoint", "iPhone", "iPad", "macOS", "iOS", "PostgreSQL",
    "MySQL", "JetBrains", "IntelliJ", "CircleCI", "OpsGenie", "ServiceNow", "WhatsApp", "OpenAI", "ChatGPT",
    "BitBucket", "Bitbucket", "CloudFormation", "CloudWatch", "SonarQube", "DynamoDB", "MongoDB", "BigQuery",
    "TeamCity", "OneDrive", "SharePoint", "FaceTime", "DevOps", "YAML", "JSON", "URL", "PDF", "CEO", "CTO",
    "HR", "IT", "Q1", "Q2", "Q3", "Q4", "H1", "H2",
];

#[rustfmt::skip]
pub const CHARGED: &[&str] = &[
    "frustrating", "frustrated", "frustration", "annoying", "annoyed", "annoyance", "terrible", "awful",
    "horrible", "horrendous", "dreadful", "painful", "hate", "hated", "loathe", "disaster", "disastrous",
    "nightmare", "stupid", "ridiculous", "useless", "pointless", "clunky", "mess", "messy", "headache",
    "headaches", "struggle", "struggling", "suffer", "suffering", "angry", "furious", "upset", "disappointing",
    "embarrassing", "incompetent", "lazy", "blame", "garbage", "crap", "sucks", "insane", "crazy", "absurd",
    "worthless", "archaic", "bloated", "amazing", "awesome", "fantastic", "wonderful", "brilliant", "perfect",
    "horrid", "pathetic", "infuriating", "maddening", "hellish", "agony", "torture", "idiotic",
];

#[rustfmt::skip]
pub const PRESUMPTIONS: &[&str] = &[
    "what's wrong with", "what is wrong with", "what was wrong with", "what's bad about", "what is bad about",
    "why don't you", "why didn't you", "why doesn't", "why can't", "why won't", "why do you hate",
    "why do you avoid", "why do you refuse", "how bad", "what's the worst", "what is the worst",
    "biggest problem", "biggest problems", "biggest pain", "pain points", "pain point", "what do you hate",
    "what problems do you have", "why is it so", "what annoys you", "what's broken", "what is broken",
    "what was broken", "what's annoying about", "what is annoying about", "what sucks",
];

#[rustfmt::skip]
pub const DETERMINERS: &[&str] =
    &["the", "a", "an", "your", "our", "this", "that", "these", "those", "their", "my", "its"];

#[rustfmt::skip]
pub const STOPS: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "being", "so", "if", "when", "because", "than", "to", "and",
    "or", "but", "would", "will", "could", "should", "can", "has", "have", "had", "makes", "made", "works",
    "worked", "helps", "helped", "feels", "felt", "seems", "looks", "do", "does", "did", "for", "with", "in",
    "on", "at", "from", "that", "which", "who", "isn't", "aren't", "wasn't", "doesn't", "didn't", "really",
    "more", "less", "right", "correct", "you", "we", "they", "it", "now", "today", "faster", "slower",
    "better", "worse",
];

#[rustfmt::skip]
pub const PARTICIPLES: &[(&str, &str)] = &[
    ("seen", "saw"), ("been", "were"), ("done", "did"), ("gone", "went"), ("taken", "took"), ("given", "gave"),
    ("written", "wrote"), ("broken", "broke"), ("gotten", "got"), ("forgotten", "forgot"), ("chosen", "chose"),
    ("driven", "drove"), ("known", "knew"), ("shown", "showed"), ("spoken", "spoke"), ("eaten", "ate"),
    ("fallen", "fell"), ("begun", "began"), ("run", "ran"), ("come", "came"), ("become", "became"),
    ("ridden", "rode"), ("hidden", "hid"), ("stolen", "stole"), ("woken", "woke"), ("worn", "wore"),
];

/// Expansions of acronyms common in platform engineering.
#[rustfmt::skip]
pub const EXPANSIONS: &[(&str, &str)] = &[
    ("SLO", "service level objective"), ("SLA", "service level agreement"), ("SLI", "service level indicator"),
    ("CI", "continuous integration"), ("CD", "continuous delivery"),
    ("CI/CD", "continuous integration and delivery"), ("PR", "pull request"), ("MR", "merge request"),
    ("MTTR", "mean time to recovery"), ("SRE", "site reliability engineering"),
    ("RBAC", "role-based access control"), ("IaC", "infrastructure as code"), ("K8s", "Kubernetes"),
    ("k8s", "Kubernetes"), ("API", "application programming interface"), ("CLI", "command line"),
    ("UI", "user interface"), ("UX", "user experience"), ("QA", "quality assurance"),
    ("OKR", "objectives and key results"), ("KPI", "key performance indicator"),
    ("RFC", "request for comments"), ("ADR", "architecture decision record"),
    ("IDP", "internal developer platform"), ("DX", "developer experience"), ("VM", "virtual machine"),
    ("DB", "database"), ("MVP", "minimum viable product"), ("SDK", "software development kit"),
    ("DORA", "DevOps Research and Assessment"), ("NPS", "Net Promoter Score"),
    ("PaaS", "platform as a service"), ("IAM", "identity and access management"),
    ("DNS", "domain name system"), ("CVE", "published security vulnerability"), ("GA", "general availability"),
    ("ETA", "expected time"), ("P0", "top-priority incident"), ("P1", "high-priority incident"),
    ("AWS", "Amazon Web Services"), ("GCP", "Google Cloud"),
];
