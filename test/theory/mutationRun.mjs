#!/usr/bin/env node
/**
 * Single-point mutation run over the rounding allowances of Theorem 1 and the binary KL (issue 13,
 * "tests that let mistakes through"). Not a test file: run it by hand,
 *
 *     node test/theory/mutationRun.mjs [filter]         # all mutations, or those whose id contains filter
 *     node test/theory/mutationRun.mjs @ids.txt         # only the ids listed in ids.txt (one a line)
 *     node test/theory/mutationRun.mjs --check          # only check that every spot occurs once
 *
 * Run it in a scratch copy of the repository (it rewrites source files while it runs). For each
 * mutation it rewrites one spot of one source file, runs the tests that guard the allowances
 * (`TESTS` below, jest `--json`), records which tests failed, and restores the file (also
 * on Ctrl-C). A mutation "survives" when every test passes. The table it prints (id → failing tests)
 * is the one quoted in `docs/theory.md#soundness-under-rounding`. Each spot must occur exactly once
 * in its file (else the run stops: the list is out of date).
 */
import { execFileSync } from 'node:child_process';
import console from 'node:console';
import process from 'node:process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The tests that guard the allowances (override with MUTATION_TESTS, space-separated).
const TESTS = (process.env.MUTATION_TESTS ?? 'test/theory/allowances.test.ts test/theory/soundness.test.ts test/theory/binaryKlAccuracy.test.ts test/theory/lemmas.test.ts test/theory/validation.test.ts').split(' ');

const TK = 'src/theory/transferKernel.ts';
const CS = 'src/theory/contextStatsKernel.ts';
const BK = 'src/theory/binaryKlKernel.ts';
const CT = 'src/theory/certifiedTransferBound.ts';
const TD = 'src/theory/transferErrorDecomposition.ts';
const TB = 'src/theory/transferBound.ts';
const BR = 'src/theory/binaryKlLogRatioBound.ts';
const SK = 'src/kernels/softmaxKernel.ts';

