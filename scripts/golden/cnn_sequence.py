#!/usr/bin/env python3
"""PyTorch golden for the CNN step's per-token output (`cnn({ output: 'sequence' })`) followed by a pooling step:
fixtures/golden/cnn_sequence.json (see fixtures/golden/README.md).

This is sentence-transformers' `CNN` module (sentence_transformer/modules/cnn.py, v5 models/CNN.py: one Conv1d per
kernel size, padding (k-1)/2, outputs concatenated per token, no activation, no pooling) followed by its `Pooling`
module (mean: sum(x·mask) / clamp(sum(mask), 1e-9); max: pads filled with -inf; cls: the first token), with the
pads' embeddings zeroed before the convolution: a padded batch then gives each sentence what it gives alone.
A second case adds what the step offers beyond sentence-transformers: an even width (PyTorch `padding='same'`:
one more zero on the right) and an activation (ReLU) before the pooling.

Run from the repo root with a Python that has torch (Debian: apt-get install -y python3-torch; 1.13 here):

    /usr/bin/python3 scripts/golden/cnn_sequence.py            # writes the file
    /usr/bin/python3 scripts/golden/cnn_sequence.py --check    # recomputes and fails if the committed file differs

Float32 on CPU, weights and embeddings rounded to 4 decimals. Every case is computed a second time in float64 from
an explicit loop over positions and kernel offsets (values and, by autograd, gradients) and must agree to 1e-5
before anything is written.
"""
import json
import sys
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from losses import enc, float_short  # noqa: E402  (same number encoding as the other goldens)

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / 'fixtures' / 'golden' / 'cnn_sequence.json'
VOCAB, EMB, FILTERS = 50, 8, 4
LENGTHS = [6, 3, 1, 5]
T = 6
CASES = [
    {'name': 'st_linear', 'kernel_sizes': [1, 3, 5], 'activation': 'linear', 'poolings': ['mean', 'max', 'first'],
     'seed': 11},
    {'name': 'relu_even_width', 'kernel_sizes': [2, 3], 'activation': 'relu', 'poolings': ['mean', 'max'],
     'seed': 12},
]


def rounded(gen, *shape, scale=0.5):
    return torch.round((torch.rand(*shape, generator=gen) * 2 - 1) * scale * 1e4) / 1e4


def inputs():
    gen = torch.Generator().manual_seed(7)
    ids = torch.zeros(len(LENGTHS), T, dtype=torch.long)
    for b, n in enumerate(LENGTHS):
        # Distinct ids within a sentence: a repeated token ties with itself in a max (width 1), and PyTorch sends
        # the gradient of a tie to one position where tfjs sends it to each.
        ids[b, :n] = torch.randperm(VOCAB - 1, generator=gen)[:n] + 1
    ids[1, 2] = ids[0, 1]  # one token id used in two sentences: its embedding gradient is a sum
    mask = (torch.arange(T)[None, :] < torch.tensor(LENGTHS)[:, None]).to(torch.float32)
    return ids, mask


def forward_torch(emb, convs, ids, mask, activation):
    """float32, PyTorch modules: the SDK's step and sentence-transformers' CNN (pads zeroed first)."""
    x = (F.embedding(ids, emb) * mask[:, :, None]).transpose(1, 2)  # [B, E, T]
    outs = []
    for k, conv in convs:
        if k % 2 == 1:
            outs.append(conv(x))  # sentence-transformers: Conv1d(padding=(k-1)//2), stride 1
        else:
            outs.append(F.conv1d(x, conv.weight, conv.bias, padding='same'))
    y = torch.cat(outs, 1).transpose(1, 2)  # [B, T, C]
    if activation == 'relu':
        y = torch.relu(y)
    return y * mask[:, :, None]  # the sequence the step returns: pads zero


def forward_loop(emb, weights, ids, mask, kernel_sizes, activation):
    """float64, explicit: y[b,t,f] = bias[f] + sum_j sum_e W[f,e,j] * x[b, t + j - (k-1)//2, e] (0 outside [0, L))."""
    B = ids.shape[0]
    lengths = mask.sum(1).long().tolist()
    rows = []
    for b in range(B):
        per_t = []
        for t in range(T):
            feats = []
            for k, (w, bias) in zip(kernel_sizes, weights):
                left = (k - 1) // 2
                acc = bias.clone()
                for j in range(k):
                    p = t + j - left
                    if 0 <= p < lengths[b] and t < lengths[b]:
                        acc = acc + w[:, :, j] @ emb[ids[b, p]]
                feats.append(acc)
            v = torch.cat(feats)
            if activation == 'relu':
                v = torch.relu(v)
            per_t.append(v * mask[b, t])
        rows.append(torch.stack(per_t))
    return torch.stack(rows)


def pool(y, mask, mode):
    """sentence-transformers' Pooling (v6 sentence_transformer/modules/pooling.py)."""
    m = mask[:, :, None].to(y.dtype)
    if mode == 'mean':
        return (y * m).sum(1) / torch.clamp(m.sum(1), min=1e-9)
    if mode == 'max':
        return y.masked_fill(m == 0, float('-inf')).max(dim=1).values
    return y[:, 0]


