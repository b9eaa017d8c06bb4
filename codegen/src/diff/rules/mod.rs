//! The catalogue of diff rules: each rule's stable id, its level, and one line of
//! documentation (printed by `ssp-codegen diff --list-rules`).
//!
//! Most ids are composed from where the data flows ([`Exchange`]), what part of it
//! changed ([`Part`] or [`Member`]) and how (a kind), in oasdiff's style:
//! `request-property-became-required`, `response-required-property-removed`,
//! `callback-request-property-enum-value-added`. The level of a composed rule follows
//! from the kind and the exchange's [`Flow`]; the functions here are the only place
//! that decides it, and [`catalogue`] lists every combination they can produce.

mod kinds;

use super::Level;
pub use kinds::{ApiKind, BodyKind, Bound, Member, MemberKind, Part, StatusKind, ValueKind};

/// Who writes the data a rule looks at, seen from a vendor whose code was written against
/// the old spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// The vendor writes it and the platform reads it: a request, or the vendor's answer
    /// to a callback. A change breaks old vendors when the new spec rejects something the
    /// old one accepted (a constraint tightened).
    VendorSends,
    /// The platform writes it and the vendor reads it: a response, or the callback payload
    /// the platform POSTs to the vendor's webhook. A change breaks old vendors when the
    /// new spec allows something the old one ruled out (a constraint loosened).
    VendorReceives,
}

/// The four places where data crosses the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exchange {
    /// An operation's request, sent by the vendor.
    Request,
    /// An operation's response, read by the vendor.
    Response,
    /// A callback's request (the payload), sent by the platform to the vendor's webhook.
    CallbackRequest,
    /// A callback's response (the answer), sent by the vendor's webhook to the platform.
    CallbackResponse,
}

impl Exchange {
    /// Every exchange.
    pub const ALL: [Exchange; 4] = [
        Exchange::Request,
        Exchange::Response,
        Exchange::CallbackRequest,
        Exchange::CallbackResponse,
    ];

    /// The rule-id prefix: `request`, `response`, `callback-request`, `callback-response`.
    pub fn prefix(self) -> &'static str {
        match self {
            Exchange::Request => "request",
            Exchange::Response => "response",
            Exchange::CallbackRequest => "callback-request",
            Exchange::CallbackResponse => "callback-response",
        }
    }

    /// Who writes the data.
    pub fn flow(self) -> Flow {
        match self {
            Exchange::Request | Exchange::CallbackResponse => Flow::VendorSends,
            Exchange::Response | Exchange::CallbackRequest => Flow::VendorReceives,
        }
    }

    /// Whether this is a request (it has parameters and a request body) rather than a
    /// response (it has statuses and headers).
    pub fn is_request(self) -> bool {
        matches!(self, Exchange::Request | Exchange::CallbackRequest)
    }

    fn noun(self) -> &'static str {
        match self {
            Exchange::Request => "the request",
            Exchange::Response => "the response",
            Exchange::CallbackRequest => "the callback payload (platform to vendor)",
            Exchange::CallbackResponse => "the callback's answer (vendor to platform)",
        }
    }
}

/// A rule as applied to one change: its id and level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The stable id.
    pub id: String,
    /// The level of every change this rule reports.
    pub level: Level,
    /// What the rule detects, in one line.
    pub doc: String,
}

fn by_flow(levels: (Level, Level), exchange: Exchange) -> Level {
    match exchange.flow() {
        Flow::VendorSends => levels.0,
        Flow::VendorReceives => levels.1,
    }
}

/// The rule for an operation- or callback-level change.
pub fn api(kind: ApiKind) -> Rule {
    let (id, level, doc) = kind.describe();
    Rule {
        id: id.to_string(),
        level,
        doc: doc.to_string(),
    }
}

/// The rule for a named member (property, parameter, header) added, removed, or made
/// required or optional in `exchange`.
pub fn member(exchange: Exchange, member: Member, kind: MemberKind) -> Rule {
    Rule {
        id: format!("{}-{}", exchange.prefix(), kind.id(member)),
        level: by_flow(kind.levels(), exchange),
        doc: format!("{} {}", kind.doc(member), exchange.noun()),
    }
}