/** [id, file, original text, mutated text] */
export const MUTATIONS = [
  // Part 2 and part 5: the D / error / anchor allowances.
  ['part2: drop D allowance', TK, 'up(l1 * (D + dErr) + anchorAbs', 'up(l1 * D + anchorAbs'],
  ['part2: drop anchor allowance', TK, 'up(l1 * (D + dErr) + anchorAbs + t.anchorRoundingBound[i] + t.errorRoundingBound[i])', 'up(l1 * (D + dErr) + anchorAbs + t.errorRoundingBound[i])'],
  ['part2: drop error allowance', TK, 'up(l1 * (D + dErr) + anchorAbs + t.anchorRoundingBound[i] + t.errorRoundingBound[i])', 'up(l1 * (D + dErr) + anchorAbs + t.anchorRoundingBound[i])'],
  ['part5: drop anchor allowance', TK, 'up((l1 === 0 ? 0 : l1 * dBar) + anchorAbs + t.anchorRoundingBound[i] + t.errorRoundingBound[i])', 'up((l1 === 0 ? 0 : l1 * dBar) + anchorAbs + t.errorRoundingBound[i])'],
  ['part5: drop error allowance', TK, 'up((l1 === 0 ? 0 : l1 * dBar) + anchorAbs + t.anchorRoundingBound[i] + t.errorRoundingBound[i])', 'up((l1 === 0 ? 0 : l1 * dBar) + anchorAbs + t.anchorRoundingBound[i])'],
  ['part5: drop final round-up', TK, 't.certifiedBound[i] = up(', 't.certifiedBound[i] = ('],
  ['error allowance: drop dot-product term', TK, 'ALLOWANCE_FACTOR * (gY * (absDotRow(Hs, i, uAbsStar) + absDotRow(Hh, i, uAbsHat)) + 2 * U', 'ALLOWANCE_FACTOR * (0 * (absDotRow(Hs, i, uAbsStar) + absDotRow(Hh, i, uAbsHat)) + 2 * U'],
  ['error allowance: drop final-rounding term', TK, '+ 2 * U * (mAbs(y) + mAbs(yHat) + mAbs(bias)));', '+ 0 * U * (mAbs(y) + mAbs(yHat) + mAbs(bias)));'],
  ['anchor allowance: drop log Z_B errors', TK, 'stats.logZBErrStar[i] +\n        stats.logZBErrHat[i] +\n        ALLOWANCE_FACTOR *', 'ALLOWANCE_FACTOR *'],
  ['anchor allowance: drop anchor dot-product term', TK, '(gStar * absDotRow(Hs, i, anchorStar.anchor) +\n            gHat * absDotRow(Hh, i, anchorHat.anchor) +', '(0 +'],
  ['anchor allowance: drop 2u|terms|', TK, '2 * U * (mAbs(stats.logZBStar[i]) + mAbs(hvStar)', '0 * U * (mAbs(stats.logZBStar[i]) + mAbs(hvStar)'],
  ['anchor allowance: drop 4u|A|(|ê|+|e*|)', TK, 'up(mAbs(sum) * eErr + 4 * U * anchorAbs)', 'up(mAbs(sum) * eErr)'],
  ['D allowance: drop logit errors', TK, 'ALLOWANCE_FACTOR * (stats.logitErrStar[i] + stats.logitErrHat[i]) +', '0 +'],
  ['D allowance: drop 2u|terms|', TK, '2 * U * (mAbs(zs) + mAbs(zh) + mAbs(stats.logZBStar[i]) + mAbs(stats.logZBHat[i]) + mAbs(diff))', '0'],
  // Part 5: κ and log p*.
  ['part5: κ allowance dropped', TK, 'const kappa = up(stats.kl[i] + stats.klRoundingBound[i]);', 'const kappa = stats.kl[i];'],
  ['part5: word log p* not lowered', TK, 'const lp = stats.wordLogProbStar[i * k + j] - stats.wordLogProbErrStar[i * k + j];', 'const lp = stats.wordLogProbStar[i * k + j];'],
  ['part5: bulk log p* not lowered', TK, 'return lpB - err;', 'return lpB;'],
  // Part 3.
  ['part3: t allowance dropped', TK, 'const tvUp = up(stats.tv[i] + stats.tvRoundingBound[i]);', 'const tvUp = stats.tv[i];'],
  ['part3: D allowance dropped', TK, 'up(-2 * mLog1p(-tvUp / g) + dErr)', 'up(-2 * mLog1p(-tvUp / g))'],
  ['part3: γ floor not lowered (per-context)', TK, 'const g = gamma ?? mExp(logFloorLow) * (1 - 4 * U);', 'const g = gamma ?? mExp(logFloor);'],
  ['part3: γ floor 4u round-down dropped', TK, 'const g = gamma ?? mExp(logFloorLow) * (1 - 4 * U);', 'const g = gamma ?? mExp(logFloorLow);'],
  ['part3: fixed-γ check without 2 ulps', TK, 'logFloorLow >= logGamma + 2 * U * mAbs(logGamma)', 'logFloorLow >= logGamma'],
  // Part 4 parameters and transferBound.
  ['part4: γ not lowered', TD, 'gamma: Math.exp(minLogFloor) * (1 - 4 * 2 ** -53),', 'gamma: Math.exp(minLogFloor),'],
  ['part4: ε without κ allowance', TD, 'klUp[i] = t.kl[i] + t.klRoundingBound[i];', 'klUp[i] = t.kl[i];'],
  ['part4: ε safe factor dropped', TD, 'epsilon: weightedMean(c.mu, klUp) * safe,', 'epsilon: weightedMean(c.mu, klUp),'],
  ['part4: anchor MSE allowance dropped', TD, 'eStarUp[i] = Math.abs(t.residualStar[i]) + eErr;', 'eStarUp[i] = Math.abs(t.residualStar[i]);'],
  ['part4: M not raised', TK, 't.maxAbsLogProb[i] = up(maxAbs);', 't.maxAbsLogProb[i] = maxAbs;'],
  ['transferBound: KL term round-up dropped', TB, 'klTerm = Math.exp(logNumerator - 2 * Math.log(gamma)) * (1 + 2 ** -39);', 'klTerm = Math.exp(logNumerator - 2 * Math.log(gamma));'],
  ['transferBound: anchor term round-up dropped', TB, 'const anchorTerm = 4 * aSum * aSum * (anchorMseHat + anchorMseStar) * safe;', 'const anchorTerm = 4 * aSum * aSum * (anchorMseHat + anchorMseStar);'],
  // The expected-square bound.
  ['expected square: round-up dropped', CT, 'weightedMeanSquare(c.mu, t.certifiedBound) * (1 + 4 * (m + 4) * 2 ** -53)', 'weightedMeanSquare(c.mu, t.certifiedBound)'],
  ['expected square: round-up 4(m+4)u → (m+4)u', CT, 'weightedMeanSquare(c.mu, t.certifiedBound) * (1 + 4 * (m + 4) * 2 ** -53)', 'weightedMeanSquare(c.mu, t.certifiedBound) * (1 + (m + 4) * 2 ** -53)'],
  // κ and t allowances (contextStatsKernel).
  ['κ allowance: drop ∂κ/∂z* term (klSensS)', CS, 'klSensS += ps * mAbs(rr) * eS;', 'klSensS += 0;'],
  ['κ allowance: drop κ·Σ p* e* term', CS, 'klSensKappa += ps * eS;', 'klSensKappa += 0;'],
  ['κ allowance: drop ∂κ/∂ẑ term (klSensH)', CS, 'klSensH += dtv * 2 * eH;', 'klSensH += 0;'],
  ['κ allowance: drop normaliser terms', CS, 'kl * (epsS + epsH) + epsS * epsS + epsH * epsH +', ''],
  ['κ allowance: drop (η + nu)κ + nτ', CS, '(KL_RELATIVE_ALLOWANCE + n * U) * kl + n * KL_ABSOLUTE_ALLOWANCE', '0'],
  ['t allowance: drop word deviations', CS, '2 * (wordDevS + wordDevH) + epsS + epsH', 'epsS + epsH'],
  ['t allowance: drop normaliser terms', CS, '2 * (wordDevS + wordDevH) + epsS + epsH + tvSens', '2 * (wordDevS + wordDevH) + tvSens'],
  ['ALLOWANCE_FACTOR 2 → 1', CS, 'export const ALLOWANCE_FACTOR = 2;', 'export const ALLOWANCE_FACTOR = 1;'],
  ['log p allowance: drop ε (normaliser)', CS, 'out.wordLogProbErrStar[i * k + j] = ALLOWANCE_FACTOR * (2 * dzS + epsS +', 'out.wordLogProbErrStar[i * k + j] = ALLOWANCE_FACTOR * (2 * dzS +'],
  ['log p allowance: drop δz', CS, 'out.wordLogProbErrStar[i * k + j] = ALLOWANCE_FACTOR * (2 * dzS +', 'out.wordLogProbErrStar[i * k + j] = ALLOWANCE_FACTOR * (0 * dzS +'],
  ['log p(B) allowance dropped', CS, 'out.bulkLogProbErrStar[i] = ALLOWANCE_FACTOR * (', 'out.bulkLogProbErrStar[i] = 0 * ('],
  ['normaliser error (n + 3)u → nu', CS, 'return ((n + 3) * U * t) / (1 + t) + U * L;', 'return (n * U * t) / (1 + t) + U * L;'],
  ['logit error δz dropped', CS, 'const dzS = gStar * rowNorm(Hs, i) * vNormStar;', 'const dzS = 0 * rowNorm(Hs, i) * vNormStar;'],
  ['logit rounding limit removed', CS, 'if (!(dzS <= LOGIT_ERROR_LIMIT && dzH <= LOGIT_ERROR_LIMIT)) {', 'if (!(dzS === dzS && dzH === dzH)) {'],
  ['norms not scaled (overflow above 1e154)', CS, 'const scale = 2 ** Math.min(1023, Math.floor(Math.log2(big)));', 'const scale = 1;'],
  ['max-shift of the row log-sum-exp dropped', SK, '  out[0] = c;\n  if (c === -Infinity) {', '  c = 0;\n  out[0] = c;\n  if (c === -Infinity) {'],
  // The binary KL and its inversion.
  ['inversion: 2η margin → η', BK, 'const target = kappa * (1 + 2 * KL_RELATIVE_ALLOWANCE) + KL_ABSOLUTE_ALLOWANCE;', 'const target = kappa * (1 + KL_RELATIVE_ALLOWANCE) + KL_ABSOLUTE_ALLOWANCE;'],
  ['inversion: 2η margin dropped', BK, 'const target = kappa * (1 + 2 * KL_RELATIVE_ALLOWANCE) + KL_ABSOLUTE_ALLOWANCE;', 'const target = kappa + KL_ABSOLUTE_ALLOWANCE;'],
  ['inversion: τ dropped', BK, 'const target = kappa * (1 + 2 * KL_RELATIVE_ALLOWANCE) + KL_ABSOLUTE_ALLOWANCE;', 'const target = kappa * (1 + 2 * KL_RELATIVE_ALLOWANCE);'],
  ['inversion: distance not rounded up', BK, 'return mAbs(lp - lq) * (1 + 2 ** -50);', 'return mAbs(lp - lq);'],
  ['inversion: p = 1 returns 0 below', BK, "if (lp === 0) return { below: kappa, above: 0 };", "if (lp === 0) return { below: 0, above: 0 };"],
  ['η = 2⁻⁴⁰ → 2⁻⁵⁰', BK, 'export const KL_RELATIVE_ALLOWANCE = 2 ** -40;', 'export const KL_RELATIVE_ALLOWANCE = 2 ** -50;'],
  ['binaryKl: log(1 − p) for log1p(−p)', BK, 'const lcp = mLog1p(-p);', 'const lcp = mLog(1 - p);'],
  ['binaryKl: log(1 − q) for log1p(−q)', BK, 'const lcq = mLog1p(-q);', 'const lcq = mLog(1 - q);'],
  ['binaryKlFromLogs: −expm1 → 1 − exp', BK, 'const cq = -mExpm1(lq);', 'const cq = 1 - mExp(lq);'],
  ['binaryKlLogRatioBound: log p not lowered', BR, 'const { below, above } = binaryKlLogRatioKernel(lpLow, kl);', 'const { below, above } = binaryKlLogRatioKernel(lp, kl);'],
];

