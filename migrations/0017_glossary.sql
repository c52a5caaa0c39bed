-- The glossary: a bilingual thesaurus in the manner of SKOS, which search uses to expand
-- queries. Labels are arrays on the concept (search reads them all at once, in memory);
-- links between concepts are rows, so that a concept cannot point to one that is gone.

create table concepts (
    id bigint generated always as identity primary key,
    -- Its URI's last part: never changes, never given again.
    slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    domain text not null check (domain in ('procurement', 'budget', 'tax', 'internal-control', 'integrity',
        'transparency', 'participation', 'human-resources', 'public-works', 'social-programmes', 'institutions')),
    pref_es text not null check (pref_es <> ''),
    pref_en text not null check (pref_en <> ''),
    alt_es text[] not null default '{}',
    alt_en text[] not null default '{}',
    acronyms text[] not null default '{}',
    hidden_es text[] not null default '{}',
    hidden_en text[] not null default '{}',
    definition_es text not null check (definition_es <> ''),
    definition_en text not null check (definition_en <> ''),
    scope_note_es text not null default '',
    scope_note_en text not null default '',
    legal_basis text not null default '',
    unverified boolean not null default false,
    -- A retired concept keeps its page and URI; a merged one names the concept it went into.
    retired_at timestamptz,
    replaced_by bigint references concepts (id),
    -- The fingerprint of the file entry last imported (null: created in the app), and
    -- whether the app changed it since: the import then reports a conflict.
    import_hash text,
    edited_in_app boolean not null default false,
    revision int not null default 1,
    updated_at timestamptz not null default now(),
    check (replaced_by is null or retired_at is not null)
);

create table concept_links (
    concept_id bigint not null references concepts (id) on delete cascade,
    target_id bigint not null references concepts (id) on delete cascade,
    relation text not null check (relation in ('broader', 'related')),
    primary key (concept_id, relation, target_id),
    check (concept_id <> target_id)
);
create index concept_links_target_idx on concept_links (target_id);

-- Every state a concept has been in, whole, so that any of them can be looked at and
-- made current again. The snapshot is `domain::glossary::Concept` as JSON.
create table concept_revisions (
    id bigint generated always as identity primary key,
    concept_id bigint not null references concepts (id) on delete cascade,
    revision int not null,
    action text not null check (action in ('import', 'create', 'edit', 'merge', 'retire', 'revert')),
    snapshot jsonb not null,
    retired boolean not null default false,
    actor_id bigint references users (id),
    note text not null default '',
    at timestamptz not null default now(),
    unique (concept_id, revision)
);
create index concept_revisions_at_idx on concept_revisions (at desc, id desc);

-- Every process holds the glossary in memory for search: any write to it, from the app,
-- the importer or plain SQL, logs one change of type 'glossary', whose notification tells
-- every process to read it again.
create function glossary_log_change() returns trigger language plpgsql as $$
begin
    perform log_change('glossary', tg_table_name);
    return null;
end
$$;

create trigger concepts_log_change after insert or update or delete or truncate on concepts
    for each statement execute function glossary_log_change();
create trigger concept_links_log_change after insert or update or delete or truncate on concept_links
    for each statement execute function glossary_log_change();

-- The audit log names concepts too.
alter table audit_log drop constraint audit_log_subject_kind_check;
alter table audit_log add constraint audit_log_subject_kind_check
    check (subject_kind in ('account', 'case', 'workshop', 'commitment', 'thread', 'comment', 'concept'));
