import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { toFeatureRow } from './scoring.features.js';
import { evaluateModel, splitHoldout, trainModel, type LabelledRow } from './scoring.model.js';
import { createTrainingThreads, TrainingStopped } from './scoring.worker.js';

/** Referrals win 9 times in 10, cold leads once in 10. */
function closedLeads(count: number): LabelledRow[] {
  return Array.from({ length: count }, (_, i) => {
    const referral = i % 2 === 0;
    return {
      id: `lead-${i}`,
      features: toFeatureRow({
        source: referral ? 'Referral' : 'Cold list',
        priority: 'normal',
        value: 100_000 + (i % 7) * 1_000,
        customValues: [],
        activityCounts: { call: i % 3 },
        stageMoves: 1,
        responseMinutes: 30,
      }),
      won: referral ? i % 10 !== 0 : i % 10 === 1,
    };
  });
}

const NAMES = { source: 'Source', 'activity:call': 'Calls' };

describe('training threads', () => {
  it('train in a thread of their own and give what training on the event loop gives', async () => {
    const { train: training, holdout } = splitHoldout(closedLeads(300));
    const threads = createTrainingThreads();
    const result = await threads.train({ training, holdout, featureNames: NAMES });
    expect(result.threadId).not.toBe(threadId);
    const model = trainModel(training, NAMES);
    expect(result.model).toEqual(model);
    expect(result.evaluation).toEqual(evaluateModel(model, holdout));
    expect(result.evaluation.auc).toBeGreaterThan(0.7);
  });

  it('stop a training in progress and refuse new ones once stopped', async () => {
    const { train: training, holdout } = splitHoldout(closedLeads(20_000));
    const threads = createTrainingThreads();
    const running = threads.train({ training, holdout, featureNames: NAMES });
    await threads.stop();
    await expect(running).rejects.toBeInstanceOf(TrainingStopped);
    await expect(
      threads.train({ training: training.slice(0, 10), holdout: [], featureNames: NAMES }),
    ).rejects.toBeInstanceOf(TrainingStopped);
  });

  it('pass a failure in the thread on to the caller', async () => {
    const threads = createTrainingThreads();
    // No rows: the regression has nothing to learn from and trainModel throws.
    await expect(threads.train({ training: [], holdout: [], featureNames: NAMES })).rejects.toThrow(
      'The regression trained no classifier',
    );
  });
});
