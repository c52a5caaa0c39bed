//! People with accounts: their roles and the rules their details obey.

use super::{region::Region, text_enum, FieldError, FieldProblem, Lang};

text_enum!(
    /// What an account may do beyond reading. Anonymous visitors have no account at all.
    Role { Member => "member", Editor => "editor", Facilitator => "facilitator", Admin => "admin" }
);

/// The version of the privacy notice shown at sign-up, recorded with each consent. Change it
/// whenever the notice's text changes.
pub const PRIVACY_NOTICE_VERSION: &str = "2026-11-27";

/// The shortest password Ayni accepts.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Long enough for any passphrase, short enough that hashing it is no attack.
pub const MAX_PASSWORD_CHARS: usize = 200;
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_NAME_CHARS: usize = 100;

/// A signed-in person, as every request sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    /// What others mention them by (`@handle`), unique; they can change it.
    pub handle: String,
    pub organisation: String,
    /// Slug of the region the person works in, if they said.
    pub region: Option<String>,
    pub role: Role,
    /// For editors: every region, or only `editor_regions` and the places under them.
    pub edits_all_regions: bool,
    pub editor_regions: Vec<String>,
    pub language: Lang,
    pub session_epoch: i32,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether this person reviews the cases of the region whose ancestry (the region
    /// itself first, then its parents) is `region_path`.
    pub fn edits_region(&self, region_path: &[String]) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Editor => self.edits_all_regions || region_path.iter().any(|r| self.editor_regions.contains(r)),
            Role::Member | Role::Facilitator => false,
        }
    }

    /// Whether this person has a review queue at all.
    pub fn reviews(&self) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Editor => self.edits_all_regions || !self.editor_regions.is_empty(),
            Role::Member | Role::Facilitator => false,
        }
    }
}

/// An account's details as someone typed them, for the one check that sign-up, the profile,
/// password reset and `ayni user create` share. Each gives what its form has; `None` is not
/// checked. Problems come back in this order, named `email`, `display_name`,
/// `organisation`, `region`, `password` and `password_confirm`.
#[derive(Debug, Default, Clone, Copy)]
pub struct AccountDetails<'a> {
    /// Already normalised ([`normalise_email`]).
    pub email: Option<&'a str>,
    pub display_name: Option<&'a str>,
    pub organisation: Option<&'a str>,
    /// A region slug, or "" for none.
    pub region: Option<&'a str>,
    /// A new password and its confirmation.
    pub password: Option<(&'a str, &'a str)>,
}

impl AccountDetails<'_> {
    /// Everything wrong with these details; `regions` are those a region may name.
    pub fn check(&self, regions: &[Region]) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut add = |field: &'static str, result: Result<(), FieldProblem>| {
            if let Err(problem) = result {
                errors.push(FieldError { field, problem });
            }
        };
        if let Some(email) = self.email {
            add("email", check_email(email));
        }
        if let Some(name) = self.display_name {
            add("display_name", check_line(name, MAX_NAME_CHARS));
        }
        if let Some(organisation) = self.organisation {
            add("organisation", check_optional_line(organisation, MAX_NAME_CHARS));
        }
        if let Some(region) = self.region.filter(|r| !r.is_empty()) {
            add("region", if regions.iter().any(|r| r.slug == region) { Ok(()) } else { Err(FieldProblem::Unknown) });
        }
        if let Some((password, confirm)) = self.password {
            match check_password(password) {
                Err(problem) => add("password", Err(problem)),
                Ok(()) if password != confirm => add("password_confirm", Err(FieldProblem::Mismatch)),
                Ok(()) => {}
            }
        }
        errors
    }
}

/// An address normalised for storage and comparison: trimmed and in lower case.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A plausible address: one `@` with text on both sides, a dot in the domain, no spaces.
pub fn check_email(email: &str) -> Result<(), FieldProblem> {
    if email.is_empty() {
        return Err(FieldProblem::Missing);
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(FieldProblem::TooLong { max: MAX_EMAIL_CHARS });
    }
    let plausible = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                && !email.contains('\0')
        }
        None => false,
    };
    if plausible {
        Ok(())
    } else {
        Err(FieldProblem::NotAnEmail)
    }
}

