//! What every phase of a run shares: the compiled spec, the HTTP client, the
//! recorder, the keys, and the one place where a request is sent and its
//! response put through every per-response check ([`Ctx::exchange`]).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::callbacks::Inbox;
use crate::checks::response::{self, Exchange};
use crate::checks::typed::{self, Aliases};
use crate::control::Control;
use crate::http::{Http, Keys, RawRequest, RawResponse, RequestBody, TransportError};
use crate::record::{Failure, Recorder, Verdict};
use crate::secrets::Secrets;
use crate::spec_model::{Operation, ParameterLocation, SpecModel};

/// The knobs of a run that phases read.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Random cases per operation (positive and negative each).
    pub cases: u32,
    /// The seed every generator derives from.
    pub seed: u64,
    /// How long to wait for a webhook call.
    pub webhook_timeout: Duration,
    /// Most requests in flight at once.
    pub concurrency: usize,
    /// Most shrinking steps per failure.
    pub max_shrink_steps: u32,
}

/// The shared state of a run.
#[derive(Clone)]
pub struct Ctx {
    /// The compiled spec.
    pub model: Arc<SpecModel>,
    /// The HTTP client.
    pub http: Arc<Http>,
    /// Where results go.
    pub recorder: Arc<Recorder>,
    /// Secrets to keep out of output.
    pub secrets: Secrets,
    /// The knobs.
    pub settings: Settings,
    /// The subscription key.
    pub subscription_key: String,
    /// The sandbox-compatible control API, if there is one.
    pub control: Option<Control>,
    /// The suite's webhook receiver, if it runs.
    pub inbox: Option<Inbox>,
    aliases: Aliases,
    legacy: crate::legacy::LegacyKeys,
    limiter: Arc<Semaphore>,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("base_url", &self.http.base_url())
            .finish()
    }
}

