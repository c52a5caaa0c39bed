//! The catalogue's words for the glossary: domains, counts and revision actions.

use super::{done::GlossaryDone, fill, Catalog};
use crate::domain::glossary::Domain;

impl Catalog {
    pub fn domain_name(&self, domain: &Domain) -> &'static str {
        let g = &self.glossary;
        match domain {
            Domain::Procurement => g.domain_procurement,
            Domain::Budget => g.domain_budget,
            Domain::Tax => g.domain_tax,
            Domain::InternalControl => g.domain_internal_control,
            Domain::Integrity => g.domain_integrity,
            Domain::Transparency => g.domain_transparency,
            Domain::Participation => g.domain_participation,
            Domain::HumanResources => g.domain_human_resources,
            Domain::PublicWorks => g.domain_public_works,
            Domain::SocialProgrammes => g.domain_social_programmes,
            Domain::Institutions => g.domain_institutions,
        }
    }

    pub fn glossary_done(&self, done: &GlossaryDone) -> &'static str {
        let g = &self.glossary;
        match done {
            GlossaryDone::Saved => g.done_saved,
            GlossaryDone::Merged => g.done_merged,
            GlossaryDone::Retired => g.done_retired,
            GlossaryDone::Reverted => g.done_reverted,
        }
    }

    pub fn concept_count(&self, n: &usize) -> String {
        if *n == 1 {
            self.glossary.concept_count_one.to_string()
        } else {
            fill(self.glossary.concept_count, &[("n", n)])
        }
    }

    /// What a revision did, as the history says it; an action this release does not know
    /// is shown as recorded.
    pub fn revision_action(&self, action: &str) -> String {
        let g = &self.glossary;
        match action {
            "import" => g.action_import,
            "create" => g.action_create,
            "edit" => g.action_edit,
            "merge" => g.action_merge,
            "retire" => g.action_retire,
            "revert" => g.action_revert,
            other => return other.to_string(),
        }
        .to_string()
    }
}
