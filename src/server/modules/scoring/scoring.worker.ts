// Training off the event loop (decision 032): the regression is CPU-bound for tens of seconds, so
// it runs in a worker thread started from this same module, and the server keeps answering
// requests meanwhile. Closing the app stops any training in progress; the job then fails and is
// retried after the restart.
import { Worker, isMainThread, parentPort, threadId, workerData } from 'node:worker_threads';
import {
  evaluateModel,
  trainModel,
  type Evaluation,
  type LabelledRow,
  type TrainedModel,
} from './scoring.model.js';

export interface TrainingInput {
  training: LabelledRow[];
  holdout: LabelledRow[];
  featureNames: Record<string, string>;
}

export interface TrainingResult {
  model: TrainedModel;
  evaluation: Evaluation;
  /** The thread that trained it (never the caller's). */
  threadId: number;
}

const TASK = 'scoring-train';

/** Thrown when the app closed while a model was training. */
export class TrainingStopped extends Error {
  constructor() {
    super('Training was stopped by a server shutdown');
  }
}

/**
 * The training threads of one app: `train` runs trainModel and evaluateModel in a new thread;
 * `stop` (on app close) ends the ones in progress and refuses new ones.
 */
export function createTrainingThreads() {
  const running = new Set<Worker>();
  let stopped = false;
  return {
    train(input: TrainingInput): Promise<TrainingResult> {
      if (stopped) return Promise.reject(new TrainingStopped());
      const workerData = { task: TASK, input };
      // Under the test runner this module is TypeScript source: the thread loads it through tsx.
      const worker = import.meta.url.endsWith('.ts')
        ? new Worker(
            `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`,
            { eval: true, workerData },
          )
        : new Worker(new URL(import.meta.url), { workerData });
      running.add(worker);
      return new Promise<TrainingResult>((resolve, reject) => {
        let settled = false;
        worker.once('message', (result: TrainingResult) => {
          settled = true;
          resolve(result);
        });
        worker.once('error', (error) => {
          settled = true;
          reject(error);
        });
        worker.once('exit', (code) => {
          running.delete(worker);
          if (!settled) {
            reject(
              stopped ? new TrainingStopped() : new Error(`The training thread exited (${code})`),
            );
          }
        });
      });
    },
    async stop(): Promise<void> {
      stopped = true;
      await Promise.all([...running].map((worker) => worker.terminate()));
    },
  };
}

if (!isMainThread && (workerData as { task?: string } | null)?.task === TASK) {
  const { input } = workerData as { input: TrainingInput };
  const model = trainModel(input.training, input.featureNames);
  const result: TrainingResult = {
    model,
    evaluation: evaluateModel(model, input.holdout),
    threadId,
  };
  parentPort?.postMessage(result);
}
