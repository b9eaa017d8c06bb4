//! The HTTP front: one handler that routes every request by the two specs, checks
//! its keys, reads its body within the operation's limit, validates it, and hands
//! it to the portal API (`api`) or the citizen side (`citizen`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use smartservice_codegen::json_schema::CompiledSchema;
use tokio::sync::Notify;

use crate::answers::StaticAnswers;
use crate::auth::{self, KeyDigest, SubscriptionKeys};
use crate::db::Db;
use crate::dispatch::DeliveryConfig;
use crate::error::ApiError;
use crate::routes::{Auth, Routes};
use crate::vendor_keys::VendorKeys;

/// Schemas the handlers check values against besides request bodies.
pub struct Schemas {
    /// `CallbackPayload` (portal spec): every task before it is stored.
    pub callback_payload: CompiledSchema,
    /// `AddressData` (portal spec): the vendor's answer to the address query.
    pub address_data: CompiledSchema,
    /// `TaskForm` (sandbox spec): what the HTML form submitted.
    pub task_form: CompiledSchema,
}

/// Everything a handler needs.
pub struct AppState {
    /// The database (see `db` for where its jobs run).
    pub db: Db,
    /// The portal's operations (spec/openapi.yaml).
    pub portal: Routes,
    /// The citizen side's operations (spec/sandbox.yaml).
    pub citizen: Routes,
    /// Schemas checked besides request bodies.
    pub schemas: Schemas,
    /// The accepted subscription keys.
    pub keys: SubscriptionKeys,
    /// Which vendor each apikey belongs to (kept in step with the database).
    pub vendors: Arc<VendorKeys>,
    /// Answers from reference data, serialized once.
    pub answers: StaticAnswers,
    /// How webhooks are called.
    pub delivery: DeliveryConfig,
    /// Wakes the dispatcher when deliveries were stored.
    pub dispatch: Notify,
    /// Portal API requests answered since start (`GET /sandbox/stats`).
    pub portal_requests: AtomicU64,
}

/// The state as handlers share it.
pub type Shared = Arc<AppState>;

/// Who is calling, as far as the operation needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No keys needed (the citizen's pages).
    Public,
    /// A valid subscription key (its digest).
    Subscription(KeyDigest),
    /// A valid subscription key and the apikey of a vendor registered under it.
    Vendor {
        /// The subscription key's digest.
        subscription: KeyDigest,
        /// The vendor's id.
        vendor: String,
    },
}

#[derive(Clone, Copy)]
enum Side {
    Portal,
    Citizen,
}

/// The router: every path goes through [`handle`].
pub fn router(state: Shared) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(state)
}

async fn handle(State(state): State<Shared>, request: Request) -> Response {
    // Cheap clones (an enum, reference-counted bytes): the path is copied only if logged.
    let method = request.method().clone();
    let uri = request.uri().clone();
    let response = match serve(&state, request).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    tracing::debug!("{method} {} -> {}", uri.path(), response.status().as_u16());
    response
}

async fn serve(state: &Shared, request: Request) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str();
    let path = parts.uri.path();
    let found = state
        .portal
        .find(method, path)
        .map(|found| (found, Side::Portal))
        .or_else(|| {
            state
                .citizen
                .find(method, path)
                .map(|found| (found, Side::Citizen))
        });
    let Some((found, side)) = found else {
        return Err(ApiError::NotFound(path.to_string()));
    };
    if matches!(side, Side::Portal) {
        state.portal_requests.fetch_add(1, Ordering::Relaxed);
    }
    let (operation, path_params) = found?;

    let caller = match operation.auth {
        Auth::Public => Caller::Public,
        Auth::Subscription => Caller::Subscription(state.keys.check(&parts.headers)?),
        Auth::Vendor => {
            let subscription = state.keys.check(&parts.headers)?;
            let vendor = state
                .vendors
                .resolve(&subscription, auth::bearer(&parts.headers)?)?;
            Caller::Vendor {
                subscription,
                vendor,
            }
        }
    };

    let bytes = if operation.takes_body() {
        read_body(&parts.headers, body, operation.body_limit()).await?
    } else {
        bytes::Bytes::new()
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let inputs = operation.validate(path_params, parts.uri.query(), content_type, bytes)?;
    match side {
        Side::Portal => crate::api::call(state, &operation.id, caller, inputs).await,
        Side::Citizen => crate::citizen::call(state, &operation.id, inputs).await,
    }
}

async fn read_body(
    headers: &axum::http::HeaderMap,
    body: Body,
    limit: usize,
) -> Result<bytes::Bytes, ApiError> {
    let too_large = || ApiError::PayloadTooLarge(format!("request body exceeds {limit} bytes"));
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let over = std::error::Error::source(&e)
            .map(|s| s.to_string().contains("length limit"))
            .unwrap_or(false)
            || e.to_string().contains("length limit");
        if over {
            too_large()
        } else {
            ApiError::bad_request(format!("cannot read the request body: {e}"))
        }
    })
}
