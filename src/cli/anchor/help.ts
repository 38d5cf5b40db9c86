/** The help texts of `lmtransfer anchor` and `lmtransfer anchor merge`. */

export const ANCHOR_HELP = `lmtransfer anchor: fit a model's anchor vector v0, log Z_B(s) ≈ ⟨v0, h(s)⟩ + c

Usage:
  lmtransfer anchor --embeddings V.npy|CHECKPOINT --hidden H.npy [options]
  lmtransfer anchor --log-partition z.npy --hidden H.npy [options]
  lmtransfer anchor merge shard1.json shard2.json ... [options]

Inputs (any size: only headers are read up front, data by positional reads):
  --embeddings FILE     output word embeddings V, n × d: a .npy file
                        (float16/32/64, 2-D) or a safetensors checkpoint: a
                        model.safetensors file, a sharded checkpoint's
                        model.safetensors.index.json, or a directory holding
                        either; 'CHECKPOINT:NAME' picks a tensor, otherwise the
                        first of lm_head.weight, embed_out.weight, wte.weight,
                        transformer.wte.weight, model.embed_tokens.weight that
                        exists. V is held in memory (float32 for
                        float16/bfloat16 files)
  --hidden FILE         final hidden states H, m × d (.npy or a safetensors
                        tensor, 2-D): one row per context, after the final layer
                        norm (the vectors the model multiplies by V). Streamed
                        in row chunks: memory is V plus a bounded working set
  --log-partition FILE  instead of --embeddings: log Z_B(s) computed elsewhere
                        (e.g. on a GPU), a .npy of length m (one bulk) or m × K
                        (K bulks, one per column); only fits
  --weights FILE        context weights, a 1-D .npy of length m, finite and ≥ 0
                        (default: uniform)

Fit:
  --exclude-top LIST    comma-separated k values, e.g. 0,10,100,1000: the bulk B
                        is every word but the k of highest mean probability over
                        the TRAINING contexts (default 0: all words). Two passes
                        over V·H whatever the number of k values
  --exclude-top-per-context LIST
                        comma-separated k values: for each context, every word
                        but that context's own k largest logits. The bulk then
                        varies with the context, which puts these rows outside
                        Theorem 1 (see the note under the table); without
                        --exclude-top only these rows are fitted
  --holdout F           fraction of contexts in [0, 1) held out, not used for
                        anything but scoring (default 0): the word ranking, the
                        anchor and the constant baseline come from the training
                        contexts only (docs/guide/anchor-on-your-model.md)
  --seed S              seed of the hold-out split (default 0)
  --ridge L             ridge penalty L ≥ 0 on the anchor: minimise mean e² +
                        L·‖v0‖² (default 0)
  --rcond R             relative eigenvalue tolerance in (0, 1) for the
                        numerical rank (default: from the precision H was STORED
                        in, float16 included)

Output:
  --json                print a JSON document instead of the table: anchors,
                        excluded words and their probability mass, which
                        contexts were used for what, stored dtypes, timings,
                        version and command line (Infinity and NaN written as
                        strings)
  --residuals FILE      also write FILE.npy, float64 of shape (m, K, 2): for
                        every context and bulk, log Z_B(s) and the residual log
                        Z_B(s) − ⟨v0, h(s)⟩ − c
  --quiet               no progress lines on stderr
  -h, --help            this text

Splitting the work across machines:
  --shard I/N           process only the I-th of N equal contiguous blocks of
                        contexts (1 ≤ I ≤ N) and write its sufficient statistics
                        (one accumulator per bulk) as JSON instead of a table;
                        the top-k words are still ranked on all of H, so that
                        every shard uses the same bulk. Not combinable with
                        --holdout.
  --out FILE            with --shard: write the JSON to FILE instead of stdout
  merge FILE...         merge shard files (same inputs, distinct shards) and
                        print the fits; the maximum residual needs the data, so
                        merged fits show it as —. A shard records its inputs
                        (shapes, dtypes, SHA-256 of the data), its --weights and
                        its --ridge/--rcond; merge refuses shards that differ in
                        them

Examples:
  lmtransfer anchor --embeddings V.npy --hidden H.npy --exclude-top 0,10,100
  lmtransfer anchor --embeddings gpt2/ --hidden H.npy --holdout 0.2 --json
  lmtransfer anchor --log-partition z.npy --hidden H.npy --ridge 1e-3
  lmtransfer anchor --embeddings V.npy --hidden H.npy --shard 2/4 --out s2.json
  lmtransfer anchor merge s1.json s2.json s3.json s4.json

The table shows, per bulk: |B|, the rank of the design [h 1] (d+1 when the
anchor is identified, d after a final layer norm), its condition number over the
identified directions, ‖v0‖, the intercept c, the anchor fit's RMSE beside the
self-normalisation baseline (the best constant: the standard deviation of log
Z_B), R², and max|e|; then the same on held-out contexts (the training fit and
the training mean of log Z_B, scored there).

Progress goes to stderr on long runs, with an ETA, and the total time at the
end. Exit codes: 0 success; 2 bad usage, a missing or corrupt file, or
mismatched dimensions (with a one-line reason); 1 internal error.
`;

export const ANCHOR_MERGE_HELP = `lmtransfer anchor merge: merge the shard files of 'lmtransfer anchor --shard'

Usage:
  lmtransfer anchor merge shard1.json shard2.json ... [--ridge L] [--rcond R]

The shards must come from the same inputs and bulks and have distinct shard
numbers; a missing shard is reported on stderr and the fit uses the contexts
present. Shards of different runs (another shard count, d, bulk or vocabulary;
--embeddings against --log-partition; other input files, shapes or dtypes; other
--weights, or none against some; another --ridge or --rcond) are refused with
exit code 2. Files may sit at different paths on different machines: their
contents are compared by SHA-256 (shards of older versions, which record no
checksums, --weights or options, are compared by file name and shape, with a
warning on stderr).

Options:
  --ridge L             ridge penalty L ≥ 0 on the anchor (default: the shards'
                        --ridge, else 0)
  --rcond R             relative eigenvalue tolerance in (0, 1) for the
                        numerical rank (default: the shards' --rcond, else from
                        the precision H was stored in)
  --json                print a JSON document instead of the table
  -h, --help            this text

Examples:
  lmtransfer anchor merge shard-1.json shard-2.json shard-3.json shard-4.json
  lmtransfer anchor merge results/shard-*.json --json > anchor.json
  lmtransfer anchor merge shard-*.json --ridge 1e-3
`;
