// web: the web app in a real browser (Debian's Chromium through playwright-core) on a big
// workspace. Generates --leads leads (default 100,000) with the leads benchmark's generator,
// 2,000 of them, all open, in a pipeline of their own for the board; then times page loads:
// the board of that pipeline until it is interactive (cold and warm), the leads list until its
// first rows are visible (plain, filtered and searched), and weighs the JS and CSS of the first
// page. It starts and stops its own server and browser, so it is a StandaloneBenchmark.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchBrowser } from '../../e2e/support/browser.js';
import { openDatabase } from '../../src/server/platform/db/database.js';
import {
  BackendUnavailableError,
  createBenchData,
  deferCleanup,
  formatColumns,
  gitInfo,
  log,
  machineInfo,
  REPO_ROOT,
  startServer,
  warningsIn,
  writeResults,
  type Backend,
  type BenchData,
  type RunningServer,
  type StandaloneBenchmark,
  type StandaloneOptions,
} from '../harness.js';
import {
  BATCH_SIZE,
  call,
  generateLeads,
  SEARCH_TERMS,
  setUpWorkspace,
  type PipelineInfo,
  type WorkspaceSetup,
} from './leads.js';

const DEFAULT_LEADS = 100_000;
/** Open leads on the measured board: all of its pipeline's leads. */
const BOARD_OPEN_LEADS = 2_000;
const DEFAULT_RUNS = 5;
/** A laptop screen: five board columns and ~15 list rows in view. */
const VIEWPORT = { width: 1440, height: 900 };
/** A page not there by then fails the run. */
const LOAD_TIMEOUT_MS = 60_000;
/** A last name on ~1% of the generated leads. */
const SEARCH_TERM = SEARCH_TERMS[0] ?? 'Becker';
const WEB_DIR = path.join(REPO_ROOT, 'dist', 'web');

const BOARD_TARGET_MS = 1_500;
const LIST_TARGET_MS = 1_000;

/** ms to 0.1: finer digits are timer noise. */
const round = (ms: number) => Number(ms.toFixed(1));
/** Kilobytes as Vite and the issue count them (1,000 bytes). */
const kB = (bytes: number | null) => (bytes === null ? '-' : (bytes / 1000).toFixed(1));

type CacheState = 'cold' | 'warm';

/** A figure of the table: one page, one condition, one cache state, `runs` loads. */
interface FigureSpec {
  key: string;
  page: string;
  figure: string;
  cache: CacheState;
  targetMs: number | null;
}

interface Sample {
  backend: Backend;
  figure: string;
  cache: CacheState;
  load: number;
  /** ms from the start of the navigation (the page's performance.now()). */
  ms: number;
  /** What the page showed at that moment (counts, cards, rows). */
  seen: unknown;
  network: NetworkSummary;
}

interface Summary {
  backend: Backend;
  page: string;
  figure: string;
  cache: CacheState;
  samples: number;
  p50Ms: number;
  minMs: number;
  maxMs: number;
  targetMs: number | null;
}

// ---------------------------------------------------------------------------------------------
// Data: the leads benchmark's generator, plus a pipeline of exactly 2,000 open leads

interface WebData {
  data: BenchData;
  setup: WorkspaceSetup;
  board: PipelineInfo;
  leads: number;
  generation: {
    seconds: { setup: number; insert: number; vacuumAnalyze: number; total: number };
    rows: Record<string, number>;
  };
}

interface StageDetails {
  name: string;
  kind: 'open' | 'won' | 'lost';
  probability: number;
  color: string;
  maxDaysInStage: number | null;
}

const secondsSince = (start: number) => Number(((performance.now() - start) / 1000).toFixed(1));

/** A pipeline with the default one's stages, through the API, for the board's 2,000 leads. */
async function createBoardPipeline(
  server: RunningServer,
  setup: WorkspaceSetup,
): Promise<PipelineInfo> {
  const bearer = { authorization: `Bearer ${setup.token}` };
  const { body: model } = await call<{ policy: string; stages: StageDetails[] }>(
    server,
    'GET',
    `/api/pipelines/${setup.pipeline.id}`,
    bearer,
    undefined,
    200,
  );
  const { body: created } = await call<PipelineInfo>(
    server,
    'POST',
    '/api/pipelines',
    bearer,
    {
      name: `Board benchmark (${BOARD_OPEN_LEADS.toLocaleString('en')} open leads)`,
      policy: model.policy,
      stages: model.stages.map(({ name, kind, probability, color, maxDaysInStage }) => ({
        name,
        kind,
        probability,
        color,
        maxDaysInStage,
      })),
    },
    201,
  );
  return { ...created, stages: [...created.stages].sort((a, b) => a.position - b.position) };
}

/**
 * Leads 1…N−2,000 go into the default pipeline as the leads benchmark makes them; the newest
 * 2,000 (the last days of the same two-year spread) into the board pipeline, every one open.
 */
