// Predictive scoring, as pure functions shared by the service and the public-data benchmark
// (bench/benchmarks/scoring.ts): feature rows → an encoding learned from the training rows
// (one-hot categories, standardised numbers) → logistic regression (ml-logistic-regression) →
// hold-out AUC, calibration and per-lead contributions.
import { createHash } from 'node:crypto';
import LogisticRegression from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';

/** One lead as the model sees it: readable category values and raw numbers (null = unknown). */
export interface FeatureRow {
  categories: Record<string, string | null>;
  numbers: Record<string, number | null>;
  /** How a number reads in a factor's label when it differs from the value the model sees. */
  shown?: Record<string, string>;
}

/** A closed lead: its features and whether it was won (converted). */
export interface LabelledRow {
  id: string;
  features: FeatureRow;
  won: boolean;
}

/** One column of the design matrix. */
type EncodedColumn =
  | { kind: 'category'; feature: string; value: string }
  | { kind: 'number'; feature: string; mean: number; sd: number }
  | { kind: 'missing'; feature: string };

/** A trained model, stored as JSON (scoring_models.model). */
export interface TrainedModel {
  columns: EncodedColumn[];
  /** Readable names of the features ("Source", "Calls"). */
  featureNames: Record<string, string>;
  intercept: number;
  weights: number[];
}

export interface CalibrationBucket {
  /** 1..10 from the lowest predictions up. */
  decile: number;
  count: number;
  /** Mean predicted probability in the bucket. */
  predicted: number;
  /** Share of won leads in the bucket. */
  observed: number;
}

export interface Evaluation {
  auc: number | null;
  /** The constant predictor's AUC: every lead gets the same score. */
  baselineAuc: number;
  calibration: CalibrationBucket[];
  holdoutRows: number;
}

export interface Contribution {
  label: string;
  /** Score points this feature adds (or takes away) compared to leaving it out. */
  points: number;
}

/** A category value seen fewer times than this in training is folded into "other". */
const MIN_CATEGORY_COUNT = 3;
const HOLDOUT_SHARE = 0.2;
/** Gradient descent: steps and the step per row (ml-logistic-regression sums the gradient). */
const TRAINING_STEPS = 800;
const STEP_PER_ROW = 0.5;

/** A lead's place in [0, 1), fixed by its id: the same lead is always on the same side. */
export function idFraction(id: string): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) / 2 ** 32;
}

/** Deterministic 80/20 split by id (decision 025). */
export function splitHoldout<T extends { id: string }>(rows: T[]): { train: T[]; holdout: T[] } {
  const train: T[] = [];
  const holdout: T[] = [];
  for (const row of rows) (idFraction(row.id) < HOLDOUT_SHARE ? holdout : train).push(row);
  return { train, holdout };
}

/**
 * Area under the ROC curve by the rank (Mann-Whitney U) formula, ties sharing their mean rank:
 * the chance that a random positive scores above a random negative. Null without both classes.
 */
