import { getSystemErrorMap } from 'node:util';
import { Worker } from 'node:worker_threads';

/*
 * The fdatasyncs of `nodeFileSystem` handles run on one thread of KilnDB's own, which waits for the next
 * request by spinning for a moment before it sleeps.
 *
 * Why: a log under load makes an fdatasync every few hundred microseconds. Through libuv's thread pool each
 * one costs the event loop about 15 µs on a 2-core VM: the pool's thread sleeps between syncs, and waking it
 * is a system call that interrupts another CPU. A thread that is still spinning when the next request comes
 * needs no wake-up at all: the request is two stores to shared memory. Measured at 64 concurrent writers of
 * doc-engine, in alternating rounds: 7-10 % more durable inserts per second than the thread pool with three
 * secondary indexes, 3-6 % without (and no gain from a thread of our own that sleeps at once, as the pool's do).
 *
 * The cost is CPU, and it is only paid while it buys something: the thread spins (up to SPIN_MS) only while
 * requests come that often, that is while one came during the last sync or soon after the thread slept.
 * After a spin runs out it sleeps, and it stays cold until requests come quickly again. Spinning after rare
 * syncs measured 20 % slower for a lone writer (whose commits sync on the event loop's thread, see
 * payload-store's sync policy): the spinning CPU is taken from the disk's own work on a small VM.
 *
 * The thread syncs one descriptor at a time. Requests for it made while a sync runs are answered by the next
 * fdatasync, which the thread starts as soon as the running one returns (it covers every write made before
 * it starts); a request for another descriptor while the thread is busy goes to the thread pool, so a large
 * file's sync never holds up a log's.
 */

/** Indexes of the control words shared with the thread. */
const REQUEST = 0;
const DONE = 1;
const FD = 2;
const SLEEPING = 3;
const ERRNO = 4;
const READY = 5;
const CONTROL_WORDS = READY + 1;

/** How long the thread spins for the next request after a sync, while syncs come that often. */
const SPIN_MS = 1;

/**
 * The thread's code. It is given as source so that it loads the same way from the built package and from
 * the TypeScript sources tests run. It answers a request with the number it read before its fdatasync (so an
 * answer covers every request up to it), and sleeps with a timeout so nothing can leave it blocked for good.
 */
const THREAD_SOURCE = `
const { workerData } = require('node:worker_threads');
const { fdatasyncSync } = require('node:fs');
const control = new Int32Array(workerData.control);
const [REQUEST, DONE, FD, SLEEPING, ERRNO, READY] = workerData.words;
let served = 0;

/** The next request, or served when none came within ms (the clock is read every 128 loads: no garbage). */
function spin(ms) {
  const until = performance.now() + ms;
  for (let i = 1; ; i++) {
    const request = Atomics.load(control, REQUEST);
    if (request !== served || ((i & 127) === 0 && performance.now() >= until)) return request;
  }
}

function serve() {
  let hot = false;
  Atomics.store(control, READY, 1);
  for (;;) {
    let request = Atomics.load(control, REQUEST);
    if (request === served && hot) request = spin(workerData.spinMs);
    if (request === served) {
      Atomics.store(control, SLEEPING, 1);
      const slept = performance.now();
      Atomics.wait(control, REQUEST, served, 1000);
      Atomics.store(control, SLEEPING, 0);
      hot = performance.now() - slept < workerData.spinMs;
      continue;
    }
    let errno = 0;
    try {
      fdatasyncSync(Atomics.load(control, FD));
    } catch (error) {
      errno = typeof error.errno === 'number' ? error.errno : -5;
    }
    if (Atomics.load(control, REQUEST) !== request) hot = true;
    Atomics.store(control, ERRNO, errno);
    served = request;
    Atomics.store(control, DONE, request);
    Atomics.notify(control, DONE);
  }
}

serve();
`;