impl Ctx {
    /// Puts the shared state together.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        model: Arc<SpecModel>,
        http: Arc<Http>,
        recorder: Arc<Recorder>,
        secrets: Secrets,
        settings: Settings,
        subscription_key: String,
        control: Option<Control>,
        inbox: Option<Inbox>,
    ) -> Self {
        let aliases = typed::aliases(model.raw());
        let legacy = crate::legacy::LegacyKeys::from_spec(model.raw());
        let limiter = Arc::new(Semaphore::new(settings.concurrency.max(1)));
        secrets.add(&subscription_key);
        Ctx {
            model,
            http,
            recorder,
            secrets,
            settings,
            subscription_key,
            control,
            inbox,
            aliases,
            legacy,
            limiter,
        }
    }

    /// The same shared state, with requests sent through `http` (the client of
    /// the thread that runs a phase).
    pub fn with_http(&self, http: Arc<Http>) -> Self {
        Ctx {
            control: self.control.as_ref().map(|c| c.with_http(http.clone())),
            http,
            ..self.clone()
        }
    }

    /// The operation with this id (the suite only asks for ids of its own spec).
    pub fn op(&self, id: &str) -> Result<&Operation, String> {
        self.model
            .operation(id)
            .ok_or_else(|| format!("the spec has no operation {id}"))
    }

    /// Keys with only the subscription key.
    pub fn subscription_keys(&self) -> Keys {
        Keys::subscription(&self.subscription_key)
    }

    /// Sends `request` without judging the answer (for shrinking probes).
    pub async fn probe(&self, request: &RawRequest) -> Result<RawResponse, TransportError> {
        let _permit = self.limiter.acquire().await;
        let response = self.http.send(request).await?;
        self.remember_secrets(&response);
        Ok(response)
    }

    /// Keeps every apikey a response carries out of the output.
    fn remember_secrets(&self, response: &RawResponse) {
        if response.body.windows(6).any(|w| w == b"apikey")
            && let Ok(body) = response.parsed()
            && let Some(key) = body.get("apikey").and_then(Value::as_str)
        {
            self.secrets.add(key);
        }
    }

    /// Sends `request` to `op`, puts the answer through every per-response check,
    /// and returns it; `None` if no complete response came (recorded as a
    /// `response_completes` failure).
    pub async fn exchange(&self, op: &Operation, request: &RawRequest) -> Option<RawResponse> {
        match self.probe(request).await {
            Ok(response) => {
                self.recorder
                    .pass(&op.id, response::RESPONSE_COMPLETES.name);
                self.check_response(op, request, &response);
                Some(response)
            }
            Err(error) => {
                let mut failure = Failure::new(format!("{}: {error}", op.id));
                failure.curl = Some(request.to_curl(self.http.base_url()));
                self.recorder
                    .fail(&op.id, response::RESPONSE_COMPLETES.name, failure);
                None
            }
        }
    }

    /// [`Ctx::exchange`] for the operation named `op_id`, with the reason as an error.
    pub async fn call(&self, op_id: &str, request: &RawRequest) -> Result<RawResponse, String> {
        let op = self.op(op_id)?;
        self.exchange(op, request)
            .await
            .ok_or_else(|| format!("{op_id} gave no complete response (see response_completes)"))
    }

    /// Every per-response check on one exchange, recorded.
    pub fn check_response(&self, op: &Operation, request: &RawRequest, response: &RawResponse) {
        let verdicts = self.evaluate(op, request, response);
        self.note_legacy(op, response, &verdicts);
        self.record_all(&op.id, verdicts, request, Some(response), None);
    }

    /// Notes a documented legacy spelling in a conformant body.
    pub fn note_legacy(
        &self,
        op: &Operation,
        response: &RawResponse,
        verdicts: &[(&'static str, Verdict)],
    ) {
        let schema_ok = verdicts
            .iter()
            .any(|(c, v)| *c == response::RESPONSE_SCHEMA_CONFORMANCE.name && *v == Verdict::Pass);
        if !schema_ok {
            return;
        }
        if let Ok(body) = response.parsed() {
            for (key, instead) in self.legacy.used_in(body) {
                self.recorder.note(format!(
                    "{} answers the documentation's legacy spelling `{key}`: accepted (the spec describes it), but clients must read it; canonical is {instead}",
                    op.id
                ));
            }
        }
    }

    /// Every per-response check on one exchange, not recorded.
    pub fn evaluate(
        &self,
        op: &Operation,
        request: &RawRequest,
        response: &RawResponse,
    ) -> Vec<(&'static str, Verdict)> {
        let x = Exchange {
            op,
            request,
            response,
        };
        vec![
            (
                response::NOT_A_SERVER_ERROR.name,
                response::not_a_server_error(&x),
            ),
            (
                response::STATUS_CODE_CONFORMANCE.name,
                response::status_code_conformance(&x),
            ),
            (
                response::CONTENT_TYPE_CONFORMANCE.name,
                response::content_type_conformance(&x),
            ),
            (
                response::RESPONSE_SCHEMA_CONFORMANCE.name,
                response::response_schema_conformance(&x),
            ),
            (
                response::RESPONSE_HEADERS_CONFORMANCE.name,
                response::response_headers_conformance(&x),
            ),
            (
                typed::TYPED_CLIENT_ROUNDTRIP.name,
                typed::typed_client_roundtrip(&x, &self.aliases),
            ),
        ]
    }

    /// Records verdicts about one exchange; `case` names the generated case.
    pub fn record_all(
        &self,
        op: &str,
        verdicts: Vec<(&'static str, Verdict)>,
        request: &RawRequest,
        response: Option<&RawResponse>,
        case: Option<GeneratedCase<'_>>,
    ) {
        for (check, verdict) in verdicts {
            self.recorder.record(op, check, verdict, || {
                let mut failure = self.failure_for(request, response);
                if let Some(case) = &case {
                    failure.case = Some(case.label.to_string());
                    failure.replay = case.replay.clone();
                    failure.rank = Some(case.rank);
                }
                failure
            });
        }
    }

    /// The JSON-schema aliases of the spec.
    pub fn aliases(&self) -> &Aliases {
        &self.aliases
    }

    /// A failure record with the request as curl and the response's start.
    pub fn failure_for(&self, request: &RawRequest, response: Option<&RawResponse>) -> Failure {
        let mut failure = Failure::new("");
        failure.curl = Some(request.to_curl(self.http.base_url()));
        if let Some(response) = response {
            failure.status = Some(response.status);
            failure.body = Some(response.body_excerpt(300));
        }
        failure
    }

    /// Records a verdict about `op` with the exchange that led to it.
    pub fn judge(
        &self,
        op: &str,
        check: &str,
        verdict: Verdict,
        request: &RawRequest,
        response: Option<&RawResponse>,
    ) {
        self.recorder
            .record(op, check, verdict, || self.failure_for(request, response));
    }
}

/// What names a generated case in a failure.
#[derive(Debug, Clone)]
pub struct GeneratedCase<'a> {
    /// The case, e.g. `negative random case #3: /query/whid: pattern (...)`.
    pub label: &'a str,
    /// The command line that replays it.
    pub replay: Option<String>,
    /// Its place in the operation's order of cases (see [`Failure::rank`]).
    pub rank: u64,
}

/// Builds the request for a generated value `{query, body}` of `op`.
pub fn build_request(op: &Operation, input: &Value, keys: &Keys) -> RawRequest {
    let mut request = RawRequest::new(op.method.clone(), op.path.clone()).with_keys(keys);
    if let Some(query) = input.get("query").and_then(Value::as_object) {
        for parameter in &op.parameters {
            let Some(value) = query.get(&parameter.name) else {
                continue;
            };
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            match parameter.location {
                ParameterLocation::Query => request.query.push((parameter.name.clone(), text)),
                ParameterLocation::Header => request.headers.push((parameter.name.clone(), text)),
            }
        }
    }
    if let Some(body) = input.get("body") {
        request.body = RequestBody::Json(body.clone());
    }
    request
}

/// A vendor the suite acts as: its id and current apikey (shared by clones, so a
/// regenerated key is seen everywhere).
#[derive(Clone, Debug)]
pub struct Vendor {
    /// The registration's `providerId`.
    pub provider_id: String,
    subscription_key: String,
    api_key: Arc<RwLock<String>>,
}

impl Vendor {
    /// A vendor with known keys (e.g. from `--api-key`).
    pub fn new(provider_id: String, subscription_key: &str, api_key: &str) -> Self {
        Vendor {
            provider_id,
            subscription_key: subscription_key.to_string(),
            api_key: Arc::new(RwLock::new(api_key.to_string())),
        }
    }

    /// The vendor's keys now.
    pub fn keys(&self) -> Keys {
        Keys::vendor(&self.subscription_key, &self.api_key())
    }

    /// The current apikey.
    pub fn api_key(&self) -> String {
        self.api_key
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the apikey (after `regenerateApiKey`).
    pub fn set_api_key(&self, api_key: &str) {
        *self.api_key.write().unwrap_or_else(|e| e.into_inner()) = api_key.to_string();
    }
}

/// Registers a new vendor named `name` (checked like every other exchange).
pub async fn register_vendor(ctx: &Ctx, name: &str) -> Result<Vendor, String> {
    let request = RawRequest::new(Method::POST, "/vendorregistration")
        .with_keys(&ctx.subscription_keys())
        .with_json(json!({
            "providerName": name,
            "plz": "5000",
            "place": "Aarau",
            "email": "conformance@example.org",
            "website": "https://example.org/conformance"
        }));
    let response = ctx.call("createVendorRegistration", &request).await?;
    if !response.is_success() {
        return Err(format!(
            "registering a vendor failed with {}: {} (is the subscription key right?)",
            response.status,
            response.body_excerpt(200)
        ));
    }
    let body = response.json()?;
    let api_key = body
        .get("apikey")
        .and_then(Value::as_str)
        .ok_or("the vendor registration answer has no apikey")?;
    ctx.secrets.add(api_key);
    let provider_id = body
        .get("providerId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Ok(Vendor::new(provider_id, &ctx.subscription_key, api_key))
}

/// The JSON body of a 2xx response, or an error naming the step and what came.
pub fn success_json(step: &str, response: &RawResponse) -> Result<Value, String> {
    if !response.is_success() {
        return Err(format!(
            "{step} failed with {}: {}",
            response.status,
            response.body_excerpt(200)
        ));
    }
    response.json().map_err(|e| format!("{step}: {e}"))
}
