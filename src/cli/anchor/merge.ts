/** `lmtransfer anchor merge`: add up the shard files of `lmtransfer anchor --shard I/N` and fit. */
import { readFileSync } from 'node:fs';
import { AnchorAccumulator } from '../../anchor/AnchorAccumulator.js';
import { type AnchorShardDoc, parseAnchorShard, shardIncompatibility, shardModeMismatch, shardRecordsEverything } from '../../anchor/anchorShard.js';
import { FormatError } from '../../core/errors.js';
import { mismatch } from '../anchorFiles.js';
import { type AnchorRow, fitToJSON, renderAnchorTable } from '../anchorReport.js';
import type { CliIO } from '../io.js';
import { UsageError } from '../io.js';
import { ANCHOR_MERGE_HELP } from './help.js';
import { parseFlags, wantsHelp } from '../flags.js';
import { ANCHOR_MERGE_OPTIONS, checkRcond, checkRidge } from './flags.js';
import { countOf } from '../flags.js';

const STORAGES = ['float16', 'bfloat16', 'float32', 'float64'] as const;

function readShard(path: string): AnchorShardDoc {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'EISDIR') throw new UsageError(`merge: '${path}' must be a shard file written by 'lmtransfer anchor --shard I/N --out FILE'; got a directory (pass the files, e.g. '${path}/*.json')`);
    throw new UsageError(`merge: cannot read '${path}': ${code === 'ENOENT' ? 'no such file' : code}`);
  }
  return parseAnchorShard(text, path);
}

/** Run `lmtransfer anchor merge` with the arguments after `merge`; returns the exit code. */
export async function mergeCommand(argv: readonly string[], io: CliIO): Promise<number> {
  await Promise.resolve();
  // Help wins over every other flag, misspelt ones included.
  if (wantsHelp(argv)) {
    io.stdout(ANCHOR_MERGE_HELP);
    return 0;
  }
  const { values: v, positionals } = parseFlags('anchor merge', argv, ANCHOR_MERGE_OPTIONS, { positionals: true });
  const ridgeFlag = checkRidge(v.ridge);
  const rcondFlag = checkRcond(v.rcond);
  if (positionals.length === 0) throw new UsageError("merge: needs at least one shard file, e.g. 'lmtransfer anchor merge shard-*.json' (try 'lmtransfer anchor merge --help')");
  const docs = positionals.map(readShard);
  const first = docs[0];
  const seen = new Set<number>();
  for (const doc of docs) {
    if (doc.shard.count !== first.shard.count || doc.contexts.total !== first.contexts.total) {
      throw new UsageError(`merge: '${doc.path}' is shard ${doc.shard.index}/${doc.shard.count} of ${countOf(doc.contexts.total, 'context')} but '${first.path}' is of ${countOf(first.shard.count, 'shard')} of ${first.contexts.total}: not the same run`);
    }
    if (seen.has(doc.shard.index)) throw new UsageError(`merge: shard ${doc.shard.index}/${doc.shard.count} is given twice (its contexts would count twice)`);
    seen.add(doc.shard.index);
    const mode = shardModeMismatch(doc, first);
    if (mode !== null) throw new UsageError(mode);
    const labels = doc.results.map((r) => r.label).join(',');
    if (labels !== first.results.map((r) => r.label).join(',')) throw new UsageError(`merge: '${doc.path}' has bulks ${labels} but '${first.path}' has ${first.results.map((r) => r.label).join(',')}`);
    doc.results.forEach((r, j) => {
      if (r.bulkSize !== first.results[j].bulkSize) throw new UsageError(`merge: '${doc.path}' has |B| = ${r.bulkSize} for ${r.label} but '${first.path}' has ${first.results[j].bulkSize} (different vocabularies?)`);
      const a = JSON.stringify(r.excludedWords ?? null);
      if (a !== JSON.stringify(first.results[j].excludedWords ?? null)) throw new UsageError(`merge: '${doc.path}' and '${first.path}' excluded different top words for ${r.label} (different V or H?)`);
    });
  }
  const older = docs.filter((d) => !shardRecordsEverything(d));
  if (older.length > 0) {
    io.stderr(`lmtransfer anchor merge: warning: ${older.map((d) => `'${d.path}'`).join(', ')} ${older.length > 1 ? 'record' : 'records'} no --weights, --ridge/--rcond or input checksums (written by an older lmtransfer); those were not compared\n`);
  }
  if (seen.size < first.shard.count) {
    const missing = Array.from({ length: first.shard.count }, (_, i) => i + 1).filter((i) => !seen.has(i));
    io.stderr(`lmtransfer anchor merge: warning: shards ${missing.join(', ')} of ${first.shard.count} are missing; fitting on the contexts present\n`);
  }
  const accs = first.results.map((r, j) => {
    let acc: AnchorAccumulator | null = null;
    for (const doc of docs) {
      let part: AnchorAccumulator;
      try {
        part = AnchorAccumulator.fromJSON(doc.results[j].accumulator);
      } catch (e) {
        throw new FormatError(`merge ${doc.path}: ${(e as Error).message}`);
      }
      if (acc && part.dim !== acc.dim) throw mismatch('merge', `'${doc.path}' has d = ${part.dim} but the other shards have d = ${acc.dim}`);
      acc = acc ? acc.merge(part) : part;
    }
    return acc!;
  });
  // After the checks above (whose messages say more about d, bulks and vocabularies): what else
  // changes the statistics or the fit.
  for (const doc of docs) {
    const why = shardIncompatibility(doc, first);
    if (why !== null) throw new UsageError(why);
  }
  // The fit options: the merge's flags, else those the shards were made with (all equal by now).
  const recorded = docs.find((d) => d.options !== null && typeof d.options === 'object')?.options;
  const ridge = ridgeFlag ?? (typeof recorded?.ridge === 'number' ? recorded.ridge : 0);
  const rcond = rcondFlag ?? (typeof recorded?.rcond === 'number' ? recorded.rcond : undefined);
  // The rank tolerance follows the precision H was stored in (recorded by version-2 shards).
  const stored = first.inputs?.hidden?.dtype;
  const hiddenStorage = STORAGES.find((s) => s === stored);
  const dim = accs[0]?.dim ?? 0;
  const rows: AnchorRow[] = first.results.map((r, j) => ({ label: r.label, excludeTop: r.excludeTop, perContextTop: r.perContextTop, bulkSize: r.bulkSize, fit: accs[j].fit({ ridge, rcond, hiddenStorage }) }));
  const total = rows[0]?.fit.n ?? 0;
  if (v.json === true) {
    io.stdout(JSON.stringify({ command: 'anchor merge', shards: docs.map((d) => d.path), options: { ridge, rcond: rcond ?? null }, contexts: { fitted: total }, results: rows.map((r) => ({ label: r.label, excludeTop: r.excludeTop, perContextTop: r.perContextTop, bulkSize: r.bulkSize, fit: fitToJSON(r.fit) })) }, null, 2) + '\n');
    return 0;
  }
  io.stdout(`lmtransfer anchor merge: ${countOf(docs.length, 'shard')} of ${first.shard.count}, ${countOf(total, 'context')}, d = ${dim}; ridge ${ridge}\n\n`);
  io.stdout(renderAnchorTable(rows, dim));
  return 0;
}