/** `Atomics.waitAsync` (in Node since 16; the ES library this project compiles against predates it). */
type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
) => { readonly async: false; readonly value: string } | { readonly async: true; readonly value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

interface Waiter {
  /** The request it waits for: answered once the thread's DONE word reaches it. */
  readonly number: number;
  resolve(): void;
  reject(error: Error): void;
}

/** The error `fs.fdatasync` gives for `errno`, with its code and message. */
function syncError(errno: number): Error {
  const [code, description] = getSystemErrorMap().get(errno) ?? ['EIO', 'i/o error'];
  return Object.assign(new Error(`${code}: ${description}, fdatasync`), { errno, code, syscall: 'fdatasync' });
}

class SyncThread {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT));
  private readonly worker: Worker;
  /** The last request number given to the thread, and the last one it answered. */
  private requested = 0;
  private answered = 0;
  /** The descriptor of the requests not answered yet. */
  private fd = -1;
  /** Waiting callers, in request order. */
  private readonly waiters: Waiter[] = [];
  private watching = false;
  private failed = false;
  /** Answers the thread gave (for tests: that syncs went through the thread, not the pool). */
  answers = 0;

  constructor() {
    this.worker = new Worker(THREAD_SOURCE, {
      eval: true,
      // Not the process's flags: with --input-type=module the source would be read as a module, not a script.
      execArgv: [],
      workerData: {
        control: this.control.buffer,
        words: [REQUEST, DONE, FD, SLEEPING, ERRNO, READY],
        spinMs: SPIN_MS,
      },
    });
    this.worker.unref();
    const stop = (error: Error): void => {
      this.failed = true;
      for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    };
    this.worker.on('error', stop);
    this.worker.on('exit', (code) => {
      stop(new Error(`the fdatasync thread stopped (exit code ${String(code)})`));
    });
  }

  /** Syncs `fd` on the thread, or returns undefined when the caller should use the thread pool. */
  datasync(fd: number): Promise<void> | undefined {
    const { control } = this;
    if (this.failed || Atomics.load(control, READY) !== 1) return undefined;
    if (this.requested > this.answered && fd !== this.fd) return undefined;
    const number = ++this.requested;
    this.fd = fd;
    const synced = new Promise<void>((resolve, reject) => this.waiters.push({ number, resolve, reject }));
    // The thread reads the request number, then the descriptor, and answers with the number it read: one
    // fdatasync started after a request covers every write made before it, even if it answers several.
    Atomics.store(control, FD, fd);
    Atomics.store(control, REQUEST, number);
    // A thread still spinning sees the request by itself; waking a sleeping one is the system call spared otherwise.
    if (Atomics.load(control, SLEEPING) === 1) Atomics.notify(control, REQUEST);
    if (!this.watching) {
      // Waiting for the answer must keep the process alive, as a pending fs call would.
      this.worker.ref();
      this.watch();
    }
    return synced;
  }

  /** Calls `answer` once the thread's DONE word moves past what was answered. */
  private watch(): void {
    this.watching = true;
    const answer = waitAsync(this.control, DONE, this.answered);
    if (!answer.async) {
      this.answer();
      return;
    }
    void answer.value.then(() => {
      this.answer();
    });
  }

  private answer(): void {
    if (this.failed) return;
    const { control } = this;
    let done: number;
    let errno: number;
    // The error word belongs to the answer: read both again if the thread answered once more in between.
    do {
      done = Atomics.load(control, DONE);
      errno = Atomics.load(control, ERRNO);
    } while (Atomics.load(control, DONE) !== done);
    if (done !== this.answered) {
      this.answers++;
      this.answered = done;
      // A failed fdatasync fails every caller it answers, as a failed thread-pool sync fails its own.
      while (this.waiters.length > 0 && (this.waiters[0] as Waiter).number <= done) {
        const waiter = this.waiters.shift() as Waiter;
        if (errno === 0) waiter.resolve();
        else waiter.reject(syncError(errno));
      }
    }
    if (this.answered < this.requested) {
      this.watch();
      return;
    }
    this.watching = false;
    this.worker.unref();
  }
}

let thread: SyncThread | undefined;
let unavailable = false;

/**
 * fdatasyncs `fd` on KilnDB's sync thread (started on first use), or returns undefined when it cannot take
 * the request (not running yet, busy with another descriptor, or unavailable here): use the thread pool then.
 */
export function datasyncOnThread(fd: number): Promise<void> | undefined {
  if (thread === undefined) {
    if (unavailable) return undefined;
    try {
      thread = new SyncThread();
    } catch {
      unavailable = true;
      return undefined;
    }
  }
  return thread.datasync(fd);
}

/** How many answers the sync thread has given in this process (for tests). */
export function syncThreadAnswers(): number {
  return thread?.answers ?? 0;
}
