//! Reading the documented legacy spellings.
//!
//! The documentation of API 2.0.0 spells some fields two ways (see spec/NOTES.md).
//! Where only the key's case differs (`municipalityid`, `processid`), the generated
//! types accept both keys already: the spec's `x-ssp-aliases` extension turns into a
//! serde alias at generation time. Where the shape differs too (`whid:` with an
//! integer, `process` as one string), the spec describes both shapes and these
//! accessors give one answer whichever shape arrived.

use crate::types::{
    ApplicationProcessEntry, LegacyWebhookIdAnswerWhid, WebhookConfiguration, WebhookCreated,
};

impl WebhookCreated {
    /// The new webhook's id, whether the answer was `{"whid": "..."}` (canonical)
    /// or `{"whid:": 20}` (the documentation's sample).
    pub fn whid(&self) -> String {
        match self {
            WebhookCreated::WebhookIdAnswer(answer) => answer.whid.to_string(),
            WebhookCreated::LegacyWebhookIdAnswer(answer) => match &answer.whid {
                LegacyWebhookIdAnswerWhid::Integer(id) => id.to_string(),
                LegacyWebhookIdAnswerWhid::String(id) => id.to_string(),
            },
        }
    }
}

impl WebhookConfiguration {
    /// The ids of the processes this webhook serves, from `processes` (canonical)
    /// and the legacy single `process`, without duplicates, in that order.
    pub fn process_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.processes.iter().map(|p| p.to_string()).collect();
        if let Some(process) = &self.process
            && !ids.iter().any(|id| id == process.as_str())
        {
            ids.push(process.to_string());
        }
        ids
    }
}

impl ApplicationProcessEntry {
    /// The process id, whether it came as `processId` or `processid`.
    pub fn id(&self) -> Option<&str> {
        self.process_id.as_ref().map(|p| p.as_str())
    }
}
