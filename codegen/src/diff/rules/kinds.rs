//! The kinds of change each family of rules knows, with the level each gets when the
//! vendor sends the data and when it receives it, its id fragment and its documentation.

use super::Exchange;
use crate::diff::Level;
use Level::{Breaking as B, Info as I, Warning as W};

/// A named member of an exchange that can be added, removed or change its `required`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    /// A property of an object schema in a body.
    Property,
    /// A request parameter (query, header, path or cookie).
    Parameter,
    /// A response header.
    Header,
}

impl Member {
    pub(super) const ALL: [Member; 3] = [Member::Property, Member::Parameter, Member::Header];

    pub(super) fn slug(self) -> &'static str {
        match self {
            Member::Property => "property",
            Member::Parameter => "parameter",
            Member::Header => "header",
        }
    }

    pub(super) fn applies_to(self, exchange: Exchange) -> bool {
        match self {
            Member::Property => true,
            Member::Parameter => exchange.is_request(),
            Member::Header => !exchange.is_request(),
        }
    }
}

/// How a named member changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberKind {
    /// A new required member.
    RequiredAdded,
    /// A new optional member.
    OptionalAdded,
    /// A required member is gone.
    RequiredRemoved,
    /// An optional member is gone.
    OptionalRemoved,
    /// An optional member became required.
    BecameRequired,
    /// A required member became optional.
    BecameOptional,
}

impl MemberKind {
    pub(super) const ALL: [MemberKind; 6] = [
        MemberKind::RequiredAdded,
        MemberKind::OptionalAdded,
        MemberKind::RequiredRemoved,
        MemberKind::OptionalRemoved,
        MemberKind::BecameRequired,
        MemberKind::BecameOptional,
    ];

    /// (level when the vendor sends, level when the vendor receives)
    pub(super) fn levels(self) -> (Level, Level) {
        match self {
            // An old sender does not send it; an old reader ignores it.
            MemberKind::RequiredAdded => (B, I),
            MemberKind::OptionalAdded => (I, I),
            // An old sender still sends it (ignored, or refused by a strict server); an
            // old reader relies on it.
            MemberKind::RequiredRemoved => (W, B),
            // An old sender may still send it; an old reader may have used it.
            MemberKind::OptionalRemoved => (W, W),
            MemberKind::BecameRequired => (B, I),
            MemberKind::BecameOptional => (I, B),
        }
    }

    pub(super) fn id(self, member: Member) -> String {
        let m = member.slug();
        match self {
            MemberKind::RequiredAdded => format!("required-{m}-added"),
            MemberKind::OptionalAdded => format!("optional-{m}-added"),
            MemberKind::RequiredRemoved => format!("required-{m}-removed"),
            MemberKind::OptionalRemoved => format!("optional-{m}-removed"),
            MemberKind::BecameRequired => format!("{m}-became-required"),
            MemberKind::BecameOptional => format!("{m}-became-optional"),
        }
    }

    pub(super) fn doc(self, member: Member) -> String {
        let m = member.slug();
        match self {
            MemberKind::RequiredAdded => format!("a required {m} was added to"),
            MemberKind::OptionalAdded => format!("an optional {m} was added to"),
            MemberKind::RequiredRemoved => format!("a required {m} was removed from"),
            MemberKind::OptionalRemoved => format!("an optional {m} was removed from"),
            MemberKind::BecameRequired => format!("a {m} became required in"),
            MemberKind::BecameOptional => format!("a {m} became optional in"),
        }
    }
}

/// Which schema a value rule looks at; decides the middle of the rule id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The root schema of a body.
    Body,
    /// A schema below the root of a body (a property, array items, a oneOf option...).
    Property,
    /// A parameter's schema (or anything below it).
    Parameter,
    /// A response header's schema (or anything below it).
    Header,
}

impl Part {
    pub(super) const ALL: [Part; 4] = [Part::Body, Part::Property, Part::Parameter, Part::Header];

    pub(super) fn slug(self) -> &'static str {
        match self {
            Part::Body => "body",
            Part::Property => "property",
            Part::Parameter => "parameter",
            Part::Header => "header",
        }
    }

    pub(super) fn applies_to(self, exchange: Exchange) -> bool {
        match self {
            Part::Body | Part::Property => true,
            Part::Parameter => exchange.is_request(),
            Part::Header => !exchange.is_request(),
        }
    }
}