/// The rule for a value constraint of a schema that changed.
pub fn value(exchange: Exchange, part: Part, kind: ValueKind) -> Rule {
    Rule {
        id: format!("{}-{}-{}", exchange.prefix(), part.slug(), kind.slug()),
        level: by_flow(kind.levels(), exchange),
        doc: format!(
            "{} schema in {}: {}",
            part.slug(),
            exchange.noun(),
            kind.doc()
        ),
    }
}

/// The rule for a change to a request body or to a response's content.
pub fn body(exchange: Exchange, kind: BodyKind) -> Rule {
    Rule {
        id: format!("{}-{}", exchange.prefix(), kind.slug()),
        level: by_flow(kind.levels(), exchange),
        doc: format!("{} {}", kind.doc(), exchange.noun()),
    }
}

/// The rule for a status added to or removed from the responses.
pub fn status(exchange: Exchange, kind: StatusKind) -> Rule {
    Rule {
        id: format!("{}-{}", exchange.prefix(), kind.slug()),
        level: by_flow(kind.levels(), exchange),
        doc: format!("{} {}", kind.doc(), exchange.noun()),
    }
}

/// Every rule [`super::diff`] can report, in a fixed order.
pub fn catalogue() -> Vec<Rule> {
    let mut rules: Vec<Rule> = ApiKind::ALL.into_iter().map(api).collect();
    for exchange in Exchange::ALL {
        if !exchange.is_request() {
            rules.extend(StatusKind::ALL.into_iter().map(|k| status(exchange, k)));
        }
        rules.extend(
            BodyKind::ALL
                .into_iter()
                .filter(|k| k.applies_to(exchange))
                .map(|k| body(exchange, k)),
        );
        for m in Member::ALL.into_iter().filter(|m| m.applies_to(exchange)) {
            rules.extend(MemberKind::ALL.into_iter().map(|k| member(exchange, m, k)));
        }
        for part in Part::ALL.into_iter().filter(|p| p.applies_to(exchange)) {
            rules.extend(
                ValueKind::all()
                    .into_iter()
                    .map(|k| value(exchange, part, k)),
            );
        }
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn rule_ids_are_unique() {
        let rules = catalogue();
        let ids: BTreeSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids.len(), rules.len());
    }

    #[test]
    fn the_oasdiff_style_ids_exist_with_their_levels() {
        let find = |id: &str| {
            catalogue()
                .into_iter()
                .find(|r| r.id == id)
                .unwrap_or_else(|| panic!("{id} is not in the catalogue"))
                .level
        };
        assert_eq!(find("api-path-removed"), Level::Breaking);
        assert_eq!(find("response-required-property-removed"), Level::Breaking);
        assert_eq!(find("request-property-became-required"), Level::Breaking);
        assert_eq!(find("request-required-parameter-added"), Level::Breaking);
        assert_eq!(
            find("request-property-max-length-decreased"),
            Level::Breaking
        );
        assert_eq!(find("response-property-enum-value-added"), Level::Warning);
        assert_eq!(find("response-optional-property-added"), Level::Info);
    }

    #[test]
    fn callbacks_reverse_the_direction() {
        // The callback payload is read by the vendor, like a response...
        assert_eq!(
            member(
                Exchange::CallbackRequest,
                Member::Property,
                MemberKind::RequiredRemoved
            )
            .level,
            Level::Breaking
        );
        assert_eq!(
            member(
                Exchange::CallbackRequest,
                Member::Property,
                MemberKind::RequiredAdded
            )
            .level,
            Level::Info
        );
        // ...and the callback's answer is written by the vendor, like a request.
        assert_eq!(
            member(
                Exchange::CallbackResponse,
                Member::Property,
                MemberKind::RequiredAdded
            )
            .level,
            Level::Breaking
        );
        assert_eq!(
            value(
                Exchange::CallbackResponse,
                Part::Property,
                ValueKind::Bound(Bound::Max, false)
            )
            .level,
            Level::Breaking
        );
    }

    #[test]
    fn raising_a_lower_bound_tightens_and_raising_an_upper_bound_loosens() {
        let level = |bound, raised| {
            value(
                Exchange::Request,
                Part::Property,
                ValueKind::Bound(bound, raised),
            )
            .level
        };
        assert_eq!(level(Bound::MinLength, true), Level::Breaking);
        assert_eq!(level(Bound::MinLength, false), Level::Info);
        assert_eq!(level(Bound::MaxLength, true), Level::Info);
        assert_eq!(level(Bound::MaxLength, false), Level::Breaking);
    }
}