function run(filter) {
  const root = process.cwd();
  if (filter === '--check') {
    for (const [id, file, from] of MUTATIONS) {
      const n = readFileSync(join(root, file), 'utf8').split(from).length - 1;
      if (n !== 1) console.log(`${id}: the spot occurs ${n} times in ${file}`);
    }
    console.log(`${MUTATIONS.length} mutations checked`);
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'mut-'));
  const rows = [];
  // `@file`: only the mutations whose ids are listed in file, one a line (e.g. the survivors of a run).
  const ids = filter?.startsWith('@') ? new Set(readFileSync(filter.slice(1), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean)) : null;
  const list = MUTATIONS.filter(([id, , from]) => from !== '' && (ids ? ids.has(id) : !filter || id.includes(filter)));
  for (const [id, file, from, to] of list) {
    const path = join(root, file);
    const orig = readFileSync(path, 'utf8');
    const n = orig.split(from).length - 1;
    if (n !== 1) throw new Error(`${id}: the spot occurs ${n} times in ${file}`);
    const restore = () => writeFileSync(path, orig);
    process.once('SIGINT', () => {
      restore();
      process.exit(130);
    });
    writeFileSync(path, orig.replace(from, to));
    const json = join(out, 'r.json');
    try {
      execFileSync('npx', ['jest', '--silent', '--json', `--outputFile=${json}`, ...TESTS], { stdio: 'ignore' });
    } catch {
      // jest exits 1 when a test fails: that is the expected outcome.
    } finally {
      restore();
    }
    const r = JSON.parse(readFileSync(json, 'utf8'));
    const failed = [];
    for (const s of r.testResults) {
      for (const a of s.assertionResults) if (a.status === 'failed') failed.push(`${s.name.replace(`${root}/`, '')} › ${a.title}`);
      if (s.status === 'failed' && s.assertionResults.length === 0) failed.push(`${s.name.replace(`${root}/`, '')} (suite failed: ${String(s.message).slice(0, 120)})`);
    }
    rows.push({ id, failed });
    console.log(`${failed.length > 0 ? 'KILLED ' : 'SURVIVED'} ${id}${failed.length > 0 ? `\n         ${failed.slice(0, 4).join('\n         ')}${failed.length > 4 ? `\n         (+${failed.length - 4} more)` : ''}` : ''}`);
  }
  const survived = rows.filter((r) => r.failed.length === 0).length;
  console.log(`\n${rows.length - survived} of ${rows.length} mutations killed, ${survived} survived`);
}

run(process.argv[2]);
