//! Search: the box, results, facets and sorting.

/// Search: the box, results, facets and sorting.
pub struct SearchText {
    pub search_title: &'static str,
    pub search_title_for: &'static str,
    pub search_label: &'static str,
    pub search_button: &'static str,
    pub search_hint: &'static str,
    pub search_tips: &'static str,
    pub sort_label: &'static str,
    pub sort_relevance: &'static str,
    pub sort_newest: &'static str,
    pub results_one: &'static str,
    pub results_many: &'static str,
    pub search_none: &'static str,
    pub search_try_without_filters: &'static str,
    pub search_did_you_mean: &'static str,
    pub search_ignored: &'static str,
    pub search_building: &'static str,
    pub facets_heading: &'static str,
    pub facet_type: &'static str,
    pub type_case: &'static str,
    pub peer_cases: &'static str,
    pub search_refine: &'static str,
    pub results_heading: &'static str,
}
