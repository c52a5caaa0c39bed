//! What a workshop agreed: its outcomes (conclusions, attendance, organisations present,
//! materials) and each commitment a region made there, as organisers type them.

use time::Date;

use super::{
    account::{check_email, normalise_email},
    case::Source,
    commitment::CommitmentStatus,
    draft::{is_web_url, parse_sources},
    has_control_characters, lima,
    region::Region,
    slug,
    workshop::{parse_case_refs, MAX_DESCRIPTION_CHARS, MAX_LINE_CHARS},
    FieldError, FieldProblem,
};

pub const MAX_ORGANISATIONS: usize = 100;
pub const MAX_MATERIALS: usize = 30;
pub const MAX_NOTE_CHARS: usize = 2_000;

/// Outcomes, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomesDraft {
    pub conclusions_markdown: String,
    pub attendance: Option<i32>,
    pub organisations: Vec<String>,
    pub materials: Vec<Source>,
}

/// Outcomes as typed: organisations one per line, materials as "title address" lines.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RawOutcomes {
    pub conclusions: String,
    pub attendance: String,
    pub organisations: String,
    pub materials: String,
}

impl RawOutcomes {
    pub fn validate(&self) -> Result<OutcomesDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &'static str, problem: FieldProblem| errors.push(FieldError { field, problem });
        let conclusions = self.conclusions.trim();
        if conclusions.is_empty() {
            fail("conclusions", FieldProblem::Missing);
        } else if conclusions.chars().count() > MAX_DESCRIPTION_CHARS {
            fail("conclusions", FieldProblem::TooLong { max: MAX_DESCRIPTION_CHARS });
        } else if has_control_characters(conclusions) {
            fail("conclusions", FieldProblem::ControlCharacter);
        }
        let attendance = match self.attendance.trim() {
            "" => None,
            text => match text.parse::<i32>() {
                Ok(n) if (0..=100_000).contains(&n) => Some(n),
                _ => {
                    fail("attendance", FieldProblem::OutOfRange { min: 0, max: 100_000 });
                    None
                }
            },
        };
        let organisations: Vec<String> =
            self.organisations.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
        if organisations.len() > MAX_ORGANISATIONS {
            fail("organisations", FieldProblem::TooLong { max: MAX_ORGANISATIONS });
        } else if organisations.iter().any(|o| o.chars().count() > MAX_LINE_CHARS || has_control_characters(o)) {
            fail("organisations", FieldProblem::TooLong { max: MAX_LINE_CHARS });
        }
        let materials = parse_sources(&self.materials);
        if materials.len() > MAX_MATERIALS {
            fail("materials", FieldProblem::TooLong { max: MAX_MATERIALS });
        } else if materials.iter().any(|m| !is_web_url(&m.url) || has_control_characters(&m.title)) {
            fail("materials", FieldProblem::NotAUrl);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(OutcomesDraft { conclusions_markdown: conclusions.to_string(), attendance, organisations, materials })
    }
}

/// A commitment, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentDraft {
    pub region: String,
    pub action: String,
    pub owner_name: String,
    /// The owner's account, by email; the store finds it.
    pub owner_email: Option<String>,
    pub due_on: Option<Date>,
    pub status: CommitmentStatus,
    pub cases: Vec<String>,
}

/// A commitment as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RawCommitment {
    pub region: String,
    pub action: String,
    pub owner_name: String,
    pub owner_email: String,
    pub due_on: String,
    pub status: String,
    pub cases: String,
}