/// A bound keyword of JSON Schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `minimum` (with `exclusiveMinimum`).
    Min,
    /// `maximum` (with `exclusiveMaximum`).
    Max,
    /// `minLength`.
    MinLength,
    /// `maxLength`.
    MaxLength,
    /// `minItems`.
    MinItems,
    /// `maxItems`.
    MaxItems,
    /// `minProperties`.
    MinProperties,
    /// `maxProperties`.
    MaxProperties,
}

impl Bound {
    /// Every bound.
    pub const ALL: [Bound; 8] = [
        Bound::Min,
        Bound::Max,
        Bound::MinLength,
        Bound::MaxLength,
        Bound::MinItems,
        Bound::MaxItems,
        Bound::MinProperties,
        Bound::MaxProperties,
    ];

    /// The keyword, and the keyword that makes it exclusive (OpenAPI 3.0 booleans).
    pub fn keywords(self) -> (&'static str, Option<&'static str>) {
        match self {
            Bound::Min => ("minimum", Some("exclusiveMinimum")),
            Bound::Max => ("maximum", Some("exclusiveMaximum")),
            Bound::MinLength => ("minLength", None),
            Bound::MaxLength => ("maxLength", None),
            Bound::MinItems => ("minItems", None),
            Bound::MaxItems => ("maxItems", None),
            Bound::MinProperties => ("minProperties", None),
            Bound::MaxProperties => ("maxProperties", None),
        }
    }

    /// Whether this is a lower bound (raising it tightens) rather than an upper one.
    pub fn is_lower(self) -> bool {
        matches!(
            self,
            Bound::Min | Bound::MinLength | Bound::MinItems | Bound::MinProperties
        )
    }

    pub(super) fn slug(self) -> &'static str {
        match self {
            Bound::Min => "min",
            Bound::Max => "max",
            Bound::MinLength => "min-length",
            Bound::MaxLength => "max-length",
            Bound::MinItems => "min-items",
            Bound::MaxItems => "max-items",
            Bound::MinProperties => "min-properties",
            Bound::MaxProperties => "max-properties",
        }
    }
}

/// How a schema's value constraints changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// The type changed to one that neither includes nor is included in the old one.
    TypeChanged,
    /// The type now allows more (integer to number, or any type).
    TypeGeneralized,
    /// The type now allows less (number to integer, or any type to one).
    TypeSpecialized,
    /// `format` was added, removed or changed.
    FormatChanged,
    /// A value was removed from `enum`.
    EnumValueRemoved,
    /// A value was added to `enum`.
    EnumValueAdded,
    /// An `enum` now restricts a value that was free.
    EnumAdded,
    /// The `enum` restriction is gone.
    EnumRemoved,
    /// A bound was raised (`true`) or lowered (`false`), or set or removed.
    Bound(Bound, bool),
    /// A `pattern` now restricts a string that was free.
    PatternAdded,
    /// The `pattern` changed.
    PatternChanged,
    /// The `pattern` restriction is gone.
    PatternRemoved,
    /// `nullable: true` was added.
    BecameNullable,
    /// `nullable: true` was removed.
    BecameNotNullable,
    /// `additionalProperties: false` was added.
    AdditionalPropertiesForbidden,
    /// `additionalProperties: false` was removed.
    AdditionalPropertiesAllowed,
    /// A `oneOf` option was added.
    OneOfOptionAdded,
    /// A `oneOf` option was removed.
    OneOfOptionRemoved,
    /// An `anyOf` option was added.
    AnyOfOptionAdded,
    /// An `anyOf` option was removed.
    AnyOfOptionRemoved,
    /// The schema's `description` changed.
    DescriptionChanged,
}

impl ValueKind {
    pub(super) fn all() -> Vec<ValueKind> {
        use ValueKind::*;
        let mut all = vec![
            TypeChanged,
            TypeGeneralized,
            TypeSpecialized,
            FormatChanged,
            EnumValueRemoved,
            EnumValueAdded,
            EnumAdded,
            EnumRemoved,
        ];
        for bound in self::Bound::ALL {
            all.push(ValueKind::Bound(bound, true));
            all.push(ValueKind::Bound(bound, false));
        }
        all.extend([
            PatternAdded,
            PatternChanged,
            PatternRemoved,
            BecameNullable,
            BecameNotNullable,
            AdditionalPropertiesForbidden,
            AdditionalPropertiesAllowed,
            OneOfOptionAdded,
            OneOfOptionRemoved,
            AnyOfOptionAdded,
            AnyOfOptionRemoved,
            DescriptionChanged,
        ]);
        all
    }

