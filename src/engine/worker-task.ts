import type { MessagePort } from 'node:worker_threads';
import { registerDsnSecrets } from '../util/secrets.js';
import { errorMessage } from '../errors.js';
import { HealthMonitor } from '../metrics/health.js';
import { Recorder } from '../metrics/recorder.js';
import { initHistograms } from '../metrics/histogram.js';
import { compileOperation, needsDocumentsTable } from '../operations/compile.js';
import { countDocuments, createDocumentsTable, documentsDataset } from '../operations/documents.js';
import { profileFor } from '../profiles/index.js';
import type { PhasePlan } from '../profiles/stages.js';
import { createProvider, loadProviderModule } from '../providers/index.js';
import type { DatabaseProvider } from '../providers/types.js';
import type { CoordinatorMessage, WorkerMessage, WorkerResult, WorkerTask } from './messages.js';
import { WorkerRuntime, weightedPicker } from './runtime.js';
import { threadSlice } from './thread-slice.js';

/**
 * One worker's share of a run: build its own provider, wait for the common start, run the
 * profile, send one snapshot per window. The same function runs in a Piscina thread and, with
 * `--workers 0`, on the main thread.
 */
export async function runWorkerTask(task: WorkerTask, port: MessagePort): Promise<WorkerResult> {
  const send = (m: WorkerMessage): void => port.postMessage(m);
  registerDsnSecrets(task.provider.dsn);
  let provider: DatabaseProvider | undefined;
  let recorder: Recorder | undefined;
  let health: HealthMonitor | undefined;
  try {
    await initHistograms();
    await loadProviderModule(task.provider, task.baseDir);
    provider = createProvider({
      ...task.provider,
      options: { poolSize: Math.max(1, task.peakVus), ...task.provider.options },
    });
    await provider.initialize();
    // Open the VUs' connections before the start, so no operation's latency includes connection setup.
    await Promise.all(Array.from({ length: Math.max(1, task.peakVus) }, () => provider!.healthCheck()));
    if (task.setupInWorker && needsDocumentsTable(task.workload)) await createDocumentsTable(provider);
    const live = provider;
    const inline = live.dialect.synchronous && !task.openModel;
    const rec = (recorder = new Recorder(task.operationNames, task.openModel));
    const datasetId = documentsDataset(task.runId, task.provider.name);
    const ops = task.workload.map((op, i) =>
      compileOperation(live, op, i, { datasetId, source: task.source, recordPart: (part, ns) => rec.part(i, part, ns) }),
    );

    const startAt = await handshake(port, send);
    const runtime = new WorkerRuntime(ops, weightedPicker(task.workload.map((op) => op.weight ?? 1)), rec, startAt);
    // The load's span, in ms from the common start: each window says how much of it it held.
    let loadStartMs = 0;
    let loadEndMs: number | undefined;
    let stopped = false;
    port.on('message', (m: CoordinatorMessage) => {
      if (m.type !== 'stop') return;
      if (loadEndMs === undefined) {
        stopped = true;
        loadEndMs = Math.max(loadStartMs, runtime.elapsed());
      }
      runtime.stop();
    });
    const ranMs = (from: number, to: number): number => Math.max(0, Math.min(to, loadEndMs ?? to) - Math.max(from, loadStartMs));

    let window = 0;
    const emit = (last: boolean): void => {
      const operations = rec.flush();
      const arrivals = rec.flushArrivals();
      // A synchronous database (better-sqlite3) runs on this very thread: a busy event loop then
      // cannot distort the latency timed around its calls, but VUs queued for the thread can be
      // paced by the generator (health.ts).
      const threadWaitP99Us = threadSlice.takeWaitP99Us();
      const generator = { ...health!.sample(), ...(inline ? { inline: true, threadWaitP99Us } : {}) };
      const [from, to] = [window * task.windowMs, (window + 1) * task.windowMs];
      const activeVUs = runtime.windowPeak(from, to);
      // A run that ends on a window boundary leaves nothing for a last window: send no empty one.
      if (last && operations.length === 0 && !arrivals?.intended && window > 0) return;
      send({
        type: 'snapshot',
        snapshot: {
          runId: task.runId,
          source: task.source,
          provider: task.provider.name,
          phase: phaseOf(task.phases, (window + 0.5) * task.windowMs) ?? runtime.phase,
          window,
          activeVUs,
          ranMs: ranMs(from, to),
          ...(window === 0 ? { lateStartMs: loadStartMs } : {}),
          operations,
          ...(arrivals ? { arrivals } : {}),
          health: generator,
        },
      });
    };
    let timer: NodeJS.Timeout | undefined;
    const scheduleWindow = (): void => {
      const endMs = (window + 1) * task.windowMs;
      const close = (): void => {
        // On a busy thread this timer may run before an arrival due in the window: it goes first.
        if (runtime.arrivalDueBefore(endMs)) return void (timer = setTimeout(close, 1));
        emit(false);
        window++;
        runtime.recordingUntil(endMs + task.windowMs);
        scheduleWindow();
      };
      timer = setTimeout(close, startAt + endMs - Date.now());
    };
    runtime.recordingUntil(task.windowMs);
    await sleepUntil(startAt);
    loadStartMs = Math.max(0, runtime.elapsed());
    health = new HealthMonitor();
    scheduleWindow();
    await profileFor(task.profileType).run(task.share, runtime);
    loadEndMs ??= runtime.elapsed();
    // Also wakes any sleeper the profile left behind, so no timer keeps the thread alive.
    runtime.stop();
    clearTimeout(timer);
    emit(true);

    const result: WorkerResult = { source: task.source, ...rec.totals, windows: window + 1, endedMs: loadEndMs, stopped };
    if (!live.sharedAcrossInstances && needsDocumentsTable(task.workload)) {
      result.privateDocuments = await countDocuments(live, datasetId);
    }
    send({ type: 'done', result });
    return result;
  } catch (err) {
    send({ type: 'failed', message: errorMessage(err) });
    throw err;
  } finally {
    health?.stop();
    recorder?.destroy();
    await provider?.close().catch(() => {});
    port.close();
  }
}

/** The phase planned at `ms`; the graceful tail after the last phase still belongs to it. */
function phaseOf(phases: readonly PhasePlan[], ms: number): string | undefined {
  return (phases.find((p) => ms < p.endMs) ?? phases.at(-1))?.name;
}

/** Says ready, then waits for the coordinator's common start time. */
function handshake(port: MessagePort, send: (m: WorkerMessage) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: CoordinatorMessage): void => {
      port.off('message', onMessage);
      if (m.type === 'start') resolve(m.startAt);
      else reject(new Error('stopped before the start'));
    };
    port.on('message', onMessage);
    send({ type: 'ready' });
  });
}

function sleepUntil(epochMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));
}
