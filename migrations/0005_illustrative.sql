-- Invented cases, written for peer learning, say so in the data: a badge on every page that
-- shows them, a field in the API, a filter. Revisions keep the flag like any other field.
alter table cases add column illustrative boolean not null default false;
alter table case_revisions add column illustrative boolean not null default false;

-- Installations that loaded the seed before this field existed: its twelve invented cases
-- are marked here (a first start never imports again). Their place in the lists stays.
alter table cases disable trigger cases_updated_at;
update cases set illustrative = true where provenance = 'import' and slug in ('canal-denuncias-proteccion-denunciante-huamanga','capacitacion-conflicto-intereses-san-roman','control-interno-contrataciones-san-martin','declaraciones-juradas-intereses-arequipa','impuesto-predial-recordatorios-conductuales-cusco','licitaciones-publicas-alertas-riesgo-la-libertad','presupuesto-participativo-seguimiento-piura','procurement-open-data-dashboard-moquegua','property-tax-register-reconciliation-tacna','transparencia-presupuestal-ejecucion-junin','vigilancia-ciudadana-obras-miraflores','whistleblower-channel-conflict-of-interest-loreto');
update case_revisions cr set illustrative = true
from cases c where c.id = cr.case_id and c.illustrative;
alter table cases enable trigger cases_updated_at;