    /// (level when the vendor sends, level when the vendor receives)
    pub(super) fn levels(self) -> (Level, Level) {
        use ValueKind::*;
        // A tightened constraint breaks a sender; a loosened one surprises a reader.
        const TIGHTENED: (Level, Level) = (B, I);
        const LOOSENED: (Level, Level) = (I, W);
        match self {
            TypeChanged => (B, B),
            TypeGeneralized => (I, B),
            TypeSpecialized => (B, I),
            FormatChanged => (W, W),
            EnumValueRemoved | EnumAdded => TIGHTENED,
            EnumValueAdded | EnumRemoved => LOOSENED,
            Bound(bound, raised) => {
                if bound.is_lower() == raised {
                    TIGHTENED
                } else {
                    LOOSENED
                }
            }
            PatternAdded => TIGHTENED,
            PatternChanged => (B, W),
            PatternRemoved => LOOSENED,
            // A reader that did not expect null fails to decode it.
            BecameNullable => (I, B),
            BecameNotNullable => TIGHTENED,
            AdditionalPropertiesForbidden => TIGHTENED,
            AdditionalPropertiesAllowed => LOOSENED,
            // A reader (the generated client's untagged enum) fails on a new option.
            OneOfOptionAdded | AnyOfOptionAdded => (I, B),
            OneOfOptionRemoved | AnyOfOptionRemoved => (B, I),
            DescriptionChanged => (I, I),
        }
    }

    pub(super) fn slug(self) -> String {
        use ValueKind::*;
        match self {
            TypeChanged => "type-changed".into(),
            TypeGeneralized => "type-generalized".into(),
            TypeSpecialized => "type-specialized".into(),
            FormatChanged => "format-changed".into(),
            EnumValueRemoved => "enum-value-removed".into(),
            EnumValueAdded => "enum-value-added".into(),
            EnumAdded => "enum-added".into(),
            EnumRemoved => "enum-removed".into(),
            Bound(bound, raised) => format!(
                "{}-{}",
                bound.slug(),
                if raised { "increased" } else { "decreased" }
            ),
            PatternAdded => "pattern-added".into(),
            PatternChanged => "pattern-changed".into(),
            PatternRemoved => "pattern-removed".into(),
            BecameNullable => "became-nullable".into(),
            BecameNotNullable => "became-not-nullable".into(),
            AdditionalPropertiesForbidden => "additional-properties-forbidden".into(),
            AdditionalPropertiesAllowed => "additional-properties-allowed".into(),
            OneOfOptionAdded => "one-of-option-added".into(),
            OneOfOptionRemoved => "one-of-option-removed".into(),
            AnyOfOptionAdded => "any-of-option-added".into(),
            AnyOfOptionRemoved => "any-of-option-removed".into(),
            DescriptionChanged => "description-changed".into(),
        }
    }

    pub(super) fn doc(self) -> String {
        use ValueKind::*;
        match self {
            TypeChanged => "the type changed".into(),
            TypeGeneralized => "the type now allows more (e.g. integer to number)".into(),
            TypeSpecialized => "the type now allows less (e.g. number to integer)".into(),
            FormatChanged => "the format was added, removed or changed".into(),
            EnumValueRemoved => "an enum value was removed".into(),
            EnumValueAdded => "an enum value was added".into(),
            EnumAdded => "an enum now restricts the value".into(),
            EnumRemoved => "the enum restriction was removed".into(),
            Bound(bound, raised) => format!(
                "{} was {} (or {})",
                bound.keywords().0,
                if raised { "raised" } else { "lowered" },
                match (bound.is_lower(), raised) {
                    (true, true) | (false, false) => "set",
                    _ => "removed",
                }
            ),
            PatternAdded => "a pattern was added".into(),
            PatternChanged => "the pattern changed".into(),
            PatternRemoved => "the pattern was removed".into(),
            BecameNullable => "the value became nullable".into(),
            BecameNotNullable => "the value became non-nullable".into(),
            AdditionalPropertiesForbidden => "additionalProperties: false was added".into(),
            AdditionalPropertiesAllowed => "additionalProperties: false was removed".into(),
            OneOfOptionAdded => "a oneOf option was added".into(),
            OneOfOptionRemoved => "a oneOf option was removed".into(),
            AnyOfOptionAdded => "an anyOf option was added".into(),
            AnyOfOptionRemoved => "an anyOf option was removed".into(),
            DescriptionChanged => "the description changed".into(),
        }
    }
}

