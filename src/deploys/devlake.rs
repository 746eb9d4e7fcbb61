//! DevLake's webhook deployment JSON (`POST /api/plugins/webhook/connections/:id/deployments`),
//! as a file: one object, an array of them, or one a line.
//!
//! Keys read (snake_case or DevLake's camelCase): `id` (older payloads: `pipeline_id`), `result`
//! (`SUCCESS` by default; `FAILURE`/`FAILED`/`ERROR` are failed, `ROLLBACK`/`ROLLED_BACK` rolled
//! back), `environment` (`PRODUCTION` by default), `start_time` (required), `end_time`,
//! `deployment_commits: [{commit_sha, repo_url, ref_name, start_time, ...}]` (older payloads
//! put `commit_sha` and `repo_url` at the top). DevLake has no service: it is `service` when
//! present, else the one given to the import, else the repository's name from `repo_url`. The
//! version is the first commit's sha. DevLake sends no commit time, so no lead time.

use serde_json::Value;

use super::{check_deploy, NewDeploy};
use crate::error::{Error, Result};

fn get<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().find_map(|k| v.get(*k)).filter(|v| !v.is_null())
}

fn get_str<'a>(at: &str, v: &'a Value, keys: &[&str]) -> Result<Option<&'a str>> {
    match get(v, keys) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str()).filter(|s| !s.trim().is_empty())),
        Some(_) => Err(Error::invalid(at, format!("field `{}`: expected a string", keys[0]))),
    }
}

/// Whether a JSON object is a DevLake deployment rather than a Rapport deploy line.
pub fn is_devlake(v: &Value) -> bool {
    v.get("outcome").is_none()
        && [
            "deployment_commits",
            "deploymentCommits",
            "pipeline_id",
            "commit_sha",
            "start_time",
            "startedDate",
            "result",
        ]
        .iter()
        .any(|k| v.get(*k).is_some())
}

fn repo_name(url: &str) -> Option<String> {
    let last = url.trim_end_matches('/').rsplit(['/', ':']).next()?;
    let name = last.trim_end_matches(".git");
    (!name.is_empty()).then(|| name.to_string())
}

/// One DevLake deployment as a deploy.
pub fn deploy(at: &str, v: &Value, service: Option<&str>) -> Result<NewDeploy> {
    if !v.is_object() {
        return Err(Error::invalid(at, "expected a DevLake deployment object"));
    }
    let commits: Vec<&Value> = match get(v, &["deployment_commits", "deploymentCommits"]) {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(_) => return Err(Error::invalid(at, "field `deployment_commits`: expected a list")),
    };
    let first = commits.first().copied();
    let commit_sha = match first {
        Some(c) => get_str(at, c, &["commit_sha", "commitSha"])?,
        None => get_str(at, v, &["commit_sha", "commitSha"])?,
    };
    let repo_url = match first {
        Some(c) => get_str(at, c, &["repo_url", "repoUrl"])?,
        None => get_str(at, v, &["repo_url", "repoUrl"])?,
    };
    let named = get_str(at, v, &["service"])?.map(String::from);
    let service =
        named.or(service.map(String::from)).or_else(|| repo_url.and_then(repo_name)).ok_or_else(|| {
            Error::invalid(
                at,
                "field `service`: DevLake names no service; give one with --service or a repo_url",
            )
        })?;
    let id = get_str(at, v, &["id", "pipeline_id", "pipelineId"])?;
    let result = get_str(at, v, &["result"])?.unwrap_or("SUCCESS").to_ascii_uppercase();
    let outcome = match result.as_str() {
        "SUCCESS" => "success",
        "FAILURE" | "FAILED" | "ERROR" => "failed",
        "ROLLBACK" | "ROLLED_BACK" | "ROLLEDBACK" => "rolled_back",
        other => {
            return Err(Error::invalid(
                at,
                format!("field `result`: expected SUCCESS, FAILURE or ROLLBACK, found {other:?}"),
            ))
        }
    };
    let started = get_str(at, v, &["start_time", "startedDate", "started_date"])?
        .or(match first {
            Some(c) => get_str(at, c, &["start_time", "startedDate"])?,
            None => None,
        })
        .ok_or_else(|| Error::invalid(at, "field `start_time`: expected an RFC 3339 time, found none"))?;
    let finished = get_str(at, v, &["end_time", "finishedDate", "finished_date"])?;
    let environment = get_str(at, v, &["environment"])?.unwrap_or("PRODUCTION");
    check_deploy(
        at,
        id,
        &service,
        environment,
        started,
        finished,
        outcome,
        commit_sha,
        None,
        None,
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_repository_url_names_the_service() {
        assert_eq!(
            super::repo_name("https://github.com/acme/checkout-api.git").as_deref(),
            Some("checkout-api")
        );
        assert_eq!(super::repo_name("git@github.com:acme/search.git").as_deref(), Some("search"));
    }
}
