//! Account management: profiles, passwords, closing, API tokens, and what admins do
//! (roles, disabling, reset links). Every account action is written to the audit log in
//! the same transaction.

use sqlx::FromRow;
use time::{Duration, OffsetDateTime};

use super::{users::audit, Store};
use crate::{
    auth::secret,
    domain::account::{Role, User},
    domain::Lang,
    error::{AppError, AppResult},
};

/// How long a reset link works.
pub const RESET_LINK_LIFETIME: Duration = Duration::days(3);

/// An account as admins see it.
#[derive(Debug, Clone, FromRow)]
pub struct AccountListing {
    pub id: i64,
    pub email: Option<String>,
    pub display_name: String,
    pub organisation: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub edits_all_regions: bool,
    pub editor_regions: Vec<String>,
    pub disabled: bool,
    pub closed: bool,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditEntry {
    pub at: OffsetDateTime,
    pub actor_name: Option<String>,
    pub action: String,
    pub subject_name: Option<String>,
    pub case_slug: Option<String>,
    pub detail: String,
}

/// A profile's editable details.
pub struct ProfileChange<'a> {
    pub display_name: &'a str,
    pub organisation: &'a str,
    pub region: Option<&'a str>,
    pub language: Lang,
}

/// A role as an admin sets it.
pub struct RoleChange<'a> {
    pub role: Role,
    pub edits_all_regions: bool,
    /// For editors: the regions they review (slugs).
    pub regions: &'a [String],
}

const LISTING_COLUMNS: &str = "
    u.id, u.email, u.display_name, u.organisation, u.role, u.edits_all_regions,
    coalesce((select array_agg(r.slug order by r.slug) from editor_regions er join regions r on r.id = er.region_id
              where er.user_id = u.id), '{}') as editor_regions,
    u.disabled_at is not null as disabled, u.closed_at is not null as closed, u.created_at";