/// How a request body or a response's content changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// An optional request body was added.
    Added,
    /// The request body is gone.
    Removed,
    /// The request body became required (or a required one was added).
    BecameRequired,
    /// The request body became optional.
    BecameOptional,
    /// A media type was added.
    MediaTypeAdded,
    /// A media type was removed.
    MediaTypeRemoved,
    /// The description of the request body or of the response changed.
    DescriptionChanged,
}

impl BodyKind {
    pub(super) const ALL: [BodyKind; 7] = [
        BodyKind::Added,
        BodyKind::Removed,
        BodyKind::BecameRequired,
        BodyKind::BecameOptional,
        BodyKind::MediaTypeAdded,
        BodyKind::MediaTypeRemoved,
        BodyKind::DescriptionChanged,
    ];

    pub(super) fn applies_to(self, exchange: Exchange) -> bool {
        match self {
            BodyKind::Added
            | BodyKind::Removed
            | BodyKind::BecameRequired
            | BodyKind::BecameOptional => exchange.is_request(),
            BodyKind::MediaTypeAdded
            | BodyKind::MediaTypeRemoved
            | BodyKind::DescriptionChanged => true,
        }
    }

    pub(super) fn levels(self) -> (Level, Level) {
        match self {
            BodyKind::Added => (I, I),
            BodyKind::Removed => (W, B),
            BodyKind::BecameRequired => (B, I),
            BodyKind::BecameOptional => (I, B),
            // The old side sends or expects exactly that media type.
            BodyKind::MediaTypeRemoved => (B, B),
            BodyKind::MediaTypeAdded => (I, I),
            BodyKind::DescriptionChanged => (I, I),
        }
    }

    pub(super) fn slug(self) -> &'static str {
        match self {
            BodyKind::Added => "body-added",
            BodyKind::Removed => "body-removed",
            BodyKind::BecameRequired => "body-became-required",
            BodyKind::BecameOptional => "body-became-optional",
            BodyKind::MediaTypeAdded => "media-type-added",
            BodyKind::MediaTypeRemoved => "media-type-removed",
            BodyKind::DescriptionChanged => "description-changed",
        }
    }

    pub(super) fn doc(self) -> &'static str {
        match self {
            BodyKind::Added => "an optional body was added to",
            BodyKind::Removed => "the body was removed from",
            BodyKind::BecameRequired => {
                "the body became required (or a required body was added) in"
            }
            BodyKind::BecameOptional => "the body became optional in",
            BodyKind::MediaTypeAdded => "a media type was added to",
            BodyKind::MediaTypeRemoved => "a media type was removed from",
            BodyKind::DescriptionChanged => "the description changed of",
        }
    }
}

/// How the documented statuses of a response changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    /// A success (2xx) status is gone.
    SuccessRemoved,
    /// A success (2xx) status was added.
    SuccessAdded,
    /// Another status (or `default`) is gone.
    OtherRemoved,
    /// Another status (or `default`) was added.
    OtherAdded,
}

impl StatusKind {
    pub(super) const ALL: [StatusKind; 4] = [
        StatusKind::SuccessRemoved,
        StatusKind::SuccessAdded,
        StatusKind::OtherRemoved,
        StatusKind::OtherAdded,
    ];

    pub(super) fn levels(self) -> (Level, Level) {
        match self {
            // Either side of the exchange relies on the success statuses it knows.
            StatusKind::SuccessRemoved => (B, B),
            StatusKind::SuccessAdded | StatusKind::OtherRemoved | StatusKind::OtherAdded => (I, I),
        }
    }

    pub(super) fn slug(self) -> &'static str {
        match self {
            StatusKind::SuccessRemoved => "success-status-removed",
            StatusKind::SuccessAdded => "success-status-added",
            StatusKind::OtherRemoved => "non-success-status-removed",
            StatusKind::OtherAdded => "non-success-status-added",
        }
    }

    pub(super) fn doc(self) -> &'static str {
        match self {
            StatusKind::SuccessRemoved => "a success status was removed from",
            StatusKind::SuccessAdded => "a success status was added to",
            StatusKind::OtherRemoved => "a non-success status was removed from",
            StatusKind::OtherAdded => "a non-success status was added to",
        }
    }
}

