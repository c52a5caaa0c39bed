// Browser checks of Ayni's pages: axe-core on every page type, as a visitor, a member and an
// admin, at 360 px and 1024 px; a full-page 360 px screenshot of each; and the layout checks
// of the issue (a–h below), each printed as PASS/FAIL with what was measured.
//
//   node check.mjs BASE_URL OUT_DIR      (tests/browser/run starts a site and calls this)
//
// Exits 1 when any check fails, or when the script itself cannot go on.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node check.mjs BASE_URL OUT_DIR');
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const AXE_OPTIONS = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } };
const PHONE = { width: 360, height: 640 };
const DESKTOP = { width: 1024, height: 768 };
// The machine has no outside network: these flags keep Chromium from trying to reach it.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
// The seed's workshop of 14 July 2023, with its outcomes.
const SEED_WORKSHOP = 'primer-taller-conjunto-integridad-publica-2023';
const ADMIN = { email: 'admin@ayni.test', password: 'contraseña de prueba 123' };

const tally = { passed: 0, failed: 0 };
const violations = new Map(); // "rule page target" -> violation, with the widths it was seen at
const screenshots = [];

/** Prints one check's outcome and counts it. */
function report(ok, label, detail) {
  tally[ok ? 'passed' : 'failed'] += 1;
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${label}  — ${detail}`);
}

/** Runs `steps` with a fresh Chromium profile (its own cookies), then removes the profile. */
async function asRole(role, steps) {
  const profile = mkdtempSync(join(tmpdir(), `ayni-chromium-${role}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport: PHONE,
    locale: 'es-PE', // Spanish first, as for the people Ayni is for (Accept-Language)
    bypassCSP: true, // Ayni's CSP forbids inline scripts, and axe is injected as one
  });
  context.setDefaultTimeout(60_000);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  console.log(`\n=== ${role} ===`);
  try {
    await steps(page);
  } catch (error) {
    report(false, `${role}: script step`, `stopped at ${page.url()}: ${error.message.split('\n')[0]}`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

// What each page did that no check asks for but that is always wrong: JavaScript errors,
// requests that leave the site. Also the HTTP status of the last document loaded.
const pageState = new WeakMap();
function watch(page) {
  const state = { status: 0, problems: [] };
  pageState.set(page, state);
  page.on('response', (r) => {
    if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) state.status = r.status();
  });
  page.on('pageerror', (e) => state.problems.push(`JavaScript error: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) state.problems.push(`request off the site: ${r.url()}`);
  });
}

/** Opens `path`; while `waitWhile` matches (the search index still building), reloads. */
async function open(page, path, waitWhile) {
  let response = await page.goto(base + path);
  for (let i = 0; waitWhile && i < 30 && (await page.locator(waitWhile).count()) > 0; i += 1) {
    await page.waitForTimeout(1000);
    response = await page.reload();
  }
  return response.status();
}

/** Clicks a control that submits a form or follows a link, and waits for the new page. */
async function press(page, control) {
  await Promise.all([page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame()), control.click()]);
  await page.waitForLoadState('load');
  return pageState.get(page).status;
}

/** Injects axe-core if needed, runs it, and records each violating node of page `name`. */
async function runAxe(page, name, width) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.addScriptTag({ path: AXE_PATH });
  const found = await page.evaluate(async (options) => {
    const result = await window.axe.run(document, options);
    return result.violations.flatMap((v) =>
      v.nodes.map((n) => ({ id: v.id, impact: n.impact ?? v.impact, help: v.help, target: n.target.flat().join(' '), html: n.html })));
  }, AXE_OPTIONS);
  for (const v of found) {
    const key = `${v.id} ${name} ${v.target}`;
    if (!violations.has(key)) violations.set(key, { ...v, name, url: page.url(), widths: [] });
    violations.get(key).widths.push(width);
  }
  return found.length;
}

/**
 * The checks every page gets, on the page as it is now: its status, a full-page 360 px
 * screenshot, (g) no horizontal scroll, (c) numbers in table cells, axe at 360 and 1024 px.
 */
async function checkPage(page, name, status, expected = [200]) {
  const url = page.url();
  const state = pageState.get(page);
  console.log(`\n--- ${name}: ${url} (${status})`);
  if (!expected.includes(status)) state.problems.unshift(`status ${status}, expected ${expected.join(' or ')}`);
  if (state.problems.length > 0) report(false, `page ${name}`, state.problems.join('; '));
  state.problems = [];
  await page.setViewportSize(PHONE);
  const file = join(outDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  screenshots.push(file);
  await checkHorizontalScroll(page, name);
  if ((await page.locator('.prose td').count()) > 0) await checkTableNumbers(page, name);
  const before = violations.size;
  const atPhone = await runAxe(page, name, 360);
  await page.setViewportSize(DESKTOP);
  const atDesktop = await runAxe(page, name, 1024);
  await page.setViewportSize(PHONE);
  report(atPhone + atDesktop === 0, `axe ${name}`, `${atPhone} violating nodes at 360 px, ${atDesktop} at 1024 px`);
  for (const v of [...violations.values()].slice(before)) {
    console.log(`      ${v.id} (${v.impact}) ${v.target}  ${snippet(v.html)}`);
  }
}

function snippet(html) {
  const flat = html.replace(/\s+/g, ' ');
  return flat.length > 140 ? `${flat.slice(0, 140)}…` : flat;
}

// g. No page scrolls sideways at 360 px. On failure, names the elements that stick out first.
async function checkHorizontalScroll(page, name) {
  const m = await page.evaluate(() => {
    const limit = window.innerWidth;
    const describe = (el) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') + [...el.classList].map((c) => `.${c}`).join('');
    const culprits = [...document.body.querySelectorAll('*')]
      .filter((el) => el.getBoundingClientRect().right > limit + 0.5 && el.parentElement.getBoundingClientRect().right <= limit + 0.5)
      .slice(0, 3)
      .map((el) => `${describe(el)} right=${Math.round(el.getBoundingClientRect().right)}`);
    return { scrollWidth: document.documentElement.scrollWidth, culprits };
  });
  report(m.scrollWidth <= PHONE.width, `g. no horizontal scroll at 360 px: ${name}`,
    `scrollWidth=${m.scrollWidth} (limit ${PHONE.width})${m.scrollWidth > PHONE.width ? `; sticking out: ${m.culprits.join(', ')}` : ''}`);
}

// c. In a short `.prose` table cell (under 12 characters), no number (digits with their
// commas and points) is split across lines: the client rects of a Range over the number
// all share one top. A cell may still wrap between words ("45 días").
async function checkTableNumbers(page, name) {
  const numbers = await page.evaluate(() => [...document.querySelectorAll('.prose td')]
    .filter((td) => td.textContent.trim().length < 12)
    .flatMap((td) => {
      const found = [];
      const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const match of node.data.matchAll(/\d[\d,.]*\d|\d/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          found.push({ text: match[0], lines: tops.size, width: Math.round(td.getBoundingClientRect().width) });
        }
      }
      return found;
    }));
  const broken = numbers.filter((n) => n.lines > 1);
  report(broken.length === 0, `c. numbers in .prose table cells on one line: ${name}`,
    `${numbers.length} numbers in short cells, ${broken.length} split` +
    (broken.length ? `: ${broken.map((n) => `"${n.text}" on ${n.lines} lines (cell ${n.width} px wide)`).join(', ')}` : ''));
}

// a. On the list of cases the first card starts within the first 360×640 screen.
async function checkFirstCard(page) {
  const m = await page.evaluate(() => {
    const top = (el) => (el ? Math.round(el.getBoundingClientRect().top + window.scrollY) : null);
    const filters = document.querySelector('.filters');
    return { card: top(document.querySelector('.cards > li')), filters: filters?.checkVisibility() ? `${Math.round(filters.getBoundingClientRect().height)} px tall` : 'not shown' };
  });
  report(m.card !== null && m.card < PHONE.height, 'a. /cases: first result card within the first screen',
    `first card top=${m.card} px (limit ${PHONE.height}); filters form ${m.filters}`);
}

// a. On search results, a link or control that narrows the results (the facets, or anything
// named filter/refine) is visible above the first result and within the first screen. The
// search box and the sort order do not count.
async function checkRefineFirst(page) {
  const m = await page.evaluate(() => {
    const top = (el) => Math.round(el.getBoundingClientRect().top + window.scrollY);
    const first = document.querySelector('.search-results > li');
    const named = /filt|refin|narrow|acot/i;
    const controls = [...document.querySelectorAll('main a, main button, main select, main summary')].filter((el) =>
      el.checkVisibility() && !el.closest('.search-form, .search-results') &&
      (el.closest('.facets') || named.test(`${el.textContent} ${el.getAttribute('aria-label') ?? ''}`)));
    const firstControl = controls.sort((x, y) => top(x) - top(y))[0];
    return {
      result: first ? top(first) : null,
      control: firstControl ? top(firstControl) : null,
      text: firstControl ? firstControl.textContent.trim().slice(0, 40) : '',
    };
  });
  const limit = Math.min(PHONE.height, m.result ?? PHONE.height);
  report(m.control !== null && m.control < limit, 'a. /search: a refine/filter control above the first result',
    `first refine control top=${m.control} px ("${m.text}"), first result top=${m.result} px, screen ${PHONE.height} px`);
}

// b. The region and year appear after the case's h1 and before its body.
async function checkCaseMeta(page, name, region, year) {
  const m = await page.evaluate(([region, year]) => {
    const h1 = document.querySelector('main h1');
    const body = document.querySelector('.prose');
    const between = [...document.querySelectorAll('main *')].filter((el) =>
      (h1.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) &&
      (!body || ((el.compareDocumentPosition(body) & Node.DOCUMENT_POSITION_FOLLOWING) && !el.contains(body))) &&
      el.checkVisibility() && el.textContent.includes(region) && el.textContent.includes(year));
    const found = between.at(-1); // the innermost: descendants come after their ancestors
    return {
      found: found ? `${found.tagName.toLowerCase()}${found.className ? `.${found.className.split(' ').join('.')}` : ''} "${found.textContent.trim().replace(/\s+/g, ' ').slice(0, 60)}"` : null,
      h1Bottom: Math.round(h1.getBoundingClientRect().bottom + window.scrollY),
      bodyTop: body ? Math.round(body.getBoundingClientRect().top + window.scrollY) : null,
      caseMeta: document.querySelector('.case-meta') !== null,
    };
  }, [region, String(year)]);
  report(m.found !== null, `b. region and year between h1 and body: ${name}`,
    `looking for "${region}" and "${year}"; ${m.found ? `found in ${m.found}` : 'not found'}; ` +
    `h1 bottom=${m.h1Bottom} px, body top=${m.bodyTop} px, .case-meta ${m.caseMeta ? 'present' : 'absent'}`);
}

// d. Signed in, the site header is at most 160 px tall at 360 px.
async function checkHeaderHeight(page, role) {
  const height = await page.evaluate(() => Math.round(document.querySelector('header.site-header').getBoundingClientRect().height));
  report(height <= 160, `d. signed-in header at most 160 px tall (${role})`, `header.site-header is ${height} px tall at 360 px`);
}

// i. Printed, a page is its text: no header, footer or forms.
async function checkPrint(page, name) {
  await page.emulateMedia({ media: 'print' });
  const shown = await page.evaluate(() => ['header.site-header', 'footer.site-footer', 'form']
    .filter((selector) => [...document.querySelectorAll(selector)].some((el) => getComputedStyle(el).display !== 'none')));
  await page.emulateMedia({ media: 'screen' });
  report(shown.length === 0, `i. print leaves out the site's chrome (${name})`, shown.length ? `still shown: ${shown.join(', ')}` : 'header, footer and forms hidden');
}

// e. After the Preview button, the preview is in the viewport.
async function checkPreviewInView(page) {
  const m = await page.evaluate(() => {
    const preview = document.getElementById('preview');
    const rect = preview?.getBoundingClientRect();
    return { exists: Boolean(preview), top: Math.round(rect?.top ?? 0), bottom: Math.round(rect?.bottom ?? 0), height: window.innerHeight, hash: location.hash };
  });
  report(m.exists && m.top < m.height && m.bottom > 0, 'e. after Preview, #preview is in the viewport',
    m.exists ? `#preview spans ${m.top}..${m.bottom} px of a ${m.height} px viewport; URL fragment "${m.hash}"` : 'no #preview on the page');
}

// h. A refused form's title starts with "Error:".
async function checkErrorTitle(page, name) {
  const title = await page.title();
  report(title.startsWith('Error:'), `h. refused form's title starts with "Error:": ${name}`, `title "${title}"`);
}

// f. Each link of the error summary leads to a control that takes focus when followed.
async function checkErrorLinks(page, name) {
  const links = page.locator('.error-summary a[href^="#"]');
  const count = await links.count();
  if (count === 0) report(false, `f. error summary links: ${name}`, 'no .error-summary link on the refused form');
  for (let i = 0; i < count; i += 1) {
    const link = links.nth(i);
    const href = await link.getAttribute('href');
    await link.click();
    const m = await page.evaluate((id) => {
      const describe = (el) => (el ? el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') : 'nothing');
      const target = document.getElementById(id);
      return { target: describe(target), active: describe(document.activeElement), focused: target !== null && document.activeElement === target };
    }, decodeURIComponent(href.slice(1)));
    report(m.focused, `f. error summary link ${href}: ${name}`, `target ${m.target}; focus went to ${m.active}`);
  }
}

/** The first link matching `selector` whose `.count` badge (right after it) is above zero,
 *  else the first link: a region or theme that has cases. */
async function linkWithCases(page, selector) {
  const found = await page.$$eval(selector, (as) => as.map((a) => ({
    href: a.getAttribute('href'), cases: Number(a.nextElementSibling?.textContent ?? 0),
  })));
  return (found.find((l) => l.cases > 0) ?? found[0]).href;
}

// ---------------------------------------------------------------- visitor
let caseForMeta = null; // {slug, region, year} of the published case checked for (b)

await asRole('visitor', async (page) => {
  let status = await open(page, '/');
  await checkPage(page, 'visitor-home', status);

  status = await open(page, '/cases');
  await checkFirstCard(page);
  await checkPage(page, 'visitor-cases', status);

  // Every case on every page of the list, with its region and year from its card.
  const cases = [];
  for (let next = '/cases'; next; ) {
    await page.goto(base + next);
    const cards = await page.$$eval('.cards > li', (lis) => lis.map((li) => ({
      slug: li.querySelector('.card-title a').getAttribute('href').replace('/cases/', ''),
      region: li.querySelector('.meta a[href^="/regions/"]').textContent.trim(),
      year: /\b(1[89]|2[01])\d\d\b/.exec(li.querySelector('.meta').textContent)[0],
    })));
    cases.push(...cards);
    const nextLink = page.locator('a[rel="next"]');
    next = (await nextLink.count()) > 0 ? await nextLink.first().getAttribute('href') : null;
  }
  // The case page to check: one with a table in its body if there is one (for check c).
  for (const c of cases) {
    const html = await (await page.request.get(`${base}/cases/${c.slug}`)).text();
    if (html.includes('<table')) {
      caseForMeta = c;
      break;
    }
  }
  caseForMeta ??= cases[0];
  console.log(`(${cases.length} published cases; checking /cases/${caseForMeta.slug})`);

  status = await open(page, '/cases?region=cusco');
  await checkPage(page, 'visitor-cases-region-cusco', status);

  status = await open(page, `/cases/${caseForMeta.slug}`);
  await checkCaseMeta(page, 'visitor-case', caseForMeta.region, caseForMeta.year);
  await checkPrint(page, 'visitor-case');
  await checkPage(page, 'visitor-case', status);

  status = await open(page, '/regions');
  await checkPage(page, 'visitor-regions', status);
  status = await open(page, await linkWithCases(page, '.region-tree a[href^="/regions/"]'));
  await checkPage(page, 'visitor-region', status);

  status = await open(page, '/themes');
  await checkPage(page, 'visitor-themes', status);
  status = await open(page, await linkWithCases(page, '.theme-list a[href^="/themes/"]'));
  await checkPage(page, 'visitor-theme', status);

  status = await open(page, '/workshops');
  await checkPage(page, 'visitor-workshops', status);
  status = await open(page, `/workshops/${SEED_WORKSHOP}`);
  await checkPage(page, 'visitor-workshop', status);
  status = await open(page, '/commitments');
  await checkPage(page, 'visitor-commitments', status);

  const building = '.notice[role="status"]';
  status = await open(page, '/search?q=transparencia', building);
  await checkRefineFirst(page);
  await checkPage(page, 'visitor-search', status);
  status = await open(page, '/search?q=zzzzqqq', building);
  await checkPage(page, 'visitor-search-empty', status);

  status = await open(page, '/signin');
  await checkPage(page, 'visitor-signin', status);
  status = await press(page, page.locator('main form[action="/signin"] button[type="submit"]'));
  await checkPage(page, 'visitor-signin-refused', status, [400, 401, 422]);
  await checkErrorTitle(page, 'visitor-signin-refused');
  await checkErrorLinks(page, 'visitor-signin-refused');

  status = await open(page, '/signup');
  await checkPage(page, 'visitor-signup', status);
  status = await press(page, page.locator('main form[action="/signup"] button[type="submit"]'));
  await checkPage(page, 'visitor-signup-refused', status, [400, 422]);
  await checkErrorTitle(page, 'visitor-signup-refused');
  await checkErrorLinks(page, 'visitor-signup-refused');

  status = await open(page, '/no-such-page');
  await checkPage(page, 'visitor-not-found', status, [404]);
  status = await open(page, '/cases?year_from=2024&year_to=2010');
  await checkPage(page, 'visitor-cases-bad-years', status, [400, 422]);
  await checkErrorTitle(page, 'visitor-cases-bad-years');
  await checkErrorLinks(page, 'visitor-cases-bad-years');

  // Pages being added: checked when they exist, reported when they do not.
  for (const path of ['/about', '/privacy', '/accessibility', '/contact']) {
    status = await open(page, path);
    if (status === 200) await checkPage(page, `visitor${path.replace('/', '-')}`, status);
    else console.log(`\nNOTE  ${path} answers ${status}: not checked (page not there yet)`);
  }

  // Last, since it sets the language cookie: English through the header's switch.
  await open(page, '/cases');
  const before = await page.getAttribute('html', 'lang');
  status = await press(page, page.locator('header.site-header a.lang-switch'));
  const lang = await page.getAttribute('html', 'lang');
  if (before !== 'es' || lang !== 'en') report(false, 'language switch', `from html lang="${before}" led to ${page.url()} with lang="${lang}"`);
  await checkPage(page, 'visitor-en-cases', status);
});

// ---------------------------------------------------------------- member
await asRole('member', async (page) => {
  await open(page, '/signup');
  await page.fill('#email', `miembro-${Date.now()}@ayni.test`);
  await page.fill('#display_name', 'María Miembro');
  await page.fill('#organisation', 'Municipalidad Provincial del Cusco');
  await page.selectOption('#region', 'cusco');
  await page.fill('#password', 'contraseña de miembro 123');
  await page.fill('#password_confirm', 'contraseña de miembro 123');
  await page.check('#consent');
  let status = await press(page, page.locator('main form[action="/signup"] button[type="submit"]'));
  if (!(await page.locator('header.site-header a[href="/profile"]').count())) {
    throw new Error(`sign-up did not sign in (status ${status})`);
  }

  status = await open(page, '/profile');
  await checkHeaderHeight(page, 'member');
  await checkPage(page, 'member-profile', status);
  status = await open(page, '/profile/cases');
  await checkPage(page, 'member-my-cases', status);

  status = await open(page, '/cases/new');
  await checkPage(page, 'member-new-case', status);
  status = await press(page, page.locator('button[name="intent"][value="save"]'));
  await checkPage(page, 'member-new-case-refused', status, [422]);
  await checkErrorTitle(page, 'member-new-case-refused');
  await checkErrorLinks(page, 'member-new-case-refused');

  // A filled form, previewed, then saved as a draft. The body has a table of numbers (check c).
  status = await open(page, '/cases/new');
  await page.fill('#title', 'Tablero de seguimiento de contrataciones');
  await page.selectOption('#kind', { index: 1 });
  await page.selectOption('#region', 'cusco');
  const regionName = (await page.locator('#region option:checked').textContent()).trim();
  await page.locator('input[name="themes"]').first().check();
  await page.selectOption('#language', 'es');
  await page.fill('#year', '2021');
  await page.fill('#summary', 'Una municipalidad publica cada mes el avance de sus contrataciones en un tablero abierto.');
  await page.fill('#body', [
    '## Contexto', '', 'La oficina de abastecimiento publica un tablero mensual.', '',
    '| Trimestre | Contratos | Monto (S/) | Plazo |', '|---|---|---|---|',
    '| I | 1,245 | 3,480,000 | 45 días |', '| II | 1,310 | 3,912,500 | 38 días |', '',
    '## Resultados', '', '- Menos consultas repetidas.', '- Más postores por proceso.',
  ].join('\n'));
  await page.fill('#sources', 'Informe de seguimiento https://example.org/informe');
  status = await press(page, page.locator('button[name="intent"][value="preview"]'));
  await checkPreviewInView(page);
  await checkPage(page, 'member-new-case-preview', status);

  status = await press(page, page.locator('button[name="intent"][value="save"]'));
  const slug = new URL(page.url()).pathname.split('/')[2];
  await checkCaseMeta(page, 'member-draft', regionName, 2021);
  await checkPage(page, 'member-draft', status);

  // A second revision, so that history has something to compare.
  status = await open(page, `/cases/${slug}/edit`);
  await checkPage(page, 'member-edit-case', status);
  await page.fill('#title', 'Tablero abierto de seguimiento de contrataciones');
  await page.fill('#body', `${await page.inputValue('#body')}\n- Respuestas más rápidas a las consultas.`);
  status = await press(page, page.locator('button[name="intent"][value="save"]'));
  if (!page.url().includes('done=saved')) throw new Error(`the edit was not saved (status ${status})`);
  const renamed = new URL(page.url()).pathname.split('/')[2]; // a new title can give a new slug

  status = await open(page, `/cases/${renamed}/history`);
  await checkPage(page, 'member-history', status);
  status = await press(page, page.locator('a[href*="from=1&to=2"]').first());
  await checkPage(page, 'member-history-diff', status);
});

// ---------------------------------------------------------------- admin
await asRole('admin', async (page) => {
  await open(page, '/signin');
  await page.fill('#email', ADMIN.email);
  await page.fill('#password', ADMIN.password);
  await press(page, page.locator('main form[action="/signin"] button[type="submit"]'));
  if (!(await page.locator('header.site-header a[href="/profile"]').count())) throw new Error('admin sign-in failed');

  let status = await open(page, '/review');
  await checkHeaderHeight(page, 'admin');
  await checkPage(page, 'admin-review', status);
  status = await open(page, '/admin/users');
  await checkPage(page, 'admin-users', status);
  status = await open(page, await page.locator('main a[href^="/admin/users/"]').first().getAttribute('href'));
  await checkPage(page, 'admin-user', status);
  status = await open(page, '/admin/audit');
  await checkPage(page, 'admin-audit', status);

  // Workshops: an admin organises any of them, so every organiser's form is reachable.
  status = await open(page, '/workshops/new');
  await checkPage(page, 'admin-workshop-new', status);
  for (const form of ['edit', 'agenda', 'participants', 'outcomes']) {
    status = await open(page, `/workshops/${SEED_WORKSHOP}/${form}`);
    await checkPage(page, `admin-workshop-${form}`, status);
  }
});

// ---------------------------------------------------------------- summary
const byRule = new Map();
for (const v of violations.values()) byRule.set(v.id, [...(byRule.get(v.id) ?? []), v]);
console.log(`\n=== axe: ${violations.size} violations (distinct rule, page and element) in ${byRule.size} rules`);
for (const [id, list] of byRule) {
  console.log(`\n${id} (${list[0].impact}): ${list[0].help} — ${list.length}`);
  for (const v of list) console.log(`  ${v.name} ${v.url}  [${v.widths.join(', ')} px]  ${v.target}\n      ${snippet(v.html)}`);
}
console.log(`\nscreenshots (360 px, full page) in ${outDir}: ${screenshots.length}`);
console.log(`\nbrowser checks: ${tally.passed} passed, ${tally.failed} failed`);
process.exit(tally.failed > 0 ? 1 : 0);