impl RawCommitment {
    pub fn validate(&self, regions: &[Region]) -> Result<CommitmentDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &'static str, problem: FieldProblem| errors.push(FieldError { field, problem });
        let region = self.region.trim();
        if region.is_empty() {
            fail("region", FieldProblem::Missing);
        } else if !regions.iter().any(|r| r.slug == region) {
            fail("region", FieldProblem::Unknown);
        }
        let action = self.action.trim();
        if action.is_empty() {
            fail("action", FieldProblem::Missing);
        } else if action.chars().count() > MAX_NOTE_CHARS {
            fail("action", FieldProblem::TooLong { max: MAX_NOTE_CHARS });
        } else if has_control_characters(action) {
            fail("action", FieldProblem::ControlCharacter);
        }
        let owner_name = self.owner_name.trim();
        if owner_name.chars().count() > MAX_LINE_CHARS {
            fail("owner_name", FieldProblem::TooLong { max: MAX_LINE_CHARS });
        } else if owner_name.chars().any(char::is_control) {
            fail("owner_name", FieldProblem::ControlCharacter);
        }
        let owner_email = normalise_email(&self.owner_email);
        if !owner_email.is_empty() && check_email(&owner_email).is_err() {
            fail("owner_email", FieldProblem::NotAnEmail);
        }
        let due_on = match self.due_on.trim() {
            "" => None,
            text => {
                let date = lima::parse_date(text);
                if date.is_none() {
                    fail("due_on", FieldProblem::NotADate);
                }
                date
            }
        };
        let status = match self.status.trim() {
            "" => Some(CommitmentStatus::Planned),
            text => CommitmentStatus::parse(text),
        };
        if status.is_none() {
            fail("status", FieldProblem::Unknown);
        }
        let cases = parse_case_refs(&self.cases);
        if cases.iter().any(|c| slug::validate(c).is_err()) {
            fail("cases", FieldProblem::Unknown);
        }
        match status {
            Some(status) if errors.is_empty() => Ok(CommitmentDraft {
                region: region.to_string(),
                action: action.to_string(),
                owner_name: owner_name.to_string(),
                owner_email: (!owner_email.is_empty()).then_some(owner_email),
                due_on,
                status,
                cases,
            }),
            _ => Err(errors),
        }
    }
}

/// A progress note as typed: the text, and the status it moves the commitment to.
pub fn check_note(note: &str, status: &str) -> Result<(String, Option<CommitmentStatus>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let note = note.trim();
    if note.is_empty() {
        errors.push(FieldError { field: "note", problem: FieldProblem::Missing });
    } else if note.chars().count() > MAX_NOTE_CHARS {
        errors.push(FieldError { field: "note", problem: FieldProblem::TooLong { max: MAX_NOTE_CHARS } });
    } else if has_control_characters(note) {
        errors.push(FieldError { field: "note", problem: FieldProblem::ControlCharacter });
    }
    let status = match status.trim() {
        "" => None,
        text => match CommitmentStatus::parse(text) {
            Some(status) => Some(status),
            None => {
                errors.push(FieldError { field: "status", problem: FieldProblem::Unknown });
                None
            }
        },
    };
    if errors.is_empty() {
        Ok((note.to_string(), status))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::region::Level;

    fn regions() -> Vec<Region> {
        vec![Region {
            slug: "cusco".into(),
            name: "Cusco".into(),
            level: Level::Regional,
            parent: None,
            case_count: None,
        }]
    }

    #[test]
    fn outcomes_need_conclusions_and_read_lists_by_line() {
        let raw = RawOutcomes {
            conclusions: "Se acordó **actualizar** los mapas de riesgo.".into(),
            attendance: "42".into(),
            organisations: "Secretaría de Integridad Pública\n\nPNUD\n".into(),
            materials: "Presentación https://example.org/p.pdf".into(),
        };
        let draft = raw.validate().expect("valid");
        assert_eq!(draft.attendance, Some(42));
        assert_eq!(draft.organisations, vec!["Secretaría de Integridad Pública".to_string(), "PNUD".into()]);
        assert_eq!(draft.materials[0].url, "https://example.org/p.pdf");
        let bad =
            RawOutcomes { conclusions: " ".into(), attendance: "-1".into(), materials: "sin enlace".into(), ..raw };
        let fields: Vec<_> = bad.validate().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["conclusions", "attendance", "materials"]);
    }

    #[test]
    fn commitments_name_a_known_region_and_an_action() {
        let raw = RawCommitment {
            region: "cusco".into(),
            action: "Aprobar el plan de integridad".into(),
            due_on: "2024-03-31".into(),
            ..RawCommitment::default()
        };
        let draft = raw.validate(&regions()).expect("valid");
        assert_eq!(draft.status, CommitmentStatus::Planned);
        assert_eq!(draft.due_on.map(|d| d.to_string()).as_deref(), Some("2024-03-31"));
        let bad = RawCommitment {
            region: "atlantis".into(),
            action: String::new(),
            due_on: "31/03".into(),
            status: "x".into(),
            ..raw
        };
        let fields: Vec<_> = bad.validate(&regions()).unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["region", "action", "due_on", "status"]);
        assert_eq!(check_note("Avance del 50 %", "in_progress").expect("ok").1, Some(CommitmentStatus::InProgress));
        assert!(check_note(" ", "").is_err());
    }
}
