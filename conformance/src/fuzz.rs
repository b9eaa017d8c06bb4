//! The generated requests of one operation: deterministic boundary cases first,
//! then `--cases` random positive and negative cases, then the key checks.
//!
//! A random case that fails a check is shrunk (proptest's `simplify`/`complicate`)
//! to the smallest request that still fails **the same check**; a negative case
//! is re-derived and re-validated at every step, so a shrunk negative case is
//! still invalid, for a named reason. The failure is reported with the shrunk
//! request as curl and the seed that replays it.

use futures::StreamExt;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use serde_json::{Value, json};

use crate::checks::input::{
    self, MISSING_API_KEY, MISSING_SUBSCRIPTION_KEY, NEGATIVE_DATA_REJECTION,
    POSITIVE_DATA_ACCEPTANCE, WRONG_API_KEY, WRONG_SUBSCRIPTION_KEY,
};
use crate::checks::response::RESPONSE_COMPLETES;
use crate::context::{Ctx, GeneratedCase, build_request};
use crate::fixtures::{Fixtures, Prepared};
use crate::generate::boundary::{extremes, positive_boundaries};
use crate::generate::mutate::{Mutation, mutations};
use crate::generate::strategy::{Optional, value_strategy};
use crate::generate::{self};
use crate::http::{Keys, RawRequest, RawResponse, RequestBody};
use crate::record::Verdict;
use crate::spec_model::{Operation, ParameterLocation};

/// What kind of case a value is turned into.
#[derive(Debug, Clone)]
enum Mode {
    /// Sent as it is (after pinning); must be accepted.
    Positive,
    /// One constraint broken; must get 400. `preferred` keeps the same broken
    /// constraint while shrinking, when the smaller request still has it.
    Negative { preferred: Option<String> },
}

/// One sent case and what the checks said.
#[derive(Debug)]
struct Attempt {
    request: RawRequest,
    response: Option<RawResponse>,
    verdicts: Vec<(&'static str, Verdict)>,
    label: String,
    /// The label before the negative case's constraint was added (for shrinking).
    base: String,
    mutation: Option<Mutation>,
}

impl Attempt {
    fn first_failure(&self) -> Option<&'static str> {
        self.verdicts
            .iter()
            .find(|(_, v)| matches!(v, Verdict::Fail(_)))
            .map(|(check, _)| *check)
    }

    fn fails(&self, check: &str) -> bool {
        self.verdicts
            .iter()
            .any(|(c, v)| *c == check && matches!(v, Verdict::Fail(_)))
    }
}

/// How many random cases of each kind `op` gets: none for an operation without
/// parameters or body (it has one request only, the boundary case covers it).
fn random_cases(op: &Operation, cases: u32) -> u32 {
    if op.parameters.is_empty() && op.body.is_none() {
        0
    } else {
        cases
    }
}

/// One of the parts the generated cases of an operation are split into, so that
/// they run on several threads: part `index` of `count` sends the random cases
/// whose number is `index` modulo `count`; part 0 also sends the boundary cases
/// and the key checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which part, from 0.
    pub index: usize,
    /// How many parts there are.
    pub count: usize,
}

/// Whether the cases of `op` must go one after another: each `regenerateApiKey`
/// changes the key the next case sends.
fn one_at_a_time(op: &Operation) -> bool {
    op.id == "regenerateApiKey"
}

/// Into how many parts the cases of `op` are split on `threads` threads: one
/// where there are no random cases, or where they must go one after another.
pub fn shard_count(op: &Operation, cases: u32, threads: usize) -> usize {
    if one_at_a_time(op) {
        1
    } else {
        threads.clamp(1, random_cases(op, cases).max(1) as usize)
    }
}

/// Runs the generated cases of `op` that belong to `shard`: the boundary cases,
/// its random cases, then the key checks (the last two only in part 0).
pub async fn run_operation(ctx: &Ctx, fx: &Fixtures, op: &Operation, shard: Shard) {
    if shard.index == 0 {
        let minimal = boundary_cases(ctx, fx, op).await;
        random_cases_of(ctx, fx, op, shard).await;
        key_checks(ctx, fx, op, &minimal).await;
    } else {
        random_cases_of(ctx, fx, op, shard).await;
    }
}

