#!/usr/bin/python3
"""The PyTorch peer of tfm/pretrain's reference benchmarks (bench_test.go:
BenchmarkTrainStepReference, BenchmarkEncodeReference), for side-by-side runs.

The same model and step: token embedding (vocabulary 4096, d = 128) plus the
sinusoidal position encoding, 2 pre-LayerNorm Transformer blocks (4 heads,
fused QKV projection, FFN 256 with GELU), a final LayerNorm; training: 15 % of
the 64 × 64 tokens hidden (replaced by a mask token), the hidden positions
gathered into a fixed list of ⌈1.25 · 0.15 · B · L⌉ = 768 rows (padding weight
0), a dense head to the vocabulary, masked cross-entropy, Adam (lr 1e-3).
Encoding: batch 256 × 64, mean pooling, no gradient.

  /usr/bin/python3 tfm/pretrain/peer/reference.py [--seconds S] [--threads T] [--json]

Run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (they slow OpenBLAS on
this machine). Prints steps/s and sequences/s; with --json one JSON line.
Needs Debian's python3-torch (and libopenblas0-pthread); the Go tests never
run it.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB, DIM, HEADS, FFN, LAYERS, SEQ, BATCH, ENCODE_BATCH = 4096, 128, 4, 256, 2, 64, 64, 256
SPECIAL = 4  # tfm/modality.NumSpecial: padding, mask, cls, unknown
MASK_TOKEN = 1


def positional_encoding(length, dim):
    pos = torch.arange(length, dtype=torch.float32)[:, None]
    i = torch.arange(0, dim, 2, dtype=torch.float32)
    angle = pos / torch.pow(10000.0, i / dim)
    pe = torch.zeros(length, dim)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn_norm = nn.LayerNorm(DIM)
        self.attn = nn.MultiheadAttention(DIM, HEADS, batch_first=True)
        self.ffn_norm = nn.LayerNorm(DIM)
        self.ffn_in = nn.Linear(DIM, FFN)
        self.ffn_out = nn.Linear(FFN, DIM)

    def forward(self, x, pad):
        h = self.attn_norm(x)
        a, _ = self.attn(h, h, h, key_padding_mask=pad, need_weights=False)
        x = x + a
        return x + self.ffn_out(F.gelu(self.ffn_in(self.ffn_norm(x))))


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, DIM)
        self.register_buffer("pe", positional_encoding(SEQ, DIM))
        self.blocks = nn.ModuleList([Block() for _ in range(LAYERS)])
        self.norm = nn.LayerNorm(DIM)

    def forward(self, tokens, pad):
        x = self.embed(tokens) + self.pe[: tokens.shape[1]]
        for b in self.blocks:
            x = b(x, pad)
        return self.norm(x)


def rate(fn, seconds):
    """Calls per second of fn over about `seconds` after two warm-up calls."""
    fn()
    fn()
    n, t0 = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        dt = time.perf_counter() - t0
        if dt >= seconds and n >= 3:
            return n / dt


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5, help="timed seconds per benchmark")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch threads (default: all cores)")
    ap.add_argument("--json", action="store_true", help="print one JSON line last")
    args = ap.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(args.threads)
    enc = Encoder()
    head = nn.Linear(DIM, VOCAB)
    opt = torch.optim.Adam(list(enc.parameters()) + list(head.parameters()), lr=1e-3)
    g = torch.Generator().manual_seed(1)
    tokens = torch.randint(SPECIAL, VOCAB, (BATCH, SEQ), generator=g)
    pad = torch.zeros(BATCH, SEQ, dtype=torch.bool)
    hidden = torch.rand(BATCH, SEQ, generator=g) < 0.15
    rows = math.ceil(1.25 * 0.15 * BATCH * SEQ)
    flat = hidden.flatten().nonzero().flatten()[:rows]
    positions = torch.zeros(rows, dtype=torch.long)
    positions[: len(flat)] = flat
    weights = torch.zeros(rows)
    weights[: len(flat)] = 1
    targets = tokens.flatten()[positions]
    inputs = tokens.masked_fill(hidden, MASK_TOKEN)

    def step():
        opt.zero_grad(set_to_none=True)
        h = enc(inputs, pad).reshape(BATCH * SEQ, DIM)[positions]
        loss = (F.cross_entropy(head(h), targets, reduction="none") * weights).sum() / weights.sum()
        loss.backward()
        opt.step()

    enc_tokens = torch.randint(SPECIAL, VOCAB, (ENCODE_BATCH, SEQ), generator=g)
    enc_pad = torch.zeros(ENCODE_BATCH, SEQ, dtype=torch.bool)

    def encode():
        with torch.no_grad():
            enc(enc_tokens, enc_pad).mean(dim=1)

    steps = rate(step, args.seconds)
    seqs = rate(encode, args.seconds) * ENCODE_BATCH
    print(f"pytorch {torch.__version__}, {args.threads} threads: {steps:.2f} train steps/s, {seqs:.0f} encoded seq/s",
          file=sys.stderr)
    if args.json:
        print(json.dumps({"peer": "pytorch " + torch.__version__, "threads": args.threads,
                          "train_steps_per_s": steps, "encode_seq_per_s": seqs}))


if __name__ == "__main__":
    main()
