//! What admins do to accounts: listing, roles, disabling, reset links.

use sqlx::FromRow;
use time::{Duration, OffsetDateTime};

use crate::{
    auth::secret,
    domain::{
        account::{Role, User},
        subject::{AuditAction, AuditDetails, AuditRecord},
    },
    error::{AppError, AppResult},
    store::{audit::audit, Store},
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
        let details = AuditDetails {
            from: Role::parse(&before),
            to: Some(change.role),
            all_regions: editor && change.edits_all_regions,
            regions: if editor && !change.edits_all_regions { regions.to_vec() } else { Vec::new() },
            ..AuditDetails::default()
        };
        audit(&mut tx, AuditRecord::new(Some(admin.id), AuditAction::RoleChanged).on_account(id).with(details)).await?;
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
        let action = if disabled { AuditAction::AccountDisabled } else { AuditAction::AccountEnabled };
        audit(&mut tx, AuditRecord::new(Some(admin.id), action).on_account(id)).await?;
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
        audit(&mut tx, AuditRecord::new(Some(admin.id), AuditAction::ResetLinkIssued).on_account(id)).await?;
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
        audit(&mut tx, AuditRecord::new(Some(user), AuditAction::PasswordReset).on_account(user)).await?;
        tx.commit().await?;
        Ok(true)
    }
}