/// The deterministic cases of `op`: the positive boundaries, one negative case per
/// breakable constraint, non-JSON bodies and malformed query bytes; returns the
/// minimal valid request (the base of the key checks).
async fn boundary_cases(ctx: &Ctx, fx: &Fixtures, op: &Operation) -> Value {
    let raw = ctx.model.raw();
    let mut runner = generate::runner(ctx.settings.seed, &op.id);
    let (minimal, maximal) = extremes(raw, &op.request_schema, &mut runner);

    for case in positive_boundaries(raw, &op.request_schema, &minimal, &maximal) {
        let label = format!("positive boundary: {}", case.name);
        match attempt(
            ctx,
            fx,
            op,
            &Mode::Positive,
            json!({"input": case.input, "pick": 0}),
            &label,
        )
        .await
        {
            Ok(a) => record(ctx, op, a, Some(boundary_replay(ctx, op)), 0),
            Err(reason) => ctx
                .recorder
                .skip(&op.id, POSITIVE_DATA_ACCEPTANCE.name, reason),
        }
    }

    let mut base = maximal.clone();
    match fx.prepare(ctx, op, &mut base, false).await {
        Ok(prepared) => {
            for mutation in mutations(raw, &op.request_schema, &base) {
                if let Some(input) = mutation.apply(&base, &op.request_validator) {
                    let label = format!(
                        "negative boundary: {} ({})",
                        mutation.name(),
                        mutation.description
                    );
                    let request = build_request(op, &input, &prepared.keys);
                    let a = send(
                        ctx,
                        op,
                        request,
                        &Mode::Negative { preferred: None },
                        Some(mutation),
                        label,
                    )
                    .await;
                    follow_regenerated_key(op, &prepared, a.response.as_ref());
                    record(ctx, op, a, Some(boundary_replay(ctx, op)), 0);
                }
            }
            if op.body.is_some() {
                for (why, bytes) in raw_negative_bodies() {
                    let mut request = build_request(op, &base, &prepared.keys);
                    request.body = RequestBody::Raw {
                        content_type: "application/json".into(),
                        bytes,
                    };
                    let label = format!("negative: {why}");
                    let a = send(
                        ctx,
                        op,
                        request,
                        &Mode::Negative { preferred: None },
                        None,
                        label,
                    )
                    .await;
                    follow_regenerated_key(op, &prepared, a.response.as_ref());
                    record(ctx, op, a, Some(boundary_replay(ctx, op)), 0);
                }
            }
            // Bytes no generator makes: broken percent-escapes, NUL, invalid
            // UTF-8 in each query parameter. Whatever the verdict on the value,
            // the answer must be a documented, well-formed one (no 5xx).
            for parameter in op
                .parameters
                .iter()
                .filter(|p| p.location == ParameterLocation::Query)
            {
                for raw in ["%FF%FE", "%00", "%E2%82", "a%2", "%zz"] {
                    let mut request = build_request(op, &base, &prepared.keys);
                    request.query.retain(|(k, _)| *k != parameter.name);
                    request.raw_query = Some(format!("{}={raw}", parameter.name));
                    let response = ctx.exchange(op, &request).await;
                    follow_regenerated_key(op, &prepared, response.as_ref());
                }
            }
        }
        Err(reason) => ctx
            .recorder
            .skip(&op.id, NEGATIVE_DATA_REJECTION.name, reason),
    }

    minimal
}