export function computeAuc(scores: readonly number[], labels: readonly boolean[]): number | null {
  const order = scores.map((score, i) => ({ score, positive: labels[i] === true }));
  order.sort((a, b) => a.score - b.score);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j]!.score === order[i]!.score) j += 1;
    // Ranks i+1 .. j share their mean.
    const meanRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k += 1) {
      if (order[k]!.positive) {
        positives += 1;
        rankSum += meanRank;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Predicted vs observed in ten equal-count groups from the lowest predictions up. */
export function calibrationTable(
  predictions: readonly number[],
  labels: readonly boolean[],
): CalibrationBucket[] {
  const rows = predictions
    .map((predicted, i) => ({ predicted, won: labels[i] === true }))
    .sort((a, b) => a.predicted - b.predicted);
  const buckets: CalibrationBucket[] = [];
  for (let decile = 1; decile <= 10; decile += 1) {
    const part = rows.slice(
      Math.floor(((decile - 1) * rows.length) / 10),
      Math.floor((decile * rows.length) / 10),
    );
    if (part.length === 0) continue;
    buckets.push({
      decile,
      count: part.length,
      predicted: part.reduce((sum, row) => sum + row.predicted, 0) / part.length,
      observed: part.filter((row) => row.won).length / part.length,
    });
  }
  return buckets;
}

/** The encoding learned from the training rows: frequent categories, numbers' mean and spread. */
export function learnColumns(rows: readonly FeatureRow[]): EncodedColumn[] {
  const columns: EncodedColumn[] = [];
  const categoryKeys = new Set(rows.flatMap((row) => Object.keys(row.categories)));
  for (const feature of [...categoryKeys].sort()) {
    const counts = new Map<string, number>();
    for (const row of rows) {
      const value = row.categories[feature];
      if (value != null) counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    for (const [value, count] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) {
      if (count >= MIN_CATEGORY_COUNT) columns.push({ kind: 'category', feature, value });
    }
  }
  const numberKeys = new Set(rows.flatMap((row) => Object.keys(row.numbers)));
  for (const feature of [...numberKeys].sort()) {
    const known = rows
      .map((row) => row.numbers[feature])
      .filter((value): value is number => value != null && Number.isFinite(value));
    if (known.length === 0) continue;
    const mean = known.reduce((sum, value) => sum + value, 0) / known.length;
    const variance = known.reduce((sum, value) => sum + (value - mean) ** 2, 0) / known.length;
    const sd = Math.sqrt(variance);
    if (sd > 0) columns.push({ kind: 'number', feature, mean, sd });
    if (known.length < rows.length) columns.push({ kind: 'missing', feature });
  }
  return columns;
}

function encodeValue(column: EncodedColumn, row: FeatureRow): number {
  switch (column.kind) {
    case 'category':
      return row.categories[column.feature] === column.value ? 1 : 0;
    case 'number': {
      const value = row.numbers[column.feature];
      // Unknown numbers stand at the mean; the "missing" column carries the difference.
      return value == null || !Number.isFinite(value) ? 0 : (value - column.mean) / column.sd;
    }
    case 'missing':
      return row.numbers[column.feature] == null ? 1 : 0;
  }
}

export function encodeRow(columns: readonly EncodedColumn[], row: FeatureRow): number[] {
  return columns.map((column) => encodeValue(column, row));
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Fits the model on labelled rows (both classes needed). */
export function trainModel(
  rows: readonly LabelledRow[],
  featureNames: Record<string, string>,
): TrainedModel {
  const columns = learnColumns(rows.map((row) => row.features));
  // A constant 1 first: the library fits no intercept of its own.
  const features = new Matrix(rows.map((row) => [1, ...encodeRow(columns, row.features)]));
  const target = Matrix.columnVector(rows.map((row) => (row.won ? 1 : 0)));
  const regression = new LogisticRegression({
    numSteps: TRAINING_STEPS,
    learningRate: STEP_PER_ROW / Math.max(1, rows.length),
  });
  regression.train(features, target);
  // One-vs-all: classifier 0 scores "not class 0", i.e. won.
  const classifier = regression.classifiers[0];
  if (!classifier) throw new Error('The regression trained no classifier');
  const [intercept = 0, ...weights] = classifier.weights.to1DArray();
  return { columns, featureNames, intercept, weights };
}

export function predictProbability(model: TrainedModel, row: FeatureRow): number {
  const x = encodeRow(model.columns, row);
  return sigmoid(
    x.reduce((sum, value, i) => sum + value * (model.weights[i] ?? 0), model.intercept),
  );
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function columnLabel(model: TrainedModel, column: EncodedColumn, row: FeatureRow): string {
  const name = model.featureNames[column.feature] ?? column.feature;
  switch (column.kind) {
    case 'category':
      return `${name}: ${column.value}`;
    case 'number': {
      const value = row.numbers[column.feature];
      const shown = row.shown?.[column.feature];
      return `${name}: ${value == null ? 'unknown' : (shown ?? formatNumber(value))}`;
    }
    case 'missing':
      return `${name}: unknown`;
  }
}

/**
 * The lead's probability (0–100) and its strongest factors: each feature's coefficient times its
 * standardised value, shown as the points it moves the score (the score with and without it).
 */
export function explainPrediction(
  model: TrainedModel,
  row: FeatureRow,
  top = 5,
): { score: number; factors: Contribution[] } {
  const x = encodeRow(model.columns, row);
  const terms = x.map((value, i) => value * (model.weights[i] ?? 0));
  const z = terms.reduce((sum, term) => sum + term, model.intercept);
  const probability = sigmoid(z);
  // A feature's points follow its column(s): one-hot columns of a category are summed.
  const byLabel = new Map<string, number>();
  model.columns.forEach((column, i) => {
    const term = terms[i] ?? 0;
    if (term === 0) return;
    const label = columnLabel(model, column, row);
    byLabel.set(label, (byLabel.get(label) ?? 0) + term);
  });
  const factors = [...byLabel]
    .map(([label, term]) => ({
      label,
      points: Math.round(100 * (probability - sigmoid(z - term))),
    }))
    .filter((factor) => factor.points !== 0)
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points) || a.label.localeCompare(b.label))
    .slice(0, top);
  return { score: Math.round(probability * 100), factors };
}

/** Predictions on held-out rows against what happened. */
export function evaluateModel(model: TrainedModel, holdout: readonly LabelledRow[]): Evaluation {
  const predictions = holdout.map((row) => predictProbability(model, row.features));
  const labels = holdout.map((row) => row.won);
  return {
    auc: computeAuc(predictions, labels),
    baselineAuc: 0.5,
    calibration: calibrationTable(predictions, labels),
    holdoutRows: holdout.length,
  };
}
