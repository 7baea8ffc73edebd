/**
 * DNS transport: sends one question to an explicit list of name servers and
 * returns the answer, with timeouts, retries, TCP fallback and a bound on the
 * number of queries in flight.
 *
 * - The server list is always explicit.  There is no default: dns2's own
 *   defaults are public resolvers, and node:dns would read /etc/resolv.conf
 *   behind our back.  (Reading resolv.conf, for `--dns`, is the caller's job;
 *   it then hands the addresses here.)
 * - UDP goes through dns2's UDPClient (`udp6` sockets for IPv6 servers,
 *   `retryOverTCP: false`).  A reply with TC=1 is asked again over TCP with
 *   our own small client (below): dns2's TCPClient has no timeout, sends query
 *   id 0 without checking it, and cannot reach an IPv6 literal.
 * - Servers are tried in order, and the whole list is gone through `tries`
 *   times (two by default, like resolv.conf's `attempts`).  Every exchange
 *   waits at most `timeoutMs`, and the whole query at most
 *   `timeoutMs × tries × servers` (the query bound).
 * - A server that answers SERVFAIL, REFUSED, NOTIMP or FORMERR is not asked
 *   again for this question; the next one is.  If no server answers better,
 *   the last such answer is returned (the caller reads its rcode).  NOERROR
 *   and NXDOMAIN answers are returned at once.
 * - At most `maxInFlight` questions are being worked on at a time, across
 *   every caller (every cell).  Further questions wait in FIFO order.
 * - Failures reject with DnsQueryError: `temp-failure` for a timeout or a
 *   network error, `bad` for an answer that cannot be decoded or does not
 *   match the question, `local-failure` for a question that cannot be encoded
 *   (a name dns2 refuses).  An abort rejects with the signal's reason.
 *
 * Aborting a UDP exchange settles our promise at once, but dns2's UDPClient
 * keeps its socket until its own timer (at most `timeoutMs`) closes it: the
 * client exposes no way to cancel.  TCP connections are destroyed at once.
 */
import { randomInt } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import net from 'node:net';
import dns2 from 'dns2';
import { AfsError } from '../errors.js';
import { AFSDB_TYPE, registerAfsdbCodec } from './afsdb-codec.js';
import { canonicalHost, describeServer, type DnsServerAddress } from './server-address.js';
import { linkSignals, raceAbort } from './signals.js';

registerAfsdbCodec();

const { Packet, UDPClient } = dns2;

export type DnsQueryType = 'SRV' | 'AFSDB' | 'A' | 'AAAA' | 'CNAME';
/** A decoded DNS message, as dns2 gives it. */
export type DnsMessage = dns2.Packet;

export const DNS_TYPE_CODE: Readonly<Record<DnsQueryType, number>> = {
  A: 1,
  CNAME: 5,
  AFSDB: AFSDB_TYPE,
  AAAA: 28,
  SRV: 33,
};

export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
} as const;

export interface DnsTransportOptions {
  /** Name servers, tried in this order.  Must not be empty. */
  readonly servers: readonly DnsServerAddress[];
  /** Wait for one exchange (one UDP try, or its TCP retry); default 2000 ms. */
  readonly timeoutMs?: number;
  /** Passes over the server list; default 2. */
  readonly tries?: number;
  /** Questions worked on at once, across all callers; default 64. */
  readonly maxInFlight?: number;
  /** Told the outcome of every question: an rcode name (`NOERROR`, `NXDOMAIN`…) or a failure kind. */
  readonly onQuery?: (type: DnsQueryType, result: string) => void;
}

export type DnsFailureKind = 'temp-failure' | 'bad' | 'local-failure';

/** Why a query produced no usable answer. */
export class DnsQueryError extends Error {
  readonly kind: DnsFailureKind;

  constructor(kind: DnsFailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DnsQueryError';
    this.kind = kind;
  }
}

export function isDnsQueryError(err: unknown, kind?: DnsFailureKind): err is DnsQueryError {
  return err instanceof DnsQueryError && (kind === undefined || err.kind === kind);
}