def case(spec, ids, mask):
    gen = torch.Generator().manual_seed(spec['seed'])
    emb = rounded(gen, VOCAB, EMB)
    convs = []
    for k in spec['kernel_sizes']:
        conv = nn.Conv1d(EMB, FILTERS, k, padding=(k - 1) // 2)
        with torch.no_grad():
            conv.weight.copy_(rounded(gen, FILTERS, EMB, k))
            conv.bias.copy_(rounded(gen, FILTERS))
        convs.append((k, conv))
    C = FILTERS * len(convs)
    emb32 = emb.clone().requires_grad_(True)
    seq = forward_torch(emb32, convs, ids, mask, spec['activation'])
    seq64 = forward_loop(emb.double(), [(c.weight.detach().double(), c.bias.detach().double()) for _, c in convs],
                         ids, mask.double(), spec['kernel_sizes'], spec['activation'])
    worst = float((seq.detach().double() - seq64).abs().max())
    assert worst < 1e-5, (spec['name'], 'sequence', worst)
    out = {
        'name': spec['name'],
        'kernel_sizes': spec['kernel_sizes'],
        'activation': spec['activation'],
        'weights': {
            'embedding.weight': enc(emb),
            **{f'convs.{i}.{p}': enc(getattr(c, p)) for i, (_, c) in enumerate(convs) for p in ('weight', 'bias')},
        },
        'sequence': enc(seq),
        'poolings': {},
    }
    checks = [worst]
    for mode in spec['poolings']:
        lw = rounded(gen, len(LENGTHS), C, scale=1.0)
        params = [emb32] + [p for _, c in convs for p in (c.weight, c.bias)]
        for p in params:
            p.grad = None
        pooled = pool(forward_torch(emb32, convs, ids, mask, spec['activation']), mask, mode)
        loss = (pooled * lw).sum()
        loss.backward()
        # float64: the explicit loop, its own autograd.
        emb64 = emb.double().requires_grad_(True)
        w64 = [(c.weight.detach().double().requires_grad_(True), c.bias.detach().double().requires_grad_(True))
               for _, c in convs]
        pooled64 = pool(forward_loop(emb64, w64, ids, mask.double(), spec['kernel_sizes'], spec['activation']),
                        mask.double(), mode)
        loss64 = (pooled64 * lw.double()).sum()
        loss64.backward()
        pairs = [(pooled, pooled64), (emb32.grad, emb64.grad)]
        for (_, c), (w, b) in zip(convs, w64):
            pairs += [(c.weight.grad, w.grad), (c.bias.grad, b.grad)]
        for a, b in pairs:
            d = float((a.detach().double() - b).abs().max())
            assert d < 1e-5, (spec['name'], mode, d)
            checks.append(d)
        out['poolings'][mode] = {
            'output': enc(pooled),
            'loss_weights': enc(lw),
            'loss': enc(loss),
            'grads': {
                'embedding.weight': enc(emb32.grad),
                **{f'convs.{i}.{p}': enc(getattr(c, p).grad) for i, (_, c) in enumerate(convs)
                   for p in ('weight', 'bias')},
            },
        }
    return out, checks


def build():
    torch.manual_seed(0)
    ids, mask = inputs()
    cases, checks = [], []
    for spec in CASES:
        c, worst = case(spec, ids, mask)
        cases.append(c)
        checks += worst
    return {
        'name': 'cnn_sequence',
        'description': "The CNN step's per-token output (cnn({ output: 'sequence' })) and a pooling after it: "
                       "sentence-transformers' CNN module + Pooling (mean, max, cls), and an even width with ReLU. "
                       'Outputs, and gradients of loss = sum(pooled * loss_weights) w.r.t. every weight.',
        'config': {'vocab': VOCAB, 'emb': EMB, 'filters': FILTERS, 'batch': len(LENGTHS), 'seq_len': T,
                   'pad_id': 0, 'padding_side': 'right'},
        'conventions': {
            'weights': 'convs.{i}.weight is the PyTorch Conv1d layout [F, E, k] of kernel_sizes[i] (the names '
                       "sentence-transformers' CNN saves); the SDK names it conv{k}.weight. convs.{i}.bias is [F].",
            'equations': 'x[b,t] = embedding[ids[b,t]] * mask[b,t]; y[b,t] = concat over widths k of '
                         'act(bias + sum_j W[:,:,j] x[b, t + j - (k-1)//2]) with x = 0 outside the sentence; '
                         'sequence[b,t] = y[b,t] * mask[b,t]. Odd k: padding (k-1)/2 each side '
                         "(sentence-transformers); even k: PyTorch padding='same' (one more zero on the right).",
            'pooling': 'mean: sum_t(sequence·mask) / clamp(sum_t mask, 1e-9); max: pads filled with -inf, max over t; '
                       'first (cls): sequence[:, 0]',
            'ties': 'no token repeats within a sentence, so the max has no ties (PyTorch gives the gradient of a '
                    'tie to one position, tfjs to each)',
        },
        'inputs': {'token_ids': enc(ids), 'mask': enc(mask), 'lengths': LENGTHS},
        'cases': cases,
        'meta': {
            'generator': 'scripts/golden/cnn_sequence.py',
            'torch_version': torch.__version__,
            'dtype': 'float32',
            'float64_check': {'checks': len(checks), 'worst_abs_diff': float_short(max(checks))},
        },
    }


if __name__ == '__main__':
    golden = build()
    text = json.dumps(golden, separators=(',', ':')) + '\n'
    if '--check' in sys.argv:
        if OUT.read_text() != text:
            sys.exit(f'{OUT} differs from what the generator computes; rerun without --check')
        print(f'{OUT.name}: up to date')
    else:
        OUT.write_text(text)
        print(f'wrote {OUT} ({len(text)} bytes); float64 check: {golden["meta"]["float64_check"]}')
