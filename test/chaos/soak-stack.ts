/*
 * The processes of the chaos soak (test/chaos/soak.ts), each started and stopped by the soak only: its
 * own redis-server on a free port, s3rver in a child process, and `facet start --role web|worker`
 * processes as production runs them. Every child's output goes to a log file of its own; the levels and
 * messages of Facet's warnings and errors are counted as they arrive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nobody listens on now (bound to port 0, read, released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** A child process the soak started, with its log file and whether its exit was the soak's doing. */
export class Managed {
  readonly exited: Promise<Exit>;
  /** Set before the soak kills or stops it: any other exit is a crash. */
  expectedExit = false;
  private readonly log: WriteStream;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    logFile: string,
    onLine?: (line: string) => void,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        resolve({ code, signal });
      }),
    );
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        this.log.write(chunk);
        if (!onLine) return;
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') onLine(line);
      });
    }
    void this.exited.then(() => this.log.end());
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL, as a crash or an OOM kill would. */
  async kill(): Promise<Exit> {
    this.expectedExit = true;
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 25_000): Promise<Exit> {
    this.expectedExit = true;
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      const exit = await this.exited;
      clearTimeout(timer);
      return exit;
    }
    return this.exited;
  }
}

/** Resolves once a Redis server answers PING on the port. */
async function redisAnswers(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      const done = (value: boolean) => {
        socket.destroy();
        resolve(value);
      };
      socket.setTimeout(500, () => done(false));
      socket.once('error', () => done(false));
      socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
      socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer`);
    await sleep(50);
  }
}

/** A redis-server of the soak's own: no persistence, so a restart loses every queued job (the worst case). */
export class SoakRedis {
  private current: Managed | undefined;
  private starts = 0;

  constructor(
    readonly port: number,
    private readonly logDir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get process(): Managed | undefined {
    return this.current;
  }

  async start(): Promise<void> {
    this.starts += 1;
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.current = new Managed(`redis#${this.starts}`, child, path.join(this.logDir, 'redis.log'));
    await redisAnswers(this.port, 10_000);
  }

  /** SIGKILL (everything in memory is gone), then a fresh server on the same port after `downMs`. */
  async restart(downMs: number): Promise<void> {
    await this.current?.kill();
    await sleep(downMs);
    await this.start();
  }

  async stop(): Promise<void> {
    await this.current?.kill();
  }
}

/** s3rver in a child process over one folder; killing it is an outage, starting it again the recovery. */
export class SoakS3 {
  private current: Managed | undefined;
  private starts = 0;
  port = 0;

  constructor(
    private readonly directory: string,
    readonly bucket: string,
    private readonly logDir: string,
  ) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get process(): Managed | undefined {
    return this.current;
  }

  async start(): Promise<void> {
    this.starts += 1;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(root, 'test/chaos/soak-s3rver.ts'),
        String(this.port),
        this.directory,
        this.bucket,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let ready!: (port: number) => void;
    const answered = new Promise<number>((resolve) => (ready = resolve));
    const managed = new Managed(`s3#${this.starts}`, child, path.join(this.logDir, 's3rver.log'), (line) => {
      const match = /^ready (\d+)/.exec(line);
      if (match) ready(Number(match[1]));
    });
    this.current = managed;
    const port = await Promise.race([
      answered,
      managed.exited.then((exit) => {
        throw new Error(`s3rver exited at start (${exit.code ?? exit.signal})`);
      }),
      sleep(30_000).then(() => {
        throw new Error('s3rver did not start in 30 s');
      }),
    ]);
    this.port = port;
  }

  /** The store fails for `downMs`: killed (requests in flight are reset, new ones refused), then back. */
  async outage(downMs: number): Promise<void> {
    await this.current?.kill();
    await sleep(downMs);
    await this.start();
  }

  async stop(): Promise<void> {
    await this.current?.kill();
  }
}

/** What Facet's processes logged at warn or above, by message, and how many lines each wrote. */
export class LogTally {
  readonly byMessage = new Map<string, number>();

  line(line: string): void {
    const level = /"level":(\d+)/.exec(line)?.[1];
    if (level === undefined || Number(level) < 40) return;
    const msg = /"msg":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? '(no message)';
    const key = `${Number(level) >= 50 ? 'error' : 'warn'}: ${msg.slice(0, 120)}`;
    this.byMessage.set(key, (this.byMessage.get(key) ?? 0) + 1);
  }

  summary(): Record<string, number> {
    return Object.fromEntries([...this.byMessage].sort((a, b) => b[1] - a[1]));
  }
}

export type FacetRole = 'web' | 'worker';

/** `facet start --role R` (node bin/facet.js), with the soak's environment; resolves once it listens. */
export class FacetProcess extends Managed {
  readonly url: Promise<string>;

  private constructor(
    name: string,
    readonly role: FacetRole,
    child: ChildProcess,
    logFile: string,
    onLine: (line: string) => void,
    url: Promise<string>,
  ) {
    super(name, child, logFile, onLine);
    this.url = url;
  }

  static start(
    name: string,
    role: FacetRole,
    env: Record<string, string>,
    logDir: string,
    tally: LogTally,
  ): FacetProcess {
    const child = spawn(process.execPath, ['bin/facet.js', 'start', '--role', role], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let found!: (url: string) => void;
    const url = new Promise<string>((resolve) => (found = resolve));
    const onLine = (line: string) => {
      const match = /"msg":"Facet is running at (http:\/\/[^\s\\"]+)/.exec(line);
      if (match?.[1]) found(match[1]);
      tally.line(line);
    };
    const facet = new FacetProcess(name, role, child, path.join(logDir, `${name}.log`), onLine, url);
    void facet.exited.then((exit) => found(`(exited ${exit.code ?? exit.signal})`));
    return facet;
  }

  /** Its HTTP base URL once it is up; throws if it exited first or took longer than `timeoutMs`. */
  async ready(timeoutMs = 60_000): Promise<string> {
    const url = await Promise.race([this.url, sleep(timeoutMs).then(() => '(not up in time)')]);
    if (!url.startsWith('http')) throw new Error(`${this.name} did not start: ${url}`);
    return url;
  }
}
