// scoring: predictive lead scoring validated on public data, the X Education leads
// (../shared/data/leads/xeducation_Leads_37col.csv, 9,240 leads with a Converted flag). Each row
// is mapped to the scoring module's LeadFacts, and the module's own feature builder and trainer
// (scoring.features.ts, scoring.model.ts) fit it on a deterministic 80% (by Prospect ID); the
// held-out 20% gives the AUC against the constant baseline (0.5) and the calibration table.
// Columns filled in by the sales team after the fact (Tags, Lead Quality, Lead Profile, Last
// Notable Activity) are left out: they describe the outcome rather than predict it.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  featureNames,
  toFeatureRow,
  type LeadFacts,
} from '../../src/server/modules/scoring/scoring.features.js';
import {
  evaluateModel,
  splitHoldout,
  trainModel,
  type LabelledRow,
} from '../../src/server/modules/scoring/scoring.model.js';
import {
  gitInfo,
  log,
  machineInfo,
  REPO_ROOT,
  writeResults,
  type StandaloneBenchmark,
} from '../harness.js';

const DATA_FILE = path.resolve(REPO_ROOT, '../shared/data/leads/xeducation_Leads_37col.csv');

/** Select-like columns, as custom select fields. "Select" is the form's unanswered default. */
const SELECT_COLUMNS = [
  'Lead Origin',
  'Last Activity',
  'Country',
  'Specialization',
  'How did you hear about X Education',
  'What is your current occupation',
  'What matters most to you in choosing a course',
  'City',
  'Asymmetrique Activity Index',
  'Asymmetrique Profile Index',
];
const YES_NO_COLUMNS = [
  'Do Not Email',
  'Do Not Call',
  'Search',
  'Through Recommendations',
  'A free copy of Mastering The Interview',
];
const NUMBER_COLUMNS = [
  'TotalVisits',
  'Total Time Spent on Website',
  'Page Views Per Visit',
  'Asymmetrique Activity Score',
  'Asymmetrique Profile Score',
];

type CsvRow = Record<string, string>;

function text(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' || trimmed === 'Select' ? null : trimmed;
}

function numberOf(value: string | undefined): number | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') return null;
  const parsed = Number(trimmed);
  return Number.isFinite(parsed) ? parsed : null;
}

/** One CSV row as the facts the scoring module reads from a lead. */
export function factsOf(row: CsvRow): LeadFacts {
  return {
    source: text(row['Lead Source']),
    priority: null,
    value: null,
    customValues: [
      ...SELECT_COLUMNS.map((label) => ({ label, value: text(row[label]) })),
      ...YES_NO_COLUMNS.map((label) => ({
        label,
        value: row[label] === 'Yes' ? true : row[label] === 'No' ? false : null,
      })),
      ...NUMBER_COLUMNS.map((label) => ({ label, value: numberOf(row[label]) })),
    ],
    activityCounts: {},
    stageMoves: null,
    responseMinutes: null,
  };
}

export const scoringBenchmark: StandaloneBenchmark = {
  name: 'scoring',
  description: 'predictive scoring on the public X Education leads: hold-out AUC vs baseline',
  needsBuild: false,
  run() {
    const rows = parse<CsvRow>(fs.readFileSync(DATA_FILE), { columns: true, bom: true });
    const labelled: (LabelledRow & { facts: LeadFacts })[] = rows.map((row) => {
      const facts = factsOf(row);
      return {
        id: row['Prospect ID'] ?? '',
        facts,
        features: toFeatureRow(facts),
        won: row.Converted === '1',
      };
    });
    const { train, holdout } = splitHoldout(labelled);
    log(`training on ${train.length} leads, holding out ${holdout.length}…`);
    const started = performance.now();
    const model = trainModel(train, featureNames(train.map((row) => row.facts)));
    const trainingSeconds = (performance.now() - started) / 1000;
    const evaluation = evaluateModel(model, holdout);
    const wonShare = labelled.filter((row) => row.won).length / labelled.length;

    const lines = [
      `data:           ${path.basename(DATA_FILE)} (${labelled.length} leads, ${(wonShare * 100).toFixed(1)}% converted)`,
      `split:          ${train.length} training / ${holdout.length} held out (by Prospect ID)`,
      `features:       ${model.columns.length} columns`,
      `training:       ${trainingSeconds.toFixed(1)} s`,
      `hold-out AUC:   ${evaluation.auc?.toFixed(3) ?? 'n/a'}`,
      `baseline AUC:   ${evaluation.baselineAuc.toFixed(3)} (constant predictor)`,
      '',
      'calibration (held out, by decile of prediction):',
      'decile  leads  predicted  observed',
      ...evaluation.calibration.map(
        (bucket) =>
          `${String(bucket.decile).padStart(6)}  ${String(bucket.count).padStart(5)}  ` +
          `${(bucket.predicted * 100).toFixed(1).padStart(8)}%  ${(bucket.observed * 100).toFixed(1).padStart(7)}%`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const written = writeResults(
      'scoring',
      'xeducation',
      new Date(),
      {
        benchmark: 'scoring',
        git: gitInfo(),
        machine: machineInfo(),
        data: path.basename(DATA_FILE),
        leads: labelled.length,
        trainingRows: train.length,
        columns: model.columns.length,
        trainingSeconds,
        ...evaluation,
      },
      { updateLatest: true },
    );
    log(`wrote ${written.join(', ')}`);
    return Promise.resolve(
      evaluation.auc !== null && evaluation.auc > evaluation.baselineAuc ? 0 : 1,
    );
  },
};
