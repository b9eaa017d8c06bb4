//! Fault injection, for testing the suite itself: a proxy in front of an
//! implementation (or in front of the suite's webhook receiver) whose tower
//! layer plants one [`Defect`] that a real implementation
//! could have. The crate's tests run the whole suite through it and assert that
//! each defect is caught by the checks named in [`Defect::caught_by`], and by
//! nothing else.

pub mod proxy;

pub use proxy::FaultProxy;

/// Where a defect is planted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// In the API's answers (a proxy in front of the implementation).
    Api,
    /// In the platform's webhook calls (a proxy in front of the receiver).
    Callbacks,
}

/// One defect a real implementation could have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// `listProcesses` drops the required `processName`.
    RequiredFieldDropped,
    /// `listProcesses` sends `processId` as a string.
    NumberAsString,
    /// Invalid application bodies are answered 401 instead of 400.
    WrongStatusForInvalidInput,
    /// A created application is answered 201, which the spec does not document.
    UndocumentedStatus,
    /// `listMunicipalities` is sent as `text/plain`.
    WrongContentType,
    /// An invalid `plz` is silently replaced and the registration accepted.
    InvalidInputAccepted,
    /// `listApplicationConfigurations` answers without an apikey.
    AuthIgnored,
    /// The apikey replaced by `regenerateApiKey` keeps working.
    OldApikeyStillValid,
    /// `?whid=` shows webhooks of other vendors.
    OtherVendorsDataVisible,
    /// Deleting one's own webhook answers 200 but keeps (and calls) it.
    DeletedWebhookStillCalled,
    /// The webhook call for a new task lacks the required `municipalityName`.
    CallbackMissingField,
    /// The webhook call lacks the configured extra header.
    CallbackMissingHeader,
    /// A status update of a task that is `done` is accepted.
    InvalidTransitionAccepted,
    /// `listMunicipalities` never answers.
    HangingEndpoint,
    /// `listApplicationConfigurations` sends truncated JSON.
    MalformedJson,
    /// 400 answers name the field `fields` instead of `field`.
    MisspeltErrorField,
    /// `listProcesses` sends `Content-Type` twice.
    DuplicateContentType,
    /// `submitDocument` answers 500.
    ServerError,
    /// 405 answers come without an `Allow` header.
    MissingAllowHeader,
    /// Replacing the vendor registration keeps the fields left out.
    PutMergesInsteadOfReplacing,
    /// The unfiltered webhook list leaves the newest webhook out.
    CreatedWebhookNotListed,
    /// Vendor registrations with any non-ASCII character (`ä`, `é`, ...) are refused.
    RejectsNonAscii,
    /// A webhook call that the receiver refuses is not sent again (the platform
    /// takes any answer as delivered).
    NoRetry,
    /// `listProcesses` answers without a subscription key.
    SubscriptionKeyIgnored,
    /// An undocumented path answers 200.
    UnknownPathAnswered,
    /// The task is not sent again after the payment gateway's failed refund.
    RefundFailureNotResent,
    /// The webhook's answer to an address query never reaches the platform.
    AddressAnswerDropped,
    /// `listWebhookConfigurations` answers any apikey it has never issued.
    UnknownApikeyAccepted,
    /// `listMunicipalities` takes any subscription key.
    AnySubscriptionKeyAccepted,
    /// Documents are stored under another name (the file name is lost).
    DocumentNameLost,
    /// **Not a defect**: answers use the documentation's legacy spellings
    /// (`{"whid:": ...}`, `municipalityid`, `process`, `processid`), which the spec
    /// describes; the suite must accept them (and say so in its notes).
    LegacySpellings,
}