/// Changes to operations and callbacks as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKind {
    /// The path, and the operation with it, is gone.
    PathRemoved,
    /// The operation is gone; its path remains.
    OperationRemoved,
    /// The operation (same operationId) moved to another method of its path.
    MethodChanged,
    /// The operation (same operationId) moved to another path.
    OperationMoved,
    /// A new operation.
    OperationAdded,
    /// The operationId changed (and so the generated client's method name).
    OperationIdChanged,
    /// The operation became deprecated.
    OperationDeprecated,
    /// The summary or description of an operation (or callback operation) changed.
    DescriptionChanged,
    /// An operation that needed no credentials now needs some.
    SecurityAdded,
    /// An operation needs credentials an old client may not send.
    SecurityChanged,
    /// An operation's security changed, and every old client still qualifies.
    SecurityRelaxed,
    /// A security scheme the operation uses was redefined (header name, type...).
    SecuritySchemeChanged,
    /// A callback operation is gone: the platform no longer calls the vendor for it.
    CallbackRemoved,
    /// A new callback operation: the platform calls the vendor's webhook in a new way.
    CallbackAdded,
    /// The platform's callback calls may lack credentials an old receiver checks.
    CallbackSecurityChanged,
    /// The callback's security changed, and an old receiver still accepts the calls.
    CallbackSecurityChangedCompatibly,
}

impl ApiKind {
    pub(super) const ALL: [ApiKind; 16] = [
        ApiKind::PathRemoved,
        ApiKind::OperationRemoved,
        ApiKind::MethodChanged,
        ApiKind::OperationMoved,
        ApiKind::OperationAdded,
        ApiKind::OperationIdChanged,
        ApiKind::OperationDeprecated,
        ApiKind::DescriptionChanged,
        ApiKind::SecurityAdded,
        ApiKind::SecurityChanged,
        ApiKind::SecurityRelaxed,
        ApiKind::SecuritySchemeChanged,
        ApiKind::CallbackRemoved,
        ApiKind::CallbackAdded,
        ApiKind::CallbackSecurityChanged,
        ApiKind::CallbackSecurityChangedCompatibly,
    ];

    pub(super) fn describe(self) -> (&'static str, Level, &'static str) {
        match self {
            ApiKind::PathRemoved => (
                "api-path-removed",
                B,
                "a path was removed, with its operations",
            ),
            ApiKind::OperationRemoved => (
                "api-operation-removed",
                B,
                "an operation was removed (its path remains)",
            ),
            ApiKind::MethodChanged => (
                "api-method-changed",
                B,
                "an operation (same operationId) moved to another HTTP method of its path",
            ),
            ApiKind::OperationMoved => (
                "api-operation-moved",
                B,
                "an operation (same operationId) moved to another path",
            ),
            ApiKind::OperationAdded => ("api-operation-added", I, "an operation was added"),
            ApiKind::OperationIdChanged => (
                "api-operation-id-changed",
                W,
                "the operationId changed: the wire is the same, the generated client's method is renamed",
            ),
            ApiKind::OperationDeprecated => (
                "api-operation-deprecated",
                I,
                "an operation became deprecated",
            ),
            ApiKind::DescriptionChanged => (
                "api-description-changed",
                I,
                "the summary or description of an operation or callback operation changed",
            ),
            ApiKind::SecurityAdded => (
                "api-security-added",
                B,
                "an operation that needed no credentials now needs some",
            ),
            ApiKind::SecurityChanged => (
                "api-security-changed",
                B,
                "an operation's security requirements changed so that an old client's credentials no longer suffice",
            ),
            ApiKind::SecurityRelaxed => (
                "api-security-relaxed",
                I,
                "an operation's security requirements changed, and an old client's credentials still suffice",
            ),
            ApiKind::SecuritySchemeChanged => (
                "api-security-scheme-changed",
                B,
                "a security scheme an operation uses was redefined (type, header name, scheme)",
            ),
            ApiKind::CallbackRemoved => (
                "callback-removed",
                B,
                "a callback operation was removed: the platform no longer calls the vendor for it",
            ),
            ApiKind::CallbackAdded => (
                "callback-added",
                W,
                "a callback operation was added: the vendor's webhook receives calls it was not written for",
            ),
            ApiKind::CallbackSecurityChanged => (
                "callback-security-changed",
                B,
                "the platform's callback calls may lack credentials an old webhook checks",
            ),
            ApiKind::CallbackSecurityChangedCompatibly => (
                "callback-security-changed-compatibly",
                I,
                "the callback's security changed, and an old webhook still accepts the calls",
            ),
        }
    }
}
