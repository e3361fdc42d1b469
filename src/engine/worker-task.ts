import type { MessagePort } from 'node:worker_threads';
import { registerDsnSecrets } from '../util/secrets.js';
import { errorMessage } from '../errors.js';
import { Recorder } from '../metrics/recorder.js';
import { initHistograms } from '../metrics/histogram.js';
import { compileOperation, needsDocumentsTable } from '../operations/compile.js';
import { countDocuments, createDocumentsTable, documentsDataset } from '../operations/documents.js';
import { loadScripts } from '../operations/script.js';
import { builtinData } from '../operations/builtin/index.js';
import { profileFor } from '../profiles/index.js';
import { createProvider, loadProviderModule } from '../providers/index.js';
import type { DatabaseProvider } from '../providers/types.js';
import type { CoordinatorMessage, WorkerMessage, WorkerResult, WorkerTask } from './messages.js';
import { WorkerRuntime, weightedPicker } from './runtime.js';
import { LoadSpan, WorkerWindows } from './worker-windows.js';
import { VuStreams } from './vu-streams.js';

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
  let windows: WorkerWindows | undefined;
  try {
    await initHistograms();
    const live = (provider = await createOwnProvider(task));
    await openConnections(live, task);
    const inline = live.dialect.synchronous && !task.openModel;
    const rec = (recorder = new Recorder(task.operationNames, task.openModel));
    const datasetId = documentsDataset(task.runId, task.provider.name);
    const scripts = await loadScripts(task.workload, task.baseDir);
    const ops = task.workload.map((op, i) =>
      compileOperation(live, op, i, {
        datasetId,
        source: task.source,
        baseDir: task.baseDir,
        recordPart: (part, ns) => rec.part(i, part, ns),
        scripts,
        data: task.setupData,
      }),
    );
    const { seed, firstId, total } = task.vus;
    const streams = new VuStreams({ seed, provider: task.provider.name, firstId, vus: total });

    const startAt = await handshake(port, send);
    const runtime = new WorkerRuntime(ops, weightedPicker(task.workload.map((op) => op.weight ?? 1)), rec, startAt, streams);
    const span = stoppable(port, runtime);
    windows = new WorkerWindows({ task, recorder: rec, runtime, span, startAt, inline, send });
    await sleepUntil(startAt);
    span.begin(runtime.elapsed());
    windows.start();
    await profileFor(task.profileType).run(task.share, runtime);
    const endedMs = span.end(runtime.elapsed());
    // Also wakes any sleeper the profile left behind, so no timer keeps the thread alive.
    runtime.stop();
    // The last window's flush adds to the totals: it goes first.
    const count = windows.finish();
    const result: WorkerResult = { source: task.source, ...rec.totals, windows: count, endedMs, stopped: span.stopped };
    if (!live.sharedAcrossInstances && needsDocumentsTable(task.workload)) {
      result.privateDocuments = await countDocuments(live, datasetId);
    }
    send({ type: 'done', result });
    return result;
  } catch (err) {
    send({ type: 'failed', message: errorMessage(err) });
    throw err;
  } finally {
    windows?.close();
    recorder?.destroy();
    await provider?.close().catch(() => {});
    port.close();
  }
}

/** The worker's own provider, its pool sized to the share's peak VUs. */
async function createOwnProvider(task: WorkerTask): Promise<DatabaseProvider> {
  await loadProviderModule(task.provider, task.baseDir);
  return createProvider({ ...task.provider, options: { poolSize: Math.max(1, task.peakVus), ...task.provider.options } });
}

/**
 * Every VU's connection opened before the start, so no operation's latency includes connection
 * setup; the tool's tables made when the database is the worker's own.
 */
async function openConnections(provider: DatabaseProvider, task: WorkerTask): Promise<void> {
  await provider.initialize();
  // A single handle (SQLite) is one connection, however many VUs share it.
  const connections = provider.dialect.oneConnectionPerHandle ? 1 : Math.max(1, task.peakVus);
  await Promise.all(Array.from({ length: connections }, () => provider.healthCheck()));
  if (task.setupInWorker && needsDocumentsTable(task.workload)) await createDocumentsTable(provider);
  // A database of the worker's own starts empty: a built-in workload's tables are loaded here, before the start.
  if (task.setupInWorker) await builtinData(task.workload)?.load(provider, () => {}, 1);
}

/** The coordinator's stop ends the load: the runtime stops, and the span records when. */
function stoppable(port: MessagePort, runtime: WorkerRuntime): LoadSpan {
  const span = new LoadSpan();
  port.on('message', (m: CoordinatorMessage) => {
    if (m.type !== 'stop') return;
    span.stop(runtime.elapsed());
    runtime.stop();
  });
  return span;
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