/** Counters for `/stats` and for tests. */
export interface DnsTransportStats {
  /** Questions asked through `query()` that got a slot. */
  queries: number;
  /** UDP datagrams sent (one per try). */
  udpExchanges: number;
  /** TCP exchanges (after a truncated UDP answer). */
  tcpExchanges: number;
  /** Exchanges that timed out. */
  timeouts: number;
  /** Queries that ended in a DnsQueryError. */
  failures: number;
}

export const DEFAULT_DNS_TIMEOUT_MS = 2000;
export const DEFAULT_DNS_TRIES = 2;
export const DEFAULT_DNS_MAX_IN_FLIGHT = 64;

/** rcodes after which the next server is asked instead. */
function isServerFailureRcode(rcode: number): boolean {
  return rcode !== RCODE.NOERROR && rcode !== RCODE.NXDOMAIN;
}

interface Waiter {
  resolve(): void;
  reject(reason: unknown): void;
  detach(): void;
}

/** The name of an rcode for counters (`RCODE7` for ones we have no name for). */
function rcodeName(rcode: number): string {
  const known = Object.entries(RCODE).find(([, code]) => code === rcode);
  return known ? known[0] : `RCODE${rcode}`;
}

export class DnsTransport {
  readonly servers: readonly DnsServerAddress[];
  readonly timeoutMs: number;
  readonly tries: number;
  readonly maxInFlight: number;
  readonly stats: DnsTransportStats = { queries: 0, udpExchanges: 0, tcpExchanges: 0, timeouts: 0, failures: 0 };

  #active = 0;
  readonly #queue: Waiter[] = [];
  readonly #closer = new AbortController();
  readonly #running = new Set<Promise<unknown>>();

  readonly #onQuery: ((type: DnsQueryType, result: string) => void) | undefined;

  constructor(options: DnsTransportOptions) {
    // Every running question listens on this signal: no listener limit.
    setMaxListeners(0, this.#closer.signal);
    if (options.servers.length === 0) {
      throw new AfsError('EINVAL', 'DNS transport: no name servers given');
    }
    for (const s of options.servers) {
      if (net.isIP(s.host) === 0) {
        throw new AfsError('EINVAL', `DNS transport: server "${s.host}" is not an IP address`);
      }
      if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) {
        throw new AfsError('EINVAL', `DNS transport: bad port ${s.port} for server ${s.host}`);
      }
    }
    this.servers = options.servers.map((s) => ({ host: canonicalHost(s.host), port: s.port }));
    this.#onQuery = options.onQuery;
    this.timeoutMs = positiveInt(options.timeoutMs, DEFAULT_DNS_TIMEOUT_MS, 'timeoutMs');
    this.tries = positiveInt(options.tries, DEFAULT_DNS_TRIES, 'tries');
    this.maxInFlight = positiveInt(options.maxInFlight, DEFAULT_DNS_MAX_IN_FLIGHT, 'maxInFlight');
  }

  /** The longest one `query()` can take once it holds a slot. */
  get queryBoundMs(): number {
    return this.timeoutMs * this.tries * this.servers.length;
  }

  /** Questions being worked on now. */
  get inFlight(): number {
    return this.#active;
  }

  /** Questions waiting for a slot. */
  get queued(): number {
    return this.#queue.length;
  }

  get closed(): boolean {
    return this.#closer.signal.aborted;
  }