impl Defect {
    /// Every defect.
    pub const ALL: &'static [Defect] = &[
        Defect::RequiredFieldDropped,
        Defect::NumberAsString,
        Defect::WrongStatusForInvalidInput,
        Defect::UndocumentedStatus,
        Defect::WrongContentType,
        Defect::InvalidInputAccepted,
        Defect::AuthIgnored,
        Defect::OldApikeyStillValid,
        Defect::OtherVendorsDataVisible,
        Defect::DeletedWebhookStillCalled,
        Defect::CallbackMissingField,
        Defect::CallbackMissingHeader,
        Defect::InvalidTransitionAccepted,
        Defect::HangingEndpoint,
        Defect::MalformedJson,
        Defect::MisspeltErrorField,
        Defect::DuplicateContentType,
        Defect::ServerError,
        Defect::MissingAllowHeader,
        Defect::PutMergesInsteadOfReplacing,
        Defect::CreatedWebhookNotListed,
        Defect::RejectsNonAscii,
        Defect::NoRetry,
        Defect::SubscriptionKeyIgnored,
        Defect::UnknownPathAnswered,
        Defect::RefundFailureNotResent,
        Defect::AddressAnswerDropped,
        Defect::UnknownApikeyAccepted,
        Defect::AnySubscriptionKeyAccepted,
        Defect::DocumentNameLost,
        Defect::LegacySpellings,
    ];

    /// Where the defect is planted.
    pub fn side(self) -> Side {
        match self {
            Defect::CallbackMissingField
            | Defect::CallbackMissingHeader
            | Defect::NoRetry
            | Defect::RefundFailureNotResent
            | Defect::AddressAnswerDropped => Side::Callbacks,
            _ => Side::Api,
        }
    }

    /// The checks that must fail because of it (and no other may). A scenario
    /// step that meets the defect fails `scenario_replay` too: that check replays
    /// recorded behaviour and flags any change.
    pub fn caught_by(self) -> &'static [&'static str] {
        match self {
            Defect::RequiredFieldDropped | Defect::NumberAsString | Defect::MalformedJson => {
                &["response_schema_conformance"]
            }
            Defect::WrongStatusForInvalidInput => &["negative_data_rejection", "scenario_replay"],
            Defect::UndocumentedStatus => &["status_code_conformance", "scenario_replay"],
            Defect::WrongContentType => &["content_type_conformance"],
            Defect::InvalidInputAccepted => &["negative_data_rejection", "scenario_replay"],
            Defect::AuthIgnored => &["missing_api_key"],
            Defect::OldApikeyStillValid => &["revoked_apikey", "scenario_replay"],
            Defect::OtherVendorsDataVisible => &["vendor_isolation"],
            Defect::DeletedWebhookStillCalled => &["use_after_free", "scenario_replay"],
            Defect::CallbackMissingField | Defect::CallbackMissingHeader => {
                &["webhook_callback_conformance"]
            }
            Defect::InvalidTransitionAccepted => &["status_transitions", "scenario_replay"],
            Defect::HangingEndpoint => &["response_completes"],
            Defect::MisspeltErrorField => &["typed_client_roundtrip"],
            Defect::DuplicateContentType => &["response_headers_conformance"],
            Defect::ServerError => &["not_a_server_error", "scenario_replay"],
            Defect::MissingAllowHeader => &["unsupported_method"],
            Defect::PutMergesInsteadOfReplacing => &["update_persistence"],
            Defect::CreatedWebhookNotListed => &["ensure_resource_availability"],
            Defect::RejectsNonAscii => &["positive_data_acceptance"],
            Defect::NoRetry => &["webhook_retry"],
            Defect::SubscriptionKeyIgnored => &["missing_subscription_key", "scenario_replay"],
            Defect::UnknownPathAnswered => &["unknown_path"],
            Defect::RefundFailureNotResent => &["failed_refund_callback"],
            Defect::AddressAnswerDropped => &["address_query_answer"],
            Defect::UnknownApikeyAccepted => &["wrong_api_key", "scenario_replay"],
            Defect::AnySubscriptionKeyAccepted => &["wrong_subscription_key"],
            Defect::DocumentNameLost => &["document_upload"],
            Defect::LegacySpellings => &[],
        }
    }
}
