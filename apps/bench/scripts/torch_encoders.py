"""PyTorch reference of `npm run bench -- encoders`: the same encoders, shapes and data as the SDK's rows.

Reads one JSON object of settings on argv[1], prints one JSON object of results on stdout. Run by
apps/bench/src/suites/encoders.ts interleaved with the SDK (needs torch: `apt-get install -y python3-torch`,
run with `/usr/bin/python3` where the `python3` on PATH has no torch).

- train: pairs/s of one optimisation step on `pairs` pairs, BOTH sides encoded in ONE call (as the SDK's
  trainer does), CosineSimilarityLoss (mean squared error of the cosine), Adam (eps 1e-8).
- infer: sentences/s embedding `sentences` texts in batches of `inferBatch` under `no_grad` (the median of
  `inferRuns` passes over them, after one warm-up batch).
Ids and lengths follow the SDK bench: lengths 5 + (b * 7) % (T - 4), right-padded with id 0.

Threads: `threads` caps torch's intra-op pool AND the BLAS's own (OpenBLAS starts its own threads otherwise,
so "1 thread" would use every core). Debian's torch links whatever `libblas.so.3` is selected: with only
`libblas3` (what `--no-install-recommends` leaves) that is the unoptimised reference BLAS, 5-15x slower
than OpenBLAS (`apt-get install libopenblas0-pthread`); the result names the library it loaded.
"""
import json
import os
import sys
import time

_threads = str(json.loads(sys.argv[1]).get("threads", 2))
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = _threads

import torch
import torch.nn as nn
import torch.nn.functional as F


class Encoder(nn.Module):
    def __init__(self, name, vocab, dim):
        super().__init__()
        self.name = name
        self.emb = nn.Embedding(vocab, dim)
        if name in ("lstm", "bilstm"):
            self.rnn = nn.LSTM(dim, dim, batch_first=True, bidirectional=name == "bilstm")
        elif name == "cnn":
            self.conv = nn.Conv1d(dim, dim, 3, padding=1)

    def forward(self, ids, lengths, mask):
        x = self.emb(ids)
        if self.name in ("lstm", "bilstm"):
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            _, (h, _) = self.rnn(packed)
            return torch.cat([h[0], h[1]], 1) if self.name == "bilstm" else h[0]
        if self.name == "cnn":
            y = F.relu(self.conv(x.transpose(1, 2)))
            y = y.masked_fill(mask.unsqueeze(1) == 0, float("-inf"))
            return y.max(2).values
        m = mask.unsqueeze(2)
        return (x * m).sum(1) / m.sum(1).clamp(min=1)


def batch(gen, n, vocab, T):
    lengths = torch.tensor([5 + (b * 7) % (T - 4) for b in range(n)])
    ids = torch.zeros(n, T, dtype=torch.long)
    mask = torch.zeros(n, T)
    for b in range(n):
        L = int(lengths[b])
        ids[b, :L] = torch.randint(1, vocab, (L,), generator=gen)
        mask[b, :L] = 1
    return ids, lengths, mask


def blas_library():
    """The BLAS shared library this process loaded (reference libblas3 or an optimised one)."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    return sorted(paths)[0] if paths else "unknown"


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg.get("threads", 2))
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(7)
    name, vocab, dim, pairs, T = cfg["encoder"], cfg["vocab"], cfg["dim"], cfg["pairs"], cfg["T"]
    enc = Encoder(name, vocab, dim)
    opt = torch.optim.Adam(enc.parameters(), lr=1e-3, eps=1e-8)
    ids, lengths, mask = batch(gen, 2 * pairs, vocab, T)
    labels = torch.tensor([(i % 5) / 4 for i in range(pairs)])

    def step():
        opt.zero_grad()
        e = enc(ids, lengths, mask)
        loss = ((F.cosine_similarity(e[:pairs], e[pairs:]) - labels) ** 2).mean()
        loss.backward()
        opt.step()

    times = []
    for i in range(cfg["warmup"] + cfg["runs"]):
        t0 = time.perf_counter()
        step()
        if i >= cfg["warmup"]:
            times.append(time.perf_counter() - t0)
    train = pairs / median(times)

    n, bs = cfg["sentences"], cfg["inferBatch"]
    data = batch(gen, n, vocab, T)
    enc.eval()
    calls = []
    with torch.no_grad():
        enc(data[0][:bs], data[1][:bs], data[2][:bs])  # warm-up
        for _ in range(cfg.get("inferRuns", 1)):
            t0 = time.perf_counter()
            for i in range(0, n, bs):
                enc(data[0][i : i + bs], data[1][i : i + bs], data[2][i : i + bs])
            calls.append(time.perf_counter() - t0)
    infer = n / median(calls)
    print(
        json.dumps(
            {
                "train": train,
                "infer": infer,
                "threads": torch.get_num_threads(),
                "torch": torch.__version__,
                "blas": blas_library(),
            }
        )
    )


main()
