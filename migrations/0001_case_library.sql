-- The case library: regions, themes and cases. Accounts, workshops and discussions come later.

create or replace function set_updated_at() returns trigger language plpgsql as $$
begin
    new.updated_at = now();
    return new;
end
$$;

create table regions (
    id bigint generated always as identity primary key,
    slug text not null unique,
    name text not null,
    level text not null check (level in ('national', 'regional', 'municipal')),
    parent_id bigint references regions (id)
);
create index regions_parent_idx on regions (parent_id);

create table themes (
    id bigint generated always as identity primary key,
    slug text not null unique,
    name_es text not null,
    name_en text not null,
    description text not null
);

create table cases (
    id bigint generated always as identity primary key,
    slug text not null unique,
    title text not null,
    kind text not null check (kind in ('case', 'success-story')),
    region_id bigint not null references regions (id),
    language text not null check (language in ('es', 'en')),
    year integer not null check (year between 1900 and 2100),
    summary text not null,
    sources jsonb not null default '[]',
    body_markdown text not null,
    -- Derived from body_markdown whenever it changes; body_html_version says by which renderer.
    body_html text not null,
    body_html_version integer not null,
    status text not null check (status in ('draft', 'submitted', 'published', 'unpublished')),
    provenance text not null check (provenance in ('import', 'app')),
    -- SHA-256 of the content file at its last import; kept when the app edits the case.
    import_hash text,
    -- Accounts arrive with a later migration, which adds the foreign key.
    author_id bigint,
    published_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create trigger cases_updated_at before update on cases
    for each row execute function set_updated_at();

-- The public list: published cases, newest first (year, then updated time, then slug).
create index cases_published_order_idx on cases (year desc, updated_at desc, slug) where status = 'published';
create index cases_region_idx on cases (region_id) where status = 'published';
create index cases_kind_idx on cases (kind) where status = 'published';
create index cases_language_idx on cases (language) where status = 'published';
create index cases_published_at_idx on cases (published_at desc) where status = 'published';

create table case_themes (
    case_id bigint not null references cases (id) on delete cascade,
    theme_id bigint not null references themes (id),
    primary key (case_id, theme_id)
);
create index case_themes_theme_idx on case_themes (theme_id, case_id);

-- Facts about the database itself, such as whether the seed content was loaded.
create table ayni_meta (
    key text primary key,
    value text not null
);