  /**
   * Asks one question.  Resolves with the answer (any rcode: read
   * `header.rcode`); rejects with DnsQueryError, with the signal's reason on
   * abort, or with AfsError ESHUTDOWN once the transport is closed.
   */
  async query(name: string, type: DnsQueryType, signal?: AbortSignal): Promise<DnsMessage> {
    this.#throwIfStopped(signal);
    const code = DNS_TYPE_CODE[type];
    if (code === undefined) {
      throw new DnsQueryError('local-failure', `unsupported query type ${String(type)}`);
    }
    try {
      // Encode once here: dns2's UDPClient would otherwise throw inside its
      // promise executor and leave its socket open until its timer fires.
      Packet.Question.encode(new Packet.Question(name, code, Packet.CLASS.IN));
    } catch (err) {
      throw new DnsQueryError('local-failure', `cannot ask for ${type} ${name}: ${errorText(err)}`, { cause: err });
    }
    await this.#acquire(signal);
    const work = this.#exchange(name, type, code, signal);
    this.#running.add(work);
    try {
      this.stats.queries++;
      const answer = await work;
      this.#onQuery?.(type, rcodeName(answer.header.rcode));
      return answer;
    } catch (err) {
      if (err instanceof DnsQueryError) {
        this.stats.failures++;
        this.#onQuery?.(type, err.kind);
      }
      throw err;
    } finally {
      this.#running.delete(work);
      this.#release();
    }
  }

  /** Rejects queued questions, aborts running ones, and waits for them to settle. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.#closer.abort(new AfsError('ESHUTDOWN', 'DNS transport closed'));
      for (const waiter of this.#queue.splice(0)) {
        waiter.detach();
        waiter.reject(this.#closer.signal.reason);
      }
    }
    await Promise.allSettled([...this.#running]);
  }

  #throwIfStopped(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw signal.reason;
    if (this.closed) throw this.#closer.signal.reason;
  }

  #acquire(signal: AbortSignal | undefined): Promise<void> {
    if (this.#active < this.maxInFlight && this.#queue.length === 0) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve,
        reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #release(): void {
    const next = this.#queue.shift();
    if (next) {
      // The slot passes straight to the next waiter: #active stays the same.
      next.detach();
      next.resolve();
    } else {
      this.#active--;
    }
  }

  async #exchange(name: string, type: DnsQueryType, code: number, signal: AbortSignal | undefined): Promise<DnsMessage> {
    const linked = linkSignals(signal, this.#closer.signal);
    try {
      const deadline = Date.now() + this.queryBoundMs;
      const gaveUp = new Set<number>();
      let failedAnswer: DnsMessage | undefined;
      let badError: DnsQueryError | undefined;
      let tempError: DnsQueryError | undefined;
      for (let round = 0; round < this.tries; round++) {
        for (const [index, server] of this.servers.entries()) {
          if (gaveUp.has(index)) continue;
          const remaining = deadline - Date.now();
          if (remaining <= 0) break;
          try {
            const answer = await this.#askServer(server, name, type, code, Math.min(this.timeoutMs, remaining), linked.signal);
            if (!isServerFailureRcode(answer.header.rcode)) return answer;
            failedAnswer = answer;
            gaveUp.add(index);
          } catch (err) {
            this.#throwIfStopped(signal);
            const failure = toQueryError(err);
            if (failure.kind === 'bad') {
              badError = failure;
              gaveUp.add(index);
            } else {
              tempError = failure;
            }
          }
        }
      }
      if (failedAnswer) return failedAnswer;
      throw badError ?? tempError ?? new DnsQueryError('temp-failure', `${type} ${name}: no name server answered within ${this.queryBoundMs} ms`);
    } finally {
      linked.dispose();
    }
  }

  async #askServer(
    server: DnsServerAddress,
    name: string,
    type: DnsQueryType,
    code: number,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<DnsMessage> {
    const family = net.isIPv6(server.host) ? 6 : 4;
    const ask = UDPClient({
      dns: server.host,
      port: server.port,
      socketType: family === 6 ? 'udp6' : 'udp4',
      timeout: timeoutMs,
      retryOverTCP: false,
    });
    this.stats.udpExchanges++;
    const started = Date.now();
    let answer: DnsMessage;
    try {
      answer = await raceAbort(ask(name, type), signal);
    } catch (err) {
      if (isTimeout(err)) this.stats.timeouts++;
      throw err;
    }
    checkAnswer(answer, name, code, server);
    if (!answer.header.tc) return answer;
    // Truncated: ask again over TCP, within what is left of this try.
    this.stats.tcpExchanges++;
    const left = Math.max(1, timeoutMs - (Date.now() - started));
    try {
      answer = await tcpExchange(server, name, code, left, signal);
    } catch (err) {
      if (isTimeout(err)) this.stats.timeouts++;
      throw err;
    }
    checkAnswer(answer, name, code, server);
    if (answer.header.tc) {
      throw new DnsQueryError('bad', `${describeServer(server)}: TCP answer for ${name} is marked truncated`);
    }
    return answer;
  }
}

/**
 * One DNS exchange over TCP (RFC 1035 §4.2.2 framing, RFC 7766): connect,
 * send the length-prefixed query with a random id, read one length-prefixed
 * answer, close.  Works for IPv4 and IPv6 literals.
 */
export function tcpExchange(
  server: DnsServerAddress,
  name: string,
  typeCode: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<DnsMessage> {
  const query = new Packet();
  query.header.id = randomInt(0x10000);
  query.header.rd = 1;
  query.questions.push(new Packet.Question(name, typeCode, Packet.CLASS.IN));
  const body = query.toBuffer();
  const frame = Buffer.alloc(2 + body.length);
  frame.writeUInt16BE(body.length, 0);
  body.copy(frame, 2);
  const where = describeServer(server);

  return new Promise<DnsMessage>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    let received: Buffer = Buffer.alloc(0);
    const socket = net.connect({ host: server.host, port: server.port });
    const finish = (err: unknown, answer?: DnsMessage): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (answer) resolve(answer);
      else reject(err);
    };
    const onAbort = (): void => finish(signal?.reason);
    const timer = setTimeout(() => {
      const err = new DnsQueryError('temp-failure', `${where}: TCP query for ${name} timed out after ${timeoutMs} ms`);
      (err as Error & { code?: string }).code = 'ETIMEDOUT';
      finish(err);
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(frame));
    socket.on('error', (err) => finish(new DnsQueryError('temp-failure', `${where}: TCP: ${err.message}`, { cause: err })));
    socket.on('close', () =>
      finish(new DnsQueryError('temp-failure', `${where}: TCP connection closed before a whole answer to ${name} arrived`)),
    );
    socket.on('data', (chunk: Buffer) => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const length = received.readUInt16BE(0);
      if (received.length < 2 + length) return;
      let answer: DnsMessage;
      try {
        answer = Packet.parse(received.subarray(2, 2 + length));
      } catch (err) {
        finish(new DnsQueryError('bad', `${where}: undecodable TCP answer for ${name}: ${errorText(err)}`, { cause: err }));
        return;
      }
      if (answer.header.id !== query.header.id) {
        finish(new DnsQueryError('bad', `${where}: TCP answer id ${answer.header.id} does not match query id ${query.header.id}`));
        return;
      }
      finish(undefined, answer);
    });
  });
}

