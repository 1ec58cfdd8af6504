import { describe, expect, it } from 'vitest';
import { toFeatureRow, type LeadFacts } from './scoring.features.js';
import {
  calibrationTable,
  computeAuc,
  evaluateModel,
  explainPrediction,
  splitHoldout,
  trainModel,
  type LabelledRow,
} from './scoring.model.js';

describe('computeAuc', () => {
  it('is 1 when every positive scores above every negative, 0 the other way round', () => {
    expect(computeAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(computeAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
  });

  it('counts pairs by rank, ties as half (Mann-Whitney U)', () => {
    // Positives 0.4 and 0.8; negatives 0.1, 0.4, 0.6. Pairs won: (0.4>0.1), (0.4=0.4 half),
    // (0.8>0.1), (0.8>0.4), (0.8>0.6) = 4.5 of 6.
    expect(computeAuc([0.1, 0.4, 0.4, 0.6, 0.8], [false, true, false, false, true])).toBe(0.75);
  });

  it('gives the constant predictor 0.5 and is null without both classes', () => {
    expect(computeAuc([0.3, 0.3, 0.3, 0.3], [true, false, true, false])).toBe(0.5);
    expect(computeAuc([0.1, 0.2], [true, true])).toBeNull();
  });
});

describe('calibrationTable', () => {
  it('groups predictions into ten equal parts with their observed share', () => {
    const predictions = Array.from({ length: 20 }, (_, i) => i / 20);
    const labels = predictions.map((_, i) => i >= 10);
    const table = calibrationTable(predictions, labels);
    expect(table).toHaveLength(10);
    expect(table[0]).toEqual({ decile: 1, count: 2, predicted: 0.025, observed: 0 });
    expect(table[9]).toMatchObject({ decile: 10, count: 2, observed: 1 });
  });
});

describe('splitHoldout', () => {
  it('puts the same ids on the same side every time, about a fifth held out', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ id: `lead-${i}` }));
    const first = splitHoldout(rows);
    const second = splitHoldout([...rows].reverse());
    expect(new Set(second.holdout.map((row) => row.id))).toEqual(
      new Set(first.holdout.map((row) => row.id)),
    );
    expect(first.holdout.length).toBeGreaterThan(150);
    expect(first.holdout.length).toBeLessThan(250);
  });
});

describe('trainModel', () => {
  function facts(source: string, calls: number): LeadFacts {
    return {
      source,
      priority: 'normal',
      value: 100_000,
      customValues: [{ label: 'Timeline', value: '1-3 months' }],
      activityCounts: { call: calls },
      stageMoves: 1,
      responseMinutes: 30,
    };
  }

  it('learns a source that wins and explains a lead by it', () => {
    const rows: LabelledRow[] = Array.from({ length: 300 }, (_, i) => {
      const referral = i % 2 === 0;
      // Referrals win 9 times in 10, cold leads once in 10.
      const won = referral ? i % 10 !== 0 : i % 10 === 1;
      return {
        id: `lead-${i}`,
        features: toFeatureRow(facts(referral ? 'Referral' : 'Cold list', i % 3)),
        won,
      };
    });
    const { train, holdout } = splitHoldout(rows);
    const model = trainModel(train, { source: 'Source', 'activity:call': 'Calls' });
    const evaluation = evaluateModel(model, holdout);
    expect(evaluation.auc).toBeGreaterThan(0.7);
    expect(evaluation.baselineAuc).toBe(0.5);

    const referral = explainPrediction(model, toFeatureRow(facts('Referral', 1)));
    const cold = explainPrediction(model, toFeatureRow(facts('Cold list', 1)));
    expect(referral.score).toBeGreaterThan(70);
    expect(cold.score).toBeLessThan(30);
    expect(referral.factors[0]?.label).toBe('Source: Referral');
    expect(referral.factors[0]?.points).toBeGreaterThan(0);
    expect(cold.factors[0]).toMatchObject({ label: 'Source: Cold list' });
    expect(cold.factors[0]?.points).toBeLessThan(0);
  });
});
