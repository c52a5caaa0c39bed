-- Themes describe themselves in English too, for the English interface.
alter table themes add column description_en text not null default '';