/// The random cases of `op` in `shard`, positive and negative alternately.
async fn random_cases_of(ctx: &Ctx, fx: &Fixtures, op: &Operation, shard: Shard) {
    let raw = ctx.model.raw();
    let positive = value_strategy(raw, &op.request_schema, Optional::Random)
        .prop_map(|input| json!({"input": input, "pick": 0}))
        .boxed();
    let negative = (
        value_strategy(raw, &op.request_schema, Optional::Random),
        any::<Index>(),
    )
        .prop_map(|(input, pick)| json!({"input": input, "pick": pick.index(1 << 20)}))
        .boxed();
    // Each case is drawn by a generator of its own, seeded with the seed, the
    // operation, its kind and its number, so the same seed gives the same cases
    // however they are split. A part sends up to its window at a time, and
    // `buffered` hands the results back in case order.
    let numbers = (0..random_cases(op, ctx.settings.cases))
        .filter(|i| *i as usize % shard.count == shard.index);
    let drawn =
        numbers.flat_map(|i| [(i, Mode::Positive), (i, Mode::Negative { preferred: None })]);
    let cases = futures::stream::iter(drawn).map(|(i, mode)| {
        let (kind, strategy) = match mode {
            Mode::Positive => ("positive", &positive),
            Mode::Negative { .. } => ("negative", &negative),
        };
        let mut runner = generate::runner(ctx.settings.seed, &format!("{}/{kind}/{i}", op.id));
        let tree = strategy.new_tree(&mut runner);
        random_case(ctx, fx, op, mode, tree.ok(), i)
    });
    let mut results = cases.buffered(case_window(ctx, op, shard));
    while let Some(outcome) = results.next().await {
        match outcome {
            CaseOutcome::Skipped(check, reason) => ctx.recorder.skip(&op.id, check, reason),
            CaseOutcome::Sent(attempt, replay, rank) => record(ctx, op, *attempt, replay, rank),
            CaseOutcome::NotDrawn => {}
        }
    }
}

/// How many random cases of `shard` are in flight at once: its share of what the
/// run allows (so that the parts on other threads do not wait for a slot), or
/// one where cases must go one after another.
fn case_window(ctx: &Ctx, op: &Operation, shard: Shard) -> usize {
    if one_at_a_time(op) {
        1
    } else {
        (ctx.settings.concurrency / shard.count).max(1)
    }
}