async function createWebData(backend: Backend, total: number): Promise<WebData> {
  const startedAt = performance.now();
  const data = await createBenchData(backend);
  try {
    const server = await startServer(backend, { data });
    let setup: WorkspaceSetup;
    let board: PipelineInfo;
    try {
      setup = await setUpWorkspace(server);
      board = await createBoardPipeline(server, setup);
    } finally {
      await server.stop();
    }
    const setupSeconds = secondsSince(startedAt);
    log(
      `${backend}: workspace ready (${setupSeconds}s): default pipeline "${setup.pipeline.name}", ` +
        `board pipeline "${board.name}" (${board.stages.length} stages)`,
    );
    const database = await openDatabase({
      databaseUrl: data.env.DATABASE_URL,
      dataDir: data.env.DATA_DIR ?? '',
    });
    try {
      const { db } = database;
      const split = total - BOARD_OPEN_LEADS;
      const { insertSeconds, vacuumSeconds, rows } = await generateLeads(db, backend, {
        total,
        batchSize: BATCH_SIZE[backend],
        ranges: [
          { setup, lo: 1, hi: split, isAllOpen: false },
          { setup: { ...setup, pipeline: board }, lo: split + 1, hi: total, isAllOpen: true },
        ],
      });
      const { rows: counted } = await sql<{ leads: number; boardOpen: number }>`
        select count(*)::int as leads,
          (count(*) filter (where pipeline_id = ${board.id}::uuid and status = 'open'
            and archived_at is null))::int as "boardOpen"
        from leads where workspace_id = ${setup.workspaceId}::uuid`.execute(db);
      const found = counted[0];
      if (found?.leads !== total || found.boardOpen !== BOARD_OPEN_LEADS) {
        throw new Error(
          `expected ${total} leads, ${BOARD_OPEN_LEADS} open on the board; found ` +
            JSON.stringify(found),
        );
      }
      return {
        data,
        setup,
        board,
        leads: total,
        generation: {
          seconds: {
            setup: setupSeconds,
            insert: insertSeconds,
            vacuumAnalyze: vacuumSeconds,
            total: secondsSince(startedAt),
          },
          rows,
        },
      };
    } finally {
      await database.close();
    }
  } catch (error) {
    await data.drop();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// In the page. The little of the DOM these checks use (this Node project has no DOM library).
// Each returns false until its condition holds, then what it saw and performance.now(): ms
// since the navigation started, in the animation frame that paints it. No named functions
// inside them: tsx would wrap those in a helper (__name) that the page does not have.

interface PageElement {
  readonly textContent: string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
  closest(selector: string): PageElement | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { top: number; bottom: number; height: number };
  focus(): void;
}

interface PageGlobals {
  document: PageElement & {
    addEventListener(
      type: 'keydown',
      listener: (event: { key: string; timeStamp: number }) => void,
      capture: boolean,
    ): void;
  };
  innerHeight: number;
  requestAnimationFrame(callback: () => void): void;
  MutationObserver: new (callback: () => void) => {
    observe(target: PageElement, options: Record<string, boolean>): void;
    disconnect(): void;
  };
  /** What the probes below record. */
  lkBench?: BenchRecord;
}

interface BenchRecord {
  /** Each keydown: when the browser made the event, and when the page's first listener ran. */
  keys: { key: string; createdAt: number; handledAt: number }[];
  /** The first frame that showed a card picked up, once watchPickUp started. */
  pickedUpAt: number | null;
}

/** Before any of the app's scripts, in every document: records key presses as they arrive. */
function installKeyRecorder(): void {
  const page = globalThis as unknown as PageGlobals;
  const record: BenchRecord = { keys: [], pickedUpAt: null };
  page.lkBench = record;
  page.document.addEventListener(
    'keydown',
    (event) =>
      record.keys.push({
        key: event.key,
        createdAt: event.timeStamp,
        handledAt: performance.now(),
      }),
    true,
  );
}

const CARD = '[data-testid="board-card"]';
/** dnd-kit's keyboard activator: the card's drag handle (or the card, if it is its own handle). */
const ACTIVATOR = `${CARD}[aria-roledescription], ${CARD} [aria-roledescription]`;
const PRESSED = `${CARD}[aria-pressed="true"], ${CARD} [aria-pressed="true"]`;

/**
 * The board is there: a column per stage, each with a number in its count, and a card in each
 * whose count is above 0. Then, in the same frame, focuses the first card's drag handle and
 * watches the DOM for the card to be picked up (as cardPickedUp), noting the frame that shows it.
 */
function boardShown(expected: {
  columns: number;
  activator: string;
  pressed: string;
}): { at: number; counts: number[]; cards: number[]; isFocused: boolean } | false {
  const page = globalThis as unknown as PageGlobals;
  const { document } = page;
  const shown = [...document.querySelectorAll('[data-testid="board-column"]')];
  if (shown.length !== expected.columns) return false;
  const counts: number[] = [];
  const cards: number[] = [];
  for (const column of shown) {
    const digits = column.querySelector('[data-testid="column-count"]')?.textContent ?? '';
    if (!/\d/.test(digits)) return false; // "…" while counting
    const count = Number(digits.replace(/\D/g, ''));
    const rendered = [...column.querySelectorAll('[data-testid="board-card"]')].length;
    if (count > 0 && rendered === 0) return false;
    counts.push(count);
    cards.push(rendered);
  }
  const at = performance.now();
  const activator = document.querySelector(expected.activator);
  activator?.focus();
  const record = page.lkBench;
  const observer = new page.MutationObserver(() => {
    const isPicked =
      document.querySelector(expected.pressed) !== null ||
      [...document.querySelectorAll('[data-testid="board-card"]')].some(
        (card) => card.closest('[data-testid="board-column"]') === null,
      );
    if (!isPicked || !record) return;
    observer.disconnect();
    page.requestAnimationFrame(() => {
      record.pickedUpAt = performance.now();
    });
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true });
  return { at, counts, cards, isFocused: activator !== null };
}

/** What the probes recorded, once a card has been picked up. */
function pickUpRecorded(): BenchRecord | false {
  const record = (globalThis as unknown as PageGlobals).lkBench;
  return record && record.pickedUpAt !== null ? record : false;
}

/** Whether a card is picked up (its drag handle pressed, or the drag overlay showing it). */
function cardPickedUp(expected: { isPicked: boolean; pressed: string }): boolean {
  const { document } = globalThis as unknown as PageGlobals;
  const isPicked =
    document.querySelector(expected.pressed) !== null ||
    [...document.querySelectorAll('[data-testid="board-card"]')].some(
      (card) => card.closest('[data-testid="board-column"]') === null,
    );
  return isPicked === expected.isPicked;
}

/** Rows of the leads list in the viewport, with their titles; the first row's lead id. */
function listRowsShown(): { at: number; rows: number; firstLeadId: string | null } | false {
  const { document, innerHeight } = globalThis as unknown as PageGlobals;
  const visible = [...document.querySelectorAll('[data-testid="lead-list-row"]')].filter((row) => {
    const box = row.getBoundingClientRect();
    return box.height > 0 && box.bottom > 0 && box.top < innerHeight && !!row.textContent?.trim();
  });
  const first = visible[0];
  if (!first) return false;
  const href = first.querySelector('a[href^="/leads/"]')?.getAttribute('href') ?? null;
  return {
    at: performance.now(),
    rows: visible.length,
    firstLeadId: href === null ? null : href.slice('/leads/'.length),
  };
}

// ---------------------------------------------------------------------------------------------
// The network, as the browser saw it (Chrome DevTools Protocol)

interface Transfer {
  url: string;
  type: string;
  status: number;
  encoding: string;
  /** Body bytes on the wire (compressed as sent); 0 when it came from a cache. */
  bodyBytes: number;
  /** Bytes after decoding. */
  decodedBytes: number;
  fromCache: boolean;
  /** From the request being sent to its last byte. */
  ms: number;
}

interface NetworkSummary {
  requests: number;
  /** Body bytes on the wire of everything the load fetched. */
  bytes: number;
  /** JS and CSS: fetched from the server, and taken from a cache. */
  assetsFetched: number;
  assetsFromCache: number;
  /** Every /api/ request of the load: path and query, ms from sending to its last byte. */
  api: { path: string; ms: number }[];
}

/** Records every response of the page from when it is (re)started. */
class NetworkLog {
  private readonly pending = new Map<string, Transfer & { headerBytes: number }>();
  /** Chromium may say so before it reports the response. */
  private readonly servedFromCache = new Set<string>();
  /** When each request was sent (CDP's monotonic seconds). */
  private readonly sentAt = new Map<string, number>();
  private finished: Transfer[] = [];

  private constructor(readonly cdp: CDPSession) {
    cdp.on('Network.requestWillBeSent', (event) => {
      this.sentAt.set(event.requestId, event.timestamp);
    });
    cdp.on('Network.responseReceived', (event) => {
      const headers = Object.fromEntries(
        Object.entries(event.response.headers).map(([k, v]) => [k.toLowerCase(), v]),
      );
      this.pending.set(event.requestId, {
        url: event.response.url,
        type: event.type ?? 'Other',
        status: event.response.status,
        encoding: headers['content-encoding'] ?? 'identity',
        bodyBytes: 0,
        decodedBytes: 0,
        headerBytes: event.response.encodedDataLength,
        fromCache: event.response.fromDiskCache === true,
        ms: 0,
      });
    });
    cdp.on('Network.requestServedFromCache', (event) => {
      this.servedFromCache.add(event.requestId);
    });
    cdp.on('Network.dataReceived', (event) => {
      const transfer = this.pending.get(event.requestId);
      if (transfer) transfer.decodedBytes += event.dataLength;
    });
    cdp.on('Network.loadingFinished', (event) => {
      const transfer = this.pending.get(event.requestId);
      const sentAt = this.sentAt.get(event.requestId);
      this.pending.delete(event.requestId);
      this.sentAt.delete(event.requestId);
      // Sent before restart(): the page before's, finishing late.
      if (!transfer || sentAt === undefined) return;
      const { headerBytes, ...done } = transfer;
      done.fromCache ||= this.servedFromCache.delete(event.requestId);
      done.ms = round((event.timestamp - sentAt) * 1000);
      // encodedDataLength counts the headers too; nothing came over the wire from a cache.
      done.bodyBytes = done.fromCache ? 0 : Math.max(0, event.encodedDataLength - headerBytes);
      this.finished.push(done);
    });
  }

  static async attach(context: BrowserContext, page: Page): Promise<NetworkLog> {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    return new NetworkLog(cdp);
  }

  restart(): void {
    this.pending.clear();
    this.servedFromCache.clear();
    this.sentAt.clear();
    this.finished = [];
  }

  transfers(): Transfer[] {
    return [...this.finished];
  }

  summary(): NetworkSummary {
    const assets = this.finished.filter(isAsset);
    return {
      requests: this.finished.length,
      bytes: this.finished.reduce((sum, t) => sum + t.bodyBytes, 0),
      assetsFetched: assets.filter((t) => !t.fromCache).length,
      assetsFromCache: assets.filter((t) => t.fromCache).length,
      api: this.finished.flatMap((t) => {
        const url = new URL(t.url);
        return url.pathname.startsWith('/api/')
          ? [{ path: url.pathname + url.search, ms: t.ms }]
          : [];
      }),
    };
  }

  /** The HTTP cache (and the renderer's memory cache) of the whole context. */
  async clearCache(): Promise<void> {
    await this.cdp.send('Network.clearBrowserCache');
  }
}

function isAsset(transfer: Transfer): boolean {
  return transfer.type === 'Script' || transfer.type === 'Stylesheet';
}

// ---------------------------------------------------------------------------------------------
// Loads

interface Session {
  context: BrowserContext;
  page: Page;
  network: NetworkLog;
  pageErrors: string[];
}

/** A fresh browser profile (nothing cached), signed in through the sign-in page. */
async function signedInSession(
  browser: Browser,
  server: RunningServer,
  options: { extraHTTPHeaders?: Record<string, string> } = {},
): Promise<Session> {
  const context = await browser.newContext({
    baseURL: server.baseUrl,
    viewport: VIEWPORT,
    extraHTTPHeaders: options.extraHTTPHeaders,
  });
  context.setDefaultTimeout(LOAD_TIMEOUT_MS);
  await context.addInitScript(installKeyRecorder);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const network = await NetworkLog.attach(context, page);
  await page.goto('/today');
  await page.getByLabel('Email').fill(server.admin.email);
  await page.getByRole('textbox', { name: 'Password' }).fill(server.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Today', level: 1 }).waitFor();
  return { context, page, network, pageErrors };
}

/** Navigates and returns the page's own timing of `shown` (an in-page check, see above). */
async function timedLoad<T extends { at: number }>(
  session: Session,
  url: string,
  shown: () => Promise<T>,
): Promise<T> {
  session.network.restart();
  // From the commit on, the check runs in every animation frame of the new document.
  await session.page.goto(url, { waitUntil: 'commit' });
  return shown();
}

/** Runs `check` in every animation frame until it returns something; returns that. */
async function waitInPage<T, A>(page: Page, check: (arg: A) => T | false, arg: A): Promise<T> {
  // Playwright types the argument as it arrives in the page (Unboxed<A>): plain data here.
  const inPage = check as (arg: unknown) => T | false;
  const handle = await page.waitForFunction(inPage, arg as unknown, {
    polling: 'raf',
    timeout: LOAD_TIMEOUT_MS,
  });
  return (await handle.jsonValue()) as T;
}

interface BoardLoad {
  /** Interactive: the frame that showed the card picked up. */
  at: number;
  /** The frame that showed every count and the first cards (boardShown). */
  shownAt: number;
  /** The Space key: when the browser made the event, and when the page first handled it. */
  keyCreatedAt: number;
  keyHandledAt: number;
  counts: number[];
  cards: number[];
}

/**
 * Shown: boardShown. Interactive: then the runner presses Space on the focused drag handle
 * (dnd-kit's keyboard pick-up), timed to the frame that shows the card picked up; Escape puts
 * it back, so nothing moves.
 */
async function loadBoard(session: Session, url: string, columns: number): Promise<BoardLoad> {
  const { page } = session;
  const result = await timedLoad(session, url, async () => {
    let shown: Awaited<ReturnType<typeof boardShown>>;
    try {
      shown = await waitInPage(page, boardShown, {
        columns,
        activator: ACTIVATOR,
        pressed: PRESSED,
      });
    } catch (error) {
      throw new Error(`the board did not show: ${await describeBoard(page)}`, { cause: error });
    }
    if (!shown || !shown.isFocused) throw new Error('the board shows no card with a drag handle');
    await page.keyboard.press('Space');
    const record = await waitInPage(page, pickUpRecorded, undefined);
    const key = record.keys.find((k) => k.key === ' ');
    if (!key || record.pickedUpAt === null) throw new Error('no Space key reached the page');
    return {
      at: record.pickedUpAt,
      shownAt: shown.at,
      keyCreatedAt: key.createdAt,
      keyHandledAt: key.handledAt,
      counts: shown.counts,
      cards: shown.cards,
    };
  });
  await page.keyboard.press('Escape');
  await waitInPage(page, cardPickedUp, { isPicked: false, pressed: PRESSED });
  return result;
}

/** The whole load for both of its rows, so each row's JSON tells the story. */
function boardSeen(load: BoardLoad) {
  return {
    shownAt: round(load.shownAt),
    keyCreatedAt: round(load.keyCreatedAt),
    keyHandledAt: round(load.keyHandledAt),
    pickedUpAt: round(load.at),
    counts: load.counts,
    cards: load.cards,
  };
}

function describeBoardLoad(load: BoardLoad): string {
  const ms = (value: number) => value.toFixed(0);
  return (
    `counts and cards ${ms(load.shownAt)} ms, Space made ${ms(load.keyCreatedAt)} ms and ` +
    `handled ${ms(load.keyHandledAt)} ms, picked up (interactive) ${ms(load.at)} ms`
  );
}

async function describeBoard(page: Page): Promise<string> {
  try {
    const columns = await page.getByTestId('board-column').count();
    const counts = await page.getByTestId('column-count').allInnerTexts();
    const cards = await page.getByTestId('board-card').count();
    return `${columns} columns, counts ${JSON.stringify(counts)}, ${cards} cards at ${page.url()}`;
  } catch (error) {
    return (error as Error).message;
  }
}

interface ListLoad {
  at: number;
  rows: number;
  firstLeadId: string | null;
  /** The first lead of the page's GET /api/leads answer, and the query it sent. */
  api: { firstLeadId: string | null; total: number | null; query: string };
}

/** First rows: listRowsShown. Checks that the rows are the page's own answer for its URL. */
async function loadList(session: Session, url: string): Promise<ListLoad> {
  const { page } = session;
  const startedAt = Date.now();
  // This document's first list request, not a late one of the page before.
  const answer = page.waitForResponse(
    (response) =>
      new URL(response.url()).pathname === '/api/leads' &&
      response.request().method() === 'GET' &&
      response.request().timing().startTime >= startedAt,
    { timeout: LOAD_TIMEOUT_MS },
  );
  const shown = await timedLoad(session, url, () => waitInPage(page, listRowsShown, undefined));
  const response = await answer;
  const body = (await response.json()) as { items?: { id: string }[]; total?: number };
  return {
    ...shown,
    api: {
      firstLeadId: body.items?.[0]?.id ?? null,
      total: body.total ?? null,
      query: new URL(response.url()).search,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Weight of the first page

interface AssetWeight {
  file: string;
  type: string;
  encoding: string;
  bytes: number;
  decodedBytes: number;
}

interface FirstPageWeight {
  /** What the browser asked for (its Accept-Encoding). */
  acceptEncoding: string;
  files: AssetWeight[];
  jsBytes: number;
  cssBytes: number;
  decodedBytes: number;
}

/** Signs in on a fresh profile from /today and weighs the JS and CSS it downloaded. */
async function weighFirstPage(
  browser: Browser,
  server: RunningServer,
  acceptEncoding: string | null,
): Promise<FirstPageWeight> {
  const session = await signedInSession(browser, server, {
    extraHTTPHeaders: acceptEncoding ? { 'accept-encoding': acceptEncoding } : undefined,
  });
  try {
    await session.page.waitForLoadState('networkidle');
    const files = session.network
      .transfers()
      .filter(isAsset)
      .map((t) => ({
        file: new URL(t.url).pathname,
        type: t.type === 'Script' ? 'js' : 'css',
        encoding: t.encoding,
        bytes: t.bodyBytes,
        decodedBytes: t.decodedBytes,
      }));
    const sum = (type: string) =>
      files.filter((f) => f.type === type).reduce((total, f) => total + f.bytes, 0);
    return {
      acceptEncoding: acceptEncoding ?? 'Chromium default (gzip, deflate, br, zstd)',
      files,
      jsBytes: sum('js'),
      cssBytes: sum('css'),
      decodedBytes: files.reduce((total, f) => total + f.decodedBytes, 0),
    };
  } finally {
    await session.context.close();
  }
}

interface EntryChunk {
  file: string;
  rawBytes: number;
  gzipBytes: number | null;
  brotliBytes: number | null;
}

/** What dist/web/index.html loads before any code runs: its script, modulepreloads and CSS. */
function entryChunks(): EntryChunk[] {
  const html = fs.readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8');
  const urls = [
    ...[...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]),
    ...[
      ...html.matchAll(/<link\b[^>]*\brel="(?:modulepreload|stylesheet)"[^>]*\bhref="([^"]+)"/g),
    ].map((m) => m[1]),
  ].filter((url): url is string => url !== undefined);
  const sizeOf = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : null);
  return urls.map((url) => {
    const file = path.join(WEB_DIR, url);
    return {
      file: url,
      rawBytes: fs.statSync(file).size,
      gzipBytes: sizeOf(`${file}.gz`),
      brotliBytes: sizeOf(`${file}.br`),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// One backend

interface BackendRun {
  backend: Backend;
  version: string;
  leads: number;
  boardPipeline: { id: string; name: string; stages: number };
  generation: WebData['generation'];
  samples: Sample[];
  firstPage: FirstPageWeight[];
  pageErrors: string[];
  warnings: string[];
  failures: string[];
}

const boardSpec = (figure: string, cache: CacheState, targetMs: number | null): FigureSpec => ({
  key: `board ${figure} ${cache}`,
  page: `/board (${BOARD_OPEN_LEADS.toLocaleString('en')} open leads)`,
  figure,
  cache,
  targetMs,
});
const BOARD = {
  interactive: {
    cold: boardSpec('interactive', 'cold', BOARD_TARGET_MS),
    warm: boardSpec('interactive', 'warm', BOARD_TARGET_MS),
  },
  shown: {
    cold: boardSpec('counts and cards', 'cold', null),
    warm: boardSpec('counts and cards', 'warm', null),
  },
};

const LIST_URLS = [
  { url: '/leads', name: 'plain' },
  { url: '/leads?priority=high', name: 'filter' },
  { url: `/leads?q=${encodeURIComponent(SEARCH_TERM)}`, name: 'search' },
] as const;

const listSpec = (name: string, url: string, cache: CacheState): FigureSpec => ({
  key: `list ${name} ${cache}`,
  page: url,
  figure: 'first rows',
  cache,
  targetMs: LIST_TARGET_MS,
});

/** The table's rows, in order: the board, then the list (cold only for the plain URL). */
const FIGURES: FigureSpec[] = [
  BOARD.interactive.cold,
  BOARD.shown.cold,
  BOARD.interactive.warm,
  BOARD.shown.warm,
  listSpec(LIST_URLS[0].name, LIST_URLS[0].url, 'cold'),
  ...LIST_URLS.map(({ name, url }) => listSpec(name, url, 'warm')),
];

async function runBackend(
  browser: Browser,
  backend: Backend,
  options: { runs: number; leads: number },
): Promise<BackendRun> {
  const web = await createWebData(backend, options.leads);
  let server: RunningServer;
  try {
    server = await startServer(backend, { data: web.data });
  } catch (error) {
    await web.data.drop();
    throw error;
  }
  log(`${backend}: Leadkeeper ${server.version} ready at ${server.baseUrl}`);
  const run: BackendRun = {
    backend,
    version: server.version,
    leads: web.leads,
    boardPipeline: { id: web.board.id, name: web.board.name, stages: web.board.stages.length },
    generation: web.generation,
    samples: [],
    firstPage: [],
    pageErrors: [],
    warnings: [],
    failures: [],
  };
  const sessions: Session[] = [];
  const open = async () => {
    const session = await signedInSession(browser, server);
    sessions.push(session);
    return session;
  };
  const record = (spec: FigureSpec, load: number, ms: number, seen: unknown, s: Session) => {
    run.samples.push({
      backend,
      figure: spec.key,
      cache: spec.cache,
      load,
      ms: round(ms),
      seen,
      network: s.network.summary(),
    });
  };
  const fail = (message: string) => {
    run.failures.push(`${backend}: ${message}`);
    log(`${backend}: FAILED ${message}`);
  };
  try {
    // 1. The first page's JS and CSS, as Chromium asks for it (brotli) and asking for gzip only.
    for (const encoding of [null, 'gzip']) {
      run.firstPage.push(await weighFirstPage(browser, server, encoding));
    }

    // 2. The board. Cold: a fresh profile signs in, its cache is cleared, the board loads (its
    // HTML, JS, CSS and API answers all from the server). Warm: the same profile loads it again
    // (JS and CSS from the cache), after one untimed load.
    const boardUrl = `/board?pipelineId=${web.board.id}`;
    const columns = web.board.stages.length;
    const checkBoard = (loaded: BoardLoad, what: string) => {
      const total = loaded.counts.reduce((sum, c) => sum + c, 0);
      if (total !== BOARD_OPEN_LEADS) {
        fail(`${what}: the column counts add up to ${total}, not ${BOARD_OPEN_LEADS}`);
      }
    };
    let warmSession: Session | undefined;
    for (let i = 1; i <= options.runs; i += 1) {
      const session = await open();
      await session.network.clearCache();
      const loaded = await loadBoard(session, boardUrl, columns);
      const net = session.network.summary();
      if (net.assetsFromCache > 0)
        fail(`board cold ${i}: ${net.assetsFromCache} assets from cache`);
      checkBoard(loaded, `board cold ${i}`);
      const seen = boardSeen(loaded);
      record(BOARD.interactive.cold, i, loaded.at, seen, session);
      record(BOARD.shown.cold, i, loaded.shownAt, seen, session);
      log(`${backend}: board cold ${i}: ${describeBoardLoad(loaded)}, ${kB(net.bytes)} kB fetched`);
      if (i < options.runs) await session.context.close();
      else warmSession = session;
    }
    if (!warmSession) throw new Error('no session for the warm loads');
    // Untimed: a returning user's browser has had the page before (and may have compiled code
    // cached from it, which Chromium keeps from the second load on).
    await loadBoard(warmSession, boardUrl, columns);
    for (let i = 1; i <= options.runs; i += 1) {
      const loaded = await loadBoard(warmSession, boardUrl, columns);
      const net = warmSession.network.summary();
      if (net.assetsFetched > 0) fail(`board warm ${i}: ${net.assetsFetched} assets fetched`);
      checkBoard(loaded, `board warm ${i}`);
      const seen = boardSeen(loaded);
      record(BOARD.interactive.warm, i, loaded.at, seen, warmSession);
      record(BOARD.shown.warm, i, loaded.shownAt, seen, warmSession);
      log(`${backend}: board warm ${i}: ${describeBoardLoad(loaded)}`);
    }

    // 3. The leads list. Cold as the board; warm: the three URLs in turn in one profile.
    const checkList = (loaded: ListLoad, url: string, what: string) => {
      const expected = new URL(url, server.baseUrl).searchParams;
      const sent = new URLSearchParams(loaded.api.query);
      for (const [key, value] of expected) {
        if (sent.get(key) !== value) fail(`${what}: the page asked for ${loaded.api.query}`);
      }
      if (loaded.firstLeadId === null || loaded.firstLeadId !== loaded.api.firstLeadId) {
        fail(
          `${what}: the first row is ${loaded.firstLeadId}, the API's ${loaded.api.firstLeadId}`,
        );
      }
    };
    const plain = LIST_URLS[0];
    for (let i = 1; i <= options.runs; i += 1) {
      const session = await open();
      await session.network.clearCache();
      const loaded = await loadList(session, plain.url);
      const net = session.network.summary();
      if (net.assetsFromCache > 0) fail(`list cold ${i}: ${net.assetsFromCache} assets from cache`);
      checkList(loaded, plain.url, `list cold ${i}`);
      const { at, ...seen } = loaded;
      record(listSpec(plain.name, plain.url, 'cold'), i, at, seen, session);
      log(`${backend}: ${plain.url} cold ${i}: first rows ${at.toFixed(0)} ms`);
      await session.context.close();
    }
    const listSession = await open();
    await loadList(listSession, plain.url); // untimed, as for the board
    for (let i = 1; i <= options.runs; i += 1) {
      for (const { url, name } of LIST_URLS) {
        const loaded = await loadList(listSession, url);
        const net = listSession.network.summary();
        if (net.assetsFetched > 0) fail(`list ${name} warm ${i}: ${net.assetsFetched} fetched`);
        checkList(loaded, url, `${url} warm ${i}`);
        const { at, ...seen } = loaded;
        record(listSpec(name, url, 'warm'), i, at, seen, listSession);
        log(
          `${backend}: ${url} warm ${i}: first rows ${at.toFixed(0)} ms ` +
            `(${loaded.api.total ?? '?'} matching)`,
        );
      }
    }
  } catch (error) {
    fail((error as Error).message);
  } finally {
    for (const session of sessions) {
      run.pageErrors.push(...session.pageErrors);
      await session.context.close().catch(() => undefined);
    }
    run.warnings = warningsIn(server.outputAfterReady);
    await server.stop();
    await web.data.drop();
  }
  return run;
}

// ---------------------------------------------------------------------------------------------
// Report

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

function summarize(run: BackendRun): Summary[] {
  return FIGURES.flatMap((spec) => {
    const values = run.samples
      .filter((s) => s.figure === spec.key)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    if (values.length === 0) return [];
    return [
      {
        backend: run.backend,
        page: spec.page,
        figure: spec.figure,
        cache: spec.cache,
        samples: values.length,
        p50Ms: Number(median(values).toFixed(1)),
        minMs: values[0] ?? Number.NaN,
        maxMs: values.at(-1) ?? Number.NaN,
        targetMs: spec.targetMs,
      },
    ];
  });
}

function formatTimes(summaries: readonly Summary[]): string {
  const met = (s: Summary) => {
    if (s.targetMs === null) return '';
    if (s.maxMs < s.targetMs) return 'yes';
    return s.p50Ms < s.targetMs ? 'p50 only' : 'NO';
  };
  return formatColumns(
    ['backend', 'page', 'until', 'cache', 'n', 'p50 ms', 'max ms', 'target', 'met'],
    summaries.map((s) => [
      s.backend,
      s.page,
      s.figure,
      s.cache,
      String(s.samples),
      s.p50Ms.toFixed(0),
      s.maxMs.toFixed(0),
      s.targetMs === null ? '' : `< ${s.targetMs}`,
      met(s),
    ]),
    4,
  );
}

function formatWeights(run: BackendRun, entry: readonly EntryChunk[]): string {
  const network = formatColumns(
    [
      'first page (/today, signed in)',
      'files',
      'encoding',
      'JS kB',
      'CSS kB',
      'total kB',
      'decoded kB',
    ],
    run.firstPage.map((w) => [
      w.acceptEncoding.startsWith('Chromium')
        ? 'as Chromium asks'
        : `Accept-Encoding: ${w.acceptEncoding}`,
      String(w.files.length),
      [...new Set(w.files.map((f) => f.encoding))].join(', '),
      kB(w.jsBytes),
      kB(w.cssBytes),
      kB(w.jsBytes + w.cssBytes),
      kB(w.decodedBytes),
    ]),
    1,
  );
  const files = run.firstPage[0]?.files.map((f) => f.file) ?? [];
  const sum = (pick: (c: EntryChunk) => number | null) =>
    entry.reduce((total, c) => total + (pick(c) ?? 0), 0);
  const chunks = formatColumns(
    ['dist/web entry (index.html)', 'raw kB', 'gzip kB', 'brotli kB', 'on first page'],
    [
      ...entry.map((c) => [
        c.file,
        kB(c.rawBytes),
        kB(c.gzipBytes),
        kB(c.brotliBytes),
        files.includes(c.file) ? 'yes' : 'no',
      ]),
      [
        'total',
        kB(sum((c) => c.rawBytes)),
        kB(sum((c) => c.gzipBytes)),
        kB(sum((c) => c.brotliBytes)),
        '',
      ],
    ],
    1,
  );
  return `${run.backend}:\n${network}\n\n${chunks}`;
}

async function run(options: StandaloneOptions): Promise<number> {
  const { choice, backends, runs } = options;
  const leads = options.leads ?? DEFAULT_LEADS;
  if (leads <= BOARD_OPEN_LEADS) {
    log(`--leads must be more than the board's ${BOARD_OPEN_LEADS} leads`);
    return 1;
  }
  if (!fs.existsSync(path.join(WEB_DIR, 'index.html'))) {
    log(`no web app build in ${WEB_DIR}: run without --no-build, or npm run build`);
    return 1;
  }
  const startedAt = new Date();
  const machine = machineInfo();
  const git = gitInfo();
  const entry = entryChunks();
  const browser = await launchBrowser();
  const closeBrowser = deferCleanup(() => browser.close());
  log(`Chromium ${browser.version()}, viewport ${VIEWPORT.width}×${VIEWPORT.height}`);
  const done: BackendRun[] = [];
  const skipped: { backend: Backend; reason: string }[] = [];
  const failures: string[] = [];
  try {
    for (const backend of backends) {
      try {
        const result = await runBackend(browser, backend, { runs, leads });
        done.push(result);
        failures.push(...result.failures);
      } catch (error) {
        const message = (error as Error).message;
        if (error instanceof BackendUnavailableError && choice === 'both') {
          log(`SKIPPING ${backend}: ${message}`);
          skipped.push({ backend, reason: message });
        } else {
          failures.push(`${backend}: ${message}`);
        }
      }
    }
  } finally {
    await closeBrowser();
  }

  const summaries = done.flatMap(summarize);
  const ok = failures.length === 0 && summaries.length > 0;
  const report = {
    benchmark: webBenchmark.name,
    description: webBenchmark.description,
    date: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    ok,
    parameters: {
      backend: choice,
      backends,
      runs,
      leads,
      boardOpenLeads: BOARD_OPEN_LEADS,
      viewport: VIEWPORT,
      searchTerm: SEARCH_TERM,
      loadTimeoutSeconds: LOAD_TIMEOUT_MS / 1000,
      browser: `Chromium ${browser.version()} (headless, /usr/bin/chromium)`,
    },
    machine: { ...machine, loadAverageAtEnd: os.loadavg().map((v) => Number(v.toFixed(2))) },
    git,
    results: summaries,
    entryChunks: entry,
    backends: done.map(({ warnings, ...rest }) => ({
      ...rest,
      warnings: warnings.length,
      warningSample: warnings.slice(0, 5),
    })),
    skipped,
    failures,
  };

  for (const result of done) {
    const g = result.generation;
    process.stdout.write(
      `\n${result.backend}: ${result.leads.toLocaleString('en')} leads (${BOARD_OPEN_LEADS.toLocaleString('en')} ` +
        `open in "${result.boardPipeline.name}"), generated in ${g.seconds.insert}s ` +
        `(+ vacuum/analyze ${g.seconds.vacuumAnalyze}s)\n\n${formatWeights(result, entry)}\n`,
    );
  }
  if (summaries.length > 0) process.stdout.write(`\n${formatTimes(summaries)}\n\n`);
  const files = writeResults(webBenchmark.name, choice, startedAt, report, { updateLatest: ok });
  for (const file of files) log(`wrote ${file}`);
  for (const s of skipped) log(`skipped ${s.backend}: ${s.reason}`);
  for (const result of done) {
    if (result.warnings.length > 0) {
      log(
        `${result.backend}: the server logged ${result.warnings.length} warning/error lines, e.g.:`,
      );
      for (const line of result.warnings.slice(0, 5)) log(`  ${line.slice(0, 400)}`);
    }
    if (result.pageErrors.length > 0) {
      log(`${result.backend}: the page threw ${result.pageErrors.length} errors, e.g.:`);
      for (const message of result.pageErrors.slice(0, 5)) log(`  ${message.slice(0, 400)}`);
    }
  }
  if (!ok) {
    log('FAILED — these figures are not valid:');
    for (const failure of failures) log(`  ${failure}`);
    if (summaries.length === 0 && failures.length === 0) log('  nothing was measured');
    return 1;
  }
  return 0;
}

export const webBenchmark: StandaloneBenchmark = {
  name: 'web',
  description:
    'the web app in Chromium: board of 2,000 open leads until interactive, leads list until ' +
    'its first rows (100k leads), JS and CSS of the first page',
  defaults: { backend: 'pglite', runs: DEFAULT_RUNS },
  takesLeads: true,
  run,
};