impl Store {
    pub async fn update_profile(&self, user: &User, change: &ProfileChange<'_>) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "update users set display_name = $2, organisation = $3, region_id = (select id from regions where slug = $4),
                    language = $5
             where id = $1",
        )
        .bind(user.id)
        .bind(change.display_name)
        .bind(change.organisation)
        .bind(change.region)
        .bind(change.language.code())
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, Some(user.id), "profile.updated", Some(user.id), None, "").await?;
        tx.commit().await?;
        Ok(())
    }

    /// The stored hash of an active account's password.
    pub async fn password_hash(&self, user_id: i64) -> AppResult<Option<String>> {
        Ok(sqlx::query_scalar("select password_hash from users where id = $1 and closed_at is null")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?
            .flatten())
    }

    /// Sets a new password and ends every other session (the epoch moves). Returns the
    /// account as it now is, to renew the caller's own session.
    pub async fn change_password(&self, user: &User, hash: &str) -> AppResult<User> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("update users set password_hash = $2, session_epoch = session_epoch + 1 where id = $1")
            .bind(user.id)
            .bind(hash)
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, Some(user.id), "password.changed", Some(user.id), None, "").await?;
        tx.commit().await?;
        self.active_user(user.id).await?.ok_or(AppError::NotFound)
    }

    /// Closes an account: the personal data goes, the row stays so that revisions and the
    /// audit log still point somewhere. Its sessions and tokens end.
    pub async fn close_account(&self, user: &User) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "update users set email = null, password_hash = null, display_name = '', organisation = '',
                    region_id = null, closed_at = now(), session_epoch = session_epoch + 1
             where id = $1",
        )
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("delete from api_tokens where user_id = $1").bind(user.id).execute(&mut *tx).await?;
        sqlx::query("delete from editor_regions where user_id = $1").bind(user.id).execute(&mut *tx).await?;
        audit(&mut tx, Some(user.id), "account.closed", Some(user.id), None, "").await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new personal API token; the token itself is returned once and never stored.
    pub async fn create_token(&self, user: &User, name: &str) -> AppResult<String> {
        let token = secret::generate("ayni_");
        let mut tx = self.pool.begin().await?;
        sqlx::query("insert into api_tokens (user_id, name, token_hash) values ($1, $2, $3)")
            .bind(user.id)
            .bind(name)
            .bind(secret::digest(&token))
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, Some(user.id), "token.created", Some(user.id), None, name).await?;
        tx.commit().await?;
        Ok(token)
    }

    pub async fn tokens(&self, user: &User) -> AppResult<Vec<ApiToken>> {
        Ok(sqlx::query_as(
            "select id, name, created_at, last_used_at from api_tokens
             where user_id = $1 and revoked_at is null order by created_at desc, id desc",
        )
        .bind(user.id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Revokes one of `user`'s own tokens; 404 for anyone else's.
    pub async fn revoke_token(&self, user: &User, id: i64) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let name: Option<String> = sqlx::query_scalar(
            "update api_tokens set revoked_at = now() where id = $1 and user_id = $2 and revoked_at is null
             returning name",
        )
        .bind(id)
        .bind(user.id)
        .fetch_optional(&mut *tx)
        .await?;
        let name = name.ok_or(AppError::NotFound)?;
        audit(&mut tx, Some(user.id), "token.revoked", Some(user.id), None, &name).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Accounts whose email, name or organisation contains `query`, newest first.
    pub async fn accounts(&self, query: &str) -> AppResult<Vec<AccountListing>> {
        let sql = format!(
            "select {LISTING_COLUMNS} from users u
             where $1 = '' or u.email ilike '%' || $1 || '%' or u.display_name ilike '%' || $1 || '%'
                   or u.organisation ilike '%' || $1 || '%'
             order by u.created_at desc, u.id desc
             limit 200"
        );
        let pattern = query.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        Ok(sqlx::query_as(&sql).bind(pattern).fetch_all(&self.pool).await?)
    }

    pub async fn account(&self, id: i64) -> AppResult<Option<AccountListing>> {
        let sql = format!("select {LISTING_COLUMNS} from users u where u.id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(&self.pool).await?)
    }

    pub async fn change_role(&self, admin: &User, id: i64, change: &RoleChange<'_>) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let before: Option<String> = sqlx::query_scalar("select role from users where id = $1 and closed_at is null")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let before = before.ok_or(AppError::NotFound)?;
        if before == Role::Admin.as_str() && change.role != Role::Admin {
            // Someone must be left to manage accounts.
            let admins: i64 = sqlx::query_scalar(
                "select count(*) from users where role = 'admin' and disabled_at is null and closed_at is null",
            )
            .fetch_one(&mut *tx)
            .await?;
            if admins <= 1 {
                return Err(AppError::Forbidden);
            }
        }
        let editor = change.role == Role::Editor;
        sqlx::query("update users set role = $2, edits_all_regions = $3 where id = $1")
            .bind(id)
            .bind(change.role.as_str())
            .bind(editor && change.edits_all_regions)
            .execute(&mut *tx)
            .await?;
        sqlx::query("delete from editor_regions where user_id = $1").bind(id).execute(&mut *tx).await?;
        let regions: &[String] = if editor && !change.edits_all_regions { change.regions } else { &[] };
        sqlx::query("insert into editor_regions (user_id, region_id) select $1, id from regions where slug = any($2)")
            .bind(id)
            .bind(regions)
            .execute(&mut *tx)
            .await?;
        // `before>after`, and for editors `:*` (every region) or `:slug,slug`.
        let scope = if !editor {
            String::new()
        } else if change.edits_all_regions {
            ":*".to_string()
        } else {
            format!(":{}", regions.join(","))
        };
        let detail = format!("{before}>{}{scope}", change.role);
        audit(&mut tx, Some(admin.id), "role.changed", Some(id), None, &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables (and signs out everywhere) or enables an account.
    pub async fn set_disabled(&self, admin: &User, id: i64, disabled: bool) -> AppResult<()> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "update users set disabled_at = case when $2 then coalesce(disabled_at, now()) end,
                    session_epoch = session_epoch + case when $2 then 1 else 0 end
             where id = $1 and closed_at is null",
        )
        .bind(id)
        .bind(disabled)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        let action = if disabled { "account.disabled" } else { "account.enabled" };
        audit(&mut tx, Some(admin.id), action, Some(id), None, "").await?;
        tx.commit().await?;
        Ok(())
    }

    /// A one-time reset link's secret for the account `id`; earlier unused links stop working.
    pub async fn issue_reset(&self, admin: &User, id: i64) -> AppResult<String> {
        let token = secret::generate("");
        let mut tx = self.pool.begin().await?;
        sqlx::query("update password_resets set used_at = now() where user_id = $1 and used_at is null")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "insert into password_resets (token_hash, user_id, issued_by, expires_at)
             select $1, id, $3, now() + make_interval(secs => $4) from users where id = $2 and closed_at is null",
        )
        .bind(secret::digest(&token))
        .bind(id)
        .bind(admin.id)
        .bind(RESET_LINK_LIFETIME.as_seconds_f64())
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        audit(&mut tx, Some(admin.id), "reset_link.issued", Some(id), None, "").await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The account a live reset link is for.
    pub async fn reset_link_user(&self, token: &str) -> AppResult<Option<(i64, String)>> {
        Ok(sqlx::query_as(
            "select u.id, u.display_name from password_resets pr join users u on u.id = pr.user_id
             where pr.token_hash = $1 and pr.used_at is null and pr.expires_at > now() and u.closed_at is null",
        )
        .bind(secret::digest(token))
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Uses a reset link once: sets the password and ends every session. `false` when the
    /// link is unknown, used or expired.
    pub async fn use_reset_link(&self, token: &str, hash: &str) -> AppResult<bool> {
        let mut tx = self.pool.begin().await?;
        let user: Option<i64> = sqlx::query_scalar(
            "update password_resets set used_at = now()
             where token_hash = $1 and used_at is null and expires_at > now()
             returning user_id",
        )
        .bind(secret::digest(token))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user) = user else { return Ok(false) };
        sqlx::query(
            "update users set password_hash = $2, session_epoch = session_epoch + 1 where id = $1 and closed_at is null",
        )
        .bind(user)
        .bind(hash)
        .execute(&mut *tx)
        .await?;
        // A reset is how a taken-over account is recovered: its API tokens end too.
        sqlx::query("update api_tokens set revoked_at = now() where user_id = $1 and revoked_at is null")
            .bind(user)
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, Some(user), "password.reset", Some(user), None, "").await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The audit log, newest first, one page at a time.
    pub async fn audit_log(&self, limit: i64, offset: i64) -> AppResult<(Vec<AuditEntry>, i64)> {
        let total: i64 = sqlx::query_scalar("select count(*) from audit_log").fetch_one(&self.pool).await?;
        let entries = sqlx::query_as(
            "select a.at, actor.display_name as actor_name, a.action, subject.display_name as subject_name,
                    a.case_slug, a.detail
             from audit_log a
             left join users actor on actor.id = a.actor_id
             left join users subject on subject.id = a.subject_id
             order by a.at desc, a.id desc
             limit $1 offset $2",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok((entries, total))
    }
}
