//! The ways input can break the domain's rules. The domain says what is wrong; `error` maps
//! it to an HTTP status, and the catalogue words it in the reader's language.

/// What can be wrong with a typed field, in a form or in the JSON API. The HTTP layer
/// words it in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldProblem {
    Missing,
    TooLong {
        max: usize,
    },
    TooShort {
        min: usize,
    },
    OutOfRange {
        min: i64,
        max: i64,
    },
    NotAnEmail,
    NotAUrl,
    /// Not one of the accepted values.
    Unknown,
    /// Holds control characters (other than line breaks and tabs in longer texts).
    ControlCharacter,
    /// The confirmation does not match.
    Mismatch,
    /// Someone already has it.
    Taken,
    /// Not the right password.
    Wrong,
    /// Not a date written `YYYY-MM-DD`.
    NotADate,
    /// Not a time of day written `HH:MM`.
    NotATime,
    /// An end at or before the start.
    BeforeStart,
    /// A registration deadline after the start.
    AfterStart,
    /// An agenda item that starts before the workshop or ends after it.
    OutsideHours,
    /// More items than a list may hold.
    TooMany {
        max: usize,
    },
    /// Names a glossary concept that does not exist.
    NotAConcept,
    /// A concept among its own broader concepts, or both broader and related.
    SelfLink,
    /// Broader concepts that lead back to the concept.
    Cycle,
    /// A capacity below the number of people already registered.
    BelowRegistered {
        registered: i64,
    },
}

/// What is wrong with a query-string parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamProblem {
    UnknownValue,
    NotANumber,
    OutOfRange {
        min: i64,
        max: i64,
    },
    TooLong {
        max: usize,
    },
    BeforeYearFrom,
    Unreadable,
    /// A page past the deepest that lists show.
    TooDeep {
        last: i64,
    },
}

/// A query-string parameter and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadParam {
    pub param: String,
    pub problem: ParamProblem,
}

impl BadParam {
    pub fn new(param: impl Into<String>, problem: ParamProblem) -> Self {
        BadParam { param: param.into(), problem }
    }
}

/// A submitted field and what is wrong with it (forms and the JSON API share these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub problem: FieldProblem,
}