/// What became of one drawn random case.
enum CaseOutcome {
    /// The generator could not draw a value.
    NotDrawn,
    /// The case could not be made (the check it was for, and why).
    Skipped(&'static str, String),
    /// The case was sent (and shrunk if it failed), with the replay command of a
    /// failure and its rank.
    Sent(Box<Attempt>, Option<String>, u64),
}

/// Sends random case number `i` of `op` drawn as `tree`, shrinking it if it fails.
async fn random_case(
    ctx: &Ctx,
    fx: &Fixtures,
    op: &Operation,
    mode: Mode,
    tree: Option<Box<dyn ValueTree<Value = Value>>>,
    i: u32,
) -> CaseOutcome {
    let Some(mut tree) = tree else {
        return CaseOutcome::NotDrawn;
    };
    let (kind, check) = match mode {
        Mode::Positive => ("positive", POSITIVE_DATA_ACCEPTANCE.name),
        Mode::Negative { .. } => ("negative", NEGATIVE_DATA_REJECTION.name),
    };
    let label = format!("{kind} random case #{}", i + 1);
    match attempt(ctx, fx, op, &mode, tree.current(), &label).await {
        Err(reason) => CaseOutcome::Skipped(check, reason),
        Ok(first) => match first.first_failure() {
            None => CaseOutcome::Sent(Box::new(first), None, random_rank(i, &mode)),
            Some(check) => {
                let shrunk = shrink(ctx, fx, op, &mode, &mut *tree, first, check).await;
                let replay = format!(
                    "ssp-conformance run <target options> --seed {} --operations {} --checks {check} --cases {}",
                    ctx.settings.seed,
                    op.id,
                    i + 1
                );
                CaseOutcome::Sent(Box::new(shrunk), Some(replay), random_rank(i, &mode))
            }
        },
    }
}

/// The command line that replays the boundary cases of `op` (they depend on the
/// seed only through the drawn minimal and maximal requests).
fn boundary_replay(ctx: &Ctx, op: &Operation) -> String {
    format!(
        "ssp-conformance run <target options> --seed {} --operations {} --cases 0",
        ctx.settings.seed, op.id
    )
}

/// Bodies that are not JSON (and so never valid): truncated, not UTF-8, nested
/// deeper than any parser should follow.
fn raw_negative_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let depth = 10_000;
    let mut nested = "[".repeat(depth).into_bytes();
    nested.extend("]".repeat(depth).into_bytes());
    vec![
        ("the body is not JSON", br#"{"truncated": "#.to_vec()),
        ("the body is not UTF-8", b"{\"x\": \"\xff\xfe\"}".to_vec()),
        ("the body nests 10000 arrays deep", nested),
    ]
}

/// Shrinks a failing case to the smallest one that still fails `check`.
async fn shrink(
    ctx: &Ctx,
    fx: &Fixtures,
    op: &Operation,
    mode: &Mode,
    tree: &mut dyn ValueTree<Value = Value>,
    first: Attempt,
    check: &'static str,
) -> Attempt {
    let mut best = first;
    if check == RESPONSE_COMPLETES.name || !tree.simplify() {
        return best;
    }
    let mode = match mode {
        Mode::Negative { .. } => Mode::Negative {
            preferred: best.mutation.as_ref().map(Mutation::name),
        },
        Mode::Positive => Mode::Positive,
    };
    let mut steps = 0;
    let mut accepted = 0;
    while steps < ctx.settings.max_shrink_steps {
        steps += 1;
        let probe = attempt(ctx, fx, op, &mode, tree.current(), &best.base).await;
        match probe {
            Ok(a) if a.fails(check) => {
                accepted += 1;
                best = a;
                if !tree.simplify() {
                    break;
                }
            }
            _ => {
                if !tree.complicate() {
                    break;
                }
            }
        }
    }
    best.label = format!("{} (shrunk in {accepted} of {steps} steps)", best.label);
    best
}

/// Pins, derives (for negative cases) and sends one generated value.
async fn attempt(
    ctx: &Ctx,
    fx: &Fixtures,
    op: &Operation,
    mode: &Mode,
    value: Value,
    label: &str,
) -> Result<Attempt, String> {
    let mut input = value.get("input").cloned().unwrap_or(Value::Null);
    let pick = value.get("pick").and_then(Value::as_u64).unwrap_or(0) as usize;
    let fresh = matches!(mode, Mode::Positive);
    let prepared: Prepared = fx.prepare(ctx, op, &mut input, fresh).await?;
    match mode {
        Mode::Positive => {
            let violations = if op.request_validator.is_valid(&input) {
                Vec::new()
            } else {
                op.request_validator.violations(&input)
            };
            if let Some(v) = violations.first() {
                return Err(format!(
                    "the generator made an invalid request ({v}); please report this"
                ));
            }
            let request = build_request(op, &input, &prepared.keys);
            let a = send(ctx, op, request, mode, None, label.to_string()).await;
            follow_regenerated_key(op, &prepared, a.response.as_ref());
            Ok(a)
        }
        Mode::Negative { preferred } => {
            let list = mutations(ctx.model.raw(), &op.request_schema, &input);
            if list.is_empty() {
                return Err("no constraint of this request can be broken".into());
            }
            let start = preferred
                .as_ref()
                .and_then(|name| list.iter().position(|m| &m.name() == name))
                .unwrap_or(pick % list.len());
            let found = (0..list.len())
                .map(|k| &list[(start + k) % list.len()])
                .find_map(|m| {
                    m.apply(&input, &op.request_validator)
                        .map(|mutated| (m.clone(), mutated))
                });
            let Some((mutation, mutated)) = found else {
                return Err("no single constraint of this request can be broken alone".into());
            };
            let request = build_request(op, &mutated, &prepared.keys);
            let named = format!("{label}: {} ({})", mutation.name(), mutation.description);
            let mut a = send(ctx, op, request, mode, Some(mutation), named).await;
            a.base = label.to_string();
            follow_regenerated_key(op, &prepared, a.response.as_ref());
            Ok(a)
        }
    }
}

/// Sends one case and judges it (nothing is recorded yet).
async fn send(
    ctx: &Ctx,
    op: &Operation,
    request: RawRequest,
    mode: &Mode,
    mutation: Option<Mutation>,
    label: String,
) -> Attempt {
    let base = label.clone();
    match ctx.probe(&request).await {
        Err(error) => Attempt {
            verdicts: vec![(
                RESPONSE_COMPLETES.name,
                Verdict::Fail(format!("{}: {error}", op.id)),
            )],
            request,
            response: None,
            label,
            base,
            mutation,
        },
        Ok(response) => {
            let mut verdicts = vec![(RESPONSE_COMPLETES.name, Verdict::Pass)];
            verdicts.extend(ctx.evaluate(op, &request, &response));
            ctx.note_legacy(op, &response, &verdicts);
            let input_verdict = match mode {
                Mode::Positive => (
                    POSITIVE_DATA_ACCEPTANCE.name,
                    input::positive_data_acceptance(&response),
                ),
                Mode::Negative { .. } => {
                    let why = mutation
                        .as_ref()
                        .map(|m| format!("{} {}", m.pointer, m.description))
                        .unwrap_or_else(|| label.trim_start_matches("negative: ").to_string());
                    (
                        NEGATIVE_DATA_REJECTION.name,
                        input::negative_data_rejection(&response, &why),
                    )
                }
            };
            verdicts.push(input_verdict);
            Attempt {
                request,
                response: Some(response),
                verdicts,
                label,
                base,
                mutation,
            }
        }
    }
}

/// Records a boundary case (`rank` 0: they come first, in the order sent) or
/// random case `i` (rank `1 + 2i`, `2 + 2i` for its negative twin).
fn record(ctx: &Ctx, op: &Operation, a: Attempt, replay: Option<String>, rank: u64) {
    let case = GeneratedCase {
        label: &a.label,
        replay,
        rank,
    };
    ctx.record_all(
        &op.id,
        a.verdicts,
        &a.request,
        a.response.as_ref(),
        Some(case),
    );
}

/// The rank of random case `i` in `mode` (see [`record`]).
fn random_rank(i: u32, mode: &Mode) -> u64 {
    1 + 2 * u64::from(i) + u64::from(matches!(mode, Mode::Negative { .. }))
}

/// After an accepted `regenerateApiKey`, the vendor's key is the new one.
fn follow_regenerated_key(op: &Operation, prepared: &Prepared, response: Option<&RawResponse>) {
    if op.id != "regenerateApiKey" {
        return;
    }
    let (Some(vendor), Some(response)) = (&prepared.vendor, response) else {
        return;
    };
    if let Some(key) = response
        .is_success()
        .then(|| response.json().ok())
        .flatten()
        .and_then(|b| b.get("apikey").and_then(Value::as_str).map(str::to_string))
    {
        vendor.set_api_key(&key);
    }
}

/// A key check: its name, what the request lacks, and how its keys are altered
/// (`None`: the check does not apply).
type KeyVariant = (&'static str, &'static str, fn(&Keys) -> Option<Keys>);

/// The four key checks on a valid request of `op`.
async fn key_checks(ctx: &Ctx, fx: &Fixtures, op: &Operation, minimal: &Value) {
    let variants: [KeyVariant; 4] = [
        (
            MISSING_SUBSCRIPTION_KEY.name,
            "without Ocp-Apim-Subscription-Key",
            |k| {
                Some(Keys {
                    subscription_key: None,
                    ..k.clone()
                })
            },
        ),
        (
            WRONG_SUBSCRIPTION_KEY.name,
            "with an unknown subscription key",
            |k| {
                Some(Keys {
                    subscription_key: Some("ssp-conformance-unknown-subscription-key".into()),
                    ..k.clone()
                })
            },
        ),
        (MISSING_API_KEY.name, "without the apikey", |k| {
            k.api_key.as_ref().map(|_| Keys {
                api_key: None,
                ..k.clone()
            })
        }),
        (WRONG_API_KEY.name, "with an unknown apikey", |k| {
            k.api_key.as_ref().map(|_| Keys {
                api_key: Some("ak_ssp_conformance_unknown_apikey".into()),
                ..k.clone()
            })
        }),
    ];
    for (check, what, alter) in variants {
        if !ctx.recorder.is_selected(check) {
            continue;
        }
        let mut input = minimal.clone();
        let prepared = match fx.prepare(ctx, op, &mut input, true).await {
            Ok(p) => p,
            Err(reason) => {
                ctx.recorder.skip(&op.id, check, reason);
                continue;
            }
        };
        let Some(keys) = alter(&prepared.keys) else {
            // The operation needs only the subscription key: nothing to check.
            continue;
        };
        let request = build_request(op, &input, &keys);
        let Some(response) = ctx.exchange(op, &request).await else {
            continue;
        };
        let verdict = input::auth_rejection(&response, what);
        ctx.judge(&op.id, check, verdict, &request, Some(&response));
        follow_regenerated_key(op, &prepared, Some(&response));
    }
}
