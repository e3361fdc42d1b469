import type { MessagePort } from 'node:worker_threads';
import { registerDsnSecrets } from '../config/redact.js';
import { errorMessage } from '../errors.js';
import { HealthMonitor } from '../metrics/health.js';
import { Recorder } from '../metrics/recorder.js';
import { initHistograms } from '../metrics/histogram.js';
import { compileOperation, needsDocumentsTable } from '../operations/compile.js';
import { countDocuments, createDocumentsTable } from '../operations/documents.js';
import { profileFor } from '../profiles/index.js';
import type { PhasePlan } from '../profiles/stages.js';
import { createProvider, loadProviderModule } from '../providers/index.js';
import type { DatabaseProvider } from '../providers/types.js';
import type { CoordinatorMessage, WorkerMessage, WorkerResult, WorkerTask } from './messages.js';
import { Runtime, weightedPicker } from './runtime.js';
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
    const inline = live.dialect === 'sqlite' && !task.openModel;
    const rec = (recorder = new Recorder(task.operationNames, task.openModel));
    const ops = task.workload.map((op, i) =>
      compileOperation(live, op, i, { datasetId: task.runId, source: task.source, recordPart: (part, ns) => rec.part(i, part, ns) }),
    );

    const startAt = await handshake(port, send);
    const runtime = new Runtime(ops, weightedPicker(task.workload.map((op) => op.weight ?? 1)), rec, startAt);
    port.on('message', (m: CoordinatorMessage) => m.type === 'stop' && runtime.stop());

    let window = 0;
    const emit = (last: boolean): void => {
      const operations = rec.flush();
      const arrivals = rec.flushArrivals();
      // A synchronous database (better-sqlite3) runs on this very thread: a busy event loop then
      // cannot distort the latency timed around its calls, but VUs queued for the thread can be
      // paced by the generator (health.ts).
      const threadWaitP99Us = threadSlice.takeWaitP99Us();
      const generator = { ...health!.sample(), ...(inline ? { inline: true, threadWaitP99Us } : {}) };
      const activeVUs = runtime.windowPeak(window * task.windowMs, (window + 1) * task.windowMs);
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
          operations,
          ...(arrivals ? { arrivals } : {}),
          health: generator,
        },
      });
    };
    let timer: NodeJS.Timeout | undefined;
    const scheduleWindow = (): void => {
      timer = setTimeout(() => {
        emit(false);
        window++;
        scheduleWindow();
      }, startAt + (window + 1) * task.windowMs - Date.now());
    };
    await sleepUntil(startAt);
    health = new HealthMonitor();
    scheduleWindow();
    await profileFor(task.profileType).run(task.share, runtime);
    // Also wakes any sleeper the profile left behind, so no timer keeps the thread alive.
    runtime.stop();
    clearTimeout(timer);
    emit(true);

    const result: WorkerResult = { source: task.source, ...rec.totals, windows: window + 1 };
    if (!live.sharedAcrossInstances && needsDocumentsTable(task.workload)) {
      result.privateDocuments = await countDocuments(live, task.runId);
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
