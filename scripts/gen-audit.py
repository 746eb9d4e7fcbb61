#!/usr/bin/env python3
"""Writes a Kubernetes audit log (audit.k8s.io/v1 Events, one JSON object a line, as the API
server's log backend writes it) that looks real, and the directory CSV of its people, from a
fixed seed: about 240 people and 60 service accounts, verbs, resources, subresources,
namespaces, response codes, both stages (RequestReceived and ResponseComplete; watches also
ResponseStarted), over the 60 days before --end.

    scripts/gen-audit.py --lines 1000000 --out audit.log --people people.csv [--seed 7]
"""
import argparse
import datetime as dt
import json
import random
import zlib

FIRST = "ana bo carla dev eli femi gus hana ivan jo kai lea mo nia omar pia quinn ravi sol tia uma vic wen xia yara zane".split()
LAST = "silva chen diaz okafor kim novak rossi tanaka mensah fischer nair dubois".split()
TEAMS = ["checkout", "payments", "identity", "search", "mobile", "data", "platform", "infra", "growth", "ads"]
KINDS = ["service", "service", "service", "ops", "test", "read"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True)
    ap.add_argument("--people", required=True)
    ap.add_argument("--end", default="2026-11-30T18:00:00+00:00")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    end = dt.datetime.fromisoformat(a.end)

    people = []
    for f in FIRST:
        for l in LAST[:10]:
            if len(people) < 240:
                team = rng.choice(TEAMS)
                people.append((f"{f}.{l}@example.com", f"{f.title()} {l.title()}", team, rng.choice(KINDS)))
    with open(a.people, "w") as out:
        out.write("email,name,team,role\n")
        # 200 of the 240 are in the directory; the rest come up as unmatched actors.
        for email, name, team, kind in people[:200]:
            title = {"service": "Software Engineer", "ops": "SRE", "test": "QA Engineer", "read": "Engineering Manager"}[kind]
            out.write(f"{email},{name},{team},{title}\n")
    accounts = [(f"system:serviceaccount:{rng.choice(TEAMS)}:{n}-{i}", "sa") for i, n in enumerate(["deployer", "argocd", "ci-runner", "keda", "backup"] * 12)]
    actors = [(p[0], p[3], p[2]) for p in people] + [(sa, kind, sa.split(":")[2]) for sa, kind in accounts]
    weights = [rng.paretovariate(1.2) for _ in actors]
    namespaces = TEAMS + [f"{t}-staging" for t in TEAMS] + ["ci-e2e", "ci-load", "kube-system", "monitoring", "ingress"]

    verbs = {
        "service": [("get", "pods", "", 25), ("list", "deployments", "", 15), ("patch", "deployments", "", 12), ("get", "pods", "log", 10),
                    ("update", "configmaps", "", 6), ("create", "services", "", 3), ("watch", "pods", "", 8), ("get", "secrets", "", 5)],
        "ops": [("create", "pods", "exec", 12), ("patch", "deployments", "scale", 6), ("get", "nodes", "", 10), ("patch", "nodes", "", 3),
                ("delete", "pods", "", 8), ("list", "pods", "", 20), ("create", "pods", "portforward", 3), ("create", "pods", "eviction", 2)],
        "test": [("create", "jobs", "", 20), ("get", "jobs", "", 15), ("delete", "jobs", "", 5), ("get", "pods", "log", 15), ("list", "pods", "", 10)],
        "read": [("get", "deployments", "", 30), ("list", "pods", "", 30), ("watch", "events", "", 10), ("get", "services", "", 10)],
        "sa": [("patch", "deployments", "", 20), ("get", "deployments", "", 30), ("update", "horizontalpodautoscalers", "", 10), ("list", "pods", "", 20), ("watch", "configmaps", "", 20)],
    }
    written = 0
    n = 0
    with open(a.out, "w") as out:
        while written < a.lines:
            actor, kind, team = rng.choices(actors, weights)[0]
            verb, resource, sub, _ = rng.choices(verbs[kind], [v[3] for v in verbs[kind]])[0]
            if kind == "test":
                ns = rng.choice(["ci-e2e", "ci-load", f"{team}-staging"])
            elif kind == "ops":
                ns = rng.choice(namespaces)
            else:
                ns = team if rng.random() < 0.8 else f"{team}-staging" if team in TEAMS else team
            if kind == "sa":
                t = end - dt.timedelta(seconds=rng.randrange(60 * 86400))
            else:
                day = rng.randrange(60)
                t = (end - dt.timedelta(days=day)).replace(hour=rng.randint(8, 18), minute=rng.randrange(60), second=rng.randrange(60))
            t = t.replace(microsecond=rng.randrange(1_000_000))
            ts = t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            code = 201 if verb == "create" else 101 if sub in ("exec", "portforward") else 200
            r = rng.random()
            if r < 0.04:
                code = 403
            elif r < 0.08 and verb == "get":
                code = 404
            obj = {"resource": resource, "namespace": ns, "name": f"{resource[:-1]}-{rng.randrange(40)}", "apiVersion": "v1"}
            if resource in ("deployments", "jobs"):
                obj["apiGroup"] = "apps" if resource == "deployments" else "batch"
            if sub:
                obj["subresource"] = sub
            if resource == "nodes":
                obj.pop("namespace")
            n += 1
            audit_id = f"{n:08x}-6c1b-4b8e-9a43-{rng.getrandbits(48):012x}"
            uri = f"/api/v1/namespaces/{ns}/{resource}/{obj['name']}" + (f"/{sub}" if sub else "")
            base = {
                "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": audit_id,
                "requestURI": uri, "verb": verb,
                "user": {"username": actor, "uid": f"{zlib.crc32(actor.encode()) % 10**8}", "groups": ["system:authenticated"]},
                "sourceIPs": [f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"],
                "userAgent": "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350" if kind != "sa" else "argocd-application-controller/v2.11",
                "objectRef": obj, "requestReceivedTimestamp": ts,
            }
            # Now and then someone acts through a break-glass account impersonating themselves.
            if kind != "sa" and (n == 1 or rng.random() < 0.005):
                base["impersonatedUser"] = {"username": actor, "groups": ["system:authenticated"]}
                base["user"] = {"username": "break-glass-admin", "groups": ["system:masters"]}
            stages = ["RequestReceived", "ResponseStarted", "ResponseComplete"] if verb == "watch" else ["RequestReceived", "ResponseComplete"]
            for stage in stages:
                ev = dict(base, stage=stage, stageTimestamp=ts)
                if stage != "RequestReceived":
                    ev["responseStatus"] = {"metadata": {}, "code": code}
                    ev["annotations"] = {"authorization.k8s.io/decision": "allow" if code != 403 else "forbid", "authorization.k8s.io/reason": ""}
                out.write(json.dumps(ev, separators=(",", ":")))
                out.write("\n")
                written += 1
                if written >= a.lines:
                    break


if __name__ == "__main__":
    main()
