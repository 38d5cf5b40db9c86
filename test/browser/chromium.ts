/**
 * Headless Chromium driven over the DevTools protocol through `--remote-debugging-pipe` (file
 * descriptors 3 and 4, NUL-terminated JSON messages), the transport puppeteer uses by default: no
 * WebSocket client, no browser download, no package beyond Node. Debian's `chromium` is found on
 * the PATH (or at `$CHROMIUM`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** How long a starting browser may take to answer its first command (a loaded CI machine is slow). */
const LAUNCH_TIMEOUT_MS = 60_000;

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/** The Chromium executable: `$CHROMIUM`, else the first candidate on the PATH, else `null`. */
export function findChromium(): string | null {
  const explicit = process.env.CHROMIUM;
  if (explicit) return explicit;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of CANDIDATES) {
      const p = join(dir, name);
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** A protocol event, with the session it came from (flattened sessions). */
export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId?: string;
}

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
  method: string;
}

/** A running headless Chromium and its protocol connection. */
export class Chromium {
  private readonly proc: ChildProcess;
  private readonly profile: string;
  private readonly out: Writable;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: ((e: CdpEvent) => void)[] = [];
  private stderr = '';
  private exited: string | null = null;

  private constructor(private readonly executable: string) {
    this.profile = mkdtempSync(join(tmpdir(), 'lmtransfer-chromium-'));
    const args = [
      '--headless=new', '--remote-debugging-pipe', `--user-data-dir=${this.profile}`,
      '--no-first-run', '--no-default-browser-check', '--disable-extensions', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-gpu', '--mute-audio', '--disable-dev-shm-usage',
      // Chromium refuses to start its sandbox as root (CI containers run as root).
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      'about:blank',
    ];
    this.proc = spawn(executable, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    this.out = this.proc.stdio[3] as Writable;
    const input = this.proc.stdio[4] as Readable;
    (this.proc.stderr as Readable).on('data', (b: Buffer) => { this.stderr = (this.stderr + b.toString()).slice(-4000); });
    let buf = '';
    input.on('data', (b: Buffer) => {
      buf += b.toString();
      let end: number;
      while ((end = buf.indexOf('\0')) >= 0) {
        this.dispatch(JSON.parse(buf.slice(0, end)) as Record<string, unknown>);
        buf = buf.slice(end + 1);
      }
    });
    const fail = (why: string): void => {
      this.exited ??= why;
      for (const p of this.pending.values()) p.reject(new Error(`Chromium (${this.executable}) ${this.exited} during ${p.method}; its stderr ended with:\n${this.stderr}`));
      this.pending.clear();
    };
    this.proc.on('error', (e) => fail(`could not start (${e.message})`));
    // A browser that never started or died leaves the pipes broken: report it once, through `fail`.
    this.out.on('error', (e) => fail(`closed its protocol pipe (${e.message})`));
    input.on('error', (e) => fail(`closed its protocol pipe (${e.message})`));
    this.proc.on('exit', (code, signal) => fail(`exited (code ${code}, signal ${signal})`));
  }

  /** Start Chromium, or throw saying why it cannot run here. */
  static async launch(): Promise<Chromium> {
    const exe = findChromium();
    if (exe === null) {
      throw new Error(
        "Chromium not found: the browser test needs Debian's chromium package (apt-get install -y chromium, as .ci/run does) " +
        `or CHROMIUM=/path/to/chrome; looked for ${CANDIDATES.join(', ')} on PATH=${process.env.PATH ?? ''}`,
      );
    }
    const c = new Chromium(exe);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Chromium (${exe}) did not answer the DevTools protocol within ${LAUNCH_TIMEOUT_MS / 1000} s; its stderr ended with:\n${c.stderr}`)), LAUNCH_TIMEOUT_MS);
    });
    try {
      const v = await Promise.race([c.send('Browser.getVersion'), timeout]);
      c.version = String(v.product);
      return c;
    } catch (e) {
      await c.close();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** `Browser.getVersion().product`, e.g. `HeadlessChrome/150.0.7871.100`. */
  version = '';

  private dispatch(msg: Record<string, unknown>): void {
    if (typeof msg.id === 'number') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${JSON.stringify(msg.error)}`));
      else p.resolve((msg.result ?? {}) as Record<string, unknown>);
      return;
    }
    const e = msg as unknown as CdpEvent;
    for (const l of this.listeners) l(e);
  }

  /** Send a command (to a page's session when `sessionId` is given) and wait for its result. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.exited !== null) return Promise.reject(new Error(`Chromium (${this.executable}) ${this.exited}; its stderr ended with:\n${this.stderr}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.out.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    });
  }

  /** Listen to every protocol event. */
  onEvent(f: (e: CdpEvent) => void): void {
    this.listeners.push(f);
  }

  /** Open a new tab and attach to it; returns the session id for `send`. */
  async newPage(): Promise<string> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    return String(sessionId);
  }

  /**
   * Evaluate `expression` in the page, awaiting a promise result, and return its value (JSON).
   * A thrown exception or a rejected promise becomes an Error with the page's message.
   */
  async evaluate(sessionId: string, expression: string, timeoutMs: number): Promise<unknown> {
    const r = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true, timeout: timeoutMs }, sessionId);
    if (r.exceptionDetails) {
      const d = r.exceptionDetails as { text?: string; exception?: { description?: string } };
      throw new Error(`page: ${d.exception?.description ?? d.text ?? JSON.stringify(d)}`);
    }
    return (r.result as { value?: unknown }).value;
  }

  /** Close the browser and remove its profile directory. */
  async close(): Promise<void> {
    if (this.exited === null) {
      const gone = new Promise<void>((res) => this.proc.once('exit', () => res()));
      this.send('Browser.close').catch(() => undefined);
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(this.profile, { recursive: true, force: true });
  }
}
