//! The gate: what a request may do to a case or a workshop. Pages and the JSON API both ask here, and
//! it asks `domain::permission`, so the answer (404, 403, 410) is the same for both.

use crate::{
    domain::{
        account::User,
        draft::CaseDraft,
        permission::{may, CaseAccess, CaseAction, WorkshopAction},
        slug,
    },
    error::{AppError, AppResult},
    http::AppState,
    store::{
        cases::{CaseRecord, Lookup},
        workshops::WorkshopRecord,
    },
};

/// A path segment that cannot be a slug cannot name anything: 404 without a query.
pub fn checked_slug(text: &str) -> Result<&str, AppError> {
    slug::validate(text).map(|()| text).map_err(|_| AppError::NotFound)
}

/// The case `slug` if `user` may do `action` to it: 404 when they may not even see it (so
/// nothing leaks), 403 when they see it but may not act, 410 when it was deleted.
pub async fn case_for(
    state: &AppState,
    slug: &str,
    user: Option<&User>,
    action: CaseAction,
) -> AppResult<Box<CaseRecord>> {
    let slug = checked_slug(slug)?;
    let record = match state.store.find_case(slug).await? {
        Lookup::Found(record) => record,
        Lookup::Gone => return Err(AppError::Gone),
        Lookup::Moved(_) | Lookup::Missing => return Err(AppError::NotFound),
    };
    let access = record.access();
    if !may(user, CaseAction::View, &access) {
        return Err(AppError::NotFound);
    }
    if !may(user, action, &access) {
        return Err(AppError::Forbidden);
    }
    Ok(record)
}

/// Whether `user` may also edit the case once it is in the draft's region: an editor of
/// one region cannot move a case into a region they do not review.
pub async fn may_move(state: &AppState, user: &User, record: &CaseRecord, draft: &CaseDraft) -> AppResult<bool> {
    if draft.region == record.draft.region {
        return Ok(true);
    }
    let region_path = state.store.region_path(&draft.region).await?;
    let after = CaseAccess { author_id: record.author_id, status: record.status, region_path };
    Ok(may(Some(user), CaseAction::Edit, &after))
}

/// The workshop `slug` if `user` may do `action` to it: 404 when they may not even see it
/// (a draft stays secret), 403 when they see it but may not act.
pub async fn workshop_for(
    state: &AppState,
    slug: &str,
    user: Option<&User>,
    action: WorkshopAction,
) -> AppResult<WorkshopRecord> {
    let slug = checked_slug(slug)?;
    let record = state.store.find_workshop(slug).await?.ok_or(AppError::NotFound)?;
    let access = record.access();
    if !may(user, WorkshopAction::View, &access) {
        return Err(AppError::NotFound);
    }
    if !may(user, action, &access) {
        return Err(AppError::Forbidden);
    }
    Ok(record)
}