/** A reply must answer our question: QR set and, when echoed, the same question. */
function checkAnswer(answer: DnsMessage, name: string, code: number, server: DnsServerAddress): void {
  if (!answer.header.qr) {
    throw new DnsQueryError('bad', `${describeServer(server)}: reply to ${name} is not a response (QR=0)`);
  }
  if (answer.errors.some((e) => e.section === 'questions')) {
    throw new DnsQueryError('bad', `${describeServer(server)}: undecodable question section in the reply to ${name}`);
  }
  const q = answer.questions[0];
  if (q && (q.type !== code || q.name.toLowerCase() !== name.toLowerCase().replace(/\.$/, ''))) {
    throw new DnsQueryError('bad', `${describeServer(server)}: reply is for ${q.name} type ${q.type}, not ${name} type ${code}`);
  }
}

function isTimeout(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ETIMEDOUT';
}

function toQueryError(err: unknown): DnsQueryError {
  if (err instanceof DnsQueryError) return err;
  if (err instanceof Packet.DecodeError) {
    return new DnsQueryError('bad', `undecodable answer: ${err.message}`, { cause: err });
  }
  return new DnsQueryError('temp-failure', errorText(err), { cause: err });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function positiveInt(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new AfsError('EINVAL', `DNS transport: ${what} must be a positive integer, got ${value}`);
  }
  return value;
}