fn check_password(password: &str) -> Result<(), FieldProblem> {
    let chars = password.chars().count();
    if password.contains('\0') {
        Err(FieldProblem::ControlCharacter)
    } else if chars == 0 {
        Err(FieldProblem::Missing)
    } else if chars < MIN_PASSWORD_CHARS {
        Err(FieldProblem::TooShort { min: MIN_PASSWORD_CHARS })
    } else if chars > MAX_PASSWORD_CHARS {
        Err(FieldProblem::TooLong { max: MAX_PASSWORD_CHARS })
    } else {
        Ok(())
    }
}

/// A required one-line text such as a name.
pub fn check_line(text: &str, max: usize) -> Result<(), FieldProblem> {
    if text.trim().is_empty() {
        Err(FieldProblem::Missing)
    } else {
        check_optional_line(text, max)
    }
}

fn check_optional_line(text: &str, max: usize) -> Result<(), FieldProblem> {
    if text.chars().count() > max {
        Err(FieldProblem::TooLong { max })
    } else if text.chars().any(char::is_control) {
        Err(FieldProblem::ControlCharacter)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn editor(regions: &[&str]) -> User {
        User {
            id: 1,
            email: "e@x.pe".into(),
            display_name: "E".into(),
            organisation: String::new(),
            region: None,
            role: Role::Editor,
            edits_all_regions: false,
            editor_regions: regions.iter().map(|r| r.to_string()).collect(),
            language: Lang::Es,
            session_epoch: 0,
            handle: "editor".into(),
        }
    }

    #[test]
    fn editors_cover_their_regions_and_the_places_under_them() {
        let cusco = editor(&["cusco"]);
        assert!(cusco.edits_region(&["cusco".into(), "peru".into()]));
        assert!(cusco.edits_region(&["municipalidad-provincial-del-cusco".into(), "cusco".into()]));
        assert!(!cusco.edits_region(&["piura".into()]));
        assert!(!editor(&[]).reviews());
        assert!(User { edits_all_regions: true, ..editor(&[]) }.edits_region(&["piura".into()]));
        assert!(!User { role: Role::Member, ..cusco.clone() }.edits_region(&["cusco".into()]));
    }

    #[test]
    fn emails_and_passwords() {
        assert_eq!(check_email("ana@region.gob.pe"), Ok(()));
        for bad in ["ana", "ana@", "@x.pe", "ana@pe", "a b@x.pe", "a@b@x.pe", "ana@x.pe."] {
            assert_eq!(check_email(bad), Err(FieldProblem::NotAnEmail), "{bad}");
        }
        assert_eq!(normalise_email("  Ana@Región.PE "), "ana@región.pe");
        assert_eq!(check_password("ñandú-1234"), Ok(()));
        let details = AccountDetails {
            email: Some("ana"),
            display_name: Some(" "),
            organisation: Some("GORE"),
            region: Some("atlantis"),
            password: Some(("larga frase 1", "otra frase 2")),
        };
        let fields: Vec<_> = details.check(&[]).into_iter().map(|e| (e.field, e.problem)).collect();
        assert_eq!(
            fields,
            [
                ("email", FieldProblem::NotAnEmail),
                ("display_name", FieldProblem::Missing),
                ("region", FieldProblem::Unknown),
                ("password_confirm", FieldProblem::Mismatch),
            ]
        );
        assert!(AccountDetails { region: Some(""), ..AccountDetails::default() }.check(&[]).is_empty());
        assert_eq!(check_password("123456789"), Err(FieldProblem::TooShort { min: 10 }));
        assert_eq!(check_password(""), Err(FieldProblem::Missing));
    }
}
